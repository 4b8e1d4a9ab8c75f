//! Failures grouped by cause: a log with 400 failing calls usually has three
//! causes. Two findings share a group when they have the same code, the same explanation once
//! its variable parts are masked (numbers, ids, UUIDs, emails, quoted values, timestamps) and the
//! same method and endpoint template (id-like path segments become `{id}`, the query is dropped).
//!
//! Pure: findings (with their call) and a caller-chosen location go in, groups come out ordered
//! by count, then first occurrence. Used by `check --group` (from its records) and, through
//! [`failures`] (from an analysis), by the language server's lens and `runlog/failures`; groups
//! of several logs are combined with [`merge`].
//!
//! Cost: one pass over the findings (masking each explanation, a hash lookup per call), never
//! over the text; a key depends only on what the call said, so an edit that does not change a
//! cause leaves every group and key as it was.

use super::model::{Analysis, Exchange, Finding, FindingKind, Severity, StatusOverride};
use super::status;
use std::collections::{BTreeMap, HashMap};

/// One cause: the calls that failed the same way. Serialized as `runlog/failures` answers it
/// (camelCase keys).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Group<L> {
    /// Identifies the group (code, method, endpoint, masked explanation); stable across runs.
    pub key: String,
    /// The finding's code: the status (`"400"`), or `invalid-json`, `limit-reached`, ...
    pub code: String,
    pub status: Option<u16>,
    pub reason: Option<String>,
    /// The body's explanation with its variable parts masked (`<email>`, `<id>`, `"…"`).
    pub explanation: Option<String>,
    pub method: Option<String>,
    /// The URL with id-like path segments as `{id}` and no query or fragment.
    pub endpoint: Option<String>,
    /// The most severe severity among the calls.
    pub severity: Severity,
    pub count: usize,
    /// Where each call is, in the order they were added (the first is the first occurrence).
    pub calls: Vec<L>,
}

/// What one finding contributes to grouping, already in words (see [`Grouper::add`] for the
/// shortcut from a core finding).
#[derive(Debug, Clone, Copy)]
pub struct Member<'a> {
    pub code: &'a str,
    pub status: Option<u16>,
    pub reason: Option<&'a str>,
    pub severity: Severity,
    pub explanation: Option<&'a str>,
    pub method: Option<&'a str>,
    pub url: Option<&'a str>,
}

/// Collects findings into groups; [`Grouper::finish`] orders them.
#[derive(Debug)]
pub struct Grouper<L> {
    groups: Vec<Group<L>>,
    by_key: HashMap<String, usize>,
}

impl<L> Default for Grouper<L> {
    fn default() -> Self {
        Grouper {
            groups: Vec::new(),
            by_key: HashMap::new(),
        }
    }
}

