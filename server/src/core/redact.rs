//! Redaction of secrets: header and key values (Authorization, Cookie, api keys, tokens,
//! passwords, client secrets, plus the user's `runlog.redact`), query-string secrets and URL
//! userinfo, secrets inside bodies.
//!
//! Names are compared case-insensitively with `-`, `_`, `.` and spaces ignored. Besides a fixed
//! list, a name whose last word is `token`, `secret`, `password`, `passwd` or `authorization`
//! is secret, and so is a compound name ending in the word `key` (`x-api-key`, `apiKey`,
//! `private_key`), except a few well-known non-secret keys (`idempotency-key`, `primary_key`...).
//! `key` alone is NOT a secret name for headers and JSON keys (it names ordinary things:
//! S3 object keys, `{"key": "email"}` in validation errors) but IS one as a URL query parameter,
//! where it almost always carries an API key (`?key=AIza...`).

/// What replaces a secret value.
pub const REDACTED: &str = "[redacted]";

/// Secret names, normalised (lowercase, no separators).
const SECRET_NAMES: &[&str] = &[
    "authorization",
    "proxyauthorization",
    "cookie",
    "setcookie",
    "xapikey",
    "apikey",
    "xauthtoken",
    "token",
    "accesstoken",
    "refreshtoken",
    "idtoken",
    "clientsecret",
    "password",
    "passwd",
    "passphrase",
    "pwd",
    "secret",
    "privatekey",
    "xshopifyaccesstoken",
    "credentials",
    "xamzcredential",
    "xamzsignature",
    "xgoogapikey",
    "ocpapimsubscriptionkey",
    "sessionid",
    "jsessionid",
    "phpsessid",
    "connectsid",
    "xcsrftoken",
    "xxsrftoken",
];

/// Compound names ending in "key" that are not secrets, normalised.
const NOT_SECRET_KEYS: &[&str] = &[
    "idempotencykey",
    "xidempotencykey",
    "primarykey",
    "foreignkey",
    "sortkey",
    "partitionkey",
    "rangekey",
    "hashkey",
    "cachekey",
    "objectkey",
    "publickey",
    "publishablekey",
    "routingkey",
    "messagekey",
    "sortingkey",
    "groupkey",
    "issuekey",
    "projectkey",
];

/// Last words that make a name secret on their own.
const SECRET_LAST_WORDS: &[&str] = &["token", "secret", "password", "passwd", "authorization"];

/// Query parameters that carry secrets even though the name alone would not be a secret name.
const SECRET_QUERY_PARAMS: &[&str] = &[
    "key",
    "sig",
    "signature",
    "auth",
    "code",
    "xamzsecuritytoken",
];

/// Auth schemes kept in front of a redacted credential ("Bearer [redacted]").
const AUTH_SCHEMES: &[&str] = &[
    "basic",
    "bearer",
    "digest",
    "negotiate",
    "ntlm",
    "token",
    "oauth",
    "hoba",
    "mutual",
    "aws4-hmac-sha256",
    "hmac",
    "apikey",
    "bot",
    "sso-key",
    "scram-sha-256",
    "vapid",
];

/// Lowercase with `-`, `_`, `.` and spaces removed.
fn normalize(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, '-' | '_' | '.' | ' '))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Splits a name into lowercase words at separators and camelCase boundaries.
fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.' | ' ' | ':' | '/') {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// True when values under this header or key name are secrets.
pub fn is_secret_name(name: &str, extra: &[String]) -> bool {
    if name.is_empty() || name.len() > 256 {
        return false;
    }
    // Called for every key of every body shown: ASCII names take an allocation-free path.
    let fast = if name.is_ascii() && name.len() <= 64 {
        ascii_secret_name(name.as_bytes())
    } else {
        None
    };
    if !extra.is_empty() {
        let norm = normalize(name);
        if extra.iter().any(|e| normalize(e) == norm) {
            return true;
        }
    }
    if let Some(answer) = fast {
        return answer;
    }
    let norm = normalize(name);
    if norm.is_empty() {
        return false;
    }
    if SECRET_NAMES.contains(&norm.as_str()) {
        return true;
    }
    // Run-together names ("dbpassword", "csrftoken", "appsecret").
    if ["password", "passwd", "token", "secret"]
        .iter()
        .any(|w| norm.ends_with(w))
    {
        return true;
    }
    let words = words(name);
    match words.last().map(String::as_str) {
        Some(last) if SECRET_LAST_WORDS.contains(&last) => true,
        Some("key") => words.len() >= 2 && !NOT_SECRET_KEYS.contains(&norm.as_str()),
        _ => false,
    }
}

