//! End-to-end LSP tests: they start the built `runlog-lsp` and speak LSP over stdio like an editor.

mod capture;
mod client;
mod curl;
mod editor_settings;
mod failures;
mod hostile;
mod large;
mod numbers;
mod producers;
mod project_config;
mod support;
mod tidy;

use serde_json::{json, Value};
use std::time::Duration;
use support::{apply_edits, codes_and_severities, fixture, position_of, Client, Options};

const SEED: &str = "integration/seed-168379.json";
const URI: &str = "file:///work/logs/seed-168379.json";

fn seed_client() -> (Client, String) {
    let mut c = Client::start(Options::default());
    let text = fixture(SEED);
    c.open(URI, &text);
    (c, text)
}

/// Where `needle` (the n-th occurrence) starts, as an LSP position in UTF-16.
fn pos(text: &str, needle: &str, nth: usize) -> Value {
    let offset = text
        .match_indices(needle)
        .nth(nth)
        .map(|(i, _)| i)
        .expect("needle in text");
    position_of(text, offset, "utf-16")
}

/// The step-2 body string token of the seed (quotes included).
fn seed_body_range(text: &str) -> Value {
    let start = text.find("\"{\\\"type\\\"").expect("body start");
    let end = start + text[start..].find("}\"\n").expect("body end") + 2;
    json!({"start": position_of(text, start, "utf-16"), "end": position_of(text, end, "utf-16")})
}

/// The markdown outside fenced code blocks (what a renderer would interpret).
fn outside_fences(md: &str) -> String {
    let mut out = String::new();
    let mut fence: Option<usize> = None;
    for line in md.lines() {
        let ticks = line.chars().take_while(|c| *c == '`').count();
        match fence {
            Some(n) if ticks >= n && line.trim_start_matches('`').trim().is_empty() => fence = None,
            Some(_) => {}
            None if ticks >= 3 => fence = Some(ticks),
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

// ---------------------------------------------------------------- protocol, sync, robustness

#[test]
fn position_encoding_is_negotiated() {
    for (offered, expected) in [
        (Some(vec!["utf-16", "utf-8"]), "utf-8"),
        (Some(vec!["utf-32", "utf-16"]), "utf-32"),
        (Some(vec!["utf-16"]), "utf-16"),
        (None, "utf-16"),
    ] {
        let c = Client::start(Options {
            position_encodings: offered.clone(),
            ..Options::default()
        });
        let caps = &c.initialize_result["capabilities"];
        assert_eq!(caps["positionEncoding"], expected, "offered {offered:?}");
        assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
        assert!(
            caps.get("diagnosticProvider").is_none(),
            "no pull diagnostics unless the client supports them"
        );
        assert_eq!(
            caps["executeCommandProvider"]["commands"],
            json!([
                "runlog.viewPayload",
                "runlog.revealBody",
                "runlog.copyAsCurl",
                "runlog.showFailures"
            ])
        );
    }
}

#[test]
fn a_thousand_ranged_edits_apply_in_order() {
    let mut c = Client::start(Options::default());
    let uri = "file:///tmp/edits.json";
    let mut text = String::from("{\n  \"名前\": \"😀\",\n  \"status\": 404\n}\n");
    c.open(uri, &text);
    let pieces = ["a", "😀", "名", "\n", "é", "", "{\"x\": 1}"];
    let mut seed: u64 = 42;
    let mut next = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize
    };
    let mut pending = Vec::new();
    for version in 2..1002 {
        // Pick two char boundaries and a replacement; compute the expected text locally.
        let bounds: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .collect();
        let a = bounds[next() % bounds.len()];
        let b = bounds[next() % bounds.len()];
        let (s, e) = (a.min(b), a.max(b).min(a.min(b) + 8));
        let e = bounds
            .iter()
            .copied()
            .filter(|&x| x <= e)
            .max()
            .unwrap_or(s)
            .max(s);
        let insert = pieces[next() % pieces.len()];
        let range = json!({"start": position_of(&text, s, "utf-16"), "end": position_of(&text, e, "utf-16")});
        text.replace_range(s..e, insert);
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"range": range, "text": insert}]}),
        );
        // Requests interleaved with the edits (tower-lsp-server runs them concurrently): they
        // must neither reorder the edits nor fail.
        if version % 50 == 0 {
            pending.push(c.send_request("textDocument/hover", Client::at(uri, 2, 13)));
            pending.push(c.send_request(
                "textDocument/documentSymbol",
                json!({"textDocument": {"uri": uri}}),
            ));
        }
    }
    for id in pending {
        let response = c.response(id);
        assert!(response.get("error").is_none(), "{response}");
    }
    let got = c
        .request(
            "runlog/debugDocumentText",
            json!({"textDocument": {"uri": uri}}),
        )
        .expect("debug text");
    assert_eq!(got["version"], 1001);
    assert_eq!(got["text"].as_str(), Some(text.as_str()));
}

