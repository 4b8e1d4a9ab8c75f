//! The `human` format: compiler-like diagnostics rendered with `annotate-snippets`
//! (`error[400]: …`, ` --> path:line:col`, the source line, a caret, notes), then a summary.

use super::check::Record;
use super::report::Report;
use super::terminal::{inert, shorten};
use crate::core::model::{FindingKind, Severity};
use annotate_snippets::{Level, Renderer, Snippet};
use std::fmt::Write as _;

fn level(severity: Severity) -> Level {
    match severity {
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
        Severity::Information => Level::Info,
        Severity::Hint => Level::Help,
    }
}

/// Renders one record. `color` selects ANSI styling.
pub fn render_record(record: &Record, color: bool) -> String {
    // Excerpts are already cut to a window: a wide width keeps annotate-snippets from
    // trimming them a second time.
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
    .term_width(1000);
    let id = super::report::record_code(record);
    let title = inert(&shorten(&record.message, 400));
    let label = match (record.status, &record.reason) {
        (Some(code), Some(reason)) => inert(&format!("{code} {reason}")),
        _ if record.kind == FindingKind::NoResponse => "no response".to_string(),
        _ if record.kind == FindingKind::InvalidJson => {
            "the JSON stops being valid here".to_string()
        }
        _ if record.kind == FindingKind::BodyTruncated => {
            "the response body was not recorded in full".to_string()
        }
        _ => String::new(),
    };
    let mut notes: Vec<String> = Vec::new();
    if let Some(definition) = &record.definition {
        notes.push(inert(definition));
    }
    if let Some(call) = call_line(record) {
        notes.push(inert(&shorten(&call, 300)));
    }
    for (label, value) in &record.extras {
        notes.push(inert(&shorten(&format!("{label}: {value}"), 300)));
    }
    if let Some(mdn) = &record.mdn {
        notes.push(format!("see {mdn}"));
    }
    let snippet_text = &record.snippet.text;
    let (mut a, mut b) = (
        record.snippet.start.min(snippet_text.len()),
        record.snippet.end.min(snippet_text.len()),
    );
    if a == b {
        // An empty span (end of a truncated text): point at the last character shown.
        if let Some((i, c)) = snippet_text[..a]
            .char_indices()
            .next_back()
            .filter(|_| a == snippet_text.len())
        {
            a = i;
            b = i + c.len_utf8();
        } else if let Some(c) = snippet_text[a..].chars().next() {
            b = a + c.len_utf8();
        }
    }
    let mut message = level(record.severity).title(&title).id(&id);
    message = message.snippet(
        Snippet::source(snippet_text)
            .line_start(record.line as usize)
            .annotation(level(record.severity).span(a..b).label(&label)),
    );
    for note in &notes {
        message = message.footer(Level::Note.title(note));
    }
    let rendered = renderer.render(message).to_string();
    // annotate-snippets would compute the column inside the excerpt; print the real one.
    let width = record.line.to_string().len();
    let arrow = super::terminal::paint(
        anstyle::Style::new()
            .bold()
            .fg_color(Some(anstyle::AnsiColor::BrightBlue.into())),
        "-->",
        color,
    );
    let location = format!(
        "{:width$}{arrow} {}:{}:{}",
        "",
        inert(&record.path),
        record.line,
        record.column
    );
    match rendered.split_once('\n') {
        Some((first, rest)) => format!("{first}\n{location}\n{rest}\n"),
        None => format!("{rendered}\n{location}\n"),
    }
}

/// What the call was: `step "name": METHOD url`, or `request: METHOD url`, when the log says.
pub fn call_line(r: &Record) -> Option<String> {
    let request = match (&r.method, &r.url) {
        (Some(m), Some(u)) => Some(format!("{m} {u}")),
        (Some(m), None) => Some(m.clone()),
        (None, Some(u)) => Some(u.clone()),
        (None, None) => None,
    };
    match (&r.step, request) {
        (Some(step), Some(req)) => Some(format!("step \"{step}\": {req}")),
        (Some(step), None) => Some(format!("step \"{step}\"")),
        (None, Some(req)) => Some(format!("request: {req}")),
        (None, None) => None,
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The closing summary line: failing calls, notes (a 2xx whose body reports an error) and
/// other findings counted apart; with `--group`, how many causes.
pub fn summary(report: &Report, causes: Option<usize>) -> String {
    let count = |s: Severity| report.records.iter().filter(|r| r.severity == s).count();
    let files = plural(report.checked, "file", "files");
    let (calls, notes, others) = report.counts();
    let mut line = if report.records.is_empty() {
        format!("no failing calls found in {files}")
    } else {
        let mut what = if calls == 0 {
            "no failing calls".to_string()
        } else {
            plural(calls, "failing call", "failing calls")
        };
        if let Some(n) = causes {
            let _ = write!(what, " ({})", plural(n, "cause", "causes"));
        }
        let mut items = vec![what];
        for (n, one, many) in [
            (notes, "note", "notes"),
            (others, "other finding", "other findings"),
        ] {
            if n > 0 {
                items.push(plural(n, one, many));
            }
        }
        let last = items.pop().unwrap_or_default();
        let what = if items.is_empty() {
            last
        } else {
            format!("{} and {last}", items.join(", "))
        };
        let mut parts = Vec::new();
        for (s, one, many) in [
            (Severity::Error, "error", "errors"),
            (Severity::Warning, "warning", "warnings"),
            (Severity::Information, "info", "infos"),
            (Severity::Hint, "hint", "hints"),
        ] {
            let n = count(s);
            if n > 0 {
                parts.push(plural(n, one, many));
            }
        }
        format!("{what} in {files} ({})", parts.join(", "))
    };
    if !report.errors.is_empty() {
        let _ = write!(
            line,
            "; {} could not be checked",
            plural(report.errors.len(), "path", "paths")
        );
    }
    line.push('\n');
    line
}

/// The whole `human` output for stdout.
pub fn render(report: &Report, color: bool) -> String {
    let mut out = String::new();
    for record in &report.records {
        out.push_str(&render_record(record, color));
        out.push('\n');
    }
    out.push_str(&summary(report, None));
    out
}