/// `is_secret_name` without `extra` for ASCII names up to 64 bytes, without allocating.
fn ascii_secret_name(name: &[u8]) -> Option<bool> {
    let mut buf = [0u8; 64];
    let mut n = 0;
    // Words: split at separators and lower→upper (camelCase) boundaries; track the last one.
    let (mut words, mut last_start, mut last_len) = (0usize, 0usize, 0usize);
    let mut in_word = false;
    let mut prev_lower = false;
    for &b in name {
        if matches!(b, b'-' | b'_' | b'.' | b' ' | b':' | b'/') {
            in_word = false;
            prev_lower = false;
            if !matches!(b, b':' | b'/') {
                continue;
            }
            // ':' and '/' separate words but are kept by `normalize`.
            buf[n] = b;
            n += 1;
            continue;
        }
        if !in_word || (b.is_ascii_uppercase() && prev_lower) {
            words += 1;
            last_start = n;
            last_len = 0;
            in_word = true;
        }
        prev_lower = b.is_ascii_lowercase() || b.is_ascii_digit();
        buf[n] = b.to_ascii_lowercase();
        n += 1;
        last_len += 1;
    }
    let norm = &buf[..n];
    if norm.is_empty() {
        return Some(false);
    }
    let norm_str = std::str::from_utf8(norm).ok()?;
    if SECRET_NAMES.contains(&norm_str) {
        return Some(true);
    }
    if ["password", "passwd", "token", "secret"]
        .iter()
        .any(|w| norm_str.ends_with(w))
    {
        return Some(true);
    }
    let last = std::str::from_utf8(&buf[last_start..last_start + last_len]).ok()?;
    Some(match last {
        l if SECRET_LAST_WORDS.contains(&l) => true,
        "key" => words >= 2 && !NOT_SECRET_KEYS.contains(&norm_str),
        _ => false,
    })
}

/// True when a URL query parameter with this name carries a secret.
pub fn is_secret_query_param(name: &str, extra: &[String]) -> bool {
    is_secret_name(name, extra) || SECRET_QUERY_PARAMS.contains(&normalize(name).as_str())
}

/// The auth scheme of an `Authorization`-style value ("Bearer" in "Bearer abc"), when the value
/// has the form `<scheme> <credentials>` with a known scheme. Never returns the credentials.
pub fn auth_scheme(value: &str) -> Option<&str> {
    let value = value.trim_start();
    let end = value.find(|c: char| c.is_whitespace())?;
    let scheme = &value[..end];
    let rest = value[end..].trim();
    if rest.is_empty() {
        return None;
    }
    let lower = scheme.to_ascii_lowercase();
    AUTH_SCHEMES.contains(&lower.as_str()).then_some(scheme)
}

/// The value to show for a header: secret headers become "[redacted]", keeping the auth scheme
/// when there is one ("Bearer [redacted]", "Basic [redacted]"); other headers are unchanged.
pub fn redact_header_value(name: &str, value: &str, extra: &[String]) -> String {
    if !is_secret_name(name, extra) {
        return value.to_string();
    }
    if value.trim().is_empty() {
        return value.to_string();
    }
    match auth_scheme(value) {
        Some(scheme) => format!("{scheme} {REDACTED}"),
        None => REDACTED.to_string(),
    }
}