#[test]
fn stale_and_unknown_changes_are_ignored_and_positions_clamp() {
    let mut c = Client::start(Options::default());
    let uri = "file:///tmp/stale.json";
    c.open(uri, "{\"a\": 1}");
    c.set_version(uri, 5);
    c.replace(uri, "{\"b\": 2}"); // version 6
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": "stale"}]}),
    );
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": "file:///tmp/never-opened.json", "version": 9}, "contentChanges": [{"text": "x"}]}),
    );
    let got = c
        .request(
            "runlog/debugDocumentText",
            json!({"textDocument": {"uri": uri}}),
        )
        .expect("debug text");
    assert_eq!(got["text"], "{\"b\": 2}");
    assert_eq!(got["version"], 6);
    // Out-of-range positions and unknown documents: answers, not errors.
    assert_eq!(
        c.request("textDocument/hover", Client::at(uri, 999, 999)),
        Ok(Value::Null)
    );
    assert_eq!(
        c.request(
            "textDocument/hover",
            Client::at("file:///tmp/nope.json", 0, 0)
        ),
        Ok(Value::Null)
    );
    assert_eq!(
        c.request(
            "textDocument/definition",
            Client::at(uri, u32::MAX as u64, u32::MAX as u64)
        ),
        Ok(Value::Null)
    );
    let log = c.wait_for("window/logMessage", |p| {
        p["message"]
            .as_str()
            .is_some_and(|m| m.contains("not newer"))
    });
    assert_eq!(log["type"], 2);
    c.wait_for("window/logMessage", |p| {
        p["message"]
            .as_str()
            .is_some_and(|m| m.contains("not open"))
    });
}

#[test]
fn a_handler_panic_is_survived() {
    let (mut c, text) = seed_client();
    let err = c
        .request("runlog/debugPanic", Value::Null)
        .expect_err("the panic becomes an error");
    assert_eq!(err["code"], -32603);
    c.wait_for("window/logMessage", |p| {
        p["message"]
            .as_str()
            .is_some_and(|m| m.contains("panicked"))
    });
    // Still serving.
    let got = c
        .request(
            "runlog/debugDocumentText",
            json!({"textDocument": {"uri": URI}}),
        )
        .expect("still alive");
    assert_eq!(got["text"].as_str(), Some(text.as_str()));
}

#[test]
fn exits_at_end_of_stdin() {
    let mut c = Client::start(Options::default());
    let status = c.close_stdin_and_wait(Duration::from_secs(10));
    assert!(
        status.is_some(),
        "the server did not exit when its stdin closed"
    );
}

#[test]
fn exits_with_zero_after_shutdown_and_exit() {
    let mut c = Client::start(Options::default());
    let status = c.shutdown().expect("exited");
    assert!(status.success(), "{status:?}");
}

#[cfg(unix)]
#[test]
fn exits_when_the_editor_process_is_gone() {
    let mut editor = std::process::Command::new("sleep")
        .arg("60")
        .spawn()
        .expect("spawn a stand-in editor");
    let mut c = Client::start(Options {
        process_id: Some(editor.id()),
        ..Options::default()
    });
    assert!(
        c.wait_exit(Duration::from_secs(3)).is_none(),
        "exited while the editor was alive"
    );
    editor.kill().expect("kill stand-in editor");
    editor.wait().expect("reap stand-in editor");
    let status = c.wait_exit(Duration::from_secs(15));
    assert!(status.is_some(), "the server outlived the editor process");
}

#[test]
fn logs_go_to_stderr_and_secrets_are_not_logged() {
    let (mut c, _) = seed_client();
    let _ = c.diagnostics(URI);
    let _ = c.request("textDocument/hover", Client::at(URI, 40, 27));
    c.shutdown();
    let stderr = c.stderr_text();
    assert!(
        stderr.contains("runlog-lsp"),
        "expected a start-up line on stderr: {stderr}"
    );
    for secret in [
        "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",
        "YW55c3RyaW5nOjVmM2E5YzFkMmU4YjRhN2M5ZDBlMWYyYTNiNGM1ZDZlLXVzMjE=",
    ] {
        assert!(!stderr.contains(secret), "a secret reached the log");
    }
}

// ---------------------------------------------------------------- diagnostics

#[test]
fn diagnostics_on_the_seed() {
    let (mut c, text) = seed_client();
    let diags = c.diagnostics(URI);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    let d = &diags[0];
    // 41:27 (1-based) in the fixture README.
    assert_eq!(
        d["range"],
        json!({"start": {"line": 40, "character": 26}, "end": {"line": 40, "character": 29}})
    );
    assert_eq!(d["source"], "runlog");
    assert_eq!(d["code"], "400");
    assert_eq!(d["severity"], 1);
    let message = d["message"].as_str().unwrap_or_default();
    assert!(message.starts_with("400 Bad Request"), "{message}");
    assert!(
        d["codeDescription"]["href"]
            .as_str()
            .is_some_and(|h| h.starts_with("https://developer.mozilla.org/")),
        "{d}"
    );
    let related = &d["relatedInformation"][0];
    assert_eq!(related["message"], "Response body");
    assert_eq!(related["location"]["uri"], URI);
    assert_eq!(related["location"]["range"], seed_body_range(&text));
}

#[test]
fn pull_diagnostics_when_the_client_supports_them() {
    let mut c = Client::start(Options {
        pull_diagnostics: true,
        ..Options::default()
    });
    assert_eq!(
        c.initialize_result["capabilities"]["diagnosticProvider"]["identifier"],
        "runlog"
    );
    c.open(URI, &fixture(SEED));
    let report = c
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": URI}}),
        )
        .expect("report");
    assert_eq!(report["kind"], "full");
    let items = report["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["code"], "400");
    // Pulled, so never also pushed.
    let pushed = c.try_wait_for(
        "textDocument/publishDiagnostics",
        Duration::from_millis(500),
        |p| p["uri"] == URI,
    );
    assert!(pushed.is_none(), "diagnostics were pushed too: {pushed:?}");
    // Settings change: the client is asked to pull again, and gets the new severity.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"runlog": {"diagnostics": {"severity": {"4xx": "warning"}}}}}),
    );
    c.wait_for("workspace/diagnostic/refresh", |_| true);
    let report = c
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": URI}}),
        )
        .expect("report");
    assert_eq!(report["items"][0]["severity"], 2, "{report}");
}

