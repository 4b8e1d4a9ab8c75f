//! `check` as a CI linter: folders, globs, stdin names, exit codes, every format, `-o`,
//! `RUNLOG_OUTPUT_FORMAT`, colour, `runlog.toml`, `--group`, parallel output, the TTY hint.

use super::{json_of, root, Output, SEED};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Runs the binary in `dir` with extra environment; colour variables are cleared unless set.
pub fn run_env(dir: &Path, args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_runlog-lsp"));
    cmd.args(args).current_dir(dir).env("RUNLOG_LSP_LOG", "off");
    for var in [
        "NO_COLOR",
        "CLICOLOR",
        "CLICOLOR_FORCE",
        "RUNLOG_OUTPUT_FORMAT",
        "RAYON_NUM_THREADS",
    ] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("the binary starts");
    if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
        use std::io::Write;
        pipe.write_all(input.as_bytes()).expect("stdin written");
    }
    let out = child.wait_with_output().expect("the binary finishes");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

use super::fixture_bytes as fixture;

/// Writes files (creating folders) under `dir`.
fn write(dir: &Path, files: &[(&str, &[u8])]) {
    for (rel, content) in files {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("folders");
        std::fs::write(&p, content).expect("file written");
    }
}

/// A repository (`.git`, so no config above it is read) with nested logs, negatives, an
/// ignored log and a hidden folder.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let seed = fixture(SEED);
    let newman = fixture("tests/fixtures/integration/slack-200-ok-false.json");
    write(
        dir.path(),
        &[
            (".git/HEAD", b"ref: refs/heads/main\n"),
            (".gitignore", b"ignored/\n*.tmp.json\n"),
            ("logs/2024/run-1.json", &seed),
            ("logs/2024/deep/run-2.json", &seed),
            ("logs/slack.json", &newman),
            (
                "logs/api.jsonl",
                &fixture("tests/fixtures/jsonl/pino-http.jsonl"),
            ),
            (
                "logs/package.json",
                &fixture("tests/fixtures/negative/package.json"),
            ),
            (
                "logs/tsconfig.json",
                &fixture("tests/fixtures/negative/tsconfig.json"),
            ),
            ("logs/notes.txt", &seed),
            ("logs/scratch.tmp.json", &seed),
            ("ignored/run.json", &seed),
            (".hidden/run.json", &seed),
            ("logs/.cache/run.json", &seed),
        ],
    );
    dir
}

fn paths_of(v: &Value) -> Vec<String> {
    let mut paths: Vec<String> = v
        .as_array()
        .expect("an array")
        .iter()
        .filter_map(|f| f["path"].as_str().map(str::to_string))
        .collect();
    paths.dedup();
    paths
}

#[test]
fn folders_are_walked_under_the_ignore_rules() {
    let p = project();
    for args in [
        &["check", "--format", "json"][..],
        &["check", "--format", "json", "."][..],
    ] {
        let out = run_env(p.path(), args, &[], None);
        assert_eq!(out.code, 1, "{}", out.stderr);
        assert_eq!(
            out.stderr, "",
            "negatives found by walking are skipped silently"
        );
        assert_eq!(
            paths_of(&json_of(&out)),
            vec![
                "logs/2024/deep/run-2.json",
                "logs/2024/run-1.json",
                "logs/api.jsonl",
                "logs/slack.json"
            ],
            "nested logs, in path order; not .gitignored, hidden, or .txt files"
        );
    }
    let out = run_env(p.path(), &["check", "logs/2024"], &[], None);
    assert!(
        out.stdout
            .trim_end()
            .ends_with("2 failing calls in 2 files (2 errors)"),
        "{}",
        out.stdout
    );
}

