//! Failures grouped by cause: a log with 400 failing calls usually has three
//! causes. Two findings share a group when they have the same code, the same explanation once
//! its variable parts are masked (numbers, ids, UUIDs, emails, quoted values, timestamps) and the
//! same method and endpoint template (id-like path segments become `{id}`, the query is dropped).
//!
//! Pure: findings (with their call) and a caller-chosen location go in, groups come out ordered
//! by count, then first occurrence. Used by `check --group`; meant for `runlog/failures` too.

use super::model::{Exchange, Finding, FindingKind, Severity, StatusOverride};
use super::status;
use std::collections::{BTreeMap, HashMap};

/// One cause: the calls that failed the same way.
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// The code of a finding as diagnostics and `check` print it.
pub fn finding_code(finding: &Finding) -> String {
    code(finding.status, finding.kind)
}

/// The code of a finding with this status and kind: the status (`"400"`), or `no-response`,
/// `invalid-json`, `limit-reached`.
pub fn code(status: Option<u16>, kind: FindingKind) -> String {
    match (status, kind) {
        (Some(code), _) => code.to_string(),
        (None, FindingKind::NoResponse) => super::report::NO_RESPONSE_CODE.to_string(),
        (None, FindingKind::InvalidJson) => "invalid-json".to_string(),
        (None, FindingKind::LimitReached) => "limit-reached".to_string(),
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
        let summary: Vec<(&str, usize, Vec<usize>)> = groups
            .iter()
            .map(|g| (g.code.as_str(), g.count, g.calls.clone()))
            .collect();
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
}
