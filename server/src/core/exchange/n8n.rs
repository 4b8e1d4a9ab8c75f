//! n8n's exports. An execution (`data.resultData.runData.<node name>[]`, each a node's run with
//! its `error`), the error details n8n's editor copies (`errorMessage`, `errorDescription`,
//! `errorDetails.httpCode`, `n8nDetails.nodeName`), and a node error on its own (an error
//! workflow's `execution.error`). The status is the error's `httpCode`, a string ("404"); the
//! body is the error, whose `description` carries the API's own words (its `message` is n8n's
//! phrase for the status, which the explanation rule knows as generic). A call that got no
//! response has a network error's code in place of the status (`"httpCode": "ECONNREFUSED"`),
//! or no `httpCode` and the code in the error's `code`, `description` or `message`
//! (`connect ECONNREFUSED 10.0.0.5:8443`): it is reported as no response, like newman's
//! `requestError`.

use super::{name_range, Cx};
use crate::core::detect::{self, get, get_object, get_str, key_is, key_str};
use crate::core::model::{BodyEncoding, BodyRef, Exchange, Headers, NoResponse, RequestInfo};
use crate::core::{network_errors, redact};
use jsonc_parser::ast::{Object, ObjectProp, Value};
use std::sync::Arc;

/// Where an n8n error without a status holds a network error's code or text, in order.
const NETWORK_ERROR_KEYS: &[&str] = &["httpcode", "code", "description", "message"];

/// The call an n8n object records, if it is one of n8n's: a node's failed run (named by
/// `parent_key`, the node name its run array sits under), copied error details, or a node
/// error. Every object outside calls asks, so one look at its keys rules most out.
pub(super) fn exchange_in(
    obj: &Object<'_>,
    parent_key: Option<&str>,
    cx: &Cx<'_>,
) -> Option<Exchange> {
    let (mut details, mut named) = (false, false);
    for p in &obj.properties {
        let key = key_str(&p.name);
        details |= key_is(key, "n8ndetails");
        named |= key == "name";
    }
    if is_node_run(obj) {
        let error = get_object(obj, "error")?;
        let mut ex = from_error(obj, error, cx)?;
        ex.name = parent_key.map(Arc::from).or(ex.name);
        Some(ex)
    } else if details {
        let error_details = get_object(obj, "errordetails")?;
        let mut ex = from_error(obj, error_details, cx)?;
        // The copied details hold n8n's message, the API's description and its raw answer
        // (none for a call that got no response).
        if ex.no_response.is_none() {
            ex.body = Some(inline_body(obj, cx)?);
        }
        ex.response_span = None;
        ex.name = get_object(obj, "n8ndetails")
            .and_then(|d| get_str(d, "nodename"))
            .map(Arc::from);
        Some(ex)
    } else if named && is_node_error(obj) {
        from_error(obj, obj, cx)
    } else {
        None
    }
}

/// A node's run (`executionTime`, `executionStatus`), named by the key its run array sits
/// under: its call depends on text outside the object, so it is never a unit of its own.
pub(super) fn is_node_run(obj: &Object<'_>) -> bool {
    obj.properties.iter().any(|p| {
        let key = key_str(&p.name);
        key_is(key, "executiontime") || key_is(key, "executionstatus")
    })
}

/// An n8n node error: `NodeApiError`, `NodeOperationError`, ... (what n8n's errors are named).
fn is_node_error(obj: &Object<'_>) -> bool {
    get_str(obj, "name").is_some_and(|n| n.starts_with("Node") && n.ends_with("Error"))
}

/// A node as a workflow defines it (`parameters`, `type`, `typeVersion`): configuration, never
/// a call, even where its parameters hold a status (a "Respond to Webhook" node's
/// `responseCode`). The generic pass does not enter it.
pub(super) fn is_node_definition(obj: &Object<'_>) -> bool {
    get(obj, "typeversion").is_some()
        && get_object(obj, "parameters").is_some()
        && get_str(obj, "type").is_some_and(|t| t.contains("n8n-nodes-"))
}

