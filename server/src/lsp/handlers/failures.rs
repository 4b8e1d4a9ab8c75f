//! Failures grouped by cause (`core::groups`): the summary lens at the top of a log
//! ("37 failing calls · 3 causes"), its hover listing the groups, `runlog/failures` and the
//! `runlog.showFailures` command. Groups of open logs come from their snapshot (computed once per
//! revision); those of watched files on disk are kept by `workspace` (`DiskFailures`).

use crate::core::groups::{self, Group};
use crate::lsp::documents::Snapshot;
use crate::lsp::markdown::escape;
use serde_json::json;
use tower_lsp_server::ls_types::{
    CodeLens, Command, Hover, HoverContents, MarkupContent, MarkupKind, Position, Range,
    TextDocumentIdentifier, Uri,
};

/// At most this many groups are listed in the hover (a tooltip, not a view).
const MAX_HOVER_GROUPS: usize = 20;

pub const SHOW_FAILURES: &str = "runlog.showFailures";

/// `runlog/failures` params: one document, or every open and watched log without it. Also read
/// from `null` or `[]` (what a Lua `{}` becomes), meaning every log.
#[derive(Debug, Clone, Default)]
pub struct FailuresParams {
    pub text_document: Option<TextDocumentIdentifier>,
}

impl<'de> serde::Deserialize<'de> for FailuresParams {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Fields {
            text_document: Option<TextDocumentIdentifier>,
        }
        let value = serde_json::Value::deserialize(d)?;
        if !value.is_object() {
            return Ok(FailuresParams::default());
        }
        let fields: Fields = serde_json::from_value(value).map_err(serde::de::Error::custom)?;
        Ok(FailuresParams {
            text_document: fields.text_document,
        })
    }
}

/// One failing call of a group: where its status code is, and what the log calls it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FailureCall {
    pub uri: Uri,
    /// The status code of the call.
    pub range: Range,
    /// The step / request / entry name, when the log names it (redacted, one line).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The run it belongs to, when the log has runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run: Option<String>,
}

/// The answer of `runlog/failures` (each group serialized as `core::groups::Group`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Failures {
    pub groups: Vec<Group<FailureCall>>,
}

/// The groups of one log, each call located.
pub type Located = Vec<Group<FailureCall>>;

/// The snapshot's groups with every call located at its status code.
pub fn located(snap: &Snapshot) -> Located {
    let analysis = &snap.analysis;
    snap.failures()
        .iter()
        .cloned()
        .map(|g| {
            g.map_calls(|i| {
                let finding = &analysis.findings[i];
                let exchange = finding.exchange.and_then(|x| analysis.exchanges.get(x));
                let span = exchange.map_or(finding.span, |x| x.status_span);
                let report = finding.report.as_deref();
                let name = report
                    .and_then(|r| r.name.as_deref())
                    .filter(|n| !n.trim().is_empty())
                    .map(|n| super::one_line(n, 80));
                let run = exchange
                    .and_then(|x| x.run)
                    .and_then(|r| analysis.runs.get(r))
                    .map(|r| match report {
                        Some(report) => report.redactor.text(&r.name),
                        None => r.name.clone(),
                    })
                    .filter(|n| !n.trim().is_empty())
                    .map(|n| super::one_line(&n, 80));
                FailureCall {
                    uri: snap.uri.clone(),
                    range: snap.range(span),
                    name,
                    run,
                }
            })
        })
        .collect()
}

/// The answer of `runlog/failures`: the groups of several logs merged (same cause in two logs is
/// one group), ordered by count, then first occurrence.
pub fn answer(lists: Vec<Located>) -> Failures {
    Failures {
        groups: groups::merge(lists),
    }
}

/// The summary lens at the top of a log with failing calls, running `runlog.showFailures`.
pub fn summary_lens(snap: &Snapshot) -> Option<CodeLens> {
    let groups = snap.failures();
    if groups.is_empty() {
        return None;
    }
    Some(CodeLens {
        range: Range::default(),
        command: Some(Command {
            title: groups::summary(groups),
            command: SHOW_FAILURES.into(),
            arguments: Some(vec![json!({ "uri": snap.uri.as_str() })]),
        }),
        data: None,
    })
}

