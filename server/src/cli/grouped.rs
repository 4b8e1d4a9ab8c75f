//! `check --group`: the records grouped by cause (`core::groups`), one block per group: count,
//! code, explanation (variable parts masked), endpoint, first location, the other locations.

use super::check::Record;
use super::report::Report;
use super::report::{record_code, severity_word};
use super::terminal::{inert, paint, severity_style};
use crate::core::groups::{described_by, Group, Grouper, Member};
use anstyle::Style;
use serde_json::{json, Value};

/// The groups; each call is an index into `Report::records`.
pub type Groups = Vec<Group<usize>>;

/// Groups the report's records (already in output order, so the first call of a group is its
/// first occurrence).
pub fn build(report: &Report) -> Groups {
    let mut grouper = Grouper::new();
    for (i, r) in report.records.iter().enumerate() {
        let code = record_code(r);
        let explanation = described_by(r.status, r.explanation.as_deref(), &r.message);
        grouper.add_member(
            Member {
                code: &code,
                status: r.status,
                reason: r.reason.as_deref(),
                severity: r.severity,
                explanation,
                method: r.method.as_deref(),
                url: r.url.as_deref(),
            },
            i,
        );
    }
    grouper.finish()
}

/// `path:line:col` of a record.
pub fn location(r: &Record) -> String {
    format!("{}:{}:{}", r.path, r.line, r.column)
}

/// `400 Bad Request: <explanation>`.
pub fn headline(g: &Group<usize>, first: &Record) -> String {
    let mut s = match (&g.reason, g.status) {
        (Some(reason), Some(status)) => format!("{status} {reason}"),
        _ => String::new(),
    };
    if let Some(e) = &g.explanation {
        if !s.is_empty() {
            s.push_str(": ");
        }
        s.push_str(e);
    }
    if s.is_empty() {
        s = first.message.clone();
    }
    s
}

/// `POST https://host/items/{id}`, when the calls have a method or URL.
pub fn endpoint(g: &Group<usize>) -> Option<String> {
    match (&g.method, &g.endpoint) {
        (Some(m), Some(e)) => Some(format!("{m} {e}")),
        (Some(m), None) => Some(m.clone()),
        (None, Some(e)) => Some(e.clone()),
        (None, None) => None,
    }
}

fn calls_word(g: &Group<usize>) -> &'static str {
    match (g.status.is_some(), g.count == 1) {
        (true, true) => "call",
        (true, false) => "calls",
        (false, true) => "finding",
        (false, false) => "findings",
    }
}

/// The `human` blocks, then the summary.
pub fn render_human(report: &Report, groups: &Groups, color: bool) -> String {
    let mut out = String::new();
    let label = Style::new().bold();
    for g in groups {
        let Some(first) = g.calls.first().map(|&i| &report.records[i]) else {
            continue;
        };
        let head = format!("{}[{}]", severity_word(g.severity), inert(&g.code));
        out.push_str(&format!(
            "{}: {} {}: {}\n",
            paint(severity_style(g.severity), &head, color),
            g.count,
            calls_word(g),
            inert(&headline(g, first))
        ));
        if let Some(e) = endpoint(g) {
            out.push_str(&format!(
                "  {} {}\n",
                paint(label, "endpoint:", color),
                inert(&e)
            ));
        }
        out.push_str(&format!(
            "  {}    {}\n",
            paint(label, "first:", color),
            inert(&location(first))
        ));
        for (n, &i) in g.calls[1..].iter().enumerate() {
            let tag = if n == 0 { "also:" } else { "     " };
            out.push_str(&format!(
                "  {}     {}\n",
                paint(label, tag, color),
                inert(&location(&report.records[i]))
            ));
        }
        out.push('\n');
    }
    out.push_str(&super::human::summary(report, Some(groups.len())));
    out
}

/// `concise`: one line per group, at its first call.
pub fn render_concise(report: &Report, groups: &Groups, color: bool) -> String {
    let mut out = String::new();
    for g in groups {
        let Some(first) = g.calls.first().map(|&i| &report.records[i]) else {
            continue;
        };
        let mut text = format!("{} × {}", g.count, headline(g, first));
        if let Some(e) = endpoint(g) {
            text.push_str(&format!(" ({e})"));
        }
        out.push_str(&super::concise::line(
            first, g.severity, &g.code, &text, color,
        ));
    }
    out.push_str(&super::human::summary(report, Some(groups.len())));
    out
}

/// `json`: one array of groups.
pub fn render_json(report: &Report, groups: &Groups) -> String {
    let array: Vec<Value> = groups
        .iter()
        .map(|g| {
            let calls: Vec<Value> = g
                .calls
                .iter()
                .map(|&i| {
                    let r = &report.records[i];
                    json!({"path": r.path, "line": r.line, "column": r.column,
                           "endLine": r.end_line, "endColumn": r.end_column})
                })
                .collect();
            json!({
                "key": g.key, "code": g.code, "status": g.status, "reason": g.reason,
                "severity": g.severity, "explanation": g.explanation, "method": g.method,
                "endpoint": g.endpoint, "count": g.count, "calls": calls,
            })
        })
        .collect();
    super::json::to_text(&Value::Array(array))
}