#[test]
fn quoted_globs_are_expanded_by_the_tool() {
    let p = project();
    let out = run_env(
        p.path(),
        &["check", "--format", "json", "logs/**/*.json"],
        &[],
        None,
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(out.stderr, "", "globbed negatives are skipped silently");
    assert_eq!(
        paths_of(&json_of(&out)),
        vec![
            "logs/2024/deep/run-2.json",
            "logs/2024/run-1.json",
            "logs/slack.json"
        ]
    );
    let out = run_env(
        p.path(),
        &["check", "--format", "json", "logs/*/run-?.json"],
        &[],
        None,
    );
    assert_eq!(paths_of(&json_of(&out)), vec!["logs/2024/run-1.json"]);
    let out = run_env(p.path(), &["check", "logs/*.har"], &[], None);
    assert_eq!(out.code, 2, "a pattern that matches nothing");
    assert_eq!(
        out.stderr,
        "error: logs/*.har: no file matches this pattern\n"
    );
}

#[test]
fn standard_input_takes_its_name_from_stdin_filename() {
    let p = project();
    let text = String::from_utf8(fixture(SEED)).expect("UTF-8");
    let out = run_env(
        p.path(),
        &[
            "check",
            "--format",
            "concise",
            "--stdin-filename",
            "ci/run.json",
            "-",
        ],
        &[],
        Some(&text),
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stdout
            .starts_with("ci/run.json:41:27: error[400] 400 Bad Request"),
        "{}",
        out.stdout
    );
}

#[test]
fn exit_codes_follow_the_fail_level() {
    let r = root();
    let run = |args: &[&str]| run_env(&r, args, &[], None);
    let warnings_only = "tests/fixtures/integration/nonstandard-520-599.json";
    let note_only = "tests/fixtures/integration/slack-200-ok-false.json";
    let clean = "tests/fixtures/negative/package.json";

    assert_eq!(run(&["check", SEED]).code, 1);
    assert_eq!(
        run(&["check", warnings_only]).code,
        0,
        "warnings do not fail by default"
    );
    assert_eq!(
        run(&["check", "--fail-on", "warning", warnings_only]).code,
        1
    );
    assert_eq!(run(&["check", "--fail-on", "warning", note_only]).code, 0);
    assert_eq!(run(&["check", "--fail-on", "info", note_only]).code, 1);
    assert_eq!(run(&["check", "--exit-zero", SEED]).code, 0);
    assert_eq!(
        run(&["check", "--exit-zero", "--fail-on", "info", SEED, note_only]).code,
        0
    );

    // A note is not a failing call.
    let out = run(&["check", note_only]);
    assert_eq!(out.code, 0);
    assert!(
        out.stdout
            .trim_end()
            .ends_with("no failing calls and 1 note in 1 file (1 info)"),
        "{}",
        out.stdout
    );

    // A file named explicitly that is not a run log: a note, the exit code unchanged.
    let out = run(&["check", clean]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stderr,
        "note: tests/fixtures/negative/package.json: not a run log (no HTTP status fields found), skipped\n"
    );
    let out = run(&["check", "--format", "json", clean, SEED]);
    assert_eq!(
        out.code, 1,
        "the failing call is not hidden behind a tool error"
    );
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    assert_eq!(json_of(&out).as_array().map(Vec::len), Some(1));

    // The tool could not do its job: 2, even with --exit-zero.
    for args in [
        &["check", "missing.json", SEED][..],
        &["check", "--exit-zero", "missing.json"][..],
        &["check", "--fail-on", "sometimes", SEED][..],
        &["check", "--format", "xml", SEED][..],
    ] {
        assert_eq!(run(args).code, 2, "{args:?}");
    }
}

/// Parses one workflow command: (command, properties, message), each decoded.
fn parse_command(line: &str) -> (String, Vec<(String, String)>, String) {
    let rest = line
        .strip_prefix("::")
        .unwrap_or_else(|| panic!("not a command: {line}"));
    let (head, message) = rest
        .split_once("::")
        .unwrap_or_else(|| panic!("no message: {line}"));
    let (command, props) = head.split_once(' ').unwrap_or((head, ""));
    let decode = |s: &str| {
        s.replace("%0A", "\n")
            .replace("%0D", "\r")
            .replace("%3A", ":")
            .replace("%2C", ",")
            .replace("%25", "%")
    };
    assert!(!message.contains(['\n', '\r']), "{line}");
    let props = props
        .split(',')
        .map(|kv| {
            let (k, v) = kv
                .split_once('=')
                .unwrap_or_else(|| panic!("not key=value: {kv}"));
            assert!(
                !v.contains([':', ',', '\n', '\r']),
                "unescaped property: {line}"
            );
            (k.to_string(), decode(v))
        })
        .collect();
    (command.to_string(), props, decode(message))
}

#[test]
fn github_workflow_commands_are_well_formed_and_escaped() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        &[
            (".git/HEAD", b""),
            (
                "odd,name:1.json",
                "{\"status\": 400, \"body\": {\"message\": \"100% sure\\r\\n::error::injected \\u001b[31mred\"}}".as_bytes(),
            ),
        ],
    );
    let out = run_env(
        dir.path(),
        &["check", "--format", "github", "odd,name:1.json"],
        &[],
        None,
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "one command, nothing else: {}", out.stdout);
    let (command, props, message) = parse_command(lines[0]);
    assert_eq!(command, "error");
    let keys: Vec<&str> = props.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        ["file", "line", "col", "endLine", "endColumn", "title"]
    );
    assert_eq!(props[0].1, "odd,name:1.json");
    assert_eq!(props[5].1, "runlog 400 Bad Request");
    assert!(
        message.starts_with("400 Bad Request: 100% sure"),
        "{message:?}"
    );
    assert!(
        !message.contains('\x1b') && !message.contains("\n::"),
        "{message:?}"
    );
    assert!(lines[0].contains("100%25 sure"), "{}", lines[0]);

    // Every fixture: one command per finding, each well formed, severities mapped.
    let r = root();
    let out = run_env(
        &r,
        &["check", "--format", "github", "tests/fixtures"],
        &[],
        None,
    );
    let json = run_env(
        &r,
        &["check", "--format", "json", "tests/fixtures"],
        &[],
        None,
    );
    let findings = json_of(&json).as_array().cloned().unwrap_or_default();
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), findings.len());
    for (line, f) in lines.iter().zip(&findings) {
        let (command, props, message) = parse_command(line);
        let want = match f["severity"].as_str() {
            Some("error") => "error",
            Some("warning") => "warning",
            _ => "notice",
        };
        assert_eq!(command, want, "{line}");
        assert_eq!(props[0].1, f["path"].as_str().unwrap_or(""));
        assert_eq!(props[1].1, f["line"].to_string());
        assert_eq!(props[2].1, f["column"].to_string());
        assert!(message.starts_with(
            f["message"]
                .as_str()
                .unwrap_or("-")
                .split('…')
                .next()
                .unwrap_or("")
        ));
    }
}

