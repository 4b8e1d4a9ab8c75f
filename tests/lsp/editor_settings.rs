//! What editors switch on the server: `runlog.inlayHints.enable` and `runlog.codeLens.enable`
//! flipped through `workspace/didChangeConfiguration`, the log filter the VS Code extension sets
//! from `runlog.server.logLevel`, and files analysed from disk on request (`runlog/analyzeFile`,
//! `runlog/forgetFile`), as VS Code needs for logs over 50 MB.

use crate::support::{file_uri, fixture, Client, Options};
use serde_json::{json, Value};
use std::time::Duration;

const SEED: &str = "integration/seed-168379.json";
const URI: &str = "file:///work/logs/seed-168379.json";

fn hints(c: &mut Client) -> Vec<Value> {
    let range =
        json!({"start": {"line": 0, "character": 0}, "end": {"line": 9999, "character": 0}});
    let answer = c
        .request(
            "textDocument/inlayHint",
            json!({"textDocument": {"uri": URI}, "range": range}),
        )
        .expect("inlay hints");
    answer.as_array().cloned().unwrap_or_default()
}

fn lenses(c: &mut Client) -> Vec<Value> {
    let answer = c
        .request(
            "textDocument/codeLens",
            json!({"textDocument": {"uri": URI}}),
        )
        .expect("code lenses");
    answer.as_array().cloned().unwrap_or_default()
}

fn configure(c: &mut Client, runlog: Value) {
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"runlog": runlog}}),
    );
}

#[test]
fn inlay_hints_and_code_lenses_follow_their_settings() {
    let mut c = Client::start(Options::default());
    c.open(URI, &fixture(SEED));
    assert_eq!(c.diagnostics(URI).len(), 1);
    assert!(!hints(&mut c).is_empty());
    assert!(!lenses(&mut c).is_empty());

    configure(&mut c, json!({"inlayHints": {"enable": false}}));
    assert_eq!(hints(&mut c), Vec::<Value>::new());
    assert!(!lenses(&mut c).is_empty(), "only the hints are off");

    configure(&mut c, json!({"codeLens": {"enable": false}}));
    assert!(
        !hints(&mut c).is_empty(),
        "the hints are back on by default"
    );
    assert_eq!(lenses(&mut c), Vec::<Value>::new());
    // Diagnostics do not depend on either.
    assert_eq!(c.diagnostics(URI).len(), 1);

    configure(&mut c, json!({"codeLens": {"enable": true}}));
    assert!(!lenses(&mut c).is_empty());
}

#[test]
fn a_bad_enable_value_keeps_the_default_and_says_so() {
    let mut c = Client::start(Options::default());
    c.open(URI, &fixture(SEED));
    assert_eq!(c.diagnostics(URI).len(), 1);
    configure(&mut c, json!({"inlayHints": {"enable": "no"}}));
    let warning = c.wait_for("window/logMessage", |p| {
        p["message"]
            .as_str()
            .is_some_and(|m| m.contains("runlog.inlayHints.enable"))
    });
    assert_eq!(warning["type"], 2, "{warning}");
    assert!(!hints(&mut c).is_empty());
}

/// The log filter decides what reaches stderr and `window/logMessage` alike.
#[test]
fn the_log_level_filters_stderr_and_log_messages() {
    let ready = |p: &Value| {
        p["message"]
            .as_str()
            .is_some_and(|m| m.contains(" ready ("))
    };

    let mut c = Client::start(Options {
        log_filter: Some("info"),
        ..Options::default()
    });
    c.wait_for("window/logMessage", ready);
    c.open(URI, &fixture(SEED));
    assert_eq!(c.diagnostics(URI).len(), 1);
    c.shutdown();
    assert!(c.stderr_eventually_has(" ready ("), "{}", c.stderr_text());
    assert!(
        !c.stderr_text().contains("didOpen"),
        "no debug lines at info"
    );
    drop(c);

    let mut c = Client::start(Options {
        log_filter: Some("error"),
        ..Options::default()
    });
    c.open(URI, &fixture(SEED));
    assert_eq!(c.diagnostics(URI).len(), 1);
    assert!(
        c.try_wait_for("window/logMessage", Duration::from_millis(500), ready)
            .is_none(),
        "an info message was sent with the filter at error"
    );
    c.shutdown();
    assert!(!c.stderr_text().contains(" ready ("), "{}", c.stderr_text());
    drop(c);

    let mut c = Client::start(Options {
        log_filter: Some("debug"),
        ..Options::default()
    });
    c.open(URI, &fixture(SEED));
    assert_eq!(c.diagnostics(URI).len(), 1);
    c.shutdown();
    assert!(c.stderr_eventually_has("didOpen"), "{}", c.stderr_text());
}

fn jsonl_call(url: &str, status: u16, message: &str) -> String {
    format!(
        "{}\n",
        json!({"method": "GET", "url": url, "statusCode": status, "body": {"message": message}})
    )
}