#[test]
fn ordinary_json_stays_quiet() {
    let mut c = Client::start(Options::default());
    let uri = "file:///work/package.json";
    c.open(uri, &fixture("negative/package.json"));
    assert_eq!(c.diagnostics(uri), Vec::<Value>::new());
    let full = json!({"start": {"line": 0, "character": 0}, "end": {"line": 9999, "character": 0}});
    let hints = c
        .request(
            "textDocument/inlayHint",
            json!({"textDocument": {"uri": uri}, "range": full}),
        )
        .expect("hints");
    assert_eq!(hints, json!([]));
    let lenses = c
        .request(
            "textDocument/codeLens",
            json!({"textDocument": {"uri": uri}}),
        )
        .expect("lenses");
    assert_eq!(lenses, json!([]));
    let symbols = c
        .request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": uri}}),
        )
        .expect("symbols");
    assert_eq!(symbols, json!([]));
}

#[test]
fn a_truncated_log_still_reports_and_says_where_it_stops() {
    let mut c = Client::start(Options::default());
    let uri = "file:///work/logs/cut.json";
    let text = fixture("truncated/seed-cut-mid-body.json");
    c.open(uri, &text);
    let diags = c.diagnostics(uri);
    assert!(
        diags
            .iter()
            .any(|d| d["code"] == "400"
                && d["range"]["start"] == json!({"line": 40, "character": 26})),
        "{diags:#?}"
    );
    let invalid: Vec<&Value> = diags.iter().filter(|d| d["code"] != "400").collect();
    assert_eq!(
        invalid.len(),
        1,
        "one diagnostic says where the JSON stops: {diags:#?}"
    );
    assert_eq!(invalid[0]["range"]["start"]["line"], 57);
}

#[test]
fn positions_in_utf16_and_utf8_with_emoji_and_cjk() {
    let text = fixture("unicode/emoji-cjk.json");
    for encoding in ["utf-8", "utf-16", "utf-32"] {
        let mut c = Client::start(Options {
            position_encodings: Some(vec![encoding]),
            ..Options::default()
        });
        let uri = "file:///work/logs/emoji.json";
        c.open(uri, &text);
        let diags = c.diagnostics(uri);
        let d400 = diags
            .iter()
            .find(|d| d["code"] == "400")
            .unwrap_or_else(|| panic!("{diags:#?}"));
        // 10:60 in characters (README): the 400 token on line 10.
        let line = text.lines().nth(9).expect("line 10");
        let col_chars = 59;
        let byte_in_line = line
            .char_indices()
            .nth(col_chars)
            .map(|(i, _)| i)
            .expect("col");
        assert_eq!(&line[byte_in_line..byte_in_line + 3], "400");
        let line_start = text.lines().take(9).map(|l| l.len() + 1).sum::<usize>();
        let expected = json!({"start": position_of(&text, line_start + byte_in_line, encoding),
                              "end": position_of(&text, line_start + byte_in_line + 3, encoding)});
        assert_eq!(d400["range"], expected, "{encoding}");
        // Hover at the same position in that encoding finds the code.
        let hover = c
            .request(
                "textDocument/hover",
                json!({"textDocument": {"uri": uri}, "position": expected["start"]}),
            )
            .expect("hover");
        assert_eq!(hover["range"], expected, "{encoding}");
    }
}

// ---------------------------------------------------------------- hover, definition, payload

#[test]
fn hover_on_a_status_code() {
    let (mut c, _) = seed_client();
    let hover = c
        .request("textDocument/hover", Client::at(URI, 40, 27))
        .expect("hover");
    let md = hover["contents"]["value"].as_str().unwrap_or_default();
    // Its words are in the fixture snapshots (server/src/fixture_snapshots.rs).
    assert_eq!(hover["contents"]["kind"], "markdown");
    assert!(md.contains("(https://developer.mozilla.org/"), "{md}");
    assert_eq!(
        outside_fences(md).matches("](").count(),
        1,
        "the MDN link is the only link: {md}"
    );
    assert!(!md.contains("YW55c3RyaW5n"), "no secrets in the hover");
    assert_eq!(
        hover["range"],
        json!({"start": {"line": 40, "character": 26}, "end": {"line": 40, "character": 29}})
    );
    // On the key too.
    let on_key = c
        .request("textDocument/hover", Client::at(URI, 40, 12))
        .expect("hover");
    assert_eq!(on_key["range"], hover["range"]);
    // Nowhere near a status: nothing.
    assert_eq!(
        c.request("textDocument/hover", Client::at(URI, 2, 4)),
        Ok(Value::Null)
    );
}

#[test]
fn hostile_log_text_renders_inert() {
    let mut c = Client::start(Options::default());
    let uri = "file:///work/logs/hostile.json";
    let text = r#"{"name": "[x](command:workbench.action.terminal.new) <img src=x onerror=alert(1)>", "method": "GET", "url": "https://e.invalid/``` [y](command:evil)", "status": 400,
"body": {"error": {"message": "``` \n[click](command:rm) <script>alert(1)</script> \u202e"}}}"#;
    c.open(uri, text);
    let _ = c.diagnostics(uri);
    let p = pos(text, "400", 0);
    let hover = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": p}),
        )
        .expect("hover");
    let md = hover["contents"]["value"].as_str().unwrap_or_default();
    let active = outside_fences(md);
    assert!(!active.contains("](command:"), "{md}");
    assert!(
        !active.contains(" <img") && !active.contains("<script"),
        "{md}"
    );
    assert!(!md.contains('\u{202e}'), "{md}");
    assert_eq!(
        active.matches("](").count(),
        1,
        "the MDN link is the only link: {md}"
    );
}