/// Decodes `+` and `%XX` in a query-parameter name (enough to recognise `api%5Fkey`).
pub(crate) fn decode_component(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = |b: u8| (b as char).to_digit(16);
                match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Redacts the values of secret `name=value` pairs in a `&`-separated list.
fn redact_pairs(pairs: &str, extra: &[String], out: &mut String) {
    for (i, pair) in pairs.split('&').enumerate() {
        if i > 0 {
            out.push('&');
        }
        match pair.split_once('=') {
            Some((name, value))
                if !value.is_empty() && is_secret_query_param(&decode_component(name), extra) =>
            {
                out.push_str(name);
                out.push('=');
                out.push_str(REDACTED);
            }
            _ => out.push_str(pair),
        }
    }
}

/// The URL with secret query parameters and userinfo redacted.
pub fn redact_url(url: &str, extra: &[String]) -> String {
    let mut out = String::with_capacity(url.len());
    let mut rest = url;
    // Userinfo: `scheme://user:pass@host` → `scheme://[redacted]@host`.
    if let Some(idx) = rest.find("://") {
        let (scheme, after) = rest.split_at(idx + 3);
        let auth_end = after.find(['/', '?', '#']).unwrap_or(after.len());
        let authority = &after[..auth_end];
        out.push_str(scheme);
        match authority.rfind('@') {
            Some(at) if at > 0 => {
                out.push_str(REDACTED);
                out.push_str(&authority[at..]);
            }
            _ => out.push_str(authority),
        }
        rest = &after[auth_end..];
    }
    let (before_fragment, fragment) = match rest.find('#') {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    match before_fragment.find('?') {
        Some(q) => {
            out.push_str(&before_fragment[..=q]);
            redact_pairs(&before_fragment[q + 1..], extra, &mut out);
        }
        None => out.push_str(before_fragment),
    }
    if let Some(fragment) = fragment {
        out.push('#');
        // OAuth implicit flow puts tokens in the fragment (`#access_token=...`).
        if fragment.contains('=') {
            redact_pairs(fragment, extra, &mut out);
        } else {
            out.push_str(fragment);
        }
    }
    out
}

/// Redacts secret-named keys anywhere in a JSON value, and secrets inside its strings.
/// Iterative: any nesting depth is fine.
pub fn redact_json(value: &mut serde_json::Value, extra: &[String]) {
    use serde_json::Value;
    let mut stack: Vec<&mut Value> = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(map) => {
                // Header lists store `{"name": "Authorization", "value": "..."}` (HAR) or
                // `{"key": ..., "value": ...}` (Postman).
                let pair_name = ["name", "key"]
                    .iter()
                    .find_map(|k| map.get(*k).and_then(Value::as_str))
                    .filter(|n| is_secret_name(n, extra))
                    .map(str::to_string);
                for (k, child) in map.iter_mut() {
                    if k == "value" {
                        if let Some(name) = &pair_name {
                            redact_secret_value(name, child, extra);
                            continue;
                        }
                    }
                    if is_secret_name(k, extra) {
                        redact_secret_value(k, child, extra);
                    } else {
                        stack.push(child);
                    }
                }
            }
            Value::Array(items) => stack.extend(items.iter_mut()),
            Value::String(s) => {
                let redacted = redact_text(s, extra);
                if redacted != *s {
                    *s = redacted;
                }
            }
            _ => {}
        }
    }
}

/// Replaces a value found under a secret name.
fn redact_secret_value(name: &str, value: &mut serde_json::Value, extra: &[String]) {
    use serde_json::Value;
    match value {
        Value::Null | Value::Bool(_) => {}
        Value::String(s) if s.is_empty() => {}
        Value::String(s) => *s = redact_header_value(name, s, extra),
        _ => *value = Value::String(REDACTED.to_string()),
    }
}

fn is_ident_byte(b: u8) -> bool {
    IDENT_BYTES[usize::from(b)]
}

/// The bytes of a word `secret_cuts` reads (letters, digits, `_`, `-`, `.`): one lookup per
/// byte of every call with a finding.
static IDENT_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.');
        b += 1;
    }
    table
};

/// A quote at `i`: a run of backslashes then `"` or `'`. Returns (backslashes, quote char, len).
fn quote_at(bytes: &[u8], i: usize) -> Option<(usize, u8, usize)> {
    let mut j = i;
    while j < bytes.len() && bytes[j] == b'\\' {
        j += 1;
    }
    match bytes.get(j) {
        Some(&q @ (b'"' | b'\'')) => Some((j - i, q, j - i + 1)),
        _ => None,
    }
}

fn skip_ws(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && matches!(bytes[i], b' ' | b'\t') {
        i += 1;
    }
    i
}

/// Finds the end of a quoted value opened by `k` backslashes and `q`, starting at `start`:
/// the position of the closing quote's first backslash (or of the quote). Bounded by `limit`.
fn quoted_end(bytes: &[u8], start: usize, k: usize, q: u8, limit: usize) -> Option<usize> {
    let mut i = start;
    let end = bytes.len().min(limit);
    while i < end {
        if bytes[i] == q {
            let mut r = 0;
            while r < i - start && bytes[i - 1 - r] == b'\\' {
                r += 1;
            }
            let closes = if k == 0 { r % 2 == 0 } else { r == k };
            if closes {
                return Some(i - r);
            }
        }
        i += 1;
    }
    None
}

/// True when an unquoted word after `name:` in prose looks like a credential rather than words
/// ("token: expired" stays, "api_key: 5f3a9c1d2e" goes).
fn looks_like_credential(v: &str) -> bool {
    v.len() >= 6
        && v.bytes()
            .any(|b| b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'/' | b'+' | b'=' | b'.'))
}

/// Names whose unquoted value in text runs to the end of the line (HTTP header lines).
fn is_header_line_name(norm: &str) -> bool {
    matches!(
        norm,
        "authorization" | "proxyauthorization" | "cookie" | "setcookie"
    )
}

