use super::*;
use serde_json::json;
use std::sync::Arc;

fn ex(v: Value) -> Explanation {
    explain(&DecodedBody::Json(v)).expect("an explanation")
}

#[test]
fn problem_details_quote_title_and_detail() {
    let e = ex(json!({
        "type": "https://mailchimp.com/developer/marketing/docs/errors/",
        "title": "Member Exists", "status": 400,
        "detail": "lena.fischer@example.com is already a list member. Use PUT to insert or update list members.",
        "instance": "2f6b7a1e"
    }));
    assert_eq!(
        e.summary,
        "Member Exists: lena.fischer@example.com is already a list member. Use PUT to insert or update list members."
    );
    assert!(e.fields.is_empty());
}

#[test]
fn generic_words_give_way_to_messages() {
    let e = ex(
        json!({"timestamp": "2024-01-01T00:00:00Z", "status": 400, "error": "Bad Request",
        "message": "Required request parameter 'id' for method parameter type Long is not present", "path": "/api/items"}),
    );
    assert_eq!(
        e.summary,
        "Required request parameter 'id' for method parameter type Long is not present"
    );
    // Nothing but the reason phrase: no explanation (the status line says it already).
    assert_eq!(
        explain(&DecodedBody::Json(
            json!({"timestamp": "x", "status": 500, "error": "Internal Server Error", "message": "No message available", "path": "/x"})
        )),
        None
    );
}

#[test]
fn long_messages_are_cut_at_a_word_with_the_rest_in_detail() {
    let long = "word ".repeat(100);
    let e = ex(json!({"message": long}));
    assert!(
        e.summary.chars().count() <= MAX_SUMMARY_CHARS,
        "{}",
        e.summary.len()
    );
    assert!(e.summary.ends_with("word…"), "{}", e.summary);
    assert!(e.detail.as_deref().is_some_and(|d| d.len() > 400));
    // No whitespace at all, multi-byte chars: still cut on a char boundary.
    let e = ex(json!({"message": "é".repeat(500)}));
    assert_eq!(e.summary.chars().count(), MAX_SUMMARY_CHARS);
}

#[test]
fn quoted_secrets_are_redacted() {
    let e = ex(
        json!({"message": "Invalid header Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig"}),
    );
    assert!(!e.summary.contains("eyJhbGci"), "{}", e.summary);
    assert!(
        e.summary.contains(crate::core::redact::REDACTED),
        "{}",
        e.summary
    );
}

#[test]
fn data_is_not_an_error() {
    let customer =
        json!({"customer": {"id": 1, "description": "VIP since 2019", "email": "a@b.c"}});
    assert_eq!(explain(&DecodedBody::Json(customer)), None);
    let wrapped = json!({"response": {"error": "quota_exceeded"}, "id": 7});
    assert_eq!(ex(wrapped).summary, "quota_exceeded");
}

#[test]
fn field_lists() {
    let e =
        ex(json!({"email": ["Enter a valid email address."], "name": ["This field is required."]}));
    assert_eq!(e.fields, ["email", "name"]);
    assert_eq!(
        e.summary,
        "email: Enter a valid email address.; name: This field is required."
    );
    let d = e.detail.expect("detail lists each field");
    assert!(d.contains("email: Enter a valid email address."), "{d}");
    let e = ex(json!({"errors": {"email": ["has already been taken"]}}));
    assert_eq!(e.summary, "email has already been taken");
    assert_eq!(e.fields, ["email"]);
}

#[test]
fn reported_errors_in_successful_calls() {
    let body = |v| DecodedBody::Json(v);
    assert_eq!(
        reported_error(&body(json!({"ok": false, "error": "channel_not_found"})))
            .map(|e| e.summary),
        Some("channel_not_found".into())
    );
    let gql = json!({"data": {"user": null}, "errors": [{"message": "Not authorised", "path": ["user"]}]});
    assert_eq!(
        reported_error(&body(gql)).map(|e| e.summary),
        Some("Not authorised (at user)".into())
    );
    assert_eq!(
        reported_error(&body(json!({"success": false}))).map(|e| e.summary),
        Some("The body says \"success\": false.".into())
    );
    assert!(reported_error(&body(
        json!({"status": "error", "message": "Quota exceeded"})
    ))
    .is_some());
    assert!(reported_error(&body(json!({"ok": true, "errors": []}))).is_none());
    assert!(reported_error(&body(json!({"status": "active"}))).is_none());
    assert!(reported_error(&DecodedBody::Text("error".into())).is_none());
}

#[test]
fn a_page_whose_text_differs_from_its_title_inside_a_character_does_not_panic() {
    // Found by the re-analysis property test: the title's length fell inside the emoji.
    let e = explain(&DecodedBody::Html {
        title: Some("502 Bad Gateway".into()),
        text: "502 Bad G4:4😀}ateway nginx/1.24.0".into(),
    });
    assert!(e.is_none_or(|e| !e.summary.is_empty()));
}

