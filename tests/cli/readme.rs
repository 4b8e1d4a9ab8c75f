//! Every `runlog-lsp …` command shown in README.md's code blocks runs here, in a folder laid out
//! as the README assumes, and does what the README says (exit code and kind of output): the
//! README cannot lie again. A command added to the README without an expectation here fails.

use super::{fixture_bytes, root};
use std::path::Path;
use std::process::{Command, Stdio};

/// What a command prints.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// Compiler-style findings and the summary.
    Human,
    /// A JSON array of findings.
    Json,
    /// `path:line:col: severity[code] message` lines.
    Concise,
    /// Blocks with `first:` lines.
    Grouped,
    /// GitHub workflow commands.
    Github,
    /// Nothing on stdout; `runlog.sarif` holds SARIF 2.1.0.
    SarifFile,
    /// A status code's definition.
    Explain,
}

/// (command as in the README, exit code, kind).
const EXPECTED: &[(&str, i32, Kind)] = &[
    ("runlog-lsp check run-log.json", 1, Kind::Human),
    ("runlog-lsp check", 1, Kind::Human),
    ("runlog-lsp check 'logs/*.har' --format json", 1, Kind::Json),
    ("runlog-lsp check --format concise logs", 1, Kind::Concise),
    ("runlog-lsp check --group logs", 1, Kind::Grouped),
    (
        "runlog-lsp check --format sarif -o runlog.sarif .",
        1,
        Kind::SarifFile,
    ),
    (
        "runlog-lsp check --fail-on warning --exit-zero .",
        0,
        Kind::Human,
    ),
    (
        "cat run-log.json | runlog-lsp check --stdin-filename run-log.json -",
        1,
        Kind::Human,
    ),
    ("runlog-lsp explain 429", 0, Kind::Explain),
    ("runlog-lsp check --format github logs", 1, Kind::Github),
    (
        "runlog-lsp check --format sarif -o runlog.sarif --exit-zero logs",
        0,
        Kind::SarifFile,
    ),
    // pre-commit's `entry`, run with the changed files it passes.
    (
        "runlog-lsp check run-log.json logs/api.jsonl",
        1,
        Kind::Human,
    ),
];

/// The README's commands: shell lines naming runlog-lsp, GitHub Actions `run:` steps and the
/// pre-commit `entry` (given two files, as pre-commit would); and the TOML examples.
fn readme_commands() -> (Vec<String>, Vec<String>) {
    let text = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let (mut commands, mut tomls) = (Vec::new(), Vec::new());
    let mut lang: Option<String> = None;
    let mut block = String::new();
    for line in text.lines() {
        if let Some(fence) = line.trim_start().strip_prefix("```") {
            match lang.take() {
                None => lang = Some(fence.trim().to_string()),
                Some(l) => {
                    if l == "toml" {
                        tomls.push(std::mem::take(&mut block));
                    }
                    block.clear();
                }
            }
            continue;
        }
        let Some(l) = &lang else { continue };
        block.push_str(line);
        block.push('\n');
        let trimmed = line.trim().trim_start_matches("- ");
        let command = match l.as_str() {
            "sh" | "bash" | "console" if trimmed.contains("runlog-lsp ") => {
                Some(strip_comment(trimmed).to_string())
            }
            "yaml" => match trimmed.split_once(": ") {
                Some(("run", c)) if c.starts_with("runlog-lsp") => Some(c.to_string()),
                Some(("entry", c)) if c.starts_with("runlog-lsp") => {
                    Some(format!("{c} run-log.json logs/api.jsonl"))
                }
                _ => None,
            },
            _ => None,
        };
        commands.extend(command);
    }
    (commands, tomls)
}

/// The command without its trailing `# comment` (outside quotes).
fn strip_comment(line: &str) -> &str {
    let mut quoted = None;
    for (i, c) in line.char_indices() {
        match (c, quoted) {
            ('\'' | '"', None) => quoted = Some(c),
            (q, Some(open)) if q == open => quoted = None,
            ('#', None) if line[..i].ends_with(' ') => return line[..i].trim_end(),
            _ => {}
        }
    }
    line.trim_end()
}

