//! Plain data the analysis core hands out: byte ranges into the analysed text, owned strings,
//! no LSP types. Every front end (LSP, CLI) reads these and nothing else.

use std::collections::BTreeMap;
use std::sync::Arc;

/// A half-open byte range `[start, end)` into the analysed text, always on `char` boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
    pub fn len(&self) -> usize {
        self.end - self.start
    }
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
    /// True when `offset` lies inside the range, its end included (a cursor just after a token
    /// still touches it).
    pub fn touches(&self, offset: usize) -> bool {
        self.start <= offset && offset <= self.end
    }
    pub fn contains_span(&self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }
    pub fn shifted(self, by: usize) -> Span {
        Span::new(self.start + by, self.end + by)
    }
    /// Moves each end at or after `from` by `delta` bytes: an edit replaced the text up to
    /// `from` and made it `delta` bytes longer (or shorter).
    pub fn shift(&mut self, from: usize, delta: isize) {
        self.start = shift_offset(self.start, from, delta);
        self.end = shift_offset(self.end, from, delta);
    }
}

fn shift_offset(offset: usize, from: usize, delta: isize) -> usize {
    if offset >= from {
        offset.saturating_add_signed(delta)
    } else {
        offset
    }
}

/// The kind of run log a document was recognised as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// Integration platform run log in the shape of the debugging guide's example (integration, runs,
    /// steps, payload).
    IntegrationRunLog,
    /// HAR 1.2 (`log.entries[]`).
    Har,
    /// Newman / Postman JSON report (`run.executions[]`).
    Newman,
    /// VCR / Betamax cassette stored as JSON (`interactions[]`, `http_interactions[]`).
    Cassette,
    /// One JSON value per line.
    JsonLines,
    /// Any other JSON pairing a status field with a body field.
    Generic,
}

impl Format {
    pub fn label(self) -> &'static str {
        match self {
            Format::IntegrationRunLog => "integration run log",
            Format::Har => "HAR",
            Format::Newman => "Newman report",
            Format::Cassette => "VCR cassette",
            Format::JsonLines => "JSON Lines log",
            Format::Generic => "run log",
        }
    }
}

/// How the response body is stored in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BodyEncoding {
    /// A JSON object/array/number/bool/null written inline.
    Inline,
    /// A JSON string whose content is the body text (it may itself hold escaped JSON).
    String,
    /// A JSON string holding base64 (HAR `content.encoding: "base64"`).
    Base64,
    /// An array of byte values (Newman `stream: {"type": "Buffer", "data": [...]}`); the span is
    /// the array.
    ByteArray,
}

/// Where the response body sits in the text and how to read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyRef {
    /// The JSON value holding the body (for `String`/`Base64`, the string token with its quotes).
    pub span: Span,
    pub encoding: BodyEncoding,
    /// The body's media type when the log records it (`content-type` header, HAR `mimeType`).
    pub mime_type: Option<Arc<str>>,
}

impl BodyRef {
    /// See [`Span::shift`].
    pub fn shift(&mut self, from: usize, delta: isize) {
        self.span.shift(from, delta);
    }
}

/// One header as the log records it. Values of secret-bearing headers are already redacted.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Header {
    pub name: String,
    pub value: String,
}

/// A call's headers, shared: an edit re-analyses a few calls and copies every other one into
/// the new analysis, where copying a list is a count increment, not an allocation per string
/// (the call's other texts are `Arc<str>` for the same reason).
pub type Headers = Arc<[Header]>;

/// The request side of an exchange, as far as the log shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestInfo {
    pub method: Option<Arc<str>>,
    /// Already redacted (query secrets, userinfo).
    pub url: Option<Arc<str>>,
    pub headers: Headers,
    /// The request object (or request body) in the text, for the payload view.
    pub span: Option<Span>,
    pub body: Option<BodyRef>,
}

impl RequestInfo {
    /// See [`Span::shift`].
    pub fn shift(&mut self, from: usize, delta: isize) {
        if let Some(span) = &mut self.span {
            span.shift(from, delta);
        }
        if let Some(body) = &mut self.body {
            body.shift(from, delta);
        }
    }
}

/// Why a call got no HTTP response, as the producer recorded it (HAR `_error` /
/// `_failureText`, Newman `requestError`, a run-log step's error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoResponse {
    /// The producer's error: a code (`net::ERR_CONNECTION_REFUSED`, `ECONNREFUSED`) or its text.
    pub error: String,
    /// The producer's longer message when it records one beside the code
    /// (`connect ECONNREFUSED 127.0.0.1:9`).
    pub message: Option<String>,
}

