//! The payload view: request and response of one exchange as one readable document, the body
//! decoded and pretty-printed, secrets redacted (what the debugging guide's "View Payload" shows).

use super::body::{self, DecodedBody};
use super::explain;
use super::model::{Analysis, AnalysisConfig, BodyRef, Exchange, Header};
use super::report::{report_for, CallReport, Redactor};
use super::visible;
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PayloadView {
    /// e.g. "Payload: POST https://api.example.com/lists/members → 400".
    pub title: String,
    /// Language id of `content` ("json").
    pub language: String,
    pub content: String,
}

/// The payload view of `analysis.exchanges[exchange]` in `text`.
pub fn payload(
    text: &str,
    analysis: &Analysis,
    exchange: usize,
    config: &AnalysisConfig,
) -> Option<PayloadView> {
    let ex = analysis.exchanges.get(exchange)?;
    let report = report_for(analysis, text, exchange, config)?;
    let redactor = &report.redactor;
    let reason = reason_of(ex, &report);
    let url = report.url.as_deref();

    let mut call = Map::new();
    if let Some(name) = &report.name {
        call.insert("name".into(), Value::String(name.clone()));
    }
    if let Some(run) = ex.run.and_then(|r| analysis.runs.get(r)) {
        call.insert("run".into(), Value::String(redactor.text(&run.name)));
    }
    call.insert("status".into(), Value::from(report.status));
    call.insert("reason".into(), Value::String(reason.clone()));
    if let Some(st) = &ex.status_text {
        call.insert("statusText".into(), Value::String(redactor.text(st)));
    }
    if let Some(format) = analysis.format {
        call.insert("format".into(), Value::String(format.label().to_string()));
    }

    let mut request = Map::new();
    if let Some(m) = &report.method {
        request.insert("method".into(), Value::String(m.clone()));
    }
    if let Some(u) = url {
        request.insert("url".into(), Value::String(u.to_string()));
    }
    if !ex.request.headers.is_empty() {
        request.insert(
            "headers".into(),
            headers_object(&ex.request.headers, redactor),
        );
    }
    if let Some(b) = &ex.request.body {
        request.insert("body".into(), body_value(text, b, config, redactor));
    }

    let mut response = Map::new();
    response.insert("status".into(), Value::from(report.status));
    if let Some(st) = &ex.status_text {
        response.insert("statusText".into(), Value::String(redactor.text(st)));
    }
    if !ex.response_headers.is_empty() {
        response.insert(
            "headers".into(),
            headers_object(&ex.response_headers, redactor),
        );
    }
    if let Some(b) = &ex.body {
        if let Some(mime) = &b.mime_type {
            response.insert("mimeType".into(), Value::String(redactor.text(mime)));
        }
        let decoded = body::decode_limited(text, b, config.max_body_size).0;
        // How the log stored the body and what it turned out to be: "string" → "json" is the
        // escaped JSON integration run logs hold.
        response.insert(
            "bodyStoredAs".into(),
            Value::String(body::storage_label(b.encoding).into()),
        );
        response.insert("bodyFormat".into(), Value::String(decoded.kind().into()));
        response.insert("body".into(), decoded_value(&decoded, redactor));
    }

    let mut doc = Map::new();
    doc.insert("call".into(), Value::Object(call));
    if !request.is_empty() {
        doc.insert("request".into(), Value::Object(request));
    }
    match &report.no_response {
        // No response section: the call never got one.
        Some(n) => {
            doc.insert("response".into(), Value::String("no response".into()));
            let mut error = Map::new();
            if let Some(code) = &n.error.code {
                error.insert("code".into(), Value::String(code.clone()));
            }
            error.insert("message".into(), Value::String(n.producer_text.clone()));
            error.insert("meaning".into(), Value::String(n.error.what.clone()));
            error.insert("checkNext".into(), Value::String(n.error.next.clone()));
            doc.insert("error".into(), Value::Object(error));
        }
        None => {
            doc.insert("response".into(), Value::Object(response));
        }
    }
    if let Some(e) = &report.explanation {
        doc.insert("explanation".into(), explanation_value(e));
    }

    let target = match (&report.method, url) {
        (Some(m), Some(u)) => format!("{m} {u}"),
        (None, Some(u)) => u.to_string(),
        (Some(m), None) => report
            .name
            .as_ref()
            .map_or_else(|| m.clone(), |n| format!("{m} {n}")),
        (None, None) => report.name.clone().unwrap_or_else(|| "call".to_string()),
    };
    let outcome = match (&report.no_response, report.status) {
        (Some(n), _) => match &n.error.code {
            Some(code) => format!("no response ({})", one_line(code)),
            None => "no response".to_string(),
        },
        (None, Some(code)) => format!("{code} {}", one_line(&reason)),
        (None, None) => one_line(&reason),
    };
    let title = format!("Payload: {} → {outcome}", one_line(&target));
    // Log text stays as it is in the JSON, but nothing in it is invisible.
    let content = visible::escape_in_json(&serde_json::to_string_pretty(&Value::Object(doc)).ok()?);
    Some(PayloadView {
        title,
        language: "json".to_string(),
        content,
    })
}

