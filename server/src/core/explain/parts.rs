//! What a body said, gathered while it is read, and how it becomes one summary and a detail.
//!
//! The summary is built by one rule: the specific reasons first (field-level errors, the causes
//! an error names, or every entry when the body's own message is vague), then the body's message
//! in parentheses; without specific reasons, the best message, then what the entries add. A
//! message that already says an entry replaces it; a message that says only some of several
//! specific entries is their summary and gives way to them.

use super::json::read_value;
use super::words::{
    after_status, clean, is_generic, is_vague, says, shape, shorten, shorten_keep_lines,
};
use super::{Explanation, MAX_DETAIL_CHARS, MAX_FIELDS, MAX_SUBS, MAX_SUMMARY_CHARS};
use serde_json::Value;

/// Where in the body a thing was said.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// The body's own message (at the top or under a wrapper such as `error`, `fault`, `data`).
    Head,
    /// A cause of the error (`root_cause[]`, `errorCauses[]`, `innerError`).
    Cause,
    /// One entry of a list of errors (`errors[]`, `details[]`, field → messages).
    Item,
}

/// One thing the body said.
#[derive(Debug)]
pub(super) struct Said {
    pub(super) text: String,
    /// The message without the field name put before it, to tell whether another message
    /// already says it.
    pub(super) bare: String,
    pub(super) kind: Kind,
    /// About a named field (a field-level validation error).
    pub(super) field: bool,
    /// Sentence shape, then key rank: the best head wins.
    pub(super) score: (u8, u8),
}

/// What a body said, before it is turned into a summary.
#[derive(Default, Debug)]
pub(super) struct Parts {
    pub(super) said: Vec<Said>,
    pub(super) fields: Vec<String>,
    /// "code: resource_missing", "documentation: https://…": detail only.
    pub(super) extra: Vec<String>,
    /// Reading JSON embedded in a message: no further embedded JSON is read (bounded work).
    pub(super) embedded: bool,
}

impl Parts {
    /// Records a message; generic words and a repeated status line are dropped.
    pub(super) fn say(&mut self, text: &str, kind: Kind, field: bool, rank: u8) {
        self.say_bare(text, text, kind, field, rank);
    }
    /// [`Parts::say`] of "field: message", with the message alone.
    pub(super) fn say_bare(&mut self, text: &str, bare: &str, kind: Kind, field: bool, rank: u8) {
        if self.said.len() >= MAX_SUBS {
            return;
        }
        // Said without a field name: the message alone is what was said, once read.
        let unnamed = bare == text;
        let text = clean(text);
        let text = if self.embedded {
            text
        } else {
            unembed_json(&text).into_owned()
        };
        let text = after_status(&text, false).to_string();
        let s = shape(&text);
        if s == 0 {
            return;
        }
        if self.said.iter().any(|x| x.text == text && x.kind == kind) {
            return;
        }
        let bare = if unnamed || bare == text {
            text.clone()
        } else {
            clean(bare)
        };
        self.said.push(Said {
            text,
            bare,
            kind,
            field,
            score: (s, rank),
        });
    }
    pub(super) fn add_field(&mut self, f: &str) {
        let f = f.trim();
        if f.is_empty() || self.fields.len() >= MAX_FIELDS || self.fields.iter().any(|x| x == f) {
            return;
        }
        self.fields.push(f.to_string());
    }
    pub(super) fn add_extra(&mut self, label: &str, value: &Value) {
        let v = match value {
            Value::String(s) => clean(s),
            Value::Number(n) => n.to_string(),
            _ => return,
        };
        if v.is_empty() || self.extra.len() >= MAX_SUBS {
            return;
        }
        let line = format!("{label}: {v}");
        if !self.extra.contains(&line) {
            self.extra.push(line);
        }
    }