/// The exporter did not record the whole response body (HAR `content.comment` or `size`, a
/// producer's "truncated" marker): where the log shows it and how it says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyTruncation {
    /// The body, or the object that should have held it.
    pub span: Span,
    /// How the log says so, in plain words.
    pub how: String,
}

/// One HTTP call found in the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// The status code; 0 for a call that got no response (`no_response` says why).
    pub status: u16,
    /// The status value token (`400` or `"400"`); diagnostics sit here. For a call that got no
    /// response: the status the producer wrote (HAR `0`/`-1`), else the error's code or text.
    pub status_span: Span,
    /// The key of the status property (`"network_code"`), with its quotes (no response: the
    /// status or error key).
    pub status_key_span: Span,
    /// The call got no HTTP response (refused, timed out, blocked, cancelled).
    pub no_response: Option<NoResponse>,
    /// The whole object that records the call (step, HAR entry, Newman execution, JSONL line).
    pub span: Span,
    /// The response object, when the log has one distinct from `span`.
    pub response_span: Option<Span>,
    pub status_text: Option<Arc<str>>,
    pub request: RequestInfo,
    /// Response headers, secrets redacted.
    pub response_headers: Headers,
    pub body: Option<BodyRef>,
    /// The body was not recorded in full.
    pub body_truncated: Option<BodyTruncation>,
    /// Step / request / entry name as the log calls it.
    pub name: Option<Arc<str>>,
    /// Index into `Analysis::runs`, when the log groups calls into runs.
    pub run: Option<usize>,
}

impl Exchange {
    /// See [`Span::shift`].
    pub fn shift(&mut self, from: usize, delta: isize) {
        self.status_span.shift(from, delta);
        self.status_key_span.shift(from, delta);
        self.span.shift(from, delta);
        if let Some(span) = &mut self.response_span {
            span.shift(from, delta);
        }
        self.request.shift(from, delta);
        if let Some(body) = &mut self.body {
            body.shift(from, delta);
        }
        if let Some(t) = &mut self.body_truncated {
            t.span.shift(from, delta);
        }
    }
}

/// A run (or other grouping: HAR page, Newman run, integration run) the log groups calls into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub name: String,
    pub span: Span,
    /// The span of the run's name/id value, for symbol selection.
    pub name_span: Span,
}

impl Run {
    /// See [`Span::shift`].
    pub fn shift(&mut self, from: usize, delta: isize) {
        self.span.shift(from, delta);
        self.name_span.shift(from, delta);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Information,
    Hint,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    /// A call whose status code is a failure (>= minimum status).
    FailedCall,
    /// A 2xx call whose body reports an error (GraphQL `errors`, `{"ok": false}`).
    ErrorInSuccessfulCall,
    /// The JSON stops being valid here (truncated or broken log).
    InvalidJson,
    /// A limit was hit (nesting depth, size, diagnostics cap); said once.
    LimitReached,
    /// A call that got no HTTP response (connection refused, DNS, timeout, CORS, cancelled).
    NoResponse,
    /// The response body of a call with a finding was not recorded in full: the reason may be
    /// in the part that is missing. Sits on the body; kept or capped with its call's finding.
    BodyTruncated,
}

impl FindingKind {
    /// A failing call (what lenses, groups and summaries count): a failure by the settings, or a
    /// call that got no response. Notes and findings about the text are not.
    pub fn is_failing_call(self) -> bool {
        matches!(self, FindingKind::FailedCall | FindingKind::NoResponse)
    }
}

/// One thing to report: becomes an LSP diagnostic, a line of `check` output, a SARIF result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: FindingKind,
    pub span: Span,
    pub severity: Severity,
    /// `None` for findings that are not about a status code (a call without response included).
    pub status: Option<u16>,
    /// Starts with "<code> <reason phrase>" for calls; plain text (never markdown).
    pub message: String,
    /// The body's own words, shortened (~200 chars), when the body explains the failure.
    pub explanation: Option<String>,
    /// Index into `Analysis::exchanges`.
    pub exchange: Option<usize>,
    /// Everything known about the call, for a finding about one (what front ends render).
    pub report: Option<std::sync::Arc<super::report::CallReport>>,
}

impl Finding {
    /// A finding about the text rather than a call (broken JSON, a limit reached).
    pub fn about_text(kind: FindingKind, span: Span, severity: Severity, message: String) -> Self {
        Finding {
            kind,
            span,
            severity,
            status: None,
            message,
            explanation: None,
            exchange: None,
            report: None,
        }
    }

