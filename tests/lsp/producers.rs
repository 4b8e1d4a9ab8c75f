//! The producers of issue 15 over LSP: an n8n export (a failed call and calls that got no
//! response), a JSON Lines record holding its call as a JSON string (the diagnostic on the
//! escaped digits inside the outer string), and a HAR whose bodies the exporter cut: the
//! diagnostic, the hover quoting the body's reason, and the payload view. Also the producers
//! of the same issue recognised earlier: a Betamax cassette (base64 and gzip bodies) and an
//! ECS record with flattened dotted keys.

use super::support::{codes_and_severities, fixture, position_of, Client, Options};
use serde_json::{json, Value};

/// The range of `needle` (its n-th occurrence) in UTF-16 positions.
fn range_of(text: &str, needle: &str, nth: usize) -> Value {
    let start = text
        .match_indices(needle)
        .nth(nth)
        .map(|(i, _)| i)
        .expect("needle in text");
    json!({
        "start": position_of(text, start, "utf-16"),
        "end": position_of(text, start + needle.len(), "utf-16"),
    })
}

fn opened(uri: &str, path: &str) -> (Client, String, Vec<Value>) {
    let mut c = Client::start(Options::default());
    let text = fixture(path);
    c.open(uri, &text);
    let diags = c.diagnostics(uri);
    (c, text, diags)
}