    pub(super) fn finish(self) -> Option<Explanation> {
        let Parts {
            said,
            fields,
            extra,
            ..
        } = self;
        // The best of the body's own messages; the others go to the detail.
        let best = said
            .iter()
            .enumerate()
            .filter(|(_, s)| s.kind == Kind::Head)
            .max_by(|(i, a), (j, b)| a.score.cmp(&b.score).then(j.cmp(i)))
            .map(|(i, _)| i);
        let mut head = best.map(|i| said[i].text.clone());
        let mut other_heads: Vec<String> = Vec::new();
        for (i, s) in said.iter().enumerate() {
            if s.kind == Kind::Head && Some(i) != best {
                let h = head.as_deref().unwrap_or("");
                if !says(h, &s.text) && !other_heads.contains(&s.text) {
                    other_heads.push(s.text.clone());
                }
            }
        }
        let vague = head.as_deref().is_none_or(is_vague);
        // Field errors and causes are specific; other entries too when the message is vague,
        // after them.
        let mut specific: Vec<&Said> = Vec::new();
        let mut others: Vec<&Said> = Vec::new();
        for s in said.iter().filter(|s| s.kind != Kind::Head) {
            let list = if s.kind == Kind::Cause || s.field {
                &mut specific
            } else {
                &mut others
            };
            if !list.iter().any(|x| x.text == s.text) {
                list.push(s);
            }
        }
        if vague {
            for s in std::mem::take(&mut others) {
                if !specific.iter().any(|x| x.text == s.text) {
                    specific.push(s);
                }
            }
        }
        if let Some(h) = head.clone() {
            others.retain(|s| !says(&h, &s.bare));
            let in_head = specific.iter().filter(|s| says(&h, &s.bare)).count();
            if in_head == specific.len() {
                // The message says every specific reason (HubSpot quotes its entries).
                specific.clear();
            } else if in_head > 0 || specific.iter().any(|s| says(&s.bare, &h)) {
                // The message sums some of them up ("The email field is required. (and 1 more
                // error)"): the reasons themselves say more.
                other_heads.insert(0, h);
                head = None;
            }
        }
        let specific: Vec<String> = specific.into_iter().map(|s| s.text.clone()).collect();
        let others: Vec<String> = others.into_iter().map(|s| s.text.clone()).collect();
        let full = if !specific.is_empty() {
            let reasons = specific.join("; ");
            match &head {
                Some(h) => format!("{reasons} ({h})"),
                None => reasons,
            }
        } else if let Some(h) = &head {
            if others.is_empty() {
                h.clone()
            } else {
                format!("{h} — {}", others.join("; "))
            }
        } else if !others.is_empty() {
            others.join("; ")
        } else {
            return None;
        };
        if is_generic(&full) {
            return None;
        }
        let summary = shorten(&full, MAX_SUMMARY_CHARS);
        let mut lines: Vec<String> = Vec::new();
        lines.extend(head.iter().cloned());
        let listed = specific.len() + others.len();
        if listed > 1 || (listed == 1 && head.is_some()) {
            lines.extend(specific.iter().chain(&others).map(|s| format!("- {s}")));
        } else if listed == 1 {
            lines.extend(specific.iter().chain(&others).cloned());
        }
        lines.extend(other_heads);
        let shown_whole = lines.len() == 1 && lines[0] == summary;
        let detail = if shown_whole && extra.is_empty() {
            None
        } else {
            if lines.is_empty() || shown_whole {
                lines = vec![full.clone()];
            }
            lines.extend(extra);
            Some(shorten_keep_lines(&lines.join("\n"), MAX_DETAIL_CHARS))
        };
        Some(Explanation {
            summary,
            detail,
            fields,
        })
    }
}

/// "Property values were not valid: [{\"message\": \"Email … is invalid\"}]" (HubSpot) →
/// "Property values were not valid: Email … is invalid": JSON pasted into a message is read too.
/// "409 - {\"message\": …}" (request-promise's errors, n8n's `messages`) is a status and the
/// body, whose reason is all it says; the body may be a JSON string holding the JSON. A message
/// that is JSON as a whole (an error thrown with `JSON.stringify` of the answer) says what that
/// JSON says.
pub(super) fn unembed_json(s: &str) -> std::borrow::Cow<'_, str> {
    let whole = s.starts_with(['{', '[']).then_some(s);
    if let Some(body) = whole.or_else(|| after_status_dash(s)) {
        if let Some(summary) = embedded_summary(body) {
            return std::borrow::Cow::Owned(summary);
        }
    }
    let Some(at) = s.find(": [{").or_else(|| s.find(": {")) else {
        return std::borrow::Cow::Borrowed(s);
    };
    let (head, rest) = (&s[..at], s[at + 2..].trim());
    match embedded_summary(rest) {
        Some(summary) => std::borrow::Cow::Owned(format!("{head}: {summary}")),
        None => std::borrow::Cow::Borrowed(s),
    }
}

/// The text after a leading "NNN - " (a 3-digit status, a dash), when JSON follows.
fn after_status_dash(s: &str) -> Option<&str> {
    let (code, rest) = s.split_at_checked(3)?;
    let rest = rest.strip_prefix(" - ")?;
    (code.bytes().all(|b| b.is_ascii_digit()) && rest.starts_with(['{', '[', '"'])).then_some(rest)
}

/// The summary of what a JSON text (or a JSON string holding one) says.
fn embedded_summary(json: &str) -> Option<String> {
    let value = match serde_json::from_str::<Value>(json).ok()? {
        Value::String(inner) => serde_json::from_str::<Value>(&inner).ok()?,
        value => value,
    };
    let mut inner = Parts {
        embedded: true,
        ..Parts::default()
    };
    read_value(&value, &mut inner);
    inner.finish().map(|e| e.summary)
}