#[test]
fn sarif_uses_the_typed_structs_rules_once_and_relative_uris() {
    let p = project();
    let abs = p.path().join("logs").to_string_lossy().into_owned();
    let out = run_env(
        p.path(),
        &["check", "--format", "sarif", &abs, "logs/2024/run-1.json"],
        &[],
        None,
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    let log: serde_sarif::sarif::Sarif =
        serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("not SARIF 2.1.0 ({e})"));
    let run = &log.runs[0];
    let rules = run.tool.driver.rules.as_ref().expect("rules");
    let ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "each rule described once: {ids:?}");
    assert!(ids.contains(&"400") && ids.contains(&"200"), "{ids:?}");
    let results = run.results.as_ref().expect("results");
    let mut uris = Vec::new();
    for r in results {
        let id = r.rule_id.as_deref().expect("ruleId");
        let index = r.rule_index.expect("ruleIndex") as usize;
        assert_eq!(rules[index].id, id);
        let uri = r
            .locations
            .as_ref()
            .and_then(|l| l[0].physical_location.as_ref())
            .and_then(|p| p.artifact_location.as_ref())
            .and_then(|a| a.uri.clone())
            .expect("uri");
        uris.push(uri);
    }
    uris.dedup();
    assert_eq!(
        uris,
        vec![
            "logs/2024/deep/run-2.json",
            "logs/2024/run-1.json",
            "logs/api.jsonl",
            "logs/slack.json"
        ],
        "relative to the working directory, absolute arguments included, each file once"
    );
}

