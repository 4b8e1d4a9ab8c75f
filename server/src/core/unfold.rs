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

/// True when `unfold` would succeed at `string_span` (for offering the action).
pub fn is_unfoldable(text: &str, string_span: Span) -> bool {
    text.get(string_span.start..string_span.end)
        .and_then(innermost_json)
        .and_then(|c| {
            let tokens = tokenize(&c)?;
            let starts = matches!(tokens.first(), Some(t) if t.kind == Kind::Punct(b'{') || t.kind == Kind::Punct(b'['));
            (starts && check_grammar(&tokens)).then_some(())
        })
        .is_some()
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
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn unfold_str(token: &str) -> Option<String> {
        unfold(token, Span::new(0, token.len()), "  ", "")
    }

    fn round_trip(token: &str) -> String {
        let pretty = unfold_str(token).expect("unfolds");
        fold(&pretty, Span::new(0, pretty.len())).expect("folds")
    }

    #[test]
    fn unfolds_the_seed_body_in_place() {
        let doc = "{\n    \"Body\": \"{\\\"title\\\":\\\"Member Exists\\\",\\\"status\\\":400,\\\"errors\\\":[],\\\"x\\\":{}}\"\n}";
        let start = doc.find("\"{").unwrap();
        let end = doc.rfind('"').unwrap() + 1;
        let pretty = unfold(doc, Span::new(start, end), "  ", "    ").unwrap();
        assert_eq!(
            pretty,
            "{\n      \"title\": \"Member Exists\",\n      \"status\": 400,\n      \"errors\": [],\n      \"x\": {}\n    }"
        );
        let edited = format!("{}{}{}", &doc[..start], pretty, &doc[end..]);
        let v: serde_json::Value = serde_json::from_str(&edited).unwrap();
        assert_eq!(v["Body"]["title"], "Member Exists");
        // And back.
        let value = Span::new(start, start + pretty.len());
        assert_eq!(fold(&edited, value).as_deref(), Some(&doc[start..end]));
    }

    #[test]
    fn lossless_on_what_values_would_lose() {
        for compact in [
            r#"{"a":1,"a":2}"#,
            r#"{"n":123456789012345678901234567890,"f":1.0e5,"g":-0.0,"h":1E-7}"#,
            r#"{"e":"\u00e9","raw":"é","emoji":"😀","slash":"a\/b","q":"\"\\\n"}"#,
            r#"[[],{},[{}],"x",true,false,null]"#,
        ] {
            let token = serde_json::to_string(compact).unwrap();
            assert_eq!(round_trip(&token), token, "{compact}");
            let pretty = unfold_str(&token).unwrap();
            assert!(pretty.contains("\n"), "{pretty}");
            for needle in ["\\u00e9", "1.0e5", "\\/", "123456789012345678901234567890"] {
                assert_eq!(
                    pretty.contains(needle),
                    compact.contains(needle),
                    "{needle} in {pretty}"
                );
            }
        }
    }

    #[test]
    fn double_escaped_unfolds_fully_and_folds_once() {
        let once = serde_json::to_string(r#"{"ok":false}"#).unwrap();
        let twice = serde_json::to_string(&once).unwrap();
        let pretty = unfold_str(&twice).unwrap();
        assert_eq!(pretty, "{\n  \"ok\": false\n}");
        assert_eq!(fold(&pretty, Span::new(0, pretty.len())), Some(once));
    }

    #[test]
    fn refuses_what_it_cannot_keep() {
        for token in [
            r#""not json""#,
            r#""42""#,
            r#""\"just a string\"""#,
            r#""{\"a\":1,}""#,
            r#""{\"a\":1} x""#,
            r#""{/* c */\"a\":1}""#,
            r#""{\"a\":NaN}""#,
            r#""{\"a\":01}""#,
            r#""[1 2]""#,
            r#""{\"a\" 1}""#,
            r#""{\"a\":\"\t\"}""#,
            "{\"a\":1}",
            "\"unterminated",
            "",
        ] {
            assert_eq!(unfold_str(token), None, "{token}");
            assert!(!is_unfoldable(token, Span::new(0, token.len())), "{token}");
        }
        assert_eq!(fold("{\"a\":1,}", Span::new(0, 8)), None);
        assert_eq!(fold("\"str\"", Span::new(0, 5)), None);
        assert_eq!(fold("{\"a\":1}", Span::new(0, 99)), None);
        let deep = serde_json::to_string(&"[".repeat(10_000)).unwrap();
        assert_eq!(unfold_str(&deep), None);
        let deep_ok = serde_json::to_string(&format!(
            "{}{}",
            "[".repeat(MAX_DEPTH + 1),
            "]".repeat(MAX_DEPTH + 1)
        ))
        .unwrap();
        assert_eq!(unfold_str(&deep_ok), None);
    }

    #[test]
    fn the_cheap_guess_reads_only_the_start() {
        assert!(may_unfold(r#""{\"a\":1}""#));
        assert!(may_unfold(r#""\n  [1]""#));
        assert!(may_unfold(r#""\"{\\\"a\\\":1}\"""#));
        assert!(!may_unfold(r#""plain text""#));
        assert!(!may_unfold(r#""\u0041""#));
        assert!(!may_unfold("{}"));
        assert!(!may_unfold(r#"""#));
    }

    #[test]
    fn crlf_documents_get_crlf() {
        let doc = "{\r\n\"b\": \"[1,2]\"\r\n}";
        let s = doc.find("\"[").unwrap();
        let e = doc[s + 1..].find('"').unwrap() + s + 2;
        assert_eq!(
            unfold(doc, Span::new(s, e), "\t", "").as_deref(),
            Some("[\r\n\t1,\r\n\t2\r\n]")
        );
    }

    /// Compact JSON text, with the spellings a `Value` would not keep.
    fn json_text() -> impl Strategy<Value = String> {
        let string = prop::collection::vec(
            prop_oneof![
                "[a-zA-Z0-9 _.-]{1,6}".prop_map(|s| s),
                Just("\\u00e9".to_string()),
                Just("\\uD83D\\uDE00".to_string()),
                Just("😀é€".to_string()),
                Just("\\/".to_string()),
                Just("\\\"".to_string()),
                Just("\\\\".to_string()),
                Just("\\n\\t\\r\\b\\f".to_string()),
                Just("\u{2028}".to_string()),
            ],
            0..4,
        )
        .prop_map(|parts| format!("\"{}\"", parts.concat()));
        let number = prop_oneof![
            Just("0".to_string()),
            Just("-0.0".to_string()),
            Just("1.0e5".to_string()),
            Just("2E-7".to_string()),
            Just("123456789012345678901234567890".to_string()),
            (-1_000_000i64..1_000_000).prop_map(|n| n.to_string()),
            (1u32..1000, 1u32..1000).prop_map(|(a, b)| format!("{a}.{b}")),
        ];
        let leaf = prop_oneof![
            string.clone(),
            number,
            Just("true".to_string()),
            Just("false".to_string()),
            Just("null".to_string()),
        ];
        let value = leaf.prop_recursive(4, 40, 5, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5)
                    .prop_map(|v| format!("[{}]", v.join(","))),
                // Keys drawn from a small set so duplicates happen.
                prop::collection::vec(
                    (
                        prop::sample::select(vec!["\"a\"", "\"b\"", "\"\\u00e9\""]),
                        inner
                    ),
                    0..5
                )
                .prop_map(|kv| {
                    let members: Vec<String> =
                        kv.into_iter().map(|(k, v)| format!("{k}:{v}")).collect();
                    format!("{{{}}}", members.join(","))
                }),
            ]
        });
        prop_oneof![
            prop::collection::vec(value.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(","))),
            prop::collection::vec(value, 0..4).prop_map(|v| {
                let members: Vec<String> = v
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| format!("\"k{}\":{v}", i % 2))
                    .collect();
                format!("{{{}}}", members.join(","))
            }),
        ]
    }

    proptest! {
        #[test]
        fn fold_unfold_round_trips_byte_for_byte(compact in json_text(), indent in prop::sample::select(vec!["  ", "    ", "\t"]), base in prop::sample::select(vec!["", "  ", "\t\t"])) {
            let token = serde_json::to_string(&compact).unwrap();
            let doc = format!("{{\"body\": {token}}}");
            let span = Span::new(9, 9 + token.len());
            let pretty = unfold(&doc, span, indent, base).expect("unfolds");
            prop_assert_eq!(fold(&pretty, Span::new(0, pretty.len())), Some(token.clone()));
            // Same value as the compact text, and the edited document is still JSON.
            let a: serde_json::Value = serde_json::from_str(&compact).unwrap();
            let b: serde_json::Value = serde_json::from_str(&pretty).unwrap();
            prop_assert_eq!(a, b);
            let edited = format!("{{\"body\": {pretty}}}");
            prop_assert!(serde_json::from_str::<serde_json::Value>(&edited).is_ok());
        }

        #[test]
        fn the_cheap_guess_never_misses_an_unfoldable_body(compact in json_text(), layers in 1usize..4, pad in prop::sample::select(vec!["", " ", "\n  ", "\t"])) {
            let mut token = format!("{pad}{compact}");
            for _ in 0..layers {
                token = serde_json::to_string(&token).unwrap();
            }
            let span = Span::new(0, token.len());
            if unfold(&token, span, "  ", "").is_some() {
                prop_assert!(may_unfold(&token), "{}", token);
            }
        }

        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let token = serde_json::to_string(&s).unwrap();
            let _ = unfold(&token, Span::new(0, token.len()), "  ", "");
            let _ = unfold(&s, Span::new(0, s.len()), "  ", "");
            let _ = fold(&s, Span::new(0, s.len()));
        }
    }
}