impl<L> Grouper<L> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a core finding (and its call, when it has one) found at `location`. `overrides` are
    /// the user's status code definitions (for the reason phrase).
    pub fn add(
        &mut self,
        finding: &Finding,
        exchange: Option<&Exchange>,
        overrides: &BTreeMap<u16, StatusOverride>,
        location: L,
    ) {
        let code = finding_code(finding);
        let reason = finding.status.map(|c| status::lookup(c, overrides).reason);
        self.add_member(
            Member {
                code: &code,
                status: finding.status,
                reason: reason.as_deref(),
                severity: finding.severity,
                explanation: finding.explanation.as_deref(),
                method: exchange.and_then(|x| x.request.method.as_deref()),
                url: exchange.and_then(|x| x.request.url.as_deref()),
            },
            location,
        );
    }

    /// Adds a finding as the front ends show it: code and reason from the finding and its call
    /// report, method and URL from the report (redacted), the explanation from the finding.
    /// Gives the same member as `check` builds from its records.
    pub fn add_finding(&mut self, finding: &Finding, location: L) {
        let code = finding_code(finding);
        let report = finding.report.as_deref();
        let explanation = described_by(
            finding.status,
            finding.explanation.as_deref(),
            &finding.message,
        );
        self.add_member(
            Member {
                code: &code,
                status: finding.status,
                reason: report.map(|r| r.info.reason.as_str()),
                severity: finding.severity,
                explanation,
                method: report.and_then(|r| r.method.as_deref()),
                url: report.and_then(|r| r.url.as_deref()),
            },
            location,
        );
    }

    /// Adds one finding described by `member`, found at `location`.
    pub fn add_member(&mut self, member: Member<'_>, location: L) {
        let explanation = member.explanation.map(mask).filter(|e| !e.is_empty());
        let method = member.method.map(|m| m.trim().to_ascii_uppercase());
        let endpoint = member.url.map(endpoint_template);
        let key = format!(
            "{} {} {} {}",
            member.code,
            method.as_deref().unwrap_or("-"),
            endpoint.as_deref().unwrap_or("-"),
            explanation.as_deref().unwrap_or("-")
        );
        let index = match self.by_key.get(&key) {
            Some(&i) => i,
            None => {
                self.by_key.insert(key.clone(), self.groups.len());
                self.groups.push(Group {
                    key,
                    code: member.code.to_string(),
                    status: member.status,
                    reason: member.reason.map(str::to_string),
                    explanation,
                    method,
                    endpoint,
                    severity: member.severity,
                    count: 0,
                    calls: Vec::new(),
                });
                self.groups.len() - 1
            }
        };
        let group = &mut self.groups[index];
        group.count += 1;
        group.severity = group.severity.min(member.severity);
        group.calls.push(location);
    }

    /// The groups: largest first, ties in order of first occurrence.
    pub fn finish(self) -> Vec<Group<L>> {
        let mut groups = self.groups;
        // Stable: groups were created in order of first occurrence.
        groups.sort_by_key(|g| std::cmp::Reverse(g.count));
        groups
    }
}

/// What a finding's group is described by: the body's explanation, or, for a finding about no
/// call (invalid JSON, a limit), its message.
pub fn described_by<'a>(
    status: Option<u16>,
    explanation: Option<&'a str>,
    message: &'a str,
) -> Option<&'a str> {
    explanation.or(status.is_none().then_some(message))
}

/// The failing calls of an analysis grouped by cause; each call is the index of its finding in
/// `analysis.findings`.
pub fn failures(analysis: &Analysis) -> Vec<Group<usize>> {
    failures_of(analysis.findings.iter().enumerate().map(|(i, f)| (f, i)))
}

/// The failing calls among `findings` (each with its location) grouped by cause; for findings
/// that are not in an `Analysis` (a log streamed from disk).
pub fn failures_of<'a, L>(findings: impl IntoIterator<Item = (&'a Finding, L)>) -> Vec<Group<L>> {
    let mut grouper = Grouper::new();
    for (finding, location) in findings {
        if finding.kind.is_failing_call() {
            grouper.add_finding(finding, location);
        }
    }
    grouper.finish()
}

impl<L> Group<L> {
    /// The same group with each call's location mapped.
    pub fn map_calls<M>(self, f: impl FnMut(L) -> M) -> Group<M> {
        Group {
            key: self.key,
            code: self.code,
            status: self.status,
            reason: self.reason,
            explanation: self.explanation,
            method: self.method,
            endpoint: self.endpoint,
            severity: self.severity,
            count: self.count,
            calls: self.calls.into_iter().map(f).collect(),
        }
    }
}

/// The groups of several logs as one list: groups with the same key become one (counts added,
/// calls in the order of the lists), ordered by count, then first occurrence.
pub fn merge<L>(lists: impl IntoIterator<Item = Vec<Group<L>>>) -> Vec<Group<L>> {
    let mut merged: Vec<Group<L>> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    for group in lists.into_iter().flatten() {
        match by_key.get(&group.key) {
            Some(&i) => {
                let into = &mut merged[i];
                into.count += group.count;
                into.severity = into.severity.min(group.severity);
                into.calls.extend(group.calls);
            }
            None => {
                by_key.insert(group.key.clone(), merged.len());
                merged.push(group);
            }
        }
    }
    merged.sort_by_key(|g| std::cmp::Reverse(g.count));
    merged
}

