//! Bodies the exporter did not record in full: a HAR `content` whose `comment` says so, whose
//! `size` is more than its `text` holds (or that has no `text` at all), and bodies ending with a
//! producer's "truncated" marker or saying they were not logged.

use super::Cx;
use crate::core::detect::{get, get_object, get_str};
use crate::core::model::{BodyEncoding, BodyRef, BodyTruncation, Span};
use jsonc_parser::ast::{Object, Value};

/// Words of a HAR `content.comment` saying the body is not all there ("Response body is
/// exported from the in-memory preview and may be truncated.", "response body not captured").
const COMMENT_WORDS: &[&str] = &[
    "truncat",
    "discard",
    "not captured",
    "not logged",
    "not recorded",
    "not saved",
    "not included",
    "omitted",
    "incomplete",
];

/// What a body says when it stands for a body that was not kept, in lowercase.
const NOT_KEPT_BODIES: &[&str] = &[
    "response body was not logged",
    "response body is too large",
    "body not logged",
    "body omitted",
    "body not captured",
];

/// How the log says the body of the call whose response is `response` (and body `body`) was not
/// recorded in full, if it does.
pub(super) fn truncation(
    response: Option<&Object<'_>>,
    body: Option<&BodyRef>,
    cx: &Cx<'_>,
) -> Option<BodyTruncation> {
    let at = |fallback: Span| body.map_or(fallback, |b| b.span);
    // A `content` cut by the end of a log being written says nothing about the exporter.
    let content = response
        .and_then(|r| get_object(r, "content"))
        .filter(|c| cx.piece.complete(c.range));
    if let Some(content) = content {
        let content_span = cx.piece.span(content.range);
        if let Some(comment) = get_str(content, "comment") {
            let lower = comment.to_lowercase();
            if COMMENT_WORDS.iter().any(|w| lower.contains(w)) {
                return Some(BodyTruncation {
                    span: at(content_span),
                    how: format!("the HAR says \"{}\"", comment.trim()),
                });
            }
        }
        if let Some(how) = har_size(content) {
            return Some(BodyTruncation {
                span: at(content_span),
                how,
            });
        }
    }
    let body = body.filter(|b| b.encoding == BodyEncoding::String)?;
    let raw = cx.text.get(body.span.start..body.span.end)?;
    let inner = raw.get(1..raw.len().checked_sub(1)?)?.trim_end();
    let how = cut_marker(inner)
        .map(|m| format!("the body ends with \"{m}\""))
        .or_else(|| {
            let lower = inner.trim().to_lowercase();
            NOT_KEPT_BODIES
                .iter()
                .any(|p| lower.trim_end_matches('.') == *p)
                .then(|| format!("the body says \"{}\"", inner.trim()))
        })?;
    Some(BodyTruncation {
        span: body.span,
        how,
    })
}

/// A HAR `content` that holds less than its `size` (the decoded body's length in bytes): a
/// text shorter than that, or no text at all. `compression` and a transfer size
/// (`_transferSize`) are not the body's size.
fn har_size(content: &Object<'_>) -> Option<String> {
    let size: u64 = match get(content, "size") {
        Some(Value::NumberLit(n)) => n.value.parse().ok()?,
        _ => return None,
    };
    if size == 0 {
        return None;
    }
    let held = match get(content, "text") {
        None | Some(Value::NullKeyword(_)) => {
            return Some(format!(
                "content.size is {size} bytes and no text was saved"
            ));
        }
        Some(Value::StringLit(s)) => {
            let text: &str = s.value.as_ref();
            if get_str(content, "encoding").is_some_and(|e| e.eq_ignore_ascii_case("base64")) {
                let data = text.trim_end().len() as u64;
                let padding = text
                    .trim_end()
                    .bytes()
                    .rev()
                    .take_while(|&b| b == b'=')
                    .count();
                (data / 4 * 3).saturating_sub(padding as u64)
            } else {
                text.len() as u64
            }
        }
        _ => return None,
    };
    (held < size).then(|| format!("content.size is {size} bytes, the text holds {held}"))
}

/// The "truncated" marker a body ends with: `[truncated]`, `(truncated)`, `<truncated>`,
/// `[truncated 4096 bytes]`, `...(truncated)`: a bracketed word at the very end, so that a
/// message such as "String would be truncated." is not one.
fn cut_marker(text: &str) -> Option<&str> {
    let close = text.chars().last()?;
    let open = match close {
        ']' => '[',
        ')' => '(',
        '>' => '<',
        _ => return None,
    };
    let start = text.rfind(open)?;
    let marker = &text[start..];
    (marker.len() <= 48 && marker.to_lowercase().contains("truncated")).then_some(marker)
}
