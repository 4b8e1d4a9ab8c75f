//! Characters that make text look different from what it is: ANSI escape sequences, C0/C1
//! controls, bidi controls ("Trojan Source") and zero-width characters. Log text loses them
//! before it is shown as plain text (diagnostic messages, titles) or rendered (markdown), and
//! they are made visible as `\uXXXX` in the JSON of the payload view.

/// True for characters that are invisible or change how the text around them is shown. Tab and
/// line feed are not: they are ordinary whitespace.
pub fn is_invisible(ch: char) -> bool {
    matches!(ch,
        '\u{0}'..='\u{8}' | '\u{b}'..='\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\r'
        // bidi embedding/override/isolate controls and marks
        | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{61c}'
        // zero-width and invisible formatting characters, line/paragraph separators
        | '\u{200b}'..='\u{200d}' | '\u{2060}'..='\u{2064}' | '\u{feff}' | '\u{ad}' | '\u{180e}'
        | '\u{2028}' | '\u{2029}')
}

/// `text` without ANSI escape sequences and invisible characters.
pub fn strip(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        if ch == '\u{1b}' {
            match chars.peek() {
                // CSI: ESC [ parameters, then one final byte in @..~.
                Some('[') => {
                    chars.next();
                    for c in chars.by_ref() {
                        if ('\u{40}'..='\u{7e}').contains(&c) {
                            break;
                        }
                    }
                }
                // OSC: ESC ] ... ended by BEL or ESC \ (window titles, hyperlinks).
                Some(']') => {
                    chars.next();
                    while let Some(c) = chars.next() {
                        if c == '\u{7}' {
                            break;
                        }
                        if c == '\u{1b}' {
                            if chars.peek() == Some(&'\\') {
                                chars.next();
                            }
                            break;
                        }
                    }
                }
                // Any other escape: ESC and one character.
                _ => {
                    chars.next();
                }
            }
            continue;
        }
        if !is_invisible(ch) {
            out.push(ch);
        }
    }
    out
}

/// JSON text with every invisible character that serde_json writes raw (non-ASCII ones inside
/// strings) written as a `\uXXXX` escape: the same JSON value, nothing hidden.
pub fn escape_in_json(json: &str) -> String {
    if json.is_ascii() {
        return json.to_string();
    }
    let mut out = String::with_capacity(json.len());
    for ch in json.chars() {
        if !ch.is_ascii() && is_invisible(ch) {
            out.push_str(&format!("\\u{:04x}", ch as u32));
        } else {
            out.push(ch);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_invisible_characters_are_removed() {
        assert_eq!(
            strip("a\u{202e}b\u{200b}c\u{1b}[31md\u{1b}[0m\r\n\u{2066}e\u{2069}\u{feff}"),
            "abcd\ne"
        );
        assert_eq!(
            strip("x\u{1b}]0;pwned\u{7}y\u{1b}]8;;http://e\u{1b}\\z"),
            "xyz"
        );
        assert_eq!(strip("e\u{301} 日本 😀\tend"), "e\u{301} 日本 😀\tend");
        assert_eq!(strip("cut\u{1b}"), "cut");
    }

    #[test]
    fn json_keeps_its_value_with_invisibles_escaped() {
        let value = serde_json::json!({"m": "a\u{202e}b\u{200b}c 名\u{1b}"});
        let text = serde_json::to_string(&value).expect("json");
        let escaped = escape_in_json(&text);
        assert_eq!(escaped, "{\"m\":\"a\\u202eb\\u200bc 名\\u001b\"}");
        let back: serde_json::Value = serde_json::from_str(&escaped).expect("still json");
        assert_eq!(back, value);
    }
}