fn big_log() -> String {
    let mut text = String::new();
    for i in 0..50 {
        text.push_str(&jsonl_call(
            &format!("https://shop.example/orders/{i}"),
            200,
            "ok",
        ));
    }
    text.push_str(&jsonl_call(
        "https://shop.example/orders/77",
        404,
        "Order 77 not found",
    ));
    text.push_str(&jsonl_call(
        "https://shop.example/stock",
        503,
        "Inventory is being rebuilt",
    ));
    text
}

/// A log analysed from disk at the client's request, whole and (over `runlog.maxFileSize`)
/// streamed, then forgotten.
#[test]
fn a_file_is_analysed_from_disk_on_request_and_forgotten() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("huge.jsonl");
    std::fs::write(&path, big_log()).expect("write the log");
    let uri = file_uri(&path);

    for max_file_size in [52_428_800u64, 1_000] {
        let mut c = Client::start(Options {
            initialization_options: json!({"runlog.maxFileSize": max_file_size}),
            ..Options::default()
        });
        let answer = c.request("runlog/analyzeFile", json!({"textDocument": {"uri": uri}}));
        assert_eq!(answer, Ok(Value::Null), "maxFileSize {max_file_size}");
        let diagnostics = c.disk_diagnostics(&uri);
        let codes: Vec<&str> = diagnostics
            .iter()
            .filter_map(|d| d["code"].as_str())
            .collect();
        assert_eq!(codes, vec!["404", "503"], "maxFileSize {max_file_size}");
        assert_eq!(diagnostics[0]["range"]["start"]["line"], 50);
        let message = diagnostics[0]["message"].as_str().unwrap_or_default();
        assert!(message.contains("Order 77 not found"), "{message}");

        // Its failures are listed with the other logs'.
        let failures = c.request("runlog/failures", json!({})).expect("failures");
        assert_eq!(failures["groups"].as_array().map(Vec::len), Some(2));

        // Settings changes analyse it again.
        configure(
            &mut c,
            json!({"diagnostics": {"minimumStatus": 500}, "maxFileSize": max_file_size}),
        );
        let diagnostics = c.disk_diagnostics(&uri);
        assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
        assert_eq!(diagnostics[0]["code"], "503");

        let answer = c.request("runlog/forgetFile", json!({"textDocument": {"uri": uri}}));
        assert_eq!(answer, Ok(Value::Null));
        assert_eq!(c.disk_diagnostics(&uri), Vec::<Value>::new());
    }
}

/// Whether the client was last asked to watch `name` (relative to its folder).
fn watching(c: &Client, name: &str) -> bool {
    let last = c
        .server_requests
        .iter()
        .rev()
        .find(|r| r["method"] == "client/registerCapability");
    let watchers = last
        .and_then(|r| r["params"]["registrations"][0]["registerOptions"]["watchers"].as_array())
        .cloned()
        .unwrap_or_default();
    watchers
        .iter()
        .any(|w| w["globPattern"]["pattern"] == name && w["globPattern"]["baseUri"].is_string())
}

/// A log asked for is watched wherever it is, and analysed again when it grows (a log over
/// 50 MB still being written); once forgotten it is no longer watched.
#[test]
fn a_file_asked_for_is_watched_and_analysed_again_when_it_changes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("growing.jsonl");
    std::fs::write(&path, big_log()).expect("write the log");
    let uri = file_uri(&path);
    let mut c = Client::start(Options::default());
    let answer = c.request("runlog/analyzeFile", json!({"textDocument": {"uri": uri}}));
    assert_eq!(answer, Ok(Value::Null));
    let codes = |d: &[Value]| -> Vec<String> {
        d.iter()
            .filter_map(|x| x["code"].as_str().map(str::to_string))
            .collect()
    };
    assert_eq!(codes(&c.disk_diagnostics(&uri)), ["404", "503"]);
    assert!(watching(&c, "growing.jsonl"), "{:#?}", c.server_requests);

    let mut grown = big_log();
    grown.push_str(&jsonl_call(
        "https://shop.example/invoices",
        500,
        "Ledger is read-only",
    ));
    std::fs::write(&path, grown).expect("append");
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri, "type": 2}]}),
    );
    assert_eq!(codes(&c.disk_diagnostics(&uri)), ["404", "503", "500"]);

    let answer = c.request("runlog/forgetFile", json!({"textDocument": {"uri": uri}}));
    assert_eq!(answer, Ok(Value::Null));
    assert_eq!(c.disk_diagnostics(&uri), Vec::<Value>::new());
    assert!(!watching(&c, "growing.jsonl"), "no longer watched");
}

#[test]
fn only_file_uris_are_analysed_from_disk() {
    let mut c = Client::start(Options::default());
    let error = c
        .request(
            "runlog/analyzeFile",
            json!({"textDocument": {"uri": "untitled:Untitled-1"}}),
        )
        .expect_err("not a file");
    assert_eq!(error["code"], -32602, "{error}");
}
