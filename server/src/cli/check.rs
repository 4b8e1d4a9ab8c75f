//! `runlog-lsp check`: reads one path (streaming large files, see `core::stream`), analyses it,
//! and turns findings into `Record`s that the output formats print. `cli::report` runs it over
//! every input in parallel and decides what a path that gave no records means.

use crate::core::analyze;
use crate::core::line_index::{floor_char_boundary, Encoding, LineCol, LineCursor, LineIndex};
use crate::core::model::{AnalysisConfig, Finding, FindingKind, Format, Severity};
use crate::core::report::Redactor;
use crate::core::stream::{analyze_reader, Inexact, Located, StreamError};
use std::io::Read;
use std::path::Path;

/// One finding, with everything every output format needs. Positions are 1-based, columns in
/// characters. All log-derived strings are already redacted.
#[derive(Debug, Clone)]
pub struct Record {
    pub path: String,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub status: Option<u16>,
    pub reason: Option<String>,
    pub severity: Severity,
    pub kind: FindingKind,
    pub message: String,
    pub explanation: Option<String>,
    pub format: Option<Format>,
    pub step: Option<String>,
    pub method: Option<String>,
    pub url: Option<String>,
    /// The status code's definition and MDN page (for notes and SARIF rules).
    pub definition: Option<String>,
    pub mdn: Option<String>,
    /// What the call shows that helps next (Retry-After, the auth scheme sent, Location), as
    /// `(label, value)`, redacted.
    pub extras: Vec<(String, String)>,
    /// The line holding the finding, cut to a window around it and redacted, and the byte range
    /// of the finding inside that window.
    pub snippet: Snippet,
}

/// A one-line excerpt of the source around a finding.
#[derive(Debug, Clone, Default)]
pub struct Snippet {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// Why a path gave no findings.
#[derive(Debug, Clone)]
pub struct PathError {
    pub path: String,
    pub reason: String,
}

impl std::fmt::Display for PathError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "error: {}: {}",
            super::terminal::inert(&self.path),
            self.reason
        )
    }
}

/// Characters of context kept on each side of a finding in the source excerpt.
const CONTEXT_CHARS: usize = 60;
/// Bytes around a finding that are redacted before the excerpt is cut from them, so a secret
/// whose key lies just outside the excerpt is still recognised.
const REDACT_WINDOW: usize = 4096;

/// Files above this size are analysed streaming from disk (as is standard input past it);
/// smaller ones are read whole.
pub const STREAM_ABOVE: u64 = 8 << 20;
/// A streamed file whose result is not exact (see `core::stream::Inexact`) is read whole
/// instead when it is at most this size; above it, what streaming found is reported with a note.
pub const IN_MEMORY_UP_TO: u64 = 128 << 20;

/// Bytes as UTF-8 text, or why they are not a run log.
fn decode(bytes: Vec<u8>) -> Result<String, String> {
    if bytes.iter().take(8192).any(|&b| b == 0) {
        return Err("binary file, not a run log".to_string());
    }
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text, not a run log".to_string())
}

