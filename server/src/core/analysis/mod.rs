//! The entry point: text in, `Analysis` out. Reads the text unit by unit when its cut is exact
//! (`units/`), else parses it whole (tolerantly); extracts the exchanges, then turns failing
//! calls, 2xx calls whose body reports an error, broken JSON and limits into findings, in text
//! order.

use super::detect::Shape;
use super::exchange::{self, Extracted};
use super::model::{
    Analysis, AnalysisConfig, BodyEncoding, Exchange, Finding, FindingKind, Format, Severity, Span,
    Units,
};
use super::parse::{self, Problem, ProblemKind};
use super::report::{self, BodyReading, CallReport};
use std::sync::Arc;
use std::time::Instant;

/// Analyses a document (JSON, JSONC or JSON Lines). Never fails, never panics.
pub fn analyze(text: &str, config: &AnalysisConfig) -> Analysis {
    analyze_with(text, config, true)
}

/// [`analyze`] parsing the whole text as one tree, even a HAR or a Newman report whose calls
/// could be parsed one by one: what the differential tests compare `analyze` with.
#[doc(hidden)]
pub fn analyze_as_one_tree(text: &str, config: &AnalysisConfig) -> Analysis {
    analyze_with(text, config, false)
}

fn analyze_with(text: &str, config: &AnalysisConfig, by_units: bool) -> Analysis {
    let started = Instant::now();
    let deadline = config.analysis_time.and_then(|t| started.checked_add(t));
    let limits = parse::ParseLimits {
        max_nesting_depth: config.max_nesting_depth,
        max_line_length: config.max_line_length,
        deadline,
    };
    // A HAR or a Newman report is read call by call (no tree of the whole log in memory);
    // anything else, or one whose cut is not exact, as one tree.
    let by_calls = by_units.then(|| units::by_units(text, config)).flatten();
    let (extracted, parsed) = match by_calls {
        Some(extracted) => (extracted, parse::Parsed::default()),
        None => {
            let mut extracted = Extracted::default();
            let parsed = parse::parse_with_limits(text, &limits, |root, piece| {
                exchange::extract(root, piece, text, &config.redact, &mut extracted);
            });
            (extracted, parsed)
        }
    };
    // Ordinary JSON (no exchange) stays quiet, even when it is invalid.
    if extracted.exchanges.is_empty() {
        return Analysis::default();
    }
    let format = if parsed.json_lines {
        Format::JsonLines
    } else {
        extracted
            .shape
            .and_then(Shape::format)
            .unwrap_or(Format::Generic)
    };

    let mut calls: Vec<Finding> = Vec::new();
    let mut cuts = BodyCuts::default();
    let mut stopped_at = parsed.stopped_at.map(|at| Span::new(at, at));
    for (index, ex) in extracted.exchanges.iter().enumerate() {
        if deadline.is_some_and(|d| Instant::now() >= d) {
            stopped_at = Some(ex.status_span);
            break;
        }
        if let Some(f) = finding_for(text, ex, index, config, &mut cuts) {
            calls.push(f);
        }
    }
    let failing: Vec<usize> = calls.iter().filter_map(|f| f.exchange).collect();
    let omitted_at = calls.get(config.max_findings).map(|f| f.span);
    calls.truncate(config.max_findings);
    with_truncation_notes(&mut calls, |i| extracted.exchanges.get(i));
    // A limit other than the findings cap (time, body size, nesting, line length) makes every
    // later edit a full analysis: what it cut depends on the whole text.
    let limited = stopped_at.is_some()
        || cuts.first.is_some()
        || parsed
            .problems
            .iter()
            .any(|p| matches!(p.kind, ProblemKind::TooDeep | ProblemKind::TooLong));
    let mut problems: Vec<Finding> = parsed.problems.into_iter().map(problem_finding).collect();
    // Limits are never capped: each one hit is said once.
    if let Some(span) = stopped_at {
        problems.push(limit_finding(
            span,
            Severity::Warning,
            format!(
                "Analysis stopped after {} ms at line {} (runlog.limits.analysisTimeMs is {}); calls after it are not checked.",
                started.elapsed().as_millis(),
                line_number(text, span.start),
                config.analysis_time.unwrap_or_default().as_millis()
            ),
        ));
    }
    if let Some(at) = cuts.first {
        let (bodies, were) = if cuts.count == 1 {
            ("A response body".to_string(), "was")
        } else {
            (format!("{} response bodies", cuts.count), "were")
        };
        problems.push(limit_finding(
            Span::new(at, at),
            Severity::Information,
            format!(
                "{bodies} longer than {} bytes once decoded {were} read only that far (runlog.limits.maxBodySize), starting with this one.",
                config.max_body_size
            ),
        ));
    }
    let findings = assemble_findings(calls, failing.len(), omitted_at, problems, config);

    Analysis {
        format: Some(format),
        exchanges: extracted.exchanges.into(),
        runs: extracted.runs,
        findings,
        units: Units {
            list: extracted.units,
            pages: extracted.pages,
            calls: failing,
            limited,
        },
    }
}

