//! `textDocument/foldingRange`: one range per call and one per response body.

use crate::core::model::Span;
use crate::lsp::documents::Snapshot;
use tower_lsp_server::ls_types::{FoldingRange, FoldingRangeKind};

pub fn folding_ranges(snap: &Snapshot) -> Vec<FoldingRange> {
    let mut out = Vec::new();
    let mut push = |span: Span, label: &str| {
        let range = snap.range(span);
        if range.end.line > range.start.line {
            out.push(FoldingRange {
                start_line: range.start.line,
                start_character: None,
                end_line: range.end.line,
                end_character: None,
                kind: Some(FoldingRangeKind::Region),
                collapsed_text: Some(label.to_string()),
            });
        }
    };
    for run in &snap.analysis.runs {
        push(run.span, "run");
    }
    for ex in &snap.analysis.exchanges {
        push(ex.span, "call");
        if let Some(body) = &ex.body {
            push(body.span, "body");
        }
    }
    out.sort_by_key(|r| (r.start_line, std::cmp::Reverse(r.end_line)));
    out.dedup_by_key(|r| (r.start_line, r.end_line));
    out
}
