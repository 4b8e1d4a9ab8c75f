//! Body decoding: whatever way the log stores the response body (inline JSON, escaped or
//! double-escaped JSON string, base64, byte array, text, HTML, XML), get at what it says.

use super::lex::{self, Token};
use super::line_index::floor_char_boundary;
use super::model::{BodyEncoding, BodyRef};
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;

/// A decoded body. JSON keeps key order and number text (serde_json `preserve_order` +
/// `arbitrary_precision`).
#[derive(Debug, Clone, PartialEq)]
pub enum DecodedBody {
    Empty,
    Json(serde_json::Value),
    Text(String),
    /// An HTML page: its `<title>` / first heading, and its visible text.
    Html {
        title: Option<String>,
        text: String,
    },
    /// An XML document (S3-style `<Error><Message>`).
    Xml(String),
    /// Bytes that are not text.
    Binary {
        len: usize,
    },
}

/// Bodies longer than this (decoded) are cut before classification: enough for any error body,
/// bounded work for a multi-gigabyte capture.
pub const MAX_DECODED_LEN: usize = 16 << 20;

/// How many times a string may hold JSON string holding JSON before we stop unwrapping.
const MAX_STRING_LEVELS: usize = 4;

/// The visible text kept from an HTML page (the explanation needs a sentence, not a book).
const MAX_HTML_TEXT: usize = 64 << 10;

/// The decoded-size cap of one decoding, and whether it cut anything.
struct Cap {
    max: usize,
    cut: bool,
}

impl Cap {
    fn str<'a>(&mut self, s: &'a str) -> &'a str {
        let kept = truncate(s, self.max);
        self.cut |= kept.len() < s.len();
        kept
    }
}

/// Decodes the body at `body.span` in `text`. Never panics; bounded work for huge bodies.
pub fn decode(text: &str, body: &BodyRef) -> DecodedBody {
    decode_limited(text, body, MAX_DECODED_LEN).0
}

/// [`decode`] with a cap of `max` bytes on the decoded text (`runlog.limits.maxBodySize`);
/// the flag says the body was longer and only its first `max` bytes were read. Inline JSON
/// bodies are read whole (they are already in the text).
pub fn decode_limited(text: &str, body: &BodyRef, max: usize) -> (DecodedBody, bool) {
    let mut cap = Cap { max, cut: false };
    let decoded = decode_with(text, body, &mut cap);
    (decoded, cap.cut)
}

fn decode_with(text: &str, body: &BodyRef, cap: &mut Cap) -> DecodedBody {
    let Some(raw) = text.get(body.span.start..body.span.end) else {
        return DecodedBody::Empty;
    };
    let mime = body.mime_type.as_deref();
    let raw = raw.trim();
    if raw.is_empty() {
        return DecodedBody::Empty;
    }
    match body.encoding {
        BodyEncoding::Inline | BodyEncoding::String => match parse_log_value(raw) {
            Some(serde_json::Value::String(s)) => classify_text_with(&s, mime, cap),
            Some(value) => DecodedBody::Json(value),
            // Not JSON at all (a hand-edited log, JSONC): read the raw text.
            None => classify_text_with(raw, mime, cap),
        },
        BodyEncoding::Base64 => match parse_json(raw) {
            Some(serde_json::Value::String(s)) => match decode_base64(&s) {
                Some(bytes) => classify_bytes(bytes, mime, cap),
                // Logs that say "base64" but hold plain text exist: read the text.
                None => classify_text_with(&s, mime, cap),
            },
            Some(value) => DecodedBody::Json(value),
            None => classify_text_with(raw, mime, cap),
        },
        BodyEncoding::ByteArray => match parse_json(raw) {
            Some(value) => match byte_array(&value, cap.max) {
                Some(bytes) => classify_bytes(bytes, mime, cap),
                None => DecodedBody::Json(value),
            },
            None => DecodedBody::Text(cap.str(raw).to_string()),
        },
    }
}

