//! Large documents stay responsive: a huge body is rewritten on `codeAction/resolve` rather than
//! on every code-action request, the outline is capped with a word to the user, and folding
//! honours the client's `rangeLimit`.

use crate::support::{apply_edits, Client, Options};
use serde_json::{json, Value};

const URI: &str = "file:///large/log.json";

/// One failing call whose escaped body is far over the 64 KiB lazy-edit bound.
fn huge_body_log() -> String {
    let errors: Vec<String> = (0..3000)
        .map(|i| format!(r#"{{"field": "line_items[{i}].sku", "message": "is not a known SKU"}}"#))
        .collect();
    let body = format!(
        r#"{{"title": "Invalid Resource", "errors": [{}]}}"#,
        errors.join(",")
    );
    format!(
        "[\n  {{\n    \"name\": \"Create order\",\n    \"status\": 422,\n    \"body\": {}\n  }}\n]\n",
        serde_json::to_string(&body).expect("a JSON string")
    )
}

fn unfold_action(c: &mut Client) -> Value {
    let at = json!({"line": 3, "character": 15});
    let actions = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": URI}, "range": {"start": at, "end": at}, "context": {"diagnostics": []}}),
        )
        .expect("code actions");
    actions
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["title"] == "Unfold response body")
        .cloned()
        .expect("unfold is offered on the huge body")
}

#[test]
fn a_huge_body_is_unfolded_on_resolve() {
    let text = huge_body_log();
    let mut c = Client::start(Options {
        resolve_edits: true,
        ..Options::default()
    });
    c.open(URI, &text);
    assert_eq!(c.diagnostics(URI).len(), 1);
    let offered = unfold_action(&mut c);
    assert!(offered.get("edit").is_none_or(Value::is_null), "{offered}");
    assert!(offered["data"].is_object(), "{offered}");

    let resolved = c
        .request("codeAction/resolve", offered.clone())
        .expect("resolves");
    let edits = resolved["edit"]["changes"][URI]
        .as_array()
        .cloned()
        .expect("an edit");
    let unfolded = apply_edits(&text, &edits, "utf-16");
    assert!(
        unfolded.contains("\"title\": \"Invalid Resource\""),
        "pretty JSON in place"
    );
    let value: Value = serde_json::from_str(&unfolded).expect("still JSON");
    assert_eq!(
        value[0]["body"]["errors"][2999]["field"],
        "line_items[2999].sku"
    );

    // After an edit the old offer computes nothing (its spans are gone), and says so.
    c.replace(URI, &text.replace("Create order", "Create an order"));
    c.diagnostics(URI);
    let stale = c.request("codeAction/resolve", offered).expect("answers");
    assert!(stale.get("edit").is_none_or(Value::is_null), "{stale}");
}

#[test]
fn without_resolve_support_the_edit_comes_at_once() {
    let text = huge_body_log();
    let mut c = Client::start(Options::default());
    c.open(URI, &text);
    c.diagnostics(URI);
    let offered = unfold_action(&mut c);
    assert!(offered["edit"]["changes"][URI].is_array(), "{offered}");
}

/// `n` calls, one in ten failing, each on several lines (so each folds).
fn many_calls(n: usize) -> String {
    let calls: Vec<String> = (0..n)
        .map(|i| {
            let status = if i % 10 == 0 { 503 } else { 200 };
            format!("  {{\n    \"name\": \"call {i}\",\n    \"status\": {status},\n    \"body\": {{\n      \"n\": {i}\n    }}\n  }}")
        })
        .collect();
    format!("[\n{}\n]\n", calls.join(",\n"))
}

#[test]
fn the_outline_is_capped_keeping_failures_and_says_so_once() {
    let mut c = Client::start(Options::default());
    c.open(URI, &many_calls(6000));
    c.diagnostics(URI);
    let params = json!({"textDocument": {"uri": URI}});
    let symbols = c
        .request("textDocument/documentSymbol", params.clone())
        .expect("symbols");
    let symbols = symbols.as_array().cloned().expect("a list");
    assert_eq!(symbols.len(), 5000);
    let failing = symbols
        .iter()
        .filter(|s| s["name"].as_str().is_some_and(|n| n.contains("— 503")))
        .count();
    assert_eq!(failing, 600, "every failing call is listed");
    let message = c.wait_for("window/logMessage", |m| {
        m["message"]
            .as_str()
            .is_some_and(|t| t.contains("leaves out 1000 successful calls"))
    });
    assert_eq!(message["type"], 3, "info");
    c.request("textDocument/documentSymbol", params)
        .expect("symbols again");
    c.request("shutdown", Value::Null).expect("shutdown");
    let told = c
        .stderr_text()
        .matches("leaves out 1000 successful calls")
        .count();
    assert_eq!(told, 1, "said once per document");
}

