//! The `sarif` format: SARIF 2.1.0 for code-scanning tools. One rule per status code found (and
//! `invalid-json` / `limit-reached`), one result per finding, columns in Unicode code points.

use super::check::{Record, Report};
use crate::core::model::{FindingKind, Severity};
use serde_json::{json, Value};
use std::collections::BTreeMap;

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub const INFORMATION_URI: &str = "https://github.com/runlog/runlog-lsp";

fn rule_id(r: &Record) -> String {
    match (r.status, r.kind) {
        (Some(code), _) => code.to_string(),
        (None, FindingKind::InvalidJson) => "invalid-json".to_string(),
        (None, FindingKind::LimitReached) => "limit-reached".to_string(),
        (None, _) => "runlog".to_string(),
    }
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Information | Severity::Hint => "note",
    }
}

/// `path` as a URI reference: relative paths stay relative (with `/`), absolute ones become
/// relative to the working directory when under it, else `file://` URIs.
pub fn artifact_uri(path: &str) -> String {
    let p = std::path::Path::new(path);
    let rel = if p.is_absolute() {
        match std::env::current_dir()
            .ok()
            .and_then(|cwd| p.strip_prefix(cwd).ok().map(|r| r.to_path_buf()))
        {
            Some(r) => r.to_string_lossy().into_owned(),
            None => return format!("file://{}", encode(&p.to_string_lossy().replace('\\', "/"))),
        }
    } else {
        path.to_string()
    };
    let rel = rel.replace('\\', "/");
    encode(rel.strip_prefix("./").unwrap_or(&rel))
}

/// Percent-encodes everything but unreserved characters and `/`.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The whole SARIF log.
pub fn sarif(report: &Report) -> Value {
    // Rules in a stable order: status codes ascending, then the others.
    let mut rules: BTreeMap<(u8, String), Value> = BTreeMap::new();
    for r in &report.records {
        let id = rule_id(r);
        let key = (if r.status.is_some() { 0 } else { 1 }, format!("{:>8}", id));
        rules.entry(key).or_insert_with(|| {
            let short = match (&r.status, &r.reason) {
                (Some(code), Some(reason)) => format!("{code} {reason}"),
                _ if r.kind == FindingKind::InvalidJson => {
                    "The run log is not valid JSON".to_string()
                }
                _ => "A limit of the analysis was reached".to_string(),
            };
            let mut rule = json!({
                "id": id,
                "shortDescription": {"text": short},
                "defaultConfiguration": {"level": level(r.severity)},
            });
            if let Some(def) = &r.definition {
                rule["fullDescription"] = json!({"text": def});
            }
            if let Some(mdn) = &r.mdn {
                rule["helpUri"] = json!(mdn);
            }
            rule
        });
    }
    let index: BTreeMap<String, usize> = rules
        .values()
        .enumerate()
        .filter_map(|(i, r)| r["id"].as_str().map(|id| (id.to_string(), i)))
        .collect();
    let results: Vec<Value> = report
        .records
        .iter()
        .map(|r| {
            let id = rule_id(r);
            let mut props = serde_json::Map::new();
            props.insert("explanation".into(), json!(r.explanation));
            super::json::insert_call_context(&mut props, r);
            json!({
                "ruleId": id,
                "ruleIndex": index.get(&id).copied().unwrap_or(0),
                "level": level(r.severity),
                "message": {"text": r.message},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": artifact_uri(&r.path)},
                        "region": {
                            "startLine": r.line,
                            "startColumn": r.column,
                            "endLine": r.end_line,
                            "endColumn": r.end_column,
                        }
                    }
                }],
                "properties": props,
            })
        })
        .collect();
    let notifications: Vec<Value> = report
        .errors
        .iter()
        .map(|e| {
            json!({
                "level": "error",
                "message": {"text": format!("{}: {}", e.path, e.reason)},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": artifact_uri(&e.path)}}}],
            })
        })
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "runlog-lsp",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": INFORMATION_URI,
                "rules": rules.into_values().collect::<Vec<_>>(),
            }},
            "columnKind": "unicodeCodePoints",
            "invocations": [{
                "executionSuccessful": report.errors.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }]
    })
}

/// The whole `sarif` output for stdout.
pub fn render(report: &Report) -> String {
    // Same values, but bidi and zero-width characters from the log written as escapes (SARIF
    // viewers render these strings).
    let mut s = crate::core::visible::escape_in_json(
        &serde_json::to_string_pretty(&sarif(report)).unwrap_or_default(),
    );
    s.push('\n');
    s
}