#[test]
fn definition_goes_to_the_response_body() {
    let (mut c, text) = seed_client();
    let def = c
        .request("textDocument/definition", Client::at(URI, 40, 27))
        .expect("definition");
    assert_eq!(def["uri"], URI);
    assert_eq!(def["range"], seed_body_range(&text));
}

#[test]
fn payload_request_and_view_payload_command() {
    let (mut c, _) = seed_client();
    let view = c
        .request("runlog/payload", Client::at(URI, 40, 27))
        .expect("payload");
    assert_eq!(view["language"], "json");
    assert!(
        view["title"].as_str().is_some_and(|t| !t.is_empty()),
        "{view}"
    );
    // Its content is in the fixture snapshots (server/src/fixture_snapshots.rs).
    let content = view["content"].as_str().unwrap_or_default();
    assert!(
        !content.contains("YW55c3RyaW5nOjVmM2E5"),
        "secrets redacted: {content}"
    );
    let via_command = c
        .request("workspace/executeCommand", json!({"command": "runlog.viewPayload", "arguments": [{"uri": URI, "position": {"line": 40, "character": 27}}]}))
        .expect("command");
    assert_eq!(via_command, view);
}

#[test]
fn reveal_body_command_asks_the_client_to_show_it() {
    let (mut c, text) = seed_client();
    let result = c
        .request("workspace/executeCommand", json!({"command": "runlog.revealBody", "arguments": [{"uri": URI, "position": {"line": 40, "character": 26}}]}))
        .expect("command");
    assert_eq!(result["shown"], true);
    let shown = c
        .server_requests
        .iter()
        .find(|r| r["method"] == "window/showDocument")
        .expect("showDocument sent")
        .clone();
    assert_eq!(shown["params"]["uri"], URI);
    assert_eq!(shown["params"]["takeFocus"], true);
    assert_eq!(shown["params"]["selection"], seed_body_range(&text));
    let bad = c.request(
        "workspace/executeCommand",
        json!({"command": "runlog.revealBody", "arguments": []}),
    );
    assert!(bad.is_err());
}

// ---------------------------------------------------------------- code actions

fn actions_at(c: &mut Client, uri: &str, p: Value, diagnostics: Value) -> Vec<Value> {
    let params = json!({"textDocument": {"uri": uri}, "range": {"start": p, "end": p}, "context": {"diagnostics": diagnostics}});
    c.request("textDocument/codeAction", params)
        .expect("code actions")
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn code_actions_at_a_failing_status_and_unfold_then_fold_round_trips() {
    let (mut c, text) = seed_client();
    let diags = c.diagnostics(URI);
    let actions = actions_at(
        &mut c,
        URI,
        json!({"line": 40, "character": 27}),
        json!(diags),
    );
    let titles: Vec<&str> = actions.iter().filter_map(|a| a["title"].as_str()).collect();
    assert!(
        titles.iter().any(|t| t.starts_with("View payload")),
        "{titles:?}"
    );
    assert!(
        titles.iter().any(|t| t.starts_with("Go to response body")),
        "{titles:?}"
    );
    assert!(
        titles.iter().any(|t| t.starts_with("Unfold response body")),
        "{titles:?}"
    );
    for a in &actions {
        assert_eq!(a["kind"], "quickfix");
        assert_eq!(a["diagnostics"], json!(diags), "attached to its diagnostic");
    }
    let view = actions
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("View payload"))
        })
        .expect("view");
    assert_eq!(view["isPreferred"], true);
    assert_eq!(view["command"]["command"], "runlog.viewPayload");
    assert_eq!(view["command"]["arguments"][0]["uri"], URI);
    let go = actions
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("Go to response body"))
        })
        .expect("go");
    assert_eq!(go["command"]["command"], "runlog.revealBody");

    let unfold = actions
        .iter()
        .find(|a| a["title"].as_str().is_some_and(|t| t.starts_with("Unfold")))
        .expect("unfold");
    let edits = unfold["edit"]["changes"][URI]
        .as_array()
        .cloned()
        .expect("edits");
    let unfolded = apply_edits(&text, &edits, "utf-16");
    assert!(
        unfolded.contains("\"title\": \"Member Exists\""),
        "{unfolded}"
    );
    // Indented to fit: the body's key sits at 14 spaces; the unfolded object's members deeper.
    let member_line = unfolded
        .lines()
        .find(|l| l.contains("\"title\": \"Member Exists\""))
        .expect("line");
    assert!(
        member_line.starts_with("                "),
        "{member_line:?}"
    );

    let v = c.replace(URI, &unfolded);
    assert_eq!(v, 2);
    let diags2 = c.diagnostics(URI);
    assert_eq!(diags2.len(), 1);
    let at_body = pos(&unfolded, "\"title\": \"Member Exists\"", 0);
    let actions2 = actions_at(&mut c, URI, at_body, json!(diags2));
    let fold = actions2
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("Fold response body into a string"))
        })
        .unwrap_or_else(|| panic!("no fold action: {actions2:#?}"));
    let edits = fold["edit"]["changes"][URI]
        .as_array()
        .cloned()
        .expect("edits");
    assert_eq!(
        apply_edits(&unfolded, &edits, "utf-16"),
        text,
        "unfold then fold gives the original text"
    );
}

