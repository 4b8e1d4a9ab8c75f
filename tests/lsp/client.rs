//! A malformed or malicious client over real stdio: broken framing and JSON, unknown methods,
//! bad params, edits for documents never opened, a flood of edits. The server answers each with
//! an error or ignores it with a log line, keeps serving, and its memory stays bounded.

use crate::support::{Client, Options};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const URI: &str = "file:///tmp/client/log.json";
const TEXT: &str =
    "[{\"url\": \"https://api.invalid/a\", \"status\": 404, \"body\": {\"error\": \"gone\"}}]\n";

fn open_client() -> Client {
    let mut c = Client::start(Options::default());
    c.open(URI, TEXT);
    let _ = c.diagnostics(URI);
    c
}

/// The server still answers, and still has the document as it was.
fn assert_alive(c: &mut Client, what: &str) {
    let got = c.document_text(URI);
    assert_eq!(got["text"], TEXT, "after {what}");
}

fn framed(body: &[u8], length: usize) -> Vec<u8> {
    let mut out = format!("Content-Length: {length}\r\n\r\n").into_bytes();
    out.extend_from_slice(body);
    out
}

/// Waits until stderr holds `n` lines containing `needle`; returns how many it holds.
fn stderr_lines(c: &Client, needle: &str, n: usize) -> usize {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let count = c
            .stderr_text()
            .lines()
            .filter(|l| l.contains(needle))
            .count();
        if count >= n || Instant::now() > deadline {
            return count;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn malformed_messages_are_dropped_with_a_log_line_and_the_server_keeps_answering() {
    let mut c = open_client();
    let shutdown = br#"{"jsonrpc":"2.0","id":9000,"method":"shutdown"}"#;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("bad JSON", framed(b"{not json", 9)),
        ("JSON that is not JSON-RPC", framed(br#"{"hello": 1}"#, 12)),
        ("an array", framed(b"[1, 2, 3]", 9)),
        (
            "no Content-Length",
            b"Content-Type: text/plain\r\n\r\n{}".to_vec(),
        ),
        (
            "garbage",
            b"GET / HTTP/1.1\r\nHost: x\r\n\r\n\x00\x01\x02".to_vec(),
        ),
        (
            "a bad length value",
            b"Content-Length: lots\r\n\r\n{}".to_vec(),
        ),
        // Too short: a cut body, then its rest is junk before the next header.
        ("too short a length", framed(shutdown, shutdown.len() - 10)),
        ("bytes that are not UTF-8", {
            let body = b"{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":\"\xff\xfe\"}";
            framed(body, body.len())
        }),
        ("an empty body", framed(b"", 0)),
    ];
    for (what, bytes) in &cases {
        c.send_raw(bytes);
        assert_alive(&mut c, what);
    }
    // Too long a length swallows the start of the next message; both are dropped, then the
    // server is back in step.
    c.send_raw(&framed(shutdown, shutdown.len() + 20));
    c.send_raw(&framed(
        br#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
        52,
    ));
    c.send_raw(b"\r\n");
    assert_alive(&mut c, "too long a length");
    let dropped = stderr_lines(&c, "ignored input from the client", cases.len());
    assert!(dropped >= cases.len(), "{}", c.stderr_text());
    // The cut shutdown request was never executed: the server still serves and exits cleanly.
    let status = c.shutdown().expect("exited");
    assert!(status.success(), "{status:?}");
}

#[test]
fn bad_requests_get_error_responses() {
    let mut c = open_client();
    let err = c
        .request("workspace/noSuchMethod", json!({}))
        .expect_err("unknown method");
    assert_eq!(err["code"], -32601, "{err}");
    let err = c
        .request("textDocument/hover", json!({}))
        .expect_err("missing fields");
    assert_eq!(err["code"], -32602, "{err}");
    assert_eq!(err["message"], "missing field `textDocument`");
    let err = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": 5}, "position": "x"}),
        )
        .expect_err("wrong types");
    assert_eq!(err["code"], -32602, "{err}");
    let err = c
        .request("runlog/payload", json!({"textDocument": {"uri": URI}}))
        .expect_err("payload without position");
    assert_eq!(err["code"], -32602, "{err}");
    let err = c
        .request(
            "workspace/executeCommand",
            json!({"command": "runlog.viewPayload", "arguments": ["not an object"]}),
        )
        .expect_err("bad command arguments");
    assert!(err["code"].as_i64().is_some_and(|n| n < 0), "{err}");
    let err = c
        .request(
            "workspace/executeCommand",
            json!({"command": "rm -rf /", "arguments": []}),
        )
        .expect_err("unknown command");
    assert!(err["code"].as_i64().is_some_and(|n| n < 0), "{err}");
    // Notifications are never answered; unknown and broken ones are dropped.
    c.notify("custom/unknownNotification", json!({"x": 1}));
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI}}),
    );
    c.notify("textDocument/didOpen", json!({"textDocument": 7}));
    assert_alive(&mut c, "broken notifications");
}

