//! Bodies that are not JSON: plain text (including form-encoded OAuth errors), HTML pages and
//! XML error documents.

use super::json::read_object;
use super::parts::Parts;
use super::words::{clean, is_generic, join, shorten, shorten_keep_lines};
use super::{Explanation, MAX_DETAIL_CHARS, MAX_SUMMARY_CHARS};
use crate::core::body::{element_text, visible_text};
use serde_json::{Map, Value};

/// `error=bad_verification_code&error_description=The+code+passed+is+incorrect.` (GitHub's
/// OAuth token endpoint answers form-encoded unless asked for JSON) as an object.
fn form_error(text: &str) -> Option<Map<String, Value>> {
    let t = text.trim();
    if t.is_empty() || t.len() > 8192 || t.contains(char::is_whitespace) {
        return None;
    }
    let mut map = Map::new();
    for pair in t.split('&') {
        let (k, v) = pair.split_once('=')?;
        map.insert(form_decode(k), Value::String(form_decode(v)));
    }
    (map.contains_key("error") || map.contains_key("error_description")).then_some(map)
}

/// `+` and `%XX` decoded; invalid escapes kept as written.
fn form_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = b
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok());
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(super) fn explain_text(text: &str) -> Option<Explanation> {
    if let Some(form) = form_error(text) {
        let mut parts = Parts::default();
        read_object(&form, &mut parts, 0);
        if let Some(e) = parts.finish() {
            return Some(e);
        }
    }
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next()?;
    let first_clean = clean(first);
    let summary = shorten(&first_clean, MAX_SUMMARY_CHARS);
    let more = lines.next().is_some();
    let detail =
        (more || summary != first_clean).then(|| shorten_keep_lines(text.trim(), MAX_DETAIL_CHARS));
    Some(Explanation {
        summary,
        detail,
        fields: Vec::new(),
    })
}

pub(super) fn explain_html(title: Option<&str>, text: &str) -> Option<Explanation> {
    let title = title.map(clean).filter(|t| !t.is_empty());
    let text = clean(text);
    // A title that says nothing ("Error": Express's default page) gives way to the page text
    // ("Cannot POST /api/members").
    let full = match &title {
        Some(t) if !(is_generic(t) && !text.is_empty() && text != *t) => t.clone(),
        _ if !text.is_empty() => text.clone(),
        Some(t) => t.clone(),
        None => return None,
    };
    let summary = shorten(&full, MAX_SUMMARY_CHARS);
    let detail = (!text.is_empty() && (text != summary))
        .then(|| shorten_keep_lines(&text, MAX_DETAIL_CHARS));
    Some(Explanation {
        summary,
        detail,
        fields: Vec::new(),
    })
}

pub(super) fn explain_xml(xml: &str) -> Option<Explanation> {
    let message = [
        "Message",
        "message",
        "faultstring",
        "errorMessage",
        "Description",
        "description",
    ]
    .iter()
    .find_map(|t| element_text(xml, t));
    let code = ["Code", "code", "faultcode", "errorCode"]
        .iter()
        .find_map(|t| element_text(xml, t));
    let full = match (code, message) {
        (Some(c), Some(m)) if !m.contains(&c) => join(&c, &m),
        (_, Some(m)) => m,
        (Some(c), None) => c,
        (None, None) => {
            let text = visible_text(
                xml.trim_start_matches(|c| c != '>').get(1..).unwrap_or(""),
                4096,
            );
            let text = if text.is_empty() {
                visible_text(xml, 4096)
            } else {
                text
            };
            if text.is_empty() {
                return None;
            }
            text
        }
    };
    let summary = shorten(&full, MAX_SUMMARY_CHARS);
    let detail = (summary != full).then(|| shorten_keep_lines(&full, MAX_DETAIL_CHARS));
    Some(Explanation {
        summary,
        detail,
        fields: Vec::new(),
    })
}