    /// See [`Span::shift`].
    pub fn shift(&mut self, from: usize, delta: isize) {
        self.span.shift(from, delta);
    }
}

/// The calls of an analysis in text order, held in shared chunks: an edit's analysis shares
/// every chunk the edit neither replaces nor moves with the analysis before it, where a plain
/// list copied every call (each of its shared texts touched twice: copied, then the old freed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calls {
    /// `CALLS_PER_CHUNK` calls in each but the last, so call `i` is in chunk `i / CALLS_PER_CHUNK`.
    chunks: Vec<Arc<[Exchange]>>,
    len: usize,
}

const CALLS_PER_CHUNK: usize = 64;

impl Calls {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn get(&self, index: usize) -> Option<&Exchange> {
        self.chunks
            .get(index / CALLS_PER_CHUNK)?
            .get(index % CALLS_PER_CHUNK)
    }

    pub fn iter(&self) -> CallsIter<'_> {
        self.into_iter()
    }

    /// The index of the first call for which `pred` is false (`pred` true for a prefix).
    pub fn partition_point(&self, mut pred: impl FnMut(&Exchange) -> bool) -> usize {
        let whole = self
            .chunks
            .partition_point(|chunk| chunk.last().is_some_and(&mut pred));
        let Some(chunk) = self.chunks.get(whole) else {
            return self.len;
        };
        whole * CALLS_PER_CHUNK + chunk.partition_point(pred)
    }

    /// These calls with `self[replaced]` replaced by `fresh` and `shift` applied to every other
    /// one. A chunk of calls that neither overlaps `replaced` nor holds a call `moves` says
    /// `shift` would change is shared, not copied.
    pub(crate) fn spliced(
        &self,
        replaced: std::ops::Range<usize>,
        fresh: Vec<Exchange>,
        moves: impl Fn(&Exchange) -> bool,
        shift: impl Fn(&mut Exchange),
    ) -> Calls {
        let mut out = CallsBuilder::default();
        let mut fresh = Some(fresh);
        for (k, chunk) in self.chunks.iter().enumerate() {
            let first = k * CALLS_PER_CHUNK;
            let end = first + chunk.len();
            let untouched = end <= replaced.start || first >= replaced.end.max(replaced.start + 1);
            let whole = chunk.len() == CALLS_PER_CHUNK;
            if untouched && whole && !chunk.iter().any(&moves) && out.share(chunk) {
                continue;
            }
            for (i, call) in (first..end).zip(chunk.iter()) {
                if i == replaced.start {
                    out.extend(fresh.take().unwrap_or_default());
                }
                if !replaced.contains(&i) {
                    let mut call = call.clone();
                    shift(&mut call);
                    out.push(call);
                }
            }
        }
        out.extend(fresh.take().unwrap_or_default());
        out.finish()
    }
}

impl From<Vec<Exchange>> for Calls {
    fn from(calls: Vec<Exchange>) -> Calls {
        let mut out = CallsBuilder::default();
        out.extend(calls);
        out.finish()
    }
}

/// The calls of [`Calls`] in order.
pub type CallsIter<'a> = std::iter::FlatMap<
    std::slice::Iter<'a, Arc<[Exchange]>>,
    std::slice::Iter<'a, Exchange>,
    fn(&'a Arc<[Exchange]>) -> std::slice::Iter<'a, Exchange>,
>;

impl<'a> IntoIterator for &'a Calls {
    type Item = &'a Exchange;
    type IntoIter = CallsIter<'a>;

    fn into_iter(self) -> CallsIter<'a> {
        fn calls(chunk: &Arc<[Exchange]>) -> std::slice::Iter<'_, Exchange> {
            chunk.iter()
        }
        self.chunks.iter().flat_map(calls)
    }
}

impl std::ops::Index<usize> for Calls {
    type Output = Exchange;

    fn index(&self, index: usize) -> &Exchange {
        match self.get(index) {
            Some(call) => call,
            None => panic!("call {index} of {}", self.len),
        }
    }
}

/// Fills chunks in order, sharing whole ones where they fall on a chunk boundary.
#[derive(Default)]
struct CallsBuilder {
    done: Calls,
    pending: Vec<Exchange>,
}

impl CallsBuilder {
    fn push(&mut self, call: Exchange) {
        self.pending.push(call);
        if self.pending.len() == CALLS_PER_CHUNK {
            self.flush();
        }
    }

