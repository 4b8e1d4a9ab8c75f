//! `textDocument/hover` on a status value or key: what the code means, why this call failed
//! (the body's words, fenced), the call, what helps next, and our MDN link. Log text is inert.

use crate::core::model::StatusSource;
use crate::core::{body, explain, status};
use crate::lsp::documents::Snapshot;
use crate::lsp::markdown::{escape, fence};
use tower_lsp_server::ls_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};

/// Explanations longer than this are cut in the hover (it is a tooltip, not a viewer).
const MAX_EXPLANATION: usize = 2000;

pub fn hover(snap: &Snapshot, pos: Position) -> Option<Hover> {
    let offset = snap.offset(pos);
    let index = super::exchange_at(snap, offset)?;
    let ex = snap.analysis.exchanges.get(index)?;
    let info = status::lookup(ex.status, &snap.settings.analysis.status_codes);
    let mut md = String::new();
    let reason = if info.reason.is_empty() {
        "Status".to_string()
    } else {
        info.reason.clone()
    };
    md.push_str(&format!("**{} {}**\n\n", ex.status, escape(&reason)));
    if !info.definition.is_empty() {
        md.push_str(&escape(&info.definition));
        md.push_str("\n\n");
    }
    let class = match info.class {
        1 => "1xx informational",
        2 => "2xx success",
        3 => "3xx redirection",
        4 => "4xx client error",
        5 => "5xx server error",
        _ => "non-standard",
    };
    let source = match info.source {
        StatusSource::Seed | StatusSource::Iana => "",
        StatusSource::Vendor => " · vendor-specific code",
        StatusSource::Unknown => " · not a registered code",
        StatusSource::User => " · defined in runlog.statusCodes",
    };
    md.push_str(&format!("Class: {class}{source}\n\n"));

    let explanation = ex
        .body
        .as_ref()
        .and_then(|b| {
            let decoded =
                body::decode_limited(&snap.text, b, snap.settings.analysis.max_body_size).0;
            explain::explain(&decoded).or_else(|| explain::reported_error(&decoded))
        })
        .map(|e| {
            let mut text = e
                .detail
                .filter(|d| d.len() > e.summary.len())
                .unwrap_or(e.summary);
            if !e.fields.is_empty() {
                text.push_str(&format!("\nFields: {}", e.fields.join(", ")));
            }
            text
        })
        .or_else(|| super::failure_of(snap, index).and_then(|f| f.explanation.clone()));
    if let Some(text) = explanation.filter(|t| !t.trim().is_empty()) {
        let cut: String = text.chars().take(MAX_EXPLANATION).collect();
        md.push_str("Response body says:\n\n");
        md.push_str(&fence(&cut, "text"));
        md.push_str("\n\n");
    }

    let mut call = String::new();
    if let Some(m) = &ex.request.method {
        call.push_str(m);
        call.push(' ');
    }
    if let Some(u) = &ex.request.url {
        call.push_str(u);
    }
    if let Some(name) = ex.name.as_deref().filter(|n| !n.trim().is_empty()) {
        md.push_str(&format!(
            "Step: {}\n\n",
            escape(&super::one_line(name, 200))
        ));
    }
    if !call.trim().is_empty() {
        md.push_str(&fence(call.trim(), "text"));
        md.push_str("\n\n");
    }
    let extras = status::extras(ex);
    if !extras.is_empty() {
        for (label, value) in extras {
            md.push_str(&format!("- {}: {}\n", escape(&label), escape(&value)));
        }
        md.push('\n');
    }
    if let Some(url) = info
        .mdn
        .as_deref()
        .filter(|u| u.starts_with("https://developer.mozilla.org/"))
    {
        // Our own catalogue's URL, never log text.
        md.push_str(&format!(
            "[MDN: {} {}]({url})\n",
            ex.status,
            escape(&reason)
        ));
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: md.trim_end().to_string(),
        }),
        range: Some(snap.range(ex.status_span)),
    })
}