/// Adds the `body-truncated` note of each call finding in `calls` whose body was not recorded in
/// full. Notes go with the call findings the cap kept and do not count towards it.
pub(crate) fn with_truncation_notes<'a>(
    calls: &mut Vec<Finding>,
    exchange: impl Fn(usize) -> Option<&'a Exchange>,
) {
    let notes: Vec<Finding> = calls
        .iter()
        .filter_map(|f| report::truncation_note(f, exchange(f.exchange?)?))
        .collect();
    calls.extend(notes);
}

/// The severity of the summary finding the findings cap adds (parse problems never have it).
const CAP_SUMMARY_SEVERITY: Severity = Severity::Information;

/// A parse problem as a finding.
pub(crate) fn problem_finding(problem: Problem) -> Finding {
    let (kind, severity) = match problem.kind {
        ProblemKind::Invalid => (FindingKind::InvalidJson, Severity::Error),
        ProblemKind::TooDeep | ProblemKind::TooLong => {
            (FindingKind::LimitReached, Severity::Warning)
        }
    };
    Finding::about_text(kind, problem.span, severity, problem.message)
}

/// True for a finding that came from a parse problem (not a call, not the cap's summary).
pub(crate) fn is_problem(f: &Finding) -> bool {
    f.exchange.is_none()
        && !(f.kind == FindingKind::LimitReached && f.severity == CAP_SUMMARY_SEVERITY)
}

/// The findings of a document in text order: the call findings the cap keeps (`kept`, in
/// exchange order, at most `max_findings` of `total`), the cap's summary at the first omitted
/// call, and the parse problems, which are never capped.
pub(crate) fn assemble_findings(
    kept: Vec<Finding>,
    total: usize,
    omitted_at: Option<Span>,
    problems: Vec<Finding>,
    config: &AnalysisConfig,
) -> Vec<Finding> {
    let summary = omitted_at
        .map(|span| omitted_finding(span, total - config.max_findings, config.max_findings));
    merge_findings(kept, summary, problems, |f| f)
}

/// The one merge of every driver (whole text, re-analysis, streaming): the call findings the
/// cap kept, its summary and the problems, in text order. At one offset a call's finding comes
/// first, then the summary, then problems.
pub(crate) fn merge_findings<T>(
    mut kept: Vec<T>,
    summary: Option<T>,
    problems: Vec<T>,
    finding: impl Fn(&T) -> &Finding,
) -> Vec<T> {
    kept.reserve(problems.len() + 1);
    kept.extend(summary);
    kept.extend(problems);
    // Stable: the order above stays for findings at the same offset.
    kept.sort_by_key(|t| finding(t).span.start);
    kept
}

/// The one finding that says `more` failing calls past the cap were not reported; `span` is the
/// first omitted call's.
pub(crate) fn omitted_finding(span: Span, more: usize, max_findings: usize) -> Finding {
    let message = format!(
        "{more} more failing call{} not shown (at most {max_findings} findings are reported per document)",
        if more == 1 { "" } else { "s" },
    );
    Finding::about_text(
        FindingKind::LimitReached,
        span,
        CAP_SUMMARY_SEVERITY,
        message,
    )
}

