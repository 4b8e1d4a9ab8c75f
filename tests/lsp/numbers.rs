//! Numbers where tower-lsp-server's protocol types are untagged enums: request ids (`Id`),
//! diagnostic codes and progress tokens (`NumberOrString`), and the numbers inside `LSPAny`
//! (initialization options, configuration, diagnostic data) that a client sends. The server
//! enables serde_json's `arbitrary_precision` (decoded bodies keep their number text) and Cargo
//! unifies it into tower-lsp-server, where it is known to break untagged enums
//! (serde-rs/json#559, #1108). Every shape below must get its answer, the id echoed exactly.

use crate::support::{fixture, Client, Options};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const SEED: &str = "integration/seed-168379.json";
const URI: &str = "file:///work/logs/numbers.json";
/// Where the seed's 400 is (0-based line 40, the value starts at character 26).
const AT_400: (u64, u64) = (40, 27);
/// A message that failed to decode is dropped (lsp::framing): no answer within this.
const ANSWER: Duration = Duration::from_secs(10);

/// Numbers in every JSON spelling, sent as this text wherever a message has `"@odd"`: a
/// big integer, trailing zero, exponent, negative zero, subnormal, and one past f64's range.
const ODD_NUMBERS: &str = r#"{"big": 12345678901234567890123, "decimal": 1.10, "exp": 1e3,
    "negZero": -0, "negative": -7, "tiny": 5e-324, "huge": 1e400, "max": 9007199254740993}"#;

/// The same without `1e400`, which only parses with `arbitrary_precision`: for the messages
/// the test client builds itself (initialize, configuration answers).
fn odd_numbers() -> Value {
    serde_json::from_str(&ODD_NUMBERS.replace(", \"huge\": 1e400", "")).expect("valid JSON")
}

fn with_odd(body: &str) -> String {
    body.replace("\"@odd\"", ODD_NUMBERS)
}

fn seed_client(options: Options) -> Client {
    let mut c = Client::start(options);
    c.open(URI, &fixture(SEED));
    c
}