#[test]
fn no_code_actions_away_from_a_failing_call() {
    let (mut c, _) = seed_client();
    let _ = c.diagnostics(URI);
    // The 200 of step 1 (line 17, col 27): not failing; only body actions could apply there,
    // and the cursor is on the status, so View payload is not offered.
    let actions = actions_at(&mut c, URI, json!({"line": 16, "character": 27}), json!([]));
    assert!(
        actions.iter().all(|a| !a["title"]
            .as_str()
            .unwrap_or_default()
            .starts_with("View payload")),
        "{actions:#?}"
    );
    let none = actions_at(&mut c, URI, json!({"line": 1, "character": 3}), json!([]));
    assert_eq!(none, Vec::<Value>::new());
}

// ---------------------------------------------------------------- hints, symbols, folding, lenses

#[test]
fn inlay_hints_name_bare_status_numbers() {
    let (mut c, _) = seed_client();
    let range = json!({"start": {"line": 0, "character": 0}, "end": {"line": 200, "character": 0}});
    let hints = c
        .request(
            "textDocument/inlayHint",
            json!({"textDocument": {"uri": URI}, "range": range}),
        )
        .expect("hints");
    let hints = hints.as_array().cloned().unwrap_or_default();
    let h400 = hints
        .iter()
        .find(|h| h["position"] == json!({"line": 40, "character": 29}))
        .unwrap_or_else(|| panic!("{hints:#?}"));
    assert_eq!(h400["label"], "Bad Request");
    assert!(
        hints
            .iter()
            .any(|h| h["position"] == json!({"line": 16, "character": 29}) && h["label"] == "OK"),
        "{hints:#?}"
    );
    // A log that already has statusText gets no hint there.
    let uri = "file:///work/logs/has-text.json";
    let text =
        r#"{"response": {"status": 404, "statusText": "Not Found", "body": {"message": "gone"}}}"#;
    c.open(uri, text);
    let hints = c
        .request(
            "textDocument/inlayHint",
            json!({"textDocument": {"uri": uri}, "range": range}),
        )
        .expect("hints");
    assert_eq!(hints, json!([]));
}

#[test]
fn document_symbols_are_runs_then_calls() {
    let (mut c, _) = seed_client();
    let symbols = c
        .request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": URI}}),
        )
        .expect("symbols");
    let symbols = symbols.as_array().cloned().unwrap_or_default();
    assert_eq!(symbols.len(), 1, "{symbols:#?}");
    assert!(
        symbols[0]["name"]
            .as_str()
            .is_some_and(|n| n.contains("run_9f1c2e7a")),
        "{symbols:#?}"
    );
    let children = symbols[0]["children"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let names: Vec<&str> = children.iter().filter_map(|s| s["name"].as_str()).collect();
    assert!(
        names.contains(&"Add member to Mailchimp audience — 400 Bad Request"),
        "{names:?}"
    );
    assert!(
        names.contains(&"Get customer from Shopify — 200 OK"),
        "{names:?}"
    );
    let failing = children
        .iter()
        .find(|s| s["name"].as_str().is_some_and(|n| n.contains("400")))
        .expect("failing");
    assert_eq!(failing["kind"], 24, "failing calls are events");
}

#[test]
fn folding_ranges_per_call_and_body() {
    let (mut c, text) = seed_client();
    let ranges = c
        .request(
            "textDocument/foldingRange",
            json!({"textDocument": {"uri": URI}}),
        )
        .expect("folding");
    let ranges = ranges.as_array().cloned().unwrap_or_default();
    let step2_start = text
        .lines()
        .position(|l| l.contains("\"step\": 2"))
        .expect("step 2") as u64
        - 1;
    assert!(
        ranges.iter().any(|r| r["startLine"] == step2_start),
        "a range per call: {ranges:#?}"
    );
    assert!(ranges
        .iter()
        .all(|r| r["endLine"].as_u64() > r["startLine"].as_u64()));
}

#[test]
fn code_lenses_over_failing_calls_and_runs() {
    let (mut c, _) = seed_client();
    let lenses = c
        .request(
            "textDocument/codeLens",
            json!({"textDocument": {"uri": URI}}),
        )
        .expect("lenses");
    let lenses = lenses.as_array().cloned().unwrap_or_default();
    let titles: Vec<&str> = lenses
        .iter()
        .filter_map(|l| l["command"]["title"].as_str())
        .collect();
    assert_eq!(
        titles,
        vec![
            "1 failing call · 1 cause",
            "View payload",
            "Go to response body",
            "1 failing call"
        ],
        "{lenses:#?}"
    );
    // The summary at the top of the log (tests/lsp/failures.rs has the rest).
    assert_eq!(
        lenses[0]["range"]["start"],
        json!({"line": 0, "character": 0})
    );
    assert_eq!(lenses[0]["command"]["command"], "runlog.showFailures");
    assert_eq!(
        lenses[1]["range"]["start"],
        json!({"line": 40, "character": 26})
    );
    assert_eq!(lenses[1]["command"]["command"], "runlog.viewPayload");
    assert_eq!(lenses[2]["command"]["command"], "runlog.revealBody");
}

// ---------------------------------------------------------------- settings

#[test]
fn configuration_changes_take_effect_without_restart() {
    let mut c = Client::start(Options::default());
    c.open(URI, &fixture(SEED));
    assert_eq!(c.diagnostics(URI).len(), 1);

    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"runlog": {"diagnostics": {"minimumStatus": 500}}}}),
    );
    let d = c.disk_diagnostics(URI);
    assert_eq!(d, Vec::<Value>::new(), "400 is below minimumStatus 500");

    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"runlog": {"diagnostics": {"severity": {"4xx": "warning"}}}}}),
    );
    let d = c.disk_diagnostics(URI);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0]["severity"], 2);

    c.notify("workspace/didChangeConfiguration", json!({"settings": {"runlog.statusCodes": {"400": {"title": "Member Trouble", "description": "Ours."}}}}));
    let _ = c.disk_diagnostics(URI);
    let hover = c
        .request("textDocument/hover", Client::at(URI, 40, 27))
        .expect("hover");
    let md = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(md.starts_with("**400 Member Trouble**"), "{md}");
}