/// A finding about a limit that was hit.
fn limit_finding(span: Span, severity: Severity, message: String) -> Finding {
    Finding::about_text(FindingKind::LimitReached, span, severity, message)
}

/// The 1-based line of a byte offset.
fn line_number(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Bodies cut at `runlog.limits.maxBodySize` while analysing: how many, where the first starts.
#[derive(Debug, Default)]
pub(crate) struct BodyCuts {
    count: usize,
    pub(crate) first: Option<usize>,
}

impl BodyCuts {
    fn note(&mut self, at: usize) {
        self.count += 1;
        self.first.get_or_insert(at);
    }
}

/// The finding about one call (`index` into the exchanges), if it is one: a failing call, or
/// a 2xx whose body reports an error. Its message and explanation come from the call report.
pub(crate) fn finding_for(
    text: &str,
    ex: &Exchange,
    index: usize,
    config: &AnalysisConfig,
    cuts: &mut BodyCuts,
) -> Option<Finding> {
    if ex.no_response.is_some() {
        let report = CallReport::new(text, ex, config);
        return Some(Finding {
            kind: FindingKind::NoResponse,
            span: ex.status_span,
            severity: report.severity(config)?,
            status: None,
            message: report.message(),
            explanation: None,
            exchange: Some(index),
            report: Some(Arc::new(report)),
        });
    }
    let failing = report::is_failing(ex.status, config);
    // A call that is not failing has a finding only when it is a 2xx whose body reports an
    // error: the reading looks for that (`may_report_error`) before decoding anything.
    if !failing && !(200..300).contains(&ex.status) {
        return None;
    }
    let reading = read_body(text, ex, config, cuts);
    let (kind, severity) = if failing {
        (
            FindingKind::FailedCall,
            report::severity_for(ex.status, config)?,
        )
    } else {
        // A successful call's finding is its body's error: without one, no report is made.
        reading.explains().then_some(())?;
        (FindingKind::ErrorInSuccessfulCall, Severity::Information)
    };
    let report = CallReport::explained(text, ex, config, reading);
    Some(Finding {
        kind,
        span: ex.status_span,
        severity,
        status: Some(ex.status),
        message: report.message(),
        explanation: report.explanation.as_ref().map(|e| e.summary.clone()),
        exchange: Some(index),
        report: Some(Arc::new(report)),
    })
}

/// The body's reading, a cut body noted.
fn read_body(
    text: &str,
    ex: &Exchange,
    config: &AnalysisConfig,
    cuts: &mut BodyCuts,
) -> BodyReading {
    let reading = BodyReading::of(text, ex, config);
    if reading.cut {
        cuts.note(ex.body.as_ref().map_or(ex.span.start, |b| b.span.start));
    }
    reading
}

/// Whether [`finding_for`] gives the call a finding, a cut body noted as it notes it, without
/// making the report: a call past the findings cap is only counted, and explaining it (most of
/// a failing call's cost) would be thrown away.
pub(crate) fn has_finding(
    text: &str,
    ex: &Exchange,
    config: &AnalysisConfig,
    cuts: &mut BodyCuts,
) -> bool {
    if ex.no_response.is_some() {
        return finding_for(text, ex, 0, config, cuts).is_some();
    }
    if !report::is_failing(ex.status, config) {
        return (200..300).contains(&ex.status) && read_body(text, ex, config, cuts).explains();
    }
    // A body is cut when what it decodes to is over the limit. Text no longer than the limit
    // decodes to no more, unless it is stored encoded (gzip inflates): only those are read.
    let may_be_cut = ex.body.as_ref().is_some_and(|b| {
        matches!(b.encoding, BodyEncoding::Base64 | BodyEncoding::ByteArray)
            || b.span.end - b.span.start > config.max_body_size
    });
    if may_be_cut {
        read_body(text, ex, config, cuts);
    }
    report::severity_for(ex.status, config).is_some()
}

mod units;

#[cfg(test)]
mod tests;
