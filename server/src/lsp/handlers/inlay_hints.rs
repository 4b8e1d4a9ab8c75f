//! `textDocument/inlayHint`: the reason phrase after a bare status number (none when
//! `runlog.inlayHints.enable` is off).

use crate::core::status;
use crate::lsp::documents::Snapshot;
use tower_lsp_server::ls_types::{InlayHint, InlayHintLabel, Range};

pub fn inlay_hints(snap: &Snapshot, range: Range) -> Vec<InlayHint> {
    if !snap.settings.inlay_hints {
        return Vec::new();
    }
    let wanted = snap.span(range);
    let mut out = Vec::new();
    let visible = snap
        .analysis
        .exchanges_with_status_in(wanted.start, wanted.end);
    for ex in visible.filter_map(|i| snap.analysis.exchanges.get(i)) {
        // The log already says it: no hint.
        if ex
            .status_text
            .as_deref()
            .is_some_and(|t| !t.trim().is_empty())
        {
            continue;
        }
        let reason = if ex.no_response.is_some() {
            // The error text is written there already; a HAR's `0`/`-1` is not a code.
            if !matches!(
                snap.text.get(ex.status_span.start..ex.status_span.end),
                Some("0" | "-1")
            ) {
                continue;
            }
            crate::core::report::NO_RESPONSE.to_string()
        } else {
            status::lookup(ex.status, &snap.settings.analysis.status_codes).reason
        };
        if reason.is_empty() {
            continue;
        }
        out.push(InlayHint {
            position: snap.position(ex.status_span.end),
            label: InlayHintLabel::String(super::one_line(&reason, 60)),
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