#[test]
fn initialization_options_and_workspace_configuration() {
    // Flat dotted keys in initializationOptions.
    let mut c = Client::start(Options {
        initialization_options: json!({"runlog.diagnostics.minimumStatus": 500}),
        ..Options::default()
    });
    c.open(URI, &fixture(SEED));
    assert_eq!(c.diagnostics(URI), Vec::<Value>::new());
    drop(c);

    // workspace/configuration (section "runlog") is asked after initialized and on change.
    let mut c = Client::start(Options {
        configuration: Some(json!({"diagnostics": {"severity": {"400": "information"}}})),
        ..Options::default()
    });
    c.wait_for("workspace/configuration", |p| {
        p["items"][0]["section"] == "runlog"
    });
    c.open(URI, &fixture(SEED));
    let d = c.diagnostics(URI);
    assert_eq!(d[0]["severity"], 3, "{d:#?}");
    *c.configuration.lock().expect("lock") =
        Some(json!({"diagnostics": {"severity": {"400": "hint"}}}));
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": null}),
    );
    let d = c.disk_diagnostics(URI);
    assert_eq!(d[0]["severity"], 4, "{d:#?}");
}

// ---------------------------------------------------------------- watched files

#[test]
fn watched_files_on_disk_are_analysed_refreshed_and_cleared() {
    let dir = tempfile::tempdir().expect("tempdir");
    let logs = dir.path().join("logs");
    std::fs::create_dir_all(&logs).expect("mkdir");
    let file = logs.join("run.json");
    let text = fixture(SEED);
    std::fs::write(&file, &text).expect("write log");
    std::fs::write(dir.path().join("big.json"), "x".repeat(10_000)).expect("write big");
    let root = dir.path().canonicalize().expect("canonical root");
    let file = root.join("logs/run.json");
    let uri = support::file_uri(&file);
    let mut c = Client::start(Options {
        root: Some(root.clone()),
        initialization_options: json!({"runlog": {"files": {"watch": ["logs/*.json", "*.json"]}, "maxFileSize": 5000}}),
        ..Options::default()
    });
    let d = c.disk_diagnostics(&uri);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0]["code"], "400");
    c.wait_for("window/logMessage", |p| {
        p["message"]
            .as_str()
            .is_some_and(|m| m.contains("big.json") && m.contains("maxFileSize"))
    });
    assert!(
        c.server_requests
            .iter()
            .any(|r| r["method"] == "client/registerCapability"),
        "watchers registered"
    );
    // The start-up scan reported its progress.
    assert!(
        c.server_requests
            .iter()
            .any(|r| r["method"] == "window/workDoneProgress/create"),
        "progress token created"
    );
    let end = c.wait_for("$/progress", |p| p["value"]["kind"] == "end");
    assert!(
        end["value"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("run logs analysed")),
        "{end}"
    );

    // The log grows: a second failing call.
    let appended = text.replace("\"network_code\": 200", "\"network_code\": 503");
    std::fs::write(&file, &appended).expect("rewrite");
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri, "type": 2}]}),
    );
    let d = c.disk_diagnostics(&uri);
    let codes: Vec<&str> = d.iter().filter_map(|x| x["code"].as_str()).collect();
    assert_eq!(codes, vec!["503", "400"], "{d:#?}");

    std::fs::remove_file(&file).expect("delete");
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri, "type": 3}]}),
    );
    assert_eq!(c.disk_diagnostics(&uri), Vec::<Value>::new());
}

#[test]
fn cancelled_requests_are_answered_and_the_server_goes_on() {
    let (mut c, text) = seed_client();
    // A hover that must wait for the analysis of a fresh edit, cancelled straight away.
    c.replace(URI, &text);
    c.notify("$/cancelRequest", json!({"id": 999_999}));
    let params = Client::at(URI, 40, 27);
    let id = c.send_request("textDocument/hover", params);
    c.notify("$/cancelRequest", json!({"id": id}));
    let response = c.response(id);
    // Either it was cancelled (RequestCancelled) or it had already been answered.
    if let Some(err) = response.get("error") {
        assert_eq!(err["code"], -32800, "{response}");
    } else {
        assert!(response["result"]["contents"].is_object(), "{response}");
    }
    let hover = c
        .request("textDocument/hover", Client::at(URI, 40, 27))
        .expect("hover after a cancel");
    assert!(hover["contents"]["value"]
        .as_str()
        .is_some_and(|v| v.starts_with("**400")));
}

// ---------------------------------------------------------------- every fixture, every request

