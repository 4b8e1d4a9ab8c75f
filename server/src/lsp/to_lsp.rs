//! Core values → LSP values: spans to ranges in the negotiated encoding, findings to
//! diagnostics, severities, symbol kinds. With `from_lsp`, the only place positions are built.

use crate::core::line_index::{clamp_offset, floor_char_boundary, measure, Encoding, LineIndex};
use crate::core::model::{Finding, FindingKind, Severity, Span};
use crate::core::status;
use crate::core::stream::UnitView;
use tower_lsp_server::ls_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location,
    NumberOrString, Position, PositionEncodingKind, Range, SymbolKind, Uri,
};

use super::documents::Snapshot;

pub fn encoding_kind(encoding: Encoding) -> PositionEncodingKind {
    match encoding {
        Encoding::Utf8 => PositionEncodingKind::UTF8,
        Encoding::Utf16 => PositionEncodingKind::UTF16,
        Encoding::Utf32 => PositionEncodingKind::UTF32,
    }
}

pub fn position(text: &str, index: &LineIndex, offset: usize, encoding: Encoding) -> Position {
    let lc = index.line_col(text, clamp_offset(text, offset), encoding);
    Position {
        line: lc.line,
        character: lc.col,
    }
}

/// Lines longer than this get column checkpoints (minified logs put megabytes on one line).
const LONG_LINE: usize = 4096;
/// Distance in bytes between two checkpoints of a long line.
const CHECKPOINT_EVERY: usize = 1024;

/// Column checkpoints for long lines, so converting an offset costs at most
/// `CHECKPOINT_EVERY` bytes of counting instead of the whole line. Built once per snapshot.
#[derive(Debug, Default)]
pub struct LongLines {
    /// (line, [(byte offset, column in the encoding)]), sorted by line and offset.
    lines: Vec<(u32, Vec<(usize, u32)>)>,
}

impl LongLines {
    pub fn new(text: &str, index: &LineIndex, encoding: Encoding) -> Self {
        let mut lines = Vec::new();
        if encoding == Encoding::Utf8 {
            return LongLines { lines }; // byte columns are O(1) already
        }
        for line in 0..index.line_count() {
            let line = u32::try_from(line).unwrap_or(u32::MAX);
            let start = index.line_start(line).min(text.len());
            let end = index
                .line_start(line.saturating_add(1))
                .min(text.len())
                .max(start);
            if end - start < LONG_LINE {
                continue;
            }
            let mut points = Vec::with_capacity((end - start) / CHECKPOINT_EVERY + 1);
            let mut col = 0usize;
            let mut next = start + CHECKPOINT_EVERY;
            for (i, ch) in text[start..end].char_indices() {
                let at = start + i;
                if at >= next {
                    points.push((at, u32::try_from(col).unwrap_or(u32::MAX)));
                    next = at + CHECKPOINT_EVERY;
                }
                col += match encoding {
                    Encoding::Utf16 => ch.len_utf16(),
                    _ => 1,
                };
            }
            lines.push((line, points));
        }
        LongLines { lines }
    }

    /// The byte offset of `pos` (clamped exactly like `LineIndex::offset`), starting from the
    /// nearest checkpoint of its line.
    pub fn offset(
        &self,
        text: &str,
        index: &LineIndex,
        pos: Position,
        encoding: Encoding,
    ) -> usize {
        if pos.line as usize >= index.line_count() {
            return text.len();
        }
        let line_start = index.line_start(pos.line).min(text.len());
        let line_end = line_start + index.line_text(text, pos.line).len();
        let col = pos.character as usize;
        if encoding == Encoding::Utf8 {
            return floor_char_boundary(text, line_start.saturating_add(col).min(line_end));
        }
        let (mut at, mut counted) = match self.lines.binary_search_by_key(&pos.line, |(l, _)| *l) {
            Ok(i) => {
                let points = &self.lines[i].1;
                match points.partition_point(|(_, c)| (*c as usize) <= col) {
                    0 => (line_start, 0),
                    n => (points[n - 1].0, points[n - 1].1 as usize),
                }
            }
            Err(_) => (line_start, 0),
        };
        if at >= line_end {
            return line_end;
        }
        for ch in text.get(at..line_end).unwrap_or("").chars() {
            let width = match encoding {
                Encoding::Utf16 => ch.len_utf16(),
                _ => 1,
            };
            if counted + width > col {
                return at;
            }
            counted += width;
            at += ch.len_utf8();
        }
        line_end
    }

