//! Bodies that are not JSON: plain text (including form-encoded OAuth errors), HTML pages and
//! XML error documents. Each gives its first reason sentence, after what only repeats the
//! status line.

use super::json::read_value;
use super::keys::{
    PAGE_BOILERPLATE, PAGE_LABELS, TRACEBACK_FRAME, TRACEBACK_HEADER, TRACEBACK_SOURCE_INDENT,
    XML_CODE_TAGS, XML_MESSAGE_TAGS,
};
use super::parts::{unembed_json, Parts};
use super::words::{
    after_status, clean, is_generic, join, says, shape, shorten, shorten_keep_lines,
};
use super::{Explanation, MAX_DETAIL_CHARS, MAX_SUMMARY_CHARS};
use crate::core::body::{element_text, visible_text};
use serde_json::{Map, Value};

/// How many lines of a text body, and sentences of a page, are looked at.
const MAX_LINES: usize = 50;
/// How many lines of a traceback are looked at (its reason is at its end).
const MAX_TRACEBACK_LINES: usize = 4000;
/// How much of a JSON text cut short is scanned for the values complete before the cut.
const MAX_CUT_JSON: usize = 1 << 20;

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
    if let Some(e) = explain_json_text(text) {
        return Some(e);
    }
    if let Some(reason) = traceback_reason(text) {
        return Some(quoted(&reason, text));
    }
    // The first line that says more than the status line, from where it does.
    let line = text
        .lines()
        .take(MAX_LINES)
        .filter(|l| l.trim() != TRACEBACK_HEADER)
        .map(clean)
        .map(|l| after_status(&l, false).to_string())
        .find(|l| shape(l) > 0)?;
    Some(quoted(&line, text))
}

/// Text that is JSON after all: "409 - {json}" (a status and the body it came with), or a JSON
/// body the exporter cut short, read for what the values complete before the cut say.
fn explain_json_text(text: &str) -> Option<Explanation> {
    let t = text.trim();
    if !t.starts_with(|c: char| c.is_ascii_digit() || c == '{' || c == '[') {
        return None;
    }
    if let std::borrow::Cow::Owned(summary) = unembed_json(&clean(t)) {
        return Some(quoted(&summary, text));
    }
    let value = complete_prefix(t)?;
    let mut parts = Parts::default();
    read_value(&value, &mut parts);
    parts.finish()
}

/// The JSON value of a text cut short: everything up to the last point where the containers
/// still open can be closed (after a complete member or element, or an opening bracket), with
/// them closed. `None` for text that is not JSON cut short.
fn complete_prefix(text: &str) -> Option<Value> {
    let bytes = text.as_bytes();
    if !matches!(bytes.first(), Some(b'{' | b'[')) {
        return None;
    }
    // Closers of the open containers; the last cut point and how many were open there.
    let mut open: Vec<u8> = Vec::new();
    let mut cut: Option<(usize, usize)> = None;
    let (mut in_string, mut escaped) = (false, false);
    for (i, &b) in bytes.iter().enumerate().take(MAX_CUT_JSON) {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                open.push(if b == b'{' { b'}' } else { b']' });
                cut = Some((i + 1, open.len()));
            }
            b'}' | b']' => {
                open.pop();
                if open.is_empty() {
                    // A whole value, then more: not a value cut short.
                    return None;
                }
                cut = Some((i + 1, open.len()));
            }
            b',' => cut = Some((i, open.len())),
            _ => {}
        }
    }
    let (end, depth) = cut?;
    // The containers open at the cut are the first `depth` still recorded: one closed after
    // the cut would have moved it.
    let mut repaired = text[..end].to_string();
    repaired.extend(open[..depth].iter().rev().map(|&c| char::from(c)));
    serde_json::from_str(&repaired).ok()
}

/// A Python traceback's reason: its last exception line (`KeyError: 'amount'`, unindented
/// right after a frame's indented lines; chained tracebacks have one each), else, for a
/// traceback cut before its end, the last frame it shows with its source line.
fn traceback_reason(text: &str) -> Option<String> {
    let lines: Vec<&str> = text
        .lines()
        .skip_while(|l| l.trim() != TRACEBACK_HEADER)
        .take(MAX_TRACEBACK_LINES)
        .collect();
    let indented = |l: &str| l.starts_with([' ', '\t']);
    let exception = lines
        .windows(2)
        .rev()
        .find(|w| indented(w[0]) && is_exception_line(w[1]))
        .map(|w| clean(w[1]));
    if exception.is_some() {
        return exception;
    }
    let frame = lines
        .iter()
        .rposition(|l| l.trim_start().starts_with(TRACEBACK_FRAME))?;
    let location = clean(lines[frame]);
    let source = lines
        .get(frame + 1)
        .filter(|l| l.starts_with(TRACEBACK_SOURCE_INDENT))
        .map(|l| clean(l));
    Some(match source {
        Some(source) => join(&location, &source),
        None => location,
    })
}

/// `KeyError: 'amount'`, `psycopg2.errors.UniqueViolation: duplicate key …`, `KeyboardInterrupt`:
/// an exception's dotted name, unindented, then its message if any.
fn is_exception_line(line: &str) -> bool {
    let (name, message) = match line.split_once(':') {
        Some((name, message)) => (name, Some(message)),
        None => (line.trim_end(), None),
    };
    let dotted = name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    let last = name.rsplit('.').next().unwrap_or(name);
    dotted
        && last.starts_with(|c: char| c.is_ascii_uppercase())
        && message.is_none_or(|m| m.starts_with(' ') || m.is_empty())
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
        // `get`: the title's length need not fall on a character boundary of the text.
        if rest
            .get(..t.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(t))
        {
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
