//! End-to-end tests of `runlog-lsp check` / `explain` / `--version`: they run the built binary.

// The hostile capture is shared with the LSP tests.
#[path = "../lsp/capture.rs"]
#[allow(dead_code)] // not every item is used by both test crates
mod capture;
mod hostile;
mod linter;
mod producers;
mod readme;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const SEED: &str = "tests/fixtures/integration/seed-168379.json";

/// The repository root: the binary runs there so paths print as `tests/fixtures/...`.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run_in(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    linter::run_env(dir, args, &[], stdin)
}

fn run(args: &[&str]) -> Output {
    run_in(&root(), args, None)
}

fn json_of(out: &Output) -> Value {
    serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", out.stdout))
}

/// The fake secrets the fixtures README lists: no output may contain them.
#[path = "../shared/secrets.rs"]
mod shared_secrets;
use shared_secrets::secrets;

fn fixtures() -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root().join("tests/fixtures")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("fixture dir").flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n != "README.md") {
                let rel = p
                    .strip_prefix(root())
                    .expect("under root")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push(rel);
            }
        }
    }
    out.sort();
    out
}

/// A fixture's bytes (path relative to the repository root).
fn fixture_bytes(rel: &str) -> Vec<u8> {
    std::fs::read(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn temp_file(name: &str, content: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, content).expect("temp file written");
    (dir, path)
}

#[test]
fn version() {
    let out = run(&["--version"]);
    assert_eq!(out.code, 0);
    assert_eq!(out.stdout, "runlog-lsp 0.1.0\n");
}

#[test]
fn explain_uses_the_guides_wording() {
    let out = run(&["explain", "400"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.starts_with("400 Bad Request\n"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains(
        "The request was unacceptable. This happens mostly when a required parameter is missing."
    ));
    assert!(out.stdout.contains("4xx client error"));
    assert!(out.stdout.contains("source: runlog's debugging guide"));
    assert!(out
        .stdout
        .contains("https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Status/400"));

    let out = run(&["explain", "402"]);
    assert!(out.stdout.starts_with("402 Payment Required\n"));
    assert!(out
        .stdout
        .contains("The request failed even though the parameters provided were valid."));

    let out = run(&["explain", "503"]);
    assert!(out
        .stdout
        .contains("Error codes in the 500 series are server errors"));
    assert!(out.stdout.contains("5xx server error"));
}

#[test]
fn explain_vendor_and_unknown_codes() {
    let out = run(&["explain", "520"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("Cloudflare"));
    assert!(!out.stdout.contains("MDN"));
    let out = run(&["explain", "432"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.starts_with("432 Non-standard status"));
    assert!(out.stdout.contains("support team"));
}

#[test]
fn explain_rejects_a_non_number() {
    for arg in ["abc", "40x", "-1", "70000"] {
        let out = run(&["explain", arg]);
        assert_eq!(out.code, 2, "{arg}");
        assert_eq!(out.stdout, "");
        assert!(out.stderr.starts_with("error: "), "{}", out.stderr);
    }
}

#[test]
fn seed_scenario_human() {
    let out = run(&["check", SEED]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(out.stderr, "");
    let s = &out.stdout;
    assert!(s.contains("error[400]: 400 Bad Request"), "{s}");
    assert!(s.contains("seed-168379.json:41:27"), "{s}");
    assert!(s.contains("already a list member"), "{s}");
    assert!(s.contains("\"network_code\": 400,"), "{s}");
    // The caret sits under the status code: same column as "400" in the source line.
    let lines: Vec<&str> = s.lines().collect();
    let src = lines
        .iter()
        .position(|l| l.contains("\"network_code\": 400"))
        .expect("source line");
    let caret_line = lines[src + 1];
    assert_eq!(caret_line.find("^^^"), lines[src].find("400"), "{s}");
    assert!(s.contains("note: The request was unacceptable."));
    assert!(s.contains("Add member to Mailchimp audience"));
    assert!(s.contains("POST https://us21.api.mailchimp.com/3.0/lists/4ca5becb8d/members"));
    assert!(
        s.trim_end().ends_with("1 failing call in 1 file (1 error)"),
        "{s}"
    );
    assert!(
        !s.contains('\x1b'),
        "no colour when stdout is not a terminal"
    );
}

#[test]
fn exit_codes() {
    // Clean log: calls, none failing.
    let (_d, clean) = temp_file(
        "clean.json",
        br#"[{"method": "GET", "url": "https://x.example/a", "status": 200, "body": {"id": 1}},
            {"method": "GET", "url": "https://x.example/b", "status": 204, "body": ""}]"#,
    );
    let clean = clean.to_string_lossy().into_owned();
    let out = run(&["check", &clean]);
    assert_eq!(out.code, 0, "{} {}", out.stdout, out.stderr);
    assert!(out.stdout.contains("no failing calls found in 1 file"));

    assert_eq!(run(&["check", SEED]).code, 1);
    assert_eq!(run(&["check", "--min-status", "500", SEED]).code, 0);

    let out = run(&["check", "tests/fixtures/does-not-exist.json"]);
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        "error: tests/fixtures/does-not-exist.json: could not be read: no such file\n"
    );

    // A directory is walked; its files that are not run logs are skipped silently.
    let out = run(&["check", "tests/fixtures"]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stderr, "");

    let (_b, binary) = temp_file(
        "junk.bin",
        &[0x7f, b'E', b'L', b'F', 0, 0, 1, 2, 0xff, 0xfe],
    );
    // Named files that are not run logs: a note on stderr, the exit code unchanged.
    let out = run(&["check", &binary.to_string_lossy()]);
    assert_eq!(out.code, 0);
    assert!(
        out.stderr.starts_with("note: ") && out.stderr.contains("not a run log (binary file)"),
        "{}",
        out.stderr
    );

    let out = run(&["check", "tests/fixtures/negative/package.json"]);
    assert_eq!(out.code, 0);
    assert_eq!(out.stderr, "note: tests/fixtures/negative/package.json: not a run log (no HTTP status fields found), skipped\n");

    // Other paths are still processed, one stderr line per bad path; an unreadable one is 2.
    let out = run(&[
        "check",
        "--format",
        "json",
        "nope.json",
        SEED,
        "tests/fixtures/negative/tsconfig.json",
    ]);
    assert_eq!(out.code, 2);
    assert_eq!(out.stderr.lines().count(), 2, "{}", out.stderr);
    assert_eq!(json_of(&out).as_array().map(Vec::len), Some(1));

    // Usage errors are exit 2 too.
    assert_eq!(run(&["check", "--no-such-option", SEED]).code, 2);
    assert_eq!(run(&["check", "--format", "xml", SEED]).code, 2);
}

#[test]
fn every_negative_fixture_is_not_a_run_log() {
    for f in fixtures()
        .into_iter()
        .filter(|f| f.starts_with("tests/fixtures/negative/"))
    {
        let out = run(&["check", "--format", "json", &f]);
        assert_eq!(out.code, 0, "{f}: {}", out.stdout);
        assert_eq!(out.stdout.trim(), "[]", "{f}");
        assert!(out.stderr.contains("not a run log"), "{f}: {}", out.stderr);
    }
}

#[test]
fn json_fields() {
    let out = run(&["check", "--format", "json", SEED]);
    assert_eq!(out.code, 1);
    let v = json_of(&out);
    let arr = v.as_array().expect("an array");
    assert_eq!(arr.len(), 1);
    let f = &arr[0];
    assert_eq!(f["path"], SEED);
    assert_eq!(f["line"], 41);
    assert_eq!(f["column"], 27);
    assert_eq!(f["endLine"], 41);
    assert_eq!(f["endColumn"], 30);
    assert_eq!(f["status"], 400);
    assert_eq!(f["reason"], "Bad Request");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["kind"], "failed-call");
    assert_eq!(f["format"], "integration-run-log");
    assert!(f["message"]
        .as_str()
        .is_some_and(|m| m.starts_with("400 Bad Request")));
    assert!(f["explanation"]
        .as_str()
        .is_some_and(|m| m.contains("already a list member")));
    assert_eq!(f["step"], "Add member to Mailchimp audience");
    assert_eq!(f["method"], "POST");
    assert_eq!(
        f["url"],
        "https://us21.api.mailchimp.com/3.0/lists/4ca5becb8d/members"
    );
}

#[test]
fn json_invalid_json_finding_has_null_status_and_explanation_may_be_null() {
    let out = run(&[
        "check",
        "--format",
        "json",
        "tests/fixtures/truncated/seed-cut-mid-body.json",
    ]);
    assert_eq!(out.code, 1);
    let v = json_of(&out);
    let arr = v.as_array().expect("an array");
    let invalid: Vec<&Value> = arr.iter().filter(|f| f["kind"] == "invalid-json").collect();
    assert_eq!(invalid.len(), 1, "{v:#}");
    assert_eq!(invalid[0]["status"], Value::Null);
    assert_eq!(invalid[0]["reason"], Value::Null);
    assert_eq!(invalid[0]["line"], 58);
    for key in [
        "path",
        "line",
        "column",
        "status",
        "reason",
        "severity",
        "message",
        "explanation",
    ] {
        assert!(
            arr.iter().all(|f| f.get(key).is_some()),
            "every finding has {key}"
        );
    }
    let call = arr
        .iter()
        .find(|f| f["status"] == 400)
        .expect("the 400 before the cut");
    assert_eq!(call["explanation"], Value::Null);
}

#[test]
fn json_columns_are_characters() {
    let out = run(&[
        "check",
        "--format",
        "json",
        "tests/fixtures/unicode/emoji-cjk.json",
    ]);
    let v = json_of(&out);
    let positions: Vec<(u64, u64)> = v
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|f| Some((f["line"].as_u64()?, f["column"].as_u64()?)))
        .collect();
    assert_eq!(positions, vec![(10, 60), (11, 61)]);
}

#[test]
fn sarif_shape() {
    let out = run(&[
        "check",
        "--format",
        "sarif",
        SEED,
        "tests/fixtures/truncated/seed-cut-mid-body.json",
    ]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let v = json_of(&out);
    assert_eq!(v["version"], "2.1.0");
    assert!(v["$schema"]
        .as_str()
        .is_some_and(|s| s.contains("sarif-2.1.0")));
    let run0 = &v["runs"][0];
    let driver = &run0["tool"]["driver"];
    assert_eq!(driver["name"], "runlog-lsp");
    assert_eq!(driver["version"], "0.1.0");
    assert!(driver["informationUri"]
        .as_str()
        .is_some_and(|u| u.starts_with("https://")));
    let rules = driver["rules"].as_array().expect("rules");
    let ids: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
    assert_eq!(ids, vec!["400", "invalid-json"]);
    assert_eq!(rules[0]["shortDescription"]["text"], "400 Bad Request");
    assert_eq!(
        rules[0]["helpUri"],
        "https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Status/400"
    );
    let results = run0["results"].as_array().expect("results");
    assert_eq!(results.len(), 3);
    for r in results {
        let id = r["ruleId"].as_str().expect("ruleId");
        let index = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], id);
        assert!(["error", "warning", "note"].contains(&r["level"].as_str().unwrap_or("")));
        assert!(r["message"]["text"].as_str().is_some_and(|t| !t.is_empty()));
        let loc = &r["locations"][0]["physicalLocation"];
        assert!(loc["artifactLocation"]["uri"]
            .as_str()
            .is_some_and(|u| u.starts_with("tests/fixtures/")));
        for k in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(loc["region"][k].as_u64().is_some_and(|n| n >= 1), "{k}");
        }
    }
    let first = &results[0];
    assert_eq!(first["ruleId"], "400");
    assert_eq!(first["level"], "error");
    assert_eq!(
        first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        SEED
    );
    assert_eq!(
        first["locations"][0]["physicalLocation"]["region"]["startLine"],
        41
    );
    assert_eq!(
        first["locations"][0]["physicalLocation"]["region"]["startColumn"],
        27
    );
    assert_eq!(run0["columnKind"], "unicodeCodePoints");
}

