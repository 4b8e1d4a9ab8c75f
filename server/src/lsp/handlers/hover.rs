//! `textDocument/hover` on a status value or key: what the code means, why this call failed
//! (the body's words, fenced), the call, what helps next, and our MDN link. Log text is inert.
//! Elsewhere on the first line (where the summary lens is): the failures grouped by cause.

use crate::core::model::StatusSource;
use crate::core::status;
use crate::lsp::documents::Snapshot;
use crate::lsp::markdown::{escape, fence};
use tower_lsp_server::ls_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};

/// Explanations longer than this are cut in the hover (it is a tooltip, not a viewer).
const MAX_EXPLANATION: usize = 2000;

pub fn hover(snap: &Snapshot, pos: Position) -> Option<Hover> {
    call_hover(snap, pos).or_else(|| super::failures::hover(snap, pos))
}

fn call_hover(snap: &Snapshot, pos: Position) -> Option<Hover> {
    let offset = snap.offset(pos);
    let index = super::exchange_at(snap, offset)?;
    let ex = snap.analysis.exchanges.get(index)?;
    let report = super::report_of(snap, index)?;
    let info = &report.info;
    let mut md = String::new();
    let reason = if info.reason.is_empty() {
        "Status"
    } else {
        &info.reason
    };
    let code = report.status.map(|c| c.to_string());
    let code = code.as_deref().unwrap_or_default();
    match &report.no_response {
        Some(n) => {
            md.push_str(&format!("**{}**", escape(reason)));
            // The catalogue's code: letters, digits, `_` and `:` only, inert in a code span.
            if let Some(code) = n.error.code.as_deref().filter(|c| {
                c.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':')
            }) {
                md.push_str(&format!(" · `{code}`"));
            }
            md.push_str("\n\n");
        }
        None => md.push_str(&format!("**{code} {}**\n\n", escape(reason))),
    }
    if !info.definition.is_empty() {
        md.push_str(&escape(&info.definition));
        md.push_str("\n\n");
    }
    if report.no_response.is_none() {
        class_line(&mut md, info);
    }
    if let Some(text) = report.full_explanation().filter(|t| !t.trim().is_empty()) {
        let cut: String = text.chars().take(MAX_EXPLANATION).collect();
        md.push_str("Response body says:\n\n");
        md.push_str(&fence(&cut, "text"));
        md.push_str("\n\n");
    }
    if let Some(name) = report.name.as_deref().filter(|n| !n.trim().is_empty()) {
        md.push_str(&format!(
            "Step: {}\n\n",
            escape(&super::one_line(name, 200))
        ));
    }
    let call = report.request_line();
    if !call.trim().is_empty() {
        md.push_str(&fence(call.trim(), "text"));
        md.push_str("\n\n");
    }
    if !report.extras.is_empty() {
        for (label, value) in &report.extras {
            md.push_str(&format!("- {}: {}\n", escape(label), escape(value)));
        }
        md.push('\n');
    }
    if let Some(url) = info
        .mdn
        .as_deref()
        .filter(|u| u.starts_with("https://developer.mozilla.org/"))
    {
        // Our own catalogue's URL, never log text.
        md.push_str(&format!("[MDN: {code} {}]({url})\n", escape(reason)));
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: md.trim_end().to_string(),
        }),
        range: Some(snap.range(ex.status_span)),
    })
}

/// "Class: 4xx Client error", and where the definition comes from.
fn class_line(md: &mut String, info: &status::StatusInfo) {
    let source = match info.source {
        StatusSource::Guide | StatusSource::Iana => "",
        StatusSource::Vendor => " · vendor-specific code",
        StatusSource::Unknown => " · not a registered code",
        StatusSource::User => " · defined in runlog.statusCodes",
    };
    let class = match info.class {
        0 => status::class_name(0).to_string(),
        c => format!("{c}xx {}", status::class_name(c)),
    };
    md.push_str(&format!("Class: {class}{source}\n\n"));
}
