//! Bodies that are not JSON: plain text (including form-encoded OAuth errors), HTML pages and
//! XML error documents. Each gives its first reason sentence, after what only repeats the
//! status line.

use super::json::read_value;
use super::keys::{PAGE_BOILERPLATE, PAGE_LABELS, XML_CODE_TAGS, XML_MESSAGE_TAGS};
use super::parts::Parts;
use super::words::{
    after_status, clean, is_generic, join, says, shape, shorten, shorten_keep_lines,
};
use super::{Explanation, MAX_DETAIL_CHARS, MAX_SUMMARY_CHARS};
use crate::core::body::{element_text, visible_text};
use serde_json::{Map, Value};

/// How many lines of a text body, and sentences of a page, are looked at.
const MAX_LINES: usize = 50;

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

/// A summary and, when more was said, the whole text as the detail.
fn quoted(full: &str, whole: &str) -> Explanation {
    let summary = shorten(full, MAX_SUMMARY_CHARS);
    let detail =
        (summary != whole.trim()).then(|| shorten_keep_lines(whole.trim(), MAX_DETAIL_CHARS));
    Explanation {
        summary,
        detail,
        fields: Vec::new(),
    }
}

pub(super) fn explain_text(text: &str) -> Option<Explanation> {
    if let Some(form) = form_error(text) {
        let mut parts = Parts::default();
        read_value(&Value::Object(form), &mut parts);
        if let Some(e) = parts.finish() {
            return Some(e);
        }
    }
    // The first line that says more than the status line, from where it does.
    let line = text
        .lines()
        .take(MAX_LINES)
        .map(clean)
        .map(|l| after_status(&l, false).to_string())
        .find(|l| shape(l) > 0)?;
    Some(quoted(&line, text))
}

/// Sentences of a page's text: cut after `.`, `!` or `?` followed by a space and a capital.
fn sentences(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let t = rest.trim_start();
        if t.is_empty() {
            return None;
        }
        let b = t.as_bytes();
        let end = (0..b.len())
            .find(|&i| {
                matches!(b[i], b'.' | b'!' | b'?')
                    && b.get(i + 1) == Some(&b' ')
                    && b.get(i + 2).is_some_and(u8::is_ascii_uppercase)
            })
            .map_or(t.len(), |i| i + 1);
        rest = &t[end..];
        Some(&t[..end])
    })
    .take(MAX_LINES)
}

/// A server signature (`nginx/1.25.3`, `Apache/2.4.58 (Ubuntu)`): a name, a slash, a version.
fn is_signature(s: &str) -> bool {
    s.split_whitespace().any(|w| {
        w.split_once('/').is_some_and(|(name, version)| {
            !name.is_empty()
                && name.chars().all(char::is_alphanumeric)
                && version.starts_with(|c: char| c.is_ascii_digit())
        })
    })
}

/// The page's reason: the text after a label that introduces it, else its first sentence that
/// is neither the status repeated nor boilerplate.
fn page_reason(title: Option<&str>, text: &str) -> Option<String> {
    for (label, ends) in PAGE_LABELS {
        let Some(at) = text.find(label) else { continue };
        let after = &text[at + label.len()..];
        let end = ends
            .iter()
            .filter_map(|e| after.find(e))
            .min()
            .unwrap_or(after.len());
        let value = after[..end].trim();
        if shape(value) > 0 {
            return Some(value.to_string());
        }
    }
    // What repeats the title and the status line comes first on most pages.
    let mut rest = text.trim();
    if let Some(t) = title {
        if rest.len() >= t.len() && rest[..t.len()].eq_ignore_ascii_case(t) {
            rest = &rest[t.len()..];
        }
    }
    let rest = after_status(rest, true);
    sentences(rest)
        .map(|s| after_status(s, true))
        .find(|s| {
            let lower = s.to_lowercase();
            shape(s) >= 2 && !is_signature(s) && !PAGE_BOILERPLATE.iter().any(|b| lower.contains(b))
        })
        .map(str::to_string)
}

pub(super) fn explain_html(title: Option<&str>, text: &str) -> Option<Explanation> {
    let title = title.map(clean).filter(|t| !t.is_empty());
    let text = clean(text);
    // "ValueError at /api/orders/" (Django), "api.example.com | 522: Connection timed out"
    // (Cloudflare): the part of the title that may name the error.
    let name = title.as_deref().map(|t| {
        let t = t.rsplit(" | ").next().unwrap_or(t);
        let t = t.split(" at /").next().unwrap_or(t);
        after_status(t, true).trim().to_string()
    });
    let reason = page_reason(title.as_deref(), &text);
    let full = match (reason, name) {
        // An exception class before its value: "ValueError: invalid literal for int()…".
        (Some(r), Some(n)) if shape(&n) == 1 && !says(&r, &n) && !is_generic(&n) => join(&n, &r),
        (Some(r), _) => r,
        (None, Some(n)) if shape(&n) > 0 => n,
        _ => return None,
    };
    let mut e = quoted(&full, &text);
    if text.is_empty() {
        e.detail = None;
    }
    Some(e)
}

pub(super) fn explain_xml(xml: &str) -> Option<Explanation> {
    let message = XML_MESSAGE_TAGS
        .iter()
        .find_map(|t| element_text(xml, t))
        .map(|m| after_status(&m, false).to_string())
        .filter(|m| shape(m) > 0);
    let code = XML_CODE_TAGS
        .iter()
        .find_map(|t| element_text(xml, t))
        .filter(|c| !is_generic(c));
    let full = match (code, message) {
        (Some(c), Some(m)) if !says(&m, &c) => join(&c, &m),
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
            let text = after_status(&text, true).to_string();
            if shape(&text) == 0 {
                return None;
            }
            text
        }
    };
    Some(quoted(&full, &full))
}
