//! Copy as cURL: the request of one call as a `curl` command line for a POSIX shell, every secret
//! turned into a shell variable named after its key, so the command can be pasted into a ticket.
//!
//! Secrets by name (secret headers, JSON keys and form or query parameters, the built-in names
//! and the user's `runlog.redact`, URL userinfo) become `$NAME` (the key upper-cased, every other
//! character `_`), listed in a comment line above the command. Everything else goes through the
//! call report's `Redactor`, which hides any other occurrence of a secret value (an API that
//! echoes the token in the body). The method, URL and headers come from the exchange (already
//! redacted by name); headers are read again from the request object when the log keeps them in
//! an escaped JSON string or marks some disabled (Newman); the body from its span.

use super::model::{Analysis, AnalysisConfig, BodyEncoding, Exchange, Header};
use super::redact::{self, REDACTED};
use super::report::{report_for, Redactor};
use super::visible;
use serde_json::Value;

/// A `curl` command line and the shell variables it expects.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Curl {
    /// Comment lines (variables to set, notes) then the command, lines joined with ` \`.
    pub command: String,
    /// The shell variables standing for secrets, in order of first use.
    pub variables: Vec<String>,
}

/// The `curl` command of `analysis.exchanges[exchange]` in `text`; `None` when the log records
/// no URL for it.
pub fn curl(
    text: &str,
    analysis: &Analysis,
    exchange: usize,
    config: &AnalysisConfig,
) -> Option<Curl> {
    let ex = analysis.exchanges.get(exchange)?;
    let report = report_for(analysis, text, exchange, config)?;
    build(text, ex, &report.redactor, config)
}

/// One piece of a shell word: literal text, or a variable that must expand.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Lit(String),
    Var(String),
}

type Word = Vec<Seg>;

/// What to send as the body.
enum Body {
    None,
    /// `--data-raw`, possibly holding variables.
    Raw(Word),
    /// `--data-urlencode` pairs (Newman `urlencoded`).
    Form(Vec<Word>),
    /// Not inlined (binary, too large): `--data-binary @-` with a note why.
    Piped(&'static str),
}

struct Builder<'a> {
    extra: &'a [String],
    redactor: &'a Redactor,
    variables: Vec<String>,
}

impl Builder<'_> {
    /// The variable for a secret under `key`, remembered for the comment line.
    fn var(&mut self, key: &str) -> Seg {
        let name = variable_name(key);
        if !self.variables.contains(&name) {
            self.variables.push(name.clone());
        }
        Seg::Var(name)
    }
}

fn build(text: &str, ex: &Exchange, redactor: &Redactor, config: &AnalysisConfig) -> Option<Curl> {
    let url = ex.request.url.as_deref().filter(|u| !u.trim().is_empty())?;
    let mut b = Builder {
        extra: &config.redact,
        redactor,
        variables: Vec::new(),
    };
    let request = ex
        .request
        .span
        .and_then(|s| text.get(s.start..s.end))
        .and_then(|s| serde_json::from_str::<Value>(s).ok())
        .and_then(|v| match v {
            Value::Object(m) => Some(m),
            _ => None,
        });

    let (url_word, userinfo) = url_word(&mut b, url);
    let headers = match request.as_ref().and_then(request_headers) {
        Some(h) => h.into(),
        None => ex.request.headers.clone(),
    };
    let url_authority = authority(url);
    let mut header_words = Vec::new();
    let mut compressed = false;
    for h in headers.iter() {
        let name = one_line(&h.name);
        let lower = name.to_ascii_lowercase();
        // HTTP/2 pseudo-headers and what curl computes itself.
        if name.is_empty() || name.starts_with(':') || lower == "content-length" {
            continue;
        }
        if lower == "host" && url_authority.is_some_and(|a| a.eq_ignore_ascii_case(h.value.trim()))
        {
            continue;
        }
        if lower == "accept-encoding" {
            compressed = true;
        }
        header_words.push(header_word(&mut b, &name, &h.value));
    }
    let body = body_of(&mut b, text, ex, request.as_ref(), config);

    let method = ex
        .request
        .method
        .as_deref()
        .map(|m| one_line(m).trim().to_ascii_uppercase())
        .filter(|m| !m.is_empty());
    let has_body = !matches!(body, Body::None);
    let mut first = vec!["curl".to_string()];
    match method.as_deref() {
        Some("HEAD") if !has_body => first.push("--head".to_string()),
        Some("GET") | None if !has_body => {}
        Some("POST") | None if has_body => {}
        None => {}
        Some(m) => {
            first.push("-X".to_string());
            first.push(quote(&[Seg::Lit(m.to_string())]));
        }
    }
    first.push(quote(&url_word));
    let mut lines = vec![first.join(" ")];
    if let Some(u) = userinfo {
        lines.push(format!("-u {}", quote(&u)));
    }
    for h in &header_words {
        lines.push(format!("-H {}", quote(h)));
    }
    if compressed {
        lines.push("--compressed".to_string());
    }
    let mut notes = Vec::new();
    match &body {
        Body::None => {}
        Body::Raw(w) => {
            if word_has_invisible(w) {
                notes.push("# the body holds control or invisible characters, kept as they are");
            }
            lines.push(format!("--data-raw {}", quote(w)));
        }
        Body::Form(pairs) => {
            for p in pairs {
                lines.push(format!("--data-urlencode {}", quote(p)));
            }
        }
        Body::Piped(why) => {
            notes.push(why);
            lines.push("--data-binary @-".to_string());
        }
    }
    let mut out = String::new();
    if !b.variables.is_empty() {
        out.push_str(&format!(
            "# set {} before running\n",
            b.variables.join(", ")
        ));
    }
    for n in notes {
        out.push_str(n);
        out.push('\n');
    }
    out.push_str(&lines.join(" \\\n  "));
    Some(Curl {
        command: out,
        variables: b.variables,
    })
}

