//! The call report: everything known about one call — what its status code means, why it failed
//! in the body's own words, what helps next, the request line — computed by one function and
//! redacted once. Every front end (diagnostics, hover, payload view, lenses, hints, `check`)
//! renders a report; none of them decodes, explains or redacts on its own.
//!
//! Redaction is by name (the built-in secret names and the user's `runlog.redact`) and by value:
//! every secret value the call holds (auth headers, cookies, api-key parameters, values under the
//! user's names) is hidden wherever else it appears in what is shown of that call, so an API that
//! echoes the rejected token in its error message does not make us print it.

use super::body;
use super::explain::{self, Explanation};
use super::model::{
    Analysis, AnalysisConfig, BodyRef, Exchange, Finding, FindingKind, Severity, StatusSource,
};
use super::network_errors::{self, NetworkError};
use super::redact::{self, REDACTED};
use super::status::{self, StatusInfo};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Everything known about one call, every string already redacted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallReport {
    /// `None` for a call that got no response.
    pub status: Option<u16>,
    /// The code's reason phrase, definition, class, MDN page and where the definition comes from.
    /// For a call that got no response: reason "No response", the network error's meaning as
    /// the definition, class 0, no MDN page.
    pub info: StatusInfo,
    /// Why the call got no response, from the catalogue of network errors (`what` and `next`
    /// redacted like the rest).
    pub no_response: Option<NoResponseReport>,
    /// The call is a failure by the settings (at or above the minimum status, with a severity).
    pub failing: bool,
    /// Why it failed (for a 2xx: the error its body reports anyway), in the body's words.
    pub explanation: Option<Explanation>,
    /// What helps next (Retry-After, the auth scheme sent, Location), as `(label, value)`.
    pub extras: Vec<(String, String)>,
    pub method: Option<String>,
    pub url: Option<String>,
    /// The step / request / entry name as the log calls it.
    pub name: Option<String>,
    /// The response body was longer than `runlog.limits.maxBodySize` and read only that far.
    pub body_cut: bool,
    /// Hides this call's secrets in any other text shown about it (the source excerpt of
    /// `check`, the payload view).
    pub redactor: Redactor,
}

/// The code of the note that a call's response body was not recorded in full.
pub const BODY_TRUNCATED_CODE: &str = "body-truncated";

/// The note a call's finding brings when the exporter did not record its response body in full
/// (`body-truncated`, Information, on the body), sharing the call's report. A call that got no
/// response has no body to speak of.
pub(crate) fn truncation_note(call: &Finding, exchange: &Exchange) -> Option<Finding> {
    if !matches!(
        call.kind,
        FindingKind::FailedCall | FindingKind::ErrorInSuccessfulCall
    ) {
        return None;
    }
    let truncation = exchange.body_truncated.as_ref()?;
    let report = call.report.as_ref()?;
    Some(Finding {
        kind: FindingKind::BodyTruncated,
        span: truncation.span,
        severity: Severity::Information,
        status: None,
        message: format!(
            "Response body {}.",
            not_recorded(&report.redactor.text(&truncation.how))
        ),
        explanation: None,
        exchange: call.exchange,
        report: Some(report.clone()),
    })
}

/// What the note and the call's extras say of a body the exporter cut, `how` saying how the
/// log tells.
fn not_recorded(how: &str) -> String {
    format!("not recorded in full ({how}): the reason may be in the part that is missing")
}

/// What is known about a call that got no response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoResponseReport {
    /// The catalogue's answer for the producer's error.
    pub error: NetworkError,
    /// The producer's own words (its error text, and its message when it has one), redacted.
    pub producer_text: String,
}

/// What a call's response body says, read before the call's report is made: a successful
/// call whose body says nothing of an error gets no report at all, and is spared the search of
/// its whole record for secrets.
pub(crate) struct BodyReading {
    /// Not yet redacted: the report redacts it.
    explanation: Option<Explanation>,
    /// The body is over `maxBodySize` and was read cut.
    pub cut: bool,
}

impl BodyReading {
    /// Reads the body of `exchange` (whose spans index `text`) when its report shows it: a
    /// failing or non-2xx call's, a 2xx call's that may report an error.
    pub(crate) fn of(text: &str, exchange: &Exchange, config: &AnalysisConfig) -> BodyReading {
        let status = exchange.status;
        let telling = !(200..300).contains(&status) || is_failing(status, config);
        let mut cut = false;
        let explanation = exchange
            .body
            .as_ref()
            .filter(|b| {
                exchange.no_response.is_none()
                    && (telling || may_report_error(text, b, config.max_body_size))
            })
            .and_then(|b| {
                let (decoded, was_cut) = body::decode_limited(text, b, config.max_body_size);
                cut = was_cut;
                if telling {
                    explain::explain(&decoded)
                } else {
                    explain::reported_error(&decoded)
                }
            });
        BodyReading { explanation, cut }
    }

