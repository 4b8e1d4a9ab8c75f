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
fn unfolds_an_escaped_body_in_place() {
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
            prop::collection::vec(inner.clone(), 0..5).prop_map(|v| format!("[{}]", v.join(","))),
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