/// The log's own status text when it has one, else the catalogue's reason phrase.
fn reason_of(ex: &Exchange, report: &CallReport) -> String {
    match ex.status_text.as_deref().map(str::trim) {
        Some(t) if !t.is_empty() && !t.bytes().all(|b| b.is_ascii_digit()) => {
            report.redactor.text(t)
        }
        _ => report.info.reason.clone(),
    }
}

/// Titles are one line; a URL with a newline in it (hostile log) must not break that.
/// Plain text on one line: escape sequences and invisible characters removed, other controls
/// (line breaks, tabs) as spaces, shortened.
fn one_line(s: &str) -> String {
    let s: String = visible::strip(s)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    explain::shorten(&s, 300)
}

/// Headers as an object in log order; a repeated header (Set-Cookie) becomes an array.
fn headers_object(headers: &[Header], redactor: &Redactor) -> Value {
    let mut map = Map::new();
    for h in headers {
        let value = Value::String(redactor.header_value(&h.name, &h.value));
        match map.get_mut(&h.name) {
            Some(Value::Array(values)) => values.push(value),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, value]);
            }
            None => {
                map.insert(h.name.clone(), value);
            }
        }
    }
    Value::Object(map)
}

fn body_value(text: &str, b: &BodyRef, config: &AnalysisConfig, redactor: &Redactor) -> Value {
    let decoded = body::decode_limited(text, b, config.max_body_size).0;
    decoded_value(&decoded, redactor)
}

/// JSON as JSON, text as a string, HTML as `{"title", "text"}`; secrets redacted.
fn decoded_value(d: &DecodedBody, redactor: &Redactor) -> Value {
    match d {
        DecodedBody::Empty => Value::String(String::new()),
        DecodedBody::Json(v) => {
            let mut v = v.clone();
            redactor.json(&mut v);
            v
        }
        DecodedBody::Text(t) | DecodedBody::Xml(t) => Value::String(redactor.text(t)),
        DecodedBody::Html { title, text } => {
            let mut m = Map::new();
            if let Some(t) = title {
                m.insert("title".into(), Value::String(redactor.text(t)));
            }
            m.insert("text".into(), Value::String(redactor.text(text)));
            Value::Object(m)
        }
        DecodedBody::Binary { .. } => Value::String(body::pretty(d)),
    }
}

