//! Pulling the reason for a failure out of a decoded body, from the error shapes real APIs use.

use super::body::DecodedBody;

/// Why the call failed, in the body's own words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// One sentence, at most ~200 characters, quoting the body.
    pub summary: String,
    /// The longer text when the summary was shortened or more was said.
    pub detail: Option<String>,
    /// Field names named by field-level validation errors.
    pub fields: Vec<String>,
}

/// The explanation a failure body gives, if any.
pub fn explain(body: &DecodedBody) -> Option<Explanation> {
    let _ = body;
    None
}

/// For a 2xx call: the error the body reports anyway (GraphQL `errors`, `{"ok": false}`), if any.
pub fn reported_error(body: &DecodedBody) -> Option<Explanation> {
    let _ = body;
    None
}
