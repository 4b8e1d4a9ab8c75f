//! The project config file: `runlog.toml` (or `.runlog.toml`), found from a log's folder upwards
//! to the repository root, holding the `runlog.*` settings without the prefix:
//!
//! ```toml
//! redact = ["X-Tenant"]
//! [diagnostics]
//! minimumStatus = 400
//! [statusCodes.499]
//! title = "Client Closed Request"
//! ```
//!
//! `check` reads it for each log; the language server for each document (`lsp/project.rs`),
//! under the editor's settings. A mistake here is an error with the file, line and column and
//! what was expected: `check` stops (a CI linter should not quietly ignore its configuration),
//! the server says it in its log and goes on with the editor's settings.

use crate::settings::{is_known, Settings, SETTINGS};
use serde_json::Value;
use std::path::{Path, PathBuf};
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// The names looked for in each folder, in this order (the first found wins).
pub const NAMES: [&str; 2] = ["runlog.toml", ".runlog.toml"];

/// A config file that could not be used: where, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    /// 1-based line and column (in characters), when the problem has a place in the file.
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let (Some(line), Some(column)) = (self.line, self.column) {
            write!(f, ":{line}:{column}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// The config file that applies to a log in `dir`: `runlog.toml` or `.runlog.toml` in `dir` or
/// the nearest folder above it, stopping at the repository root (a folder holding `.git`).
pub fn find_config(dir: &Path) -> Option<PathBuf> {
    let mut current = Some(dir);
    while let Some(d) = current {
        for name in NAMES {
            let candidate = d.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
        if d.join(".git").exists() {
            return None;
        }
        current = d.parent().filter(|p| !p.as_os_str().is_empty());
    }
    None
}

/// Reads and parses a config file over the settings' defaults.
pub fn load(path: &Path) -> Result<Settings, ConfigError> {
    load_onto(path, Settings::default())
}

/// Reads and parses a config file over `base`: keys the file does not set keep `base`'s value.
pub fn load_onto(path: &Path, base: Settings) -> Result<Settings, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        path: path.to_path_buf(),
        line: None,
        column: None,
        message: format!("could not be read: {e}"),
    })?;
    parse_onto(&text, path, base)
}