#[test]
fn sarif_reports_unreadable_paths_as_notifications() {
    let out = run(&["check", "--format", "sarif", "missing.json"]);
    assert_eq!(out.code, 2);
    let v = json_of(&out);
    let inv = &v["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    assert!(inv["toolExecutionNotifications"][0]["message"]["text"]
        .as_str()
        .is_some_and(|t| t.contains("missing.json")));
    assert_eq!(v["runs"][0]["results"].as_array().map(Vec::len), Some(0));
}

#[test]
fn no_secret_appears_in_any_format() {
    let secrets = secrets();
    let files = fixtures();
    for format in ["human", "json", "sarif"] {
        let mut args = vec!["check", "--format", format];
        args.extend(files.iter().map(String::as_str));
        let out = run(&args);
        assert!(out.stdout.len() > 1000, "{format} printed findings");
        for s in &secrets {
            assert!(
                !out.stdout.contains(s.as_str()),
                "{format} stdout leaks {s}"
            );
            assert!(
                !out.stderr.contains(s.as_str()),
                "{format} stderr leaks {s}"
            );
        }
    }
    // The seed's Basic scheme survives, its credentials do not.
    let out = run(&["check", "--format", "json", SEED]);
    assert!(!out.stdout.contains("shpat_") && !out.stdout.contains("YW55c3RyaW5n"));
}

