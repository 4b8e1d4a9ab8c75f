//! Unfolding a body stored as an escaped JSON string into pretty-printed JSON, and folding it
//! back, losslessly: key order, duplicate keys, number text and escapes are kept. Where that
//! cannot be guaranteed, `None` (the action is then not offered).
//!
//! Both directions work on tokens, never on a parsed `serde_json::Value`: the tokens of the
//! body's JSON are copied as written and only the whitespace between them changes.
//!
//! Decisions: `unfold` unwraps fully (a string holding a JSON string holding JSON, as some
//! platforms double-encode, becomes the JSON itself), and only offers object or array bodies.
//! `fold` writes one level, compact, with the escapes serializers use (`serde_json`,
//! `JSON.stringify`: `\"`, `\\`, `\n`-style and `\u00XX` for control characters, everything
//! else literal). So `fold(unfold(s)) == s` byte for byte for every body a serializer wrote as
//! one level of compact JSON; for other spellings (`\/` or `\u00e9` in the outer string, spaces
//! inside the JSON, double encoding) the folded string differs in bytes, not in value.

use super::model::Span;

/// Nesting deeper than this is not unfolded (bounded output and work).
const MAX_DEPTH: usize = 256;
/// How many string-in-string layers `unfold` removes at most.
const MAX_LEVELS: usize = 4;

/// The replacement text for the string token at `string_span` (quotes included): the JSON it
/// holds, pretty-printed with `indent_unit`, continuation lines starting with `base_indent`.
pub fn unfold(
    text: &str,
    string_span: Span,
    indent_unit: &str,
    base_indent: &str,
) -> Option<String> {
    let token = text.get(string_span.start..string_span.end)?;
    let content = innermost_json(token)?;
    let tokens = tokenize(&content)?;
    if !matches!(tokens.first(), Some(t) if t.kind == Kind::Punct(b'{') || t.kind == Kind::Punct(b'['))
    {
        return None;
    }
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    write_pretty(&tokens, indent_unit, base_indent, newline)
}

/// The reverse: the JSON value at `value_span` written back as one escaped JSON string token
/// (compact), such that `unfold` of it gives the same value.
pub fn fold(text: &str, value_span: Span) -> Option<String> {
    let value = text.get(value_span.start..value_span.end)?;
    let compact = compact(value)?;
    serde_json::to_string(&compact).ok()
}

/// The JSON object or array at `value_span` without whitespace between tokens, tokens as
/// written. `None` when it is not plain JSON (comments, trailing commas) or not a container.
pub fn compact(value: &str) -> Option<String> {
    let tokens = tokenize(value)?;
    if !matches!(tokens.first(), Some(t) if t.kind == Kind::Punct(b'{') || t.kind == Kind::Punct(b'['))
    {
        return None;
    }
    if !check_grammar(&tokens) {
        return None;
    }
    let mut out = String::with_capacity(value.len());
    for t in &tokens {
        out.push_str(t.text);
    }
    Some(out)
}

/// The JSON text a string token holds, unwrapping string-in-string layers; `None` when the
/// token is not a string or its content is not JSON.
/// A cheap guess, from the first characters only, at whether `unfold` of this string token can
/// succeed: its content (through any layers of escaping) starts with `{` or `[`. Used to offer
/// the action on huge bodies without decoding them; `unfold` still has the last word.
pub fn may_unfold(token: &str) -> bool {
    let mut rest = token.trim_start();
    if !rest.starts_with('"') {
        return false;
    }
    rest = &rest[1..];
    loop {
        let trimmed = rest.trim_start_matches([' ', '\t']);
        let after = trimmed.trim_start_matches('\\');
        if after.len() == trimmed.len() {
            return trimmed.starts_with(['{', '[']);
        }
        // Backslashes (as many as the layers of escaping) then whitespace (`n`, `r`, `t`) or
        // the quote of an inner layer; anything else is not JSON text.
        match after.as_bytes().first() {
            Some(b'n' | b'r' | b't' | b'"') => rest = &after[1..],
            _ => return false,
        }
    }
}

fn innermost_json(token: &str) -> Option<String> {
    let t = token.trim();
    if !t.starts_with('"') {
        return None;
    }
    let mut content: String = serde_json::from_str(t).ok()?;
    // Only the first byte decides whether to unwrap again: the caller tokenizes and checks the
    // result once (a 10 MB body is scanned once, not once per layer).
    let json_ws = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r');
    for _ in 1..MAX_LEVELS {
        let t = content.trim_matches(json_ws);
        if !t.starts_with('"') {
            return Some(content);
        }
        match serde_json::from_str::<String>(t) {
            Ok(inner)
                if inner
                    .trim_start_matches(json_ws)
                    .starts_with(['{', '[', '"']) =>
            {
                content = inner
            }
            _ => return Some(content),
        }
    }
    Some(content)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Punct(u8),
    String,
    /// Number or `true`/`false`/`null`.
    Scalar,
}

#[derive(Debug, Clone, Copy)]
struct Tok<'a> {
    kind: Kind,
    text: &'a str,
}

