//! The status-code catalogue: the seed's definitions, the IANA registry, well-known vendor codes,
//! the seed's guidance for any other code, and user overrides.

use super::model::{Exchange, StatusOverride, StatusSource};
use std::collections::BTreeMap;

/// Everything known about one status code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusInfo {
    pub code: u16,
    /// "Bad Request"; for unknown codes a neutral label ("Non-standard status").
    pub reason: String,
    /// One or two sentences (the seed's wording for the seed's codes).
    pub definition: String,
    /// 1..=5 for 100..=599, 0 otherwise.
    pub class: u8,
    /// MDN page of a standard code.
    pub mdn: Option<String>,
    pub source: StatusSource,
}

/// Looks a code up; user overrides win over built-ins.
pub fn lookup(code: u16, overrides: &BTreeMap<u16, StatusOverride>) -> StatusInfo {
    let _ = overrides;
    StatusInfo {
        code,
        reason: String::new(),
        definition: String::new(),
        class: if (100..600).contains(&code) { (code / 100) as u8 } else { 0 },
        mdn: None,
        source: StatusSource::Unknown,
    }
}

/// What the exchange shows that helps next: Retry-After / rate-limit headers for 429, the auth
/// scheme sent for 401/403 (value redacted), Location for 3xx. `(label, value)` pairs, plain text.
pub fn extras(exchange: &Exchange) -> Vec<(String, String)> {
    let _ = exchange;
    Vec::new()
}
