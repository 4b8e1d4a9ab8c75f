//! The payload view: request and response of one exchange as one readable document, the body
//! decoded and pretty-printed, secrets redacted (what the seed's "View Payload" shows).

use super::model::{Analysis, AnalysisConfig};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PayloadView {
    /// e.g. "Payload: POST https://api.example.com/lists/members → 400".
    pub title: String,
    /// Language id of `content` ("json").
    pub language: String,
    pub content: String,
}

/// The payload view of `analysis.exchanges[exchange]` in `text`.
pub fn payload(text: &str, analysis: &Analysis, exchange: usize, config: &AnalysisConfig) -> Option<PayloadView> {
    let _ = (text, analysis, exchange, config);
    None
}
