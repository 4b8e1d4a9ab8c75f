//! Inert rendering of untrusted log text in markdown: escaped inline text and fenced blocks whose
//! fence is longer than any backtick run inside, after stripping bidi controls, zero-width
//! characters and ANSI escapes. Log text never becomes a link, HTML or a `command:` URI.

/// Removes ANSI escape sequences, C0/C1 controls (except tab and newline), bidi controls and
/// zero-width characters: things that can make text look different from what it is.
pub fn sanitize(text: &str) -> String {
    crate::core::visible::strip(text)
}

/// Escapes text for inline use in markdown: every ASCII punctuation character that markdown or
/// HTML could interpret is backslash-escaped, newlines become spaces.
pub fn escape(text: &str) -> String {
    let clean = sanitize(text);
    let mut out = String::with_capacity(clean.len() + 8);
    for ch in clean.chars() {
        match ch {
            '\n' | '\t' => out.push(' '),
            // Markdown and HTML syntax, plus ':' '.' '@' which would let GFM autolink URLs,
            // `www.` hosts and e-mail addresses.
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '+' | '-' | '.'
            | '!' | '|' | '<' | '>' | '&' | '~' | ':' | '=' | '$' | '^' | '@' => {
                out.push('\\');
                out.push(ch);
            }
            _ => out.push(ch),
        }
    }
    out
}

/// A fenced code block holding `text` verbatim (after `sanitize`), with a fence longer than the
/// longest backtick run inside, so nothing inside can close it.
pub fn fence(text: &str, language: &str) -> String {
    let clean = sanitize(text);
    let mut longest = 0usize;
    let mut run = 0usize;
    for ch in clean.chars() {
        if ch == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest.max(2) + 1);
    let lang: String = language
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    format!("{fence}{lang}\n{}\n{fence}", clean.trim_end_matches('\n'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_text_has_no_active_markdown() {
        let hostile = "[click](command:workbench.action.terminal.new) <img src=x> **bold** `code`";
        let out = escape(hostile);
        assert!(!out.contains("](command:"), "{out}");
        assert!(out.contains("\\<img") && !out.contains(" <img"), "{out}");
        assert!(!out.contains("**"), "{out}");
        assert!(out.contains("\\[click\\]"), "{out}");
    }

    #[test]
    fn fence_is_longer_than_any_backtick_run() {
        let out = fence("a ```` b\n```\nc", "json");
        assert!(out.starts_with("`````json\n"), "{out}");
        assert!(out.ends_with("\n`````"), "{out}");
    }

    #[test]
    fn invisible_and_ansi_are_stripped() {
        assert_eq!(
            sanitize("a\u{202e}b\u{200b}c\u{1b}[31md\u{1b}[0m\r\n"),
            "abcd\n"
        );
    }
}
