//! The wording helpers: cleaning quoted text, telling generic words apart, joining and
//! shortening.

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

/// Words that say nothing beyond the status line.
pub(super) fn is_generic(s: &str) -> bool {
    const GENERIC: &[&str] = &[
        "error",
        "errors",
        "err",
        "fail",
        "failed",
        "failure",
        "false",
        "null",
        "none",
        "unknown",
        "unknown error",
        "an error occurred",
        "an error occurred.",
        "no message available",
        "bad request",
        "unauthorized",
        "payment required",
        "forbidden",
        "not found",
        "method not allowed",
        "not acceptable",
        "request timeout",
        "conflict",
        "gone",
        "precondition failed",
        "payload too large",
        "unsupported media type",
        "unprocessable entity",
        "unprocessable content",
        "too many requests",
        "internal server error",
        "not implemented",
        "bad gateway",
        "service unavailable",
        "gateway timeout",
    ];
    let t = s.trim().trim_end_matches('.');
    t.is_empty()
        || t.bytes().all(|b| b.is_ascii_digit())
        || GENERIC
            .iter()
            .any(|g| g.trim_end_matches('.').eq_ignore_ascii_case(t))
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
