//! The `concise` format: one line per finding, `path:line:col: severity[code] message`, then the
//! summary (as ruff's and clippy's short formats).

use super::check::Record;
use super::report::Report;
use super::report::{record_code, severity_word};
use super::terminal::{inert, paint, severity_style, shorten};
use crate::core::model::Severity;

/// One line at `r`'s position. `text` is log-derived: it is made inert here.
pub fn line(r: &Record, severity: Severity, code: &str, text: &str, color: bool) -> String {
    let place = format!("{}:{}:{}:", inert(&r.path), r.line, r.column);
    let head = format!("{}[{}]", severity_word(severity), inert(code));
    format!(
        "{} {} {}\n",
        paint(anstyle::Style::new().bold(), &place, color),
        paint(severity_style(severity), &head, color),
        inert(&shorten(text, 1000))
    )
}

/// The whole `concise` output.
pub fn render(report: &Report, color: bool) -> String {
    let mut out = String::new();
    for r in &report.records {
        out.push_str(&line(r, r.severity, &record_code(r), &r.message, color));
    }
    out.push_str(&super::human::summary(report, None));
    out
}