#[test]
fn output_file_and_format_from_the_environment() {
    let p = project();
    let out = run_env(
        p.path(),
        &[
            "check",
            "-o",
            "report.json",
            "--format",
            "json",
            "logs/2024",
        ],
        &[],
        None,
    );
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout, "");
    let written = std::fs::read_to_string(p.path().join("report.json")).expect("written");
    assert_eq!(
        serde_json::from_str::<Value>(&written)
            .ok()
            .and_then(|v| v.as_array().map(Vec::len)),
        Some(2)
    );
    // The output file is never read back as a log on the next run.
    let again = run_env(
        p.path(),
        &["check", "--output-file", "report.json", "--format", "json"],
        &[],
        None,
    );
    let written = std::fs::read_to_string(p.path().join("report.json")).expect("written");
    assert_eq!(again.code, 1);
    assert!(!written.contains("\"path\": \"report.json\""));

    let env = [("RUNLOG_OUTPUT_FORMAT", "json")];
    let out = run_env(p.path(), &["check", "logs/2024"], &env, None);
    assert_eq!(json_of(&out).as_array().map(Vec::len), Some(2));
    let out = run_env(
        p.path(),
        &["check", "--format", "concise", "logs/2024"],
        &env,
        None,
    );
    assert!(
        out.stdout
            .starts_with("logs/2024/deep/run-2.json:41:27: error[400]"),
        "{}",
        out.stdout
    );
    let out = run_env(
        p.path(),
        &["check", "logs/2024"],
        &[("RUNLOG_OUTPUT_FORMAT", "yaml")],
        None,
    );
    assert_eq!(out.code, 2);
}

#[test]
fn colour_follows_the_flag_and_the_environment() {
    let r = root();
    let styled = |args: &[&str], env: &[(&str, &str)]| {
        let out = run_env(&r, args, env, None);
        assert_eq!(out.code, 1, "{}", out.stderr);
        out.stdout.contains('\x1b')
    };
    for format in ["human", "concise"] {
        let args = ["check", "--format", format, SEED];
        assert!(!styled(&args, &[]), "not a terminal: no colour");
        assert!(styled(&args, &[("CLICOLOR_FORCE", "1")]));
        assert!(!styled(
            &args,
            &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]
        ));
        let always = ["check", "--color", "always", "--format", format, SEED];
        assert!(styled(&always, &[("NO_COLOR", "1")]), "the flag wins");
        let never = ["check", "--color", "never", "--format", format, SEED];
        assert!(!styled(&never, &[("CLICOLOR_FORCE", "1")]));
    }
    // JSON is never styled.
    assert!(!styled(
        &["check", "--color", "always", "--format", "json", SEED],
        &[]
    ));
}

/// Runs `command` under `script` (a pseudo-terminal for stdin and stdout); `None` when
/// `script` is not installed.
fn in_terminal(command: &str, env: &[(&str, &str)]) -> Option<String> {
    let mut cmd = Command::new("script");
    cmd.args(["-qec", command, "/dev/null"])
        .current_dir(root())
        .env("RUNLOG_LSP_LOG", "off")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        // anstream colours a terminal on CI whatever TERM says; this test is about TERM.
        .env_remove("CI")
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn a_terminal_gets_colour_unless_term_is_dumb_or_no_color() {
    let bin = env!("CARGO_BIN_EXE_runlog-lsp");
    let command = format!("{bin} check {SEED}");
    let Some(tty) = in_terminal(&command, &[("TERM", "xterm-256color")]) else {
        eprintln!("script is not installed: skipped");
        return;
    };
    assert!(tty.contains('\x1b'), "{tty}");
    let dumb = in_terminal(&command, &[("TERM", "dumb")]).unwrap_or_default();
    assert!(
        dumb.contains("error[400]") && !dumb.contains('\x1b'),
        "{dumb}"
    );
    let no_color =
        in_terminal(&command, &[("TERM", "xterm"), ("NO_COLOR", "1")]).unwrap_or_default();
    assert!(
        no_color.contains("error[400]") && !no_color.contains('\x1b'),
        "{no_color}"
    );
}

#[test]
fn the_server_started_from_a_terminal_says_what_it_is() {
    assert!(runlog_lsp::cli::tty_hint(false).is_none());
    let hint = runlog_lsp::cli::tty_hint(true).expect("a hint");
    assert!(hint.contains("language server") && hint.contains("runlog-lsp check --help"));
    let bin = env!("CARGO_BIN_EXE_runlog-lsp");
    // stdin is the terminal; it ends at once (stdin of `script` is empty).
    if let Some(out) = in_terminal(bin, &[]) {
        assert!(out.contains(hint), "{out}");
        assert_eq!(out.matches(hint).count(), 1);
    }
    // Started by an editor (a pipe): not a word.
    let out = run_env(&root(), &[], &[], Some(""));
    assert!(!out.stderr.contains("language server"), "{}", out.stderr);
    assert_eq!(out.stdout, "");
}

fn tenant_log() -> Vec<u8> {
    br#"[{"method": "GET", "url": "https://x.example/t/1", "status": 403, "headers": {"X-Tenant": "TENANTSECRET9"}, "body": {"message": "tenant X-Tenant: TENANTSECRET9 is not allowed"}},
{"method": "POST", "url": "https://x.example/orders", "status": 502, "headers": {"X-Tenant": "TENANTSECRET9"}, "body": {"message": "upstream X-Tenant: TENANTSECRET9 down"}}]"#
        .to_vec()
}