fn framed(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

/// Sends a request whose id is `id_text` written as is, and returns the whole response; the
/// id must come back with exactly that text.
fn request_with_id(c: &mut Client, id_text: &str, method: &str, params: Value) -> Value {
    let body =
        format!(r#"{{"jsonrpc":"2.0","id":{id_text},"method":"{method}","params":{params}}}"#);
    c.send_raw(&framed(&with_odd(&body)));
    let id: Value = serde_json::from_str(id_text).expect("an id is JSON");
    let msg = c.try_response_to(&id, ANSWER).unwrap_or_else(|| {
        panic!(
            "no answer to {method} with id {id_text}; server log:\n{}",
            c.stderr_text()
        )
    });
    let echoed = serde_json::to_string(&msg["id"]).expect("serialise");
    assert_eq!(echoed, id_text, "the id is echoed exactly: {msg}");
    msg
}

fn ok(msg: &Value) -> &Value {
    assert!(msg.get("error").is_none(), "an error: {msg}");
    &msg["result"]
}

/// Waits until the server's stderr has a line containing `needle`.
fn logged(c: &Client, needle: &str) -> bool {
    let deadline = Instant::now() + ANSWER;
    while Instant::now() < deadline {
        if c.stderr_text().lines().any(|l| l.contains(needle)) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[test]
fn numeric_and_string_request_ids_are_answered_and_echoed_exactly() {
    let mut c = seed_client(Options::default());
    let _ = c.diagnostics(URI);
    for id in [
        "0",
        "-1",
        "2147483647",
        "9007199254740993",
        "9223372036854775807",
        "-9223372036854775808",
        r#""0""#,
        r#""9007199254740993""#,
        r#""a-string id""#,
        r#""""#,
    ] {
        let msg = request_with_id(
            &mut c,
            id,
            "textDocument/hover",
            Client::at(URI, AT_400.0, AT_400.1),
        );
        let md = ok(&msg)["contents"]["value"].as_str().unwrap_or_default();
        assert!(md.starts_with("**400"), "id {id}: {msg}");
        // An error response echoes the id too.
        let msg = request_with_id(&mut c, id, "workspace/noSuchMethod", json!({}));
        assert_eq!(msg["error"]["code"], -32601, "id {id}: {msg}");
    }
}

#[test]
fn code_actions_accept_diagnostic_codes_as_numbers_and_strings() {
    let mut c = seed_client(Options::default());
    let diags = c.diagnostics(URI);
    let d = diags[0].clone();
    let range = json!({"start": d["range"]["start"], "end": d["range"]["start"]});
    let titles = |c: &mut Client, diagnostic: Value, extra: Value| -> Vec<String> {
        let mut params = json!({"textDocument": {"uri": URI}, "range": range,
                                "context": {"diagnostics": [diagnostic], "only": ["quickfix"], "triggerKind": 1}});
        for (k, v) in extra.as_object().into_iter().flatten() {
            params[k] = v.clone();
        }
        let msg = request_with_id(c, "9007199254740993", "textDocument/codeAction", params);
        let actions = ok(&msg).as_array().cloned().unwrap_or_default();
        actions
            .iter()
            .map(|a| a["title"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let as_sent = titles(&mut c, d.clone(), json!({}));
    assert!(as_sent.iter().any(|t| t == "View payload"), "{as_sent:?}");
    for code in [
        json!(400),
        json!("400"),
        json!(0),
        json!(-1),
        json!(2147483647),
    ] {
        let mut diagnostic = d.clone();
        diagnostic["code"] = code.clone();
        diagnostic["data"] = json!("@odd");
        diagnostic["severity"] = json!(1);
        for extra in [
            json!({}),
            json!({"workDoneToken": 7, "partialResultToken": 0}),
            json!({"workDoneToken": "w-1", "partialResultToken": "p-1"}),
        ] {
            assert_eq!(
                titles(&mut c, diagnostic.clone(), extra.clone()),
                as_sent,
                "code {code}, {extra}"
            );
        }
    }
}

#[test]
fn pull_diagnostics_with_a_previous_result_id_and_tokens() {
    let mut c = seed_client(Options {
        pull_diagnostics: true,
        ..Options::default()
    });
    for extra in [
        json!({}),
        json!({"identifier": "runlog", "previousResultId": "1"}),
        json!({"previousResultId": "", "workDoneToken": 0, "partialResultToken": 2147483647}),
        json!({"previousResultId": "9007199254740993", "workDoneToken": "w", "partialResultToken": "p"}),
    ] {
        let mut params = json!({"textDocument": {"uri": URI}});
        for (k, v) in extra.as_object().into_iter().flatten() {
            params[k] = v.clone();
        }
        for id in ["0", r#""pull""#] {
            let msg = request_with_id(&mut c, id, "textDocument/diagnostic", params.clone());
            let report = ok(&msg);
            assert_eq!(report["kind"], "full", "{extra}: {msg}");
            let items = report["items"].as_array().cloned().unwrap_or_default();
            assert_eq!(items.len(), 1, "{extra}: {msg}");
            assert_eq!(items[0]["code"], "400");
        }
    }
}

#[test]
fn work_done_and_partial_result_tokens_as_numbers_and_strings() {
    let mut c = seed_client(Options::default());
    let _ = c.diagnostics(URI);
    let doc = json!({"uri": URI});
    let all = json!({"start": {"line": 0, "character": 0}, "end": {"line": 9999, "character": 0}});
    let at = json!({"line": AT_400.0, "character": AT_400.1});
    let requests = [
        (
            "textDocument/hover",
            json!({"textDocument": doc, "position": at}),
        ),
        (
            "textDocument/definition",
            json!({"textDocument": doc, "position": at}),
        ),
        (
            "runlog/payload",
            json!({"textDocument": doc, "position": at}),
        ),
        ("textDocument/documentSymbol", json!({"textDocument": doc})),
        ("textDocument/foldingRange", json!({"textDocument": doc})),
        ("textDocument/codeLens", json!({"textDocument": doc})),
        (
            "textDocument/inlayHint",
            json!({"textDocument": doc, "range": all}),
        ),
        (
            "workspace/executeCommand",
            json!({"command": "runlog.viewPayload", "arguments": [{"uri": URI, "position": at}]}),
        ),
    ];
    for (method, params) in requests {
        let plain = ok(&request_with_id(&mut c, "0", method, params.clone())).clone();
        assert!(!plain.is_null(), "{method} answers something: {plain}");
        for token in [
            json!(0),
            json!(-7),
            json!(2147483647),
            json!("t"),
            json!("0"),
            json!(""),
        ] {
            let mut params = params.clone();
            params["workDoneToken"] = token.clone();
            if method != "textDocument/hover" && method != "workspace/executeCommand" {
                params["partialResultToken"] = token.clone();
            }
            let msg = request_with_id(&mut c, "2147483647", method, params);
            assert_eq!(ok(&msg), &plain, "{method} with token {token}");
        }
    }
}

#[test]
fn cancel_request_and_progress_with_numeric_and_string_ids() {
    let mut c = seed_client(Options {
        // The cancel layer says, at debug, which id it was asked to cancel: proof it decoded.
        log_filter: Some("info,tower_lsp_server::service::pending=debug"),
        ..Options::default()
    });
    let _ = c.diagnostics(URI);
    // `CancelParams.id` is ls-types' `NumberOrString`, whose number is an `i32` (LSP's
    // `integer`): a request id beyond it (9007199254740993 above) is answered, but cannot be
    // cancelled, with or without `arbitrary_precision`.
    let mut missing = Vec::new();
    for (id, shown) in [
        (json!(0), "request 0,"),
        (json!(-3), "request -3,"),
        (json!(2147483647), "request 2147483647,"),
        (json!(-2147483648i64), "request -2147483648,"),
        (json!("a-cancelled-id"), r#"request "a-cancelled-id","#),
        (json!("9007199254740993"), r#"request "9007199254740993","#),
    ] {
        c.notify("$/cancelRequest", json!({"id": id}));
        if !logged(&c, shown) {
            missing.push(id);
        }
    }
    assert!(
        missing.is_empty(),
        "$/cancelRequest not decoded for {missing:?}:\n{}",
        c.stderr_text()
    );
    // A pending request cancelled by its numeric or string id is answered (cancelled, or
    // answered first), echoing its id.
    for id in ["2147483647", r#""to-cancel""#] {
        let text = fixture(SEED);
        c.replace(URI, &text);
        let body = format!(
            r#"{{"jsonrpc":"2.0","id":{id},"method":"textDocument/hover","params":{}}}"#,
            Client::at(URI, AT_400.0, AT_400.1)
        );
        c.send_raw(&framed(&body));
        c.send_raw(&framed(&format!(
            r#"{{"jsonrpc":"2.0","method":"$/cancelRequest","params":{{"id":{id}}}}}"#
        )));
        let want: Value = serde_json::from_str(id).expect("id");
        let msg = c.try_response_to(&want, ANSWER).expect("an answer");
        if let Some(err) = msg.get("error") {
            assert_eq!(err["code"], -32800, "{msg}");
        } else {
            assert!(msg["result"]["contents"].is_object(), "{msg}");
        }
    }
    // $/progress from the client, with number and string tokens: ignored, the server goes on.
    for token in [json!(1), json!(0), json!("p-1")] {
        let progress = json!({"jsonrpc": "2.0", "method": "$/progress",
            "params": {"token": token, "value": {"kind": "report", "percentage": 50, "extra": "@odd"}}});
        c.send_raw(&framed(&with_odd(&progress.to_string())));
        c.notify("window/workDoneProgress/cancel", json!({"token": token}));
    }
    let msg = request_with_id(
        &mut c,
        "9007199254740993",
        "textDocument/hover",
        Client::at(URI, AT_400.0, AT_400.1),
    );
    assert!(ok(&msg)["contents"].is_object(), "{msg}");
}

#[test]
fn the_servers_own_progress_token_round_trips() {
    // A workspace scan with work-done progress: the server asks to create its token, decodes our
    // answer, and reports with the same token.
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("root");
    std::fs::create_dir_all(root.join("logs")).expect("mkdir");
    std::fs::write(root.join("logs/run.json"), fixture(SEED)).expect("write");
    let mut c = Client::start(Options {
        root: Some(root.clone()),
        initialization_options: json!({"runlog": {"files": {"watch": ["logs/*.json"]}}}),
        ..Options::default()
    });
    let create = c.wait_for("window/workDoneProgress/create", |_| true);
    let token = create["token"].clone();
    assert!(token.is_string() || token.is_number(), "{create}");
    let begin = c.wait_for("$/progress", |p| p["value"]["kind"] == "begin");
    assert_eq!(begin["token"], token);
    let end = c.wait_for("$/progress", |p| p["value"]["kind"] == "end");
    assert_eq!(end["token"], token);
}

#[test]
fn initialize_with_process_id_number_or_null_and_numbers_in_options() {
    let mut options = odd_numbers();
    options["runlog.diagnostics.minimumStatus"] = json!(500);
    options["runlog"] = json!({"limits": {"maxDiagnostics": 9007199254740993u64}});
    for process_id in [None, Some(std::process::id())] {
        let mut c = seed_client(Options {
            process_id,
            initialization_options: options.clone(),
            ..Options::default()
        });
        assert!(c.initialize_result["capabilities"].is_object());
        // The 400 is below the minimum status read from those options.
        assert_eq!(c.diagnostics(URI), Vec::<Value>::new(), "{process_id:?}");
    }
}

#[test]
fn configuration_answers_with_numbers_are_read() {
    let mut conf = odd_numbers();
    conf["diagnostics"] = json!({"minimumStatus": 500});
    conf["limits"] = json!({"maxDiagnostics": 9007199254740993u64, "maxLineLength": 2147483648u64});
    let mut c = Client::start(Options {
        configuration: Some(conf),
        ..Options::default()
    });
    c.wait_for("workspace/configuration", |p| {
        p["items"][0]["section"] == "runlog"
    });
    c.open(URI, &fixture(SEED));
    assert_eq!(c.diagnostics(URI), Vec::<Value>::new());
}

#[test]
fn did_change_versions_are_numbers() {
    let mut c = seed_client(Options::default());
    let _ = c.diagnostics(URI);
    for version in [2, 1000, 2147483647] {
        c.set_version(URI, version - 1);
        c.replace(URI, &fixture(SEED));
        let got = c.document_text(URI);
        assert_eq!(got["version"], version, "{got}");
        assert_eq!(c.diagnostics(URI).len(), 1);
    }
}

/// The payload view pretty-prints decoded bodies with their numbers as written: no rounding,
/// no reformatting of big integers, trailing zeros or exponents.
#[test]
fn the_payload_view_keeps_number_text() {
    let body = r#"{"error": {"message": "amount rejected", "amount": 1.10, "id": 12345678901234567890123, "rate": 1e3, "zero": -0, "tiny": 5e-324}}"#;
    let escaped = serde_json::to_string(body).expect("a JSON string");
    let text = format!(
        "[{{\"url\": \"https://api.invalid/pay\", \"status\": 422, \"body\": {body}}},\n {{\"url\": \"https://api.invalid/pay\", \"status\": 422, \"body\": {escaped}}}]\n"
    );
    let mut c = Client::start(Options::default());
    c.open(URI, &text);
    let diags = c.diagnostics(URI);
    assert_eq!(diags.len(), 2, "{diags:#?}");
    for d in diags {
        let view = c
            .request(
                "runlog/payload",
                json!({"textDocument": {"uri": URI}, "position": d["range"]["start"]}),
            )
            .expect("payload");
        let content = view["content"].as_str().unwrap_or_default();
        for number in [
            "\"amount\": 1.10",
            "\"id\": 12345678901234567890123",
            // serde_json writes an exponent with its sign: same digits, same value.
            "\"rate\": 1e+3",
            "\"zero\": -0",
            "\"tiny\": 5e-324",
        ] {
            assert!(content.contains(number), "{number} in\n{content}");
        }
    }
}
