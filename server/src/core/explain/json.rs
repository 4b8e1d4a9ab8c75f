//! Reading a JSON error body by the key tables of `keys.rs`: every object met on the way down
//! (the body, its wrappers, its error entries and causes) says at most one message, named by
//! its best message key and prefixed by the key naming the error; entries are about a field
//! when a field key or a field-errors object says so. Bounded: depth, entries per array or
//! object, and objects visited in all are capped, and the walk keeps its own stack.

use super::keys::{
    PrefixWhen, CAUSE_KEYS, CODE_KEYS, DESCRIPTION_KEYS, EXTRA_KEYS, FIELD_KEYS, LIST_KEYS,
    MESSAGE_KEYS, MESSAGE_VALUE_KEYS, NON_FIELD_KEYS, PREFIX_KEYS, WRAPPER_KEYS,
};
use super::parts::{Kind, Parts};
use super::words::{clean, is_generic, join, says, shape};
use super::{MAX_FIELD_DEPTH, MAX_ITEMS};
use serde_json::{Map, Value};

/// How deep the walk goes, and how many values it looks at in all.
const MAX_DEPTH: usize = 8;
const MAX_NODES: usize = 4096;

fn str_of<'a>(o: &'a Map<String, Value>, keys: &[&str]) -> Option<&'a str> {
    keys.iter()
        .find_map(|k| o.get(*k).and_then(Value::as_str))
        .filter(|s| !s.trim().is_empty())
}

/// Reads everything `value` says into `parts`.
pub(super) fn read_value(value: &Value, parts: &mut Parts) {
    let mut stack: Vec<(&Value, Kind, usize)> = vec![(value, Kind::Head, 0)];
    let mut budget = MAX_NODES;
    while let Some((v, kind, depth)) = stack.pop() {
        if budget == 0 || depth > MAX_DEPTH {
            continue;
        }
        budget -= 1;
        match v {
            Value::Object(o) => read_object(o, kind, depth, parts, &mut stack),
            // A bare array of errors (Salesforce).
            Value::Array(items) => push_items(items, entry_kind(kind), depth, parts, &mut stack),
            Value::String(s) => parts.say(s, kind, false, 5),
            _ => {}
        }
    }
}

/// Entries of a list under a cause stay causes; others are items.
fn entry_kind(kind: Kind) -> Kind {
    if kind == Kind::Cause {
        Kind::Cause
    } else {
        Kind::Item
    }
}

fn push_items<'a>(
    items: &'a [Value],
    kind: Kind,
    depth: usize,
    parts: &mut Parts,
    stack: &mut Vec<(&'a Value, Kind, usize)>,
) {
    // In text order: the stack pops the last pushed first.
    let items = &items[..items.len().min(MAX_ITEMS)];
    for item in items {
        if let Value::String(s) = item {
            parts.say(s, kind, false, 5);
        }
    }
    for item in items.iter().rev().filter(|i| i.is_object()) {
        stack.push((item, kind, depth + 1));
    }
}

