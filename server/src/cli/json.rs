//! The `json` format: one JSON array of findings (path, line, column, code, status, reason, severity,
//! message, explanation, plus end positions, kind, format and the call's step/method/url when known).

use super::check::Record;
use super::report::Report;
use serde_json::{json, Map, Value};

/// One finding as a JSON object.
pub fn record_json(r: &Record) -> Value {
    let mut obj = Map::new();
    obj.insert("path".into(), json!(r.path));
    obj.insert("line".into(), json!(r.line));
    obj.insert("column".into(), json!(r.column));
    obj.insert("endLine".into(), json!(r.end_line));
    obj.insert("endColumn".into(), json!(r.end_column));
    obj.insert("code".into(), json!(super::report::record_code(r)));
    obj.insert("status".into(), json!(r.status));
    obj.insert("reason".into(), json!(r.reason));
    obj.insert("severity".into(), json!(r.severity));
    obj.insert("message".into(), json!(r.message));
    obj.insert("explanation".into(), json!(r.explanation));
    obj.insert("kind".into(), json!(r.kind));
    obj.insert("format".into(), json!(r.format));
    insert_call_context(&mut obj, r);
    Value::Object(obj)
}

/// The call's step, method, URL and extras (when known), as both `json` and SARIF's
/// `properties` carry them.
pub fn insert_call_context(obj: &mut Map<String, Value>, r: &Record) {
    for (key, value) in [("step", &r.step), ("method", &r.method), ("url", &r.url)] {
        if let Some(v) = value {
            obj.insert(key.into(), json!(v));
        }
    }
    if !r.extras.is_empty() {
        let extras: Vec<Value> = r
            .extras
            .iter()
            .map(|(name, value)| json!({"name": name, "value": value}))
            .collect();
        obj.insert("extras".into(), Value::Array(extras));
    }
}

/// The whole `json` output for stdout.
pub fn render(report: &Report) -> String {
    to_text(&Value::Array(
        report.records.iter().map(record_json).collect(),
    ))
}

/// Pretty JSON with bidi and zero-width characters from the log written as escapes.
pub fn to_text(value: &Value) -> String {
    let mut s = crate::core::visible::escape_in_json(
        &serde_json::to_string_pretty(value).unwrap_or_else(|_| "[]".to_string()),
    );
    s.push('\n');
    s
}