#[test]
fn runlog_toml_is_found_upwards_and_applied() {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = tenant_log();
    write(
        dir.path(),
        &[
            ("repo/.git/HEAD", b""),
            (
                "repo/runlog.toml",
                b"redact = [\"x-tenant\"]\n\n[diagnostics]\nminimumStatus = 500\n",
            ),
            ("repo/logs/deep/tenant.json", &log),
            // Another repository: no config, defaults.
            ("other/.git/HEAD", b""),
            ("other/tenant.json", &log),
        ],
    );
    let out = run_env(
        &dir.path().join("repo"),
        &["check", "--format", "json"],
        &[],
        None,
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    let v = json_of(&out);
    let statuses: Vec<u64> = v
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|f| f["status"].as_u64())
        .collect();
    assert_eq!(statuses, vec![502], "minimumStatus from runlog.toml");
    assert!(
        !out.stdout.contains("TENANTSECRET9"),
        "redact from runlog.toml: {}",
        out.stdout
    );
    // From elsewhere, each log gets the config above it.
    let out = run_env(
        dir.path(),
        &["check", "--format", "json", "repo", "other"],
        &[],
        None,
    );
    let v = json_of(&out);
    let got: Vec<(String, u64)> = v
        .as_array()
        .expect("array")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or("").to_string(),
                f["status"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("other/tenant.json".to_string(), 403),
            ("other/tenant.json".to_string(), 502),
            ("repo/logs/deep/tenant.json".to_string(), 502),
        ]
    );
    // --config names one for every log (TOML by extension); the command line wins over it.
    let cfg = dir
        .path()
        .join("repo/runlog.toml")
        .to_string_lossy()
        .into_owned();
    let out = run_env(
        dir.path(),
        &["check", "--format", "json", "--config", &cfg, "other"],
        &[],
        None,
    );
    assert_eq!(json_of(&out).as_array().map(Vec::len), Some(1));
    let out = run_env(
        dir.path(),
        &["check", "--config", &cfg, "--min-status", "400", "other"],
        &[],
        None,
    );
    assert!(out.stdout.contains("error[403]"), "{}", out.stdout);
}

#[test]
fn an_invalid_runlog_toml_is_exit_2_with_file_and_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        &[
            (".git/HEAD", b""),
            (
                ".runlog.toml",
                b"redact = []\n[diagnostics]\nminimumStatus = \"high\"\n",
            ),
            ("run.json", &fixture(SEED)),
        ],
    );
    let out = run_env(dir.path(), &["check", "run.json"], &[], None);
    assert_eq!(out.code, 2);
    assert_eq!(out.stdout, "");
    let want = format!(
        "error: {}:3:17: `diagnostics.minimumStatus`: expected a non-negative integer\n",
        dir.path().join(".runlog.toml").display()
    );
    assert_eq!(out.stderr, want);
    std::fs::write(dir.path().join(".runlog.toml"), "[diagnostics\n").expect("rewritten");
    let out = run_env(dir.path(), &["check", "run.json"], &[], None);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains(".runlog.toml:1:") && out.stderr.contains("invalid TOML"),
        "{}",
        out.stderr
    );
    std::fs::write(
        dir.path().join(".runlog.toml"),
        "[limits]\nmaxDiagnostic = 3\n",
    )
    .expect("rewritten");
    let out = run_env(dir.path(), &["check", "run.json"], &[], None);
    assert!(
        out.stderr
            .contains(".runlog.toml:2:1: unknown key `limits.maxDiagnostic`"),
        "{}",
        out.stderr
    );
}

