//! The request side of a call (method, URL, headers, body) and header lists, redacted.

use super::body_ref::body_ref;
use super::{scalar_text, Cx, MAX_HEADERS};
use crate::core::detect::{get, get_object, get_str, key_str};
use crate::core::model::{Header, Headers, RequestInfo};
use crate::core::redact;
use jsonc_parser::ast::{Object, Value};
use std::sync::Arc;

/// Reads headers stored as an object or as an array of `{name|key, value}`; values of secret
/// headers are redacted.
pub(super) fn header_list(value: Option<&Value<'_>>, cx: &Cx<'_>) -> Headers {
    let mut out = Vec::new();
    let mut push = |name: &str, value: Option<&Value<'_>>| {
        let text = match value {
            Some(Value::StringLit(s)) => s.value.to_string(),
            Some(Value::NumberLit(n)) => n.value.to_string(),
            Some(Value::BooleanLit(b)) => b.value.to_string(),
            Some(Value::Array(a)) => a
                .elements
                .iter()
                .filter_map(scalar_text)
                .collect::<Vec<_>>()
                .join(", "),
            _ => return,
        };
        out.push(Header {
            name: name.to_string(),
            value: cx.header_value(name, text),
        });
    };
    match value {
        Some(Value::Object(o)) => {
            for p in o.properties.iter().take(MAX_HEADERS) {
                push(key_str(&p.name), Some(&p.value));
            }
        }
        Some(Value::Array(a)) => {
            for el in a.elements.iter().take(MAX_HEADERS) {
                if let Value::Object(h) = el {
                    if let Some(name) = get_str(h, "name").or_else(|| get_str(h, "key")) {
                        push(name, get(h, "value"));
                    }
                }
            }
        }
        _ => {}
    }
    out.into()
}

/// The request object (or request line string) of an exchange.
fn request_value<'v, 'a>(obj: &'v Object<'a>) -> Option<&'v Value<'a>> {
    if let Some(v @ (Value::Object(_) | Value::StringLit(_))) = get(obj, "request") {
        return Some(v);
    }
    if let Some(v @ Value::Object(_)) = get(obj, "req") {
        return Some(v);
    }
    if let Some(p) = get_object(obj, "payload") {
        if let Some(v @ Value::Object(_)) = get(p, "request") {
            return Some(v);
        }
    }
    // An axios error keeps the request in `config`.
    if let Some(Value::Object(c)) = get(obj, "config") {
        if get(c, "url").is_some() && get(c, "method").is_some() {
            return get(obj, "config");
        }
    }
    None
}

pub(super) fn request_info(obj: &Object<'_>, cx: &Cx<'_>) -> RequestInfo {
    let mut info = RequestInfo::default();
    // As written; redacted once, below.
    let url: Option<String> = match request_value(obj) {
        Some(value @ Value::Object(req)) => {
            info.span = Some(cx.span(value));
            info.method = get_str(req, "method").map(Arc::from);
            info.headers = header_list(get(req, "headers").or_else(|| get(req, "header")), cx);
            let body = get(req, "body")
                .or_else(|| get_object(req, "postdata").and_then(|p| get(p, "text")))
                .or_else(|| get(req, "data"));
            info.body = body.and_then(|b| body_ref(b, cx));
            get(req, "url")
                .or_else(|| get(req, "uri"))
                .and_then(url_text)
        }
        Some(value @ Value::StringLit(line)) => {
            // nginx: "GET /path HTTP/1.1".
            info.span = Some(cx.span(value));
            let mut words = line.value.split_whitespace();
            match (words.next(), words.next()) {
                (Some(m), Some(u)) if m.bytes().all(|b| b.is_ascii_uppercase()) => {
                    info.method = Some(m.into());
                    Some(u.to_string())
                }
                _ => None,
            }
        }
        _ => {
            // The call's fields sit on the exchange itself (batch results, ECS).
            info.method = get_str(obj, "method")
                .or_else(|| get_str(obj, "http.request.method"))
                .or_else(|| {
                    get_object(obj, "http")
                        .and_then(|h| get_object(h, "request"))
                        .and_then(|r| get_str(r, "method"))
                })
                .map(Arc::from);
            get(obj, "url")
                .and_then(url_text)
                .or_else(|| get_str(obj, "url.full").map(str::to_string))
                .or_else(|| get_str(obj, "url.original").map(str::to_string))
                .or_else(|| get_str(obj, "url.path").map(str::to_string))
        }
    };
    info.url = url.map(|u| redact::redact_url(&u, cx.extra).into());
    info
}

/// A URL as text: a string, a Postman URL object (`raw`, or protocol/host[]/port/path[]/query[]),
/// or an ECS `url` object (`full`, `original`, `path`).
fn url_text(value: &Value<'_>) -> Option<String> {
    match value {
        Value::StringLit(s) => Some(s.value.to_string()),
        Value::Object(o) => {
            for key in ["raw", "full", "original", "href"] {
                if let Some(s) = get_str(o, key) {
                    return Some(s.to_string());
                }
            }
            let join = |v: Option<&Value<'_>>, sep: &str| -> Option<String> {
                match v {
                    Some(Value::Array(a)) => Some(
                        a.elements
                            .iter()
                            .filter_map(scalar_text)
                            .collect::<Vec<_>>()
                            .join(sep),
                    ),
                    Some(Value::StringLit(s)) => Some(s.value.to_string()),
                    _ => None,
                }
            };
            let host = join(get(o, "host"), ".");
            let path = join(get(o, "path"), "/");
            if host.is_none() && path.is_none() {
                return None;
            }
            let mut url = String::new();
            if let Some(host) = host {
                if let Some(p) = get_str(o, "protocol") {
                    url.push_str(p.trim_end_matches(':'));
                    url.push_str("://");
                }
                url.push_str(&host);
                if let Some(port) = get(o, "port").and_then(scalar_text) {
                    url.push(':');
                    url.push_str(&port);
                }
            }
            if let Some(path) = path {
                if !path.starts_with('/') {
                    url.push('/');
                }
                url.push_str(&path);
            }
            if let Some(Value::Array(q)) = get(o, "query") {
                let mut first = true;
                for el in &q.elements {
                    let Value::Object(kv) = el else { continue };
                    if get(kv, "disabled")
                        .is_some_and(|d| matches!(d, Value::BooleanLit(b) if b.value))
                    {
                        continue;
                    }
                    let Some(k) = get_str(kv, "key") else {
                        continue;
                    };
                    url.push(if first { '?' } else { '&' });
                    first = false;
                    url.push_str(k);
                    if let Some(v) = get(kv, "value").and_then(scalar_text) {
                        url.push('=');
                        url.push_str(&v);
                    }
                }
            }
            Some(url)
        }
        _ => None,
    }
}