/// Every fixture through every request: run logs get diagnostics, ordinary JSON none, and no
/// request fails on any of them.
#[test]
fn every_fixture_through_every_request() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
    let mut c = Client::start(Options::default());
    let mut checked = 0;
    for dir in [
        "integration",
        "har",
        "newman",
        "jsonl",
        "generic",
        "truncated",
        "unicode",
        "negative",
        "bodies",
        "no-response",
    ] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        let mut paths: Vec<_> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect();
        paths.sort();
        for path in paths {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let uri = support::file_uri(&path);
            c.open(&uri, &text);
            let diags = c.diagnostics(&uri);
            let name = path.display().to_string();
            match dir {
                "negative" => assert_eq!(diags, Vec::<Value>::new(), "{name} must stay quiet"),
                "bodies" => {}
                _ => assert!(!diags.is_empty(), "{name} has no diagnostics"),
            }
            let doc = json!({"uri": uri});
            let all = json!({"start": {"line": 0, "character": 0}, "end": {"line": 100000, "character": 0}});
            for (method, params) in [
                ("textDocument/documentSymbol", json!({"textDocument": doc})),
                ("textDocument/foldingRange", json!({"textDocument": doc})),
                ("textDocument/codeLens", json!({"textDocument": doc})),
                (
                    "textDocument/inlayHint",
                    json!({"textDocument": doc, "range": all}),
                ),
            ] {
                c.request(method, params)
                    .unwrap_or_else(|e| panic!("{method} on {name}: {e}"));
            }
            for d in &diags {
                let at = json!({"textDocument": doc, "position": d["range"]["start"]});
                let is_call = d["code"].as_str().is_some_and(|s| s.parse::<u16>().is_ok());
                let hover = c
                    .request("textDocument/hover", at.clone())
                    .unwrap_or_else(|e| panic!("hover on {name}: {e}"));
                if is_call {
                    assert!(
                        hover["contents"]["value"]
                            .as_str()
                            .is_some_and(|v| v.starts_with("**")),
                        "{name}: {hover}"
                    );
                }
                for method in ["textDocument/definition", "runlog/payload"] {
                    c.request(method, at.clone())
                        .unwrap_or_else(|e| panic!("{method} on {name}: {e}"));
                }
                let range = json!({"start": d["range"]["start"], "end": d["range"]["start"]});
                let actions = c
                    .request("textDocument/codeAction", json!({"textDocument": doc, "range": range, "context": {"diagnostics": [d]}}))
                    .unwrap_or_else(|e| panic!("codeAction on {name}: {e}"));
                if is_call && d["severity"].as_u64() <= Some(2) {
                    assert!(
                        actions
                            .as_array()
                            .is_some_and(|a| a.iter().any(|x| x["title"] == "View payload")),
                        "{name}: {actions}"
                    );
                }
            }
            c.notify("textDocument/didClose", json!({"textDocument": doc}));
            checked += 1;
        }
    }
    assert!(checked >= 30, "only {checked} fixtures");
}

#[test]
fn an_analysis_panic_is_survived() {
    let (mut c, _) = seed_client();
    assert_eq!(c.diagnostics(URI).len(), 1);
    let uri = "file:///work/logs/boom.json";
    c.open(
        uri,
        r#"{"status": 500, "body": {"message": "runlog-lsp:debug-panic-in-analysis"}}"#,
    );
    assert_eq!(
        c.diagnostics(uri),
        Vec::<Value>::new(),
        "nothing reported for it"
    );
    c.wait_for("window/logMessage", |p| {
        p["type"] == 1
            && p["message"]
                .as_str()
                .is_some_and(|m| m.contains("analysis of") && m.contains("panicked"))
    });
    assert_eq!(
        c.request("textDocument/hover", Client::at(uri, 0, 12)),
        Ok(Value::Null)
    );
    // The other document is still served.
    let hover = c
        .request("textDocument/hover", Client::at(URI, 40, 27))
        .expect("hover");
    assert!(hover["contents"]["value"]
        .as_str()
        .is_some_and(|v| v.starts_with("**400")));
}

#[cfg(unix)]
#[test]
fn a_process_id_that_is_not_visible_is_not_watched() {
    // A pid from another namespace looks dead from here; the server must not exit because of it.
    let mut dead = std::process::Command::new("true").spawn().expect("spawn");
    let pid = dead.id();
    dead.wait().expect("reap");
    let mut c = Client::start(Options {
        process_id: Some(pid),
        ..Options::default()
    });
    assert!(
        c.wait_exit(Duration::from_secs(5)).is_none(),
        "exited because of an invisible processId"
    );
    c.wait_for("window/logMessage", |_| true);
}