/// The bytes of a body stored encoded (base64, a byte array), inflated when they are gzip, at
/// most about `max` of them: what [`decode_limited`] reads as text. `None` when the body is not
/// encoded or does not decode, and is then read as the text it is.
pub(crate) fn encoded_bytes(text: &str, body: &BodyRef, max: usize) -> Option<Vec<u8>> {
    let raw = text.get(body.span.start..body.span.end)?.trim();
    match body.encoding {
        BodyEncoding::Base64 => match parse_json(raw)? {
            serde_json::Value::String(s) => decoded_base64(&s, max),
            _ => None,
        },
        BodyEncoding::ByteArray => Some(gunzip(byte_array(&parse_json(raw)?, max)?, max)),
        BodyEncoding::Inline | BodyEncoding::String => None,
    }
}

/// The bytes a body stored as the base64 text `s` holds, inflated when they are gzip (at most
/// about `max` of those); `None` when `s` is not base64.
pub(crate) fn decoded_base64(s: &str, max: usize) -> Option<Vec<u8>> {
    Some(gunzip(decode_base64(s)?, max))
}

/// Decodes body bytes as the log would have them (UTF-8 text, else binary).
pub fn decode_bytes(bytes: Vec<u8>, mime_type: Option<&str>) -> DecodedBody {
    let mut cap = Cap {
        max: MAX_DECODED_LEN,
        cut: false,
    };
    classify_bytes(bytes, mime_type, &mut cap)
}

/// Classifies body text: JSON (also a string holding JSON, up to a few levels), HTML, XML,
/// empty or plain text.
pub fn classify_text(s: &str, mime_type: Option<&str>) -> DecodedBody {
    let mut cap = Cap {
        max: MAX_DECODED_LEN,
        cut: false,
    };
    classify_text_with(s, mime_type, &mut cap)
}

fn classify_text_with(s: &str, mime_type: Option<&str>, cap: &mut Cap) -> DecodedBody {
    let mut current = std::borrow::Cow::Borrowed(cap.str(s));
    for _ in 0..MAX_STRING_LEVELS {
        let t = current.trim_start_matches('\u{feff}').trim();
        if t.is_empty() {
            return DecodedBody::Empty;
        }
        let first = t.as_bytes()[0];
        let json_hint = mime_type.is_some_and(is_json_mime);
        if matches!(first, b'{' | b'[' | b'"') || json_hint {
            match parse_json(t) {
                Some(serde_json::Value::String(inner)) => {
                    current = std::borrow::Cow::Owned(inner);
                    continue;
                }
                Some(value) => return DecodedBody::Json(value),
                None => {}
            }
        }
        return classify_markup_or_text(t, mime_type);
    }
    DecodedBody::Text(current.trim().to_string())
}

impl DecodedBody {
    /// What the body is, in a word: "json", "html", "xml", "text", "binary" or "empty".
    pub fn kind(&self) -> &'static str {
        match self {
            DecodedBody::Empty => "empty",
            DecodedBody::Json(_) => "json",
            DecodedBody::Text(_) => "text",
            DecodedBody::Html { .. } => "html",
            DecodedBody::Xml(_) => "xml",
            DecodedBody::Binary { .. } => "binary",
        }
    }
}

/// How the log stores a body, in words ("escaped JSON string", "base64").
pub fn storage_label(encoding: BodyEncoding) -> &'static str {
    match encoding {
        BodyEncoding::Inline => "inline JSON",
        BodyEncoding::String => "string",
        BodyEncoding::Base64 => "base64",
        BodyEncoding::ByteArray => "byte array",
    }
}

/// Pretty text of a decoded body, for the payload view and hovers.
pub fn pretty(body: &DecodedBody) -> String {
    match body {
        DecodedBody::Empty => String::new(),
        DecodedBody::Json(v) => serde_json::to_string_pretty(v).unwrap_or_default(),
        DecodedBody::Text(t) | DecodedBody::Xml(t) => t.clone(),
        DecodedBody::Html { title, text } => match title {
            Some(title) if !text.starts_with(title.as_str()) => format!("{title}\n\n{text}"),
            _ => text.clone(),
        },
        DecodedBody::Binary { len } => format!("({len} bytes of binary data)"),
    }
}

/// Cuts `s` to at most `max` bytes, on a char boundary.
pub(crate) fn truncate(s: &str, max: usize) -> &str {
    &s[..floor_char_boundary(s, max)]
}

fn parse_json(s: &str) -> Option<serde_json::Value> {
    // serde_json stops at 128 levels of nesting with an error; that error means "not JSON we
    // read", and the caller falls back to text.
    serde_json::from_str(s).ok()
}