/// Redacts secrets in free text (bearer tokens, `api_key=...`, `"password": "..."`).
/// Linear in the text; only ever cuts at ASCII bytes, so never inside a UTF-8 character.
pub fn redact_text(text: &str, extra: &[String]) -> String {
    let without_userinfo = redact_userinfo_in_text(text);
    let text = without_userinfo.as_deref().unwrap_or(text);
    let cuts = secret_cuts(text, extra);
    if cuts.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for (s, e, rep) in cuts {
        out.push_str(&text[pos..s]);
        out.push_str(&rep);
        pos = e;
    }
    out.push_str(&text[pos..]);
    out
}

/// The secret values written in `text` (what [`redact_text`] cuts, URL userinfo included), as
/// they are written there: the credentials alone as well where an auth scheme precedes them.
pub(crate) fn secret_values(text: &str, extra: &[String]) -> Vec<String> {
    let mut out: Vec<String> = userinfo_ranges(text)
        .into_iter()
        .map(|(s, e)| text[s..e].to_string())
        .collect();
    for (s, e, _) in secret_cuts(text, extra) {
        let value = &text[s..e];
        if let Some(scheme) = auth_scheme(value) {
            let credentials = value.trim_start()[scheme.len()..].trim();
            out.push(credentials.to_string());
        }
        out.push(value.to_string());
    }
    out
}

/// Where secrets stand in `text`: `(start, end, replacement)`, non-overlapping, in order.
fn secret_cuts(text: &str, extra: &[String]) -> Vec<(usize, usize, String)> {
    let bytes = text.as_bytes();
    let mut cuts: Vec<(usize, usize, String)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !is_ident_byte(bytes[i]) || (i > 0 && is_ident_byte(bytes[i - 1])) {
            i += 1;
            continue;
        }
        let start = i;
        i += bytes[i..].iter().take_while(|&&b| is_ident_byte(b)).count();
        let word = &text[start..i];
        // A JWT is a secret wherever it stands, whatever key or word is before it.
        if looks_like_jwt(word) {
            if cuts.last().is_none_or(|c| c.1 <= start) {
                cuts.push((start, i, REDACTED.to_string()));
            }
            continue;
        }
        if !may_precede_a_value(bytes, i, word) {
            continue;
        }
        if let Some((vs, ve, rep)) = secret_after_word(text, word, i, extra) {
            if cuts.last().is_none_or(|c| c.1 <= vs) {
                cuts.push((vs, ve, rep));
            }
            i = ve.max(i);
        }
    }
    cuts
}

/// `header.payload.signature` in base64url where the header starts as JSON does (`eyJ` is
/// `{"` in base64): a JSON Web Token. The signature may be empty (unsigned tokens).
fn looks_like_jwt(word: &str) -> bool {
    // Every word of a call comes here: most are turned away without splitting them.
    if !word.starts_with("eyJ") {
        return false;
    }
    let mut parts = word.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let base64url = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    header.len() >= 10
        && payload.len() >= 4
        && base64url(header)
        && base64url(payload)
        && base64url(signature)
}

/// URLs in free text with credentials (`https://user:pass@host`): the userinfo is redacted.
/// `None` when there is nothing to change.
fn redact_userinfo_in_text(text: &str) -> Option<String> {
    let ranges = userinfo_ranges(text);
    if ranges.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for (s, e) in ranges {
        out.push_str(&text[pos..s]);
        out.push_str(REDACTED);
        pos = e;
    }
    out.push_str(&text[pos..]);
    Some(out)
}

/// The userinfo (`user:pass` before `@`) of each URL in free text, as byte ranges in order.
fn userinfo_ranges(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    if !text.contains("://") || !text.contains('@') {
        return out;
    }
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(k) = text[from..].find("://") {
        let auth_start = from + k + 3;
        let mut end = auth_start;
        while end < bytes.len()
            && !bytes[end].is_ascii_whitespace()
            && !matches!(
                bytes[end],
                b'/' | b'?' | b'#' | b'"' | b'\'' | b'<' | b'>' | b'\\' | b'@'
            )
        {
            end += 1;
        }
        if end > auth_start && bytes.get(end) == Some(&b'@') {
            out.push((auth_start, end));
        }
        from = end.max(auth_start);
    }
    out
}

/// Cheap test before the name checks: is the word followed by `=`, `:` or `,` (after an optional
/// closing quote and blanks), or is it an auth scheme?
fn may_precede_a_value(bytes: &[u8], i: usize, word: &str) -> bool {
    if word.eq_ignore_ascii_case("bearer") || word.eq_ignore_ascii_case("basic") {
        return true;
    }
    let mut j = i;
    if let Some((_, _, len)) = quote_at(bytes, j) {
        j += len;
    }
    j = skip_ws(bytes, j);
    matches!(bytes.get(j), Some(b'=' | b':' | b','))
}

