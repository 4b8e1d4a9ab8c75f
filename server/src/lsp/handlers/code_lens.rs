//! `textDocument/codeLens`: "View payload" and "Go to response body" over each failing call,
//! one lens per run counting its failing calls, and the summary at the top of the log
//! ("37 failing calls · 3 causes", `handlers::failures`). None when `runlog.codeLens.enable`
//! is off.

use crate::lsp::documents::Snapshot;
use serde_json::json;
use tower_lsp_server::ls_types::{CodeLens, Command};

pub fn code_lenses(snap: &Snapshot) -> Vec<CodeLens> {
    if !snap.settings.code_lens {
        return Vec::new();
    }
    let mut out: Vec<CodeLens> = super::failures::summary_lens(snap).into_iter().collect();
    let mut failing_per_run = vec![0usize; snap.analysis.runs.len()];
    for f in &snap.analysis.findings {
        if !f.kind.is_failing_call() {
            continue;
        }
        let Some(ex) = f.exchange.and_then(|i| snap.analysis.exchanges.get(i)) else {
            continue;
        };
        if let Some(r) = ex.run.and_then(|r| failing_per_run.get_mut(r)) {
            *r += 1;
        }
        let range = snap.range(ex.status_span);
        let args = vec![json!({"uri": snap.uri.as_str(), "position": range.start})];
        out.push(CodeLens {
            range,
            command: Some(Command {
                title: "View payload".into(),
                command: "runlog.viewPayload".into(),
                arguments: Some(args.clone()),
            }),
            data: None,
        });
        if ex.body.is_some() {
            out.push(CodeLens {
                range,
                command: Some(Command {
                    title: "Go to response body".into(),
                    command: "runlog.revealBody".into(),
                    arguments: Some(args),
                }),
                data: None,
            });
        }
    }
    for (run, count) in snap.analysis.runs.iter().zip(failing_per_run) {
        if count == 0 {
            continue;
        }
        let title = if count == 1 {
            "1 failing call".to_string()
        } else {
            format!("{count} failing calls")
        };
        // A title-only lens: an empty command is shown but does nothing when clicked.
        out.push(CodeLens {
            range: snap.range(run.name_span),
            command: Some(Command {
                title,
                command: String::new(),
                arguments: None,
            }),
            data: None,
        });
    }
    out
}
