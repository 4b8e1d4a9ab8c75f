//! `textDocument/definition`: from a status code to its response body.

use crate::lsp::documents::Snapshot;
use tower_lsp_server::ls_types::{GotoDefinitionResponse, Location, Position};

pub fn definition(snap: &Snapshot, pos: Position) -> Option<GotoDefinitionResponse> {
    let offset = snap.offset(pos);
    let ex = snap
        .analysis
        .exchanges
        .get(super::exchange_at(snap, offset)?)?;
    let body = ex.body.as_ref()?;
    Some(GotoDefinitionResponse::Scalar(Location {
        uri: snap.uri.clone(),
        range: snap.range(body.span),
    }))
}
