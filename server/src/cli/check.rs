//! `runlog-lsp check`: reads each path, analyses it, and turns findings into `Record`s that the
//! three output formats print. Unreadable paths and files that are not run logs become
//! `PathError`s (exit code 2); the other paths are still checked.

use crate::core::line_index::{Encoding, LineCol, LineIndex};
use crate::core::model::{AnalysisConfig, FindingKind, Format, Severity};
use crate::core::{analyze, redact, status};
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

/// Everything `check` found across its paths.
#[derive(Debug, Default)]
pub struct Report {
    pub records: Vec<Record>,
    pub errors: Vec<PathError>,
    /// Paths that were analysed as run logs.
    pub checked: usize,
}

impl Report {
    /// 2 when a path could not be checked, else 1 when there are findings, else 0.
    pub fn exit_code(&self) -> i32 {
        if !self.errors.is_empty() {
            2
        } else if !self.records.is_empty() {
            1
        } else {
            0
        }
    }
}

/// Characters of context kept on each side of a finding in the source excerpt.
const CONTEXT_CHARS: usize = 60;
/// Bytes around a finding that are redacted before the excerpt is cut from them, so a secret
/// whose key lies just outside the excerpt is still recognised.
const REDACT_WINDOW: usize = 4096;

/// Reads a path as UTF-8 text. `-` is standard input.
fn read_text(path: &str) -> Result<String, String> {
    let bytes = if path == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| format!("could not be read: {e}"))?;
        buf
    } else {
        let p = Path::new(path);
        if p.is_dir() {
            return Err("is a directory (give the log files to check)".to_string());
        }
        std::fs::read(p).map_err(|e| format!("could not be read: {}", io_reason(&e)))?
    };
    if bytes.iter().take(8192).any(|&b| b == 0) {
        return Err("binary file, not a run log".to_string());
    }
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text, not a run log".to_string())
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

/// Checks every path in order.
pub fn check_paths(paths: &[String], config: &AnalysisConfig) -> Report {
    let mut report = Report::default();
    for path in paths {
        let display = if path == "-" {
            "<stdin>".to_string()
        } else {
            path.clone()
        };
        match read_text(path) {
            Ok(text) => match check_text(&display, &text, config) {
                Some(records) => {
                    report.checked += 1;
                    report.records.extend(records);
                }
                None => report.errors.push(PathError {
                    path: display,
                    reason: "not a run log (no HTTP status fields found)".to_string(),
                }),
            },
            Err(reason) => report.errors.push(PathError {
                path: display,
                reason,
            }),
        }
    }
    report
}

/// The records of one document, or `None` when it is not a run log.
pub fn check_text(path: &str, text: &str, config: &AnalysisConfig) -> Option<Vec<Record>> {
    let analysis = analyze(text, config);
    let format = analysis.format?;
    let index = LineIndex::new(text);
    let extra = &config.redact;
    let mut out = Vec::with_capacity(analysis.findings.len());
    let mut cursor = Cursor::default();
    for finding in &analysis.findings {
        let start = cursor.line_col(text, &index, finding.span.start);
        let end = Cursor {
            offset: finding.span.start.min(text.len()),
            pos: start,
        }
        .line_col(text, &index, finding.span.end);
        let info = finding
            .status
            .map(|code| status::lookup(code, &config.status_codes));
        let exchange = finding.exchange.and_then(|i| analysis.exchanges.get(i));
        let clean = |s: &str| redact::redact_text(s, extra);
        out.push(Record {
            path: path.to_string(),
            line: start.line + 1,
            column: start.col + 1,
            end_line: end.line + 1,
            end_column: end.col + 1,
            status: finding.status,
            reason: info.as_ref().map(|i| i.reason.clone()),
            severity: finding.severity,
            kind: finding.kind,
            message: clean(&finding.message),
            explanation: finding.explanation.as_deref().map(clean),
            format: Some(format),
            step: exchange.and_then(|x| x.name.as_deref()).map(clean),
            method: exchange.and_then(|x| x.request.method.clone()),
            url: exchange
                .and_then(|x| x.request.url.as_deref())
                .map(|u| redact::redact_url(u, extra)),
            definition: info.as_ref().map(|i| i.definition.clone()),
            mdn: info.as_ref().and_then(|i| i.mdn.clone()),
            extras: exchange
                .map(status::extras)
                .unwrap_or_default()
                .into_iter()
                .map(|(label, value)| (label, clean(&value)))
                .collect(),
            snippet: snippet(
                text,
                &index,
                start.line,
                finding.span.start,
                finding.span.end,
                extra,
            ),
        });
    }
    Some(out)
}