fn hover_markdown(c: &mut Client, uri: &str, at: &Value) -> String {
    let params = json!({"textDocument": {"uri": uri}, "position": at});
    let hover = c.request("textDocument/hover", params).expect("hover");
    hover["contents"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn payload(c: &mut Client, uri: &str, at: &Value) -> (Value, Value) {
    let params = json!({"textDocument": {"uri": uri}, "position": at});
    let view = c.request("runlog/payload", params).expect("payload");
    let doc: Value = serde_json::from_str(view["content"].as_str().unwrap_or_default())
        .expect("payload content is JSON");
    (view, doc)
}

#[test]
fn an_n8n_execution_over_lsp() {
    let uri = "file:///work/logs/n8n-execution-4817.json";
    let (mut c, text, diags) = opened(uri, "n8n/execution-409-run-data.json");
    assert_eq!(diags.len(), 1, "{diags:?}");
    let d = &diags[0];
    assert_eq!(
        (d["code"].as_str(), d["severity"].as_i64()),
        (Some("409"), Some(1))
    );
    // The node run's `httpCode`, not `resultData.error`'s repetition of it (the second).
    let range = range_of(&text, "\"409\"", 0);
    assert_eq!(d["range"], range, "{d}");
    assert!(
        d["message"]
            .as_str()
            .is_some_and(|m| m.contains("Contact already exists. Existing ID: 51")),
        "{d}"
    );
    let md = hover_markdown(&mut c, uri, &range["start"]);
    assert!(md.starts_with("**409 Conflict**"), "{md}");
    assert!(
        md.contains("Contact already exists. Existing ID: 51"),
        "{md}"
    );
    // n8n's own phrase for the status is not the reason.
    assert!(
        !md.contains("could not be processed by the service"),
        "{md}"
    );
    let (view, doc) = payload(&mut c, uri, &range["start"]);
    assert_eq!(doc["call"]["name"], "Create HubSpot contact", "{doc}");
    assert_eq!(doc["call"]["status"], 409, "{doc}");
    assert_eq!(doc["request"]["method"], "POST", "{doc}");
    assert_eq!(
        doc["explanation"]["summary"], "Contact already exists. Existing ID: 51",
        "{doc}"
    );
    assert!(
        view["title"]
            .as_str()
            .is_some_and(|t| t.ends_with("→ 409 Conflict")),
        "{view}"
    );
}

#[test]
fn n8n_calls_without_response_over_lsp() {
    let uri = "file:///work/logs/n8n-execution-5311.json";
    let (mut c, text, diags) = opened(uri, "n8n/execution-econnrefused.json");
    let got = codes_and_severities(&diags);
    // The Code node's TypeError is no call.
    assert_eq!(got, [("no-response", 1), ("no-response", 1)], "{diags:?}");
    let range = range_of(&text, "\"ECONNREFUSED\"", 0);
    assert_eq!(diags[0]["range"], range, "{diags:?}");
    assert_eq!(diags[1]["range"], range_of(&text, "\"ETIMEDOUT\"", 0));
    let md = hover_markdown(&mut c, uri, &range["start"]);
    assert!(md.starts_with("**No response** · `ECONNREFUSED`"), "{md}");
    assert!(md.contains("The connection was refused"), "{md}");
    assert!(md.contains("Check that the service is running"), "{md}");
    assert!(md.contains("Fetch open invoices"), "{md}");
    let (view, doc) = payload(&mut c, uri, &range["start"]);
    assert_eq!(doc["response"], "no response", "{doc}");
    assert_eq!(doc["request"]["method"], "GET", "{doc}");
    assert_eq!(
        doc["request"]["url"], "http://billing:8000/api/invoices?status=open",
        "{doc}"
    );
    assert_eq!(doc["error"]["code"], "ECONNREFUSED", "{doc}");
    assert!(
        view["title"]
            .as_str()
            .is_some_and(|t| t.ends_with("→ no response (ECONNREFUSED)")),
        "{view}"
    );
}

#[test]
fn a_call_logged_as_a_json_string_over_lsp() {
    let uri = "file:///work/logs/app.jsonl";
    let (mut c, text, diags) = opened(uri, "jsonl/message-json-string.jsonl");
    let codes: Vec<&str> = diags.iter().filter_map(|d| d["code"].as_str()).collect();
    assert_eq!(codes, ["422", "503"], "{diags:?}");
    // The escaped digits inside the outer `message` string: `\"status\":422`.
    let start_422 = text.find("\\\"status\\\":422").expect("status") + "\\\"status\\\":".len();
    let range_422 = json!({
        "start": position_of(&text, start_422, "utf-16"),
        "end": position_of(&text, start_422 + 3, "utf-16"),
    });
    assert_eq!(diags[0]["range"], range_422, "{:?}", diags[0]);
    assert_eq!(&text[start_422..start_422 + 3], "422");
    // After an escaped `\u00e9` in the same string: offsets count the escape as written.
    let start_503 = text.find("\\\"status\\\":503").expect("status") + "\\\"status\\\":".len();
    assert_eq!(
        diags[1]["range"],
        json!({
            "start": position_of(&text, start_503, "utf-16"),
            "end": position_of(&text, start_503 + 3, "utf-16"),
        })
    );
    assert_eq!(&text[start_503..start_503 + 3], "503");

    let md = hover_markdown(&mut c, uri, &range_422["start"]);
    assert!(md.starts_with("**422 Unprocessable Content**"), "{md}");
    assert!(md.contains("quantity must be greater than 0"), "{md}");
    let (_, doc) = payload(&mut c, uri, &range_422["start"]);
    assert_eq!(doc["call"]["status"], 422, "{doc}");
    assert_eq!(doc["request"]["method"], "POST", "{doc}");
    assert_eq!(
        doc["explanation"]["summary"], "quantity must be greater than 0 (Validation failed)",
        "{doc}"
    );

    let md = hover_markdown(&mut c, uri, &diags[1]["range"]["start"]);
    assert!(
        md.contains("Ledger database is in read-only mode during failover."),
        "{md}"
    );
}

#[test]
fn bodies_the_exporter_cut_over_lsp() {
    let uri = "file:///work/logs/exports.har";
    let (mut c, text, diags) = opened(uri, "body-truncated/har-bodies-not-kept.har");
    let got = codes_and_severities(&diags);
    // Each cut body of a failing call gets an Information note after its call's Error.
    assert_eq!(
        got,
        [
            ("500", 1),
            ("body-truncated", 3),
            ("502", 1),
            ("body-truncated", 3),
            ("404", 1),
            ("body-truncated", 3),
            ("409", 1)
        ],
        "{diags:?}"
    );
    // The note sits on the body the HAR kept: its `text` string.
    let body = "\"{\\\"type\\\": \\\"https://api.example.com/problems/export-failed\\\", \\\"title\\\": \\\"Export failed\\\", \\\"stat\"";
    assert_eq!(
        diags[1]["range"],
        range_of(&text, body, 0),
        "{:?}",
        diags[1]
    );
    assert!(
        diags[1]["message"].as_str().is_some_and(|m| m.contains(
            "the HAR says \"Response body is exported from the in-memory preview and may be truncated.\""
        ) && m.contains("the reason may be in the part that is missing")),
        "{:?}",
        diags[1]
    );
    // What the cut JSON said before the cut is quoted, not the cut JSON.
    let at = &diags[0]["range"]["start"];
    assert!(
        diags[0]["message"]
            .as_str()
            .is_some_and(|m| m.ends_with(": Export failed")),
        "{:?}",
        diags[0]
    );
    let md = hover_markdown(&mut c, uri, at);
    assert!(md.contains("Export failed"), "{md}");
    assert!(!md.contains("\"stat"), "{md}");
    let (_, doc) = payload(&mut c, uri, at);
    assert_eq!(doc["explanation"]["summary"], "Export failed", "{doc}");
    // The body as the HAR holds it, cut.
    assert!(
        doc["response"]["body"]
            .as_str()
            .is_some_and(|b| b.ends_with("\"stat")),
        "{doc}"
    );
}

#[test]
fn a_betamax_cassette_over_lsp() {
    let uri = "file:///work/tests/cassettes/betamax-errors.json";
    let (mut c, text, diags) = opened(uri, "vcr/betamax-errors.json");
    let codes: Vec<&str> = diags.iter().filter_map(|d| d["code"].as_str()).collect();
    assert_eq!(codes, ["403", "422", "503"], "{diags:?}");
    // The 503's body is gzip in base64: the reason is inside, decoded.
    let d = &diags[2];
    let range = range_of(&text, "\"code\": 503", 0);
    let start = range["start"]["character"].as_u64().unwrap_or(0) + "\"code\": ".len() as u64;
    assert_eq!(
        d["range"]["start"]["character"].as_u64(),
        Some(start),
        "{d}"
    );
    assert!(
        d["message"]
            .as_str()
            .is_some_and(|m| m.contains("Export service is under maintenance until 10:00 UTC.")),
        "{d}"
    );
    let md = hover_markdown(&mut c, uri, &d["range"]["start"]);
    assert!(md.starts_with("**503 Service Unavailable**"), "{md}");
    assert!(md.contains("Export service is under maintenance"), "{md}");
    assert!(md.contains(r"- Retry\-After: 120"), "{md}");
    let (view, doc) = payload(&mut c, uri, &d["range"]["start"]);
    assert_eq!(doc["call"]["status"], 503, "{doc}");
    let shown = view.to_string();
    assert!(
        shown.contains("under maintenance"),
        "the decoded body: {shown}"
    );
    assert!(
        !shown.contains("ghp_TestTokenNotARealSecret"),
        "the recorded token stays hidden: {shown}"
    );
}

#[test]
fn ecs_flattened_keys_over_lsp() {
    let uri = "file:///work/logs/billing-gateway.jsonl";
    let (mut c, text, diags) = opened(uri, "jsonl/ecs-flattened.jsonl");
    let codes: Vec<&str> = diags.iter().filter_map(|d| d["code"].as_str()).collect();
    assert_eq!(codes, ["503", "409"], "{diags:?}");
    let status = text
        .match_indices("\"http.response.status_code\":503")
        .next()
        .map(|(i, _)| i + "\"http.response.status_code\":".len())
        .expect("the 503 record");
    let want = json!({
        "start": position_of(&text, status, "utf-16"),
        "end": position_of(&text, status + 3, "utf-16"),
    });
    assert_eq!(diags[0]["range"], want, "{:?}", diags[0]);
    let md = hover_markdown(&mut c, uri, &want["start"]);
    assert!(
        md.contains("Ledger database is in read-only mode during failover."),
        "{md}"
    );
    let (_, doc) = payload(&mut c, uri, &want["start"]);
    assert_eq!(doc["request"]["method"], "POST", "{doc}");
}
