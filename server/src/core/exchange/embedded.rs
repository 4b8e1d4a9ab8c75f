//! Calls logged as a JSON string inside a field: an app logging the response it got as its
//! message (`"message": "{\"status\":422,\"body\":{…}}"`), Docker's json-file driver wrapping
//! each line a container wrote (`{"log": "{\"statusCode\":500,…}\n", "stream", "time"}`). The
//! status is found in the string's content, and its span is the escaped digits in the text.

use super::call::{direct_status, url_path};
use super::request::header_list;
use super::{name_range, value_range, Cx};
use crate::core::detect::{get, get_object, get_str, key_in, key_str};
use crate::core::model::{BodyEncoding, BodyRef, Exchange, RequestInfo, Span};
use crate::core::{parse, redact};
use jsonc_parser::ast::{Object, Value};
use std::sync::Arc;

/// Fields whose string may hold the record of a call: a logger's message, Docker's line.
const FIELDS: &[&str] = &["message", "msg", "log"];

/// The call a string field of `obj` holds as JSON: a status on the decoded record, or on its
/// `response`/`res`. The body is the string (the record, decoded, explains itself).
pub(super) fn exchange_in(obj: &Object<'_>, cx: &Cx<'_>) -> Option<Exchange> {
    let prop = obj
        .properties
        .iter()
        .find(|p| key_in(key_str(&p.name), FIELDS))?;
    let Value::StringLit(s) = &prop.value else {
        return None;
    };
    let content: &str = s.value.as_ref();
    if !content.trim_start().starts_with('{') || !cx.piece.complete(s.range) {
        return None;
    }
    let token = cx.span(&prop.value);
    let raw = cx.text.get(token.start..token.end)?;
    let Ok(Some(Value::Object(record))) = parse::parse_str(content) else {
        return None;
    };
    let (holder, (status_prop, status, _)) = match direct_status(&record, None) {
        Some(found) => (&record, found),
        None => ["response", "res"].iter().find_map(|key| {
            let child = get_object(&record, key)?;
            Some((child, direct_status(child, Some(key))?))
        })?,
    };
    // Offsets in the decoded content, mapped onto the escaped text of the token.
    let in_text = |range: jsonc_parser::common::Range| -> Option<Span> {
        Some(Span::new(
            token.start + raw_offset(raw, range.start)?,
            token.start + raw_offset(raw, range.end)?,
        ))
    };
    let status_span = in_text(value_range(&status_prop.value))?;
    let status_key_span = in_text(name_range(&status_prop.name))?;
    let request = record_request(&record, cx);
    let name = request.url.as_deref().and_then(url_path);
    Some(Exchange {
        status,
        status_span,
        status_key_span,
        no_response: None,
        span: cx.piece.span(obj.range),
        response_span: None,
        status_text: get_str(holder, "statustext")
            .or_else(|| get_str(holder, "statusmessage"))
            .map(Arc::from),
        request,
        response_headers: header_list(get(holder, "headers"), cx),
        body: Some(BodyRef {
            span: token,
            encoding: BodyEncoding::String,
            mime_type: None,
        }),
        body_truncated: None,
        name: name.map(Arc::from),
        run: None,
    })
}

/// The method and URL the record names (on itself, or in its `request`/`req`/`config`).
fn record_request(record: &Object<'_>, cx: &Cx<'_>) -> RequestInfo {
    let holder = ["request", "req", "config"]
        .iter()
        .find_map(|k| get_object(record, k))
        .unwrap_or(record);
    RequestInfo {
        method: get_str(holder, "method").map(Arc::from),
        url: get_str(holder, "url")
            .or_else(|| get_str(holder, "path"))
            .map(|u| redact::redact_url(u, cx.extra).into()),
        ..RequestInfo::default()
    }
}

/// The offset in `raw` (a string token, its quotes included) of byte `at` of the decoded
/// content: escapes count as the characters they stand for. `None` when `at` falls inside
/// one (never on a token's boundary: spans stay on `char` boundaries of the text).
pub(super) fn raw_offset(raw: &str, at: usize) -> Option<usize> {
    let bytes = raw.as_bytes();
    let last = bytes.len().checked_sub(1)?;
    let (mut i, mut decoded) = (1, 0);
    while decoded < at && i < last {
        if bytes[i] == b'\\' {
            // As jsonc-parser decodes escapes, JSON5's included.
            let escaped = raw.get(i + 1..)?.chars().next()?;
            let (step, len) = match escaped {
                'u' => {
                    let unit = u32::from_str_radix(raw.get(i + 2..i + 6)?, 16).ok()?;
                    let pair =
                        (0xD800..0xDC00).contains(&unit) && raw.get(i + 6..i + 8) == Some("\\u");
                    if pair {
                        (12, 4)
                    } else {
                        // A lone surrogate decodes to U+FFFD.
                        (6, char::from_u32(unit).map_or(3, char::len_utf8))
                    }
                }
                'x' => {
                    let value = u32::from_str_radix(raw.get(i + 2..i + 4)?, 16).ok()?;
                    (4, char::from_u32(value).map_or(1, char::len_utf8))
                }
                // Line continuations decode to nothing.
                '\n' | '\u{2028}' | '\u{2029}' => (1 + escaped.len_utf8(), 0),
                '\r' if raw.get(i + 2..i + 3) == Some("\n") => (3, 0),
                '\r' => (2, 0),
                // `\n`, `\"`, … are one byte; any other character stands for itself.
                c => (1 + c.len_utf8(), c.len_utf8()),
            };
            i += step;
            decoded += len;
        } else {
            let len = raw.get(i..)?.chars().next()?.len_utf8();
            i += len;
            decoded += len;
        }
    }
    (decoded == at).then_some(i)
}
