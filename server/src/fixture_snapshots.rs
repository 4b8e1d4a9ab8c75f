//! Tests as data: every fixture in `tests/fixtures` through the analysis and the LSP handlers,
//! snapshotted with insta (`server/src/snapshots/`). Per fixture: the format, the findings
//! (1-based line:column in characters, as `check` prints them, kind, severity, status, message),
//! and for every call with a finding the hover markdown and the `runlog/payload` view.
//!
//! No hover or payload view (written out or not) may contain a secret the fixtures README lists.
//!
//! `bodies/` holds response bodies, not logs: a body is snapshotted only when it yields findings
//! on its own (the decoders are tested on every body in `core::explain`). Run
//! `cargo insta review` (or `INSTA_UPDATE=always cargo test`) after a deliberate change.

use crate::core::line_index::Encoding;
use crate::core::model::Finding;
use crate::lsp::handlers::{self, hover, payload};
use std::fmt::Write;
use tower_lsp_server::ls_types::HoverContents;

/// Calls whose payload view is written out in full; later ones are counted in a note (the
/// newman report and the Chromium HARs have a dozen failed calls with long bodies).
const MAX_PAYLOAD_CALLS: usize = 3;
/// Lines of one payload view written out; the rest are counted in a note.
const MAX_PAYLOAD_LINES: usize = 60;

#[test]
fn every_fixture() {
    let secrets = secrets();
    insta::glob!(
        "../../tests/fixtures",
        "**/*.{json,har,jsonl,geojson,xml,html,txt}",
        |path| {
            let text = std::fs::read_to_string(path).expect("fixture is UTF-8");
            let report = describe(&text, &|shown: &str| {
                for secret in &secrets {
                    assert!(
                        !shown.contains(secret.as_str()),
                        "{}: {secret} reached a hover or payload view:\n{shown}",
                        path.display()
                    );
                }
            });
            let is_body =
                path.parent().and_then(std::path::Path::file_name) == Some("bodies".as_ref());
            if is_body && report.is_none() {
                let name = path.file_name().unwrap_or_default().to_string_lossy();
                let stale = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("src/snapshots")
                    .join(format!(
                        "runlog_lsp__fixture_snapshots__fixture@bodies__{name}.snap"
                    ));
                assert!(
                    !stale.exists(),
                    "{} has no findings any more: delete {}",
                    path.display(),
                    stale.display()
                );
                return;
            }
            let report = report.unwrap_or_else(|| "not a run log: no findings\n".to_string());
            insta::assert_snapshot!("fixture", report);
        }
    );
}

#[path = "../../tests/shared/secrets.rs"]
mod shared_secrets;
use shared_secrets::secrets;

/// The snapshot text of one fixture; `None` when it has no findings at all. Every hover and
/// payload view, also those not written out, goes through `check` first.
fn describe(text: &str, check: &dyn Fn(&str)) -> Option<String> {
    let snap = handlers::test_snapshot(text);
    let analysis = &snap.analysis;
    if analysis.findings.is_empty() {
        return None;
    }
    let mut out = String::new();
    let format = analysis.format.map_or("not a run log", |f| f.label());
    let _ = writeln!(
        out,
        "format: {format}; {} calls, {} runs, {} findings",
        analysis.exchanges.len(),
        analysis.runs.len(),
        analysis.findings.len()
    );
    out.push_str("\n## Findings\n\n");
    for f in &analysis.findings {
        let _ = writeln!(out, "{}", finding_line(&snap, f));
    }
    let mut calls: Vec<usize> = analysis
        .findings
        .iter()
        .filter_map(|f| f.exchange)
        .collect();
    calls.dedup();
    for (n, &index) in calls.iter().enumerate() {
        let ex = &analysis.exchanges[index];
        let pos = snap.position(ex.status_span.start);
        let at = char_position(&snap, ex.status_span.start);
        let _ = writeln!(out, "\n## Call {} at {at}\n\n### Hover\n", index + 1);
        match hover::hover(&snap, pos).map(|h| h.contents) {
            Some(HoverContents::Markup(m)) => {
                check(&m.value);
                out.push_str(&m.value);
            }
            other => {
                let _ = write!(out, "(no markdown hover: {other:?})");
            }
        }
        out.push_str("\n\n### Payload view\n\n");
        let view = payload::payload(&snap, pos);
        if let Some(view) = &view {
            check(&view.title);
            check(&view.content);
        }
        if n >= MAX_PAYLOAD_CALLS {
            let _ = writeln!(
                out,
                "(shown for the first {MAX_PAYLOAD_CALLS} calls with a finding only)"
            );
            continue;
        }
        match view {
            Some(view) => {
                let _ = writeln!(out, "title: {}\nlanguage: {}\n", view.title, view.language);
                let lines: Vec<&str> = view.content.lines().collect();
                for line in lines.iter().take(MAX_PAYLOAD_LINES) {
                    let _ = writeln!(out, "{line}");
                }
                if lines.len() > MAX_PAYLOAD_LINES {
                    let _ = writeln!(
                        out,
                        "(… {} more lines not shown)",
                        lines.len() - MAX_PAYLOAD_LINES
                    );
                }
            }
            None => out.push_str("(no payload view)\n"),
        }
    }
    Some(out)
}

fn finding_line(snap: &crate::lsp::documents::Snapshot, f: &Finding) -> String {
    let status = f.status.map_or("-".to_string(), |s| s.to_string());
    format!(
        "{} {:?} {:?} {status}: {}",
        char_position(snap, f.span.start),
        f.kind,
        f.severity,
        f.message
    )
}

/// 1-based line:column, the column in characters (as `runlog-lsp check` prints positions).
fn char_position(snap: &crate::lsp::documents::Snapshot, offset: usize) -> String {
    let lc = snap.index.line_col(&snap.text, offset, Encoding::Utf32);
    format!("{}:{}", lc.line + 1, lc.col + 1)
}
