//! Hostile log content and secrets through every output of the server: hover, diagnostics,
//! code lenses, the payload view and the server's own log. Log text must render inert and no
//! secret may appear anywhere.

use crate::capture::{
    capture, echo_capture, ECHOED_TOKEN, HOSTILE, HOSTILE_PLAIN, INVISIBLE, SECRETS, TENANT, URI,
};
use crate::support::{position_of, Client, Options};
use serde_json::{json, Value};

fn status_position(text: &str, code: &str) -> Value {
    let offset = text.find(&format!("\"status\": {code}")).expect("status") + "\"status\": ".len();
    position_of(text, offset, "utf-16")
}

fn at(text: &str, code: &str) -> Value {
    json!({"textDocument": {"uri": URI}, "position": status_position(text, code)})
}

fn hover_text(c: &mut Client, text: &str, code: &str) -> String {
    let hover = c
        .request("textDocument/hover", at(text, code))
        .expect("hover");
    hover["contents"]["value"]
        .as_str()
        .expect("markdown")
        .to_string()
}

#[test]
fn hostile_text_is_inert_in_hovers_diagnostics_code_lenses_and_the_payload_view() {
    let mut c = Client::start(Options::default());
    let text = capture();
    c.open(URI, &text);
    let messages: Vec<Value> = c
        .diagnostics(URI)
        .iter()
        .map(|d| d["message"].clone())
        .collect();
    assert_eq!(
        messages,
        [
            format!("400 Bad Request: {HOSTILE_PLAIN}"),
            "429 Too Many Requests: slow down, your token=[redacted] is throttled".to_string()
        ]
    );

    let fence = "```";
    assert_eq!(
        hover_text(&mut c, &text, "400"),
        format!(
            "**400 Bad Request**\n\n\
             The request was unacceptable\\. This happens mostly when a required parameter is missing\\.\n\n\
             Class: 4xx client error\n\n\
             Response body says:\n\n\
             {fence}text\n{HOSTILE_PLAIN}\n{fence}\n\n\
             Step: /v1/items\n\n\
             {fence}text\nPOST https://[redacted]@api.invalid/v1/items?api_key=[redacted]&page=2&token=[redacted]\n{fence}\n\n\
             [MDN: 400 Bad Request](https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Status/400)"
        )
    );
    // Header values outside a fence: every markdown and HTML character escaped.
    assert_eq!(
        hover_text(&mut c, &text, "429"),
        format!(
            "**429 Too Many Requests**\n\n\
             The API has received too many requests in a short time\\.\n\n\
             Class: 4xx client error\n\n\
             Response body says:\n\n\
             {fence}text\nslow down, your token=[redacted] is throttled\n{fence}\n\n\
             Step: /v1/me\n\n\
             {fence}text\nGET https://api.invalid/v1/me#access_token=[redacted]\n{fence}\n\n\
             - Retry\\-After: Bad \\[x\\]\\(https\\://evil\\.invalid\\) \\[run\\]\\(command\\:workbench\\.action\\.terminal\\.new\\) \\<img src\\=x onerror\\=alert\\(1\\)\\> red gnp\\.exe iso rf zerowidthend\n\
             - X\\-RateLimit\\-Reset: \\<script\\>alert\\(1\\)\\</script\\> \\`x\\` \\*\\*y\\*\\*\n\n\
             [MDN: 429 Too Many Requests](https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Status/429)"
        )
    );

    let lenses = c
        .request(
            "textDocument/codeLens",
            json!({"textDocument": {"uri": URI}}),
        )
        .expect("lenses");
    let titles: Vec<&str> = lenses
        .as_array()
        .expect("lenses")
        .iter()
        .filter_map(|l| l["command"]["title"].as_str())
        .collect();
    assert_eq!(
        titles,
        [
            "2 failing calls · 2 causes",
            "View payload",
            "Go to response body",
            "View payload",
            "Go to response body"
        ]
    );

    let view = c
        .request("runlog/payload", at(&text, "400"))
        .expect("payload");
    assert_eq!(
        view["title"],
        format!("Payload: POST https://[redacted]@api.invalid/v1/items?api_key=[redacted]&page=2&token=[redacted] → 400 {HOSTILE_PLAIN}")
    );
    let content = view["content"].as_str().expect("content");
    // The JSON keeps the log's text (it is data in a JSON editor), with every invisible
    // character written as an escape.
    assert!(!content.contains(INVISIBLE), "{content}");
    assert!(
        content.contains(r"\u202egnp.exe\u202c \u2066iso\u2069"),
        "{content}"
    );
    let doc: Value = serde_json::from_str(content).expect("payload is JSON");
    assert_eq!(doc["response"]["body"]["error"]["message"], HOSTILE);
    assert_eq!(doc["request"]["headers"]["X-Hostile"], HOSTILE);
    assert_eq!(doc["explanation"]["summary"], HOSTILE_PLAIN);
}

