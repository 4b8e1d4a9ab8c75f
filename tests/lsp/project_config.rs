//! `runlog.toml` in the language server: found from the document's folder upwards, applied
//! under the editor's settings, read again when the client says it changed, and an invalid one
//! said in the log while the editor's settings apply.

use crate::support::{file_uri, Client, Options};
use serde_json::{json, Value};

const LOG: &str = r#"[
  {"url": "https://api.invalid/a", "status": 404, "body": {"message": "No such item"}},
  {"url": "https://api.invalid/b", "status": 503, "body": {"message": "Try again later"}}
]"#;

/// A repository with `runlog.toml` at its root and the log two folders down.
fn project(config: &str) -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join(".git")).expect(".git");
    let logs = dir.path().join("logs/nightly");
    std::fs::create_dir_all(&logs).expect("folders");
    std::fs::write(dir.path().join("runlog.toml"), config).expect("config");
    let log = logs.join("run.json");
    std::fs::write(&log, LOG).expect("log");
    let config_uri = file_uri(&dir.path().join("runlog.toml"));
    (dir, file_uri(&log), config_uri)
}

fn codes_and_messages(diagnostics: &[Value]) -> Vec<(String, String)> {
    diagnostics
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default().to_string(),
                d["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn codes(diagnostics: &[Value]) -> Vec<String> {
    codes_and_messages(diagnostics)
        .into_iter()
        .map(|(code, _)| code)
        .collect()
}

#[test]
fn the_nearest_runlog_toml_applies_and_is_read_again_when_it_changes() {
    let (dir, uri, config_uri) = project(
        "[diagnostics]\nminimumStatus = 500\n[statusCodes.503]\ntitle = \"Upstream asleep\"\n",
    );
    let mut c = Client::start(Options::default());
    c.open(&uri, LOG);
    assert_eq!(
        codes_and_messages(&c.diagnostics(&uri)),
        [(
            "503".to_string(),
            "503 Upstream asleep: Try again later".to_string()
        )]
    );
    std::fs::write(
        dir.path().join("runlog.toml"),
        "[diagnostics]\nminimumStatus = 400\n",
    )
    .expect("rewrite");
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": config_uri, "type": 2}]}),
    );
    assert_eq!(codes(&c.diagnostics(&uri)), ["404", "503"]);
    c.shutdown();
}

#[test]
fn editor_settings_override_the_project_file_and_redact_names_add_up() {
    let (dir, uri, _) = project("redact = [\"X-Team\"]\n[diagnostics]\nminimumStatus = 500\n");
    let mut c = Client::start(Options {
        initialization_options: json!({"runlog": {
            "diagnostics": {"minimumStatus": 404},
            "redact": ["X-Other"]
        }}),
        ..Options::default()
    });
    c.open(&uri, LOG);
    assert_eq!(codes(&c.diagnostics(&uri)), ["404", "503"]);
    // A name from the file and one from the editor: both values are hidden.
    let echo = r#"[{"url": "https://api.invalid/c", "status": 500,
  "headers": {"X-Team": "team-secret-1", "X-Other": "other-secret-2"},
  "body": {"message": "team-secret-1 and other-secret-2 may not do this"}}]"#;
    let echo_uri = file_uri(&dir.path().join("logs/nightly/echo.json"));
    c.open(&echo_uri, echo);
    let messages = codes_and_messages(&c.diagnostics(&echo_uri));
    assert_eq!(messages.len(), 1, "{messages:?}");
    let message = &messages[0].1;
    assert!(message.contains("may not do this"), "{message}");
    assert!(
        !message.contains("team-secret-1") && !message.contains("other-secret-2"),
        "{message}"
    );
    c.shutdown();
}

#[test]
fn an_invalid_runlog_toml_is_said_with_its_line_and_the_editor_settings_apply() {
    let (_dir, uri, _) = project("[diagnostics]\nminimumStatus = \"high\"\n");
    let mut c = Client::start(Options::default());
    c.open(&uri, LOG);
    assert_eq!(codes(&c.diagnostics(&uri)), ["404", "503"]);
    let warning = c.wait_for("window/logMessage", |p| {
        p["message"]
            .as_str()
            .is_some_and(|m| m.contains("runlog.toml"))
    });
    let message = warning["message"].as_str().unwrap_or_default();
    assert!(message.contains("runlog.toml:2:"), "{message}");
    assert!(message.contains("minimumStatus"), "{message}");
    assert_eq!(warning["type"], 2, "a warning: {warning}");
    c.shutdown();
}

#[test]
fn an_invalid_runlog_toml_is_said_for_a_big_log_too() {
    // A log of over 1 MB gets a first look before its analysis; both use the settings read once,
    // so the warning, given when the file is first read, is said.
    let (_dir, uri, _) = project("[diagnostics]\nminimumStatus = \"high\"\n");
    let call = r#"{"url": "https://api.invalid/a", "status": 200, "body": {"items": [1, 2, 3]}}"#;
    let big = format!("[\n{}\n]", vec![call; 15_000].join(",\n"));
    assert!(big.len() > 1 << 20);
    let mut c = Client::start(Options::default());
    c.open(&uri, &big);
    let warning = c.wait_for("window/logMessage", |p| {
        p["message"]
            .as_str()
            .is_some_and(|m| m.contains("runlog.toml"))
    });
    assert_eq!(warning["type"], 2, "a warning: {warning}");
    c.shutdown();
}
