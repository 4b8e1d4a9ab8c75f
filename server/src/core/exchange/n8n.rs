//! n8n's exports. An execution (`data.resultData.runData.<node name>[]`, each a node's run with
//! its `error`), the error details n8n's editor copies (`errorMessage`, `errorDescription`,
//! `errorDetails.httpCode`, `n8nDetails.nodeName`), and a node error on its own (an error
//! workflow's `execution.error`). The status is the error's `httpCode`, a string ("404"); the
//! body is the error, whose `description` carries the API's own words (its `message` is n8n's
//! phrase for the status, which the explanation rule knows as generic).

use super::{name_range, Cx};
use crate::core::detect::{self, get, get_object, get_str, key_is, key_str};
use crate::core::model::{BodyEncoding, BodyRef, Exchange, RequestInfo};
use crate::core::redact;
use jsonc_parser::ast::Object;

/// The call an n8n object records, if it is one of n8n's: a node's failed run (named by
/// `parent_key`, the node name its run array sits under), copied error details, or a node
/// error. Every object outside calls asks, so one look at its keys rules most out.
pub(super) fn exchange_in(
    obj: &Object<'_>,
    parent_key: Option<&str>,
    cx: &Cx<'_>,
) -> Option<Exchange> {
    let (mut run, mut details, mut named) = (false, false, false);
    for p in &obj.properties {
        let key = key_str(&p.name);
        run |= key_is(key, "executiontime") || key_is(key, "executionstatus");
        details |= key_is(key, "n8ndetails");
        named |= key == "name";
    }
    if run {
        let error = get_object(obj, "error")?;
        let mut ex = from_error(obj, error, cx)?;
        ex.name = parent_key.map(str::to_string).or(ex.name);
        Some(ex)
    } else if details {
        let error_details = get_object(obj, "errordetails")?;
        let mut ex = from_error(obj, error_details, cx)?;
        // The copied details hold n8n's message, the API's description and its raw answer.
        ex.body = Some(inline_body(obj, cx)?);
        ex.response_span = None;
        ex.name = get_object(obj, "n8ndetails")
            .and_then(|d| get_str(d, "nodename"))
            .map(str::to_string);
        Some(ex)
    } else if named && is_node_error(obj) {
        from_error(obj, obj, cx)
    } else {
        None
    }
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

/// The call recorded by `obj` whose error (`error`, possibly `obj` itself) has an `httpCode`.
fn from_error(obj: &Object<'_>, error: &Object<'_>, cx: &Cx<'_>) -> Option<Exchange> {
    let status_prop = error
        .properties
        .iter()
        .find(|p| key_is(key_str(&p.name), "httpcode"))?;
    let status = detect::status_value(&status_prop.value)?;
    let span = cx.piece.span(obj.range);
    let node = get_object(error, "node");
    Some(Exchange {
        status,
        status_span: cx.span(&status_prop.value),
        status_key_span: cx.piece.span(name_range(&status_prop.name)),
        no_response: None,
        span,
        response_span: Some(cx.piece.span(error.range)).filter(|r| *r != span),
        status_text: None,
        request: node.map(|n| node_request(n, cx)).unwrap_or_default(),
        response_headers: Vec::new(),
        body: inline_body(error, cx),
        body_truncated: None,
        name: node.and_then(|n| get_str(n, "name")).map(str::to_string),
        run: None,
    })
}

/// The request an HTTP Request node was configured to send (its `parameters`).
fn node_request(node: &Object<'_>, cx: &Cx<'_>) -> RequestInfo {
    let params = get_object(node, "parameters");
    let param = |key| params.and_then(|p| get_str(p, key)).map(str::to_string);
    RequestInfo {
        method: param("method"),
        url: param("url").map(|u| redact::redact_url(&u, cx.extra)),
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
