//! `textDocument/definition`: from a status code to its response body.

use crate::lsp::documents::Snapshot;
use tower_lsp_server::ls_types::{GotoDefinitionResponse, Location, Position};

pub fn definition(snap: &Snapshot, pos: Position) -> Option<GotoDefinitionResponse> {
    Some(GotoDefinitionResponse::Scalar(Location {
        uri: snap.uri.clone(),
        range: super::body_of_status_at(snap, pos)?,
    }))
}