/// `X-API-Key` → `X_API_KEY`: upper-cased, every character but ASCII letters and digits `_`.
fn variable_name(key: &str) -> String {
    let mut name: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    let trimmed = name.trim_matches('_');
    if trimmed.is_empty() {
        return "SECRET".to_string();
    }
    name = trimmed.to_string();
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    name
}

/// Text from the log on one line, without anything invisible (headers, URL, method).
fn one_line(s: &str) -> String {
    visible::strip(s)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The host (and port) of a URL, for a `Host` header that only repeats it.
fn authority(url: &str) -> Option<&str> {
    let after = &url[url.find("://")? + 3..];
    let end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let auth = &after[..end];
    Some(auth.rsplit_once('@').map_or(auth, |(_, host)| host))
}

/// The URL as a word (secret query parameters as variables, the fragment dropped: curl never
/// sends it), and the variable for its userinfo (sent with `-u` instead).
fn url_word(b: &mut Builder<'_>, url: &str) -> (Word, Option<Word>) {
    let url = b.redactor.url(&one_line(url));
    let url = url.split('#').next().unwrap_or_default();
    let (mut head, query) = match url.split_once('?') {
        Some((h, q)) => (h.to_string(), Some(q)),
        None => (url.to_string(), None),
    };
    let mut userinfo = None;
    if let Some(scheme_end) = head.find("://") {
        let after = scheme_end + 3;
        let end = head[after..].find('/').map_or(head.len(), |i| after + i);
        if let Some(at) = head[after..end].rfind('@') {
            head.replace_range(after..after + at + 1, "");
            userinfo = Some(vec![b.var("userinfo")]);
        }
    }
    let mut word = vec![Seg::Lit(head)];
    if let Some(query) = query {
        push_lit(&mut word, "?");
        pairs_into(b, query, &mut word);
    }
    (word, userinfo)
}

/// `a=1&api_key=[redacted]` into `word`, a secret parameter's value as its variable.
fn pairs_into(b: &mut Builder<'_>, pairs: &str, word: &mut Word) {
    for (i, pair) in pairs.split('&').enumerate() {
        if i > 0 {
            push_lit(word, "&");
        }
        match pair.split_once('=') {
            Some((name, value))
                if !value.is_empty()
                    && redact::is_secret_query_param(&redact::decode_component(name), b.extra) =>
            {
                push_lit(word, &format!("{name}="));
                let var = b.var(&redact::decode_component(name));
                word.push(var);
            }
            _ => push_lit(word, pair),
        }
    }
}

fn push_lit(word: &mut Word, s: &str) {
    if s.is_empty() {
        return;
    }
    if let Some(Seg::Lit(last)) = word.last_mut() {
        last.push_str(s);
    } else {
        word.push(Seg::Lit(s.to_string()));
    }
}

/// `Name: value`; a secret header's value is its variable, after the auth scheme if it has one.
fn header_word(b: &mut Builder<'_>, name: &str, value: &str) -> Word {
    let value = one_line(value);
    let value = value.trim();
    if value.is_empty() {
        // `-H 'X-Empty;'` sends an empty header (`-H 'X-Empty:'` would remove it).
        return vec![Seg::Lit(format!("{name};"))];
    }
    if redact::is_secret_name(name, b.extra) {
        let mut word = vec![Seg::Lit(format!("{name}: "))];
        if let Some(scheme) = redact::auth_scheme(value) {
            push_lit(&mut word, &format!("{scheme} "));
        }
        word.push(b.var(name));
        return word;
    }
    vec![Seg::Lit(format!(
        "{name}: {}",
        b.redactor.header_value(name, value)
    ))]
}

/// Headers from the request object: an object, a list of `{name|key, value}` (skipping
/// `disabled` ones), or a string holding either as JSON or as `Name: value` lines.
fn request_headers(req: &serde_json::Map<String, Value>) -> Option<Vec<Header>> {
    let value = get_ci(req, "headers").or_else(|| get_ci(req, "header"))?;
    let parsed;
    let value = match value {
        Value::String(s) => match serde_json::from_str::<Value>(s) {
            Ok(v @ (Value::Object(_) | Value::Array(_))) => {
                parsed = v;
                &parsed
            }
            _ => return Some(header_lines(s)),
        },
        v => v,
    };
    let scalar = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Array(items) => Some(
            items
                .iter()
                .filter_map(|i| match i {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
                .collect::<Vec<_>>()
                .join(", "),
        ),
        _ => None,
    };
    let mut out = Vec::new();
    match value {
        Value::Object(m) => {
            for (name, v) in m {
                if let Some(value) = scalar(v) {
                    out.push(Header {
                        name: name.clone(),
                        value,
                    });
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                let Value::Object(h) = item else { continue };
                if h.get("disabled").and_then(Value::as_bool) == Some(true) {
                    continue;
                }
                let name = get_ci(h, "name").or_else(|| get_ci(h, "key"));
                let (Some(Value::String(name)), Some(value)) =
                    (name, get_ci(h, "value").and_then(scalar))
                else {
                    continue;
                };
                out.push(Header {
                    name: name.clone(),
                    value,
                });
            }
        }
        _ => return None,
    }
    Some(out)
}

/// `Name: value` lines (a raw header block).
fn header_lines(s: &str) -> Vec<Header> {
    s.lines()
        .filter_map(|l| l.split_once(':'))
        .filter(|(n, _)| !n.trim().is_empty() && !n.contains(' '))
        .map(|(n, v)| Header {
            name: n.trim().to_string(),
            value: v.trim().to_string(),
        })
        .collect()
}

fn get_ci<'v>(m: &'v serde_json::Map<String, Value>, key: &str) -> Option<&'v Value> {
    m.get(key).or_else(|| {
        m.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// The request body: text as it was sent (one level of JSON string unescaped), inline JSON
/// compact, Newman's `{mode, raw | urlencoded | graphql}` as what it sent.
fn body_of(
    b: &mut Builder<'_>,
    text: &str,
    ex: &Exchange,
    request: Option<&serde_json::Map<String, Value>>,
    config: &AnalysisConfig,
) -> Body {
    let Some(body) = &ex.request.body else {
        return Body::None;
    };
    if body.span.len() > config.max_body_size {
        return Body::Piped(
            "# the request body is larger than runlog.limits.maxBodySize: pipe it in (… | curl …)",
        );
    }
    let Some(raw) = text.get(body.span.start..body.span.end) else {
        return Body::None;
    };
    match body.encoding {
        BodyEncoding::Base64 | BodyEncoding::ByteArray => Body::Piped(
            "# the request body is binary (base64 or bytes in the log): pipe its bytes in (… | curl …)",
        ),
        BodyEncoding::String => match serde_json::from_str::<String>(raw) {
            Ok(s) if s.is_empty() => Body::None,
            Ok(s) => text_body(b, &s, content_type(request, ex)),
            Err(_) => Body::None,
        },
        BodyEncoding::Inline => match serde_json::from_str::<Value>(raw) {
            Ok(Value::Null) => Body::None,
            Ok(Value::Object(m)) if m.contains_key("mode") => newman_body(b, &m),
            Ok(v) => Body::Raw(json_word(b, v)),
            Err(_) => text_body(b, raw, content_type(request, ex)),
        },
    }
}

fn content_type(request: Option<&serde_json::Map<String, Value>>, ex: &Exchange) -> Option<String> {
    let from = |h: &[Header]| {
        h.iter()
            .find(|h| h.name.eq_ignore_ascii_case("content-type"))
            .map(|h| h.value.to_ascii_lowercase())
    };
    request
        .and_then(request_headers)
        .and_then(|h| from(&h))
        .or_else(|| from(&ex.request.headers))
}

/// Newman's request body: `raw` as text, `urlencoded` as pairs, `graphql` as JSON.
fn newman_body(b: &mut Builder<'_>, m: &serde_json::Map<String, Value>) -> Body {
    let mode = m.get("mode").and_then(Value::as_str).unwrap_or_default();
    match (mode, m.get(mode)) {
        ("raw", Some(Value::String(s))) if s.is_empty() => Body::None,
        ("raw", Some(Value::String(s))) => text_body(b, s, None),
        ("urlencoded", Some(Value::Array(items))) => {
            let mut pairs = Vec::new();
            for item in items {
                let Value::Object(kv) = item else { continue };
                if kv.get("disabled").and_then(Value::as_bool) == Some(true) {
                    continue;
                }
                let Some(key) = kv.get("key").and_then(Value::as_str) else {
                    continue;
                };
                let value = match kv.get("value") {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Number(n)) => n.to_string(),
                    Some(Value::Bool(x)) => x.to_string(),
                    _ => String::new(),
                };
                let key_text = b.redactor.text(key);
                if !value.is_empty() && redact::is_secret_query_param(key, b.extra) {
                    let var = b.var(key);
                    pairs.push(vec![Seg::Lit(format!("{key_text}=")), var]);
                } else {
                    pairs.push(vec![Seg::Lit(format!(
                        "{key_text}={}",
                        b.redactor.text(&value)
                    ))]);
                }
            }
            if pairs.is_empty() {
                Body::None
            } else {
                Body::Form(pairs)
            }
        }
        ("graphql", Some(v @ Value::Object(_))) => Body::Raw(json_word(b, v.clone())),
        _ => Body::None,
    }
}

/// A body sent as text: JSON with secret keys as variables, a form with secret fields as
/// variables, anything else with the call's secrets hidden.
fn text_body(b: &mut Builder<'_>, s: &str, content_type: Option<String>) -> Body {
    let trimmed = s.trim_start();
    if trimmed.starts_with(['{', '[']) {
        if let Ok(v) = serde_json::from_str::<Value>(s) {
            if !has_secret_key(&v, b.extra) {
                return Body::Raw(vec![Seg::Lit(b.redactor.text(s))]);
            }
            return Body::Raw(json_word(b, v));
        }
    }
    let form = content_type
        .as_deref()
        .is_some_and(|c| c.contains("x-www-form-urlencoded"))
        || looks_like_form(s);
    if form {
        let mut word = Vec::new();
        pairs_into(b, s, &mut word);
        let word = word
            .into_iter()
            .map(|seg| match seg {
                Seg::Lit(l) => Seg::Lit(b.redactor.text(&l)),
                v => v,
            })
            .collect();
        return Body::Raw(word);
    }
    Body::Raw(vec![Seg::Lit(b.redactor.text(s))])
}

/// `a=1&b=2` with nothing that would make it prose.
fn looks_like_form(s: &str) -> bool {
    !s.is_empty()
        && s.contains('=')
        && !s.contains([' ', '\n', '\t', '{', '"'])
        && s.split('&')
            .all(|p| p.split_once('=').is_some_and(|(k, _)| !k.is_empty()))
}

fn has_secret_key(v: &Value, extra: &[String]) -> bool {
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(m) => {
                for (k, child) in m {
                    if redact::is_secret_name(k, extra) && is_secret_value(child) {
                        return true;
                    }
                    stack.push(child);
                }
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    false
}

/// A value under a secret key that stands for a secret (not empty, not null, not a container).
fn is_secret_value(v: &Value) -> bool {
    match v {
        Value::String(s) => !s.is_empty(),
        Value::Number(_) => true,
        _ => false,
    }
}

/// Sentinels marking a variable in serialized JSON: `OPEN [RAW] index CLOSE`, where RAW says the
/// value was a number (written without quotes).
const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';
const RAW: char = '\u{E002}';

/// A JSON value as compact text, the values under secret keys as variables (inside the quotes
/// for a string, bare for a number), every other string with the call's secrets hidden.
fn json_word(b: &mut Builder<'_>, mut v: Value) -> Word {
    let plain = serde_json::to_string(&v).unwrap_or_default();
    let sentinels_usable = !plain.contains([OPEN, CLOSE, RAW]);
    let mut vars: Vec<Seg> = Vec::new();
    let mut stack = vec![&mut v];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(m) => {
                for (k, child) in m.iter_mut() {
                    if redact::is_secret_name(k, b.extra) && is_secret_value(child) {
                        if !sentinels_usable {
                            *child = Value::String(REDACTED.to_string());
                            continue;
                        }
                        let raw = if child.is_number() {
                            RAW.to_string()
                        } else {
                            String::new()
                        };
                        *child = Value::String(format!("{OPEN}{raw}{}{CLOSE}", vars.len()));
                        vars.push(b.var(k));
                    } else {
                        stack.push(child);
                    }
                }
            }
            Value::Array(items) => stack.extend(items.iter_mut()),
            Value::String(s) => *s = b.redactor.text(s),
            _ => {}
        }
    }
    let json = serde_json::to_string(&v).unwrap_or_default();
    let mut word = Vec::new();
    let mut rest = json.as_str();
    while let Some(open) = rest.find(OPEN) {
        let Some(close) = rest[open..].find(CLOSE).map(|c| open + c) else {
            break;
        };
        let inner = &rest[open + OPEN.len_utf8()..close];
        let (raw, index) = match inner.strip_prefix(RAW) {
            Some(i) => (true, i),
            None => (false, inner),
        };
        let mut before = &rest[..open];
        let mut after = close + CLOSE.len_utf8();
        if raw {
            // Drop the quotes serde_json put around the sentinel string.
            before = before.strip_suffix('"').unwrap_or(before);
            if rest[after..].starts_with('"') {
                after += 1;
            }
        }
        push_lit(&mut word, before);
        match index.parse::<usize>().ok().and_then(|i| vars.get(i)) {
            Some(var) => word.push(var.clone()),
            None => push_lit(&mut word, REDACTED),
        }
        rest = &rest[after..];
    }
    push_lit(&mut word, rest);
    word
}

fn word_has_invisible(w: &Word) -> bool {
    w.iter().any(|s| match s {
        Seg::Lit(l) => l.chars().any(|c| c != '\r' && visible::is_invisible(c)),
        Seg::Var(_) => false,
    })
}

/// Characters a word may hold unquoted.
fn is_plain(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(c, '_' | '-' | '.' | '/' | ':' | ',' | '+' | '@' | '%' | '=')
}

/// Characters that are literal inside double quotes in every POSIX shell, interactive bash
/// included (`!` is history expansion there).
fn double_quote_safe(s: &str) -> bool {
    !s.contains(['"', '\\', '$', '`', '!'])
}

/// A word quoted for a POSIX shell: literal text in single quotes (`'` as `'\''`), variables in
/// double quotes so they expand: `"Authorization: Bearer $AUTHORIZATION"` when the literal
/// parts are safe inside double quotes, else `'…'"$VAR"'…'`.
fn quote(word: &[Seg]) -> String {
    let has_var = word.iter().any(|s| matches!(s, Seg::Var(_)));
    if !has_var {
        let lit: String = word
            .iter()
            .map(|s| match s {
                Seg::Lit(l) => l.as_str(),
                Seg::Var(_) => "",
            })
            .collect();
        if !lit.is_empty() && lit.chars().all(is_plain) {
            return lit;
        }
        return single_quote(&lit);
    }
    let all_safe = word.iter().all(|s| match s {
        Seg::Lit(l) => double_quote_safe(l),
        Seg::Var(_) => true,
    });
    let mut out = String::new();
    if all_safe {
        out.push('"');
        for (i, s) in word.iter().enumerate() {
            match s {
                Seg::Lit(l) => out.push_str(l),
                Seg::Var(v) => out.push_str(&var_ref(v, word.get(i + 1))),
            }
        }
        out.push('"');
        return out;
    }
    for s in word {
        match s {
            Seg::Lit(l) => out.push_str(&single_quote(l)),
            Seg::Var(v) => out.push_str(&format!("\"${{{v}}}\"")),
        }
    }
    out
}

/// `$NAME`, or `${NAME}` when the text after it would continue the name.
fn var_ref(name: &str, next: Option<&Seg>) -> String {
    let continues = match next {
        Some(Seg::Lit(l)) => l.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_'),
        _ => false,
    };
    if continues {
        format!("${{{name}}}")
    } else {
        format!("${name}")
    }
}

fn single_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests;