/// The value of an inline body in a JSONC log: as JSON, or with comments and trailing commas
/// taken out when that is what stops it from being JSON.
fn parse_log_value(s: &str) -> Option<serde_json::Value> {
    parse_json(s).or_else(|| {
        let plain = strip_jsonc(s)?;
        parse_json(&plain)
    })
}

/// `s` with `//` and `/* */` comments blanked and trailing commas removed; `None` when it has
/// neither (nothing to retry).
fn strip_jsonc(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut changed = false;
    let mut copied = 0;
    for lexeme in lex::lexemes(b) {
        // The whitespace before the lexeme stays.
        out.extend_from_slice(&b[copied..lexeme.start]);
        copied = lexeme.end;
        match lexeme.token {
            Token::LineComment => changed = true,
            Token::BlockComment { .. } => {
                out.push(b' ');
                changed = true;
            }
            Token::Close(_) => {
                // Drop a trailing comma before the closer (whitespace may sit between).
                let mut j = out.len();
                while j > 0 && out[j - 1].is_ascii_whitespace() {
                    j -= 1;
                }
                if j > 0 && out[j - 1] == b',' {
                    out.remove(j - 1);
                    changed = true;
                }
                out.extend_from_slice(&b[lexeme.start..lexeme.end]);
            }
            _ => out.extend_from_slice(&b[lexeme.start..lexeme.end]),
        }
    }
    if !changed {
        return None;
    }
    // Only ASCII bytes were removed or inserted outside strings: still UTF-8.
    String::from_utf8(out).ok()
}

fn is_json_mime(mime: &str) -> bool {
    let m = mime.to_ascii_lowercase();
    m.contains("json")
}

fn decode_base64(s: &str) -> Option<Vec<u8>> {
    // Line-wrapped base64 (MIME) holds whitespace; most bodies hold none and are read in place.
    let cleaned: std::borrow::Cow<[u8]> = if s.bytes().any(|b| b.is_ascii_whitespace()) {
        s.bytes().filter(|b| !b.is_ascii_whitespace()).collect()
    } else {
        s.as_bytes().into()
    };
    const LAX: GeneralPurposeConfig = GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true);
    static STANDARD: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::STANDARD, LAX);
    static URL_SAFE: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::URL_SAFE, LAX);
    if let Ok(bytes) = STANDARD.decode(&cleaned) {
        return Some(bytes);
    }
    URL_SAFE.decode(&cleaned).ok()
}

/// The bytes of a byte-array body; one more than `max` at most, so a cut can be noticed.
fn byte_array(value: &serde_json::Value, max: usize) -> Option<Vec<u8>> {
    // Newman writes `{"type": "Buffer", "data": [...]}`; accept the object as well as the array.
    let array = match value {
        serde_json::Value::Array(a) => a,
        serde_json::Value::Object(o) => o.get("data")?.as_array()?,
        _ => return None,
    };
    let keep = max.saturating_add(1);
    let mut bytes = Vec::with_capacity(array.len().min(keep));
    for item in array.iter().take(keep) {
        let n = item.as_u64()?;
        bytes.push(u8::try_from(n).ok()?);
    }
    Some(bytes)
}

/// The bytes of a gzip stream (magic `1f 8b`: Betamax keeps a `Content-Encoding: gzip` body as
/// it came off the wire) inflated, one more than `max` at most so a cut can be noticed; the
/// bytes unchanged when they are not gzip or do not inflate.
fn gunzip(bytes: Vec<u8>, max: usize) -> Vec<u8> {
    use std::io::Read as _;
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return bytes;
    }
    let mut out = Vec::new();
    let limit = u64::try_from(max.saturating_add(1)).unwrap_or(u64::MAX);
    match flate2::read::GzDecoder::new(bytes.as_slice())
        .take(limit)
        .read_to_end(&mut out)
    {
        Ok(_) => out,
        // A stream cut at the cap's edge still gave its first bytes; a broken one, nothing.
        Err(_) if out.len() as u64 >= limit => out,
        Err(_) => bytes,
    }
}