#[test]
fn secrets_on_the_status_line_are_redacted() {
    let (_d, log) = temp_file(
        "app.jsonl",
        b"{\"req\":{\"method\":\"GET\",\"url\":\"/v1/me?api_key=QUERYSECRET1\",\"headers\":{\"authorization\":\"Bearer HEADERSECRET2abc\"}},\"res\":{\"statusCode\":401},\"password\":\"hunter2xyz\"}\n",
    );
    for format in ["human", "json", "sarif"] {
        let out = run(&["check", "--format", format, &log.to_string_lossy()]);
        assert_eq!(out.code, 1, "{format}: {} {}", out.stdout, out.stderr);
        for s in ["QUERYSECRET1", "HEADERSECRET2abc", "hunter2xyz"] {
            assert!(
                !out.stdout.contains(s),
                "{format} leaks {s}: {}",
                out.stdout
            );
        }
    }
}

#[test]
fn log_text_is_inert_in_the_terminal() {
    let (_d, log) = temp_file(
        "ansi.json",
        "{\"status\": 400, \"name\": \"\\u001b[2J\\u001b]0;pwned\\u0007 step\", \"body\": {\"message\": \"bad \\u001b[31mred\\u001b[0m \\u202e input\"}}"
            .as_bytes(),
    );
    let out = run(&["check", "--color", "never", &log.to_string_lossy()]);
    assert_eq!(out.code, 1, "{} {}", out.stdout, out.stderr);
    assert!(
        !out.stdout.contains('\x1b')
            && !out.stdout.contains('\x07')
            && !out.stdout.contains('\u{202e}'),
        "{:?}",
        out.stdout
    );
    assert!(
        out.stdout.contains("\\x1b[31m") || out.stdout.contains("red"),
        "{}",
        out.stdout
    );
    // Even with colour on, the only escapes are our own styling.
    let out = run(&["check", "--color", "always", &log.to_string_lossy()]);
    assert!(
        !out.stdout.contains("\x1b]0;")
            && !out.stdout.contains("\x1b[2J")
            && !out.stdout.contains('\x07')
    );
    assert!(out.stdout.contains('\x1b'), "styled output");
}

