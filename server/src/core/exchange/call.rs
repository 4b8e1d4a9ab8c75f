//! Recognising one exchange by its status field and building it: response and request objects,
//! status text, name.

use super::body_ref::{body_in, BodyPlace};
use super::request::{header_list, request_info};
use super::{embedded, n8n, truncation};
use super::{name_range, Cx};
use crate::core::detect::{self, get, get_object, get_str, key_in, key_is, key_str, StatusKey};
use crate::core::model::{Exchange, Header, Headers, NoResponse, Span};
use jsonc_parser::ast::{Object, ObjectProp, Value};
use std::sync::Arc;

/// The first property of `obj` holding a status code, honouring the `code` rule.
pub(super) fn direct_status<'v, 'a>(
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

/// Recognises an exchange recorded by `obj`: one of n8n's (see `n8n.rs`), a status field on the
/// object itself, or in its `response`/`res` object, or in `http.response` (ECS), or in a JSON
/// string field (see `embedded.rs`); else a call that got no response (see [`failed_step`]).
pub(super) fn exchange_in(
    obj: &Object<'_>,
    parent_key: Option<&str>,
    cx: &Cx<'_>,
) -> Option<Exchange> {
    if let Some(ex) = n8n::exchange_in(obj, parent_key, cx) {
        return Some(ex);
    }
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
            if let Some(ex) = cassette_response(obj, child, cx) {
                return Some(ex);
            }
            if let Some(ex) = har_failure(obj, child, cx) {
                return Some(ex);
            }
        } else if key_is(key, "requesterror") {
            if let Some(ex) = failed_with(obj, prop, cx) {
                return Some(ex);
            }
        } else if key_is(key, "http") {
            if let Some(resp) = get_object(child, "response") {
                if let Some((sp, code, kind)) = direct_status(resp, Some("response")) {
                    return Some(build(obj, Some(resp), sp, code, kind, cx));
                }
            }
        }
    }
    embedded::exchange_in(obj, cx).or_else(|| failed_step(obj, cx))
}

/// A VCR / Betamax interaction: `response.status` is an object `{"code": 403, "message":
/// "Forbidden"}`; the diagnostic sits on the code, the message is the status text.
fn cassette_response(obj: &Object<'_>, response: &Object<'_>, cx: &Cx<'_>) -> Option<Exchange> {
    let status = get(response, "status")?;
    let (code_prop, code) = detect::status_object(status)?;
    let mut ex = build(obj, Some(response), code_prop, code, StatusKey::Strong, cx);
    if ex.status_text.is_none() {
        if let Value::Object(o) = status {
            ex.status_text = get_str(o, "message").map(Arc::from);
        }
    }
    Some(ex)
}

/// A HAR entry that got no response: `response.status` 0 (DevTools, with `_error`) or -1
/// (Playwright, with `_failureText`), the error in the response or in the entry.
fn har_failure(obj: &Object<'_>, response: &Object<'_>, cx: &Cx<'_>) -> Option<Exchange> {
    let status = response
        .properties
        .iter()
        .find(|p| key_is(key_str(&p.name), "status"))?;
    if !matches!(&status.value, Value::NumberLit(n) if n.value == "0" || n.value == "-1") {
        return None;
    }
    let error = ["error", "failuretext"]
        .iter()
        .find_map(|k| get_str(response, k).or_else(|| get_str(obj, k)))
        .filter(|e| !e.trim().is_empty())?;
    let no_response = NoResponse {
        error: error.to_string(),
        message: None,
    };
    Some(unanswered(
        obj,
        Some(response),
        status,
        cx.span(&status.value),
        no_response,
        cx,
    ))
}

/// A call whose error property `prop` says it got no response: Newman's `requestError`
/// (`{"code": "ECONNREFUSED", "message": …}`), or a run-log step's `error` with no status
/// (a string, or an object with a `code`/`message`). The diagnostic sits on the code, else on
/// the message.
fn failed_with(obj: &Object<'_>, prop: &ObjectProp<'_>, cx: &Cx<'_>) -> Option<Exchange> {
    let text = |v: Option<&Value<'_>>| match v {
        Some(v @ Value::StringLit(s)) if !s.value.trim().is_empty() => {
            Some((s.value.to_string(), cx.span(v)))
        }
        _ => None,
    };
    let (error, message, at) = match &prop.value {
        v @ Value::StringLit(_) => {
            let (error, at) = text(Some(v))?;
            (error, None, at)
        }
        Value::Object(e) => {
            let code = text(get(e, "code")).or_else(|| text(get(e, "errno")));
            let message = text(get(e, "message"));
            match (code, message) {
                (Some((code, at)), message) => (code, message.map(|m| m.0), at),
                (None, Some((message, at))) => (message, None, at),
                (None, None) => return None,
            }
        }
        _ => return None,
    };
    let no_response = NoResponse {
        error,
        message: message.filter(|m| !m.trim().is_empty()),
    };
    Some(unanswered(obj, None, prop, at, no_response, cx))
}

/// A run-log step that failed with an error and recorded no status (`network_code: null` or
/// none): it has a request and an `error`, and no response.
fn failed_step(obj: &Object<'_>, cx: &Cx<'_>) -> Option<Exchange> {
    // Every object that is not a call comes here: the rare error key is looked for first.
    let prop = obj.properties.iter().find(|p| {
        key_in(
            key_str(&p.name),
            &["error", "errormessage", "failure", "failurereason"],
        )
    })?;
    let has_request = get(obj, "request").is_some()
        || get(obj, "req").is_some()
        || get_object(obj, "payload").is_some_and(|p| get(p, "request").is_some());
    if !has_request || response_object(obj).is_some() {
        return None;
    }
    failed_with(obj, prop, cx)
}

/// The exchange of a call that got no response, its diagnostic at `at`.
fn unanswered(
    obj: &Object<'_>,
    response: Option<&Object<'_>>,
    key_prop: &ObjectProp<'_>,
    at: Span,
    no_response: NoResponse,
    cx: &Cx<'_>,
) -> Exchange {
    let span = cx.piece.span(obj.range);
    let request = request_info(obj, cx);
    let name = exchange_name(obj).or_else(|| request.url.as_deref().and_then(url_path));
    Exchange {
        status: 0,
        status_span: at,
        status_key_span: cx.piece.span(name_range(&key_prop.name)),
        no_response: Some(no_response),
        span,
        response_span: response
            .map(|r| cx.piece.span(r.range))
            .filter(|r| *r != span),
        status_text: None,
        request,
        response_headers: Headers::default(),
        body: None,
        body_truncated: None,
        name: name.map(Arc::from),
        run: None,
    }
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
            b.mime_type = content_type.map(Arc::from);
        }
    }
    let body_truncated = truncation::truncation(response, body.as_ref(), cx);
    let request = request_info(obj, cx);
    let name = exchange_name(obj).or_else(|| request.url.as_deref().and_then(url_path));
    Exchange {
        status,
        status_span: cx.span(&status_prop.value),
        status_key_span: cx.piece.span(name_range(&status_prop.name)),
        no_response: None,
        span,
        response_span: response_span.filter(|r| *r != span),
        status_text: status_text.map(Arc::from),
        request,
        response_headers,
        body,
        body_truncated,
        name: name.map(Arc::from),
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