fn classify_bytes(bytes: Vec<u8>, mime: Option<&str>, cap: &mut Cap) -> DecodedBody {
    let mut bytes = gunzip(bytes, cap.max);
    if bytes.len() > cap.max {
        cap.cut = true;
        bytes.truncate(cap.max);
        // A cut may land inside a UTF-8 sequence: drop the partial char.
        if let Err(e) = std::str::from_utf8(&bytes) {
            if e.error_len().is_none() {
                bytes.truncate(e.valid_up_to());
            }
        }
    }
    match String::from_utf8(bytes) {
        Ok(s) => classify_text_with(&s, mime, cap),
        Err(e) => DecodedBody::Binary {
            len: e.into_bytes().len(),
        },
    }
}

fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

fn classify_markup_or_text(t: &str, mime: Option<&str>) -> DecodedBody {
    let mime_lc = mime.map(str::to_ascii_lowercase).unwrap_or_default();
    let markup = t.starts_with('<');
    // Pages may open with a comment or an XML prolog before `<html>`: look a little way in.
    let head = truncate(t, 1024);
    let is_html = markup
        && (starts_with_ci(t, "<!doctype html")
            || mime_lc.contains("html")
            || find_ci(head, "<html", 0).is_some()
            || starts_with_ci(t, "<head")
            || starts_with_ci(t, "<body")
            || starts_with_ci(t, "<title"));
    if is_html {
        let (title, text) = html_title_and_text(t);
        return DecodedBody::Html { title, text };
    }
    let second = t.as_bytes().get(1).copied().unwrap_or(b' ');
    if markup
        && (second == b'?'
            || second == b'!'
            || second.is_ascii_alphabetic()
            || mime_lc.contains("xml"))
    {
        return DecodedBody::Xml(t.to_string());
    }
    DecodedBody::Text(t.to_string())
}

/// Finds `needle` (ASCII, lowercase) in `hay` ignoring ASCII case, from byte `from`.
pub(crate) fn find_ci(hay: &str, needle: &str, from: usize) -> Option<usize> {
    let h = hay.as_bytes();
    let n = needle.as_bytes();
    if n.is_empty() || from > h.len() || h.len() - from < n.len() {
        return None;
    }
    (from..=h.len() - n.len()).find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

/// The inner text of the first `<tag ...>...</tag>` element, tags stripped, entities decoded.
pub(crate) fn element_text(markup: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}");
    let mut from = 0;
    loop {
        let start = find_ci(markup, &open, from)?;
        let after = start + open.len();
        // `<title>` but not `<titlebar>`.
        match markup.as_bytes().get(after) {
            Some(b'>') | Some(b' ') | Some(b'\t') | Some(b'\n') | Some(b'\r') | Some(b'/') => {}
            _ => {
                from = after;
                continue;
            }
        }
        let content_start = markup[after..].find('>')? + after + 1;
        let close = format!("</{tag}");
        let content_end = find_ci(markup, &close, content_start).unwrap_or(markup.len());
        let text = visible_text(&markup[content_start..content_end], MAX_HTML_TEXT);
        return if text.is_empty() { None } else { Some(text) };
    }
}

fn html_title_and_text(html: &str) -> (Option<String>, String) {
    let stripped = strip_raw_text_elements(html);
    let html = stripped.as_str();
    let title = element_text(html, "title").or_else(|| element_text(html, "h1"));
    let body_start = find_ci(html, "<body", 0)
        .or_else(|| find_ci(html, "</head", 0))
        .unwrap_or(0);
    let text = visible_text(&html[body_start..], MAX_HTML_TEXT);
    (title, text)
}

/// The markup without comments and `<script>`/`<style>` contents, whose text is not shown and
/// may contain tags of its own.
fn strip_raw_text_elements(html: &str) -> String {
    let mut out = String::with_capacity(html.len().min(MAX_DECODED_LEN));
    let mut i = 0;
    while let Some(lt) = html[i..].find('<').map(|n| i + n) {
        out.push_str(&html[i..lt]);
        let rest = &html[lt..];
        if rest.starts_with("<!--") {
            i = rest.find("-->").map_or(html.len(), |e| lt + e + 3);
            continue;
        }
        let raw_tag = ["script", "style"].into_iter().find(|t| {
            starts_with_ci(&rest[1..], t)
                && matches!(
                    rest.as_bytes().get(1 + t.len()),
                    Some(b'>' | b' ' | b'\t' | b'\n' | b'\r')
                )
        });
        match raw_tag {
            Some(tag) => {
                let close = format!("</{tag}");
                i = match find_ci(html, &close, lt + 1) {
                    Some(c) => html[c..].find('>').map_or(html.len(), |e| c + e + 1),
                    None => html.len(),
                };
                out.push(' ');
            }
            None => {
                out.push('<');
                i = lt + 1;
            }
        }
    }
    out.push_str(&html[i..]);
    out
}