    /// Whether the body says why the call failed.
    pub(crate) fn explains(&self) -> bool {
        self.explanation.is_some()
    }
}

impl CallReport {
    /// The report on `exchange`, whose spans index `text`.
    pub fn new(text: &str, exchange: &Exchange, config: &AnalysisConfig) -> CallReport {
        Self::explained(
            text,
            exchange,
            config,
            BodyReading::of(text, exchange, config),
        )
    }

    /// The report on `exchange` whose body `reading` has read.
    pub(crate) fn explained(
        text: &str,
        exchange: &Exchange,
        config: &AnalysisConfig,
        reading: BodyReading,
    ) -> CallReport {
        let redactor = Redactor::for_call(text, exchange, config);
        if let Some(failure) = &exchange.no_response {
            return Self::unanswered(exchange, failure, redactor);
        }
        let status = exchange.status;
        let BodyReading {
            explanation,
            cut: body_cut,
        } = reading;
        let explanation = explanation.map(|e| redactor.explanation(e));
        CallReport {
            status: Some(status),
            info: status::lookup(status, &config.status_codes),
            no_response: None,
            failing: is_failing(status, config),
            explanation,
            extras: status::extras(exchange)
                .into_iter()
                .chain(
                    exchange
                        .body_truncated
                        .as_ref()
                        .map(|t| ("Body".to_string(), not_recorded(&t.how))),
                )
                .map(|(label, value)| (label, redactor.text(&value)))
                .collect(),
            method: exchange.request.method.as_deref().map(str::to_string),
            url: exchange.request.url.as_deref().map(|u| redactor.url(u)),
            name: exchange.name.as_deref().map(|n| redactor.text(n)),
            body_cut,
            redactor,
        }
    }

    /// The report on a call that got no response: the catalogue says what its error means.
    fn unanswered(
        exchange: &Exchange,
        failure: &super::model::NoResponse,
        redactor: Redactor,
    ) -> CallReport {
        let mut error = network_errors::lookup(&failure.error);
        error.what = redactor.text(&error.what);
        let producer_text = match &failure.message {
            Some(m) if m != &failure.error => format!("{}: {m}", failure.error),
            _ => failure.error.clone(),
        };
        let producer_text = redactor.text(&producer_text);
        let mut extras = Vec::new();
        // The producer's words when they say more than the code.
        if error.code.as_deref() != Some(failure.error.as_str()) || failure.message.is_some() {
            extras.push(("Error".to_string(), producer_text.clone()));
        }
        extras.push(("What to check next".to_string(), error.next.clone()));
        CallReport {
            status: None,
            info: StatusInfo {
                code: 0,
                reason: NO_RESPONSE.to_string(),
                definition: error.what.clone(),
                class: 0,
                mdn: None,
                source: StatusSource::Unknown,
            },
            no_response: Some(NoResponseReport {
                error,
                producer_text,
            }),
            failing: true,
            explanation: None,
            extras,
            method: exchange.request.method.as_deref().map(str::to_string),
            url: exchange.request.url.as_deref().map(|u| redactor.url(u)),
            name: exchange.name.as_deref().map(|n| redactor.text(n)),
            body_cut: false,
            redactor,
        }
    }

    /// The severity of the call's finding: `runlog.diagnostics.severity."no-response"` or the
    /// catalogue's for a call without response, else the status code's.
    pub fn severity(&self, config: &AnalysisConfig) -> Option<Severity> {
        match (&self.no_response, self.status) {
            (Some(n), _) => lookup_severity(&config.severity, NO_RESPONSE_CODE)
                .unwrap_or(Some(n.error.severity)),
            (None, Some(code)) => severity_for(code, config),
            (None, None) => None,
        }
    }

    /// "<code> <reason phrase>", the head of every message about the call ("No response" for a
    /// call that got none).
    pub fn headline(&self) -> String {
        match self.status {
            None => NO_RESPONSE.to_string(),
            Some(code) if self.info.reason.is_empty() => code.to_string(),
            Some(code) => format!("{code} {}", self.info.reason),
        }
    }

    /// The one-line message of the call's finding: the headline and the body's reason; for a
    /// call without response, what its error means.
    pub fn message(&self) -> String {
        if let Some(n) = &self.no_response {
            return match &n.error.code {
                Some(code) => format!("{NO_RESPONSE} ({code}): {}", n.error.what),
                None => format!("{NO_RESPONSE}: {}", n.error.what),
            };
        }
        let mut message = self.headline();
        match (&self.explanation, self.failing) {
            (Some(e), true) => {
                message.push_str(": ");
                message.push_str(&e.summary);
            }
            (Some(e), false) => {
                message.push_str(", but the response body reports an error: ");
                message.push_str(&e.summary);
            }
            (None, _) => {}
        }
        message
    }