#[test]
fn unknown_documents_and_out_of_range_positions_get_empty_answers() {
    let mut c = open_client();
    let nowhere = "file:///tmp/client/never-opened.json";
    let doc = |uri: &str| json!({"textDocument": {"uri": uri}});
    let far = json!({"start": {"line": 4_000_000_000u32, "character": 0}, "end": {"line": u32::MAX, "character": u32::MAX}});
    for uri in [nowhere, URI] {
        for (method, params) in [
            ("textDocument/hover", Client::at(uri, u32::MAX as u64, 7)),
            (
                "textDocument/definition",
                Client::at(uri, 99, u32::MAX as u64),
            ),
            ("runlog/payload", Client::at(uri, 12345, 12345)),
            (
                "textDocument/codeAction",
                json!({"textDocument": {"uri": uri}, "range": far, "context": {"diagnostics": []}}),
            ),
            (
                "textDocument/inlayHint",
                json!({"textDocument": {"uri": uri}, "range": far}),
            ),
        ] {
            let got = c.request(method, params);
            assert!(
                got == Ok(Value::Null) || got == Ok(json!([])),
                "{method} {uri}: {got:?}"
            );
        }
        for method in [
            "textDocument/codeLens",
            "textDocument/documentSymbol",
            "textDocument/foldingRange",
        ] {
            let got = c.request(method, doc(uri)).expect(method);
            if uri == nowhere {
                assert!(got.is_null() || got == json!([]), "{method}: {got}");
            }
        }
    }
    let got = c
        .request(
            "workspace/executeCommand",
            json!({"command": "runlog.viewPayload", "arguments": [{"uri": nowhere, "position": {"line": 0, "character": 0}}]}),
        )
        .expect("command on an unknown document");
    assert!(got.is_null(), "{got}");
    assert_eq!(
        c.request("runlog/debugDocumentText", doc(nowhere)),
        Ok(Value::Null)
    );
}

#[test]
fn edits_out_of_order_out_of_range_or_for_closed_documents_are_handled() {
    let mut c = open_client();
    // A range far past the end clamps to the end (the text is appended); a reversed range is
    // read in order (line 0 from its end back to its start: its content is deleted).
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [
            {"range": {"start": {"line": 999, "character": 999}, "end": {"line": 999, "character": 999}}, "text": "// end"},
            {"range": {"start": {"line": 0, "character": 99999}, "end": {"line": 0, "character": 0}}, "text": ""}
        ]}),
    );
    let got = c.document_text(URI);
    assert_eq!(got["version"], 2);
    assert_eq!(got["text"], "\n// end");
    // An older version and a repeated one are refused, whole.
    for version in [1, 2, -5] {
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": version}, "contentChanges": [{"text": "stale"}]}),
        );
    }
    assert_eq!(c.document_text(URI)["text"], "\n// end");
    // Closed: changes to it are ignored, requests answer nothing, and a reopen starts afresh.
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": URI}}),
    );
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": URI}}),
    );
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 3}, "contentChanges": [{"text": "x"}]}),
    );
    assert_eq!(
        c.request(
            "runlog/debugDocumentText",
            json!({"textDocument": {"uri": URI}})
        ),
        Ok(Value::Null)
    );
    c.open(URI, "{}");
    assert_eq!(c.document_text(URI)["text"], "{}");
    let ignored = stderr_lines(&c, "ignored", 4);
    assert!(
        ignored >= 4,
        "each refused change is logged: {}",
        c.stderr_text()
    );
}

/// VmRSS and VmHWM (peak) of a process, in KiB.
#[cfg(target_os = "linux")]
fn memory_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .unwrap_or_else(|| panic!("{name} in /proc/{pid}/status"))
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Measured 2026-12-03 (debug build): 58 MiB peak RSS for this test; the bound is ~3×.
#[cfg(target_os = "linux")]
const MAX_RSS_KIB: u64 = 180 * 1024;

#[cfg(target_os = "linux")]
#[test]
fn memory_stays_bounded_under_ten_thousand_rapid_edits() {
    // A ~1 MB log: one call per line, ASCII only (byte columns are UTF-16 columns).
    let line = |i: usize| {
        format!(
            "{{\"url\": \"https://api.invalid/items/{i:06}\", \"status\": {}, \"body\": {{\"error\": \"item {i:06} is not there\"}}}},\n",
            if i % 10 == 0 { 404 } else { 200 }
        )
    };
    let lines = 10_000;
    let mut text = String::from("[\n");
    for i in 0..lines {
        text.push_str(&line(i));
    }
    text.push_str("{\"status\": 200}\n]\n");
    assert!(text.len() > 1_000_000, "{}", text.len());
    let line_len = line(0).len();
    let id_col = line(0).find("items/").expect("id") + "items/".len();

    let mut c = Client::start(Options::default());
    let uri = "file:///tmp/client/big.json";
    c.open(uri, &text);
    let _ = c.diagnostics(uri);
    let mut bytes = text.into_bytes();
    let edits = 10_000;
    for n in 0..edits {
        // Replace one digit of an item id: same length, so offsets stay simple.
        let row = (n * 7919) % lines;
        let col = id_col + (n % 6);
        let digit = char::from(b'0' + (n % 10) as u8);
        bytes[2 + row * line_len + col] = digit as u8;
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": n + 2}, "contentChanges": [{
                "range": {"start": {"line": row + 1, "character": col}, "end": {"line": row + 1, "character": col + 1}},
                "text": digit.to_string()
            }]}),
        );
    }
    c.set_version(uri, (edits + 1) as i32);
    let diagnostics = c.diagnostics(uri);
    assert_eq!(diagnostics.len(), 1000, "every 10th call fails");
    let got = c.document_text(uri);
    let expected = String::from_utf8(bytes).expect("ascii");
    assert_eq!(got["version"], edits + 1);
    assert!(got["text"] == expected.as_str(), "the final text differs");
    let (rss, peak) = memory_kib(c.pid());
    eprintln!(
        "server memory after {edits} edits of a {} byte log: VmRSS {rss} KiB, VmHWM {peak} KiB",
        expected.len()
    );
    assert!(
        peak < MAX_RSS_KIB,
        "peak RSS {peak} KiB over {MAX_RSS_KIB} KiB"
    );
    assert!(rss < MAX_RSS_KIB, "RSS {rss} KiB over {MAX_RSS_KIB} KiB");
}
