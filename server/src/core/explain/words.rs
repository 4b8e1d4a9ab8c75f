//! The wording helpers: cleaning quoted text, telling generic words and sentence shapes apart,
//! joining and shortening. The word lists are data (see [`super::keys`] for the key tables).

use std::collections::HashSet;
use std::sync::OnceLock;

pub(super) fn ends_with_punct(s: &str) -> bool {
    s.ends_with(['.', '!', '?', ':', ';', '…'])
}

/// "Title: detail", or "Sentence. More" when the first part already ends a sentence.
pub(super) fn join(a: &str, b: &str) -> String {
    if ends_with_punct(a) {
        format!("{a} {b}")
    } else {
        format!("{a}: {b}")
    }
}

/// Whitespace and control characters collapsed to single spaces, trimmed, bounded.
pub(super) fn clean(s: &str) -> String {
    // Escape sequences go whole (not just their ESC), bidi and zero-width characters too. The
    // result is cut at 16 KiB anyway: look at no more than 64 KiB.
    let s = crate::core::visible::strip(crate::core::body::truncate(s, 64 << 10));
    let mut out = String::with_capacity(s.len().min(8192));
    // Control characters (a NUL, an escape sequence) are never passed on.
    for (i, w) in s
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .enumerate()
    {
        if out.len() > 16 * 1024 {
            break;
        }
        if i > 0 {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// Words that say nothing beyond the status line, whatever the code: with the reason phrases of
/// the status catalogue, they make the generic phrases.
const GENERIC_PHRASES: &[&str] = &[
    "error",
    "fail",
    "failed",
    "failure",
    "false",
    "true",
    "null",
    "nil",
    "none",
    "undefined",
    "unknown",
    "unknown error",
    "an error occurred",
    "an error has occurred",
    "an unexpected error occurred",
    "unexpected error",
    "error occurred",
    "internal error",
    "server error",
    "http error",
    "request failed",
    "no message available",
    "no message",
    "exception",
    "oops",
    "not ok",
    "ok",
    // What a log writes in place of a body it did not keep (`body-truncated` says so).
    "Response body was not logged",
    "Response body is too large",
    // n8n's messages for a status (its NodeApiError's `message`; the API's words are in its
    // `description`).
    "Your request is invalid or could not be processed by the service",
    "Bad request - please check your parameters",
    "Authorization failed - please check your credentials",
    "Payment required - perhaps check your payment details?",
    "Forbidden - perhaps check your credentials?",
    "The resource you are requesting could not be found",
    "Method not allowed - please check you are using the right HTTP method",
    "The service is receiving too many requests from you",
    "The service failed to process your request",
    "The service was not able to process your request",
    "Bad gateway - the service failed to handle your request",
    "Service unavailable - try again later or consider setting this node to retry automatically (in the node settings)",
    "Gateway timed out - perhaps try again later?",
];

/// Words dropped before comparing with the generic phrases: "HTTP 500", "Error code 522",
/// "Status: 404" say the status again.
const STATUS_NOISE: &[&str] = &["http", "https", "status", "code", "error", "errors", "err"];

/// Lowercase alphanumeric words, status noise and numbers dropped: "500 Internal Server Error"
/// and "Internal server error." compare equal.
fn normalize(s: &str) -> String {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !w.bytes().all(|b| b.is_ascii_digit()))
        .map(str::to_lowercase)
        .filter(|w| !STATUS_NOISE.contains(&w.as_str()))
        .collect::<Vec<_>>()
        .join(" ")
}

fn generic_set() -> &'static HashSet<String> {
    static SET: OnceLock<HashSet<String>> = OnceLock::new();
    SET.get_or_init(|| {
        use crate::core::status;
        // Vendor phrases of 5xx codes too (proxies and CDNs write them into their pages), not
        // of 4xx ones: "Invalid Token" (Esri's 498) is what an API may well mean by 401.
        let reasons = status::known_codes()
            .filter(|&code| status::is_standard(code) || code >= 500)
            .map(|code| {
                let reason = status::lookup(code, &Default::default()).reason;
                // "Connection timed out (Cloudflare)": the vendor is not what a body says.
                reason.split(" (").next().unwrap_or(&reason).to_string()
            });
        GENERIC_PHRASES
            .iter()
            .map(|s| s.to_string())
            .chain(reasons)
            .chain(
                [
                    "Content Too Large",
                    "Payload Too Large",
                    "Unprocessable Entity",
                ]
                .map(String::from),
            )
            .map(|s| normalize(&s))
            .collect()
    })
}

/// Says nothing beyond the status line: a reason phrase ("Bad Request", "500 Internal Server
/// Error"), a status number, "error", "Unknown error".
pub(super) fn is_generic(s: &str) -> bool {
    let n = normalize(s);
    n.is_empty() || generic_set().contains(&n)
}

/// Words of "something in the request was invalid" messages, which say that something is wrong
/// but not what: "Validation failed", "Invalid Form Body", "One or more validation errors
/// occurred." A message made only of these gives way to the specific ones next to it.
const VAGUE_WORDS: &[&str] = &[
    "a",
    "an",
    "the",
    "one",
    "or",
    "more",
    "some",
    "there",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "has",
    "have",
    "had",
    "could",
    "not",
    "didn",
    "t",
    "s",
    "your",
    "this",
    "with",
    "of",
    "in",
    "for",
    "on",
    "see",
    "validation",
    "validate",
    "validated",
    "valid",
    "invalid",
    "failed",
    "fail",
    "error",
    "errors",
    "occurred",
    "request",
    "requested",
    "body",
    "form",
    "input",
    "parameter",
    "parameters",
    "param",
    "params",
    "argument",
    "arguments",
    "record",
    "records",
    "resource",
    "submitted",
    "payload",
    "data",
    "value",
    "values",
    "property",
    "properties",
    "field",
    "fields",
    "contains",
    "unprocessable",
    "entity",
    "bad",
    "problem",
    "problems",
    "api",
    "array",
    "details",
    "specific",
    "action",
    "performed",
    "semantically",
    "incorrect",
    "business",
    "check",
    "constraint",
    "constraints",
    "violation",
    "violations",
    "given",
];

/// A message that only says the request was invalid, without saying what.
pub(super) fn is_vague(s: &str) -> bool {
    let words: Vec<String> = s
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    !words.is_empty() && words.iter().all(|w| VAGUE_WORDS.contains(&w.as_str()))
}

/// The shape of a string, the higher the more a human sentence: 0 nothing to say (empty, a
/// number, a URL, generic words), 1 an identifier or code (`channel_not_found`,
/// `NOT_FOUND`), 2 a few words, 3 a sentence (four words or more, or ending like one).
pub(super) fn shape(s: &str) -> u8 {
    let t = s.trim();
    if t.is_empty() || is_generic(t) || is_link(t) {
        return 0;
    }
    let words = t.split_whitespace().count();
    if words < 2 {
        return 1;
    }
    if words >= 4 || t.ends_with(['.', '!', '?']) {
        3
    } else {
        2
    }
}

fn is_link(t: &str) -> bool {
    !t.contains(char::is_whitespace)
        && (t.starts_with("http://") || t.starts_with("https://") || t.starts_with("www."))
}

/// Lowercase letters and digits only: "firstName" matches "First name must…".
pub(super) fn alnum_lower(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// `a` says everything `b` says (letters and digits compared, case ignored).
pub(super) fn says(a: &str, b: &str) -> bool {
    let b = alnum_lower(b);
    !b.is_empty() && alnum_lower(a).contains(&b)
}

/// Text after a leading status line or reason phrase: "500 Internal Server Error: connection
/// refused" → "connection refused". With `any`, a generic start is dropped even when nothing
/// separates it from the rest (an HTML page repeating its title: "Not Found The requested URL
/// …"); otherwise only when it holds a status number or ends at a separator.
pub(super) fn after_status(s: &str, any: bool) -> &str {
    let mut rest = s.trim();
    for _ in 0..4 {
        let words: Vec<(usize, &str)> = word_spans(rest).take(12).collect();
        let mut cut = None;
        for k in (1..=words.len()).rev() {
            let (start, w) = words[k - 1];
            let end = start + w.len();
            let head = &rest[..end];
            if !is_generic(head) {
                continue;
            }
            let after = rest[end..].trim_start();
            let separated = after.is_empty()
                || after.starts_with([':', '-', '–', '—', '|', '.'])
                || head.ends_with([':', '.', '|']);
            // "500 Internal Server Error" (a status number with words), not "100% sure".
            let numbered = !normalize(head).is_empty()
                && head.split_whitespace().any(|w| {
                    let d = w.trim_end_matches([':', ',', '.']);
                    d.len() == 3 && d.bytes().all(|b| b.is_ascii_digit())
                });
            if any || separated || numbered {
                cut = Some(end);
                break;
            }
        }
        match cut {
            Some(end) if end < rest.len() => {
                rest = rest[end..].trim_start_matches(|c: char| {
                    c.is_whitespace() || matches!(c, ':' | '-' | '–' | '—' | '|' | '.' | ',')
                });
            }
            Some(_) => return "",
            None => break,
        }
    }
    rest
}

/// Whitespace-separated words with their byte offsets.
fn word_spans(s: &str) -> impl Iterator<Item = (usize, &str)> {
    s.split_whitespace()
        .map(move |w| (w.as_ptr() as usize - s.as_ptr() as usize, w))
}

/// Cuts at a word boundary to at most `max` characters, adding "…".
pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let limit = max.saturating_sub(1);
    let cut = s.char_indices().nth(limit).map_or(s.len(), |(i, _)| i);
    let head = &s[..cut];
    // Prefer a word boundary in the last third.
    let at = head
        .rfind(char::is_whitespace)
        .filter(|&i| head[..i].chars().count() > max * 2 / 3)
        .unwrap_or(cut);
    let mut out = head[..at]
        .trim_end()
        .trim_end_matches([',', ';', ':'])
        .to_string();
    out.push('…');
    out
}

pub(super) fn shorten_keep_lines(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut = s
        .char_indices()
        .nth(max.saturating_sub(1))
        .map_or(s.len(), |(i, _)| i);
    format!("{}…", &s[..cut])
}
