//! Formats with a fixed layout: HAR 1.2 (pages and entries) and Newman reports (executions).

use super::call::{exchange_in, url_path};
use super::{push_exchange_unit, scalar_text, Cx, Extracted};
use crate::core::detect::{get, get_object, get_str};
use crate::core::model::{Exchange, Run, Span, UnitKind};
use jsonc_parser::ast::{Object, Value};

/// HAR 1.2: pages are runs, entries are exchanges.
pub(super) fn extract_har(root: &Value<'_>, cx: &Cx<'_>, out: &mut Extracted) {
    let Some(log) = root.as_object().and_then(|o| get_object(o, "log")) else {
        return;
    };
    let mut pages: Vec<(String, usize)> = Vec::new();
    if let Some(Value::Array(list)) = get(log, "pages") {
        for page in &list.elements {
            let Value::Object(p) = page else { continue };
            let id = get_str(p, "id").unwrap_or_default().to_string();
            let title = get(p, "title").filter(|t| scalar_text(t).is_some());
            let named = title.or_else(|| get(p, "id"));
            let span = cx.piece.span(p.range);
            let run = Run {
                name: named
                    .and_then(scalar_text)
                    .unwrap_or_else(|| format!("Page {}", out.runs.len() + 1)),
                span,
                name_span: named
                    .map(|n| cx.span(n))
                    .unwrap_or(Span::new(span.start, span.start)),
            };
            pages.push((id, out.runs.len()));
            out.runs.push(run);
        }
    }
    let Some(Value::Array(entries)) = get(log, "entries") else {
        return;
    };
    for entry in &entries.elements {
        let Value::Object(e) = entry else { continue };
        if let Some(ex) = har_entry(e, &pages, cx) {
            out.exchanges.push(ex);
            if cx.record_units {
                push_exchange_unit(out, UnitKind::HarEntry);
            }
        }
    }
    if cx.record_units {
        out.pages = pages;
    }
}

/// The exchange a HAR entry records, named by its URL path and placed in its page.
pub(super) fn har_entry(
    e: &Object<'_>,
    pages: &[(String, usize)],
    cx: &Cx<'_>,
) -> Option<Exchange> {
    let mut ex = exchange_in(e, Some("entries"), cx)?;
    if let Some(path) = ex.request.url.as_deref().and_then(url_path) {
        ex.name = Some(path.into());
    }
    if let Some(pageref) = get_str(e, "pageref") {
        ex.run = pages.iter().find(|(id, _)| id == pageref).map(|(_, i)| *i);
    }
    Some(ex)
}

/// Newman: the collection run is one run, `run.executions[]` are the exchanges (the collection's
/// saved example responses are not calls).
pub(super) fn extract_newman(root: &Value<'_>, cx: &Cx<'_>, out: &mut Extracted) {
    let Some(obj) = root.as_object() else { return };
    let Some(run) = get_object(obj, "run") else {
        return;
    };
    let Some(Value::Array(executions)) = get(run, "executions") else {
        return;
    };
    let name_value = get_object(obj, "collection")
        .and_then(|c| get_object(c, "info"))
        .and_then(|i| get(i, "name"))
        .filter(|v| scalar_text(v).is_some());
    let span = cx.piece.span(obj.range);
    let run_index = out.runs.len();
    out.runs.push(Run {
        name: name_value
            .and_then(scalar_text)
            .unwrap_or_else(|| "Newman run".to_string()),
        span,
        name_span: name_value
            .map(|v| cx.span(v))
            .unwrap_or(cx.piece.span(run.range)),
    });
    for execution in &executions.elements {
        let Value::Object(e) = execution else {
            continue;
        };
        if let Some(mut ex) = exchange_in(e, Some("executions"), cx) {
            ex.run = Some(run_index);
            out.exchanges.push(ex);
            if cx.record_units {
                push_exchange_unit(out, UnitKind::Exchange);
            }
        }
    }
}