/// The message an object gives: its best message key (sentence shape first, then rank), with
/// the key that names the error before it (`named`; not for the entries of a field-errors
/// object, whose field is their name).
fn message_of(o: &Map<String, Value>, named: bool) -> Option<(String, &'static str, u8)> {
    let mut best: Option<(String, &'static str, (u8, u8))> = None;
    for &(key, rank) in MESSAGE_KEYS {
        let text = match o.get(key) {
            Some(Value::String(s)) => clean(s),
            // SAP OData `{"message": {"lang": "en", "value": …}}`, Dropbox
            // `user_message: {"locale", "text"}`.
            Some(Value::Object(m)) => match str_of(m, MESSAGE_VALUE_KEYS) {
                Some(s) => clean(s),
                None => continue,
            },
            _ => continue,
        };
        let score = (shape(&text), rank);
        if score.0 > 0 && best.as_ref().is_none_or(|b| score > b.2) {
            best = Some((text, key, score));
        }
    }
    let (text, key, score) = best?;
    let prefix = PREFIX_KEYS.iter().find_map(|&(k, when)| {
        if k == key || !named {
            return None;
        }
        let v = o.get(k)?.as_str()?.trim();
        let name = match when {
            PrefixWhen::Always => v,
            PrefixWhen::BeforeDescription => {
                if !DESCRIPTION_KEYS.contains(&key) {
                    return None;
                }
                v
            }
            PrefixWhen::AwsType => {
                let short = v.rsplit('#').next().unwrap_or(v);
                short.split(':').next().unwrap_or(short)
            }
            PrefixWhen::Pascal => {
                let pascal = v.len() > 3
                    && v.starts_with(|c: char| c.is_ascii_uppercase())
                    && v.chars().filter(char::is_ascii_uppercase).count() >= 2
                    && v.chars().any(|c| c.is_ascii_lowercase())
                    && v.chars().all(|c| c.is_ascii_alphanumeric());
                if !pascal {
                    return None;
                }
                v
            }
            PrefixWhen::Exception => {
                if !v.to_ascii_lowercase().ends_with("exception") || v.contains(' ') {
                    return None;
                }
                v
            }
        };
        (!name.is_empty() && !is_generic(name) && !says(&text, name)).then(|| clean(name))
    });
    let text = match prefix {
        Some(p) => join(&p, &text),
        None => text,
    };
    Some((text, key, score.1))
}

fn read_object<'a>(
    o: &'a Map<String, Value>,
    kind: Kind,
    depth: usize,
    parts: &mut Parts,
    stack: &mut Vec<(&'a Value, Kind, usize)>,
) {
    let field = if kind == Kind::Head {
        None
    } else {
        item_field(o)
    };
    if let Some(f) = &field {
        parts.add_field(f);
    }
    // Salesforce `fields: ["Name"]`.
    let mut named_fields = false;
    if let Some(names) = o.get("fields").and_then(Value::as_array) {
        for f in names.iter().take(MAX_ITEMS).filter_map(Value::as_str) {
            parts.add_field(f);
            named_fields = true;
        }
    }
    // Stripe's `param` names the field of the error object itself.
    if kind == Kind::Head {
        if let Some(p) = o.get("param").and_then(Value::as_str) {
            parts.add_field(p);
        }
    }
    let message = message_of(o, true);
    let said = message.is_some();
    let (text, _key, rank) = match message {
        Some(m) => m,
        // An entry with no message: its code is what it says (`missing_field`).
        None => match str_of(o, CODE_KEYS).filter(|c| !is_generic(c)) {
            Some(code) if kind != Kind::Head || depth > 0 => (clean(code), "code", 0),
            _ => (String::new(), "", 0),
        },
    };
    if !text.is_empty() {
        let bare = text.clone();
        let mut text = match &field {
            Some(f) if !says(&text, f) => format!("{f}: {text}"),
            _ => text,
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
                text = format!("{text} (at {})", segs.join("."));
            }
        }
        parts.say_bare(&text, &bare, kind, field.is_some() || named_fields, rank);
        // What the object's other message keys add ("detail": "retry later" next to
        // "message": "database unavailable") comes after it.
        for &(k, _) in MESSAGE_KEYS {
            if let Some(Value::String(other)) = o.get(k) {
                let other = clean(other);
                if shape(&other) >= 2 && !says(&text, &other) && !says(&other, &bare) {
                    parts.say(&other, entry_kind(kind), false, 0);
                }
            }
        }
    }
    if kind == Kind::Head {
        read_extras(o, parts);
    }

    let mut found = said;
    for (k, v) in o.iter().take(MAX_ITEMS) {
        let k = k.as_str();
        if CAUSE_KEYS.contains(&k) {
            match v {
                Value::Array(items) => push_items(items, Kind::Cause, depth, parts, stack),
                Value::Object(_) => stack.push((v, Kind::Cause, depth + 1)),
                Value::String(s) => parts.say(s, Kind::Cause, false, 5),
                _ => continue,
            }
            found = true;
        } else if WRAPPER_KEYS.contains(&k) && v.is_object() {
            match v {
                Value::Object(inner) if k == "data" && looks_like_fields(inner) => {
                    read_field_errors(inner, "", parts, 0)
                }
                _ => stack.push((v, kind, depth + 1)),
            }
            found = true;
        } else if LIST_KEYS.contains(&k) {
            match v {
                Value::Array(items) => push_items(items, entry_kind(kind), depth, parts, stack),
                // `{"message": {"lang", "value"}}` is a message, read above.
                Value::Object(m) if str_of(m, MESSAGE_VALUE_KEYS).is_some() => {}
                Value::Object(fields) => read_field_errors(fields, "", parts, 0),
                // `{"errors": "Exceeded 2 calls per second…"}`.
                Value::String(s) if !MESSAGE_KEYS.iter().any(|(m, _)| *m == k) => {
                    parts.say(s, kind, false, 5)
                }
                _ => continue,
            }
            found = true;
        }
    }
    // Django REST: the body is an object of field → [messages].
    if !found && looks_like_fields(o) {
        read_field_errors(o, "", parts, 0);
    }
}