/// The text a browser would show: tags stripped, `<script>`/`<style>`/`<head>` skipped,
/// entities decoded, whitespace collapsed; at most `max` bytes.
pub(crate) fn visible_text(html: &str, max: usize) -> String {
    let mut raw = String::new();
    let bytes = html.as_bytes();
    let mut i = 0;
    while i < bytes.len() && raw.len() < max * 2 {
        if bytes[i] == b'<' {
            let rest = &html[i..];
            if rest.starts_with("<!--") {
                i = rest.find("-->").map_or(bytes.len(), |e| i + e + 3);
                continue;
            }
            let mut skipped = false;
            for skip in ["script", "style", "head", "noscript", "template"] {
                let open = format!("<{skip}");
                if starts_with_ci(rest, &open)
                    && matches!(
                        rest.as_bytes().get(open.len()),
                        Some(b'>' | b' ' | b'\t' | b'\n' | b'\r')
                    )
                {
                    let close = format!("</{skip}");
                    i = match find_ci(html, &close, i + open.len()) {
                        Some(c) => html[c..].find('>').map_or(bytes.len(), |e| c + e + 1),
                        None => bytes.len(),
                    };
                    skipped = true;
                    break;
                }
            }
            if skipped {
                raw.push(' ');
                continue;
            }
            match rest.find('>') {
                Some(e) => {
                    // Block-level tags separate words; inline ones (<b>, <a>) do not.
                    let name = rest[1..e]
                        .trim_start_matches('/')
                        .split(|c: char| c.is_ascii_whitespace() || c == '/')
                        .next()
                        .unwrap_or("")
                        .to_ascii_lowercase();
                    if !matches!(
                        name.as_str(),
                        "a" | "b"
                            | "i"
                            | "em"
                            | "strong"
                            | "span"
                            | "code"
                            | "small"
                            | "u"
                            | "abbr"
                    ) {
                        raw.push(' ');
                    }
                    i += e + 1;
                }
                None => break,
            }
        } else {
            let next = html[i..].find('<').map_or(bytes.len(), |n| i + n);
            raw.push_str(&html[i..next]);
            i = next;
        }
    }
    let decoded = decode_entities(&raw);
    let mut out = String::with_capacity(decoded.len().min(max));
    for word in decoded.split_whitespace() {
        if out.len() + word.len() + 1 > max {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Decodes HTML/XML character references (the named ones error pages use, and numeric ones).
pub(crate) fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let semi = after
            .char_indices()
            .take(12)
            .find(|&(_, c)| c == ';')
            .map(|(i, _)| i);
        let decoded = semi.and_then(|semi| {
            let name = &after[..semi];
            let ch = if let Some(num) = name.strip_prefix('#') {
                let n = if let Some(hex) = num.strip_prefix(['x', 'X']) {
                    u32::from_str_radix(hex, 16).ok()
                } else {
                    num.parse::<u32>().ok()
                };
                n.and_then(char::from_u32)
            } else {
                match name {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    "nbsp" => Some(' '),
                    "copy" => Some('©'),
                    "reg" => Some('®'),
                    "mdash" => Some('—'),
                    "ndash" => Some('–'),
                    "hellip" => Some('…'),
                    "laquo" => Some('«'),
                    "raquo" => Some('»'),
                    "rsquo" => Some('’'),
                    "lsquo" => Some('‘'),
                    "rdquo" => Some('”'),
                    "ldquo" => Some('“'),
                    "middot" => Some('·'),
                    "bull" => Some('•'),
                    _ => None,
                }
            };
            ch.map(|c| (c, semi))
        });
        match decoded {
            Some((c, semi)) => {
                out.push(c);
                rest = &after[semi + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests;