#[test]
fn an_edit_inside_a_call_gives_fresh_diagnostics_and_shifts_later_ones() {
    let mut c = Client::start(Options::default());
    let uri = "file:///tmp/incremental.json";
    let text = "[\n  {\"name\": \"get order\", \"status\": 404, \"body\": {\"message\": \"no such order\"}},\n  {\"name\": \"pay\", \"status\": 200, \"body\": {}},\n  {\"name\": \"create\", \"status\": 409, \"body\": {\"message\": \"order exists\"}}\n]\n";
    c.open(uri, text);
    let before = c.diagnostics(uri);
    let summary = |diags: &[Value]| -> Vec<(Value, String)> {
        diags
            .iter()
            .map(|d| {
                (
                    d["range"].clone(),
                    d["message"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    };
    let range = |line: u64, from: u64, to: u64| json!({"start": {"line": line, "character": from}, "end": {"line": line, "character": to}});
    assert_eq!(
        summary(&before),
        [
            (range(1, 34, 37), "404 Not Found: no such order".to_string()),
            (range(3, 31, 34), "409 Conflict: order exists".to_string()),
        ]
    );
    // Two ranged changes in one didChange: the status becomes 500, and the body's message is
    // replaced by a longer one spanning a new line.
    let mut edited = text.replacen("404", "500", 1);
    let old_message = "\"no such order\"}";
    let new_message = "\"database unavailable\",\n    \"detail\": \"retry later\"}";
    let at = edited.find(old_message).expect("message");
    let status_at = text.find("404").expect("status");
    let changes = json!([
        {"range": {"start": position_of(text, status_at, "utf-16"), "end": position_of(text, status_at + 3, "utf-16")}, "text": "500"},
        {"range": {"start": position_of(&edited, at, "utf-16"), "end": position_of(&edited, at + old_message.len(), "utf-16")}, "text": new_message},
    ]);
    edited.replace_range(at..at + old_message.len(), new_message);
    c.set_version(uri, 2);
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": changes}),
    );
    let after = c.diagnostics(uri);
    assert_eq!(
        summary(&after),
        [
            (
                range(1, 34, 37),
                "500 Internal Server Error: database unavailable — retry later".to_string()
            ),
            // One line further down, same column.
            (range(4, 31, 34), "409 Conflict: order exists".to_string()),
        ]
    );
    // Exactly what a fresh analysis of the new text publishes.
    let fresh = "file:///tmp/incremental-fresh.json";
    c.open(fresh, &edited);
    let expected = c.diagnostics(fresh);
    let related = |diags: &[Value]| -> Vec<Value> {
        diags
            .iter()
            .map(|d| {
                let mut d = d.clone();
                d["relatedInformation"]
                    .as_array_mut()
                    .into_iter()
                    .flatten()
                    .for_each(|r| r["location"]["uri"] = json!(""));
                d
            })
            .collect()
    };
    assert_eq!(related(&after), related(&expected));
}

/// The benchmarks' generators (std-only).
#[path = "../../server/benches/gen/mod.rs"]
mod gen;

#[test]
fn watched_files_over_max_file_size_are_streamed_with_the_same_diagnostics() {
    let dir = tempfile::tempdir().expect("tempdir");
    let logs = dir.path().join("logs");
    std::fs::create_dir_all(&logs).expect("mkdir");
    let har = gen::generate(gen::GenFormat::Har, 400_000);
    let unicode = fixture("unicode/emoji-cjk.json");
    std::fs::write(logs.join("big.har"), &har).expect("write har");
    std::fs::write(logs.join("unicode.json"), &unicode).expect("write unicode");
    let root = dir.path().canonicalize().expect("canonical root");
    for encoding in ["utf-16", "utf-8"] {
        let mut c = Client::start(Options {
            root: Some(root.clone()),
            position_encodings: Some(vec![encoding]),
            initialization_options: json!({"runlog": {"files": {"watch": ["logs/*"]}, "maxFileSize": 1000}}),
            ..Options::default()
        });
        for (name, text) in [("big.har", &har), ("unicode.json", &unicode)] {
            let uri = support::file_uri(&root.join("logs").join(name));
            let streamed = c.disk_diagnostics(&uri);
            c.wait_for("window/logMessage", |p| {
                p["message"]
                    .as_str()
                    .is_some_and(|m| m.contains(name) && m.contains("analysed from disk in parts"))
            });
            // Opened, the same text is analysed whole: the diagnostics must not differ.
            c.open(&uri, text);
            let whole = c.diagnostics(&uri);
            assert!(!whole.is_empty(), "{name}");
            assert_eq!(streamed, whole, "{name} {encoding}");
            if name == "big.har" {
                let failing = gen::stats(gen::GenFormat::Har, &har).failing;
                assert_eq!(streamed.len(), failing);
            }
        }
    }
}

#[test]
fn a_call_without_response_has_a_diagnostic_a_hover_and_a_payload() {
    let mut c = Client::start(Options::default());
    let uri = "file:///work/logs/chromium-no-response.har";
    let text = fixture("har/chromium-no-response.pretty.har");
    c.open(uri, &text);
    let diags = c.diagnostics(uri);
    let codes = codes_and_severities(&diags);
    // Four errors, and the request the page cancelled is a warning.
    assert_eq!(
        codes,
        [
            ("no-response", 1),
            ("no-response", 1),
            ("no-response", 1),
            ("no-response", 1),
            ("no-response", 2)
        ],
        "{diags:?}"
    );
    let first = &diags[0];
    assert_eq!(
        first["range"],
        json!({"start": {"line": 184, "character": 20}, "end": {"line": 184, "character": 22}})
    );
    let message = first["message"].as_str().unwrap_or_default();
    assert!(
        message
            .starts_with("No response (net::ERR_CONNECTION_REFUSED): The connection was refused"),
        "{message}"
    );
    assert_eq!(first["codeDescription"], Value::Null);

    let at = Client::at(uri, 184, 21);
    let hover = c.request("textDocument/hover", at.clone()).expect("hover");
    let md = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(
        md.starts_with("**No response** · `net::ERR_CONNECTION_REFUSED`"),
        "{md}"
    );
    assert!(md.contains("The connection was refused"), "{md}");
    assert!(md.contains("What to check next"), "{md}");
    assert!(md.contains("Check that the service is running"), "{md}");
    assert!(md.contains("/api/orders"), "{md}");
    assert!(!md.contains("Class:"), "{md}");

    let view = c.request("runlog/payload", at).expect("payload");
    let doc: Value = serde_json::from_str(view["content"].as_str().unwrap_or_default())
        .expect("payload content is JSON");
    assert_eq!(doc["response"], "no response", "{doc}");
    assert_eq!(doc["request"]["method"], "GET", "{doc}");
    assert_eq!(doc["error"]["code"], "net::ERR_CONNECTION_REFUSED", "{doc}");
    assert!(
        view["title"]
            .as_str()
            .is_some_and(|t| t.ends_with("→ no response (net::ERR_CONNECTION_REFUSED)")),
        "{view}"
    );
}
