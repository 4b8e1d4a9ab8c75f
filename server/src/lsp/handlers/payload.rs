//! `runlog/payload` (and the `runlog.viewPayload` command): the payload view of the call at a
//! position, as `{title, language, content}`.

use crate::core::payload::{payload as build, PayloadView};
use crate::lsp::documents::Snapshot;
use tower_lsp_server::ls_types::{Position, TextDocumentIdentifier};

#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PayloadParams {
    pub text_document: TextDocumentIdentifier,
    pub position: Position,
}

/// The payload of the call whose status code (or body) is at `pos`.
pub fn payload(snap: &Snapshot, pos: Position) -> Option<PayloadView> {
    let offset = snap.offset(pos);
    let index =
        super::exchange_at(snap, offset).or_else(|| super::exchange_with_body_at(snap, offset))?;
    build(&snap.text, &snap.analysis, index, &snap.settings.analysis)
}
