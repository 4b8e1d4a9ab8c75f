//! `textDocument/codeAction` at a failing status code: View payload, Go to response body,
//! Unfold response body (escaped JSON string → pretty JSON) and Fold response body into a string;
//! at any call with a URL: Copy as cURL.

use crate::core::line_index::floor_char_boundary;
use crate::core::model::{BodyEncoding, Span};
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
    lazy_edits: bool,
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
    let finding = snap.analysis.finding_for_exchange(index);
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
                Some(("runlog.revealBody", args.clone())),
            ));
        }
    }
    if ex.request.url.is_some() {
        out.push(action(
            "Copy as cURL",
            diagnostics.clone(),
            None,
            None,
            Some((super::commands::COPY_AS_CURL, args)),
        ));
    }
    if let Some(body) = &ex.body {
        if let Some(rewrite) = BodyRewrite::of(body.encoding) {
            let lazy = lazy_edits && body.span.len() > LAZY_EDIT_BYTES;
            if lazy {
                if rewrite.may_apply(snap, body.span) {
                    out.push(lazy_action(snap, index, rewrite, diagnostics.clone()));
                }
            } else if let Some(edit) = body_edit(snap, index, rewrite) {
                out.push(action(
                    rewrite.title(),
                    diagnostics.clone(),
                    None,
                    Some(edit),
                    None,
                ));
            }
        }
    }
    out
}

/// Bodies longer than this get their rewrite computed on `codeAction/resolve` (when the client
/// resolves edits): a rewrite costs time in proportion to the body, and editors ask for code
/// actions at every cursor move.
pub const LAZY_EDIT_BYTES: usize = 64 << 10;

/// The two ways a quick fix rewrites a response body in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum BodyRewrite {
    /// Escaped JSON string → pretty JSON.
    Unfold,
    /// Inline JSON → one escaped string.
    Fold,
}

impl BodyRewrite {
    fn of(encoding: BodyEncoding) -> Option<BodyRewrite> {
        match encoding {
            BodyEncoding::String => Some(BodyRewrite::Unfold),
            BodyEncoding::Inline => Some(BodyRewrite::Fold),
            BodyEncoding::Base64 | BodyEncoding::ByteArray => None,
        }
    }

    fn title(self) -> &'static str {
        match self {
            BodyRewrite::Unfold => "Unfold response body",
            BodyRewrite::Fold => "Fold response body into a string",
        }
    }

    /// From the body's first characters: whether offering the rewrite is worth it.
    fn may_apply(self, snap: &Snapshot, span: Span) -> bool {
        let head = &snap.text[span.start..floor_char_boundary(&snap.text, span.start + 256)];
        match self {
            BodyRewrite::Unfold => unfold::may_unfold(head),
            BodyRewrite::Fold => head.trim_start().starts_with(['{', '[']),
        }
    }
}

/// A rewrite offered without its edit, which `resolve` computes when the user picks it.
fn lazy_action(
    snap: &Snapshot,
    index: usize,
    rewrite: BodyRewrite,
    diagnostics: Option<Vec<Diagnostic>>,
) -> CodeActionOrCommand {
    let mut offered = action(rewrite.title(), diagnostics, None, None, None);
    if let CodeActionOrCommand::CodeAction(a) = &mut offered {
        a.data = serde_json::to_value(ResolveData {
            uri: snap.uri.as_str().to_string(),
            revision: snap.revision,
            exchange: index,
            rewrite,
        })
        .ok();
    }
    offered
}

/// What a lazily offered rewrite needs to be computed on resolve.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct ResolveData {
    pub uri: String,
    /// The snapshot the action was offered on: a resolve against a newer text computes nothing.
    pub revision: u64,
    pub exchange: usize,
    pub rewrite: BodyRewrite,
}

