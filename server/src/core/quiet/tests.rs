use super::*;
use crate::core::analyze;
use proptest::prelude::*;

fn quiet(unit: &str) -> bool {
    let fast = QuietProbe::new(&AnalysisConfig::default()).is_quiet(unit);
    assert!(
        !fast || oracle::is_quiet(unit, &AnalysisConfig::default()),
        "the scanner finds {unit:?} quiet, the serde_json walk does not"
    );
    fast
}

/// The oracle: the `serde_json` walk the scanner replaced (every string decoded, every number
/// read), with the same signs. Whatever the scanner finds quiet, it finds quiet too.
mod oracle {
    use super::super::{key_kind, names_base64, string_is_sign, KeyKind};
    use crate::core::body;
    use crate::core::model::AnalysisConfig;
    use crate::core::report;
    use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
    use std::cell::RefCell;
    use std::fmt;

    pub(super) fn is_quiet(unit: &str, config: &AnalysisConfig) -> bool {
        if report::raw_may_report_error(unit.as_bytes()) {
            return false;
        }
        let seen = RefCell::new(Vec::new());
        let mut de = serde_json::Deserializer::from_str(unit);
        let walked = Walk {
            config,
            key: KeyKind::Plain,
            seen: &seen,
        }
        .deserialize(&mut de)
        .and_then(|()| de.end())
        .is_ok();
        // With a string `base64` anywhere, no string (key or value) may decode as base64 to
        // bytes that may report an error.
        let seen = seen.into_inner();
        walked
            && (!seen.iter().any(|s| names_base64(s.as_bytes()))
                || seen.iter().all(|s| {
                    body::decoded_base64(s, config.max_body_size)
                        .is_none_or(|b| !report::raw_may_report_error(&b))
                }))
    }

    #[derive(Clone, Copy)]
    struct Walk<'c> {
        config: &'c AnalysisConfig,
        key: KeyKind,
        /// Every string met, keys too.
        seen: &'c RefCell<Vec<String>>,
    }

    impl Walk<'_> {
        fn failing(&self, code: u64) -> bool {
            (100..1000).contains(&code)
                && u16::try_from(code).is_ok_and(|c| report::is_failing(c, self.config))
        }
    }

    fn sign<E: de::Error>() -> E {
        E::custom("may report")
    }

    impl<'de> DeserializeSeed<'de> for Walk<'_> {
        type Value = ();

        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for Walk<'_> {
        type Value = ();

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any JSON value")
        }

        fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
            Ok(())
        }

        fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
            Ok(())
        }

        fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
            Ok(())
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
            if self.key == KeyKind::Status && self.failing(v) {
                return Err(sign());
            }
            Ok(())
        }

        fn visit_str<E: de::Error>(self, s: &str) -> Result<(), E> {
            self.seen.borrow_mut().push(s.to_string());
            let telling = match self.key {
                KeyKind::Status => {
                    s.len() == 3
                        && s.bytes().all(|b| b.is_ascii_digit())
                        && s.parse().is_ok_and(|c| self.failing(c))
                }
                KeyKind::Record => s.trim_start().starts_with('{'),
                KeyKind::Sign | KeyKind::Plain => false,
            };
            if telling || string_is_sign(s.as_bytes()) {
                return Err(sign());
            }
            Ok(())
        }

        fn visit_unit<E: de::Error>(self) -> Result<(), E> {
            Ok(())
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            while seq.next_element_seed(self)?.is_some() {}
            Ok(())
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            while let Some(key) = map.next_key_seed(Key(self.seen))? {
                if key == KeyKind::Sign {
                    return Err(sign());
                }
                map.next_value_seed(Walk { key, ..self })?;
            }
            Ok(())
        }
    }

    struct Key<'c>(&'c RefCell<Vec<String>>);

    impl<'de> DeserializeSeed<'de> for Key<'_> {
        type Value = KeyKind;

        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<KeyKind, D::Error> {
            d.deserialize_str(self)
        }
    }

    impl<'de> Visitor<'de> for Key<'_> {
        type Value = KeyKind;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a key")
        }

        fn visit_str<E: de::Error>(self, s: &str) -> Result<KeyKind, E> {
            self.0.borrow_mut().push(s.to_string());
            Ok(key_kind(s.as_bytes()))
        }
    }
}