#[test]
fn reads_standard_input() {
    let text = std::fs::read_to_string(root().join(SEED)).expect("seed");
    let out = run_in(&root(), &["check", "--format", "json", "-"], Some(&text));
    assert_eq!(out.code, 1);
    assert_eq!(json_of(&out)[0]["path"], "<stdin>");
}

#[test]
fn extra_redact_names() {
    let (_d, log) = temp_file(
        "tenant.json",
        br#"{"status": 403, "headers": {"X-Tenant": "TENANTSECRET9"}, "body": {"message": "tenant X-Tenant: TENANTSECRET9 is not allowed"}}"#,
    );
    let p = log.to_string_lossy().into_owned();
    let out = run(&["check", "--format", "json", "--redact", "x-tenant", &p]);
    assert_eq!(out.code, 1);
    assert!(!out.stdout.contains("TENANTSECRET9"), "{}", out.stdout);
}

#[test]
fn snapshot_human() {
    let out = run(&[
        "check",
        "--format",
        "human",
        SEED,
        "tests/fixtures/truncated/seed-cut-mid-body.json",
        "missing.json",
    ]);
    insta::assert_snapshot!(format!(
        "exit: {}\n--- stderr\n{}--- stdout\n{}",
        out.code, out.stderr, out.stdout
    ));
}

#[test]
fn snapshot_json() {
    let out = run(&[
        "check",
        "--format",
        "json",
        SEED,
        "tests/fixtures/integration/nonstandard-520-599.json",
    ]);
    insta::assert_snapshot!(format!(
        "exit: {}\n--- stderr\n{}--- stdout\n{}",
        out.code, out.stderr, out.stdout
    ));
}