/// The edit that rewrites the body of exchange `index`, if the body can be rewritten losslessly.
fn body_edit(snap: &Snapshot, index: usize, rewrite: BodyRewrite) -> Option<WorkspaceEdit> {
    let body = snap.analysis.exchanges.get(index)?.body.as_ref()?;
    let new_text = match rewrite {
        BodyRewrite::Unfold => {
            let (unit, base) = indentation(snap, body.span.start);
            unfold::unfold(&snap.text, body.span, &unit, &base)?
        }
        BodyRewrite::Fold => unfold::fold(&snap.text, body.span)?,
    };
    let mut changes = HashMap::new();
    changes.insert(
        snap.uri.clone(),
        vec![TextEdit {
            range: snap.range(body.span),
            new_text,
        }],
    );
    Some(WorkspaceEdit {
        changes: Some(changes),
        document_changes: None,
        change_annotations: None,
    })
}

/// `codeAction/resolve`: fills in the edit of a lazily offered rewrite, when the document is
/// still at the revision it was offered on (otherwise the action comes back without an edit,
/// and applying it does nothing).
pub fn resolve(snap: &Snapshot, mut action: CodeAction, data: &ResolveData) -> CodeAction {
    if data.revision == snap.revision {
        action.edit = body_edit(snap, data.exchange, data.rewrite);
    }
    action
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lsp::handlers::test_snapshot;

    fn at_status(snap: &Snapshot) -> Range {
        let start = snap.position(snap.analysis.exchanges[0].status_span.start);
        Range { start, end: start }
    }

    fn actions(snap: &Snapshot, lazy: bool) -> Vec<CodeAction> {
        code_actions(snap, at_status(snap), &[], lazy)
            .into_iter()
            .filter_map(|a| match a {
                CodeActionOrCommand::CodeAction(a) => Some(a),
                CodeActionOrCommand::Command(_) => None,
            })
            .collect()
    }

    fn huge_escaped_body_log() -> String {
        let errors: Vec<String> = (0..4000)
            .map(|i| format!(r#"{{"field": "email_{i}", "message": "is invalid"}}"#))
            .collect();
        let body = format!(
            r#"{{"title": "Invalid Resource", "errors": [{}]}}"#,
            errors.join(",")
        );
        assert!(body.len() > LAZY_EDIT_BYTES);
        format!(
            "[{{\"name\": \"Add member\", \"status\": 400, \"body\": {}}}]",
            serde_json::to_string(&body).expect("a string")
        )
    }

    #[test]
    fn a_huge_body_is_rewritten_on_resolve_with_the_edit_an_eager_answer_gives() {
        let snap = test_snapshot(&huge_escaped_body_log());
        let eager = actions(&snap, false);
        let eager = eager
            .iter()
            .find(|a| a.title == "Unfold response body")
            .expect("offered");
        assert!(eager.edit.is_some() && eager.data.is_none());

        let lazy = actions(&snap, true);
        let lazy = lazy
            .iter()
            .find(|a| a.title == "Unfold response body")
            .expect("offered");
        assert!(
            lazy.edit.is_none(),
            "a huge body is not rewritten until resolve"
        );
        let data: ResolveData =
            serde_json::from_value(lazy.data.clone().expect("resolve data")).expect("our data");
        assert_eq!((data.exchange, data.rewrite), (0, BodyRewrite::Unfold));
        let resolved = resolve(&snap, lazy.clone(), &data);
        assert_eq!(resolved.edit, eager.edit);

        let stale = ResolveData {
            revision: snap.revision + 1,
            ..data
        };
        assert_eq!(resolve(&snap, lazy.clone(), &stale).edit, None);
    }

    #[test]
    fn small_bodies_and_plain_text_bodies_are_answered_at_once() {
        let small = test_snapshot(r#"[{"status": 404, "body": "{\"error\": \"not found\"}"}]"#);
        let unfold = actions(&small, true);
        let unfold = unfold
            .iter()
            .find(|a| a.title == "Unfold response body")
            .expect("offered");
        assert!(unfold.edit.is_some());

        let text = format!(
            r#"[{{"status": 500, "body": "{}"}}]"#,
            "oops ".repeat(20_000)
        );
        let plain = test_snapshot(&text);
        assert!(actions(&plain, true)
            .iter()
            .all(|a| !a.title.starts_with("Unfold")));
    }
}