/// True when `key` of `obj` holds the error an execution's `resultData` repeats from the run of
/// the node that failed (`runData` beside it): that run is the call.
pub(super) fn repeats_a_node_run(obj: &Object<'_>, key: &str) -> bool {
    key_is(key, "error") && get_object(obj, "rundata").is_some()
}

/// The call recorded by `obj` whose error (`error`, possibly `obj` itself) has an `httpCode`,
/// or names a network error instead (see [`network_failure`]).
fn from_error(obj: &Object<'_>, error: &Object<'_>, cx: &Cx<'_>) -> Option<Exchange> {
    let status_prop = error
        .properties
        .iter()
        .find(|p| key_is(key_str(&p.name), "httpcode"));
    let (status_prop, status, no_response) =
        match status_prop.and_then(|p| Some((p, detect::status_value(&p.value)?))) {
            Some((prop, status)) => (prop, status, None),
            None => {
                let (prop, failure) = network_failure(error)?;
                (prop, 0, Some(failure))
            }
        };
    let span = cx.piece.span(obj.range);
    let node = get_object(error, "node");
    let body = if no_response.is_some() {
        None
    } else {
        inline_body(error, cx)
    };
    Some(Exchange {
        status,
        status_span: cx.span(&status_prop.value),
        status_key_span: cx.piece.span(name_range(&status_prop.name)),
        no_response,
        span,
        response_span: Some(cx.piece.span(error.range)).filter(|r| *r != span),
        status_text: None,
        request: node.map(|n| node_request(n, cx)).unwrap_or_default(),
        response_headers: Headers::default(),
        body,
        body_truncated: None,
        name: node.and_then(|n| get_str(n, "name")).map(Arc::from),
        run: None,
    })
}

/// The property of an n8n error that names a network error the catalogue knows (its
/// `httpCode`, `code`, `description` or `message`, in that order), and what the call ran into:
/// the code, with the error's `description` or first raw message ("connect ECONNREFUSED
/// 10.0.0.5:8443") when it says more. Errors that name none are not calls (a Code node's `TypeError`).
fn network_failure<'v, 'a>(error: &'v Object<'a>) -> Option<(&'v ObjectProp<'a>, NoResponse)> {
    let (prop, code) = NETWORK_ERROR_KEYS.iter().find_map(|key| {
        let prop = error
            .properties
            .iter()
            .find(|p| key_is(key_str(&p.name), key))?;
        let Value::StringLit(s) = &prop.value else {
            return None;
        };
        Some((prop, network_errors::lookup(s.value.as_ref()).code?))
    })?;
    // The client's own text: the description, else the first of the raw messages.
    let first_of = |key| match get(error, key) {
        Some(Value::Array(a)) => a.elements.iter().find_map(|v| match v {
            Value::StringLit(s) => Some(s.value.as_ref()),
            _ => None,
        }),
        _ => None,
    };
    let message = get_str(error, "description")
        .or_else(|| first_of("rawerrormessage"))
        .or_else(|| first_of("messages"))
        .filter(|d| !d.trim().is_empty() && d.trim() != code)
        .map(str::to_string);
    Some((
        prop,
        NoResponse {
            error: code,
            message,
        },
    ))
}

/// The request an HTTP Request node was configured to send (its `parameters`).
fn node_request(node: &Object<'_>, cx: &Cx<'_>) -> RequestInfo {
    let params = get_object(node, "parameters");
    let param = |key| params.and_then(|p| get_str(p, key));
    RequestInfo {
        method: param("method").map(Arc::from),
        url: param("url").map(|u| redact::redact_url(u, cx.extra).into()),
        ..RequestInfo::default()
    }
}

fn inline_body(obj: &Object<'_>, cx: &Cx<'_>) -> Option<BodyRef> {
    cx.piece.complete(obj.range).then(|| BodyRef {
        span: cx.piece.span(obj.range),
        encoding: BodyEncoding::Inline,
        mime_type: None,
    })
}
