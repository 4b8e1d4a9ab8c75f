//! One file per LSP method: pure functions from an analysed snapshot (and the request's
//! parameters) to the LSP answer. `lsp::server` routes requests here and guards them.

pub mod code_action;
pub mod code_lens;
pub mod commands;
pub mod definition;
pub mod diagnostics;
pub mod folding;
pub mod hover;
pub mod inlay_hints;
pub mod payload;
pub mod symbols;

use super::documents::Snapshot;
use crate::core::model::{Exchange, Finding, FindingKind};

/// The exchange whose status value (or key) the offset touches.
pub fn exchange_at(snap: &Snapshot, offset: usize) -> Option<usize> {
    snap.analysis
        .exchanges
        .iter()
        .position(|ex| ex.status_span.touches(offset) || ex.status_key_span.touches(offset))
}

/// The exchange whose body span contains the offset (innermost first is not needed: bodies of
/// distinct exchanges do not nest).
pub fn exchange_with_body_at(snap: &Snapshot, offset: usize) -> Option<usize> {
    snap.analysis
        .exchanges
        .iter()
        .position(|ex| ex.body.as_ref().is_some_and(|b| b.span.touches(offset)))
}

/// The failed-call finding about an exchange.
pub fn failure_of(snap: &Snapshot, exchange: usize) -> Option<&Finding> {
    snap.analysis.findings.iter().find(|f| {
        f.exchange == Some(exchange)
            && matches!(
                f.kind,
                FindingKind::FailedCall | FindingKind::ErrorInSuccessfulCall
            )
    })
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