fn read_extras(o: &Map<String, Value>, parts: &mut Parts) {
    for (key, label) in EXTRA_KEYS {
        if let Some(v) = o.get(*key) {
            // A status number says nothing more than the status; neither do "ok"/"error".
            if *key == "status" && (v.is_number() || v.as_str().is_some_and(is_generic)) {
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
    if let Some(v) = o.get("name").and_then(Value::as_str) {
        // PayPal's `name` is an error code (UNPROCESSABLE_ENTITY); keep it as a fact only.
        if v.chars().all(|c| c.is_ascii_uppercase() || c == '_') && v.len() > 2 {
            parts.add_extra("name", &Value::String(v.to_string()));
        }
    }
}

/// An object of field → messages: every value a sentence or a list of messages, one at least.
fn looks_like_fields(o: &Map<String, Value>) -> bool {
    !o.is_empty()
        && o.len() <= MAX_ITEMS
        && o.values().all(|v| match v {
            Value::Array(a) => !a.is_empty() && a.iter().all(|x| x.is_string() || x.is_object()),
            Value::String(s) => shape(s) >= 3,
            _ => false,
        })
        && o.values().any(|v| match v {
            Value::Array(a) => a.iter().all(Value::is_string),
            Value::String(_) => true,
            _ => false,
        })
}

/// The field an error entry is about.
fn item_field(o: &Map<String, Value>) -> Option<String> {
    if let Some(f) = str_of(o, FIELD_KEYS) {
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

/// `{"email": ["has already been taken"], "profile": {"age": ["must be positive"]}}` and its
/// relatives (Discord `_errors`, Zendesk `[{description}]`, Jira `{field: msg}`): each message
/// quoted with its field.
fn read_field_errors(o: &Map<String, Value>, path: &str, parts: &mut Parts, depth: usize) {
    if depth > MAX_FIELD_DEPTH {
        return;
    }
    for (key, value) in o.iter().take(MAX_ITEMS) {
        let (field, named) = if key == "_errors" {
            (path.to_string(), !path.is_empty())
        } else if NON_FIELD_KEYS.contains(&key.as_str()) && path.is_empty() {
            (String::new(), false)
        } else if path.is_empty() {
            (key.clone(), true)
        } else {
            (format!("{path}.{key}"), true)
        };
        let say = |msg: &str, parts: &mut Parts| {
            let msg = clean(msg);
            if msg.is_empty() || is_generic(&msg) {
                return;
            }
            if named {
                parts.add_field(&field);
            }
            let leaf = field.rsplit('.').next().unwrap_or(&field);
            let text = if !named || msg.to_lowercase().starts_with(&leaf.to_lowercase()) {
                msg.clone()
            } else if msg.starts_with(|c: char| c.is_lowercase()) {
                // Rails full-message style: "email has already been taken".
                format!("{field} {msg}")
            } else {
                format!("{field}: {msg}")
            };
            parts.say_bare(&text, &msg, Kind::Item, named, 5);
        };
        match value {
            // A lone string is a message only when it reads like one (not `errorcode: x.y`).
            Value::String(s) if shape(s) >= 2 => say(s, parts),
            Value::Array(items) => {
                for item in items.iter().take(MAX_ITEMS) {
                    match item {
                        Value::String(s) => say(s, parts),
                        Value::Object(io) => {
                            if let Some((m, _, _)) = message_of(io, false) {
                                say(&m, parts);
                            } else if let Some(c) = str_of(io, CODE_KEYS) {
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