/// The cheap path agrees with decoding the body and asking [`reported_error`].
#[test]
fn text_html_xml() {
    let e = explain(&DecodedBody::Text(
        "upstream connect error\nreset reason: overflow".into(),
    ))
    .unwrap();
    assert_eq!(e.summary, "upstream connect error");
    assert!(e.detail.unwrap().contains("overflow"));
    // A page that only repeats the status line (and signs it) says nothing more.
    let e = explain(&DecodedBody::Html {
        title: Some("502 Bad Gateway".into()),
        text: "502 Bad Gateway nginx".into(),
    });
    assert_eq!(e, None);
    let e = explain(&DecodedBody::Xml(
        "<?xml version=\"1.0\"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>".into(),
    ))
    .unwrap();
    assert_eq!(e.summary, "NoSuchKey: The specified key does not exist.");
    assert_eq!(explain(&DecodedBody::Empty), None);
    assert_eq!(explain(&DecodedBody::Binary { len: 4 }), None);
    assert_eq!(
        explain(&DecodedBody::Json(json!({"id": 1, "items": []}))),
        None
    );
}

#[test]
fn hostile_bodies_are_bounded() {
    // Deeply nested field errors and wrappers stop at their depth limits.
    let mut v = json!({"email": ["bad"]});
    for _ in 0..100 {
        v = json!({ "errors": v });
    }
    let _ = explain(&DecodedBody::Json(v));
    let many: Vec<Value> = (0..10_000)
        .map(|i| json!({"message": format!("m{i}"), "field": format!("f{i}")}))
        .collect();
    let e = ex(json!({ "errors": many }));
    assert!(e.fields.len() <= MAX_FIELDS);
    assert!(e.detail.unwrap().chars().count() <= MAX_DETAIL_CHARS + 1);
}

fn fixture_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/bodies")
}

/// The body files of `tests/fixtures/bodies`, sorted.
fn body_fixtures() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixture_dir())
        .expect("fixture dir")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| !n.ends_with(".tsv") && !n.ends_with(".md"))
        .collect();
    names.sort();
    names
}

fn decode_fixture(name: &str) -> DecodedBody {
    let text = std::fs::read_to_string(fixture_dir().join(name)).expect("fixture readable");
    let mime = match name.rsplit('.').next() {
        Some("json") => "application/json",
        Some("html") => "text/html",
        Some("xml") => "application/xml",
        _ => "text/plain",
    };
    crate::core::body::classify_text(&text, Some(mime))
}

/// However the log stores a body (inline, escaped once or twice, base64, bytes), the
/// explanation is the same.
#[test]
fn every_storage_gives_the_same_explanation() {
    use crate::core::body::decode;
    use crate::core::model::{BodyEncoding, BodyRef, Span};
    use base64::Engine as _;
    for name in body_fixtures() {
        let name = name.as_str();
        let raw = std::fs::read_to_string(fixture_dir().join(name)).expect("fixture");
        let want = explain(&decode_fixture(name));
        let once = serde_json::to_string(&raw).unwrap();
        let twice = serde_json::to_string(&once).unwrap();
        let b64 =
            serde_json::to_string(&base64::engine::general_purpose::STANDARD.encode(&raw)).unwrap();
        let bytes = serde_json::to_string(raw.as_bytes()).unwrap();
        let mime = match name.rsplit('.').next() {
            Some("html") => Some("text/html".to_string()),
            _ => None,
        };
        let mut stored = vec![
            (once, BodyEncoding::String),
            (twice, BodyEncoding::String),
            (b64, BodyEncoding::Base64),
            (bytes, BodyEncoding::ByteArray),
        ];
        if name.ends_with(".json") {
            stored.push((raw.clone(), BodyEncoding::Inline));
        }
        for (text, encoding) in stored {
            let r = BodyRef {
                span: Span::new(0, text.len()),
                encoding,
                mime_type: mime.as_deref().map(Arc::from),
            };
            assert_eq!(
                explain(&decode(&text, &r)),
                want,
                "{name} stored as {encoding:?}"
            );
        }
    }
}

fn any_json() -> impl proptest::strategy::Strategy<Value = Value> {
    use proptest::prelude::*;
    let key = prop::sample::select(vec![
        "error",
        "errors",
        "message",
        "detail",
        "title",
        "type",
        "status",
        "code",
        "field",
        "fields",
        "details",
        "_errors",
        "error_description",
        "errorSummary",
        "errorCauses",
        "errorMessages",
        "ok",
        "success",
        "path",
        "name",
        "source",
        "pointer",
        "loc",
        "msg",
        "innerError",
        "fault",
        "faultstring",
        "__type",
        "Message",
        "x",
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "\\PC{0,30}".prop_map(Value::String),
        Just(Value::String("x: [{\"message\": \"inner\"}]".into())),
        Just(Value::String("Bad Request".into())),
    ];
    leaf.prop_recursive(6, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..6).prop_map(|kv| {
                Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }),
        ]
    })
}

