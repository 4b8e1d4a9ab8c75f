use super::*;
use crate::core::analyze;
use proptest::prelude::*;

fn quiet(unit: &str) -> bool {
    QuietProbe::new(&AnalysisConfig::default()).is_quiet(unit)
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
        r#"{"content": {"encoding": "BASE64", "text": "e30="}}"#,
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