/// True when `check_path`'s error says the content is not a run log (rather than that the
/// path could not be read).
pub fn is_not_a_run_log(reason: &str) -> bool {
    reason.ends_with("not a run log")
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

/// The records of one path (`-` is standard input), `None` when it is not a run log.
pub fn check_path(
    path: &str,
    display: &str,
    config: &AnalysisConfig,
    stream_above: u64,
) -> Result<Option<Vec<Record>>, String> {
    let unreadable = |e: std::io::Error| format!("could not be read: {}", io_reason(&e));
    if path == "-" {
        // Standard input cannot be read twice: what fits under the threshold is read whole,
        // the rest streams behind it.
        let mut head = Vec::new();
        let stdin = std::io::stdin();
        let mut lock = stdin.lock();
        (&mut lock)
            .take(stream_above.saturating_add(1))
            .read_to_end(&mut head)
            .map_err(unreadable)?;
        if head.len() as u64 <= stream_above {
            return Ok(check_text(display, &decode(head)?, config));
        }
        let reader = std::io::Cursor::new(head).chain(lock);
        return check_stream(display, reader, config)?.reported(display);
    }
    let p = Path::new(path);
    if p.is_dir() {
        return Err("is a directory (give the log files to check)".to_string());
    }
    let len = std::fs::metadata(p).map_err(unreadable)?.len();
    if len > stream_above {
        let file = std::fs::File::open(p).map_err(unreadable)?;
        let streamed = check_stream(display, file, config)?;
        if streamed.inexact.is_none() || len > IN_MEMORY_UP_TO {
            return streamed.reported(display);
        }
    }
    let bytes = std::fs::read(p).map_err(unreadable)?;
    Ok(check_text(display, &decode(bytes)?, config))
}

/// Where a finding sits, computed while its part of the text was in memory.
struct Place {
    start: LineCol,
    end: LineCol,
    snippet: Snippet,
}

/// Streams a log into records (exactly those of `check_text` unless `inexact` says otherwise).
fn check_stream(
    path: &str,
    reader: impl Read,
    config: &AnalysisConfig,
) -> Result<StreamedRecords, String> {
    let streamed = analyze_reader(reader, config, |f, _, view| {
        let (line_start, line_end) = view.line_around(f.span.start);
        Place {
            start: view.line_col(f.span.start, Encoding::Utf32),
            end: view.line_col(f.span.end, Encoding::Utf32),
            snippet: snippet_in_line(
                view.text,
                line_start,
                line_end,
                view.local(f.span.start),
                view.local(f.span.end),
                &redactor_of(f, config),
            ),
        }
    })
    .map_err(|e| match e {
        StreamError::Io(e) => format!("could not be read: {}", io_reason(&e)),
        StreamError::NotUtf8 => "not UTF-8 text, not a run log".to_string(),
        StreamError::Binary => "binary file, not a run log".to_string(),
    })?;
    let located = |l: &Located<Place>| {
        let at = &l.at;
        record(
            path,
            &l.finding,
            streamed.format,
            at.start,
            at.end,
            at.snippet.clone(),
        )
    };
    Ok(StreamedRecords {
        format: streamed.format,
        records: streamed.findings.iter().map(located).collect(),
        notes: streamed.notes.iter().map(located).collect(),
        inexact: streamed.inexact,
    })
}

/// What streaming one log gave, as records.
struct StreamedRecords {
    format: Option<Format>,
    records: Vec<Record>,
    /// Where parts could not be analysed (skipped records, where the JSON breaks).
    notes: Vec<Record>,
    inexact: Option<Inexact>,
}

impl StreamedRecords {
    /// The records to print: when the result is not exact, followed by what could not be
    /// analysed and one warning that says so.
    fn reported(self, path: &str) -> Result<Option<Vec<Record>>, String> {
        let Some(why) = self.inexact else {
            return Ok(self.format.map(|_| self.records));
        };
        if self.format.is_none() && self.notes.is_empty() {
            return Err(format!(
                "too large to read whole, and streaming could not analyse it: {}",
                why.describe()
            ));
        }
        let mut records = self.records;
        records.extend(self.notes);
        let warning = Finding::about_text(FindingKind::LimitReached, Default::default(), Severity::Warning, format!(
                "Analysed from disk in parts (too large to read whole), and {}: the findings may be incomplete",
                why.describe()
            ));
        let start = LineCol { line: 0, col: 0 };
        records.push(record(
            path,
            &warning,
            self.format,
            start,
            start,
            Snippet::default(),
        ));
        Ok(Some(records))
    }
}

/// The records of one document, or `None` when it is not a run log.
pub fn check_text(path: &str, text: &str, config: &AnalysisConfig) -> Option<Vec<Record>> {
    let analysis = analyze(text, config);
    let format = analysis.format?;
    let index = LineIndex::new(text);
    let mut out = Vec::with_capacity(analysis.findings.len());
    let mut cursor = LineCursor::default();
    for finding in &analysis.findings {
        let start = cursor.line_col(text, &index, finding.span.start);
        let end = LineCursor {
            offset: finding.span.start.min(text.len()),
            pos: start,
        }
        .line_col(text, &index, finding.span.end);
        let snippet = snippet(
            text,
            &index,
            start.line,
            finding.span.start,
            finding.span.end,
            &redactor_of(finding, config),
        );
        out.push(record(path, finding, Some(format), start, end, snippet));
    }
    Some(out)
}

/// One record: a finding, the report on its call, and where it is (0-based positions, columns
/// in characters).
fn record(
    path: &str,
    finding: &Finding,
    format: Option<Format>,
    start: LineCol,
    end: LineCol,
    snippet: Snippet,
) -> Record {
    let report = finding.report.as_deref();
    // A note on a call's body names its call; what the code means and what helps next are
    // said once, by the call's own record.
    let about_code = report.filter(|_| finding.kind != FindingKind::BodyTruncated);
    Record {
        path: path.to_string(),
        line: start.line + 1,
        column: start.col + 1,
        end_line: end.line + 1,
        end_column: end.col + 1,
        status: finding.status,
        reason: about_code.map(|r| r.info.reason.clone()),
        severity: finding.severity,
        kind: finding.kind,
        message: finding.message.clone(),
        explanation: finding.explanation.clone(),
        format,
        step: report.and_then(|r| r.name.clone()),
        method: report.and_then(|r| r.method.clone()),
        url: report.and_then(|r| r.url.clone()),
        definition: about_code.map(|r| r.info.definition.clone()),
        mdn: about_code.and_then(|r| r.info.mdn.clone()),
        extras: about_code.map(|r| r.extras.clone()).unwrap_or_default(),
        snippet,
    }
}

/// What hides secrets in the source excerpt of a finding: its call's redactor, by name only
/// for a finding about the text.
fn redactor_of(finding: &Finding, config: &AnalysisConfig) -> Redactor {
    finding
        .report
        .as_ref()
        .map_or_else(|| Redactor::by_name(config), |r| r.redactor.clone())
}

/// The excerpt of line `line` around `[start, end)`: at most `CONTEXT_CHARS` characters each
/// side, secrets redacted, control characters escaped.
fn snippet(
    text: &str,
    index: &LineIndex,
    line: u32,
    start: usize,
    end: usize,
    redactor: &Redactor,
) -> Snippet {
    let line_start = index.line_start(line).min(text.len());
    let line_end = line_start + index.line_text(text, line).len();
    snippet_in_line(text, line_start, line_end, start, end, redactor)
}

/// The excerpt around `[start, end)` of the line `text[line_start..line_end]` (without its
/// break).
fn snippet_in_line(
    text: &str,
    line_start: usize,
    line_end: usize,
    start: usize,
    end: usize,
    redactor: &Redactor,
) -> Snippet {
    use super::terminal::{first_chars, inert, last_chars};
    let s = floor_char_boundary(text, start.clamp(line_start, line_end));
    let e = floor_char_boundary(text, end.clamp(s, line_end));
    let before_from = floor_char_boundary(text, s.saturating_sub(REDACT_WINDOW).max(line_start));
    let after_to = floor_char_boundary(text, (e + REDACT_WINDOW).min(line_end));
    let before = redactor.text(&text[before_from..s]);
    let after = redactor.text(&text[e..after_to]);
    let before_cut = last_chars(&before, CONTEXT_CHARS);
    let after_cut = first_chars(&after, CONTEXT_CHARS);
    let mut out = String::new();
    if before_cut.len() < before.len() || before_from > line_start {
        out.push('…');
    }
    out.push_str(&inert(before_cut));
    let a = out.len();
    // The marked text too: a `body-truncated` note marks a whole body.
    out.push_str(&inert(&redactor.text(&text[s..e])));
    let b = out.len();
    out.push_str(inert(after_cut).trim_end());
    if after_cut.len() < after.len() || after_to < line_end {
        out.push('…');
    }
    Snippet {
        text: out,
        start: a,
        end: b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippet_windows_long_lines_and_redacts() {
        let pad = "x".repeat(500);
        let text = format!("{{\"pad\": \"{pad}\", \"authorization\": \"Bearer abcdef123456\", \"status\": 401, \"z\": \"\x1b[31m{pad}\"}}");
        let index = LineIndex::new(&text);
        let at = text.find("401").unwrap_or(0);
        let s = snippet(&text, &index, 0, at, at + 3, &Redactor::default());
        assert_eq!(&s.text[s.start..s.end], "401");
        assert!(s.text.starts_with('…') && s.text.ends_with('…'));
        assert!(!s.text.contains("abcdef123456"));
        assert!(!s.text.contains('\x1b'));
        assert!(s.text.chars().count() < 2 * CONTEXT_CHARS + 10);
    }

    #[test]
    fn snippet_of_an_empty_span_at_the_end() {
        let text = "{\"status\": 400, \"body\": \"cut";
        let index = LineIndex::new(text);
        let s = snippet(
            text,
            &index,
            0,
            text.len(),
            text.len(),
            &Redactor::default(),
        );
        assert_eq!(s.start, s.end);
        assert_eq!(s.end, s.text.len());
    }
}