/// The hover of the summary lens's line (the first line of the log, where no call's own hover
/// is): the groups with their counts, explanation and endpoint.
pub fn hover(snap: &Snapshot, pos: Position) -> Option<Hover> {
    if pos.line != 0 {
        return None;
    }
    let groups = snap.failures();
    if groups.is_empty() {
        return None;
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: markdown(groups),
        }),
        range: None,
    })
}

/// The groups as an inert markdown list (every piece of log text escaped).
pub fn markdown<L>(groups: &[Group<L>]) -> String {
    let mut md = format!("**{}**\n\n", escape(&groups::summary(groups)));
    for g in groups.iter().take(MAX_HOVER_GROUPS) {
        md.push_str(&format!("- **{}×** {}", g.count, escape(&headline(g))));
        if let Some(e) = endpoint(g) {
            md.push_str(&format!(" — `{}`", e.replace('`', "'")));
        }
        md.push('\n');
    }
    if groups.len() > MAX_HOVER_GROUPS {
        md.push_str(&format!(
            "- and {} more causes\n",
            groups.len() - MAX_HOVER_GROUPS
        ));
    }
    md
}

/// `404 Not Found: Order <n> not found`.
pub fn headline<L>(g: &Group<L>) -> String {
    let mut s = g.code.clone();
    if let Some(reason) = g.reason.as_deref().filter(|r| !r.is_empty()) {
        s.push(' ');
        s.push_str(reason);
    }
    if let Some(e) = &g.explanation {
        s.push_str(": ");
        s.push_str(e);
    }
    super::one_line(&s, 200)
}

/// `GET https://host/orders/{id}`, when the calls show a method or URL.
pub fn endpoint<L>(g: &Group<L>) -> Option<String> {
    let parts: Vec<&str> = [g.method.as_deref(), g.endpoint.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    (!parts.is_empty()).then(|| super::one_line(&parts.join(" "), 200))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = concat!(
        "{\"method\": \"GET\", \"url\": \"https://x.example/orders/1001\", \"statusCode\": 404, \"body\": {\"message\": \"Order 1001 not found\"}}\n",
        "{\"method\": \"GET\", \"url\": \"https://x.example/orders/1002\", \"statusCode\": 404, \"body\": {\"message\": \"Order 1002 not found\"}}\n",
        "{\"method\": \"POST\", \"url\": \"https://x.example/pay\", \"statusCode\": 402, \"body\": {\"message\": \"Card `declined` <b>\"}}\n",
    );

    #[test]
    fn lens_and_hover_summarise_the_groups() {
        let snap = crate::lsp::handlers::test_snapshot(LOG);
        let lens = summary_lens(&snap).expect("a lens");
        let command = lens.command.expect("a command");
        assert_eq!(command.title, "3 failing calls · 2 causes");
        assert_eq!(command.command, SHOW_FAILURES);
        assert_eq!(lens.range, Range::default());
        let Some(Hover {
            contents: HoverContents::Markup(md),
            ..
        }) = hover(&snap, Position::new(0, 0))
        else {
            panic!("a hover on line 0");
        };
        assert!(
            md.value
                .contains("**2×** 404 Not Found\\: Order \\<n\\> not found"),
            "{}",
            md.value
        );
        assert!(
            md.value.contains("`GET https://x.example/orders/{id}`"),
            "{}",
            md.value
        );
        assert!(
            md.value.contains("\\<b\\>"),
            "log text is escaped: {}",
            md.value
        );
        assert!(hover(&snap, Position::new(1, 0)).is_none());
    }

    #[test]
    fn located_calls_point_at_status_codes() {
        let snap = crate::lsp::handlers::test_snapshot(LOG);
        let groups = located(&snap);
        let ranges: Vec<Vec<Range>> = groups
            .iter()
            .map(|g| g.calls.iter().map(|c| c.range).collect())
            .collect();
        let col = LOG.lines().next().unwrap().find("404").unwrap() as u32;
        assert_eq!(ranges[0][0].start, Position::new(0, col));
        assert_eq!(ranges[0][1].start, Position::new(1, col));
        assert_eq!(ranges[1].len(), 1);
        let quiet = crate::lsp::handlers::test_snapshot("{\"a\": 1}");
        assert!(summary_lens(&quiet).is_none());
        assert!(answer(vec![located(&quiet)]).groups.is_empty());
    }
}