/// "37 failing calls · 3 causes" (singular forms for one).
pub fn summary(groups: &[Group<impl Sized>]) -> String {
    let calls: usize = groups.iter().map(|g| g.count).sum();
    let causes = groups.len();
    format!(
        "{calls} failing call{} · {causes} cause{}",
        if calls == 1 { "" } else { "s" },
        if causes == 1 { "" } else { "s" }
    )
}

/// The code of a finding as diagnostics and `check` print it.
pub fn finding_code(finding: &Finding) -> String {
    code(finding.status, finding.kind)
}

/// The code of a finding with this status and kind: the status (`"400"`), or `no-response`,
/// `invalid-json`, `limit-reached`, `body-truncated`.
pub fn code(status: Option<u16>, kind: FindingKind) -> String {
    match (status, kind) {
        (Some(code), _) => code.to_string(),
        (None, FindingKind::NoResponse) => super::report::NO_RESPONSE_CODE.to_string(),
        (None, FindingKind::InvalidJson) => "invalid-json".to_string(),
        (None, FindingKind::LimitReached) => "limit-reached".to_string(),
        (None, FindingKind::BodyTruncated) => super::report::BODY_TRUNCATED_CODE.to_string(),
        (None, _) => "runlog".to_string(),
    }
}

/// `text` with its variable parts masked: quoted values `"…"`, emails `<email>`, UUIDs `<uuid>`,
/// timestamps `<timestamp>`, numbers `<n>` and id-like words `<id>`; whitespace collapsed.
pub fn mask(text: &str) -> String {
    let unquoted = mask_quotes(text);
    let mut out = String::with_capacity(unquoted.len());
    for word in unquoted.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        // Punctuation around a word stays (`id=42,` → `id=<n>,`).
        let core_start = word
            .find(|c: char| c.is_alphanumeric())
            .unwrap_or(word.len());
        let core_end = word
            .rfind(|c: char| c.is_alphanumeric())
            .map_or(core_start, |i| {
                i + word[i..].chars().next().map_or(1, char::len_utf8)
            });
        let (lead, core, trail) = (
            &word[..core_start],
            &word[core_start..core_end.max(core_start)],
            &word[core_end.max(core_start)..],
        );
        out.push_str(lead);
        out.push_str(&mask_word(core));
        out.push_str(trail);
    }
    out
}

