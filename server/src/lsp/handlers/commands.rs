//! `workspace/executeCommand`: `runlog.viewPayload` (returns the payload view),
//! `runlog.revealBody` (the server asks the client to show the response body) and
//! `runlog.copyAsCurl` (returns `{ command }`, which the client puts on the clipboard) and
//! `runlog.showFailures` (returns the failures grouped by cause, as `runlog/failures`; the client
//! shows them).

use crate::lsp::documents::Snapshot;
use serde_json::Value;
use tower_lsp_server::ls_types::{Position, ShowDocumentParams, Uri};

pub const VIEW_PAYLOAD: &str = "runlog.viewPayload";
pub const REVEAL_BODY: &str = "runlog.revealBody";
pub const COPY_AS_CURL: &str = "runlog.copyAsCurl";
pub const SHOW_FAILURES: &str = super::failures::SHOW_FAILURES;
pub const ALL: &[&str] = &[VIEW_PAYLOAD, REVEAL_BODY, COPY_AS_CURL, SHOW_FAILURES];

/// The document `runlog.showFailures` is about (`[{uri}]`, `[{textDocument: {uri}}]`, `[uri]`),
/// `None` for every open and watched log.
pub fn document(args: &[Value]) -> Option<Uri> {
    let first = args.first()?;
    let uri = match first.as_object() {
        Some(obj) => obj
            .get("uri")
            .or_else(|| obj.get("textDocument").and_then(|t| t.get("uri")))?,
        None => first,
    };
    uri.as_str()?.parse().ok()
}

/// The `{uri, position}` a command is about. Accepts `[{uri, position}]`,
/// `[{textDocument: {uri}, position}]` and `[uri, position]`.
pub fn target(args: &[Value]) -> Option<(Uri, Position)> {
    let first = args.first()?;
    let (uri, pos) = if let Some(obj) = first.as_object() {
        let uri = obj
            .get("uri")
            .or_else(|| obj.get("textDocument").and_then(|t| t.get("uri")))?;
        (uri.clone(), obj.get("position")?.clone())
    } else {
        (first.clone(), args.get(1)?.clone())
    };
    let uri: Uri = uri.as_str()?.parse().ok()?;
    let pos: Position = serde_json::from_value(pos).ok()?;
    Some((uri, pos))
}

/// The `window/showDocument` request that reveals the body of the call at `pos`.
pub fn reveal_body(snap: &Snapshot, pos: Position) -> Option<ShowDocumentParams> {
    Some(ShowDocumentParams {
        uri: snap.uri.clone(),
        external: None,
        take_focus: Some(true),
        selection: Some(super::body_of_status_at(snap, pos)?),
    })
}
