//! What a body said, gathered while it is read, and how it becomes one summary and a detail.

use super::json::read_value;
use super::words::{clean, ends_with_punct, is_generic, join, shorten, shorten_keep_lines};
use super::{Explanation, MAX_DETAIL_CHARS, MAX_FIELDS, MAX_SUBS, MAX_SUMMARY_CHARS};
use serde_json::Value;

/// What a body said, before it is turned into a summary.
#[derive(Default, Debug)]
pub(super) struct Parts {
    pub(super) prefix: Option<String>,
    pub(super) headline: Option<String>,
    pub(super) subs: Vec<String>,
    pub(super) fields: Vec<String>,
    /// "code: resource_missing", "documentation: https://…": detail only.
    pub(super) extra: Vec<String>,
    /// A reason phrase or other generic word ("Bad Request", "error"): used only when nothing
    /// better is said.
    pub(super) fallback: Option<String>,
    /// Reading JSON embedded in a message: no further embedded JSON is read (bounded work).
    pub(super) embedded: bool,
}

impl Parts {
    pub(super) fn set_headline(&mut self, s: &str) {
        let s = if self.embedded {
            clean(s)
        } else {
            clean(&unembed_json(s))
        };
        if s.is_empty() {
            return;
        }
        if is_generic(&s) {
            self.fallback.get_or_insert(s);
        } else if self.headline.is_none() {
            self.headline = Some(s);
        } else if self.headline.as_deref() != Some(s.as_str()) {
            self.add_sub(&s);
        }
    }
    pub(super) fn set_prefix(&mut self, s: &str) {
        let s = clean(s);
        if s.is_empty() || is_generic(&s) {
            if !s.is_empty() {
                self.fallback.get_or_insert(s);
            }
            return;
        }
        self.prefix.get_or_insert(s);
    }
    pub(super) fn add_sub(&mut self, s: &str) {
        let s = clean(s);
        if s.is_empty() || self.subs.len() >= MAX_SUBS || self.subs.contains(&s) {
            return;
        }
        self.subs.push(s);
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
    pub(super) fn is_empty(&self) -> bool {
        self.prefix.is_none() && self.headline.is_none() && self.subs.is_empty()
    }

    pub(super) fn finish(mut self) -> Option<Explanation> {
        // Sub-messages that only repeat the headline (Google repeats `message` in `errors[]`).
        if let Some(h) = &self.headline {
            let h = h.clone();
            self.subs.retain(|s| !h.contains(s.as_str()));
        }
        let mut head = match (self.prefix.take(), self.headline.take()) {
            (Some(p), Some(h)) => {
                if h.to_lowercase().contains(&p.to_lowercase()) {
                    Some(h)
                } else {
                    Some(join(&p, &h))
                }
            }
            (p, h) => h.or(p),
        };
        let mut subs = std::mem::take(&mut self.subs);
        if head.is_none() {
            if subs.is_empty() {
                head = self.fallback.take();
            } else if self.fields.len() < 2 {
                head = Some(subs.remove(0));
            }
        }
        let tail = if subs.is_empty() {
            None
        } else if self.fields.len() >= 2 {
            Some(format!("Invalid fields: {}.", self.fields.join(", ")))
        } else if subs.len() == 1 {
            Some(subs[0].clone())
        } else {
            Some(format!("{} (and {} more)", subs[0], subs.len() - 1))
        };
        let full = match (&head, &tail) {
            (Some(h), Some(t)) if t.starts_with("Invalid fields:") => {
                if ends_with_punct(h) {
                    format!("{h} {t}")
                } else {
                    format!("{h}. {t}")
                }
            }
            (Some(h), Some(t)) => {
                if ends_with_punct(h) {
                    format!("{h} {t}")
                } else {
                    format!("{h} — {t}")
                }
            }
            (Some(h), None) => h.clone(),
            (None, Some(t)) => t.clone(),
            (None, None) => return None,
        };
        let summary = shorten(&full, MAX_SUMMARY_CHARS);
        let mut detail_lines: Vec<String> = Vec::new();
        if let Some(h) = &head {
            detail_lines.push(h.clone());
        }
        // Each sub-message gets its own line when the summary could not show them all.
        let listed = tail
            .as_deref()
            .is_some_and(|t| t.starts_with("Invalid fields:"));
        if subs.len() > 1 || (subs.len() == 1 && summary != full) || listed {
            for s in subs {
                detail_lines.push(format!("- {s}"));
            }
        }
        let more_said = detail_lines.len() > 1 || summary != full;
        let detail = if more_said || !self.extra.is_empty() {
            if detail_lines.is_empty() || (!more_said && detail_lines.len() == 1) {
                detail_lines = vec![full.clone()];
            }
            detail_lines.extend(self.extra);
            Some(shorten_keep_lines(
                &detail_lines.join("\n"),
                MAX_DETAIL_CHARS,
            ))
        } else {
            None
        };
        Some(Explanation {
            summary,
            detail,
            fields: self.fields,
        })
    }
}

/// "Property values were not valid: [{\"message\": \"Email … is invalid\"}]" (HubSpot) →
/// "Property values were not valid: Email … is invalid": JSON pasted into a message is read too.
fn unembed_json(s: &str) -> std::borrow::Cow<'_, str> {
    let Some(at) = s.find(": [{").or_else(|| s.find(": {")) else {
        return std::borrow::Cow::Borrowed(s);
    };
    let (head, rest) = (&s[..at], s[at + 2..].trim());
    let Ok(value) = serde_json::from_str::<Value>(rest) else {
        return std::borrow::Cow::Borrowed(s);
    };
    let mut inner = Parts {
        embedded: true,
        ..Parts::default()
    };
    // Depth 3: the embedded value is read without unwrapping further wrappers.
    read_value(&value, &mut inner, 3);
    match inner.finish() {
        Some(e) => std::borrow::Cow::Owned(format!("{head}: {}", e.summary)),
        None => std::borrow::Cow::Borrowed(s),
    }
}
