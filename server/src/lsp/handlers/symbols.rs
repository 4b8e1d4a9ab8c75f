//! `textDocument/documentSymbol`: runs → calls, hierarchical, each call named
//! "<name> — 400 Bad Request".

use crate::core::model::Span;
use crate::core::status;
use crate::lsp::documents::Snapshot;
use crate::lsp::to_lsp;
use tower_lsp_server::ls_types::DocumentSymbol;

#[allow(deprecated)] // `DocumentSymbol::deprecated` must be spelled out.
fn symbol(
    snap: &Snapshot,
    name: String,
    detail: Option<String>,
    kind: tower_lsp_server::ls_types::SymbolKind,
    span: Span,
    selection: Span,
    children: Vec<DocumentSymbol>,
) -> DocumentSymbol {
    // The selection must lie inside the range (clients reject it otherwise).
    let selection = if span.contains_span(selection) {
        selection
    } else {
        span
    };
    DocumentSymbol {
        name: if name.is_empty() {
            "(unnamed)".to_string()
        } else {
            name
        },
        detail,
        kind,
        tags: None,
        deprecated: None,
        range: snap.range(span),
        selection_range: snap.range(selection),
        children: if children.is_empty() {
            None
        } else {
            Some(children)
        },
    }
}

/// At most this many symbols per document, as VS Code's own JSON support caps its outline
/// (`json.resultLimit`): past it an outline is unusable and costly to send.
pub const MAX_SYMBOLS: usize = 5000;

/// The outline, and how many calls were left out of it to stay under `MAX_SYMBOLS`.
pub struct Outline {
    pub symbols: Vec<DocumentSymbol>,
    pub omitted: usize,
}

fn failing(status: u16) -> bool {
    to_lsp::call_symbol_kind(status) == tower_lsp_server::ls_types::SymbolKind::EVENT
}

/// Which calls get a symbol: all of them when they fit; otherwise every run, the failing calls
/// (what the outline is for) and then the first successful ones, in text order.
fn listed_calls(snap: &Snapshot, limit: usize) -> Vec<bool> {
    let exchanges = &snap.analysis.exchanges;
    let budget = limit.saturating_sub(snap.analysis.runs.len());
    if exchanges.len() <= budget {
        return vec![true; exchanges.len()];
    }
    let failures = exchanges.iter().filter(|ex| failing(ex.status)).count();
    let mut successes_left = budget.saturating_sub(failures);
    let mut failures_left = budget;
    exchanges
        .iter()
        .map(|ex| {
            let left = if failing(ex.status) {
                &mut failures_left
            } else {
                &mut successes_left
            };
            let listed = *left > 0;
            *left = left.saturating_sub(1);
            listed
        })
        .collect()
}

pub fn symbols(snap: &Snapshot) -> Outline {
    outline(snap, MAX_SYMBOLS)
}

fn outline(snap: &Snapshot, limit: usize) -> Outline {
    let runs = &snap.analysis.runs;
    let listed = listed_calls(snap, limit);
    let omitted = listed.iter().filter(|l| !**l).count();
    let mut per_run: Vec<Vec<DocumentSymbol>> = vec![Vec::new(); runs.len()];
    let mut top = Vec::new();
    for (i, ex) in snap.analysis.exchanges.iter().enumerate() {
        if !listed[i] {
            continue;
        }
        let outcome = if ex.no_response.is_some() {
            "no response".to_string()
        } else {
            let info = status::lookup(ex.status, &snap.settings.analysis.status_codes);
            format!("{} {}", ex.status, super::one_line(&info.reason, 60))
        };
        let name = format!("{} — {outcome}", super::call_name(ex, i));
        let detail = ex.request.method.as_ref().map(|m| super::one_line(m, 20));
        let sym = symbol(
            snap,
            name.trim_end().to_string(),
            detail,
            to_lsp::call_symbol_kind(ex.status),
            ex.span,
            ex.status_span,
            Vec::new(),
        );
        match ex.run.filter(|&r| r < runs.len()) {
            Some(r) => per_run[r].push(sym),
            None => top.push(sym),
        }
    }
    let mut out: Vec<DocumentSymbol> = runs
        .iter()
        .zip(per_run)
        .map(|(run, children)| {
            let failing = children
                .iter()
                .filter(|c| c.kind == tower_lsp_server::ls_types::SymbolKind::EVENT)
                .count();
            let detail = (failing > 0).then(|| format!("{failing} failing"));
            symbol(
                snap,
                super::one_line(&run.name, 80),
                detail,
                to_lsp::run_symbol_kind(),
                run.span,
                run.name_span,
                children,
            )
        })
        .collect();
    out.extend(top);
    out.sort_by_key(|s| (s.range.start.line, s.range.start.character));
    Outline {
        symbols: out,
        omitted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lsp::handlers::test_snapshot as snapshot_of;

    fn log(statuses: &[u16]) -> String {
        let calls: Vec<String> = statuses
            .iter()
            .map(|s| format!(r#"{{"name": "call", "status": {s}, "body": "x"}}"#))
            .collect();
        format!("[{}]", calls.join(",\n"))
    }

    #[test]
    fn a_capped_outline_keeps_every_failing_call_and_says_how_many_it_left_out() {
        let statuses: Vec<u16> = (0..30)
            .map(|i| if i % 5 == 0 { 404 } else { 200 })
            .collect();
        let snap = snapshot_of(&log(&statuses));
        assert_eq!(snap.analysis.exchanges.len(), 30);
        let all = outline(&snap, 100);
        assert_eq!((all.symbols.len(), all.omitted), (30, 0));
        let capped = outline(&snap, 10);
        assert_eq!(capped.symbols.len(), 10);
        assert_eq!(capped.omitted, 20);
        let failing = capped
            .symbols
            .iter()
            .filter(|s| s.name.contains("404"))
            .count();
        assert_eq!(failing, 6, "all six failing calls stay listed");
        // Text order is kept: the first four successful calls fill the rest.
        let lines: Vec<u32> = capped.symbols.iter().map(|s| s.range.start.line).collect();
        assert!(lines.windows(2).all(|w| w[0] < w[1]), "{lines:?}");
        let tight = outline(&snap, 3);
        assert_eq!(tight.symbols.len(), 3);
        assert!(tight.symbols.iter().all(|s| s.name.contains("404")));
    }
}