    fn extend(&mut self, calls: impl IntoIterator<Item = Exchange>) {
        for call in calls {
            self.push(call);
        }
    }

    /// Takes `chunk` (a full one) as it is when no partial chunk is pending; false otherwise.
    fn share(&mut self, chunk: &Arc<[Exchange]>) -> bool {
        if !self.pending.is_empty() {
            return false;
        }
        self.done.len += chunk.len();
        self.done.chunks.push(Arc::clone(chunk));
        true
    }

    fn flush(&mut self) {
        if !self.pending.is_empty() {
            self.done.len += self.pending.len();
            let chunk: Arc<[Exchange]> = std::mem::take(&mut self.pending).into();
            self.done.chunks.push(chunk);
        }
    }

    fn finish(mut self) -> Calls {
        self.flush();
        self.done
    }
}

/// What the analysis of one document produced. Never fails: broken input yields findings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Analysis {
    /// `None` when the text is not a run log (no exchange found): nothing is reported then,
    /// except nothing at all (ordinary JSON stays quiet, even when invalid).
    pub format: Option<Format>,
    /// In text order.
    pub exchanges: Calls,
    pub runs: Vec<Run>,
    /// In text order.
    pub findings: Vec<Finding>,
    /// The parts the analysis was built from, for re-analysing an edit (`core::incremental`).
    pub(crate) units: Units,
}

/// What an analysis was built from, so that an edit inside one part re-analyses that part only.
/// Front ends never read it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Units {
    /// In text order, disjoint: each part that can be re-analysed alone.
    pub(crate) list: Vec<Unit>,
    /// HAR page ids with their index in `runs`, for an entry's `pageref`.
    pub(crate) pages: Vec<(String, usize)>,
    /// Every exchange with a call finding, in order, including those the findings cap left out.
    pub(crate) calls: Vec<usize>,
    /// A limit other than the findings cap was hit: edits are analysed in full.
    pub(crate) limited: bool,
}

/// One part of the text that was parsed as written (no repair) and can be parsed again alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unit {
    /// The value, from its opening to its closing bracket.
    pub span: Span,
    pub kind: UnitKind,
    /// The exchanges it yielded (indices into `Analysis::exchanges`).
    pub exchanges: std::ops::Range<usize>,
    /// The runs it yielded (indices into `Analysis::runs`).
    pub runs: std::ops::Range<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UnitKind {
    /// One JSON Lines line holding an object or array (0-based line number).
    Line(usize),
    /// A HAR entry (`log.entries[i]`): named by its URL, grouped by its `pageref`.
    HarEntry,
    /// An object recording one call (Newman execution, run step, generic array element) that
    /// nothing around it reads: not an object root's value or a child of one (the root's shape
    /// reads those), not under a `response`/`res`/`http` key (whether its parent is a call
    /// reads those).
    Exchange,
}

impl Unit {
    pub(crate) fn shift(&mut self, from: usize, delta: isize) {
        self.span.shift(from, delta);
    }
}

impl Analysis {
    /// The exchange whose status key or value the offset touches (from the key's opening quote
    /// to just after the value): what hover and code actions ask for. Binary search: exchanges
    /// are in text order.
    pub fn exchange_at(&self, offset: usize) -> Option<usize> {
        let i = self
            .exchanges
            .partition_point(|e| e.status_key_span.start <= offset);
        let index = i.checked_sub(1)?;
        let e = &self.exchanges[index];
        let start = e.status_key_span.start.min(e.status_span.start);
        let end = e.status_key_span.end.max(e.status_span.end);
        (start <= offset && offset <= end).then_some(index)
    }

    /// The exchange whose recorded object (step, entry, line) contains the offset.
    pub fn exchange_containing(&self, offset: usize) -> Option<usize> {
        let i = self.exchanges.partition_point(|e| e.span.start <= offset);
        let index = i.checked_sub(1)?;
        self.exchanges[index].span.touches(offset).then_some(index)
    }

    /// The indices of the exchanges whose status value overlaps `[start, end]` (what an editor
    /// shows): two binary searches, no scan.
    pub fn exchanges_with_status_in(&self, start: usize, end: usize) -> std::ops::Range<usize> {
        let first = self
            .exchanges
            .partition_point(|e| e.status_span.end < start);
        let last = self
            .exchanges
            .partition_point(|e| e.status_span.start <= end)
            .max(first);
        first..last
    }