proptest::proptest! {
    #[test]
    fn any_body_gives_a_bounded_explanation_or_none(v in any_json()) {
        let body = DecodedBody::Json(v);
        for e in [explain(&body), reported_error(&body)].into_iter().flatten() {
            proptest::prop_assert!(!e.summary.is_empty());
            proptest::prop_assert!(e.summary.chars().count() <= MAX_SUMMARY_CHARS);
            proptest::prop_assert!(!e.summary.chars().any(char::is_control));
            proptest::prop_assert!(e.fields.len() <= MAX_FIELDS);
        }
    }

    #[test]
    fn any_text_gives_a_bounded_explanation(s in "\\PC{0,300}") {
        for body in [
            DecodedBody::Text(s.clone()),
            DecodedBody::Xml(s.clone()),
            DecodedBody::Html { title: Some(s.clone()), text: s.clone() },
            crate::core::body::classify_text(&s, None),
        ] {
            if let Some(e) = explain(&body) {
                proptest::prop_assert!(e.summary.chars().count() <= MAX_SUMMARY_CHARS);
            }
        }
    }
}

/// One row of `tests/fixtures/bodies/expected.tsv`: a fixture, its status, the class of miss it
/// stands for, and the words its summary must quote (none: no explanation).
struct Truth {
    source: String,
    status: u16,
    class: String,
    words: Option<Vec<String>>,
}

fn ground_truth() -> Vec<Truth> {
    let text = std::fs::read_to_string(fixture_dir().join("expected.tsv")).expect("expected.tsv");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert!(cols.len() >= 4, "expected.tsv: {l:?}");
            Truth {
                source: cols[0].to_string(),
                status: cols[1].parse().expect("a status"),
                class: cols[2].to_string(),
                words: (cols[3] != "-").then(|| cols[3..].iter().map(|w| w.to_string()).collect()),
            }
        })
        .collect()
}

/// The explanation of a ground-truth row: a body in `bodies/`, or the N-th reported call of a
/// log under `tests/fixtures` (`integration/multi-run.json#2`), with its status.
fn explanation_of(source: &str) -> (u16, Option<Explanation>) {
    use crate::core::report::CallReport;
    let Some((path, n)) = source.split_once('#') else {
        return (0, explain(&decode_fixture(source)));
    };
    let text =
        std::fs::read_to_string(fixture_dir().join("..").join(path)).expect("log fixture readable");
    let config = crate::core::AnalysisConfig::default();
    let analysis = crate::core::analyze(&text, &config);
    let n: usize = n.parse().expect("a call number");
    let report = analysis
        .exchanges
        .iter()
        .map(|e| CallReport::new(&text, e, &config))
        .filter(|r| r.failing || r.explanation.is_some())
        .nth(n)
        .unwrap_or_else(|| panic!("{source}: no such call"));
    (report.status.unwrap_or(0), report.explanation)
}

/// Whether `summary` quotes every expected word (not inside JSON shown as it is) and does not
/// repeat the status line.
fn quotes(summary: &str, status: u16, words: &[String]) -> Result<(), String> {
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let summary_n = norm(summary);
    if summary.chars().count() > MAX_SUMMARY_CHARS {
        return Err("longer than MAX_SUMMARY_CHARS".into());
    }
    // A body's JSON shown as it is holds its words without saying them.
    if ["{\"", "[{", "[\""]
        .iter()
        .any(|j| summary_n.starts_with(j))
    {
        return Err("shows the JSON instead of what it says".into());
    }
    for w in words {
        if !summary_n.contains(&norm(w)) {
            return Err(format!("does not quote {w:?}"));
        }
    }
    let reason = crate::core::status::lookup(status, &Default::default()).reason;
    let reason = reason.split(" (").next().unwrap_or(&reason).to_lowercase();
    let lower = summary_n.to_lowercase();
    if lower.contains(&format!("{status} {reason}")) || lower.trim_end_matches(['.', '!']) == reason
    {
        return Err("repeats the status line".into());
    }
    Ok(())
}