/// The report's explanation (already redacted) as an object.
fn explanation_value(e: &explain::Explanation) -> Value {
    let mut m = Map::new();
    m.insert("summary".into(), Value::String(e.summary.clone()));
    if let Some(d) = &e.detail {
        m.insert("detail".into(), Value::String(d.clone()));
    }
    if !e.fields.is_empty() {
        m.insert(
            "fields".into(),
            Value::Array(e.fields.iter().cloned().map(Value::String).collect()),
        );
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::{BodyEncoding, RequestInfo, Span};
    use std::sync::Arc;

    fn seed() -> String {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures/integration/seed-168379.json");
        std::fs::read_to_string(path).expect("seed fixture")
    }

    /// The payload view of the seed's first call with `status`.
    fn seed_view(status: u16) -> PayloadView {
        let text = seed();
        let config = AnalysisConfig::default();
        let analysis = crate::core::analyze(&text, &config);
        let index = analysis
            .exchanges
            .iter()
            .position(|e| e.status == status)
            .expect("the seed has a call with this status");
        payload(&text, &analysis, index, &config).expect("a payload view")
    }

    /// Its title and content are in the fixture snapshots (`crate::fixture_snapshots`).
    #[test]
    fn seed_step_two_is_json_without_secrets_in_the_bodys_key_order() {
        let view = seed_view(400);
        assert_eq!(view.language, "json");
        let doc: Value = serde_json::from_str(&view.content).expect("content is JSON");
        assert!(!view.content.contains("YW55c3RyaW5n"), "{}", view.content);
        assert!(view.content.contains(crate::core::redact::REDACTED));
        // Key order of the decoded body is the body's own.
        let keys: Vec<&String> = doc["response"]["body"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(keys, ["type", "title", "status", "detail", "instance"]);
    }

    #[test]
    fn seed_step_one_hides_the_shopify_token() {
        let view = seed_view(200);
        assert!(!view.content.contains("shpat_"), "{}", view.content);
        assert!(!view.content.contains("explanation"));
        let doc: Value = serde_json::from_str(&view.content).unwrap();
        assert_eq!(doc["response"]["body"]["customer"]["id"], 7310251991321u64);
    }

    fn synthetic(
        text: &str,
        body: &str,
        encoding: BodyEncoding,
        mime: Option<&str>,
    ) -> (Analysis, usize) {
        let start = text.find(body).expect("body in text");
        let req_start = text.find("{\\\"password").expect("request body");
        let req_end = text[req_start..]
            .find("}\"")
            .map(|e| req_start + e + 1)
            .unwrap();
        let ex = Exchange {
            status: 502,
            status_span: Span::new(0, 0),
            status_key_span: Span::new(0, 0),
            no_response: None,
            span: Span::new(0, text.len()),
            response_span: None,
            status_text: None,
            request: RequestInfo {
                method: Some("POST".into()),
                url: Some("https://user:pw@api.example.com/v1/login?api_key=abc123&x=1".into()),
                headers: vec![
                    Header {
                        name: "Authorization".into(),
                        value: "Bearer [redacted]".into(),
                    },
                    Header {
                        name: "X-Custom-Secret".into(),
                        value: "s3cr3t-value".into(),
                    },
                ]
                .into(),
                span: None,
                body: Some(BodyRef {
                    span: Span::new(req_start - 1, req_end + 1),
                    encoding: BodyEncoding::String,
                    mime_type: None,
                }),
            },
            response_headers: vec![
                Header {
                    name: "Set-Cookie".into(),
                    value: "a=1".into(),
                },
                Header {
                    name: "Set-Cookie".into(),
                    value: "b=2".into(),
                },
                Header {
                    name: "Content-Type".into(),
                    value: "text/html".into(),
                },
            ]
            .into(),
            body: Some(BodyRef {
                span: Span::new(start, start + body.len()),
                encoding,
                mime_type: mime.map(Arc::from),
            }),
            body_truncated: None,
            name: Some("Log in".into()),
            run: None,
        };
        (
            Analysis {
                format: None,
                exchanges: vec![ex].into(),
                runs: vec![],
                findings: vec![],
                ..Analysis::default()
            },
            0,
        )
    }

    #[test]
    fn html_bodies_secrets_and_repeated_headers() {
        let html = "\"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>\"";
        let text = format!("{{\"req\": \"{{\\\"password\\\":\\\"hunter2\\\",\\\"user\\\":\\\"lena\\\"}}\", \"res\": {html}}}");
        let (analysis, i) = synthetic(&text, html, BodyEncoding::String, Some("text/html"));
        let config = AnalysisConfig {
            redact: vec!["X-Custom-Secret".into()],
            ..AnalysisConfig::default()
        };
        let view = payload(&text, &analysis, i, &config).unwrap();
        assert!(
            view.title.starts_with("Payload: POST https://"),
            "{}",
            view.title
        );
        assert!(view.title.ends_with("→ 502 Bad Gateway"), "{}", view.title);
        for secret in ["hunter2", "s3cr3t-value", "abc123", ":pw@"] {
            assert!(
                !view.content.contains(secret),
                "{secret} in {}",
                view.content
            );
            assert!(!view.title.contains(secret), "{secret} in {}", view.title);
        }
        let doc: Value = serde_json::from_str(&view.content).unwrap();
        assert_eq!(doc["request"]["body"]["user"], "lena");
        assert_eq!(doc["response"]["body"]["title"], "502 Bad Gateway");
        assert_eq!(
            doc["response"]["headers"]["Set-Cookie"]
                .as_array()
                .map(Vec::len),
            Some(2)
        );
        // The page only repeats the status line: no explanation.
        assert_eq!(doc["explanation"], Value::Null);
        assert_eq!(
            doc["request"]["headers"]["Authorization"],
            "Bearer [redacted]"
        );
    }

    #[test]
    fn base64_text_and_out_of_range() {
        // "Service down, retry later"
        let b64 = "\"U2VydmljZSBkb3duLCByZXRyeSBsYXRlcg\"";
        let text = format!("{{\"req\": \"{{\\\"password\\\":1}}\", \"res\": {b64}}}");
        let (analysis, i) = synthetic(&text, b64, BodyEncoding::Base64, None);
        let config = AnalysisConfig::default();
        let view = payload(&text, &analysis, i, &config).unwrap();
        let doc: Value = serde_json::from_str(&view.content).unwrap();
        assert_eq!(doc["response"]["body"], "Service down, retry later");
        assert_eq!(payload(&text, &analysis, 1, &config), None);
    }

    #[test]
    fn a_call_without_response_shows_its_request_and_no_response() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures/har/chromium-no-response.pretty.har");
        let text = std::fs::read_to_string(path).expect("fixture");
        let config = AnalysisConfig::default();
        let analysis = crate::core::analyze(&text, &config);
        let index = analysis
            .exchanges
            .iter()
            .position(|e| e.no_response.is_some())
            .expect("a call without response");
        let view = payload(&text, &analysis, index, &config).expect("a payload view");
        assert!(
            view.title.starts_with("Payload: GET http://127.0.0.1:")
                && view
                    .title
                    .ends_with("/api/orders → no response (net::ERR_CONNECTION_REFUSED)"),
            "{}",
            view.title
        );
        let doc: Value = serde_json::from_str(&view.content).expect("content is JSON");
        assert_eq!(doc["call"]["status"], Value::Null);
        assert_eq!(doc["call"]["reason"], "No response");
        assert_eq!(doc["call"]["format"], "HAR");
        assert_eq!(doc["request"]["method"], "GET");
        assert_eq!(doc["response"], "no response");
        assert_eq!(doc["error"]["code"], "net::ERR_CONNECTION_REFUSED");
        assert!(doc["error"]["checkNext"]
            .as_str()
            .is_some_and(|s| s.contains("listening")));
    }
}