/// Every response to every request a client makes about the capture, as text.
fn all_outputs(c: &mut Client, text: &str, codes: &[&str]) -> String {
    let mut out = serde_json::to_string(&c.diagnostics(URI)).expect("json");
    let doc = json!({"textDocument": {"uri": URI}});
    let whole = json!({"start": {"line": 0, "character": 0}, "end": {"line": 999, "character": 0}});
    for code in codes {
        let p = at(text, code);
        for method in [
            "textDocument/hover",
            "runlog/payload",
            "runlog/curl",
            "textDocument/definition",
        ] {
            out.push_str(&c.request(method, p.clone()).expect(method).to_string());
        }
        for name in ["runlog.viewPayload", "runlog.copyAsCurl"] {
            let command =
                json!({"command": name, "arguments": [{"uri": URI, "position": p["position"]}]});
            out.push_str(
                &c.request("workspace/executeCommand", command)
                    .expect("command")
                    .to_string(),
            );
        }
        let actions = json!({"textDocument": {"uri": URI}, "range": {"start": p["position"], "end": p["position"]}, "context": {"diagnostics": []}});
        // Titles and commands; the edits of the unfold quick fix are the document's own text
        // rearranged (losslessly, secrets and all), which is not output of ours.
        let actions = c
            .request("textDocument/codeAction", actions)
            .expect("actions");
        for action in actions.as_array().expect("actions") {
            out.push_str(&action["title"].to_string());
            out.push_str(&action["command"].to_string());
            out.push_str(&action["diagnostics"].to_string());
        }
    }
    for method in [
        "textDocument/codeLens",
        "textDocument/documentSymbol",
        "textDocument/foldingRange",
    ] {
        out.push_str(&c.request(method, doc.clone()).expect(method).to_string());
    }
    let hints = json!({"textDocument": {"uri": URI}, "range": whole});
    out.push_str(
        &c.request("textDocument/inlayHint", hints)
            .expect("hints")
            .to_string(),
    );
    out
}

#[test]
fn no_secret_reaches_any_response_or_the_log_at_trace_level() {
    let mut c = Client::start(Options {
        log_filter: Some("trace"),
        initialization_options: json!({"runlog": {"trace": {"server": "verbose"}}}),
        ..Options::default()
    });
    let text = capture();
    c.open(URI, &text);
    let outputs = all_outputs(&mut c, &text, &["400", "429"]);
    assert!(
        outputs.contains("[redacted]") && outputs.len() > 5000,
        "{outputs}"
    );
    c.shutdown();
    let log = c.stderr_text();
    assert!(
        log.contains("DEBUG") || log.contains("TRACE"),
        "verbose log: {log}"
    );
    for secret in SECRETS {
        assert!(!outputs.contains(secret), "a response leaks {secret}");
        assert!(!log.contains(secret), "the log leaks {secret}");
    }
    // The auth scheme stays: it explains a 401.
    assert!(outputs.contains("Bearer [redacted]"), "{outputs}");
}

/// The echo capture opened with `runlog.redact` naming `X-Tenant-Id`, or without it: every
/// response about it and the trace log.
fn echo_outputs(redact: &[&str]) -> (String, String) {
    let mut c = Client::start(Options {
        log_filter: Some("trace"),
        initialization_options: json!({"runlog": {"redact": redact, "trace": {"server": "verbose"}}}),
        ..Options::default()
    });
    let text = echo_capture();
    c.open(URI, &text);
    let outputs = all_outputs(&mut c, &text, &["401", "403"]);
    c.shutdown();
    (outputs, c.stderr_text())
}