/// After the word ending at `i`: a secret value to cut, as (start, end, replacement).
fn secret_after_word(
    text: &str,
    word: &str,
    i: usize,
    extra: &[String],
) -> Option<(usize, usize, String)> {
    let bytes = text.as_bytes();
    // `Bearer <token>` / `Basic <credentials>` anywhere.
    if word.eq_ignore_ascii_case("bearer") || word.eq_ignore_ascii_case("basic") {
        let vs = skip_ws(bytes, i);
        if vs == i {
            return None;
        }
        let mut ve = vs;
        while ve < bytes.len()
            && (bytes[ve].is_ascii_alphanumeric()
                || matches!(bytes[ve], b'-' | b'.' | b'_' | b'~' | b'+' | b'/' | b'='))
        {
            ve += 1;
        }
        // A token, not a word of prose ("Basic auth", "bearer token"): needs a digit or length.
        let tok = &text[vs..ve];
        let is_token =
            (tok.len() >= 6 && tok.bytes().any(|b| b.is_ascii_digit())) || tok.len() >= 16;
        return is_token.then(|| (vs, ve, REDACTED.to_string()));
    }
    let secret_name = is_secret_name(word, extra);
    // `key=`, `code=`, `sig=` only as query parameters (after `?`, `&` or `#`), so prose such
    // as "error code=1234" keeps its words.
    let query_name = !secret_name
        && bytes.get(i) == Some(&b'=')
        && i > word.len()
        && matches!(bytes[i - word.len() - 1], b'?' | b'&' | b'#' | b';')
        && SECRET_QUERY_PARAMS.contains(&normalize(word).as_str());
    if !secret_name && !query_name {
        return None;
    }
    // Optional closing quote of a quoted key.
    let mut j = i;
    let mut key_quoted = false;
    if let Some((_, _, len)) = quote_at(bytes, j) {
        j += len;
        key_quoted = true;
    }
    j = skip_ws(bytes, j);
    let sep = *bytes.get(j)?;
    if sep == b',' && key_quoted && secret_name {
        return header_pair_value(text, j + 1, word, extra);
    }
    if sep != b'=' && sep != b':' {
        return None;
    }
    // `key=` only in query strings / assignments, never `key:` (ordinary prose and JSON).
    if query_name && (sep != b'=' || key_quoted) {
        return None;
    }
    j = skip_ws(bytes, j + 1);
    if let Some((k, q, len)) = quote_at(bytes, j) {
        let vs = j + len;
        let ve = quoted_end(bytes, vs, k, q, vs + 64 * 1024)?;
        if ve == vs {
            return None;
        }
        let replacement = if query_name {
            REDACTED.to_string()
        } else {
            redact_header_value(word, &text[vs..ve], extra)
        };
        return Some((vs, ve, replacement));
    }
    let norm = normalize(word);
    let vs = j;
    let mut ve = vs;
    if sep == b':' && is_header_line_name(&norm) && !key_quoted {
        while ve < bytes.len() && !matches!(bytes[ve], b'\n' | b'\r' | b'"' | b'\\') {
            ve += 1;
        }
        let v = text[vs..ve].trim_end();
        ve = vs + v.len();
    } else {
        while ve < bytes.len()
            && !bytes[ve].is_ascii_whitespace()
            && !matches!(
                bytes[ve],
                b'&' | b',' | b';' | b'}' | b']' | b'"' | b'\'' | b'<' | b'\\' | b')'
            )
        {
            ve += 1;
        }
    }
    if ve == vs {
        return None;
    }
    let v = &text[vs..ve];
    if matches!(v, "null" | "true" | "false") || v.starts_with('{') || v.starts_with('[') {
        return None;
    }
    if sep == b':' && !key_quoted && !is_header_line_name(&norm) && !looks_like_credential(v) {
        return None;
    }
    let replacement = if query_name {
        REDACTED.to_string()
    } else {
        redact_header_value(word, v, extra)
    };
    Some((vs, ve, replacement))
}

