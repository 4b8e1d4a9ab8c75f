//! Pulling the reason for a failure out of a decoded body, by one general rule: the most
//! specific human sentence in the body, wherever it is nested, in the body's own words.
//!
//! The rule is data (`keys.rs`): keys by role (message keys ranked, keys naming the error, code
//! keys, field keys, lists of errors, causes, wrappers) and word lists (`words.rs`: generic
//! phrases — every reason phrase of the status catalogue among them — and vague ones).
//! `json.rs` walks a JSON body with those tables: each object met says at most one message (its
//! best message key by sentence shape, then rank, named by its error code when one applies),
//! as the body's own message, a cause, or an entry of a list (about a field or not).
//! `parts.rs` turns what was said into one sentence: specific reasons first (field errors,
//! causes), the body's message after them; generic words and a repeated status line never make
//! a summary. `text.rs` gives text, HTML and XML bodies their first reason sentence.

mod json;
mod keys;
mod parts;
#[cfg(test)]
mod tests;
mod text;
mod words;

pub use words::shorten;

use super::body::DecodedBody;
use json::read_value;
use parts::Parts;
use serde_json::Value;
use text::{explain_html, explain_text, explain_xml};

/// Why the call failed, in the body's own words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// One sentence, at most ~200 characters, quoting the body.
    pub summary: String,
    /// The longer text when the summary was shortened or more was said.
    pub detail: Option<String>,
    /// Field names named by field-level validation errors.
    pub fields: Vec<String>,
}

/// Longest summary, in characters (the cut adds "…").
pub const MAX_SUMMARY_CHARS: usize = 200;
/// Longest detail, in characters.
const MAX_DETAIL_CHARS: usize = 4000;
/// Caps on what one body may contribute (bounded work on hostile bodies): things said, fields
/// named, nesting of field-error objects, entries read per array or object.
const MAX_SUBS: usize = 50;
const MAX_FIELDS: usize = 20;
const MAX_FIELD_DEPTH: usize = 6;
const MAX_ITEMS: usize = 200;

/// The explanation a failure body gives, if any.
/// Secrets the body quotes back ("Invalid token: Bearer eyJ…") are redacted with the built-in
/// rules; callers apply the user's `runlog.redact` names on top.
pub fn explain(body: &DecodedBody) -> Option<Explanation> {
    explain_raw(body).map(redacted)
}

fn redacted(mut e: Explanation) -> Explanation {
    let summary = super::redact::redact_text(&e.summary, &[]);
    if summary != e.summary {
        e.summary = shorten(&summary, MAX_SUMMARY_CHARS);
    }
    e.detail = e.detail.map(|d| super::redact::redact_text(&d, &[]));
    e
}

fn explain_raw(body: &DecodedBody) -> Option<Explanation> {
    match body {
        DecodedBody::Empty | DecodedBody::Binary { .. } => None,
        DecodedBody::Json(value) => {
            let mut parts = Parts::default();
            read_value(value, &mut parts);
            parts.finish()
        }
        DecodedBody::Text(text) => explain_text(text),
        DecodedBody::Html { title, text } => explain_html(title.as_deref(), text),
        DecodedBody::Xml(xml) => explain_xml(xml),
    }
}

/// For a 2xx call: the error the body reports anyway (GraphQL `errors`, `{"ok": false}`), if any.
pub fn reported_error(body: &DecodedBody) -> Option<Explanation> {
    let DecodedBody::Json(Value::Object(o)) = body else {
        return None;
    };
    let graphql = o
        .get("errors")
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty());
    let ok_false = o.get("ok") == Some(&Value::Bool(false));
    let success_false = o.get("success") == Some(&Value::Bool(false));
    let status_error = o.get("status").and_then(Value::as_str).is_some_and(|s| {
        ["error", "fail", "failed", "failure"]
            .iter()
            .any(|e| s.trim().eq_ignore_ascii_case(e))
    });
    if !(graphql || ok_false || success_false || status_error) {
        return None;
    }
    explain(body).or_else(|| {
        let key = if ok_false {
            "\"ok\": false"
        } else if success_false {
            "\"success\": false"
        } else {
            "\"status\": \"error\""
        };
        Some(Explanation {
            summary: format!("The body says {key}."),
            detail: None,
            fields: Vec::new(),
        })
    })
}