/// Replaces the content of quoted stretches with `…`.
fn mask_quotes(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let close = match c {
            '"' => Some('"'),
            '`' => Some('`'),
            '“' => Some('”'),
            '«' => Some('»'),
            // An apostrophe inside a word (can't, member's) is not a quote.
            '\'' if i == 0 || !chars[i - 1].is_alphanumeric() => Some('\''),
            _ => None,
        };
        if let Some(close) = close {
            if let Some(len) = chars[i + 1..].iter().position(|&x| x == close) {
                let after = chars.get(i + 1 + len + 1);
                if close != '\'' || after.is_none_or(|a| !a.is_alphanumeric()) {
                    out.push(c);
                    out.push('…');
                    out.push(close);
                    i += len + 2;
                    continue;
                }
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

fn mask_word(word: &str) -> String {
    if word.is_empty() {
        return String::new();
    }
    if is_email(word) {
        return "<email>".to_string();
    }
    if is_uuid(word) {
        return "<uuid>".to_string();
    }
    if is_timestamp(word) {
        return "<timestamp>".to_string();
    }
    if word
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '_'))
    {
        return "<n>".to_string();
    }
    // `key=value`, `a:b`, `path/segment`: mask each part.
    if let Some(i) = word.find(['=', ':', '/']) {
        let sep = &word[i..i + 1];
        return word.split(sep).map(mask_word).collect::<Vec<_>>().join(sep);
    }
    if is_id(word) {
        return "<id>".to_string();
    }
    word.to_string()
}

fn is_email(word: &str) -> bool {
    match word.split_once('@') {
        Some((user, host)) => !user.is_empty() && host.contains('.') && !host.starts_with('.'),
        None => false,
    }
}

fn is_uuid(word: &str) -> bool {
    let parts: Vec<&str> = word.split('-').collect();
    parts.len() == 5
        && parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && parts
            .iter()
            .all(|p| p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// `2024-05-01`, `2024-05-01T10:00:00Z`, `10:00:00`, `10:00:00.123`.
fn is_timestamp(word: &str) -> bool {
    let b = word.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    let date = b.len() >= 10
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10);
    let time = b.len() >= 8
        && digits(0..2)
        && b[2] == b':'
        && digits(3..5)
        && b[5] == b':'
        && digits(6..8);
    date || time
}

/// A word that names one thing rather than a kind of thing: a number, digits mixed into letters
/// (`4ca5becb8d`, `cus_9s6XKz`; `base64`, `OAuth2` stay), long hex, but not versions (`v2`, `v10`).
fn is_id(word: &str) -> bool {
    if !word
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        return false;
    }
    let digits = word.chars().filter(char::is_ascii_digit).count();
    if digits == 0 {
        return word.len() >= 32 && word.chars().all(|c| c.is_ascii_hexdigit());
    }
    let version = word.strip_prefix(['v', 'V']).is_some_and(|rest| {
        !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit() || c == '.')
    });
    if version {
        return false;
    }
    if word.chars().all(|c| c.is_ascii_digit()) {
        return true;
    }
    digits >= 3 && word.len() >= 6 || word.len() >= 16
}

