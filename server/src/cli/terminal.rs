//! Makes log-derived text inert in a terminal: control characters (ANSI escapes, carriage
//! returns, bidi overrides) are shown escaped, never interpreted.

/// True for characters a terminal would act on instead of printing.
fn is_dangerous(c: char) -> bool {
    c.is_control()
        // Bidirectional overrides and isolates ("Trojan Source"), zero-width joiners are fine.
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{FEFF}')
        // Zero-width space and invisible operators hide where words break; ZWJ/ZWNJ stay
        // (emoji sequences and scripts need them).
        || matches!(c, '\u{200B}' | '\u{2060}'..='\u{2064}')
}

/// The text with every control character escaped (`\x1b`, `\u{202e}`), tabs and line breaks as
/// single spaces, so it prints on one line and changes nothing in the terminal.
pub fn inert(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\t' | '\n' | '\r' => out.push(' '),
            c if is_dangerous(c) => {
                let n = c as u32;
                if n < 0x100 {
                    out.push_str(&format!("\\x{n:02x}"));
                } else {
                    out.push_str(&format!("\\u{{{n:x}}}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// At most `max` characters of `text`, with "…" when it was cut.
pub fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

/// The last `n` characters of `text` (a suffix on a char boundary).
pub fn last_chars(text: &str, n: usize) -> &str {
    if n == 0 {
        return "";
    }
    match text.char_indices().rev().nth(n - 1) {
        Some((i, _)) => &text[i..],
        None => text,
    }
}

/// The first `n` characters of `text`.
pub fn first_chars(text: &str, n: usize) -> &str {
    match text.char_indices().nth(n) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

/// The style of a severity's label (`error`, `warning[…]`), as compilers colour them.
pub fn severity_style(severity: crate::core::model::Severity) -> anstyle::Style {
    use crate::core::model::Severity;
    use anstyle::AnsiColor;
    let color = match severity {
        Severity::Error => AnsiColor::BrightRed,
        Severity::Warning => AnsiColor::BrightYellow,
        Severity::Information => AnsiColor::BrightBlue,
        Severity::Hint => AnsiColor::BrightCyan,
    };
    anstyle::Style::new().bold().fg_color(Some(color.into()))
}

/// `text` in `style` when `color`, else as is. `text` must already be inert.
pub fn paint(style: anstyle::Style, text: &str, color: bool) -> String {
    if color {
        format!("{}{text}{}", style.render(), style.render_reset())
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_control_characters() {
        assert_eq!(inert("a\x1b[31mred\x1b[0m"), "a\\x1b[31mred\\x1b[0m");
        assert_eq!(inert("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(inert("a\r\nb\tc"), "a  b c");
        assert_eq!(inert("\u{7}\u{9b}"), "\\x07\\x9b");
        assert_eq!(inert("日本 👨‍👩‍👧"), "日本 👨‍👩‍👧");
    }

    #[test]
    fn cuts_on_char_boundaries() {
        assert_eq!(shorten("日本語", 2), "日本…");
        assert_eq!(shorten("ab", 2), "ab");
        assert_eq!(last_chars("日本語", 2), "本語");
        assert_eq!(last_chars("ab", 5), "ab");
        assert_eq!(last_chars("ab", 0), "");
        assert_eq!(first_chars("日本語", 1), "日");
        assert_eq!(first_chars("", 3), "");
    }
}