    /// The exchange whose response body the offset touches (a body lies inside its exchange's
    /// recorded object, so this is `exchange_containing` plus a check).
    pub fn exchange_with_body_at(&self, offset: usize) -> Option<usize> {
        let index = self.exchange_containing(offset)?;
        let body = self.exchanges[index].body.as_ref()?;
        body.span.touches(offset).then_some(index)
    }

    /// The finding about exchange `index` (failed call or error in a 2xx body), if any.
    pub fn finding_for_exchange(&self, index: usize) -> Option<&Finding> {
        let at = self.exchanges.get(index)?.status_span.start;
        let first = self.findings.partition_point(|f| f.span.start < at);
        self.findings[first..]
            .iter()
            .take_while(|f| f.span.start == at)
            .find(|f| f.exchange == Some(index))
    }
}

/// Where a status code's definition comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StatusSource {
    /// The debugging guide's wording (400, 401, 402, 403, 404, 409, 429, 5xx).
    Guide,
    /// IANA registry, definition written for this project.
    Iana,
    /// A well-known vendor code (Cloudflare 52x, nginx 444/499, AWS ELB 460/463, ...).
    Vendor,
    /// Not known: the debugging guide's guidance for "other error codes".
    Unknown,
    /// From the user's `runlog.statusCodes`.
    User,
}

/// A user's definition of a status code (`runlog.statusCodes`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub struct StatusOverride {
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
}

/// The settings the analysis honours (the `runlog.*` keys that affect findings).
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisConfig {
    /// Calls with a status below this are not reported (default 400).
    pub minimum_status: u16,
    /// Severity per class (`"4xx"`) or code (`"404"`); `None` = no finding.
    pub severity: BTreeMap<String, Option<Severity>>,
    pub status_codes: BTreeMap<u16, StatusOverride>,
    /// Extra key/header names whose values are redacted (case-insensitive).
    pub redact: Vec<String>,
    /// Cap on findings per document; one summary finding says how many more there were.
    pub max_findings: usize,
    /// Values nested deeper than this many levels are not analysed (at most the parser's 512).
    pub max_nesting_depth: usize,
    /// JSON Lines lines longer than this many bytes are not analysed.
    pub max_line_length: usize,
    /// Response bodies are read up to this many bytes once decoded.
    pub max_body_size: usize,
    /// Time budget of one analysis, from its start: calls not reached by then are not checked.
    /// `None`: no budget.
    pub analysis_time: Option<std::time::Duration>,
}

impl Default for AnalysisConfig {
    fn default() -> Self {
        AnalysisConfig {
            minimum_status: 400,
            severity: BTreeMap::new(),
            status_codes: BTreeMap::new(),
            redact: Vec::new(),
            max_findings: 10_000,
            max_nesting_depth: super::parse::PARSER_DEPTH,
            max_line_length: 16 << 20,
            max_body_size: super::body::MAX_DECODED_LEN,
            analysis_time: None,
        }
    }
}

#[cfg(test)]
mod lookup_tests {
    use crate::core::{analyze, AnalysisConfig};

    #[test]
    fn range_and_body_lookups_agree_with_a_scan() {
        // Across chunks of calls: 150 is two full chunks and part of a third.
        let calls: Vec<String> = (0..150)
            .map(|i| {
                format!(
                    r#"{{"status": {}, "body": {{"n": {i}}}}}"#,
                    200 + (i % 3) * 100
                )
            })
            .collect();
        let text = format!("[{}]", calls.join(",\n"));
        let a = analyze(&text, &AnalysisConfig::default());
        assert_eq!(a.exchanges.len(), 150);
        for (start, end) in [
            (0, text.len()),
            (100, 400),
            (text.len() / 2, text.len() / 2),
            (text.len() / 3, 2 * text.len() / 3),
            (0, 0),
            (text.len(), text.len()),
        ] {
            let found = a.exchanges_with_status_in(start, end);
            let scanned: Vec<usize> = (0..a.exchanges.len())
                .filter(|&i| {
                    let s = a.exchanges[i].status_span;
                    s.end >= start && s.start <= end
                })
                .collect();
            let got: Vec<usize> = found.collect();
            assert_eq!(got, scanned, "[{start}, {end}]");
        }
        for offset in 0..text.len() {
            let scanned = a
                .exchanges
                .iter()
                .position(|e| e.body.as_ref().is_some_and(|b| b.span.touches(offset)));
            assert_eq!(a.exchange_with_body_at(offset), scanned, "at {offset}");
        }
    }
}