    /// The position of `offset`, using the checkpoints of its line when it has some.
    pub fn position(
        &self,
        text: &str,
        index: &LineIndex,
        offset: usize,
        encoding: Encoding,
    ) -> Position {
        let offset = clamp_offset(text, offset);
        // The line (and its start) from the UTF-8 column, which costs nothing to compute.
        let lc8 = index.line_col(text, offset, Encoding::Utf8);
        if encoding == Encoding::Utf8 {
            return Position {
                line: lc8.line,
                character: lc8.col,
            };
        }
        let line_start = offset - lc8.col as usize;
        let (from, base) = match self.lines.binary_search_by_key(&lc8.line, |(l, _)| *l) {
            Ok(i) => {
                let points = &self.lines[i].1;
                match points.partition_point(|(o, _)| *o <= offset) {
                    0 => (line_start, 0),
                    n => (points[n - 1].0, points[n - 1].1 as usize),
                }
            }
            Err(_) => (line_start, 0),
        };
        let col = base + measure(text.get(from..offset).unwrap_or(""), encoding);
        Position {
            line: lc8.line,
            character: u32::try_from(col).unwrap_or(u32::MAX),
        }
    }
}

pub fn range(text: &str, index: &LineIndex, span: Span, encoding: Encoding) -> Range {
    Range {
        start: position(text, index, span.start, encoding),
        end: position(text, index, span.end, encoding),
    }
}

pub fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Information => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

/// A finding as a diagnostic: source "runlog", code = status, MDN link, related
/// information pointing at the response body.
pub fn diagnostic(snap: &Snapshot, finding: &Finding) -> Diagnostic {
    let body = finding
        .exchange
        .and_then(|i| snap.analysis.exchanges.get(i))
        .and_then(|ex| ex.body.as_ref())
        .map(|body| Location {
            uri: snap.uri.clone(),
            range: snap.range(body.span),
        });
    diagnostic_at(
        finding,
        snap.range(finding.span),
        body,
        &snap.settings.analysis.status_codes,
    )
}

/// A finding as a diagnostic at `range`, `body` being where its response body is.
pub fn diagnostic_at(
    finding: &Finding,
    range: Range,
    body: Option<Location>,
    status_codes: &std::collections::BTreeMap<u16, crate::core::model::StatusOverride>,
) -> Diagnostic {
    let code = match finding.kind {
        FindingKind::FailedCall | FindingKind::ErrorInSuccessfulCall => finding
            .status
            .map(|s| NumberOrString::String(s.to_string())),
        FindingKind::NoResponse | FindingKind::InvalidJson | FindingKind::LimitReached => Some(
            NumberOrString::String(crate::core::groups::finding_code(finding)),
        ),
    };
    let code_description = finding
        .status
        .and_then(|s| status::lookup(s, status_codes).mdn)
        .and_then(|href| href.parse::<Uri>().ok())
        .map(|href| CodeDescription { href });
    let related_information = body.map(|location| {
        vec![DiagnosticRelatedInformation {
            location,
            message: "Response body".to_string(),
        }]
    });
    Diagnostic {
        range,
        severity: Some(severity(finding.severity)),
        code,
        code_description,
        source: Some("runlog".to_string()),
        // The core's messages are clean already; log text must never slip through here.
        message: super::markdown::sanitize(&finding.message),
        related_information,
        tags: None,
        data: None,
    }
}

/// A span inside a streamed unit's window (`core::stream`) as a range.
pub fn view_range(view: &UnitView<'_>, span: Span, encoding: Encoding) -> Range {
    let at = |offset: usize| {
        let lc = view.line_col(offset, encoding);
        Position {
            line: lc.line,
            character: lc.col,
        }
    };
    Range {
        start: at(span.start),
        end: at(span.end),
    }
}

/// Symbol kind of a call, by its status: failures stand out as events.
pub fn call_symbol_kind(status: u16) -> SymbolKind {
    match status {
        200..=299 => SymbolKind::FUNCTION,
        100..=199 | 300..=399 => SymbolKind::METHOD,
        _ => SymbolKind::EVENT,
    }
}

pub fn run_symbol_kind() -> SymbolKind {
    SymbolKind::NAMESPACE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpointed_positions_equal_plain_ones() {
        let unit = "{\"a\": \"😀名\", \"b\": [1, 2], \"é\": 3}, ";
        let long: String = unit.repeat(150);
        let text = format!("[\r\n{long}\n{long}\r\n]\n");
        let index = LineIndex::new(&text);
        for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            let long_lines = LongLines::new(&text, &index, encoding);
            for offset in (0..text.len() + 3).step_by(13).chain([text.len(), 1, 0]) {
                let p = position(&text, &index, offset, encoding);
                assert_eq!(
                    long_lines.position(&text, &index, offset, encoding),
                    p,
                    "{offset} {encoding:?}"
                );
                // And back, also from columns inside characters and past the line's end.
                for delta in [0, 1, 2, 5000] {
                    let q = Position {
                        line: p.line,
                        character: p.character + delta,
                    };
                    let lc = crate::core::line_index::LineCol {
                        line: q.line,
                        col: q.character,
                    };
                    assert_eq!(
                        long_lines.offset(&text, &index, q, encoding),
                        index.offset(&text, lc, encoding),
                        "{q:?} {encoding:?}"
                    );
                }
            }
        }
    }
}
