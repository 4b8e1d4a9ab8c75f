use super::*;
use crate::core::model::BodyEncoding;
use crate::core::parse::parse_with;

fn extract_all(text: &str) -> Extracted {
    let mut out = Extracted::default();
    parse_with(text, |v, p| extract(v, p, text, &[], &mut out));
    out
}

/// `$0` marks where each exchange's status value starts; returns the text without markers.
fn check(fixture: &str, expected: &[u16]) -> Extracted {
    let marks: Vec<usize> = fixture.match_indices("$0").map(|(i, _)| i).collect();
    let text = fixture.replace("$0", "");
    let starts: Vec<usize> = marks.iter().enumerate().map(|(n, m)| m - 2 * n).collect();
    let out = extract_all(&text);
    let got: Vec<u16> = out.exchanges.iter().map(|e| e.status).collect();
    assert_eq!(got, expected, "statuses in {text}");
    if !starts.is_empty() {
        let at: Vec<usize> = out.exchanges.iter().map(|e| e.status_span.start).collect();
        assert_eq!(at, starts, "status positions in {text}");
    }
    for e in &out.exchanges {
        let tok = &text[e.status_span.start..e.status_span.end];
        assert_eq!(tok.trim_matches('"'), e.status.to_string());
        assert!(e.span.contains_span(e.status_span));
        assert!(text[e.status_key_span.start..e.status_key_span.end].starts_with('"'));
    }
    out
}

#[test]
fn generic_and_code_rule() {
    check(r#"{"status": $0404, "body": "x"}"#, &[404]);
    check(r#"{"statusCode": $0"503"}"#, &[503]);
    check(r#"{"code": 500, "port": 80}"#, &[]);
    check(r#"{"code": $0500, "body": {}}"#, &[500]);
    check(r#"{"response": {"code": $0404}}"#, &[404]);
    check(r#"{"res": {"code": $0429}}"#, &[429]);
    check(r#"{"status": "failed", "code": 1}"#, &[]);
    check(r#"{"a": {"status": "success"}}"#, &[]);
    // A status in a body is part of the body.
    check(
        r#"[{"status": $0422, "body": {"status": "422", "errors": [{"status": 400}]}}, {"status": $0201, "data": {"code": 500, "body": 1}}]"#,
        &[422, 201],
    );
}

#[test]
fn seed_fixture() {
    let text = include_str!("../../../../tests/fixtures/integration/seed-168379.json");
    let out = check(text, &[200, 400]);
    assert_eq!(out.shape, Some(Shape::Integration));
    assert_eq!(out.runs.len(), 1);
    assert_eq!(out.runs[0].name, "run_9f1c2e7a");
    let ex = &out.exchanges[1];
    assert_eq!(ex.name.as_deref(), Some("Add member to Mailchimp audience"));
    assert_eq!(ex.run, Some(0));
    assert_eq!(ex.request.method.as_deref(), Some("POST"));
    let body = ex
        .body
        .as_ref()
        .map(|b| (b.encoding, &text[b.span.start..b.span.start + 10]));
    assert_eq!(body, Some((BodyEncoding::String, "\"{\\\"type\\\"")));
    assert_eq!(
        ex.body.as_ref().and_then(|b| b.mime_type.as_deref()),
        Some("application/problem+json; charset=utf-8")
    );
    assert!(ex.response_span.is_some());
    assert!(ex.request.span.is_some());
    assert_eq!(
        &text[ex.status_key_span.start..ex.status_key_span.end],
        "\"network_code\""
    );
}

#[test]
fn formats() {
    let har = r#"{"log": {"pages": [{"id": "p1", "title": "Shop"}], "entries": [
      {"pageref": "p1", "request": {"method": "GET", "url": "https://x.example/a/b?token=1", "headers": [{"name": "Authorization", "value": "Bearer abc"}]},
       "response": {"status": $0404, "statusText": "Not Found", "headers": [{"name": "Content-Type", "value": "application/json"}],
         "content": {"size": 10, "mimeType": "application/json", "text": "eyJ9", "encoding": "base64"}}}]}}"#;
    let out = check(har, &[404]);
    let ex = &out.exchanges[0];
    assert_eq!(ex.name.as_deref(), Some("/a/b"));
    assert_eq!(ex.run, Some(0));
    assert_eq!(out.runs[0].name, "Shop");
    assert_eq!(ex.status_text.as_deref(), Some("Not Found"));
    assert_eq!(
        ex.body.as_ref().map(|b| b.encoding),
        Some(BodyEncoding::Base64)
    );
    assert_eq!(
        ex.body.as_ref().and_then(|b| b.mime_type.as_deref()),
        Some("application/json")
    );
    assert_eq!(out.shape, Some(Shape::Har));

    let newman = r#"{"collection": {"info": {"name": "Coll"}, "item": [{"response": [{"code": 404, "body": "example"}]}]},
      "run": {"executions": [{"item": {"name": "Add member"}, "request": {"method": "POST",
        "url": {"protocol": "https", "host": ["api", "example", "com"], "path": ["v1", "m"], "query": [{"key": "a", "value": "1"}]}},
        "response": {"status": "Bad Request", "code": $0400, "header": [{"key": "Content-Type", "value": "application/json"}],
          "stream": {"type": "Buffer", "data": [123, 125]}}}]}}"#;
    let out = check(newman, &[400]);
    let ex = &out.exchanges[0];
    assert_eq!(ex.name.as_deref(), Some("Add member"));
    assert_eq!(ex.status_text.as_deref(), Some("Bad Request"));
    assert_eq!(
        ex.request.url.as_deref(),
        Some("https://api.example.com/v1/m?a=1")
    );
    let plain = newman.replace("$0", "");
    let b = ex
        .body
        .as_ref()
        .map(|b| (b.encoding, &plain[b.span.start..b.span.end]));
    assert_eq!(b, Some((BodyEncoding::ByteArray, "[123, 125]")));
    assert_eq!(out.runs[0].name, "Coll");
    assert_eq!(ex.run, Some(0));

    let ecs = "{\"http\":{\"request\":{\"method\":\"PUT\"},\"response\":{\"status_code\":$0409}},\"url\":{\"path\":\"/v1/o\"},\"error\":{\"message\":\"m\"}}\n{\"http.response.status_code\":$0404,\"url.path\":\"/x\"}";
    let out = check(ecs, &[409, 404]);
    assert_eq!(out.exchanges[0].request.method.as_deref(), Some("PUT"));
    assert_eq!(out.exchanges[0].request.url.as_deref(), Some("/v1/o"));
    assert!(out.exchanges[0].body.is_some());
    assert_eq!(out.exchanges[1].name.as_deref(), Some("/x"));

    let nginx = r#"{"request":"GET /api?page=2 HTTP/2.0","status":$0"404"}"#;
    let out = check(nginx, &[404]);
    assert_eq!(out.exchanges[0].request.method.as_deref(), Some("GET"));
    assert_eq!(out.exchanges[0].body, None);
}

#[test]
fn negatives_have_no_exchanges() {
    for text in [
        include_str!("../../../../tests/fixtures/negative/composer.json"),
        include_str!("../../../../tests/fixtures/negative/json-schema.json"),
        include_str!("../../../../tests/fixtures/negative/openapi-3.1.json"),
        include_str!("../../../../tests/fixtures/negative/openapi-problem-examples.json"),
        include_str!("../../../../tests/fixtures/negative/package-lock.json"),
        include_str!("../../../../tests/fixtures/negative/package.json"),
        include_str!("../../../../tests/fixtures/negative/stores.geojson"),
        include_str!("../../../../tests/fixtures/negative/tsconfig.json"),
        include_str!("../../../../tests/fixtures/negative/vscode-settings.json"),
    ] {
        assert_eq!(extract_all(text).exchanges.len(), 0, "{text}");
    }
}

#[test]
fn cassettes() {
    // vcrpy: `interactions[]`, the status an object, the body under `body.string`.
    let out = check(
        r#"{"interactions": [{"request": {"method": "DELETE", "uri": "http://h/v1/p"},
            "response": {"status": {"code": $0403, "message": "Forbidden"},
            "headers": {"Content-Type": ["application/json"]},
            "body": {"string": "{\"error\": \"no\"}"}}}], "version": 1}"#,
        &[403],
    );
    assert_eq!(out.shape, Some(Shape::Cassette));
    let ex = &out.exchanges[0];
    assert_eq!(ex.status_text.as_deref(), Some("Forbidden"));
    assert_eq!(ex.request.method.as_deref(), Some("DELETE"));
    let body = ex.body.as_ref().expect("a body");
    assert_eq!(body.encoding, BodyEncoding::String);
    assert_eq!(body.mime_type.as_deref(), Some("application/json"));
    // Betamax: `http_interactions[]`, every body base64 with a charset `encoding`.
    let out = check(
        r#"{"http_interactions": [{"request": {"uri": "http://h/"}, "response": {
            "body": {"encoding": "utf-8", "base64_string": "eyJhIjogMX0="},
            "status": {"code": $0"503", "message": "Service Unavailable"}}}]}"#,
        &[503],
    );
    assert_eq!(out.shape, Some(Shape::Cassette));
    let body = out.exchanges[0].body.as_ref().expect("a body");
    assert_eq!(body.encoding, BodyEncoding::Base64);
    // A status object with other keys, or outside a response, is no status.
    check(
        r#"{"interactions": [{"response": {"status": {"code": 403, "type": "x"}}}]}"#,
        &[],
    );
    check(r#"{"status": {"code": 403, "message": "Forbidden"}}"#, &[]);
}

