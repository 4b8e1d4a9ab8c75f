//! `textDocument/foldingRange`: one range per run, per call and per response body; when the
//! client caps the count (`rangeLimit`), runs and failing calls are kept first.

use crate::core::model::Span;
use crate::lsp::documents::Snapshot;
use tower_lsp_server::ls_types::{FoldingRange, FoldingRangeKind};

/// What is kept first when the client's limit is hit (lower first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Keep {
    Run,
    FailingCall,
    FailingBody,
    Call,
    Body,
}

pub fn folding_ranges(snap: &Snapshot, limit: Option<usize>) -> Vec<FoldingRange> {
    let mut ranges: Vec<(Keep, FoldingRange)> = Vec::new();
    let mut push = |keep: Keep, span: Span, label: &str| {
        let range = snap.range(span);
        if range.end.line > range.start.line {
            ranges.push((
                keep,
                FoldingRange {
                    start_line: range.start.line,
                    start_character: None,
                    end_line: range.end.line,
                    end_character: None,
                    kind: Some(FoldingRangeKind::Region),
                    collapsed_text: Some(label.to_string()),
                },
            ));
        }
    };
    for run in &snap.analysis.runs {
        push(Keep::Run, run.span, "run");
    }
    for (i, ex) in snap.analysis.exchanges.iter().enumerate() {
        let failing = snap.analysis.finding_for_exchange(i).is_some();
        let (call, body) = if failing {
            (Keep::FailingCall, Keep::FailingBody)
        } else {
            (Keep::Call, Keep::Body)
        };
        push(call, ex.span, "call");
        if let Some(b) = &ex.body {
            push(body, b.span, "body");
        }
    }
    let by_place = |r: &FoldingRange| (r.start_line, std::cmp::Reverse(r.end_line));
    ranges.sort_by_key(|(_, r)| by_place(r));
    ranges.dedup_by_key(|(_, r)| (r.start_line, r.end_line));
    if let Some(limit) = limit.filter(|&l| ranges.len() > l) {
        ranges.sort_by_key(|(keep, _)| *keep);
        ranges.truncate(limit);
        ranges.sort_by_key(|(_, r)| by_place(r));
    }
    ranges.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lsp::handlers::test_snapshot;

    #[test]
    fn a_range_limit_keeps_failing_calls_and_their_bodies_first() {
        let calls: Vec<String> = (0..20)
            .map(|i| {
                let status = if i % 4 == 0 { 500 } else { 200 };
                format!("{{\n\"status\": {status},\n\"body\": {{\n\"n\": {i}\n}}\n}}")
            })
            .collect();
        let snap = test_snapshot(&format!("[{}]", calls.join(",\n")));
        let all = folding_ranges(&snap, None);
        assert_eq!(all.len(), 40, "a call and a body range per call");
        let capped = folding_ranges(&snap, Some(12));
        assert_eq!(capped.len(), 12);
        let failing_lines: Vec<u32> = snap
            .analysis
            .exchanges
            .iter()
            .filter(|e| e.status == 500)
            .map(|e| snap.position(e.span.start).line)
            .collect();
        for line in &failing_lines {
            assert!(
                capped.iter().any(|r| r.start_line == *line),
                "failing call at {line} kept"
            );
        }
        assert!(capped
            .windows(2)
            .all(|w| w[0].start_line <= w[1].start_line));
        assert_eq!(folding_ranges(&snap, Some(100)), all);
    }
}