#[test]
fn echoed_secrets_and_runlog_redact_values_reach_no_response_and_the_reason_stays() {
    let (outputs, log) = echo_outputs(&["X-Tenant-Id"]);
    for secret in [ECHOED_TOKEN, TENANT] {
        assert!(
            !outputs.contains(secret),
            "a response leaks {secret}: {outputs}"
        );
        assert!(!log.contains(secret), "the log leaks {secret}");
    }
    // The explanation is still there, with the value taken out: in the diagnostics, the
    // hovers and the payload views alike.
    for reason in [
        "The access token [redacted] has expired",
        "Tenant [redacted] is suspended until the invoice is paid",
    ] {
        assert!(outputs.matches(reason).count() >= 3, "{reason}: {outputs}");
    }
    // Without the setting the tenant is ordinary text (so the check above can fail), and
    // the echoed token is hidden all the same.
    let (plain, _) = echo_outputs(&[]);
    assert!(plain.contains(TENANT), "{plain}");
    assert!(!plain.contains(ECHOED_TOKEN), "{plain}");
}

/// A generic log of `n` failing calls, one per line, with `body`.
fn failing_calls(n: usize, body: &str) -> String {
    let calls: Vec<String> = (0..n)
        .map(|i| format!(r#"{{"url": "https://api.invalid/{i}", "status": 404, "body": {body}}}"#))
        .collect();
    format!("[{}]\n", calls.join(",\n"))
}

/// The messages of the `limit-reached` diagnostics of `uri`, and how many diagnostics there are.
fn limit_messages(c: &mut Client, uri: &str) -> (Vec<String>, usize) {
    let diagnostics = c.diagnostics(uri);
    let limits = diagnostics
        .iter()
        .filter(|d| d["code"] == "limit-reached")
        .map(|d| d["message"].as_str().unwrap_or_default().to_string())
        .collect();
    (limits, diagnostics.len())
}

#[test]
fn each_limit_hit_is_one_diagnostic_in_plain_words() {
    let mut c = Client::start(Options {
        initialization_options: json!({"runlog": {"limits": {
            "maxBodySize": 20, "maxNestingDepth": 5, "maxLineLength": 300, "maxDiagnostics": 2
        }}}),
        ..Options::default()
    });
    let long_body = serde_json::to_string(&"x".repeat(100)).expect("json");
    let cases = [
        (
            "body",
            failing_calls(2, &long_body),
            "2 response bodies longer than 20 bytes once decoded were read only that far (runlog.limits.maxBodySize), starting with this one.",
            3,
        ),
        (
            "deep",
            failing_calls(1, r#"{"a": {"b": {"c": {"d": 1}}}}"#),
            "The JSON is nested more than 5 levels deep here; the deeper values were not analysed (runlog.limits.maxNestingDepth).",
            2,
        ),
        (
            "lines",
            format!(
                "{{\"status\": 500, \"url\": \"/a\"}}\n{{\"status\": 500, \"url\": \"/{}\"}}\n{{\"status\": 502, \"url\": \"/c\"}}\n",
                "b".repeat(400)
            ),
            "A line longer than 300 bytes was not analysed (runlog.limits.maxLineLength), starting with line 2.",
            3,
        ),
        (
            "many",
            failing_calls(5, "{}"),
            "3 more failing calls not shown (at most 2 findings are reported per document)",
            3,
        ),
    ];
    for (name, text, _, _) in &cases {
        c.open(&format!("file:///tmp/limits/{name}.json"), text);
    }
    for (name, _, message, count) in &cases {
        let (limits, total) = limit_messages(&mut c, &format!("file:///tmp/limits/{name}.json"));
        assert_eq!(limits, [*message], "{name}");
        assert_eq!(total, *count, "{name}");
    }
}

#[test]
fn the_time_limit_stops_an_analysis_and_says_where() {
    let mut c = Client::start(Options {
        initialization_options: json!({"runlog.limits.analysisTimeMs": 1}),
        ..Options::default()
    });
    // Big enough that parsing alone takes longer than 1 ms in any build.
    let text = failing_calls(20_000, r#"{"error": "not here"}"#);
    let uri = "file:///tmp/limits/slow.json";
    c.open(uri, &text);
    let (limits, total) = limit_messages(&mut c, uri);
    assert_eq!(limits.len(), 1, "{limits:?}");
    assert!(total < 20_000, "the analysis stopped early: {total}");
    let message = &limits[0];
    assert!(
        message.starts_with("Analysis stopped after ")
            && message.contains(" ms at line ")
            && message
                .ends_with(" (runlog.limits.analysisTimeMs is 1); calls after it are not checked."),
        "{message}"
    );
    // Hover still knows every call, checked or not.
    let last = text.rfind("404").expect("last call");
    let hover = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": position_of(&text, last, "utf-16")}),
        )
        .expect("hover");
    assert!(hover["contents"]["value"]
        .as_str()
        .is_some_and(|m| m.starts_with("**404 Not Found**")));
}
