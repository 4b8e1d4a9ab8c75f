//! `textDocument/codeAction` at a failing status code: View payload, Go to response body,
//! Unfold response body (escaped JSON string → pretty JSON) and Fold response body into a string.

use crate::core::model::BodyEncoding;
use crate::core::unfold;
use crate::lsp::documents::Snapshot;
use crate::lsp::to_lsp;
use serde_json::json;
use std::collections::HashMap;
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Command, Diagnostic, Range, TextEdit,
    WorkspaceEdit,
};

pub fn code_actions(
    snap: &Snapshot,
    range: Range,
    context: &[Diagnostic],
) -> Vec<CodeActionOrCommand> {
    let offset = snap.offset(range.start);
    let (index, on_status) = match super::exchange_at(snap, offset) {
        Some(i) => (i, true),
        None => match super::exchange_with_body_at(snap, offset) {
            Some(i) => (i, false),
            None => return Vec::new(),
        },
    };
    let Some(ex) = snap.analysis.exchanges.get(index) else {
        return Vec::new();
    };
    let finding = super::failure_of(snap, index);
    let diagnostics = finding.map(|f| {
        let ours = to_lsp::diagnostic(snap, f);
        // Prefer the client's copy of the diagnostic, so it can link the action to it.
        let theirs = context
            .iter()
            .find(|d| d.range == ours.range && d.source.as_deref() == Some("runlog"));
        vec![theirs.cloned().unwrap_or(ours)]
    });
    let mut out = Vec::new();
    let status_pos = snap.position(ex.status_span.start);
    let args = vec![json!({"uri": snap.uri.as_str(), "position": status_pos})];
    if on_status && finding.is_some() {
        out.push(action(
            "View payload",
            diagnostics.clone(),
            Some(true),
            None,
            Some(("runlog.viewPayload", args.clone())),
        ));
        if ex.body.is_some() {
            out.push(action(
                "Go to response body",
                diagnostics.clone(),
                None,
                None,
                Some(("runlog.revealBody", args)),
            ));
        }
    }
    if let Some(body) = &ex.body {
        let edit_of = |new_text: String| {
            let mut changes = HashMap::new();
            changes.insert(
                snap.uri.clone(),
                vec![TextEdit {
                    range: snap.range(body.span),
                    new_text,
                }],
            );
            WorkspaceEdit {
                changes: Some(changes),
                document_changes: None,
                change_annotations: None,
            }
        };
        match body.encoding {
            BodyEncoding::String => {
                let (unit, base) = indentation(snap, body.span.start);
                if let Some(text) = unfold::unfold(&snap.text, body.span, &unit, &base) {
                    out.push(action(
                        "Unfold response body",
                        diagnostics.clone(),
                        None,
                        Some(edit_of(text)),
                        None,
                    ));
                }
            }
            BodyEncoding::Inline => {
                if let Some(text) = unfold::fold(&snap.text, body.span) {
                    out.push(action(
                        "Fold response body into a string",
                        diagnostics.clone(),
                        None,
                        Some(edit_of(text)),
                        None,
                    ));
                }
            }
            BodyEncoding::Base64 | BodyEncoding::ByteArray => {}
        }
    }
    out
}

fn action(
    title: &str,
    diagnostics: Option<Vec<Diagnostic>>,
    is_preferred: Option<bool>,
    edit: Option<WorkspaceEdit>,
    command: Option<(&str, Vec<serde_json::Value>)>,
) -> CodeActionOrCommand {
    CodeActionOrCommand::CodeAction(CodeAction {
        title: title.to_string(),
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics,
        edit,
        command: command.map(|(name, args)| Command {
            title: title.to_string(),
            command: name.to_string(),
            arguments: Some(args),
        }),
        is_preferred,
        disabled: None,
        data: None,
    })
}

/// (indent unit, base indent) for text unfolded at `offset`: the base is the indentation of the
/// line the body starts on; the unit is the document's own indentation step (tab or the
/// smallest space indent of its first lines), two spaces when it has none.
pub fn indentation(snap: &Snapshot, offset: usize) -> (String, String) {
    let line = snap
        .index
        .line_col(&snap.text, offset, crate::core::line_index::Encoding::Utf8)
        .line;
    let line_text = snap.index.line_text(&snap.text, line);
    let base: String = line_text
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    if base.contains('\t') {
        return ("\t".to_string(), base);
    }
    let mut step = usize::MAX;
    for l in 0..(snap.index.line_count().min(200) as u32) {
        let t = snap.index.line_text(&snap.text, l);
        let n = t.chars().take_while(|c| *c == ' ').count();
        if n > 0 && n < t.len() {
            step = step.min(n);
        }
    }
    let unit = if step == usize::MAX || step > 8 {
        2
    } else {
        step
    };
    (" ".repeat(unit), base)
}