/// `"name": "Authorization", "value": "..."` in text: the value after the name.
fn header_pair_value(
    text: &str,
    from: usize,
    name: &str,
    extra: &[String],
) -> Option<(usize, usize, String)> {
    let bytes = text.as_bytes();
    // Pretty-printed JSON puts the pair's keys on lines of their own.
    let mut j = from;
    while j < bytes.len() && bytes[j].is_ascii_whitespace() {
        j += 1;
    }
    let (k, q, len) = quote_at(bytes, j)?;
    j += len;
    if !text.get(j..)?.starts_with("value") {
        return None;
    }
    j += "value".len();
    let (_, _, len) = quote_at(bytes, j)?;
    j = skip_ws(bytes, j + len);
    if bytes.get(j) != Some(&b':') {
        return None;
    }
    j = skip_ws(bytes, j + 1);
    let (k2, q2, len2) = quote_at(bytes, j)?;
    if k2 != k || q2 != q {
        return None;
    }
    let vs = j + len2;
    let ve = quoted_end(bytes, vs, k, q, vs + 64 * 1024)?;
    (ve > vs).then(|| (vs, ve, redact_header_value(name, &text[vs..ve], extra)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_extra() -> Vec<String> {
        Vec::new()
    }

    #[test]
    fn secret_names() {
        let e = no_extra();
        for n in [
            "Authorization",
            "proxy-authorization",
            "Cookie",
            "Set-Cookie",
            "X-API-Key",
            "x_api_key",
            "api-key",
            "apikey",
            "api_key",
            "apiKey",
            "X-Auth-Token",
            "token",
            "access_token",
            "accessToken",
            "refresh_token",
            "id_token",
            "client_secret",
            "clientSecret",
            "password",
            "passwd",
            "new_password",
            "secret",
            "private_key",
            "privateKey",
            "X-Shopify-Access-Token",
            "x-amz-security-token",
            "webhook-secret",
            "stripe-key",
            "secretKey",
            "http.request.headers.authorization",
        ] {
            assert!(is_secret_name(n, &e), "{n} should be secret");
        }
        for n in [
            "key",
            "Key",
            "Content-Type",
            "monkey",
            "Idempotency-Key",
            "primary_key",
            "token_type",
            "max_tokens",
            "status",
            "keywords",
            "X-Request-Id",
            "",
            "name",
            "passwords_checked_count",
        ] {
            assert!(!is_secret_name(n, &e), "{n} should not be secret");
        }
    }

    #[test]
    fn fast_path_agrees_with_the_general_one() {
        for n in [
            "Authorization",
            "x-api-key",
            "apiKey",
            "APIKey",
            "api_key",
            "Idempotency-Key",
            "key",
            "a.b.token",
            "http.request.headers.authorization",
            "max_tokens",
            "token_type",
            "dbPassword",
            "X-Amz-Security-Token",
            "primaryKey",
            "Set-Cookie",
            "a:b",
            "sortKey",
            "my key",
            "KEY",
            "X__KEY",
            "-",
            "9key",
            "secretKey",
        ] {
            let long = format!("{n}\u{e9}");
            let general = {
                let norm = normalize(n);
                let words = words(n);
                SECRET_NAMES.contains(&norm.as_str())
                    || ["password", "passwd", "token", "secret"]
                        .iter()
                        .any(|w| norm.ends_with(w))
                    || match words.last().map(String::as_str) {
                        Some(last) if SECRET_LAST_WORDS.contains(&last) => true,
                        Some("key") => {
                            words.len() >= 2 && !NOT_SECRET_KEYS.contains(&norm.as_str())
                        }
                        _ => false,
                    }
            };
            assert_eq!(
                ascii_secret_name(n.as_bytes()).unwrap_or(!general),
                general,
                "{n}"
            );
            let _ = is_secret_name(&long, &[]);
        }
    }

    #[test]
    fn extra_names_are_normalised() {
        let extra = vec!["X-Tenant_Id".to_string()];
        assert!(is_secret_name("x-tenant-id", &extra));
        assert!(is_secret_name("xTenantId", &extra));
        assert!(!is_secret_name("x-tenant", &extra));
    }

    #[test]
    fn header_values_keep_the_scheme() {
        let e = no_extra();
        assert_eq!(
            redact_header_value("Authorization", "Bearer ya29.a0AfH6SMBx", &e),
            "Bearer [redacted]"
        );
        assert_eq!(
            redact_header_value("authorization", "Basic YW55c3RyaW5nOjVm", &e),
            "Basic [redacted]"
        );
        assert_eq!(
            redact_header_value("Authorization", "ya29.a0AfH6SMBx", &e),
            "[redacted]"
        );
        assert_eq!(
            redact_header_value("X-Shopify-Access-Token", "shpat_8c0a1f9e", &e),
            "[redacted]"
        );
        assert_eq!(
            redact_header_value("Cookie", "sid=abc; theme=dark", &e),
            "[redacted]"
        );
        assert_eq!(
            redact_header_value("Content-Type", "application/json", &e),
            "application/json"
        );
        assert_eq!(redact_header_value("Authorization", "", &e), "");
        assert_eq!(auth_scheme("Bearer abc"), Some("Bearer"));
        assert_eq!(auth_scheme("Bearer"), None);
        assert_eq!(auth_scheme("abcdef"), None);
    }

    #[test]
    fn urls() {
        let e = no_extra();
        assert_eq!(
            redact_url(
                "https://user:hunter2@example.com/a?b=1&api_key=SEKRET&key=AIzaXYZ#frag",
                &e
            ),
            "https://[redacted]@example.com/a?b=1&api_key=[redacted]&key=[redacted]#frag"
        );
        assert_eq!(
            redact_url("https://cb.example/#access_token=TOK123&state=x", &e),
            "https://cb.example/#access_token=[redacted]&state=x"
        );
        assert_eq!(
            redact_url("/v1/x?token=abc&sig=def&page=2", &e),
            "/v1/x?token=[redacted]&sig=[redacted]&page=2"
        );
        assert_eq!(
            redact_url("https://example.com/a@b", &e),
            "https://example.com/a@b"
        );
        assert_eq!(
            redact_url("https://example.com/?api%5Fkey=zzz", &e),
            "https://example.com/?api%5Fkey=[redacted]"
        );
        assert_eq!(redact_url("", &e), "");
        assert_eq!(
            redact_url("https://例え.jp/?q=日本&token=秘密", &e),
            "https://例え.jp/?q=日本&token=[redacted]"
        );
    }

    #[test]
    fn json_values() {
        let e = vec!["x-tenant".to_string()];
        let mut v = serde_json::json!({
            "headers": {"Authorization": "Bearer SEKRET1", "Accept": "*/*", "X-Tenant": "SEKRET2"},
            "har": [{"name": "Cookie", "value": "SEKRET3"}, {"name": "Accept", "value": "text/html"}],
            "postman": [{"key": "X-Api-Key", "value": "SEKRET4"}],
            "nested": {"deep": [{"password": "SEKRET5", "client_secret": {"v": "SEKRET6"}}]},
            "text": "curl -H 'Authorization: Bearer SEKRET7abc' https://x/?token=SEKRET8",
            "token": null
        });
        redact_json(&mut v, &e);
        let s = v.to_string();
        for n in 1..=8 {
            assert!(!s.contains(&format!("SEKRET{n}")), "SEKRET{n} leaked: {s}");
        }
        assert!(s.contains("Bearer [redacted]"));
        assert!(s.contains("text/html"));
        assert_eq!(v["token"], serde_json::Value::Null);
    }

    #[test]
    fn deep_json_does_not_overflow() {
        let mut v = serde_json::json!("x");
        for _ in 0..100 {
            v = serde_json::json!({"a": [v]});
        }
        redact_json(&mut v, &[]);
    }

    #[test]
    fn text() {
        let e = no_extra();
        let cases = [
            (
                "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc",
                "eyJhbGciOiJIUzI1NiJ9",
            ),
            (r#"{"password": "hunter2", "user": "bob"}"#, "hunter2"),
            (r#"{\"password\":\"hunter2\",\"user\":\"bob\"}"#, "hunter2"),
            (
                r#"{\\\"client_secret\\\":\\\"cs_live_42\\\"}"#,
                "cs_live_42",
            ),
            ("GET /x?api_key=AKIA123456&page=2", "AKIA123456"),
            (
                "see https://maps.example/api?key=AIzaSyD-42xyz&q=1",
                "AIzaSyD-42xyz",
            ),
            ("callback /cb?state=1&code=4/0AfJohXn9", "4/0AfJohXn9"),
            (
                "git clone https://x-access-token:ghs_Q1w2e3r4@github.com/o/r.git",
                "ghs_Q1w2e3r4",
            ),
            (
                "connect to postgres://admin:Pa55w0rd@db:5432/app failed",
                "Pa55w0rd",
            ),
            ("set token=abc123def", "abc123def"),
            ("api_key: 5f3a9c1d2e8b", "5f3a9c1d2e8b"),
            ("Cookie: sid=abc123; other=zzz999", "zzz999"),
            (r#"[{"name": "X-Api-Key", "value": "k_98765"}]"#, "k_98765"),
            (
                r#"{"pass\"word": "x", "secret": "with \"quote\" inside"}"#,
                "inside",
            ),
        ];
        for (input, secret) in cases {
            let out = redact_text(input, &e);
            assert!(!out.contains(secret), "{secret} leaked from {input}: {out}");
            assert!(out.contains(REDACTED), "{out}");
        }
        let out = redact_text(r#"{"Authorization": "Bearer tok_0123456789"}"#, &e);
        assert_eq!(out, r#"{"Authorization": "Bearer [redacted]"}"#);
    }

    #[test]
    fn text_leaves_prose_alone() {
        let e = no_extra();
        for s in [
            "token: expired",
            "password: must be at least 8 characters",
            "Use Basic auth or a bearer token.",
            "the key: email",
            "error code=1234 from the gateway",
            "primary key=5 already taken",
            "mail lena@example.com or see https://example.com/@user",
            "lena.fischer@example.com is already a list member.",
            r#"{"key": "email", "message": "is invalid"}"#,
            "日本語のテキスト token は有効期限切れ",
            "",
        ] {
            assert_eq!(redact_text(s, &e), s);
        }
    }

    #[test]
    fn text_handles_non_ascii_and_edges() {
        let e = no_extra();
        let out = redact_text("パスワード password=秘密の値 終わり", &e);
        assert!(!out.contains("秘密の値"));
        for s in [
            "password",
            "password=",
            "password:\"",
            "token=\"unterminated",
            "\\",
            "Bearer",
            "Bearer ",
        ] {
            let _ = redact_text(s, &e);
        }
    }

    #[test]
    fn jwts_are_redacted_under_any_key_and_in_prose() {
        let e = no_extra();
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI5In0.c2lnbmF0dXJl";
        assert_eq!(
            redact_text(&format!("\"jwt\": \"{jwt}\", \"id_token\":\"{jwt}\""), &e),
            "\"jwt\": \"[redacted]\", \"id_token\":\"[redacted]\""
        );
        assert_eq!(
            redact_text(&format!("expired session ({jwt}) at 12:00"), &e),
            "expired session ([redacted]) at 12:00"
        );
        // Unsigned tokens too; look-alikes that are not three base64url parts stay.
        assert_eq!(
            redact_text("t=eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.", &e),
            "t=[redacted]"
        );
        for keep in [
            "eyJ.a.b",
            "eyJhbGciOiJIUzI1NiJ9.only-two",
            "version 1.2.3",
            "a.b.c",
        ] {
            assert_eq!(redact_text(keep, &e), keep);
        }
        let mut v = serde_json::json!({"data": [{"note": jwt}]});
        redact_json(&mut v, &e);
        assert_eq!(v, serde_json::json!({"data": [{"note": "[redacted]"}]}));
    }

    mod props {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(300))]

            #[test]
            fn never_panics(text in "\\PC{0,200}", name in "\\PC{0,30}") {
                let extra = vec![name.clone()];
                let _ = redact_text(&text, &extra);
                let _ = redact_url(&text, &extra);
                let _ = redact_header_value(&name, &text, &extra);
                let _ = is_secret_name(&name, &extra);
            }

            #[test]
            fn never_panics_on_json_like_text(text in r#"[a-z_:="'\\ {}\[\],&?#@/.0-9日本-]{0,120}"#) {
                let _ = redact_text(&text, &[]);
                let _ = redact_url(&text, &[]);
            }

            /// A secret in any of the shapes logs use never survives, whatever surrounds it.
            #[test]
            fn secrets_do_not_survive(
                secret in "[A-Za-z0-9]{6,12}[0-9][A-Za-z0-9._~+/=-]{0,20}",
                name in prop::sample::select(vec!["password", "api_key", "access_token", "client_secret", "X-Api-Key", "token", "Authorization"]),
                shape in 0usize..7,
                before in "[ a-zA-Z,{(]{0,10}",
                after in "[ a-zA-Z,})&]{0,10}",
            ) {
                let snippet = match shape {
                    0 => format!(r#""{name}": "{secret}""#),
                    1 => format!(r#"\"{name}\":\"{secret}\""#),
                    2 => format!("{name}={secret}"),
                    3 => format!("{name}: {secret}"),
                    4 => format!(r#"{{"name": "{name}", "value": "{secret}"}}"#),
                    5 => format!("Bearer {secret}"),
                    _ => format!("https://example.com/cb?{name}={secret}"),
                };
                let text = format!("{before} {snippet}{after}");
                let out = redact_text(&text, &[]);
                prop_assert!(!out.contains(&secret), "{} -> {}", text, out);
            }

            #[test]
            fn url_secrets_do_not_survive(secret in "[A-Za-z0-9_.~-]{4,30}", user in "[a-z]{1,8}") {
                let url = format!("https://{user}:{secret}@h.example/p?x=1&token={secret}#access_token={secret}");
                let out = redact_url(&url, &[]);
                prop_assert!(!out.contains(&secret), "{}", out);
            }
        }
    }

    #[test]
    fn header_pairs_split_over_lines_are_redacted() {
        let text = "{\n  \"name\": \"X-Tenant-Id\",\n  \"value\": \"acme-42\"\n}";
        let extra = vec!["x-tenant-id".to_string()];
        assert!(!redact_text(text, &extra).contains("acme-42"));
        assert_eq!(secret_values(text, &extra), ["acme-42"]);
    }
}