#[test]
fn snapshot_sarif() {
    let out = run(&["check", "--format", "sarif", SEED]);
    insta::assert_snapshot!(format!(
        "exit: {}\n--- stderr\n{}--- stdout\n{}",
        out.code, out.stderr, out.stdout
    ));
}

#[test]
fn large_file_over_50_mb() {
    // ~52 MB of JSON Lines: the last line fails.
    let ok = "{\"level\":30,\"req\":{\"method\":\"GET\",\"url\":\"/health\"},\"res\":{\"statusCode\":200},\"msg\":\"request completed\",\"pad\":\"................................................................................................\"}\n";
    let n = 52 * 1024 * 1024 / ok.len() + 1;
    let mut text = String::with_capacity(n * ok.len() + 200);
    for _ in 0..n {
        text.push_str(ok);
    }
    text.push_str("{\"req\":{\"method\":\"POST\",\"url\":\"/v1/orders\"},\"res\":{\"statusCode\":503},\"err\":{\"message\":\"database is read-only\"}}\n");
    let (_d, log) = temp_file("big.jsonl", text.as_bytes());
    let out = run(&["check", "--format", "json", &log.to_string_lossy()]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let v = json_of(&out);
    assert_eq!(v.as_array().map(Vec::len), Some(1));
    assert_eq!(v[0]["status"], 503);
    assert_eq!(v[0]["line"].as_u64(), Some(n as u64 + 1));
}

#[test]
fn sarif_reads_back_as_sarif_2_1_0() {
    let mut args = vec!["check", "--format", "sarif", "missing.json"];
    let files = fixtures();
    args.extend(files.iter().map(String::as_str));
    let out = run(&args);
    let log: serde_sarif::sarif::Sarif =
        serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("not SARIF 2.1.0 ({e})"));
    let value = serde_json::to_value(&log).expect("serialises");
    assert_eq!(value["version"], "2.1.0");
    let results = value["runs"][0]["results"].as_array().expect("results");
    assert!(results.len() > 20, "{}", results.len());
    let rules = value["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    // One rule per code found, each with its MDN page when the code is standard.
    let mut ids: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
    let n = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), n, "rule ids are unique");
    for rule in rules {
        let id = rule["id"].as_str().unwrap_or("");
        if let Ok(code) = id.parse::<u16>() {
            let standard = runlog_lsp::core::status::is_standard(code);
            assert_eq!(rule["helpUri"].is_string(), standard, "{id}");
        }
    }
}

#[test]
fn status_code_docs_are_fresh() {
    let path = root().join("docs/status-codes.md");
    let want = runlog_lsp::core::status::catalogue_markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &want).expect("docs/status-codes.md written");
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/status-codes.md is stale: run `UPDATE_DOCS=1 cargo test -p runlog-lsp --test cli`"
    );
}

#[test]
fn config_file_overrides_definitions_and_severity() {
    let (_d, cfg) = temp_file(
        "settings.json",
        br#"{
  // a VS Code settings.json: JSONC, other extensions' keys, trailing commas
  "editor.fontSize": 14,
  "runlog.statusCodes": {"400": {"title": "Already subscribed", "description": "Mailchimp says the member exists."}},
  "runlog.diagnostics.severity": {"4xx": "warning"},
  "runlog.diagnostics.minimumStatus": "not a number",
}"#,
    );
    let cfg = cfg.to_string_lossy().into_owned();
    let out = run(&["check", "--format", "json", "--config", &cfg, SEED]);
    assert_eq!(out.code, 0, "warnings do not fail the run by default");
    assert_eq!(
        run(&["check", "--fail-on", "warning", "--config", &cfg, SEED]).code,
        1
    );
    assert!(
        out.stderr.contains("warning:") && out.stderr.contains("minimumStatus"),
        "{}",
        out.stderr
    );
    let v = json_of(&out);
    assert_eq!(v[0]["reason"], "Already subscribed");
    assert_eq!(v[0]["severity"], "warning");
    assert!(v[0]["message"]
        .as_str()
        .is_some_and(|m| m.starts_with("400 Already subscribed")));
    let human = run(&["check", "--config", &cfg, SEED]);
    assert!(
        human.stdout.contains("warning[400]")
            && human.stdout.contains("Mailchimp says the member exists."),
        "{}",
        human.stdout
    );
    // --min-status on the command line wins over the file.
    assert_eq!(
        run(&[
            "check",
            "--fail-on",
            "warning",
            "--config",
            &cfg,
            "--min-status",
            "500",
            SEED
        ])
        .code,
        0
    );
    let out = run(&["check", "--config", "no-such-settings.json", SEED]);
    assert_eq!(out.code, 2);
    assert!(out
        .stderr
        .starts_with("error: no-such-settings.json: could not be read"));
}