/// The explanation quality measure: every fixture with a failing call, against the words a user
/// reading the body would want quoted (`tests/fixtures/bodies/expected.tsv`). Prints the share
/// per class (`cargo test -p runlog-lsp --lib explanation_quality -- --nocapture`).
#[test]
fn explanation_quality() {
    use std::collections::BTreeMap;
    let rows = ground_truth();
    // Every body in the folder has its row.
    for name in body_fixtures() {
        assert!(
            rows.iter().any(|r| r.source == name),
            "{name} has no row in expected.tsv"
        );
    }
    let mut classes: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut misses = Vec::new();
    for row in &rows {
        let (status, e) = explanation_of(&row.source);
        if status != 0 {
            assert_eq!(status, row.status, "{}: the call's status", row.source);
        }
        let verdict = match (&row.words, &e) {
            (None, None) => Ok(()),
            (None, Some(e)) => Err(format!("should say nothing, says {:?}", e.summary)),
            (Some(_), None) => Err("no explanation".to_string()),
            (Some(words), Some(e)) => quotes(&e.summary, row.status, words)
                .map_err(|why| format!("{why}: {:?}", e.summary)),
        };
        let entry = classes.entry(row.class.clone()).or_default();
        entry.0 += 1;
        match verdict {
            Ok(()) => entry.1 += 1,
            Err(why) => misses.push(format!("{} [{}]: {why}", row.source, row.class)),
        }
    }
    let (total, quoted) = classes
        .values()
        .fold((0, 0), |(t, q), (ct, cq)| (t + ct, q + cq));
    let mut table = String::from("| class | rows | quoted | share |\n|---|---|---|---|\n");
    for (class, (t, q)) in classes
        .iter()
        .chain([(&"all".to_string(), &(total, quoted))])
    {
        table.push_str(&format!(
            "| {class} | {t} | {q} | {:.1}% |\n",
            100.0 * *q as f64 / *t as f64
        ));
    }
    println!("{table}");
    for m in &misses {
        println!("miss: {m}");
    }
    assert!(
        misses.is_empty(),
        "{} misses:\n{}",
        misses.len(),
        misses.join("\n")
    );
}

/// Every body in `tests/fixtures/bodies`: its summary, detail and fields, as snapshots
/// (`server/src/core/explain/snapshots/`), so a change of the rule shows body by body.
#[test]
fn body_snapshots() {
    insta::glob!(
        "../../../../tests/fixtures/bodies",
        "*.{json,html,xml,txt}",
        |path| {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .expect("a file name");
            let text = match explain(&decode_fixture(name)) {
                None => "(no explanation)".to_string(),
                Some(e) => {
                    let mut s = format!("summary: {}\n", e.summary);
                    if !e.fields.is_empty() {
                        s.push_str(&format!("fields: {}\n", e.fields.join(", ")));
                    }
                    if let Some(d) = e.detail {
                        s.push_str("detail:\n");
                        for line in d.lines() {
                            s.push_str(&format!("  {line}\n"));
                        }
                    }
                    s
                }
            };
            insta::assert_snapshot!(text);
        }
    );
}

#[test]
fn a_status_line_is_dropped_but_not_a_number_that_starts_a_sentence() {
    let said = |s: &str| explain(&DecodedBody::Text(s.into())).map(|e| e.summary);
    assert_eq!(
        said("502 Bad Gateway: upstream closed"),
        Some("upstream closed".into())
    );
    assert_eq!(
        said("100% sure it failed"),
        Some("100% sure it failed".into())
    );
    assert_eq!(said("404: no route"), Some("no route".into()));
    assert_eq!(said("HTTP/1.1 503 Service Unavailable"), None);
}

#[test]
fn a_json_body_cut_short_is_read_up_to_the_cut() {
    let said = |s: &str| explain(&DecodedBody::Text(s.into())).map(|e| e.summary);
    // Braces, commas and escaped quotes inside strings are not structure.
    assert_eq!(
        said(
            r#"{"error": {"message": "Field \"a,b}\" is unknown", "details": [{"reason": "cut her"#
        ),
        Some("Field \"a,b}\" is unknown".into())
    );
    // A whole value with text after it is not a value cut short.
    assert_eq!(
        said(r#"{"message": "ok"} then the server said: disk quota exceeded"#),
        Some(r#"{"message": "ok"} then the server said: disk quota exceeded"#.into())
    );
}

#[test]
fn a_traceback_gives_its_exception_line_not_its_header() {
    let said = |s: &str| explain(&DecodedBody::Text(s.into())).map(|e| e.summary);
    // The exception line follows a frame's indented lines; a note after it is not one.
    assert_eq!(
        said("Traceback (most recent call last):\n  File \"/app/a.py\", line 3, in f\n    g()\nValueError: bad amount\nDETAIL: not the exception\n"),
        Some("ValueError: bad amount".into())
    );
    assert_eq!(
        said("Traceback (most recent call last):\n  File \"/app/a.py\", line 3, in f\n    raise Timeout()\nTimeout\n"),
        Some("Timeout".into())
    );
    // Only the header: nothing to quote.
    assert_eq!(said("Traceback (most recent call last):\n"), None);
}
