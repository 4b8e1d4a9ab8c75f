//! Core values → LSP values: spans to ranges in the negotiated encoding, findings to
//! diagnostics, severities, symbol kinds. With `from_lsp`, the only place positions are built.

use crate::core::line_index::{clamp_offset, Encoding, LineCol, LineIndex, LongLines};
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

/// The position of `offset`, using the long-line checkpoints of a snapshot.
pub fn checkpointed_position(
    text: &str,
    index: &LineIndex,
    long_lines: &LongLines,
    offset: usize,
    encoding: Encoding,
) -> Position {
    lsp_position(long_lines.line_col(text, index, offset, encoding))
}

/// The byte offset of `pos`, using the long-line checkpoints of a snapshot.
pub fn checkpointed_offset(
    text: &str,
    index: &LineIndex,
    long_lines: &LongLines,
    pos: Position,
    encoding: Encoding,
) -> usize {
    let lc = LineCol {
        line: pos.line,
        col: pos.character,
    };
    long_lines.offset(text, index, lc, encoding)
}

fn lsp_position(lc: LineCol) -> Position {
    Position {
        line: lc.line,
        character: lc.col,
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
        FindingKind::NoResponse
        | FindingKind::InvalidJson
        | FindingKind::LimitReached
        | FindingKind::BodyTruncated => Some(NumberOrString::String(
            crate::core::groups::finding_code(finding),
        )),
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
