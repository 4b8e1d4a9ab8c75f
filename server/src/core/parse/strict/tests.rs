use super::*;
use proptest::prelude::*;

/// `jsonc_parser`'s tree of `text` (the slow path), or `None` when it reports an error.
fn slow(text: &str) -> Option<Value<'_>> {
    crate::core::parse::parse_with_jsonc(text).ok().flatten()
}

/// The promise: whenever the reader gives a tree, it is `jsonc_parser`'s.
fn agrees(text: &str) -> Option<Value<'_>> {
    let fast = parse(text);
    if let Some(fast) = &fast {
        assert_eq!(Some(fast), slow(text).as_ref(), "{text:?}");
    }
    fast
}

#[test]
fn strict_json_is_read_as_jsonc_parser_reads_it() {
    for text in [
        r#"{"a": 1, "b": [true, false, null, -0.5e+3, "x\"y\\z\/\b\f\n\r\t"], "c": {}}"#,
        "  [ ]  ",
        "\"\\u00e9\\ud83d\\ude00 é ✓\"",
        "{\"\": \"\", \"k\": [[], [{}], 0, 10, 1E9]}",
        "\n\t{\r\n\"status\" : 404 }\n",
        "-12.75",
    ] {
        assert!(agrees(text).is_some(), "{text}");
    }
}

#[test]
fn anything_but_strict_json_is_left_to_jsonc_parser() {
    for text in [
        "",
        "  ",
        "{\"a\": 1,}",
        "[1, 2,]",
        "{a: 1}",
        "{'a': 1}",
        "// c\n{}",
        "{} /* c */",
        "{\"a\": 1} x",
        "{\"a\" 1}",
        "[1 2]",
        "01",
        "1.",
        "-",
        "1e",
        "+1",
        "0x10",
        "tru",
        "\"\\ud83d\"",
        "\"\\ude00\"",
        "\"\\x\"",
        "\"a\u{1}b\"",
        "\"open",
        "\u{feff}{}",
        "{\"a\": [1}",
    ] {
        assert!(agrees(text).is_none(), "{text:?}");
    }
    let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    assert!(agrees(&deep(MAX_DEPTH)).is_some());
    assert!(agrees(&deep(MAX_DEPTH + 1)).is_none());
}

#[test]
fn every_fixture_is_read_as_jsonc_parser_reads_it() {
    let root = format!("{}/../tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    let mut strict = 0;
    let mut dirs = vec![std::path::PathBuf::from(root)];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                // JSON Lines: each line is a document of its own.
                let pieces = std::iter::once(text.as_str()).chain(text.lines());
                strict += pieces.filter(|p| agrees(p).is_some()).count();
            }
        }
    }
    assert!(
        strict > 100,
        "only {strict} strict documents in the fixtures"
    );
}

/// Tokens to build text from, valid or not: escapes of every kind, surrogates, numbers at the
/// grammar's edges, comments, control characters, whitespace.
#[rustfmt::skip]
const TOKENS: &[&str] = &[
    "{", "}", "[", "]", ":", ",", "\"", "\\", " ", "\n", "\r", "\t", "\u{1}", "/*", "*/", "//",
    "\"k\"", "\"\"", "\"a b\"", "0", "-0", "12", "-3.5", "4e2", "1E-2", "01", "1.", "1e", "+1",
    "true", "false", "null", "tru", "\\u0045", "\\ud83d\\ude00", "\\ud83d", "\\ude00", "\\n",
    "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\r", "\\t", "\\x", "\\u00", "é", "\u{2028}", "'",
];

fn jsonish() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..40).prop_map(|t| t.concat())
}

/// Valid JSON of every kind, written by serde_json, compact or pretty.
fn json() -> impl Strategy<Value = String> {
    use serde_json::Value as J;
    let leaf = prop_oneof![
        Just(J::Null),
        any::<bool>().prop_map(J::Bool),
        any::<i64>().prop_map(J::from),
        (-1e6f64..1e6).prop_map(J::from),
        any::<String>().prop_map(J::String),
        "[a-z\"\\\\/\n\t\u{e9}\u{1F600}]{0,12}".prop_map(J::String),
    ];
    let value = leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(J::Array),
            prop::collection::vec((any::<String>(), inner), 0..6)
                .prop_map(|props| J::Object(props.into_iter().collect())),
        ]
    });
    (value, any::<bool>()).prop_map(|(v, pretty)| {
        if pretty {
            serde_json::to_string_pretty(&v).unwrap()
        } else {
            v.to_string()
        }
    })
}

proptest! {
    #[test]
    fn the_reader_agrees_with_jsonc_parser_on_any_text(text in jsonish()) {
        agrees(&text);
    }

    /// And it takes the fast path on all of valid JSON.
    #[test]
    fn valid_json_is_read_on_the_fast_path(text in json()) {
        prop_assert!(agrees(&text).is_some(), "{}", text);
    }
}
