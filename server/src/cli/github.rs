//! The `github` format: GitHub Actions workflow commands, one per finding, so findings show as
//! annotations on the pull request:
//! `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`.
//!
//! Values are escaped as GitHub's toolkit does (`%`, `\r`, `\n`; in properties also `:` and
//! `,`), and log text is made inert first, so a log cannot end the command and start another.

use super::check::Record;
use super::grouped::{location, Groups};
use super::human::call_line;
use super::report::record_code;
use super::report::Report;
use super::terminal::{inert, shorten};
use crate::core::model::Severity;

/// `%`, CR and LF escaped (a workflow command's message).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// As [`escape_data`], and `:` and `,` (a workflow command's property value).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Information | Severity::Hint => "notice",
    }
}

/// One workflow command. `lines` are joined with line breaks (each already inert).
fn annotation(r: &Record, title: &str, lines: &[String]) -> String {
    format!(
        "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
        command(r.severity),
        escape_property(&r.path),
        r.line,
        r.column,
        r.end_line,
        r.end_column,
        escape_property(&inert(title)),
        escape_data(&lines.join("\n")),
    )
}

fn title(r: &Record) -> String {
    match &r.reason {
        Some(reason) => format!("runlog {} {reason}", record_code(r)),
        None => format!("runlog {}", record_code(r)),
    }
}

/// The whole `github` output: one command per finding.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for r in &report.records {
        let mut lines = vec![inert(&shorten(&r.message, 1000))];
        if let Some(call) = call_line(r) {
            lines.push(inert(&shorten(&call, 300)));
        }
        for (label, value) in &r.extras {
            lines.push(inert(&shorten(&format!("{label}: {value}"), 300)));
        }
        out.push_str(&annotation(r, &title(r), &lines));
    }
    out
}

/// `--group`: one command per cause, at its first call, listing the others.
pub fn render_groups(report: &Report, groups: &Groups) -> String {
    let mut out = String::new();
    for g in groups {
        let Some(first) = g.calls.first().map(|&i| &report.records[i]) else {
            continue;
        };
        let mut lines = vec![inert(&shorten(&super::grouped::headline(g, first), 1000))];
        if let Some(endpoint) = super::grouped::endpoint(g) {
            lines.push(inert(&endpoint));
        }
        let others: Vec<String> = g.calls[1..]
            .iter()
            .map(|&i| location(&report.records[i]))
            .collect();
        if !others.is_empty() {
            lines.push(inert(&format!("also at: {}", others.join(", "))));
        }
        let title = format!("{} ({} × {})", title(first), g.count, g.code);
        out.push_str(&annotation(first, &title, &lines));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_the_toolkit_does() {
        assert_eq!(escape_data("50% a\r\nb::c,d"), "50%25 a%0D%0Ab::c,d");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