/// Strict RFC 8259 tokens (no comments, no NaN, no single quotes); `None` on anything else.
fn tokenize(s: &str) -> Option<Vec<Tok<'_>>> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'{' | b'}' | b'[' | b']' | b':' | b',' => {
                out.push(Tok {
                    kind: Kind::Punct(c),
                    text: &s[i..i + 1],
                });
                i += 1;
            }
            b'"' => {
                let start = i;
                i += 1;
                loop {
                    match *b.get(i)? {
                        b'"' => break,
                        b'\\' => match *b.get(i + 1)? {
                            b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => i += 2,
                            b'u' => {
                                let hex = b.get(i + 2..i + 6)?;
                                if !hex.iter().all(u8::is_ascii_hexdigit) {
                                    return None;
                                }
                                i += 6;
                            }
                            _ => return None,
                        },
                        0x00..=0x1f => return None,
                        _ => i += 1,
                    }
                }
                i += 1;
                out.push(Tok {
                    kind: Kind::String,
                    text: &s[start..i],
                });
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                i = scan_number(b, i)?;
                out.push(Tok {
                    kind: Kind::Scalar,
                    text: &s[start..i],
                });
            }
            b't' | b'f' | b'n' => {
                let word = ["true", "false", "null"]
                    .into_iter()
                    .find(|w| b[i..].starts_with(w.as_bytes()))?;
                out.push(Tok {
                    kind: Kind::Scalar,
                    text: &s[i..i + word.len()],
                });
                i += word.len();
            }
            _ => return None,
        }
    }
    Some(out)
}

/// The end of the number starting at `i`, or `None` if it is not a JSON number.
fn scan_number(b: &[u8], mut i: usize) -> Option<usize> {
    let digits = |b: &[u8], mut i: usize| {
        let s = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        (i > s).then_some(i)
    };
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    match b.get(i)? {
        b'0' => i += 1,
        b'1'..=b'9' => i = digits(b, i)?,
        _ => return None,
    }
    if b.get(i) == Some(&b'.') {
        i = digits(b, i + 1)?;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        i = digits(b, i)?;
    }
    // "01", "1a", "truex" style run-ons are not JSON.
    if b.get(i)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'.')
    {
        return None;
    }
    Some(i)
}

/// Exactly one JSON value, nesting at most `MAX_DEPTH`.
fn check_grammar(tokens: &[Tok<'_>]) -> bool {
    walk(tokens, |_, _, _| {}).is_some()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Value,
    /// After `{`: a key or `}`.
    KeyOrClose,
    Key,
    Colon,
    /// After a value inside a container.
    CommaOrClose,
    /// After `[`: a value or `]`.
    ValueOrClose,
    Done,
}

/// Validates the token stream, calling `emit(token, depth_after, next_is_close)` for each.
fn walk<'a>(tokens: &[Tok<'a>], mut emit: impl FnMut(&Tok<'a>, usize, bool)) -> Option<()> {
    let mut stack: Vec<u8> = Vec::new();
    let mut expect = Expect::Value;
    for (n, t) in tokens.iter().enumerate() {
        let next_closes = matches!(
            tokens.get(n + 1),
            Some(Tok {
                kind: Kind::Punct(b'}' | b']'),
                ..
            })
        );
        expect = match (expect, t.kind) {
            (Expect::Value | Expect::ValueOrClose, Kind::Punct(open @ (b'{' | b'['))) => {
                stack.push(open);
                if stack.len() > MAX_DEPTH {
                    return None;
                }
                if open == b'{' {
                    Expect::KeyOrClose
                } else {
                    Expect::ValueOrClose
                }
            }
            (Expect::Value | Expect::ValueOrClose, Kind::String | Kind::Scalar) => {
                after_value(&stack)
            }
            (Expect::KeyOrClose | Expect::Key, Kind::String) => Expect::Colon,
            (Expect::Colon, Kind::Punct(b':')) => Expect::Value,
            (Expect::CommaOrClose, Kind::Punct(b',')) => match stack.last() {
                Some(b'{') => Expect::Key,
                _ => Expect::Value,
            },
            (Expect::KeyOrClose | Expect::CommaOrClose, Kind::Punct(b'}'))
                if stack.last() == Some(&b'{') =>
            {
                stack.pop();
                after_value(&stack)
            }
            (Expect::ValueOrClose | Expect::CommaOrClose, Kind::Punct(b']'))
                if stack.last() == Some(&b'[') =>
            {
                stack.pop();
                after_value(&stack)
            }
            _ => return None,
        };
        emit(t, stack.len(), next_closes);
    }
    (expect == Expect::Done).then_some(())
}

fn after_value(stack: &[u8]) -> Expect {
    if stack.is_empty() {
        Expect::Done
    } else {
        Expect::CommaOrClose
    }
}

fn write_pretty(tokens: &[Tok<'_>], unit: &str, base: &str, newline: &str) -> Option<String> {
    let total: usize = tokens.iter().map(|t| t.text.len()).sum();
    let mut out = String::with_capacity(total * 2);
    let line = |out: &mut String, depth: usize| {
        out.push_str(newline);
        out.push_str(base);
        for _ in 0..depth {
            out.push_str(unit);
        }
    };
    let mut prev_open = false;
    walk(tokens, |t, depth, next_closes| {
        match t.kind {
            Kind::Punct(b'{' | b'[') => {
                out.push_str(t.text);
                if !next_closes {
                    line(&mut out, depth);
                }
            }
            Kind::Punct(b'}' | b']') => {
                if !prev_open {
                    line(&mut out, depth);
                }
                out.push_str(t.text);
            }
            Kind::Punct(b',') => {
                out.push(',');
                line(&mut out, depth);
            }
            Kind::Punct(b':') => out.push_str(": "),
            _ => out.push_str(t.text),
        }
        prev_open = matches!(t.kind, Kind::Punct(b'{' | b'['));
    })?;
    Some(out)
}

#[cfg(test)]
mod tests;