/// The last position computed, so that findings in text order on one huge line (minified JSON)
/// cost the distance between them, not the distance from the line start each time.
#[derive(Debug, Clone, Copy)]
struct Cursor {
    offset: usize,
    pos: LineCol,
}

impl Default for Cursor {
    fn default() -> Self {
        Cursor {
            offset: 0,
            pos: LineCol { line: 0, col: 0 },
        }
    }
}

impl Cursor {
    /// 0-based line and character column of `offset`.
    fn line_col(&mut self, text: &str, index: &LineIndex, offset: usize) -> LineCol {
        let offset = floor_boundary(text, offset);
        let line_start = index.line_start(index.line_col(text, offset, Encoding::Utf8).line);
        let pos = if offset >= self.offset && self.offset >= line_start {
            let chars = text[self.offset..offset].chars().count();
            LineCol {
                line: self.pos.line,
                col: self.pos.col + chars as u32,
            }
        } else {
            index.line_col(text, offset, Encoding::Utf32)
        };
        self.offset = offset;
        self.pos = pos;
        pos
    }
}

/// Largest char boundary at or below `i`.
fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The excerpt of line `line` around `[start, end)`: at most `CONTEXT_CHARS` characters each
/// side, secrets redacted, control characters escaped.
fn snippet(
    text: &str,
    index: &LineIndex,
    line: u32,
    start: usize,
    end: usize,
    extra: &[String],
) -> Snippet {
    use super::terminal::{first_chars, inert, last_chars};
    let line_start = index.line_start(line).min(text.len());
    let line_text = index.line_text(text, line);
    let line_end = line_start + line_text.len();
    let s = floor_boundary(text, start.clamp(line_start, line_end));
    let e = floor_boundary(text, end.clamp(s, line_end));
    let before_from = floor_boundary(text, s.saturating_sub(REDACT_WINDOW).max(line_start));
    let after_to = floor_boundary(text, (e + REDACT_WINDOW).min(line_end));
    let before = redact::redact_text(&text[before_from..s], extra);
    let after = redact::redact_text(&text[e..after_to], extra);
    let before_cut = last_chars(&before, CONTEXT_CHARS);
    let after_cut = first_chars(&after, CONTEXT_CHARS);
    let mut out = String::new();
    if before_cut.len() < before.len() || before_from > line_start {
        out.push('…');
    }
    out.push_str(&inert(before_cut));
    let a = out.len();
    out.push_str(&inert(&text[s..e]));
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
        let s = snippet(&text, &index, 0, at, at + 3, &[]);
        assert_eq!(&s.text[s.start..s.end], "401");
        assert!(s.text.starts_with('…') && s.text.ends_with('…'));
        assert!(!s.text.contains("abcdef123456"));
        assert!(!s.text.contains('\x1b'));
        assert!(s.text.chars().count() < 2 * CONTEXT_CHARS + 10);
    }

    #[test]
    fn cursor_agrees_with_the_line_index() {
        let text = "{\"a\": \"日本👨‍👩‍👧\", \"b\": 1}\r\n  x\ny 😀 z\n\n";
        let index = LineIndex::new(text);
        let offsets: Vec<usize> = (0..=text.len() + 2).collect();
        // In order (the fast path), and jumping back and forth.
        let mut cursor = Cursor::default();
        for &o in &offsets {
            assert_eq!(
                cursor.line_col(text, &index, o),
                index.line_col(text, o, Encoding::Utf32),
                "{o}"
            );
        }
        for &o in offsets.iter().rev().chain(offsets.iter().step_by(3)) {
            assert_eq!(
                cursor.line_col(text, &index, o),
                index.line_col(text, o, Encoding::Utf32),
                "{o}"
            );
        }
    }

    #[test]
    fn snippet_of_an_empty_span_at_the_end() {
        let text = "{\"status\": 400, \"body\": \"cut";
        let index = LineIndex::new(text);
        let s = snippet(text, &index, 0, text.len(), text.len(), &[]);
        assert_eq!(s.start, s.end);
        assert_eq!(s.end, s.text.len());
    }
}