    /// "METHOD URL" as far as the log shows it (empty when it shows neither).
    pub fn request_line(&self) -> String {
        let parts: Vec<&str> = [self.method.as_deref(), self.url.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        parts.join(" ")
    }

    /// The longest explanation the body gives: the detail when it says more than the summary,
    /// with the fields named by validation errors.
    pub fn full_explanation(&self) -> Option<String> {
        let e = self.explanation.as_ref()?;
        let mut text = e
            .detail
            .clone()
            .filter(|d| d.len() > e.summary.len())
            .unwrap_or_else(|| e.summary.clone());
        if !e.fields.is_empty() {
            text.push_str(&format!("\nFields: {}", e.fields.join(", ")));
        }
        Some(text)
    }
}

/// The headline of a call that got no response.
pub const NO_RESPONSE: &str = "No response";

/// The code of a call that got no response (diagnostics, `check`, `runlog.diagnostics.severity`).
pub const NO_RESPONSE_CODE: &str = "no-response";

/// The report on `analysis.exchanges[index]`: its finding's, or built now for a call without one.
pub fn report_for(
    analysis: &Analysis,
    text: &str,
    index: usize,
    config: &AnalysisConfig,
) -> Option<Arc<CallReport>> {
    if let Some(report) = analysis
        .finding_for_exchange(index)
        .and_then(|f| f.report.clone())
    {
        return Some(report);
    }
    let exchange = analysis.exchanges.get(index)?;
    Some(Arc::new(CallReport::new(text, exchange, config)))
}

/// A call at or above the minimum status whose code has a severity is a failure.
pub fn is_failing(code: u16, config: &AnalysisConfig) -> bool {
    code >= config.minimum_status && severity_for(code, config).is_some()
}

/// The severity configured or defaulted for a code; `None` = no finding.
pub fn severity_for(code: u16, config: &AnalysisConfig) -> Option<Severity> {
    if let Some(s) = lookup_severity(&config.severity, &code.to_string()) {
        return s;
    }
    if let Some(s) = lookup_severity(&config.severity, &format!("{}xx", code / 100)) {
        return s;
    }
    if code < 400 {
        // Only reached when the user lowered the minimum status below 400.
        return Some(Severity::Information);
    }
    let standard = matches!(
        status::lookup(code, &BTreeMap::new()).source,
        StatusSource::Guide | StatusSource::Iana
    );
    Some(if standard && code < 600 {
        Severity::Error
    } else {
        Severity::Warning
    })
}

fn lookup_severity(
    map: &BTreeMap<String, Option<Severity>>,
    key: &str,
) -> Option<Option<Severity>> {
    if let Some(s) = map.get(key) {
        return Some(*s);
    }
    map.iter()
        .find(|(k, _)| k.trim().eq_ignore_ascii_case(key))
        .map(|(_, s)| *s)
}

/// A cheap look at the raw body before decoding it (most calls succeed, and decoding every 2xx
/// body would cost more than the parse): `explain::reported_error` only answers for a GraphQL
/// `errors` array, `"ok": false`, `"success": false` or a `"status": "error"`/`"fail…"`, so the
/// raw text (escaped or not) must show one of those. A body stored encoded (base64, bytes) is
/// decoded and its bytes looked at the same way: they are not parsed unless they show one.
pub(crate) fn may_report_error(text: &str, b: &BodyRef, max: usize) -> bool {
    match body::encoded_bytes(text, b, max) {
        Some(bytes) => raw_may_report_error(&bytes),
        None => text
            .get(b.span.start..b.span.end)
            .is_some_and(|raw| raw_may_report_error(raw.as_bytes())),
    }
}

pub(crate) fn raw_may_report_error(bytes: &[u8]) -> bool {
    // Every 2xx body (and every unit streamed) is searched: SIMD substring search (memchr)
    // rather than `str::contains`, with searchers built once.
    use memchr::memmem::Finder;
    use std::sync::LazyLock;
    static ERRORS: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"errors"));
    static FALSE: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"false"));
    static STATUS: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"status"));
    if ERRORS.find(bytes).is_some() {
        return true;
    }
    // Separators between a key and its value, escaped or not: `"ok": false`, `\"ok\":false`.
    let sep = |c: u8| matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b':' | b'"' | b'\\');
    for at in FALSE.find_iter(bytes) {
        let mut i = at;
        while i > 0 && sep(bytes[i - 1]) {
            i -= 1;
        }
        let before = &bytes[..i];
        if before.ends_with(b"ok") || before.ends_with(b"success") {
            return true;
        }
    }
    for at in STATUS.find_iter(bytes) {
        let mut i = at + "status".len();
        while i < bytes.len() && sep(bytes[i]) {
            i += 1;
        }
        let rest = &bytes[i..];
        let starts = |w: &[u8]| rest.len() >= w.len() && rest[..w.len()].eq_ignore_ascii_case(w);
        if starts(b"error") || starts(b"fail") {
            return true;
        }
    }
    false
}