/// Runs the binary as an editor would start it: initialize, wait for the answer, initialized,
/// shutdown, wait, exit. Returns (exit code, stdout). Gives up after 30 s so a hang fails the
/// test instead of blocking the suite.
fn lsp_session(args: &[&str]) -> (Option<i32>, String) {
    use std::io::{Read, Write};
    use std::sync::mpsc;
    use std::time::{Duration, Instant};
    let frame = |body: &str| format!("Content-Length: {}\r\n\r\n{body}", body.len());
    let mut child = Command::new(env!("CARGO_BIN_EXE_runlog-lsp"))
        .args(args)
        .env("RUNLOG_LSP_LOG", "off")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("server starts");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel::<Vec<u8>>();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = Vec::new();
    let wait_for = |needle: &str, seen: &mut Vec<u8>| {
        while !String::from_utf8_lossy(seen).contains(needle) && Instant::now() < deadline {
            if let Ok(chunk) = rx.recv_timeout(Duration::from_millis(100)) {
                seen.extend(chunk);
            }
        }
    };
    let _ = stdin.write_all(frame(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"rootUri":null,"capabilities":{}}}"#).as_bytes());
    let _ = stdin.flush();
    wait_for("\"id\":1", &mut seen);
    let _ = stdin
        .write_all(frame(r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#).as_bytes());
    let _ = stdin.write_all(frame(r#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#).as_bytes());
    let _ = stdin.flush();
    wait_for("\"id\":2", &mut seen);
    let _ = stdin.write_all(frame(r#"{"jsonrpc":"2.0","method":"exit"}"#).as_bytes());
    let _ = stdin.flush();
    let code = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status.code(),
            _ if Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            _ => std::thread::sleep(Duration::from_millis(20)),
        }
    };
    drop(stdin);
    while let Ok(chunk) = rx.recv_timeout(Duration::from_millis(200)) {
        seen.extend(chunk);
    }
    (code, String::from_utf8_lossy(&seen).into_owned())
}

#[test]
fn no_arguments_and_stdio_speak_lsp() {
    for args in [
        &[][..],
        &["--stdio"][..],
        &["--stdio", "--clientProcessId=4242"][..],
    ] {
        let (code, stdout) = lsp_session(args);
        assert_eq!(code, Some(0), "{args:?} exits after `exit`: {stdout}");
        assert!(stdout.starts_with("Content-Length: "), "{args:?}: {stdout}");
        assert!(stdout.contains("\"capabilities\""), "{args:?}: {stdout}");
        assert!(
            stdout.contains("\"id\":2"),
            "{args:?}: shutdown answered: {stdout}"
        );
    }
}

#[test]
fn many_findings_on_one_long_line_have_exact_columns() {
    // A minified HAR: every entry on line 1, non-ASCII before each status.
    let mut text =
        String::from(r#"{"log":{"version":"1.2","creator":{"name":"t","version":"1"},"entries":["#);
    let mut expected = Vec::new();
    for i in 0..2000 {
        if i > 0 {
            text.push(',');
        }
        let status = if i % 2 == 0 { 404 } else { 200 };
        text.push_str(&format!(
            r#"{{"request":{{"method":"GET","url":"https://x.example/é/{i}","headers":[]}},"response":{{"statusText":"日本","status":"#
        ));
        if status == 404 {
            expected.push(text.chars().count() as u64 + 1);
        }
        text.push_str(&format!(
            r#"{status},"headers":[],"content":{{"mimeType":"application/json","text":"{{\"message\":\"Item {i} not found\"}}"}}}}}}"#
        ));
    }
    text.push_str("]}}");
    let (_d, log) = temp_file("minified.har", text.as_bytes());
    let out = run(&["check", "--format", "json", &log.to_string_lossy()]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let v = json_of(&out);
    let columns: Vec<u64> = v
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|f| f["column"].as_u64())
        .collect();
    assert_eq!(columns.len(), 1000);
    assert_eq!(columns, expected);
    assert!(v
        .as_array()
        .expect("array")
        .iter()
        .all(|f| f["line"] == 1 && f["status"] == 404));
}

#[test]
fn what_helps_next_is_shown() {
    let out = run(&[
        "check",
        "tests/fixtures/integration/zapier-429-retry-after.json",
    ]);
    assert!(
        out.stdout.contains("note: Retry-After: 2.0"),
        "{}",
        out.stdout
    );
    let out = run(&[
        "check",
        "--format",
        "json",
        "tests/fixtures/integration/make-401-bearer.json",
    ]);
    let v = json_of(&out);
    let extras = v[0]["extras"].as_array().expect("extras");
    assert!(
        extras
            .iter()
            .any(|e| e["name"] == "Auth scheme sent" && e["value"] == "Bearer (value redacted)"),
        "{extras:?}"
    );
    let out = run(&["check", "--format", "json", SEED]);
    assert!(
        json_of(&out)[0].get("extras").is_none(),
        "nothing to add for a 400"
    );
}

#[test]
fn hostile_inputs_do_not_crash() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let deep_body = format!(
        "{{\"status\": 500, \"body\": {}\"x\"{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let long_line = format!(
        "{{\"status\": 502, \"body\": \"{}\"}}",
        "é".repeat(2_000_000)
    );
    for (name, text, code) in [
        ("deep.json", deep, 0),
        ("deep-body.json", deep_body, 1),
        ("long.json", long_line, 1),
    ] {
        let (_d, p) = temp_file(name, text.as_bytes());
        for format in ["human", "json", "sarif"] {
            let out = run(&["check", "--format", format, &p.to_string_lossy()]);
            assert_eq!(out.code, code, "{name} {format}: {}", out.stderr);
            assert!(
                out.stdout.len() < 20_000,
                "{name} {format}: output stays short ({} bytes)",
                out.stdout.len()
            );
        }
    }
}

#[test]
fn explain_honours_user_definitions() {
    let (_d, cfg) = temp_file("s.json", br#"{"runlog": {"statusCodes": {"499": {"title": "Gateway gave up", "description": "Our gateway timed out."}}}}"#);
    let out = run(&["explain", "499", "--config", &cfg.to_string_lossy()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.starts_with("499 Gateway gave up\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("Our gateway timed out.") && out.stdout.contains("user definition")
    );
    assert!(run(&["explain", "499"])
        .stdout
        .starts_with("499 Client Closed Request (nginx)"));
}

/// The benchmarks' generators (std-only), for logs large enough to be streamed.
#[path = "../../server/benches/gen/mod.rs"]
mod gen;

/// Never streamed: a threshold above any test file.
const WHOLE: &str = "1000000000000";

#[test]
fn streaming_gives_the_same_output_as_reading_whole_on_every_fixture() {
    let mut streamed = 0;
    for path in fixtures() {
        for format in ["human", "json", "sarif"] {
            let whole = run(&["check", "--color", "never", "--format", format, &path]);
            let parts = run(&[
                "check",
                "--color",
                "never",
                "--format",
                format,
                "--stream-above",
                "0",
                &path,
            ]);
            assert_eq!(parts.code, whole.code, "{path} {format}");
            assert_eq!(parts.stdout, whole.stdout, "{path} {format}");
            assert_eq!(parts.stderr, whole.stderr, "{path} {format}");
        }
        streamed += 1;
    }
    assert!(streamed > 40, "{streamed} fixtures");
}

#[test]
fn generated_logs_above_the_threshold_stream_to_the_same_records() {
    for format in gen::GenFormat::ALL {
        let text = gen::generate(format, 10 * gen::MB);
        let name = format!("big.{}", format.extension());
        let (_d, log) = temp_file(&name, text.as_bytes());
        let log = log.to_string_lossy().into_owned();
        for out_format in ["json", "human"] {
            let parts = run(&["check", "--color", "never", "--format", out_format, &log]);
            let whole = run(&[
                "check",
                "--color",
                "never",
                "--format",
                out_format,
                "--stream-above",
                WHOLE,
                &log,
            ]);
            assert_eq!(parts.code, 1, "{format:?}: {}", parts.stderr);
            assert_eq!(parts.stdout, whole.stdout, "{format:?} {out_format}");
            assert_eq!(parts.stderr, whole.stderr, "{format:?} {out_format}");
        }
        let records = json_of(&run(&["check", "--format", "json", &log]));
        let failing = gen::stats(format, &text).failing;
        assert_eq!(
            records.as_array().map(Vec::len),
            Some(failing),
            "{format:?}"
        );
    }
}

#[test]
fn standard_input_past_the_threshold_streams() {
    let text = gen::generate(gen::GenFormat::Har, 9 * gen::MB);
    let (_d, log) = temp_file("big.har", text.as_bytes());
    let from_file = run(&[
        "check",
        "--format",
        "json",
        "--stream-above",
        WHOLE,
        &log.to_string_lossy(),
    ]);
    let from_stdin = run_in(&root(), &["check", "--format", "json", "-"], Some(&text));
    assert_eq!(from_stdin.code, 1, "{}", from_stdin.stderr);
    let path = serde_json::to_string(&log.to_string_lossy()).expect("path as JSON");
    assert_eq!(
        from_stdin.stdout,
        from_file.stdout.replace(&path, "\"<stdin>\"")
    );

    // Cut in the middle of an entry, standard input cannot be read again: what was analysed is
    // reported, then where the JSON stops and that the result may be incomplete.
    let cut = &text[..text.len() / 2];
    let out = run_in(
        &root(),
        &[
            "check",
            "--format",
            "json",
            "--stream-above",
            "1000000",
            "-",
        ],
        Some(cut),
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    let v = json_of(&out);
    let records = v.as_array().cloned().unwrap_or_default();
    assert!(records.len() > 50, "{}", records.len());
    let last = &records[records.len() - 1];
    assert_eq!(last["kind"], "limit-reached");
    assert!(
        last["message"].as_str().is_some_and(
            |m| m.starts_with("Analysed from disk in parts") && m.contains("stops being valid")
        ),
        "{last}"
    );
    assert!(records.iter().any(|r| r["kind"] == "invalid-json"));
}

#[test]
fn calls_without_response_in_every_format() {
    let har = "tests/fixtures/har/chromium-no-response.pretty.har";
    let newman = "tests/fixtures/newman/newman-no-response.json";
    let step = "tests/fixtures/no-response/integration-step-error.json";

    let out = run(&["check", "--format", "json", har, newman, step]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let records = json_of(&out);
    let records = records.as_array().expect("an array");
    assert_eq!(records.len(), 10);
    for r in records {
        assert_eq!(r["code"], "no-response", "{r}");
        assert_eq!(r["kind"], "no-response", "{r}");
        assert_eq!(r["status"], Value::Null, "{r}");
        assert_eq!(r["explanation"], Value::Null, "{r}");
        assert!(
            r["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("No response")),
            "{r}"
        );
    }
    assert_eq!(
        (records[0]["line"].as_u64(), records[0]["column"].as_u64()),
        (Some(185), Some(21))
    );
    assert_eq!(
        records[4]["severity"], "warning",
        "net::ERR_ABORTED: {}",
        records[4]
    );
    assert!(records[5]["message"]
        .as_str()
        .is_some_and(|m| m.starts_with("No response (ECONNREFUSED)")));
    assert_eq!(records[9]["step"], "Create sales order in ERP");
    assert!(records[9]["extras"]
        .as_array()
        .is_some_and(|e| e.iter().any(|x| x["name"] == "What to check next")));
    assert!(!out.stdout.contains("erp_FakeTokenNotReal_5f2c9a"));

    let out = run(&["check", "--format", "concise", newman]);
    assert!(
        out.stdout.starts_with(&format!(
            "{newman}:302:19: error[no-response] No response (ECONNREFUSED): "
        )),
        "{}",
        out.stdout
    );
    let out = run(&["check", "--format", "github", newman]);
    assert!(
        out.stdout.starts_with(
            "::error file=tests/fixtures/newman/newman-no-response.json,line=302,col=19,"
        ),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("title=runlog no-response "),
        "{}",
        out.stdout
    );
    let out = run(&["check", "--format", "human", step]);
    assert!(out.stdout.contains("no response"), "{}", out.stdout);
    assert!(out.stdout.contains("What to check next"), "{}", out.stdout);

    let out = run(&["check", "--format", "sarif", har]);
    let v = json_of(&out);
    let rules = &v["runs"][0]["tool"]["driver"]["rules"];
    assert_eq!(rules[0]["id"], "no-response", "{rules}");
    assert_eq!(
        rules[0]["shortDescription"]["text"],
        "A call that got no response"
    );
    let results = v["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 5);
    assert!(results.iter().all(|r| r["ruleId"] == "no-response"));
}