/// The URL's endpoint: scheme and host kept, id-like path segments as `{id}`, no query or
/// fragment.
pub fn endpoint_template(url: &str) -> String {
    let url = url.trim();
    let url = url.split(['?', '#']).next().unwrap_or(url);
    let (origin, path) = match url.find("://") {
        Some(i) => {
            let rest = &url[i + 3..];
            let host_end = rest.find('/').map_or(url.len(), |j| i + 3 + j);
            (&url[..host_end], &url[host_end..])
        }
        None => ("", url),
    };
    let segments: Vec<String> = path
        .split('/')
        .map(|s| {
            if is_email(s) || is_uuid(s) || is_id(s) || is_timestamp(s) {
                "{id}".to_string()
            } else {
                s.to_string()
            }
        })
        .collect();
    format!("{origin}{}", segments.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member<'a>(code: &'a str, explanation: &'a str, url: &'a str) -> Member<'a> {
        Member {
            code,
            status: code.parse().ok(),
            reason: None,
            severity: Severity::Error,
            explanation: Some(explanation),
            method: Some("post"),
            url: Some(url),
        }
    }

    #[test]
    fn masks_variable_parts() {
        assert_eq!(
            mask("Member Exists: lena.fischer@example.com is already a list member."),
            "Member Exists: <email> is already a list member."
        );
        assert_eq!(
            mask("Order 12345 for customer cus_9s6XKzkNRiz8i3 not found"),
            "Order <n> for customer <id> not found"
        );
        assert_eq!(
            mask("Item 'abc' can't be \"Foo Bar\" at 2024-05-01T10:00:00Z"),
            "Item '…' can't be \"…\" at <timestamp>"
        );
        assert_eq!(
            mask("request 3f2b8c1e-4d5a-4b6c-8d7e-9f0a1b2c3d4e failed (id=42, v2 API)"),
            "request <uuid> failed (id=<n>, v2 API)"
        );
        assert_eq!(mask("  spaced\n out  "), "spaced out");
        assert_eq!(mask("field: 'name'"), "field: '…'");
    }

    #[test]
    fn endpoint_templates() {
        assert_eq!(
            endpoint_template("https://us21.api.mailchimp.com/3.0/lists/4ca5becb8d/members?skip=1"),
            "https://us21.api.mailchimp.com/3.0/lists/{id}/members"
        );
        assert_eq!(endpoint_template("/v1/orders/123#frag"), "/v1/orders/{id}");
        assert_eq!(
            endpoint_template("https://x.example/users/3f2b8c1e-4d5a-4b6c-8d7e-9f0a1b2c3d4e/v2"),
            "https://x.example/users/{id}/v2"
        );
        assert_eq!(endpoint_template("https://x.example"), "https://x.example");
    }

    #[test]
    fn groups_by_cause_ordered_by_count_then_first_occurrence() {
        let mut g = Grouper::new();
        let url = |id: &str| format!("https://api.example/lists/{id}/members");
        g.add_member(member("404", "Not found", "https://api.example/a"), 0);
        for (i, email) in ["a@x.io", "b@y.io", "c@z.io"].iter().enumerate() {
            let explanation = format!("Member Exists: {email} is already a list member.");
            let u = url(&format!("4ca5becb{i}d{i}"));
            g.add_member(member("400", &explanation, &u), i + 1);
        }
        // Same words, another code: another group.
        g.add_member(
            member(
                "409",
                "Member Exists: d@x.io is already a list member.",
                &url("1"),
            ),
            4,
        );
        g.add_member(member("404", "Not found", "https://api.example/b"), 5);
        let groups = g.finish();
        let summary = codes_counts_calls(&groups);
        assert_eq!(
            summary,
            vec![
                ("400", 3, vec![1, 2, 3]),
                ("404", 1, vec![0]),
                ("409", 1, vec![4]),
                ("404", 1, vec![5]),
            ]
        );
        let first = &groups[0];
        assert_eq!(
            first.explanation.as_deref(),
            Some("Member Exists: <email> is already a list member.")
        );
        assert_eq!(first.method.as_deref(), Some("POST"));
        assert_eq!(
            first.endpoint.as_deref(),
            Some("https://api.example/lists/{id}/members")
        );
        assert_eq!(first.status, Some(400));
        assert!(first
            .key
            .starts_with("400 POST https://api.example/lists/{id}/members"));
        let keys: std::collections::HashSet<&str> = groups.iter().map(|g| g.key.as_str()).collect();
        assert_eq!(keys.len(), groups.len(), "keys are distinct");
    }

    #[test]
    fn core_findings_group_through_their_calls() {
        let text = r#"[
{"method": "GET", "url": "https://x.example/orders/1001", "status": 404, "body": {"message": "Order 1001 not found"}},
{"method": "GET", "url": "https://x.example/orders/1002", "status": 404, "body": {"message": "Order 1002 not found"}},
{"method": "POST", "url": "https://x.example/orders", "status": 422, "body": {"message": "Field 'total' is invalid"}}
]"#;
        let analysis = crate::core::analyze(text, &Default::default());
        let mut g = Grouper::new();
        for (i, f) in analysis.findings.iter().enumerate() {
            let x = f.exchange.and_then(|i| analysis.exchanges.get(i));
            g.add(f, x, &BTreeMap::new(), i);
        }
        let groups = g.finish();
        assert_eq!(groups.len(), 2, "{groups:#?}");
        assert_eq!(groups[0].count, 2);
        assert_eq!(groups[0].code, "404");
        assert_eq!(groups[0].reason.as_deref(), Some("Not Found"));
        assert_eq!(
            groups[0].endpoint.as_deref(),
            Some("https://x.example/orders/{id}")
        );
        assert_eq!(groups[1].code, "422");
    }

    /// `(code, count, calls)` of each group.
    fn codes_counts_calls<L: Clone>(groups: &[Group<L>]) -> Vec<(&str, usize, Vec<L>)> {
        groups
            .iter()
            .map(|g| (g.code.as_str(), g.count, g.calls.clone()))
            .collect()
    }

    fn failures_of_text(text: &str) -> Vec<Group<usize>> {
        failures(&crate::core::analyze(text, &Default::default()))
    }

    fn jsonl_call(method: &str, url: &str, status: u16, message: &str) -> String {
        format!(
            "{{\"method\": \"{method}\", \"url\": \"{url}\", \"statusCode\": {status}, \"body\": {{\"message\": \"{message}\"}}}}\n"
        )
    }

    #[test]
    fn failures_of_an_analysis_group_repeated_causes() {
        let mut text = String::new();
        for id in [1001, 1002, 1003] {
            text.push_str(&jsonl_call(
                "GET",
                &format!("https://x.example/orders/{id}"),
                404,
                &format!("Order {id} not found"),
            ));
        }
        text.push_str(&jsonl_call("GET", "https://x.example/health", 200, "ok"));
        text.push_str(&jsonl_call(
            "POST",
            "https://x.example/orders",
            500,
            "Internal error",
        ));
        text.push_str(&jsonl_call(
            "GET",
            "https://x.example/orders/1004",
            404,
            "Order 1004 not found",
        ));
        let analysis = crate::core::analyze(&text, &Default::default());
        let groups = failures(&analysis);
        let summary = codes_counts_calls(&groups);
        assert_eq!(
            summary,
            vec![("404", 4, vec![0, 1, 2, 4]), ("500", 1, vec![3])],
            "{groups:#?}"
        );
        let first = &groups[0];
        assert_eq!(first.explanation.as_deref(), Some("Order <n> not found"));
        assert_eq!(first.method.as_deref(), Some("GET"));
        assert_eq!(
            first.endpoint.as_deref(),
            Some("https://x.example/orders/{id}")
        );
        assert_eq!(first.reason.as_deref(), Some("Not Found"));
        // Every call points at its finding.
        for &i in &first.calls {
            assert_eq!(analysis.findings[i].status, Some(404));
        }
        assert_eq!(summary_of(&groups), "5 failing calls · 2 causes");
    }

    fn summary_of(groups: &[Group<usize>]) -> String {
        summary(groups)
    }

    #[test]
    fn failures_of_a_single_call() {
        let groups = failures_of_text(&jsonl_call(
            "DELETE",
            "https://x.example/items/77",
            409,
            "Item 77 is locked",
        ));
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].count, 1);
        assert_eq!(groups[0].calls, vec![0]);
        assert_eq!(groups[0].code, "409");
        assert_eq!(summary_of(&groups), "1 failing call · 1 cause");
        // No failing call: no group (and a 2xx whose body reports an error is a note, not one).
        let ok = jsonl_call("GET", "https://x.example/a", 200, "fine");
        assert!(failures_of_text(&ok).is_empty());
        let note = "{\"url\": \"https://x.example/g\", \"statusCode\": 200, \"body\": {\"ok\": false, \"error\": \"channel_not_found\"}}\n";
        let analysis = crate::core::analyze(note, &Default::default());
        assert_eq!(analysis.findings.len(), 1, "{analysis:#?}");
        assert!(failures(&analysis).is_empty());
    }

    #[test]
    fn masking_keeps_different_causes_apart() {
        let mut text = String::new();
        // Same code and endpoint, different words once masked: two causes.
        text.push_str(&jsonl_call(
            "POST",
            "https://x.example/users/1",
            400,
            "Field 'email' is required",
        ));
        text.push_str(&jsonl_call(
            "POST",
            "https://x.example/users/2",
            400,
            "Password too short",
        ));
        // Same words, another method or endpoint: other causes.
        text.push_str(&jsonl_call(
            "PUT",
            "https://x.example/users/3",
            400,
            "Password too short",
        ));
        text.push_str(&jsonl_call(
            "POST",
            "https://x.example/teams/4",
            400,
            "Password too short",
        ));
        // Only the variable parts differ: the same cause as the first.
        text.push_str(&jsonl_call(
            "POST",
            "https://x.example/users/5",
            400,
            "Field 'name' is required",
        ));
        let groups = failures_of_text(&text);
        let calls: Vec<Vec<usize>> = groups.iter().map(|g| g.calls.clone()).collect();
        assert_eq!(calls, vec![vec![0, 4], vec![1], vec![2], vec![3]]);
        let keys: std::collections::HashSet<&str> = groups.iter().map(|g| g.key.as_str()).collect();
        assert_eq!(keys.len(), 4);
    }

    #[test]
    fn groups_are_stable_under_edits_that_keep_causes() {
        let config = Default::default();
        let mut old = String::new();
        for id in [1001, 1002] {
            old.push_str(&jsonl_call(
                "GET",
                &format!("https://x.example/orders/{id}"),
                404,
                &format!("Order {id} not found"),
            ));
        }
        let before = failures(&crate::core::analyze(&old, &config));
        // Another id in one body: the same group, the same key.
        let new = old.replace("Order 1002 not found", "Order 99817 not found");
        let after = failures(&crate::core::reanalyze(
            &crate::core::analyze(&old, &config),
            &old,
            &new,
            &config,
        ));
        assert_eq!(before, after);
        // Another cause: one more group; the first keeps its key.
        let newer = format!(
            "{new}{}",
            jsonl_call("GET", "https://x.example/orders/7", 503, "Upstream timeout")
        );
        let more = failures(&crate::core::analyze(&newer, &config));
        assert_eq!(more.len(), 2);
        assert_eq!(more[0].key, before[0].key);
    }

    #[test]
    fn merged_groups_add_up_across_logs() {
        let a = failures_of_text(&jsonl_call(
            "GET",
            "https://x.example/orders/1",
            404,
            "Order 1 not found",
        ));
        let b_text = format!(
            "{}{}{}",
            jsonl_call("POST", "https://x.example/pay", 402, "Card declined"),
            jsonl_call("POST", "https://x.example/pay", 402, "Card declined"),
            jsonl_call(
                "GET",
                "https://x.example/orders/2",
                404,
                "Order 2 not found"
            ),
        );
        let b = failures_of_text(&b_text);
        let tag = |groups: Vec<Group<usize>>, log: &'static str| {
            groups
                .into_iter()
                .map(|g| g.map_calls(|i| (log, i)))
                .collect::<Vec<_>>()
        };
        let merged = merge([tag(a, "a"), tag(b, "b")]);
        let summary = codes_counts_calls(&merged);
        assert_eq!(
            summary,
            vec![
                ("404", 2, vec![("a", 0), ("b", 2)]),
                ("402", 2, vec![("b", 0), ("b", 1)]),
            ]
        );
    }

    #[test]
    fn calls_without_response_are_failing_calls_grouped_by_their_error() {
        let entry = |url: &str| {
            format!(
                r#"{{"request": {{"method": "GET", "url": "{url}", "headers": []}},
                "response": {{"status": 0, "headers": [], "content": {{"size": 0, "text": ""}},
                "_error": "net::ERR_CONNECTION_REFUSED"}}}}"#
            )
        };
        let text = format!(
            r#"{{"log": {{"version": "1.2", "entries": [{}, {}]}}}}"#,
            entry("http://127.0.0.1:9/a/1"),
            entry("http://127.0.0.1:9/a/2")
        );
        let groups = failures_of_text(&text);
        assert_eq!(groups.len(), 1, "{groups:?}");
        assert_eq!(groups[0].code, "no-response");
        assert_eq!(groups[0].count, 2);
    }
}
