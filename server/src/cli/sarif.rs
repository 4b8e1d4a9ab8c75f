//! The `sarif` format: SARIF 2.1.0 for code-scanning tools, built from `serde-sarif`'s typed
//! structs. One rule per code found (`ruleId` = the finding's code: a status, `invalid-json`,
//! `limit-reached`), described once in `tool.driver.rules`; one result per finding (`--group`
//! does not change SARIF); URIs relative to the working directory; columns in code points.

use super::check::Record;
use super::report::Report;
use crate::core::model::{FindingKind, Severity};
use serde_json::json;
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, Message, MultiformatMessageString, Notification,
    PhysicalLocation, PropertyBag, Region, ReportingConfiguration, ReportingDescriptor,
    Result as SarifResult, ResultLevel, Run, Sarif, Tool, ToolComponent,
};
use std::collections::BTreeMap;

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub const INFORMATION_URI: &str = "https://github.com/runlog/runlog-lsp";

fn rule_id(r: &Record) -> String {
    super::report::record_code(r)
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

/// A plain-text SARIF message.
fn message(text: String) -> Message {
    Message {
        text: Some(text),
        ..Default::default()
    }
}

fn text(text: String) -> MultiformatMessageString {
    MultiformatMessageString::builder().text(text).build()
}

fn artifact(path: &str) -> ArtifactLocation {
    ArtifactLocation {
        uri: Some(artifact_uri(path)),
        ..Default::default()
    }
}

/// The rule of a record's code, described once.
fn rule(r: &Record, id: String) -> ReportingDescriptor {
    let short = match (&r.status, &r.reason) {
        (Some(code), Some(reason)) => format!("{code} {reason}"),
        _ if r.kind == FindingKind::NoResponse => "A call that got no response".to_string(),
        _ if r.kind == FindingKind::InvalidJson => "The run log is not valid JSON".to_string(),
        _ if r.kind == FindingKind::BodyTruncated => {
            "A response body the log did not record in full".to_string()
        }
        _ => "A limit of the analysis was reached".to_string(),
    };
    let mut rule = ReportingDescriptor::builder()
        .id(id)
        .short_description(text(short))
        .default_configuration(ReportingConfiguration {
            level: Some(json!(level(r.severity))),
            ..Default::default()
        })
        .build();
    rule.full_description = r.definition.clone().map(text);
    rule.help_uri = r.mdn.clone();
    rule
}

fn result(r: &Record, rule_index: usize) -> SarifResult {
    let mut props = serde_json::Map::new();
    props.insert("explanation".into(), json!(r.explanation));
    super::json::insert_call_context(&mut props, r);
    let region = Region {
        start_line: Some(r.line.into()),
        start_column: Some(r.column.into()),
        end_line: Some(r.end_line.into()),
        end_column: Some(r.end_column.into()),
        ..Default::default()
    };
    SarifResult::builder()
        .rule_id(rule_id(r))
        .rule_index(rule_index as i64)
        .level(match r.severity {
            Severity::Error => ResultLevel::Error,
            Severity::Warning => ResultLevel::Warning,
            Severity::Information | Severity::Hint => ResultLevel::Note,
        })
        .message(message(r.message.clone()))
        .locations(vec![Location {
            physical_location: Some(PhysicalLocation {
                artifact_location: Some(artifact(&r.path)),
                region: Some(region),
                ..Default::default()
            }),
            ..Default::default()
        }])
        .properties(PropertyBag {
            additional_properties: props.into_iter().collect(),
            ..Default::default()
        })
        .build()
}

/// The whole SARIF log, built from the SARIF 2.1.0 types.
pub fn sarif(report: &Report) -> Sarif {
    // Rules in a stable order: status codes ascending, then the others; each described once.
    let mut rules: BTreeMap<(u8, String), ReportingDescriptor> = BTreeMap::new();
    for r in &report.records {
        let id = rule_id(r);
        let key = (u8::from(r.status.is_none()), format!("{id:>8}"));
        rules.entry(key).or_insert_with(|| rule(r, id));
    }
    let index: BTreeMap<String, usize> = rules
        .values()
        .enumerate()
        .map(|(i, rule)| (rule.id.clone(), i))
        .collect();
    let results: Vec<SarifResult> = report
        .records
        .iter()
        .map(|r| result(r, index.get(&rule_id(r)).copied().unwrap_or(0)))
        .collect();
    let notifications: Vec<Notification> = report
        .errors
        .iter()
        .map(|e| {
            Notification::builder()
                .level(json!("error"))
                .message(message(format!("{}: {}", e.path, e.reason)))
                .locations(vec![Location {
                    physical_location: Some(PhysicalLocation {
                        artifact_location: Some(artifact(&e.path)),
                        ..Default::default()
                    }),
                    ..Default::default()
                }])
                .build()
        })
        .collect();
    let driver = ToolComponent::builder()
        .name("runlog-lsp")
        .version(env!("CARGO_PKG_VERSION"))
        .information_uri(INFORMATION_URI)
        .rules(rules.into_values().collect::<Vec<_>>())
        .build();
    let invocation = Invocation::builder()
        .execution_successful(report.errors.is_empty())
        .tool_execution_notifications(notifications)
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .column_kind(json!("unicodeCodePoints"))
        .invocations(vec![invocation])
        .results(results)
        .build();
    Sarif::builder()
        .schema(SCHEMA)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build()
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
