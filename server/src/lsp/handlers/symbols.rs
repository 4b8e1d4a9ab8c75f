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

pub fn symbols(snap: &Snapshot) -> Vec<DocumentSymbol> {
    let runs = &snap.analysis.runs;
    let mut per_run: Vec<Vec<DocumentSymbol>> = vec![Vec::new(); runs.len()];
    let mut top = Vec::new();
    for (i, ex) in snap.analysis.exchanges.iter().enumerate() {
        let info = status::lookup(ex.status, &snap.settings.analysis.status_codes);
        let name = format!(
            "{} — {} {}",
            super::call_name(ex, i),
            ex.status,
            super::one_line(&info.reason, 60)
        );
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
    out
}