/// Three calls that failed the same way (different ids and emails), one that did not.
fn repeated_failures() -> String {
    let mut calls = Vec::new();
    for (i, email) in ["ana@x.example", "bo@y.example", "cy@z.example"]
        .iter()
        .enumerate()
    {
        calls.push(format!(
            r#"{{"method": "POST", "url": "https://api.example/lists/{}a9f{i}c/members", "status": 400, "body": {{"detail": "{email} is already a list member (id {}{i})"}}}}"#,
            i * 7 + 10,
            1000 + i
        ));
        if i == 0 {
            calls.push(r#"{"method": "GET", "url": "https://api.example/ping", "status": 503, "body": {"detail": "maintenance"}}"#.to_string());
        }
    }
    format!("[\n{}\n]\n", calls.join(",\n"))
}

#[test]
fn group_prints_one_block_per_cause() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        &[
            (".git/HEAD", b""),
            ("a.json", repeated_failures().as_bytes()),
        ],
    );
    let out = run_env(dir.path(), &["check", "--group", "a.json"], &[], None);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let want = "error[400]: 3 calls: 400 Bad Request: <email> is already a list member (id <n>)
  endpoint: POST https://api.example/lists/{id}/members
  first:    a.json:2:82
  also:     a.json:4:82
            a.json:5:82

error[503]: 1 call: 503 Service Unavailable: maintenance
  endpoint: GET https://api.example/ping
  first:    a.json:3:64

4 failing calls (2 causes) in 1 file (4 errors)
";
    assert_eq!(out.stdout, want);

    let out = run_env(
        dir.path(),
        &["check", "--group", "--format", "json", "a.json"],
        &[],
        None,
    );
    let v = json_of(&out);
    let groups = v.as_array().expect("an array of groups");
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0]["count"], 3);
    assert_eq!(groups[0]["code"], "400");
    assert_eq!(
        groups[0]["endpoint"],
        "https://api.example/lists/{id}/members"
    );
    assert_eq!(groups[0]["calls"].as_array().map(Vec::len), Some(3));
    assert_eq!(groups[0]["calls"][0]["line"], 2);
    for key in [
        "key",
        "status",
        "reason",
        "explanation",
        "method",
        "severity",
    ] {
        assert!(groups[0].get(key).is_some(), "{key}");
    }
    let out = run_env(
        dir.path(),
        &["check", "--group", "--format", "concise", "a.json"],
        &[],
        None,
    );
    assert!(
        out.stdout
            .starts_with("a.json:2:82: error[400] 3 × 400 Bad Request: <email>"),
        "{}",
        out.stdout
    );
    let out = run_env(
        dir.path(),
        &["check", "--group", "--format", "github", "a.json"],
        &[],
        None,
    );
    assert_eq!(out.stdout.lines().count(), 2, "{}", out.stdout);
    assert!(
        out.stdout.contains("also at%3A") || out.stdout.contains("also at: a.json:4:82"),
        "{}",
        out.stdout
    );
}

#[test]
fn parallel_output_is_deterministic() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut files: Vec<(String, Vec<u8>)> = vec![(".git/HEAD".into(), Vec::new())];
    let sources = [
        SEED,
        "tests/fixtures/har/chromium-recorded.har",
        "tests/fixtures/jsonl/pino-http.jsonl",
        "tests/fixtures/integration/multi-run.json",
        "tests/fixtures/newman/newman-report.json",
    ];
    for i in 0..30 {
        let src = sources[i % sources.len()];
        let ext = Path::new(src)
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("json");
        files.push((
            format!("d{}/s{}/log-{i:02}.{ext}", i % 4, i % 3),
            fixture(src),
        ));
    }
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_slice()))
        .collect();
    write(dir.path(), &refs);
    let one = run_env(
        dir.path(),
        &["check", "--format", "concise"],
        &[("RAYON_NUM_THREADS", "1")],
        None,
    );
    for _ in 0..3 {
        let many = run_env(
            dir.path(),
            &["check", "--format", "concise"],
            &[("RAYON_NUM_THREADS", "4")],
            None,
        );
        assert_eq!(many.stdout, one.stdout);
        assert_eq!(many.code, one.code);
    }
    let paths: Vec<PathBuf> = one
        .stdout
        .lines()
        .filter(|l| l.starts_with('d'))
        .filter_map(|l| l.split(':').next())
        .map(PathBuf::from)
        .collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted, "path order");
    assert!(
        one.stdout.trim_end().ends_with("in 30 files (") || one.stdout.contains(" in 30 files ("),
        "{}",
        one.stdout
    );
}