#[test]
fn folding_honours_the_clients_range_limit() {
    let mut c = Client::start(Options {
        folding_range_limit: Some(100),
        ..Options::default()
    });
    c.open(URI, &many_calls(300));
    c.diagnostics(URI);
    let ranges = c
        .request(
            "textDocument/foldingRange",
            json!({"textDocument": {"uri": URI}}),
        )
        .expect("ranges");
    let ranges = ranges.as_array().cloned().expect("a list");
    assert_eq!(ranges.len(), 100);
    // The 30 failing calls (call 10k starts on line 1 + 70k) are all there.
    for k in 0..30u64 {
        let line = 1 + 70 * k;
        assert!(
            ranges.iter().any(|r| r["startLine"] == line),
            "failing call at line {line}"
        );
    }
}

/// A HAR of `entries` calls (over 1 MiB from about 2500), every 100th failing with 404.
fn big_har(entries: usize) -> String {
    let entry = |i: usize| {
        let status = if i % 100 == 7 { 404 } else { 200 };
        let body = if status == 404 {
            r#"{\"message\": \"No order with this id\"}"#.to_string()
        } else {
            format!(
                r#"{{\"id\": {i}, \"items\": [{{\"sku\": \"A-{i}\", \"qty\": 2}}], \"total\": 451}}"#
            )
        };
        format!(
            r#"{{"startedDateTime": "2026-12-07T10:00:00.000Z", "time": 412,
  "request": {{"method": "GET", "url": "https://api.example.com/orders/{i}", "headers": [{{"name": "Accept", "value": "application/json"}}]}},
  "response": {{"status": {status}, "statusText": "", "headers": [{{"name": "Content-Type", "value": "application/json"}}],
    "content": {{"mimeType": "application/json", "text": "{body}"}}}}}}"#
        )
    };
    let entries: Vec<String> = (0..entries).map(entry).collect();
    format!(
        "{{\"log\": {{\"version\": \"1.2\", \"creator\": {{\"name\": \"test\", \"version\": \"1\"}}, \"entries\": [\n{}\n]}}}}\n",
        entries.join(",\n")
    )
}

const BIG: &str = "file:///large/big.har";

#[test]
fn a_big_log_opened_gets_its_diagnostics_from_a_first_look_sent_once() {
    let text = big_har(4000);
    assert!(text.len() > 1 << 20);
    let mut c = Client::start(Options {
        log_filter: Some("debug"),
        ..Options::default()
    });
    c.open(BIG, &text);
    let first = c.diagnostics(BIG);
    assert_eq!(first.len(), 40);
    assert!(first.iter().all(|d| d["code"] == "404"), "{first:?}");
    // The snapshot's diagnostics are the same: they are not sent again.
    let hover = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": BIG}, "position": first[0]["range"]["start"]}),
        )
        .expect("hover");
    assert!(
        hover.to_string().contains("No order with this id"),
        "{hover}"
    );
    let again = c.try_wait_for(
        "textDocument/publishDiagnostics",
        std::time::Duration::from_millis(500),
        |p| p["uri"] == BIG,
    );
    assert!(again.is_none(), "{again:?}");
    assert_logged(&c, "first look found 40 diagnostics");
    // Its uri came before its text (as editors send it): the look started as the text arrived.
    assert_logged(&c, "big.har: first look starts as its didOpen arrives");
}

#[test]
fn a_big_log_whose_text_comes_before_its_uri_gets_its_first_look_once_opened() {
    let text = big_har(4000);
    let mut c = Client::start(Options {
        log_filter: Some("debug"),
        ..Options::default()
    });
    let body = json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
        "textDocument": {"text": text, "uri": BIG, "languageId": "json", "version": 1},
    }})
    .to_string();
    c.send_raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
    assert_eq!(c.diagnostics(BIG).len(), 40);
    assert_logged(&c, "first look found 40 diagnostics");
    assert!(
        !c.stderr_text()
            .contains("first look starts as its didOpen arrives"),
        "{}",
        c.stderr_text()
    );
}

#[test]
fn a_diagnostic_request_on_a_big_log_is_answered() {
    let text = big_har(4000);
    let mut c = Client::start(Options {
        pull_diagnostics: true,
        log_filter: Some("debug"),
        ..Options::default()
    });
    c.open(BIG, &text);
    let report = c
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": BIG}}),
        )
        .expect("a report");
    let items = report["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 40, "{report}");
    assert_logged(&c, "first look found 40 diagnostics");
}

/// The server's log (stderr) has `line`, soon.
fn assert_logged(c: &Client, line: &str) {
    assert!(c.stderr_eventually_has(line), "{}", c.stderr_text());
}
