//! Reading the error shapes of JSON bodies: problem details, `{"error": …}` objects, `errors[]`
//! and `details[]` arrays, field-level validation errors, and the facts worth a detail line.

use super::parts::Parts;
use super::words::{clean, is_generic, join};
use super::{MAX_FIELD_DEPTH, MAX_ITEMS};
use serde_json::{Map, Value};

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

pub(super) fn read_value(value: &Value, parts: &mut Parts, depth: usize) {
    match value {
        Value::Object(o) => read_object(o, parts, depth),
        // Salesforce and other APIs answer with a bare array of errors.
        Value::Array(items) => read_error_items(items, parts),
        Value::String(s) => parts.set_headline(s),
        _ => {}
    }
}

pub(super) fn read_object(o: &Map<String, Value>, parts: &mut Parts, depth: usize) {
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