#[test]
fn ecs_flattened_body() {
    let text = r#"{"http.response.status_code": 503, "http.response.body.bytes": 9, "http.response.body.content": "down"}"#;
    let out = check(&text.replace(": 503", ": $0503"), &[503]);
    let body = out.exchanges[0].body.as_ref().expect("a body");
    assert_eq!(body.encoding, BodyEncoding::String);
    assert_eq!(&text[body.span.start..body.span.end], "\"down\"");
}

/// A call logged in a string field whose escapes decode to other lengths than JSON's (a
/// backslash before a multi-byte character, `\x41`, a line continuation): its status is still
/// placed on its digits. A backslash before `é` once made the mapping index inside the
/// character and panic (found by the `analyze_bytes` fuzz target).
#[test]
fn escapes_of_every_length_before_an_embedded_status() {
    for text in [
        r#"{"message": "{\"url\": \"caf\é\", \"status\": 404}"}"#,
        r#"{"message": "{\"url\": \"\x41\", \"status\": 404}"}"#,
        "{\"message\": \"{\\\"url\\\": \\\"a\\\nb\\\", \\\"status\\\": 404}\"}",
        r#"{"message": "{\"url\": \"\ud83d\ude00\", \"status\": 404}"}"#,
    ] {
        let a = crate::core::analyze(text, &crate::core::AnalysisConfig::default());
        let f = a.findings.first().unwrap_or_else(|| panic!("{text}"));
        assert_eq!(&text[f.span.start..f.span.end], "404", "{text}");
    }
}
