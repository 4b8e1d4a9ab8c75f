//! Diagnostics of a log analysed in parts by the unit pipeline (`core::stream`), with positions
//! computed while each part is in memory: a file on disk too big to hold, and the first look at
//! a big log just opened, whose diagnostics go out before its whole analysis is done.

use crate::core::groups;
use crate::core::line_index::Encoding;
use crate::core::stream::{analyze_reader, Inexact, StreamError};
use crate::settings::Settings;
use std::io::Read;
use tower_lsp_server::ls_types::{Diagnostic, Location, Uri};

use super::handlers::failures;
use super::to_lsp;

/// What streaming a log gave, as LSP values.
pub(super) struct StreamedDiagnostics {
    /// Capped like a whole analysis's; with the notes on what was not analysed when inexact.
    pub diagnostics: Vec<Diagnostic>,
    /// The failing calls grouped by cause, for `runlog/failures`.
    pub failures: failures::Located,
    /// `None`: the diagnostics are exactly those of the whole text's analysis.
    pub inexact: Option<Inexact>,
}

/// Streams `reader` (the text of `uri`) and turns its findings into diagnostics. Blocking.
pub(super) fn diagnostics(
    uri: &Uri,
    reader: impl Read,
    settings: &Settings,
    encoding: Encoding,
) -> Result<StreamedDiagnostics, StreamError> {
    let codes = &settings.analysis.status_codes;
    let streamed = analyze_reader(reader, &settings.analysis, |f, ex, view| {
        let body = ex
            .and_then(|e| e.body.as_ref())
            .map(|b| to_lsp::view_range(view, b.span, encoding));
        (to_lsp::view_range(view, f.span, encoding), body)
    })?;
    let cap = settings.analysis.max_findings.saturating_add(1);
    let diagnostics = streamed
        .findings
        .iter()
        .take(cap)
        .chain(streamed.inexact.iter().flat_map(|_| streamed.notes.iter()))
        .map(|l| {
            let (range, body) = l.at;
            let body = body.filter(|_| l.exchange.is_some()).map(|range| Location {
                uri: uri.clone(),
                range,
            });
            to_lsp::diagnostic_at(&l.finding, range, body, codes)
        })
        .collect();
    let failures = groups::failures_of(streamed.findings.iter().take(cap).map(|l| {
        let failure = failures::FailureCall {
            uri: uri.clone(),
            range: l.at.0,
            name: None,
            run: None,
        };
        (&l.finding, failure)
    }));
    Ok(StreamedDiagnostics {
        diagnostics,
        failures,
        inexact: streamed.inexact,
    })
}
