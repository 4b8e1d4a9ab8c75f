//! `textDocument/inlayHint`: the reason phrase after a bare status number.

use crate::core::status;
use crate::lsp::documents::Snapshot;
use tower_lsp_server::ls_types::{InlayHint, InlayHintLabel, Range};

pub fn inlay_hints(snap: &Snapshot, range: Range) -> Vec<InlayHint> {
    let wanted = snap.span(range);
    let mut out = Vec::new();
    let (_, visible) = snap
        .analysis
        .exchanges_with_status_in(wanted.start, wanted.end);
    for ex in visible {
        // The log already says it: no hint.
        if ex
            .status_text
            .as_deref()
            .is_some_and(|t| !t.trim().is_empty())
        {
            continue;
        }
        let info = status::lookup(ex.status, &snap.settings.analysis.status_codes);
        if info.reason.is_empty() {
            continue;
        }
        out.push(InlayHint {
            position: snap.position(ex.status_span.end),
            label: InlayHintLabel::String(super::one_line(&info.reason, 60)),
            kind: None,
            text_edits: None,
            tooltip: None,
            padding_left: Some(true),
            padding_right: None,
            data: None,
        });
    }
    out
}
