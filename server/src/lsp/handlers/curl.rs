//! `runlog/curl` (and the `runlog.copyAsCurl` command): the request of the call at a position
//! as a `curl` command line, secrets as shell variables (built in `core::curl`).

use crate::core::curl::{curl as build, Curl};
use crate::lsp::documents::Snapshot;
use tower_lsp_server::ls_types::Position;

/// The call whose status code or response body is at `pos`, else the call whose recorded
/// object holds it (the cursor in its request).
pub fn call_at(snap: &Snapshot, pos: Position) -> Option<usize> {
    let offset = snap.offset(pos);
    super::exchange_at(snap, offset)
        .or_else(|| super::exchange_with_body_at(snap, offset))
        .or_else(|| snap.analysis.exchange_containing(offset))
}

/// The `curl` command of the call at `pos`; `None` when there is no call or it has no URL.
pub fn curl(snap: &Snapshot, pos: Position) -> Option<Curl> {
    build(
        &snap.text,
        &snap.analysis,
        call_at(snap, pos)?,
        &snap.settings.analysis,
    )
}