/// Shorter values are not hidden by value (they would blank out ordinary words).
const MIN_SECRET_CHARS: usize = 4;
/// At most this many secret values are kept per call (bounded work on hostile logs).
const MAX_SECRET_VALUES: usize = 64;
/// Cookie values shorter than this are not hidden on their own (`theme=dark`).
const MIN_COOKIE_VALUE_CHARS: usize = 8;

/// Hides secrets in text shown about one call: by name (built-in and `runlog.redact`) and by
/// value (every secret value found in the call). The values never leave the core: there is no
/// accessor, and `Debug` shows only how many there are.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Redactor {
    names: Vec<String>,
    /// Longest first, so that a value holding another is hidden whole.
    values: Vec<String>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor")
            .field("names", &self.names)
            .field("values", &self.values.len())
            .finish()
    }
}

impl Redactor {
    /// Redaction by name only (text that belongs to no call: a parse problem, a whole line).
    pub fn by_name(config: &AnalysisConfig) -> Redactor {
        Redactor {
            names: config.redact.clone(),
            values: Vec::new(),
        }
    }

    /// Redaction by name and by every secret value written in the call's recorded object.
    pub fn for_call(text: &str, exchange: &Exchange, config: &AnalysisConfig) -> Redactor {
        let call = text
            .get(exchange.span.start..exchange.span.end)
            .unwrap_or_default();
        let mut values = Vec::new();
        for value in redact::secret_values(call, &config.redact) {
            // A cookie header's value is `name=value; name=value`: each value is a secret too.
            if value.contains('=') {
                for part in value.split(';') {
                    if let Some((_, v)) = part.split_once('=') {
                        let v = v.trim();
                        if v.chars().count() >= MIN_COOKIE_VALUE_CHARS {
                            values.push(v.to_string());
                        }
                    }
                }
            }
            // As the log writes it inside an escaped string (`\/` for `/`) and as it reads.
            if value.contains("\\/") {
                values.push(value.replace("\\/", "/"));
            }
            values.push(value);
        }
        values.retain(|v| {
            let v = v.trim();
            v.chars().count() >= MIN_SECRET_CHARS && !v.contains(REDACTED)
        });
        values.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        values.dedup();
        values.truncate(MAX_SECRET_VALUES);
        Redactor {
            names: config.redact.clone(),
            values,
        }
    }

    /// Free text from the log as it may be shown.
    pub fn text(&self, text: &str) -> String {
        self.hide_values(redact::redact_text(text, &self.names))
    }

    /// A URL from the log as it may be shown (secret query parameters, userinfo).
    pub fn url(&self, url: &str) -> String {
        self.hide_values(redact::redact_url(url, &self.names))
    }

    /// A header's value as it may be shown.
    pub fn header_value(&self, name: &str, value: &str) -> String {
        self.hide_values(redact::redact_header_value(name, value, &self.names))
    }

    /// A decoded JSON body as it may be shown: secret keys and secrets in its strings.
    pub fn json(&self, value: &mut serde_json::Value) {
        redact::redact_json(value, &self.names);
        if self.values.is_empty() {
            return;
        }
        let mut stack = vec![value];
        while let Some(v) = stack.pop() {
            match v {
                serde_json::Value::String(s)
                    if self.values.iter().any(|secret| s.contains(secret.as_str())) =>
                {
                    *s = self.hide_values(std::mem::take(s));
                }
                serde_json::Value::Array(items) => stack.extend(items.iter_mut()),
                serde_json::Value::Object(map) => stack.extend(map.values_mut()),
                _ => {}
            }
        }
    }

    /// An explanation as it may be shown; the summary is shortened again when redaction made it
    /// longer.
    fn explanation(&self, e: Explanation) -> Explanation {
        let summary = self.text(&e.summary);
        Explanation {
            summary: if summary == e.summary {
                summary
            } else {
                explain::shorten(&summary, explain::MAX_SUMMARY_CHARS)
            },
            detail: e.detail.map(|d| self.text(&d)),
            fields: e.fields.iter().map(|f| self.text(f)).collect(),
        }
    }

    fn hide_values(&self, mut text: String) -> String {
        for secret in &self.values {
            if text.contains(secret.as_str()) {
                text = text.replace(secret.as_str(), REDACTED);
            }
        }
        text
    }
}

#[cfg(test)]
mod tests;