#[test]
fn a_failing_status_under_any_spelling_of_a_status_key_is_a_sign() {
    for unit in [
        r#"{"status": 404}"#,
        r#"{"Status-Code": "503"}"#,
        r#"{"st_atus":404}"#,
        r#"{"response": {"code": 429, "body": "x"}}"#,
        r#"{"http.response.status_code": 500}"#,
        r#"{"httpCode": "404"}"#,
        r#"{"message": "{\"status\":404,\"body\":1}"}"#,
        r#"{"message": "{\n  \"status\":\n  404}"}"#,
        r#"{"message": "{\"status\": \"404\"}"}"#,
        r#"{"st\u0061tus": 404}"#,
        r#"[404, {"status": 502}]"#,
    ] {
        assert!(!quiet(unit), "{unit}");
    }
}

#[test]
fn other_numbers_successes_and_lower_codes_are_quiet() {
    for unit in [
        r#"{"status": 200, "body": {"count": 450, "price": 999, "ids": [404, 500]}}"#,
        r#"{"status": 404.5}"#,
        r#"{"status": -404}"#,
        r#"{"status": 4040}"#,
        r#"{"status": 302, "note": "moved 500 times"}"#,
        r#"{"startedDateTime": "2024-05-01T12:34:56.789Z", "time": 503}"#,
    ] {
        assert!(quiet(unit), "{unit}");
    }
    let mut config = AnalysisConfig {
        minimum_status: 300,
        ..AnalysisConfig::default()
    };
    assert!(!QuietProbe::new(&config).is_quiet(r#"{"status": 302}"#));
    config.minimum_status = 500;
    assert!(QuietProbe::new(&config).is_quiet(r#"{"status": 404}"#));
}

#[test]
fn errors_encoded_bodies_escaped_signs_and_jsonc_are_signs() {
    for unit in [
        r#"{"response": {"status": 0, "_error": "net::ERR_FAILED"}}"#,
        r#"{"requestERROR": {"code": "ECONNREFUSED"}}"#,
        r#"{"E-rr_or": "x"}"#,
        r#"{"_failureText": "x"}"#,
        // `{"errors": []}` and `{"ok": false}`, in base64.
        r#"{"content": {"encoding": "BASE64", "text": "eyJlcnJvcnMiOiBbXX0="}}"#,
        r#"{"content": {"text": "eyJvayI6IGZhbHNlfQ==", "encoding": "base64"}}"#,
        r#"{"content": {"encoding": "base64", "text": "H4sIAAAAAAACA6tWSi0qyi8qVrKKrlbKTS0uTkxPVbJSqlCqja0FAJTD9tccAAAA"}}"#,
        r#"{"base_64_string": "e30="}"#,
        r#"{"stream": {"type": "Buffer", "data": [123]}}"#,
        r#"{"status": 200, "body": {"ok": false}}"#,
        r#"{"status": "\u0034\u0030\u0034"}"#,
        r#"{"name": "Node\u0041piError"}"#,
        r#"{"body": "\ud800"}"#,
        r#"{"status": 200, /* a comment */ "body": 1}"#,
        r#"{"status": 200, "body": 1,}"#,
        r#"{"status": 200"#,
    ] {
        assert!(!quiet(unit), "{unit}");
    }
    // A body in base64 is decoded: `{"ok": true}`, `{}`, and text that is not base64.
    for unit in [
        r#"{"content": {"encoding": "base64", "text": "eyJvayI6IHRydWV9"}}"#,
        r#"{"content": {"encoding": "BASE64", "text": "e30="}}"#,
        r#"{"content": {"encoding": "base64", "text": "not base64 at all"}}"#,
        r#"{"content": {"encoding": "base64", "text": "H4sIAAAAAAACA6tWSkksSVSyijbUMYqtBQCOWJgIDgAAAA=="}}"#,
    ] {
        assert!(quiet(unit), "{unit}");
    }
    // Escapes are read: what they spell decides.
    assert!(quiet(
        r#"{"status": 200, "body": "caf\u00e9 \u003c\/b>", "st\u00e4tus": 404}"#
    ));
}

/// Pieces real logs and hostile ones are made of, for the property below.
fn unit() -> impl Strategy<Value = String> {
    let key = prop::sample::select(vec![
        "status",
        "statusCode",
        "code",
        "count",
        "error",
        "message",
        "body",
        "ok",
        "response",
        "headers",
        "url",
        "st-atus",
        "http",
        "res",
        "requestError",
        "_error",
        "name",
        "success",
        "content",
        "text",
        "encoding",
    ]);
    let leaf = prop_oneof![
        (100u16..1000).prop_map(|n| n.to_string()),
        (100u16..1000).prop_map(|n| format!("\"{n}\"")),
        Just("0".to_string()),
        Just("-1".to_string()),
        Just("false".to_string()),
        Just("\"ECONNREFUSED\"".to_string()),
        Just("\"NodeApiError\"".to_string()),
        Just("\"fine\"".to_string()),
        // Bodies stored in base64, and the word that says so: `{"ok": false}`, `{"ok": true}`,
        // and gzip of `{"errors":[{"message":"x"}]}` and of `{"data":[1,2]}`.
        Just("\"base64\"".to_string()),
        Just("\"eyJvayI6IGZhbHNlfQ==\"".to_string()),
        Just("\"eyJvayI6IHRydWV9\"".to_string()),
        Just("\"H4sIAAAAAAACA6tWSi0qyi8qVrKKrlbKTS0uTkxPVbJSqlCqja0FAJTD9tccAAAA\"".to_string()),
        Just("\"H4sIAAAAAAACA6tWSkksSVSyijbUMYqtBQCOWJgIDgAAAA==\"".to_string()),
        (100u16..1000).prop_map(|n| format!("\"{{\\\"status\\\": {n}, \\\"body\\\": 1}}\"")),
    ];
    let value = leaf.prop_recursive(3, 24, 4, move |inner| {
        prop::collection::vec((key.clone(), inner), 0..4).prop_map(|props| {
            let props: Vec<String> = props
                .into_iter()
                .map(|(k, v)| format!("\"{k}\": {v}"))
                .collect();
            format!("{{{}}}", props.join(", "))
        })
    });
    value.prop_filter("an object", |v| v.starts_with('{'))
}

proptest! {
    /// The one promise: a quiet unit gives nothing when analysed.
    #[test]
    fn a_quiet_unit_gives_no_finding(unit in unit()) {
        if quiet(&unit) {
            let a = analyze(&unit, &AnalysisConfig::default());
            prop_assert!(a.findings.is_empty(), "{unit}: {:?}", a.findings);
            let wrapped = format!("{{\"log\": {{\"entries\": [{unit}]}}}}");
            let a = analyze(&wrapped, &AnalysisConfig::default());
            prop_assert!(a.findings.is_empty(), "{wrapped}: {:?}", a.findings);
        }
    }
}

/// Tokens a scanner can trip on: escapes of every kind, letters spelled by `\u`, surrogates,
/// control characters, numbers at the grammar's edges, comments, whitespace.
#[rustfmt::skip]
const TOKENS: &[&str] = &[
    "{", "}", "[", "]", ":", ",", "\"", "\\", " ", "\n", "\t", "\u{1}", "/*", "*/", "//",
    "\"status\"", "\"code\"", "\"message\"", "\"msg\"", "\"body\"", "\"st\\u0061tus\"",
    "\"er\\u0072or\"", "404", "200", "-404", "0404", "404.0", "4e2", "-0", "1e", "1.",
    "true", "false", "null", "tru", "\"404\"", "\"Error\"", "\\u0045rror", "rror", "Error",
    "\\u0045", "\\ud83d\\ude00", "\\ud83d", "\\ude00", "\\n", "\\\"", "\\\\", "\\/",
    "\\b", "\\f", "\\r", "\\t", "\\x", "\\u00", "Buffer", "b\\u0061se64", "{\\\"", "é",
    "\u{2028}", "'",
];

fn jsonish() -> impl Strategy<Value = String> {
    let token = prop::sample::select(TOKENS);
    prop::collection::vec(token, 0..40).prop_map(|t| t.concat())
}

/// A long string under a plain key whose end may spell `Error` through escapes.
fn long_body() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec![
        "x",
        "\\\"",
        "\\\\",
        "\\n",
        "\\u0045",
        "\\u0072",
        "\\u006f",
        "E",
        "r",
        "o",
        "{",
        "}",
        "\\ud83d\\ude00",
    ]);
    (
        prop::collection::vec(piece, 60..90),
        prop::sample::select(vec!["", "r", "or", "ror", "rror", "Error", "}"]),
    )
        .prop_map(|(body, end)| format!("{{\"text\": \"{}{end}\"}}", body.concat()))
}

proptest! {
    /// Whatever the scanner finds quiet, the serde_json walk finds quiet (`quiet` asserts it).
    #[test]
    fn the_scanner_is_never_quieter_than_the_walk(text in jsonish()) {
        quiet(&text);
    }

    #[test]
    fn long_escaped_strings_are_read_to_their_end(text in long_body()) {
        quiet(&text);
    }

    /// Nor much louder: on units made of real pieces, both give the same verdict.
    #[test]
    fn the_scanner_agrees_with_the_walk_on_real_pieces(unit in unit()) {
        prop_assert_eq!(quiet(&unit), oracle::is_quiet(&unit, &AnalysisConfig::default()), "{}", unit);
    }
}

#[test]
fn nesting_past_the_limit_is_not_quiet() {
    let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    assert!(quiet(&deep(100)));
    assert!(!quiet(&deep(200)));
}

proptest! {
    /// A probe reused from unit to unit (its key memo filled by the earlier ones) gives each
    /// unit the verdict a fresh probe gives.
    #[test]
    fn a_reused_probe_gives_the_verdicts_of_fresh_ones(units in prop::collection::vec(unit(), 1..20)) {
        let config = AnalysisConfig::default();
        let mut reused = QuietProbe::new(&config);
        for unit in &units {
            prop_assert_eq!(reused.is_quiet(unit), QuietProbe::new(&config).is_quiet(unit), "{}", unit);
        }
    }

    /// The memo answers as `key_kind` does, for keys met once or again, colliding or too long.
    #[test]
    fn the_key_memo_answers_as_key_kind(keys in prop::collection::vec("[a-zA-Z_-]{0,40}", 1..200)) {
        let mut memo = KeyMemo::default();
        for key in keys.iter().chain(&keys) {
            prop_assert_eq!(memo.kind(key.as_bytes()), key_kind(key.as_bytes()), "{}", key);
        }
    }
}

proptest! {
    /// Read whole, a unit gets its length and the verdict `is_quiet` gives it, whatever
    /// follows it; cut short, it is not read.
    #[test]
    fn a_unit_read_whole_gets_the_verdict_of_is_quiet(unit in unit(), cut in 0usize..10_000) {
        let mut probe = QuietProbe::new(&AnalysisConfig::default());
        let verdict = probe.is_quiet(&unit);
        let followed = format!("{unit}, {{\"status\": 500}}");
        let read = probe.read_unit(followed.as_bytes()).map(|r| (r.len, r.quiet));
        prop_assert_eq!(read, Some((unit.len(), verdict)), "{}", unit);
        let cut = cut % unit.len();
        prop_assert!(probe.read_unit(&unit.as_bytes()[..cut]).is_none(), "{}", &unit[..cut]);
    }

    #[test]
    fn any_text_read_whole_gets_the_verdict_of_is_quiet(text in jsonish()) {
        let mut probe = QuietProbe::new(&AnalysisConfig::default());
        if let Some(read) = probe.read_unit(text.as_bytes()) {
            // A value ends with an ASCII byte: a character boundary.
            let value = &text[..read.len];
            prop_assert_eq!(read.quiet, probe.is_quiet(value), "{}", value);
        }
    }
}
