//! Pulling the reason for a failure out of a decoded body, from the error shapes real APIs use.
//!
//! A body is read into parts: a headline (the main message), a prefix (a problem title, an OAuth
//! error code, an AWS exception type), sub-messages (one per entry of `errors[]`, `details[]`,
//! field-level validation errors), field names, and extra facts (codes, documentation links) that
//! only go into the detail. The summary is built from those parts in the body's own words.

use super::body::{element_text, visible_text, DecodedBody};
use serde_json::{Map, Value};

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
/// Caps on what one body may contribute (bounded work on hostile bodies).
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
            read_value(value, &mut parts, 0);
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

/// What a body said, before it is turned into a summary.
#[derive(Default, Debug)]
struct Parts {
    prefix: Option<String>,
    headline: Option<String>,
    subs: Vec<String>,
    fields: Vec<String>,
    /// "code: resource_missing", "documentation: https://…": detail only.
    extra: Vec<String>,
    /// A reason phrase or other generic word ("Bad Request", "error"): used only when nothing
    /// better is said.
    fallback: Option<String>,
    /// Reading JSON embedded in a message: no further embedded JSON is read (bounded work).
    embedded: bool,
}

impl Parts {
    fn set_headline(&mut self, s: &str) {
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
    fn set_prefix(&mut self, s: &str) {
        let s = clean(s);
        if s.is_empty() || is_generic(&s) {
            if !s.is_empty() {
                self.fallback.get_or_insert(s);
            }
            return;
        }
        self.prefix.get_or_insert(s);
    }
    fn add_sub(&mut self, s: &str) {
        let s = clean(s);
        if s.is_empty() || self.subs.len() >= MAX_SUBS || self.subs.contains(&s) {
            return;
        }
        self.subs.push(s);
    }
    fn add_field(&mut self, f: &str) {
        let f = f.trim();
        if f.is_empty() || self.fields.len() >= MAX_FIELDS || self.fields.iter().any(|x| x == f) {
            return;
        }
        self.fields.push(f.to_string());
    }
    fn add_extra(&mut self, label: &str, value: &Value) {
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
    fn is_empty(&self) -> bool {
        self.prefix.is_none() && self.headline.is_none() && self.subs.is_empty()
    }

    fn finish(mut self) -> Option<Explanation> {
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

fn ends_with_punct(s: &str) -> bool {
    s.ends_with(['.', '!', '?', ':', ';', '…'])
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

/// "Title: detail", or "Sentence. More" when the first part already ends a sentence.
fn join(a: &str, b: &str) -> String {
    if ends_with_punct(a) {
        format!("{a} {b}")
    } else {
        format!("{a}: {b}")
    }
}

/// Whitespace and control characters collapsed to single spaces, trimmed, bounded.
fn clean(s: &str) -> String {
    // Escape sequences go whole (not just their ESC), bidi and zero-width characters too. The
    // result is cut at 16 KiB anyway: look at no more than 64 KiB.
    let s = super::visible::strip(super::body::truncate(s, 64 << 10));
    let mut out = String::with_capacity(s.len().min(8192));
    // Control characters (a NUL, an escape sequence) are never passed on.
    for (i, w) in s
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .enumerate()
    {
        if out.len() > 16 * 1024 {
            break;
        }
        if i > 0 {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// Words that say nothing beyond the status line.
fn is_generic(s: &str) -> bool {
    const GENERIC: &[&str] = &[
        "error",
        "errors",
        "err",
        "fail",
        "failed",
        "failure",
        "false",
        "null",
        "none",
        "unknown",
        "unknown error",
        "an error occurred",
        "an error occurred.",
        "no message available",
        "bad request",
        "unauthorized",
        "payment required",
        "forbidden",
        "not found",
        "method not allowed",
        "not acceptable",
        "request timeout",
        "conflict",
        "gone",
        "precondition failed",
        "payload too large",
        "unsupported media type",
        "unprocessable entity",
        "unprocessable content",
        "too many requests",
        "internal server error",
        "not implemented",
        "bad gateway",
        "service unavailable",
        "gateway timeout",
    ];
    let t = s.trim().trim_end_matches('.');
    t.is_empty()
        || t.bytes().all(|b| b.is_ascii_digit())
        || GENERIC
            .iter()
            .any(|g| g.trim_end_matches('.').eq_ignore_ascii_case(t))
}

/// Cuts at a word boundary to at most `max` characters, adding "…".
pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let limit = max.saturating_sub(1);
    let cut = s.char_indices().nth(limit).map_or(s.len(), |(i, _)| i);
    let head = &s[..cut];
    // Prefer a word boundary in the last third.
    let at = head
        .rfind(char::is_whitespace)
        .filter(|&i| head[..i].chars().count() > max * 2 / 3)
        .unwrap_or(cut);
    let mut out = head[..at]
        .trim_end()
        .trim_end_matches([',', ';', ':'])
        .to_string();
    out.push('…');
    out
}

fn shorten_keep_lines(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut = s
        .char_indices()
        .nth(max.saturating_sub(1))
        .map_or(s.len(), |(i, _)| i);
    format!("{}…", &s[..cut])
}

fn str_of<'a>(o: &'a Map<String, Value>, keys: &[&str]) -> Option<&'a str> {
    keys.iter()
        .find_map(|k| o.get(*k).and_then(Value::as_str))
        .filter(|s| !s.trim().is_empty())
}

/// Keys whose (string or number) values are worth a line in the detail.
const EXTRA_KEYS: &[(&str, &str)] = &[
    ("code", "code"),
    ("errorCode", "code"),
    ("error_code", "code"),
    ("type", "type"),
    ("category", "category"),
    ("reason", "reason"),
    ("status", "status"),
    ("documentation_url", "documentation"),
    ("doc_url", "documentation"),
    ("more_info", "documentation"),
    ("errorLink", "documentation"),
    ("help", "help"),
];

fn read_extras(o: &Map<String, Value>, parts: &mut Parts) {
    for (key, label) in EXTRA_KEYS {
        if let Some(v) = o.get(*key) {
            // A number code equal to the status says nothing; strings like "ok"/"error" neither.
            if *key == "status" && v.as_str().is_some_and(is_generic) {
                continue;
            }
            if *key == "status" && v.is_number() {
                continue;
            }
            if *key == "type"
                && v.as_str()
                    .is_some_and(|t| t.starts_with("http") || t == "about:blank")
            {
                parts.add_extra("documentation", v);
                continue;
            }
            parts.add_extra(label, v);
        }
    }
}

fn read_value(value: &Value, parts: &mut Parts, depth: usize) {
    match value {
        Value::Object(o) => read_object(o, parts, depth),
        // Salesforce and other APIs answer with a bare array of errors.
        Value::Array(items) => read_error_items(items, parts),
        Value::String(s) => parts.set_headline(s),
        _ => {}
    }
}

fn read_object(o: &Map<String, Value>, parts: &mut Parts, depth: usize) {
    // RFC 9457 / 7807 problem details.
    let title = str_of(o, &["title"]);
    let is_problem = title.is_some()
        && (o.contains_key("detail")
            || o.contains_key("type")
            || o.contains_key("status")
            || o.contains_key("instance"));
    if is_problem {
        if let Some(t) = title {
            parts.set_prefix(t);
        }
        if let Some(d) = str_of(o, &["detail"]) {
            parts.set_headline(d);
        }
        // Extensions: `errors` / `invalid-params` ({name, reason}).
        if let Some(items) = o.get("invalid-params").and_then(Value::as_array) {
            read_error_items(items, parts);
        }
    }

    // `{"error": {...}}`: Stripe, OpenAI, Google, Microsoft Graph / Azure, Airtable, Facebook.
    match o.get("error") {
        Some(Value::Object(inner)) if depth < 3 => {
            read_inner_error(inner, parts, depth);
        }
        Some(Value::String(e)) => {
            let description = str_of(o, &["error_description", "description", "errorDescription"]);
            match description {
                // OAuth2 / Auth0 / Zendesk: "invalid_grant: The authorization code has expired."
                Some(d) => {
                    parts.set_prefix(e);
                    parts.set_headline(d);
                }
                None if o.contains_key("message") || o.contains_key("Message") => {
                    parts.set_prefix(e)
                }
                None => parts.set_headline(e),
            }
        }
        Some(Value::Array(items)) => read_error_items(items, parts),
        _ => {}
    }

    // Okta.
    if let Some(s) = str_of(o, &["errorSummary"]) {
        parts.set_headline(s);
        if let Some(causes) = o.get("errorCauses").and_then(Value::as_array) {
            read_error_items(causes, parts);
        }
    }

    // AWS JSON protocols: `__type` names the exception.
    if let Some(t) = str_of(o, &["__type"]) {
        let short = t.rsplit('#').next().unwrap_or(t);
        let short = short.split(':').next().unwrap_or(short);
        parts.set_prefix(short);
    }

    // `message` / `Message`: GitHub, Twilio, Spring Boot, Notion, Discord, HubSpot, AWS, PayPal.
    match o.get("message").or_else(|| o.get("Message")) {
        Some(Value::String(m)) => {
            if m.trim() == "No message available" {
                parts.fallback.get_or_insert(m.trim().to_string());
            } else {
                parts.set_headline(m);
            }
        }
        // GitLab: `{"message": {"email": ["has already been taken"]}}`.
        Some(Value::Object(fields)) => read_field_errors(fields, "", parts, 0),
        // NestJS: `{"message": ["email must be an email"], "error": "Bad Request"}`.
        Some(Value::Array(items)) => read_error_items(items, parts),
        _ => {}
    }

    // Jira.
    if let Some(items) = o.get("errorMessages").and_then(Value::as_array) {
        read_error_items(items, parts);
    }

    // Django REST / FastAPI `detail`.
    if !is_problem {
        match o.get("detail") {
            Some(Value::String(d)) => parts.set_headline(d),
            Some(Value::Array(items)) => read_error_items(items, parts),
            _ => {}
        }
    }

    // `errors`: JSON:API, SendGrid, Square, Intercom, Asana, GraphQL (array); Rails, Jira,
    // Discord, Shopify (object of field → messages); Shopify (string).
    match o.get("errors") {
        Some(Value::Array(items)) => read_error_items(items, parts),
        Some(Value::Object(fields)) => read_field_errors(fields, "", parts, 0),
        Some(Value::String(s)) => parts.set_headline(s),
        _ => {}
    }

    // `details`: PayPal (array of {field, issue, description}), Zendesk (object of fields).
    match o.get("details") {
        Some(Value::Array(items)) => read_error_items(items, parts),
        Some(Value::Object(fields)) => read_field_errors(fields, "", parts, 0),
        Some(Value::String(s)) => parts.add_sub(s),
        _ => {}
    }

    // Apigee / SOAP-in-JSON faults.
    if let Some(Value::Object(fault)) = o.get("fault") {
        if let Some(s) = str_of(fault, &["faultstring", "faultString", "message"]) {
            parts.set_headline(s);
        }
    }

    // Less common spellings of "the message".
    if parts.headline.is_none() {
        if let Some(s) = str_of(
            o,
            &[
                "error_message",
                "errorMessage",
                "error_msg",
                "msg",
                "description",
                "statusMessage",
                "status_message",
                "reason",
                "err",
            ],
        ) {
            parts.set_headline(s);
        }
    }

    if !is_problem && parts.prefix.is_none() {
        if let Some(t) = title {
            parts.set_headline(t);
        }
    }
    read_extras(o, parts);
    if let Some(v) = o.get("name").and_then(Value::as_str) {
        // PayPal's `name` is an error code (UNPROCESSABLE_ENTITY); keep it as a fact only.
        if v.chars().all(|c| c.is_ascii_uppercase() || c == '_') && v.len() > 2 {
            parts.add_extra("name", &Value::String(v.to_string()));
        }
    }

    if parts.is_empty() {
        // Django REST validation errors: the body is an object of field → [messages].
        let looks_like_fields = !o.is_empty()
            && o.values().all(|v| match v {
                Value::Array(a) => !a.is_empty() && a.iter().all(Value::is_string),
                Value::String(_) => true,
                _ => false,
            })
            && o.values().any(Value::is_array);
        if looks_like_fields {
            read_field_errors(o, "", parts, 0);
        }
    }

    if parts.is_empty() && depth < 3 {
        // One wrapper object around the error: `{"response": {...}}`, `{"result": {...}}`.
        // Only wrappers by these names: `{"customer": {"description": …}}` is data, not an error.
        const WRAPPERS: &[&str] = &[
            "response", "result", "body", "payload", "data", "fault", "Error",
        ];
        let objects: Vec<(&String, &Value)> = o.iter().filter(|(_, v)| v.is_object()).collect();
        if let [(key, value)] = objects.as_slice() {
            if o.len() <= 3 && WRAPPERS.contains(&key.as_str()) {
                read_value(value, parts, depth + 1);
            }
        }
    }
}

fn read_inner_error(inner: &Map<String, Value>, parts: &mut Parts, depth: usize) {
    // Microsoft REST (Graph, Azure) codes are PascalCase names that say what went wrong
    // ("InvalidAuthenticationToken"); snake_case codes (Stripe, OpenAI) only repeat the message.
    if let Some(code) = str_of(inner, &["code"]) {
        let pascal = code.len() > 3
            && code.starts_with(|c: char| c.is_ascii_uppercase())
            && code.chars().any(|c| c.is_ascii_lowercase())
            && code.chars().all(|c| c.is_ascii_alphanumeric());
        if pascal && str_of(inner, &["message", "Message"]).is_some() {
            parts.set_prefix(code);
        }
    }
    if let Some(m) = str_of(
        inner,
        &[
            "message",
            "Message",
            "error_description",
            "errorMessage",
            "description",
        ],
    ) {
        parts.set_headline(m);
    } else if let Some(Value::Object(deeper)) = inner.get("error") {
        if depth < 3 {
            read_inner_error(deeper, parts, depth + 1);
        }
    }
    // Facebook Graph's user-facing text.
    if let Some(m) = str_of(inner, &["error_user_msg"]) {
        parts.add_sub(m);
    }
    if parts.headline.is_none() {
        // Airtable `{"error": {"type": "NOT_FOUND"}}`: the type is all there is.
        if let Some(t) = str_of(inner, &["type", "code", "status"]) {
            parts.set_headline(t);
        }
    }
    for key in ["errors", "details"] {
        match inner.get(key) {
            Some(Value::Array(items)) => read_error_items(items, parts),
            Some(Value::Object(fields)) => read_field_errors(fields, "", parts, 0),
            _ => {}
        }
    }
    for key in ["innerError", "innererror", "inner_error"] {
        if let Some(Value::Object(ie)) = inner.get(key) {
            if let Some(m) = str_of(ie, &["message"]) {
                parts.add_sub(m);
            }
            if let Some(c) = ie.get("code") {
                parts.add_extra("inner code", c);
            }
        }
    }
    read_extras(inner, parts);
    if let Some(p) = inner.get("param").and_then(Value::as_str) {
        parts.add_field(p);
    }
}

/// One entry of an `errors` / `details` / `errorCauses` array.
fn read_error_items(items: &[Value], parts: &mut Parts) {
    for item in items.iter().take(MAX_ITEMS) {
        match item {
            Value::String(s) => parts.add_sub(s),
            Value::Object(o) => {
                if let Some(field) = item_field(o) {
                    parts.add_field(&field);
                }
                if let Some(names) = o.get("fields").and_then(Value::as_array) {
                    for f in names.iter().filter_map(Value::as_str) {
                        parts.add_field(f);
                    }
                }
                if let Some(m) = item_message(o) {
                    // "email: Invalid email address" unless the message names its field itself.
                    match item_field(o) {
                        Some(f) if !alnum_lower(&m).contains(&alnum_lower(&f)) => {
                            parts.add_sub(&format!("{f}: {m}"))
                        }
                        _ => parts.add_sub(&m),
                    }
                }
                // Google's `details[].fieldViolations`.
                for key in ["fieldViolations", "field_violations"] {
                    if let Some(v) = o.get(key).and_then(Value::as_array) {
                        read_error_items(v, parts);
                    }
                }
            }
            _ => {}
        }
    }
}

/// The field an error entry is about.
fn item_field(o: &Map<String, Value>) -> Option<String> {
    if let Some(f) = str_of(
        o,
        &[
            "field",
            "param",
            "parameter",
            "propertyName",
            "property",
            "target",
            "attribute",
            "pointer",
        ],
    ) {
        return Some(last_pointer_segment(f));
    }
    // RFC 9457 `invalid-params: [{"name", "reason"}]`, HubSpot `{"name": "email"}`; not an
    // error class name (`ValidationError`, `INVALID_EMAIL`).
    if let Some(n) = str_of(o, &["name"]) {
        let is_type = n.ends_with("Error")
            || n.ends_with("Exception")
            || n.chars().all(|c| c.is_ascii_uppercase() || c == '_');
        if !is_type {
            return Some(n.to_string());
        }
    }
    if let Some(Value::Object(source)) = o.get("source") {
        if let Some(p) = str_of(source, &["pointer", "parameter"]) {
            return Some(last_pointer_segment(p));
        }
    }
    // FastAPI / pydantic `loc: ["body", "email"]`.
    if let Some(Value::Array(loc)) = o.get("loc") {
        return loc.last().map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        });
    }
    // HubSpot `context: {"propertyName": ["email"]}`.
    if let Some(Value::Object(ctx)) = o.get("context") {
        if let Some(Value::Array(names)) = ctx.get("propertyName") {
            return names.first().and_then(Value::as_str).map(str::to_string);
        }
    }
    None
}

/// A JSON pointer as a field path: `/data/attributes/firstName` → `firstName`,
/// `/purchase_units/@reference_id=='default'/amount/value` → `purchase_units.amount.value`.
fn last_pointer_segment(p: &str) -> String {
    // RFC 9457 writes pointers as URI fragments: `#/profile/color`.
    let p = p.strip_prefix('#').unwrap_or(p);
    if !p.starts_with('/') {
        return p.to_string();
    }
    let segs: Vec<&str> = p
        .split('/')
        .filter(|s| {
            !s.is_empty()
                && !matches!(*s, "data" | "attributes" | "relationships")
                && !s.contains(['@', '='])
        })
        .collect();
    if segs.is_empty() {
        p.rsplit('/')
            .find(|s| !s.is_empty())
            .unwrap_or(p)
            .to_string()
    } else {
        segs.join(".")
    }
}

/// Lowercase letters and digits only: "firstName" matches "First name must…".
fn alnum_lower(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn item_message(o: &Map<String, Value>) -> Option<String> {
    let title = str_of(o, &["title"]);
    let text = str_of(
        o,
        &[
            "message",
            "Message",
            "detail",
            "description",
            "msg",
            "errorSummary",
            "error_description",
            "longMessage",
            "reason",
            "error",
        ],
    );
    let mut m = match (title, text) {
        (Some(t), Some(d)) if !d.contains(t) && !is_generic(t) => join(&clean(t), &clean(d)),
        (_, Some(d)) => clean(d),
        (Some(t), None) => clean(t),
        (None, None) => {
            // GitHub: `{"resource": "Issue", "field": "title", "code": "missing_field"}`.
            let code = str_of(o, &["code", "issue"])?;
            match str_of(o, &["field"]) {
                Some(f) => format!("{f}: {code}"),
                None => code.to_string(),
            }
        }
    };
    // GraphQL: where in the query.
    if let Some(Value::Array(path)) = o.get("path") {
        let segs: Vec<String> = path
            .iter()
            .take(20)
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect();
        if !segs.is_empty() {
            m = format!("{m} (at {})", segs.join("."));
        }
    }
    Some(m)
}

/// `{"email": ["has already been taken"], "profile": {"age": ["must be positive"]}}` and its
/// relatives (Discord `_errors`, Zendesk `[{description}]`, Jira `{field: msg}`).
fn read_field_errors(o: &Map<String, Value>, path: &str, parts: &mut Parts, depth: usize) {
    if depth > MAX_FIELD_DEPTH {
        return;
    }
    for (key, value) in o.iter().take(MAX_ITEMS) {
        let (field, named) = if key == "_errors" {
            (path.to_string(), !path.is_empty())
        } else if matches!(
            key.as_str(),
            "non_field_errors" | "base" | "__all__" | "general"
        ) && path.is_empty()
        {
            (String::new(), false)
        } else if path.is_empty() {
            (key.clone(), true)
        } else {
            (format!("{path}.{key}"), true)
        };
        let say = |msg: &str, parts: &mut Parts| {
            let msg = clean(msg);
            if msg.is_empty() {
                return;
            }
            if named {
                parts.add_field(&field);
            }
            let leaf = field.rsplit('.').next().unwrap_or(&field);
            let text = if !named || msg.to_lowercase().starts_with(&leaf.to_lowercase()) {
                msg
            } else if msg.starts_with(|c: char| c.is_lowercase()) {
                // Rails full-message style: "email has already been taken".
                format!("{field} {msg}")
            } else {
                format!("{field}: {msg}")
            };
            parts.add_sub(&text);
        };
        match value {
            Value::String(s) => say(s, parts),
            Value::Array(items) => {
                for item in items.iter().take(MAX_ITEMS) {
                    match item {
                        Value::String(s) => say(s, parts),
                        Value::Object(io) => {
                            if let Some(m) =
                                str_of(io, &["message", "description", "detail", "msg", "error"])
                            {
                                say(m, parts);
                            } else if let Some(c) = str_of(io, &["code"]) {
                                say(c, parts);
                            }
                        }
                        _ => {}
                    }
                }
            }
            Value::Object(inner) => read_field_errors(inner, &field, parts, depth + 1),
            _ => {}
        }
    }
}

/// `error=bad_verification_code&error_description=The+code+passed+is+incorrect.` (GitHub's
/// OAuth token endpoint answers form-encoded unless asked for JSON) as an object.
fn form_error(text: &str) -> Option<Map<String, Value>> {
    let t = text.trim();
    if t.is_empty() || t.len() > 8192 || t.contains(char::is_whitespace) {
        return None;
    }
    let mut map = Map::new();
    for pair in t.split('&') {
        let (k, v) = pair.split_once('=')?;
        map.insert(form_decode(k), Value::String(form_decode(v)));
    }
    (map.contains_key("error") || map.contains_key("error_description")).then_some(map)
}

/// `+` and `%XX` decoded; invalid escapes kept as written.
fn form_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = b
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok());
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn explain_text(text: &str) -> Option<Explanation> {
    if let Some(form) = form_error(text) {
        let mut parts = Parts::default();
        read_object(&form, &mut parts, 0);
        if let Some(e) = parts.finish() {
            return Some(e);
        }
    }
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next()?;
    let first_clean = clean(first);
    let summary = shorten(&first_clean, MAX_SUMMARY_CHARS);
    let more = lines.next().is_some();
    let detail =
        (more || summary != first_clean).then(|| shorten_keep_lines(text.trim(), MAX_DETAIL_CHARS));
    Some(Explanation {
        summary,
        detail,
        fields: Vec::new(),
    })
}

fn explain_html(title: Option<&str>, text: &str) -> Option<Explanation> {
    let title = title.map(clean).filter(|t| !t.is_empty());
    let text = clean(text);
    // A title that says nothing ("Error": Express's default page) gives way to the page text
    // ("Cannot POST /api/members").
    let full = match &title {
        Some(t) if !(is_generic(t) && !text.is_empty() && text != *t) => t.clone(),
        _ if !text.is_empty() => text.clone(),
        Some(t) => t.clone(),
        None => return None,
    };
    let summary = shorten(&full, MAX_SUMMARY_CHARS);
    let detail = (!text.is_empty() && (text != summary))
        .then(|| shorten_keep_lines(&text, MAX_DETAIL_CHARS));
    Some(Explanation {
        summary,
        detail,
        fields: Vec::new(),
    })
}

fn explain_xml(xml: &str) -> Option<Explanation> {
    let message = [
        "Message",
        "message",
        "faultstring",
        "errorMessage",
        "Description",
        "description",
    ]
    .iter()
    .find_map(|t| element_text(xml, t));
    let code = ["Code", "code", "faultcode", "errorCode"]
        .iter()
        .find_map(|t| element_text(xml, t));
    let full = match (code, message) {
        (Some(c), Some(m)) if !m.contains(&c) => join(&c, &m),
        (_, Some(m)) => m,
        (Some(c), None) => c,
        (None, None) => {
            let text = visible_text(
                xml.trim_start_matches(|c| c != '>').get(1..).unwrap_or(""),
                4096,
            );
            let text = if text.is_empty() {
                visible_text(xml, 4096)
            } else {
                text
            };
            if text.is_empty() {
                return None;
            }
            text
        }
    };
    let summary = shorten(&full, MAX_SUMMARY_CHARS);
    let detail = (summary != full).then(|| shorten_keep_lines(&full, MAX_DETAIL_CHARS));
    Some(Explanation {
        summary,
        detail,
        fields: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ex(v: Value) -> Explanation {
        explain(&DecodedBody::Json(v)).expect("an explanation")
    }

    #[test]
    fn problem_details_quote_title_and_detail() {
        let e = ex(json!({
            "type": "https://mailchimp.com/developer/marketing/docs/errors/",
            "title": "Member Exists", "status": 400,
            "detail": "lena.fischer@example.com is already a list member. Use PUT to insert or update list members.",
            "instance": "2f6b7a1e"
        }));
        assert_eq!(
            e.summary,
            "Member Exists: lena.fischer@example.com is already a list member. Use PUT to insert or update list members."
        );
        assert!(e.fields.is_empty());
    }

    #[test]
    fn generic_words_give_way_to_messages() {
        let e = ex(
            json!({"timestamp": "2024-01-01T00:00:00Z", "status": 400, "error": "Bad Request",
            "message": "Required request parameter 'id' for method parameter type Long is not present", "path": "/api/items"}),
        );
        assert_eq!(
            e.summary,
            "Required request parameter 'id' for method parameter type Long is not present"
        );
        let e = ex(
            json!({"timestamp": "x", "status": 500, "error": "Internal Server Error", "message": "No message available", "path": "/x"}),
        );
        assert_eq!(e.summary, "Internal Server Error");
    }

    #[test]
    fn long_messages_are_cut_at_a_word_with_the_rest_in_detail() {
        let long = "word ".repeat(100);
        let e = ex(json!({"message": long}));
        assert!(
            e.summary.chars().count() <= MAX_SUMMARY_CHARS,
            "{}",
            e.summary.len()
        );
        assert!(e.summary.ends_with("word…"), "{}", e.summary);
        assert!(e.detail.as_deref().is_some_and(|d| d.len() > 400));
        // No whitespace at all, multi-byte chars: still cut on a char boundary.
        let e = ex(json!({"message": "é".repeat(500)}));
        assert_eq!(e.summary.chars().count(), MAX_SUMMARY_CHARS);
    }

    #[test]
    fn quoted_secrets_are_redacted() {
        let e = ex(
            json!({"message": "Invalid header Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig"}),
        );
        assert!(!e.summary.contains("eyJhbGci"), "{}", e.summary);
        assert!(
            e.summary.contains(crate::core::redact::REDACTED),
            "{}",
            e.summary
        );
    }

    #[test]
    fn data_is_not_an_error() {
        let customer =
            json!({"customer": {"id": 1, "description": "VIP since 2019", "email": "a@b.c"}});
        assert_eq!(explain(&DecodedBody::Json(customer)), None);
        let wrapped = json!({"response": {"error": "quota_exceeded"}, "id": 7});
        assert_eq!(ex(wrapped).summary, "quota_exceeded");
    }

    #[test]
    fn field_lists() {
        let e = ex(
            json!({"email": ["Enter a valid email address."], "name": ["This field is required."]}),
        );
        assert_eq!(e.fields, ["email", "name"]);
        assert_eq!(e.summary, "Invalid fields: email, name.");
        let d = e.detail.expect("detail lists each field");
        assert!(d.contains("email: Enter a valid email address."), "{d}");
        let e = ex(json!({"errors": {"email": ["has already been taken"]}}));
        assert_eq!(e.summary, "email has already been taken");
        assert_eq!(e.fields, ["email"]);
    }

    #[test]
    fn reported_errors_in_successful_calls() {
        let body = |v| DecodedBody::Json(v);
        assert_eq!(
            reported_error(&body(json!({"ok": false, "error": "channel_not_found"})))
                .map(|e| e.summary),
            Some("channel_not_found".into())
        );
        let gql = json!({"data": {"user": null}, "errors": [{"message": "Not authorised", "path": ["user"]}]});
        assert_eq!(
            reported_error(&body(gql)).map(|e| e.summary),
            Some("Not authorised (at user)".into())
        );
        assert_eq!(
            reported_error(&body(json!({"success": false}))).map(|e| e.summary),
            Some("The body says \"success\": false.".into())
        );
        assert!(reported_error(&body(
            json!({"status": "error", "message": "Quota exceeded"})
        ))
        .is_some());
        assert!(reported_error(&body(json!({"ok": true, "errors": []}))).is_none());
        assert!(reported_error(&body(json!({"status": "active"}))).is_none());
        assert!(reported_error(&DecodedBody::Text("error".into())).is_none());
    }

    /// The cheap path agrees with decoding the body and asking [`reported_error`].
    #[test]
    fn text_html_xml() {
        let e = explain(&DecodedBody::Text(
            "upstream connect error\nreset reason: overflow".into(),
        ))
        .unwrap();
        assert_eq!(e.summary, "upstream connect error");
        assert!(e.detail.unwrap().contains("overflow"));
        let e = explain(&DecodedBody::Html {
            title: Some("502 Bad Gateway".into()),
            text: "502 Bad Gateway nginx".into(),
        })
        .unwrap();
        assert_eq!(e.summary, "502 Bad Gateway");
        let e = explain(&DecodedBody::Xml(
            "<?xml version=\"1.0\"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>".into(),
        ))
        .unwrap();
        assert_eq!(e.summary, "NoSuchKey: The specified key does not exist.");
        assert_eq!(explain(&DecodedBody::Empty), None);
        assert_eq!(explain(&DecodedBody::Binary { len: 4 }), None);
        assert_eq!(
            explain(&DecodedBody::Json(json!({"id": 1, "items": []}))),
            None
        );
    }

    #[test]
    fn hostile_bodies_are_bounded() {
        // Deeply nested field errors and wrappers stop at their depth limits.
        let mut v = json!({"email": ["bad"]});
        for _ in 0..100 {
            v = json!({ "errors": v });
        }
        let _ = explain(&DecodedBody::Json(v));
        let many: Vec<Value> = (0..10_000)
            .map(|i| json!({"message": format!("m{i}"), "field": format!("f{i}")}))
            .collect();
        let e = ex(json!({ "errors": many }));
        assert!(e.fields.len() <= MAX_FIELDS);
        assert!(e.detail.unwrap().chars().count() <= MAX_DETAIL_CHARS + 1);
    }

    /// Every file in `tests/fixtures/bodies` (real error bodies as the APIs document them): the
    /// summary must contain the expected words and name the expected fields.
    const FIXTURES: &[(&str, &str, &[&str])] = &[
        (
            "github-oauth-bad-verification-code.txt",
            "bad_verification_code: The code passed is incorrect or expired.",
            &[],
        ),
        ("express-cannot-post.html", "Cannot POST /api/members", &[]),
        (
            "rfc9457-invalid-params.json",
            "Your request is not valid. Invalid fields: age, profile.color.",
            &["age", "profile.color"],
        ),
        (
            "rfc9457-out-of-credit.json",
            "You do not have enough credit. Your current balance is 30, but that costs 50.",
            &[],
        ),
        (
            "rfc7807-invalid-params.json",
            "Your request parameters didn't validate. Invalid fields: age, color.",
            &["age", "color"],
        ),
        (
            "airtable-invalid-permissions.json",
            "Invalid permissions, or the requested model was not found.",
            &[],
        ),
        (
            "asana-missing-input.json",
            "project: Missing input",
            &[],
        ),
        (
            "auth0-payload-validation.json",
            "Payload validation error: 'Missing required property: connection'.",
            &[],
        ),
        (
            "aws-dynamodb-validation.json",
            "ValidationException: One or more parameter values were invalid: Missing the key id in the item",
            &[],
        ),
        (
            "aws-sqs-invalid-parameter.xml",
            "InvalidParameterValue: Value (quename_nonalpha) for parameter QueueName is invalid.",
            &[],
        ),
        (
            "azure-resource-group-not-found.json",
            "ResourceGroupNotFound: Resource group 'rg-integrations' could not be found.",
            &[],
        ),
        (
            "cloudflare-522.html",
            "522: Connection timed out",
            &[],
        ),
        (
            "discord-invalid-form-body.json",
            "Invalid Form Body — username: Must be between 2 and 32 in length.",
            &["username"],
        ),
        (
            "django-rest-field-errors.json",
            "Invalid fields: email, username.",
            &["email", "username"],
        ),
        (
            "django-rest-not-authenticated.json",
            "Authentication credentials were not provided.",
            &[],
        ),
        (
            "facebook-graph-oauth.json",
            "Error validating access token: Session has expired",
            &[],
        ),
        (
            "fastapi-field-required.json",
            "email: field required",
            &["email"],
        ),
        (
            "github-graphql-not-found.json",
            "Could not resolve to a Repository with the name 'octocat/does-not-exist'. (at repository)",
            &[],
        ),
        (
            "github-not-found.json",
            "Not Found",
            &[],
        ),
        (
            "github-validation-failed.json",
            "Validation Failed — title: missing_field",
            &["title"],
        ),
        (
            "gitlab-invalid-token.json",
            "invalid_token: Token was revoked.",
            &[],
        ),
        (
            "gitlab-name-taken.json",
            "Invalid fields: name, path.",
            &["name", "path"],
        ),
        (
            "google-insufficient-permission.json",
            "Insufficient Permission: Request had insufficient authentication scopes.",
            &[],
        ),
        (
            "google-invalid-argument.json",
            "Request contains an invalid argument. contact.email: Invalid email address",
            &["contact.email"],
        ),
        (
            "google-oauth-invalid-grant.json",
            "invalid_grant: Token has been expired or revoked.",
            &[],
        ),
        (
            "heroku-application-error.html",
            "Application Error",
            &[],
        ),
        (
            "hubspot-validation-error.json",
            "Property values were not valid: Email address lena@example is invalid",
            &["email"],
        ),
        (
            "intercom-unauthorized.json",
            "Access Token Invalid",
            &[],
        ),
        (
            "jira-issue-not-found.json",
            "Issue does not exist or you do not have permission to see it.",
            &[],
        ),
        (
            "jira-summary-required.json",
            "summary: You must specify a summary of the issue.",
            &["summary"],
        ),
        (
            "jsonapi-invalid-attribute.json",
            "Invalid Attribute: First name must contain at least two characters.",
            &["firstName"],
        ),
        (
            "mailchimp-invalid-resource.json",
            "Invalid Resource: The resource submitted could not be validated.",
            &["email_address"],
        ),
        (
            "mailchimp-member-exists.json",
            "Member Exists: lena.fischer@example.com is already a list member. Use PUT to insert or update list members.",
            &[],
        ),
        (
            "msgraph-invalid-token.json",
            "InvalidAuthenticationToken: Access token is empty.",
            &[],
        ),
        (
            "nginx-502.html",
            "502 Bad Gateway",
            &[],
        ),
        (
            "notion-validation-error.json",
            "body failed validation: body.parent.page_id should be defined",
            &[],
        ),
        (
            "okta-api-validation.json",
            "Api validation failed: login — login: An object with this field already exists",
            &[],
        ),
        (
            "openai-invalid-api-key.json",
            "Incorrect API key provided:",
            &[],
        ),
        (
            "paypal-decimal-precision.json",
            "The requested action could not be performed, semantically incorrect, or failed business validation. purchase_units.amount.value: If the currency supports decimals",
            &["purchase_units.amount.value"],
        ),
        (
            "plain-text-rate-limit.txt",
            "Rate limit exceeded. Try again in 60 seconds.",
            &[],
        ),
        (
            "s3-no-such-key.xml",
            "NoSuchKey: The specified key does not exist.",
            &[],
        ),
        (
            "salesforce-required-field.json",
            "Required fields are missing: [Name]",
            &["Name"],
        ),
        (
            "sendgrid-sender-identity.json",
            "The from address does not match a verified Sender Identity.",
            &["from"],
        ),
        (
            "shopify-customer-taken.json",
            "Invalid fields: email, phone.",
            &["email", "phone"],
        ),
        (
            "shopify-invalid-token.json",
            "[API] Invalid API key or access token",
            &[],
        ),
        (
            "slack-channel-not-found.json",
            "channel_not_found",
            &[],
        ),
        (
            "spring-boot-missing-parameter.json",
            "Required request parameter 'customerId' for method parameter type String is not present",
            &[],
        ),
        (
            "square-missing-parameter.json",
            "name: Missing required parameter.",
            &["name"],
        ),
        (
            "stripe-card-declined.json",
            "Your card was declined.",
            &[],
        ),
        (
            "stripe-resource-missing.json",
            "No such customer: 'cus_nonexistent'",
            &["id"],
        ),
        (
            "twilio-resource-not-found.json",
            "The requested resource /2010-04-01/Accounts/",
            &[],
        ),
        (
            "zendesk-record-invalid.json",
            "RecordInvalid: Record validation errors — Email: lena.fischer@example.com is already being used by another user",
            &["email"],
        ),
    ];

    fn fixture_dir() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/bodies")
    }

    fn decode_fixture(name: &str) -> DecodedBody {
        let text = std::fs::read_to_string(fixture_dir().join(name)).expect("fixture readable");
        let mime = match name.rsplit('.').next() {
            Some("json") => "application/json",
            Some("html") => "text/html",
            Some("xml") => "application/xml",
            _ => "text/plain",
        };
        crate::core::body::classify_text(&text, Some(mime))
    }

    /// However the log stores a body (inline, escaped once or twice, base64, bytes), the
    /// explanation is the same.
    #[test]
    fn every_storage_gives_the_same_explanation() {
        use crate::core::body::decode;
        use crate::core::model::{BodyEncoding, BodyRef, Span};
        use base64::Engine as _;
        for (name, _, _) in FIXTURES {
            let raw = std::fs::read_to_string(fixture_dir().join(name)).expect("fixture");
            let want = explain(&decode_fixture(name));
            let once = serde_json::to_string(&raw).unwrap();
            let twice = serde_json::to_string(&once).unwrap();
            let b64 =
                serde_json::to_string(&base64::engine::general_purpose::STANDARD.encode(&raw))
                    .unwrap();
            let bytes = serde_json::to_string(raw.as_bytes()).unwrap();
            let mime = match name.rsplit('.').next() {
                Some("html") => Some("text/html".to_string()),
                _ => None,
            };
            let mut stored = vec![
                (once, BodyEncoding::String),
                (twice, BodyEncoding::String),
                (b64, BodyEncoding::Base64),
                (bytes, BodyEncoding::ByteArray),
            ];
            if name.ends_with(".json") {
                stored.push((raw.clone(), BodyEncoding::Inline));
            }
            for (text, encoding) in stored {
                let r = BodyRef {
                    span: Span::new(0, text.len()),
                    encoding,
                    mime_type: mime.clone(),
                };
                assert_eq!(
                    explain(&decode(&text, &r)),
                    want,
                    "{name} stored as {encoding:?}"
                );
            }
        }
    }

    #[test]
    fn real_error_bodies() {
        let mut failures = Vec::new();
        for (name, expected, fields) in FIXTURES {
            let e = explain(&decode_fixture(name));
            let summary = e.as_ref().map(|e| e.summary.as_str()).unwrap_or("<none>");
            let got_fields: Vec<&str> = e
                .as_ref()
                .map(|e| e.fields.iter().map(String::as_str).collect())
                .unwrap_or_default();
            if !summary.contains(expected)
                || got_fields != *fields
                || summary.chars().count() > MAX_SUMMARY_CHARS
            {
                failures.push(format!("{name}:\n  summary {summary:?}\n  fields  {got_fields:?}\n  wanted  {expected:?} {fields:?}"));
            }
        }
        assert!(failures.is_empty(), "\n{}", failures.join("\n"));
        // The table covers the folder.
        let mut on_disk: Vec<String> = std::fs::read_dir(fixture_dir())
            .expect("fixture dir")
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .collect();
        on_disk.sort();
        let mut listed: Vec<String> = FIXTURES.iter().map(|f| f.0.to_string()).collect();
        listed.sort();
        assert_eq!(on_disk, listed);
    }

    fn any_json() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let key = prop::sample::select(vec![
            "error",
            "errors",
            "message",
            "detail",
            "title",
            "type",
            "status",
            "code",
            "field",
            "fields",
            "details",
            "_errors",
            "error_description",
            "errorSummary",
            "errorCauses",
            "errorMessages",
            "ok",
            "success",
            "path",
            "name",
            "source",
            "pointer",
            "loc",
            "msg",
            "innerError",
            "fault",
            "faultstring",
            "__type",
            "Message",
            "x",
        ]);
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            "\\PC{0,30}".prop_map(Value::String),
            Just(Value::String("x: [{\"message\": \"inner\"}]".into())),
            Just(Value::String("Bad Request".into())),
        ];
        leaf.prop_recursive(6, 64, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((key.clone(), inner), 0..6).prop_map(|kv| {
                    Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
                }),
            ]
        })
    }

    proptest::proptest! {
        #[test]
        fn any_body_gives_a_bounded_explanation_or_none(v in any_json()) {
            let body = DecodedBody::Json(v);
            for e in [explain(&body), reported_error(&body)].into_iter().flatten() {
                proptest::prop_assert!(!e.summary.is_empty());
                proptest::prop_assert!(e.summary.chars().count() <= MAX_SUMMARY_CHARS);
                proptest::prop_assert!(!e.summary.chars().any(char::is_control));
                proptest::prop_assert!(e.fields.len() <= MAX_FIELDS);
            }
        }

        #[test]
        fn any_text_gives_a_bounded_explanation(s in "\\PC{0,300}") {
            for body in [
                DecodedBody::Text(s.clone()),
                DecodedBody::Xml(s.clone()),
                DecodedBody::Html { title: Some(s.clone()), text: s.clone() },
                crate::core::body::classify_text(&s, None),
            ] {
                if let Some(e) = explain(&body) {
                    proptest::prop_assert!(e.summary.chars().count() <= MAX_SUMMARY_CHARS);
                }
            }
        }
    }
}