/// A repository laid out as the README's examples assume.
fn layout(dir: &Path, tomls: &[String]) {
    let files: &[(&str, &str)] = &[
        (
            "run-log.json",
            "tests/fixtures/integration/seed-168379.json",
        ),
        (
            "logs/chromium.har",
            "tests/fixtures/har/chromium-recorded.har",
        ),
        ("logs/api.jsonl", "tests/fixtures/jsonl/pino-http.jsonl"),
        (
            "logs/nightly/run.json",
            "tests/fixtures/integration/multi-run.json",
        ),
        ("logs/package.json", "tests/fixtures/negative/package.json"),
    ];
    std::fs::create_dir_all(dir.join(".git")).expect(".git");
    for (to, from) in files {
        let p = dir.join(to);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("folders");
        std::fs::write(&p, fixture_bytes(from)).expect("fixture copied");
    }
    // The README's runlog.toml, as a team would commit it.
    if let Some(toml) = tomls.first() {
        std::fs::write(dir.join("runlog.toml"), toml).expect("runlog.toml");
    }
}

#[test]
fn every_readme_command_does_what_the_readme_says() {
    let (commands, tomls) = readme_commands();
    let expected: Vec<&str> = EXPECTED.iter().map(|e| e.0).collect();
    assert_eq!(
        commands, expected,
        "README commands and this test's expectations differ"
    );
    assert!(!tomls.is_empty(), "the README shows a runlog.toml");
    for toml in &tomls {
        runlog_lsp::config_file::parse_onto(toml, Path::new("README.md"), Default::default())
            .unwrap_or_else(|e| panic!("the README's runlog.toml is invalid: {e}"));
    }
    let bin = Path::new(env!("CARGO_BIN_EXE_runlog-lsp"));
    let path = format!(
        "{}:{}",
        bin.parent().expect("bin dir").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for &(command, code, kind) in EXPECTED {
        let dir = tempfile::tempdir().expect("temp dir");
        layout(dir.path(), &tomls);
        let out = Command::new("sh")
            .args(["-c", command])
            .current_dir(dir.path())
            .env("PATH", &path)
            .env("RUNLOG_LSP_LOG", "off")
            .env_remove("RUNLOG_OUTPUT_FORMAT")
            .env_remove("CLICOLOR_FORCE")
            .stdin(Stdio::null())
            .output()
            .expect("sh runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{command}: {stderr}\n{stdout}"
        );
        assert_eq!(stderr, "", "{command}");
        let ok = match kind {
            Kind::Human => stdout.contains("error[") && stdout.contains(" failing call"),
            Kind::Json => serde_json::from_str::<serde_json::Value>(&stdout)
                .is_ok_and(|v| v.as_array().is_some_and(|a| !a.is_empty())),
            Kind::Concise => {
                stdout.lines().filter(|l| l.contains("error[")).all(|l| {
                    let mut parts = l.splitn(4, ':');
                    let (_, line, col) = (parts.next(), parts.next(), parts.next());
                    line.is_some_and(|n| n.parse::<u32>().is_ok())
                        && col.is_some_and(|n| n.parse::<u32>().is_ok())
                }) && stdout.contains("error[")
            }
            Kind::Grouped => stdout.contains("  first:") && stdout.contains(" causes)"),
            Kind::Github => {
                stdout.lines().all(|l| l.starts_with("::")) && stdout.contains("::error file=")
            }
            Kind::SarifFile => {
                let sarif =
                    std::fs::read_to_string(dir.path().join("runlog.sarif")).unwrap_or_default();
                stdout.is_empty()
                    && serde_json::from_str::<serde_sarif::sarif::Sarif>(&sarif)
                        .is_ok_and(|s| s.runs[0].results.as_ref().is_some_and(|r| !r.is_empty()))
            }
            Kind::Explain => stdout.starts_with("429 Too Many Requests"),
        };
        assert!(ok, "{command}: not {kind:?} output:\n{stdout}");
    }
}
