//! `textDocument/publishDiagnostics` and `textDocument/diagnostic`: findings as diagnostics.

use crate::lsp::documents::Snapshot;
use crate::lsp::to_lsp;
use tower_lsp_server::ls_types::Diagnostic;

/// The diagnostics of a snapshot; none for documents that are not run logs.
pub fn diagnostics(snap: &Snapshot) -> Vec<Diagnostic> {
    if snap.analysis.format.is_none() {
        return Vec::new();
    }
    // The core caps findings; this bound only protects the client from a core that did not.
    let cap = snap.settings.analysis.max_findings.saturating_add(1);
    snap.analysis
        .findings
        .iter()
        .take(cap)
        .map(|f| to_lsp::diagnostic(snap, f))
        .collect()
}