/// Parses config text (`path` only names it in errors).
pub fn parse_onto(
    text: &str,
    path: &Path,
    mut settings: Settings,
) -> Result<Settings, ConfigError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let error = |span: Option<std::ops::Range<usize>>, message: String| {
        let (line, column) = match span {
            Some(s) => {
                let (l, c) = line_col(text, s.start);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        ConfigError {
            path: path.to_path_buf(),
            line,
            column,
            message,
        }
    };
    let table = DeTable::parse(text)
        .map_err(|e| error(e.span(), format!("invalid TOML: {}", e.message().trim())))?;
    let mut leaves = Vec::new();
    collect(table.get_ref(), "runlog", &mut leaves).map_err(|(span, m)| error(Some(span), m))?;
    for (key, value, span) in leaves {
        let json = to_json(value.get_ref(), 0);
        settings.apply(&key, &json).map_err(|m| {
            let short = key.strip_prefix("runlog.").unwrap_or(&key);
            error(Some(span), format!("`{short}`: {m}"))
        })?;
    }
    Ok(settings)
}

type Leaf<'a, 'i> = (String, &'a Spanned<DeValue<'i>>, std::ops::Range<usize>);

/// Every known setting in `table` (keys under `prefix`), or the first unknown key.
fn collect<'a, 'i>(
    table: &'a DeTable<'i>,
    prefix: &str,
    out: &mut Vec<Leaf<'a, 'i>>,
) -> Result<(), (std::ops::Range<usize>, String)> {
    for (key, value) in table {
        let full = format!("{prefix}.{}", key.get_ref());
        if is_known(&full) {
            out.push((full, value, value.span()));
        } else if let (true, Some(inner)) = (is_section(&full), value.get_ref().as_table()) {
            collect(inner, &full, out)?;
        } else {
            let short = full.strip_prefix("runlog.").unwrap_or(&full);
            return Err((
                key.span(),
                format!(
                    "unknown key `{short}`; expected one of: {}",
                    expected_keys()
                ),
            ));
        }
    }
    Ok(())
}

/// True when some setting lives under `prefix` (`runlog.diagnostics`).
fn is_section(prefix: &str) -> bool {
    SETTINGS.iter().any(|s| {
        s.key.len() > prefix.len()
            && s.key.starts_with(prefix)
            && s.key[prefix.len()..].starts_with('.')
    })
}

fn expected_keys() -> String {
    SETTINGS
        .iter()
        .map(|s| s.key.strip_prefix("runlog.").unwrap_or(s.key))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A TOML value as the JSON the settings parser reads (depth-bounded).
fn to_json(value: &DeValue<'_>, depth: usize) -> Value {
    match value {
        _ if depth > 16 => Value::Null,
        DeValue::String(s) => Value::String(s.to_string()),
        DeValue::Integer(i) => i64::from_str_radix(&i.as_str().replace('_', ""), i.radix())
            .map(Value::from)
            .unwrap_or(Value::Null),
        DeValue::Float(f) => f
            .as_str()
            .replace('_', "")
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .unwrap_or(Value::Null),
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => Value::String(d.to_string()),
        DeValue::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| to_json(v.get_ref(), depth + 1))
                .collect(),
        ),
        DeValue::Table(t) => Value::Object(
            t.iter()
                .map(|(k, v)| (k.get_ref().to_string(), to_json(v.get_ref(), depth + 1)))
                .collect(),
        ),
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = crate::core::line_index::floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::Severity;

    fn parse(text: &str) -> Result<Settings, ConfigError> {
        parse_onto(text, Path::new("runlog.toml"), Settings::default())
    }

    #[test]
    fn the_same_keys_as_the_settings() {
        let s = parse(
            r#"
redact = ["X-Tenant"]
files.watch = ["logs/*.json"]
[diagnostics]
minimumStatus = 500
severity = { "4xx" = "warning" }
[statusCodes.499]
title = "Gateway gave up"
description = "Our gateway timed out."
[statusCodes]
520 = "Web Server Error"
[limits]
maxDiagnostics = 5
analysisTimeMs = 2_000
"#,
        )
        .expect("valid");
        assert_eq!(s.analysis.redact, vec!["X-Tenant".to_string()]);
        assert_eq!(s.watch, vec!["logs/*.json".to_string()]);
        assert_eq!(s.analysis.minimum_status, 500);
        assert_eq!(
            s.analysis.severity.get("4xx"),
            Some(&Some(Severity::Warning))
        );
        assert_eq!(s.analysis.status_codes[&499].title, "Gateway gave up");
        assert_eq!(s.analysis.status_codes[&520].title, "Web Server Error");
        assert_eq!(s.analysis.max_findings, 5);
        assert_eq!(
            s.analysis.analysis_time,
            Some(std::time::Duration::from_millis(2000))
        );
    }

    #[test]
    fn keys_not_set_keep_the_base() {
        let mut base = Settings::default();
        base.analysis.max_findings = 10_000;
        let s = parse_onto("redact = []", Path::new("x.toml"), base).expect("valid");
        assert_eq!(s.analysis.max_findings, 10_000);
    }

    #[test]
    fn errors_say_where_and_what_was_expected() {
        let e = parse("redact = [\"a\"]\n[diagnostics]\nminimumStatus = \"many\"\n")
            .expect_err("a string");
        assert_eq!((e.line, e.column), (Some(3), Some(17)));
        assert!(e.message.contains("diagnostics.minimumStatus"), "{e}");
        assert!(e.message.contains("expected a non-negative integer"), "{e}");
        assert_eq!(e.to_string(), format!("runlog.toml:3:17: {}", e.message));

        let e = parse("\n\n[diagnostics\nminimumStatus = 1").expect_err("syntax");
        assert_eq!(e.line, Some(3), "{e}");
        assert!(e.message.starts_with("invalid TOML: "), "{e}");

        let e = parse("[diagnostics]\nminimumstatus = 300").expect_err("unknown key");
        assert_eq!((e.line, e.column), (Some(2), Some(1)));
        assert!(
            e.message
                .contains("unknown key `diagnostics.minimumstatus`")
                && e.message.contains("diagnostics.minimumStatus"),
            "{e}"
        );

        let e = parse("redact = \"X-Tenant\"").expect_err("not an array");
        assert!(e.message.contains("expected an array of strings"), "{e}");
        let e = parse("[diagnostics.severity]\n404 = \"loud\"").expect_err("bad severity");
        assert!(e.message.contains("unknown severity"), "{e}");
    }

    #[test]
    fn found_upwards_and_stops_at_the_repository_root() {
        let root = tempfile::tempdir().expect("temp dir");
        let repo = root.path().join("repo");
        let deep = repo.join("a/b/c");
        std::fs::create_dir_all(&deep).expect("dirs");
        std::fs::create_dir_all(repo.join(".git")).expect(".git");
        // Above the repository: never read.
        std::fs::write(root.path().join("runlog.toml"), "").expect("outer");
        assert_eq!(find_config(&deep), None);
        std::fs::write(repo.join(".runlog.toml"), "").expect("hidden name");
        assert_eq!(find_config(&deep), Some(repo.join(".runlog.toml")));
        std::fs::write(repo.join("a/runlog.toml"), "").expect("nearer");
        assert_eq!(find_config(&deep), Some(repo.join("a/runlog.toml")));
        std::fs::write(repo.join("a/.runlog.toml"), "").expect("both");
        assert_eq!(find_config(&deep), Some(repo.join("a/runlog.toml")));
    }
}
