//! Recognising one exchange by its status field and building it: response and request objects,
//! status text, name.

use super::body_ref::{body_in, BodyPlace};
use super::request::{header_list, request_info};
use super::{name_range, Cx};
use crate::core::detect::{self, get, get_object, get_str, key_in, key_is, key_str, StatusKey};
use crate::core::model::{Exchange, Header};
use jsonc_parser::ast::{Object, ObjectProp, Value};

/// The first property of `obj` holding a status code, honouring the `code` rule.
fn direct_status<'v, 'a>(
    obj: &'v Object<'a>,
    parent_key: Option<&str>,
) -> Option<(&'v ObjectProp<'a>, u16, StatusKey)> {
    let mut http_like: Option<bool> = None;
    for prop in &obj.properties {
        let Some(kind) = detect::status_key(key_str(&prop.name)) else {
            continue;
        };
        let Some(code) = detect::status_value(&prop.value) else {
            continue;
        };
        if kind == StatusKey::Code
            && !*http_like.get_or_insert_with(|| detect::http_like(obj, parent_key))
        {
            continue;
        }
        return Some((prop, code, kind));
    }
    None
}

/// Recognises an exchange recorded by `obj`: a status field on the object itself, or in its
/// `response`/`res` object, or in `http.response` (ECS).
pub(super) fn exchange_in(
    obj: &Object<'_>,
    parent_key: Option<&str>,
    cx: &Cx<'_>,
) -> Option<Exchange> {
    if let Some((prop, code, kind)) = direct_status(obj, parent_key) {
        let response = response_object(obj);
        return Some(build(obj, response, prop, code, kind, cx));
    }
    for prop in &obj.properties {
        let key = key_str(&prop.name);
        let Value::Object(child) = &prop.value else {
            continue;
        };
        if key_in(key, &["response", "res"]) {
            if let Some((sp, code, kind)) = direct_status(child, Some(key)) {
                return Some(build(obj, Some(child), sp, code, kind, cx));
            }
        } else if key_is(key, "http") {
            if let Some(resp) = get_object(child, "response") {
                if let Some((sp, code, kind)) = direct_status(resp, Some("response")) {
                    return Some(build(obj, Some(resp), sp, code, kind, cx));
                }
            }
        }
    }
    None
}

/// The response object of an exchange found by a status on the object itself: a `response`/`res`
/// child, or an integration run log's `payload.Response`.
fn response_object<'v, 'a>(obj: &'v Object<'a>) -> Option<&'v Object<'a>> {
    get_object(obj, "response")
        .or_else(|| get_object(obj, "res"))
        .or_else(|| get_object(obj, "payload").and_then(|p| get_object(p, "response")))
}

fn build(
    obj: &Object<'_>,
    response: Option<&Object<'_>>,
    status_prop: &ObjectProp<'_>,
    status: u16,
    kind: StatusKey,
    cx: &Cx<'_>,
) -> Exchange {
    let span = cx.piece.span(obj.range);
    let response_span = response.map(|r| cx.piece.span(r.range));
    // Headers and status text live in the response object when there is one.
    let resp_or_obj = response.unwrap_or(obj);
    let response_headers = header_list(
        get(resp_or_obj, "headers").or_else(|| get(resp_or_obj, "header")),
        cx,
    );
    let status_text = get_str(resp_or_obj, "statustext")
        .or_else(|| get_str(resp_or_obj, "reasonphrase"))
        .or_else(|| {
            // Newman: `code` is the number, `status` the reason phrase.
            if kind == StatusKey::Code {
                get_str(resp_or_obj, "status")
            } else {
                None
            }
        })
        .map(str::to_string);
    let content_type = header_value(&response_headers, "content-type");
    let mut body = response
        .and_then(|r| body_in(r, BodyPlace::Response, cx))
        .or_else(|| body_in(obj, BodyPlace::Exchange, cx));
    if let Some(b) = body.as_mut() {
        if b.mime_type.is_none() {
            b.mime_type = content_type;
        }
    }
    let request = request_info(obj, cx);
    let name = exchange_name(obj).or_else(|| request.url.as_deref().and_then(url_path));
    Exchange {
        status,
        status_span: cx.span(&status_prop.value),
        status_key_span: cx.piece.span(name_range(&status_prop.name)),
        span,
        response_span: response_span.filter(|r| *r != span),
        status_text,
        request,
        response_headers,
        body,
        name,
        run: None,
    }
}

fn header_value(headers: &[Header], name: &str) -> Option<String> {
    headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value.clone())
}

fn exchange_name(obj: &Object<'_>) -> Option<String> {
    if let Some(item) = get_object(obj, "item") {
        if let Some(n) = get_str(item, "name") {
            return Some(n.to_string());
        }
    }
    for key in [
        "name",
        "title",
        "node",
        "action",
        "operation",
        "test",
        "step",
    ] {
        if let Some(Value::StringLit(s)) = get(obj, key) {
            if !s.value.is_empty() {
                return Some(s.value.to_string());
            }
        }
    }
    None
}

/// The path of a URL (no scheme, host or query), for naming a call.
pub(super) fn url_path(url: &str) -> Option<String> {
    let rest = match url.find("://") {
        Some(i) => {
            let after = &url[i + 3..];
            match after.find('/') {
                Some(j) => &after[j..],
                None => "/",
            }
        }
        None => url,
    };
    let path = rest.split(['?', '#']).next().unwrap_or(rest);
    if path.is_empty() {
        None
    } else {
        Some(path.to_string())
    }
}
