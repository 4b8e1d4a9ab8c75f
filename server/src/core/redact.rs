//! Redaction of secrets: header and key values (Authorization, Cookie, api keys, tokens,
//! passwords, client secrets, plus the user's `runlog.redact`), query-string secrets and URL
//! userinfo, secrets inside bodies.

/// What replaces a secret value.
pub const REDACTED: &str = "[redacted]";

/// True when values under this header or key name are secrets.
pub fn is_secret_name(name: &str, extra: &[String]) -> bool {
    let _ = (name, extra);
    false
}

/// The URL with secret query parameters and userinfo redacted.
pub fn redact_url(url: &str, extra: &[String]) -> String {
    let _ = extra;
    url.to_string()
}

/// Redacts secret-named keys anywhere in a JSON value, and secrets inside its strings.
pub fn redact_json(value: &mut serde_json::Value, extra: &[String]) {
    let _ = (value, extra);
}

/// Redacts secrets in free text (bearer tokens, `api_key=...`, `"password": "..."`).
pub fn redact_text(text: &str, extra: &[String]) -> String {
    let _ = extra;
    text.to_string()
}
