//! One file per LSP method: pure functions from an analysed snapshot (and the request's
//! parameters) to the LSP answer. `lsp::server` routes requests here and guards them.

pub mod code_action;
pub mod code_lens;
pub mod commands;
pub mod curl;
pub mod definition;
pub mod diagnostics;
pub mod failures;
pub mod folding;
pub mod hover;
pub mod inlay_hints;
pub mod payload;
pub mod symbols;

use super::documents::Snapshot;
use crate::core::model::Exchange;
use crate::core::report::{report_for, CallReport};
use std::sync::Arc;
use tower_lsp_server::ls_types::{Position, Range};

/// The exchange whose status key or value the offset touches (an index lookup in the core).
pub fn exchange_at(snap: &Snapshot, offset: usize) -> Option<usize> {
    snap.analysis.exchange_at(offset)
}

/// The exchange whose response body contains the offset.
pub fn exchange_with_body_at(snap: &Snapshot, offset: usize) -> Option<usize> {
    snap.analysis.exchange_with_body_at(offset)
}

/// The response body of the call whose status code is at `pos`: where definition and the
/// reveal-body command go.
pub fn body_of_status_at(snap: &Snapshot, pos: Position) -> Option<Range> {
    let index = exchange_at(snap, snap.offset(pos))?;
    let body = snap.analysis.exchanges.get(index)?.body.as_ref()?;
    Some(snap.range(body.span))
}

/// The report on an exchange (see `core::report::report_for`).
pub fn report_of(snap: &Snapshot, exchange: usize) -> Option<Arc<CallReport>> {
    report_for(
        &snap.analysis,
        &snap.text,
        exchange,
        &snap.settings.analysis,
    )
}

/// What to call an exchange in symbols and titles.
pub fn call_name(ex: &Exchange, index: usize) -> String {
    if let Some(name) = ex.name.as_deref().filter(|n| !n.trim().is_empty()) {
        return one_line(name, 80);
    }
    match (&ex.request.method, &ex.request.url) {
        (Some(m), Some(u)) => one_line(&format!("{m} {u}"), 80),
        (None, Some(u)) => one_line(u, 80),
        _ => format!("Call {}", index + 1),
    }
}

/// Plain text on one line, at most `max` characters (symbols and titles are not markdown, but
/// must stay short and free of control characters).
pub fn one_line(text: &str, max: usize) -> String {
    let clean = super::markdown::sanitize(text);
    let mut out: String = clean.split_whitespace().collect::<Vec<_>>().join(" ");
    if out.chars().count() > max {
        out = out.chars().take(max.saturating_sub(1)).collect::<String>() + "…";
    }
    out
}

/// A snapshot of `text` analysed with default settings, in UTF-16, for handler unit tests.
#[cfg(test)]
pub fn test_snapshot(text: &str) -> Snapshot {
    let settings = std::sync::Arc::new(crate::settings::Settings::default());
    Snapshot::new(super::documents::SnapshotParts {
        uri: "file:///test/log.json".parse().expect("a valid URI"),
        version: Some(1),
        revision: 1,
        text: std::sync::Arc::new(text.to_string()),
        analysis: crate::core::analyze(text, &settings.analysis),
        settings,
        encoding: crate::core::line_index::Encoding::Utf16,
    })
}
