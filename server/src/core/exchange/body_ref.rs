//! Where a call's body is and how it is stored (a string, inline JSON, HAR content, base64, a
//! byte array).

use super::{value_range, Cx};
use crate::core::detect::{get, get_str, key_in, key_str};
use crate::core::model::{BodyEncoding, BodyRef};
use jsonc_parser::ast::{Object, Value};
use std::sync::Arc;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum BodyPlace {
    Response,
    Exchange,
}

/// Where the body is, in the response object or (no response object) in the exchange itself.
pub(super) fn body_in(obj: &Object<'_>, place: BodyPlace, cx: &Cx<'_>) -> Option<BodyRef> {
    let keys: &[&str] = match place {
        BodyPlace::Response => &[
            "body",
            "content",
            "stream",
            "data",
            "text",
            "responsebody",
            "payload",
            "error",
            "errors",
        ],
        BodyPlace::Exchange => &[
            "responsebody",
            // ECS with flattened dotted keys.
            "http.response.body.content",
            "body",
            "data",
            "content",
            "text",
            "payload",
            "error",
            "err",
        ],
    };
    for key in keys {
        let Some(value) = get(obj, key) else {
            continue;
        };
        // An integration run log's `payload` holds Request/Response sections, not the body.
        if place == BodyPlace::Exchange && *key == "payload" {
            if let Value::Object(p) = value {
                if get(p, "request").is_some() || get(p, "response").is_some() {
                    continue;
                }
            }
        }
        if let Some(b) = body_ref(value, cx) {
            return Some(b);
        }
    }
    None
}

/// How a body value is stored.
pub(super) fn body_ref(value: &Value<'_>, cx: &Cx<'_>) -> Option<BodyRef> {
    // A body cut by the end of a truncated log says nothing reliable.
    if !cx.piece.complete(value_range(value)) {
        return None;
    }
    match value {
        Value::NullKeyword(_) => None,
        Value::StringLit(_) => Some(BodyRef {
            span: cx.span(value),
            encoding: BodyEncoding::String,
            mime_type: None,
        }),
        Value::Object(o) => {
            // Newman: {"type": "Buffer", "data": [bytes]}.
            if get_str(o, "type") == Some("Buffer") {
                if let Some(data @ Value::Array(_)) = get(o, "data") {
                    return Some(BodyRef {
                        span: cx.span(data),
                        encoding: BodyEncoding::ByteArray,
                        mime_type: None,
                    });
                }
            }
            // VCR / Betamax `body` {string} or {base64_string}, with Betamax's charset
            // `encoding` ("utf-8", not a transfer encoding).
            let cassette = o
                .properties
                .iter()
                .all(|p| key_in(key_str(&p.name), &["string", "base64string", "encoding"]));
            if cassette && !o.properties.is_empty() {
                let (text, encoding) = match (get(o, "string"), get(o, "base64string")) {
                    (Some(t), _) => (t, BodyEncoding::String),
                    (None, Some(t)) => (t, BodyEncoding::Base64),
                    (None, None) => return None,
                };
                return match text {
                    Value::StringLit(_) => Some(BodyRef {
                        span: cx.span(text),
                        encoding,
                        mime_type: None,
                    }),
                    _ => None,
                };
            }
            // HAR `content` {size, mimeType, text, encoding}; ECS `body` {bytes, content}.
            let har_like = o.properties.iter().all(|p| {
                key_in(
                    key_str(&p.name),
                    &[
                        "size",
                        "mimetype",
                        "text",
                        "encoding",
                        "compression",
                        "bytes",
                        "content",
                        "comment",
                    ],
                )
            });
            if har_like && !o.properties.is_empty() {
                let mime_type = get_str(o, "mimetype").map(str::to_string);
                let text = get(o, "text").or_else(|| get(o, "content"));
                return match text {
                    Some(t @ Value::StringLit(_)) => Some(BodyRef {
                        span: cx.span(t),
                        encoding: if get_str(o, "encoding")
                            .is_some_and(|e| e.eq_ignore_ascii_case("base64"))
                        {
                            BodyEncoding::Base64
                        } else {
                            BodyEncoding::String
                        },
                        mime_type: mime_type.map(Arc::from),
                    }),
                    _ => None,
                };
            }
            Some(BodyRef {
                span: cx.span(value),
                encoding: BodyEncoding::Inline,
                mime_type: None,
            })
        }
        Value::Array(_) | Value::NumberLit(_) | Value::BooleanLit(_) => Some(BodyRef {
            span: cx.span(value),
            encoding: BodyEncoding::Inline,
            mime_type: None,
        }),
    }
}
