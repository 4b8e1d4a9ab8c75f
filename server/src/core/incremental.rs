//! Re-analysis after an edit. The changed region is found by comparing the old and new texts
//! (common prefix and suffix), so callers need not track edits. An edit strictly inside one unit
//! (a JSON Lines line, a HAR entry, a call's object; see `model::Units`) re-parses and
//! re-analyses that unit only and shifts every span after it; text appended to a JSON Lines log
//! is analysed from the old last line on; anything else is a full `analyze`.
//!
//! The invariant, checked by the property tests below:
//! `reanalyze(&analyze(old, c), old, new, c) == analyze(new, c)` for every `old` and `new`.

use super::analysis::{
    analyze, assemble_findings, finding_for, is_problem, problem_finding, BodyCuts,
};
use super::exchange::{self, Extracted};
use super::model::{Analysis, AnalysisConfig, Finding, Format, Span, Unit, UnitKind, Units};
use super::parse;
use std::ops::Range;

/// How `reanalyze_with_path` produced its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReanalysisPath {
    /// The text did not change.
    Unchanged,
    /// One unit was re-analysed, the spans after it shifted.
    Incremental,
    /// Lines appended to a JSON Lines log were analysed.
    Append,
    /// The whole text was analysed again.
    Full,
}

/// The analysis of `new_text`, reusing `previous` (the analysis of `old_text` with the same
/// `config`) where the edit allows. Equal to `analyze(new_text, config)`.
pub fn reanalyze(
    previous: &Analysis,
    old_text: &str,
    new_text: &str,
    config: &AnalysisConfig,
) -> Analysis {
    reanalyze_with_path(previous, old_text, new_text, config).0
}

/// [`reanalyze`], also saying which path it took.
pub fn reanalyze_with_path(
    previous: &Analysis,
    old_text: &str,
    new_text: &str,
    config: &AnalysisConfig,
) -> (Analysis, ReanalysisPath) {
    if old_text == new_text {
        return (previous.clone(), ReanalysisPath::Unchanged);
    }
    // Whatever a limit cut depends on the whole text (and a lowered nesting limit is checked
    // over the whole text): such documents are analysed in full.
    let within_limits = !previous.units.limited && config.max_nesting_depth >= parse::PARSER_DEPTH;
    if previous.format.is_some() && within_limits {
        let edit = Edit::between(old_text, new_text);
        if edit.start == old_text.len() && previous.format == Some(Format::JsonLines) {
            if let Some(a) = append(previous, old_text, new_text, config) {
                return (a, ReanalysisPath::Append);
            }
        } else if let Some(a) = in_unit(previous, old_text, new_text, &edit, config) {
            return (a, ReanalysisPath::Incremental);
        }
    }
    (analyze(new_text, config), ReanalysisPath::Full)
}

/// Old `[start, old_end)` became new `[start, new_end)`; the rest is the same.
struct Edit {
    start: usize,
    old_end: usize,
    delta: isize,
}

impl Edit {
    /// The changed region by common prefix and suffix, both on `char` boundaries.
    fn between(old: &str, new: &str) -> Edit {
        let (a, b) = (old.as_bytes(), new.as_bytes());
        let mut start = common_prefix(a, b);
        while !(old.is_char_boundary(start) && new.is_char_boundary(start)) {
            start -= 1;
        }
        let mut suffix = common_suffix(&a[start..], &b[start..]);
        while !(old.is_char_boundary(a.len() - suffix) && new.is_char_boundary(b.len() - suffix)) {
            suffix -= 1;
        }
        Edit {
            start,
            old_end: a.len() - suffix,
            delta: b.len() as isize - a.len() as isize,
        }
    }

    fn new_end(&self) -> usize {
        self.old_end.saturating_add_signed(self.delta)
    }
}

/// Compared in blocks first: a block compare is a `memcmp`, a byte loop is not.
const BLOCK: usize = 256;

fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + BLOCK <= n && a[i..i + BLOCK] == b[i..i + BLOCK] {
        i += BLOCK;
    }
    while i < n && a[i] == b[i] {
        i += 1;
    }
    i
}

fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let (la, lb) = (a.len(), b.len());
    let mut i = 0;
    while i + BLOCK <= n && a[la - i - BLOCK..la - i] == b[lb - i - BLOCK..lb - i] {
        i += BLOCK;
    }
    while i < n && a[la - i - 1] == b[lb - i - 1] {
        i += 1;
    }
    i
}

/// An edit strictly inside one unit (its first and last bytes unchanged) that leaves the unit one
/// valid value of the same kind, no deeper than before, with as many exchanges and runs. The
/// whole text then parses as before around it (a valid value replaced a valid value between the
/// same tokens), so only the unit needs parsing.
fn in_unit(
    prev: &Analysis,
    old: &str,
    new: &str,
    edit: &Edit,
    config: &AnalysisConfig,
) -> Option<Analysis> {
    let list = &prev.units.list;
    let i = list
        .partition_point(|u| u.span.start < edit.start)
        .checked_sub(1)?;
    let unit = &list[i];
    // (The range checks only guard against a `previous` that is not `analyze(old_text)`.)
    if edit.old_end >= unit.span.end
        || unit.exchanges.end > prev.exchanges.len()
        || unit.runs.end > prev.runs.len()
    {
        return None;
    }
    let span = Span::new(
        unit.span.start,
        unit.span.end.checked_add_signed(edit.delta)?,
    );
    let unit_text = new.get(span.start..span.end)?;
    // The nesting limit of the whole text's parse cannot be reached in a unit no deeper than
    // it was.
    if parse::max_depth(unit_text) > parse::max_depth(old.get(unit.span.start..unit.span.end)?) {
        return None;
    }
    let mut fresh = Extracted::default();
    match unit.kind {
        UnitKind::Line(line) => {
            if new.get(edit.start..edit.new_end())?.contains('\n') {
                return None;
            }
            let bom = if new.starts_with('\u{feff}') { 3 } else { 0 };
            let start = new[..span.start].rfind('\n').map_or(bom, |n| n + 1);
            let end = new[span.end..]
                .find('\n')
                .map_or(new.len(), |n| span.end + n);
            if new[start..end]
                .strip_suffix('\r')
                .unwrap_or(&new[start..end])
                .len()
                > config.max_line_length
            {
                return None;
            }
            let mut problems = Vec::new();
            parse::parse_line(
                start,
                &new[start..end],
                line,
                parse::PARSER_DEPTH,
                &mut problems,
                &mut |root, piece| exchange::extract(root, piece, &config.redact, &mut fresh),
            );
            if !problems.is_empty() || fresh.units.len() != 1 || fresh.units[0].span != span {
                return None;
            }
            for ex in &mut fresh.exchanges {
                ex.run = ex.run.map(|r| r + unit.runs.start);
            }
        }
        kind => {
            let run = prev.exchanges.get(unit.exchanges.start)?.run;
            let parsed = parse::parse_clean(unit_text, span.start, |root, piece| {
                exchange::extract_unit(
                    root,
                    piece,
                    kind,
                    run,
                    &prev.units.pages,
                    &config.redact,
                    &mut fresh,
                );
            });
            if !parsed {
                return None;
            }
        }
    }
    if fresh.exchanges.len() != unit.exchanges.len() || fresh.runs.len() != unit.runs.len() {
        return None;
    }
    let (from, delta) = (edit.old_end, edit.delta);
    let edited = Unit {
        span,
        ..unit.clone()
    };
    let units = spliced(list, i..i + 1, [edited], |u| u.shift(from, delta));
    assemble(
        prev,
        new,
        Splice {
            exchanges: unit.exchanges.clone(),
            runs: unit.runs.clone(),
            dropped_problems: unit.span.start..unit.span.end,
            from,
            delta,
        },
        fresh,
        Vec::new(),
        units,
        config,
    )
}

/// Text appended to a JSON Lines log: the lines from the old last line on are analysed. Safe when
/// every line before it parsed cleanly and at least two of them are units: the text then still
/// reads as JSON Lines (its first two lines are unchanged and it cannot become one document).
fn append(prev: &Analysis, old: &str, new: &str, config: &AnalysisConfig) -> Option<Analysis> {
    let from = old.rfind('\n')? + 1;
    if prev
        .findings
        .iter()
        .any(|f| is_problem(f) && f.span.start < from)
    {
        return None;
    }
    let list = &prev.units.list;
    let kept_units = list.partition_point(|u| u.span.start < from);
    if kept_units < 2 {
        return None;
    }
    let last = &list[kept_units - 1];
    let UnitKind::Line(last_line) = last.kind else {
        return None;
    };
    let first_line = last_line
        + old
            .as_bytes()
            .get(last.span.end..from)?
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
    let mut fresh = Extracted::default();
    let mut problems = Vec::new();
    let limits = parse::ParseLimits {
        max_line_length: config.max_line_length,
        ..parse::ParseLimits::default()
    };
    parse::parse_lines(
        &new[from..],
        from,
        first_line,
        &limits,
        &mut problems,
        &mut |root, piece| exchange::extract(root, piece, &config.redact, &mut fresh),
    );
    if problems
        .iter()
        .any(|p| !matches!(p.kind, parse::ProblemKind::Invalid))
    {
        return None;
    }
    let first_exchange = prev.exchanges.partition_point(|e| e.span.start < from);
    let first_run = prev.runs.partition_point(|r| r.span.start < from);
    for ex in &mut fresh.exchanges {
        ex.run = ex.run.map(|r| r + first_run);
    }
    let mut units = list[..kept_units].to_vec();
    units.extend(fresh.units.drain(..).map(|u| Unit {
        exchanges: u.exchanges.start + first_exchange..u.exchanges.end + first_exchange,
        runs: u.runs.start + first_run..u.runs.end + first_run,
        ..u
    }));
    let problems = problems.into_iter().map(problem_finding).collect();
    assemble(
        prev,
        new,
        Splice {
            exchanges: first_exchange..prev.exchanges.len(),
            runs: first_run..prev.runs.len(),
            dropped_problems: from..usize::MAX,
            from: usize::MAX,
            delta: 0,
        },
        fresh,
        problems,
        units,
        config,
    )
}

/// Which parts of the previous analysis were re-analysed.
struct Splice {
    /// These exchanges were replaced by the fresh ones; an equal number unless none follow.
    exchanges: Range<usize>,
    /// These runs were replaced by the fresh ones (same rule).
    runs: Range<usize>,
    /// Parse problems starting here were replaced by the fresh ones.
    dropped_problems: Range<usize>,
    /// Old offsets at or after `from` move by `delta`.
    from: usize,
    delta: isize,
}

/// The new analysis: the previous one with the splice's parts replaced by `fresh` (exchanges and
/// runs at their final indices) and `fresh_problems`, every other span shifted, and the findings
/// rebuilt exactly as `analyze` builds them (same cap, same order). `None` when a body had to be
/// cut at `runlog.limits.maxBodySize` (that finding depends on every body: analyse in full).
fn assemble(
    prev: &Analysis,
    new: &str,
    splice: Splice,
    fresh: Extracted,
    fresh_problems: Vec<Finding>,
    units: Vec<Unit>,
    config: &AnalysisConfig,
) -> Option<Analysis> {
    let Splice {
        exchanges: replaced,
        runs: replaced_runs,
        dropped_problems,
        from,
        delta,
    } = splice;
    let first = replaced.start;
    let fresh_end = first + fresh.exchanges.len();
    let exchanges = spliced(&prev.exchanges, replaced.clone(), fresh.exchanges, |e| {
        e.shift(from, delta)
    });
    if exchanges.is_empty() {
        // Ordinary JSON stays quiet.
        return Some(Analysis::default());
    }
    let runs = spliced(&prev.runs, replaced_runs, fresh.runs, |r| {
        r.shift(from, delta)
    });

    // Every exchange with a call finding, the replaced ones recomputed.
    let mut cuts = BodyCuts::default();
    let fresh_calls: Vec<Finding> = (first..fresh_end)
        .filter_map(|i| finding_for(new, &exchanges[i], i, config, &mut cuts))
        .collect();
    let old_calls = &prev.units.calls;
    let lo = old_calls.partition_point(|&i| i < replaced.start);
    let hi = old_calls.partition_point(|&i| i < replaced.end);
    let mut calls = Vec::with_capacity(old_calls.len() - (hi - lo) + fresh_calls.len());
    calls.extend_from_slice(&old_calls[..lo]);
    calls.extend(fresh_calls.iter().filter_map(|f| f.exchange));
    calls.extend_from_slice(&old_calls[hi..]);

    // The findings the cap keeps: fresh, or the previous ones shifted, or (for calls the cap
    // left out before) computed now.
    let keep = calls.len().min(config.max_findings);
    let mut kept = Vec::with_capacity(keep);
    let mut fresh_iter = fresh_calls.into_iter();
    let mut previous = prev
        .findings
        .iter()
        .filter(|f| f.exchange.is_some())
        .peekable();
    for &i in &calls[..keep] {
        if (first..fresh_end).contains(&i) {
            kept.extend(fresh_iter.next());
            continue;
        }
        while previous.peek().is_some_and(|f| f.exchange < Some(i)) {
            previous.next();
        }
        match previous.peek() {
            Some(f) if f.exchange == Some(i) => {
                let mut f = (*f).clone();
                f.shift(from, delta);
                kept.push(f);
            }
            _ => kept.extend(
                exchanges
                    .get(i)
                    .and_then(|e| finding_for(new, e, i, config, &mut cuts)),
            ),
        }
    }
    if cuts.first.is_some() {
        return None;
    }
    let omitted_at = calls
        .get(config.max_findings)
        .and_then(|&i| exchanges.get(i))
        .map(|e| e.status_span);
    let problems = prev
        .findings
        .iter()
        .filter(|f| is_problem(f) && !dropped_problems.contains(&f.span.start))
        .map(|f| {
            let mut f = f.clone();
            f.shift(from, delta);
            f
        })
        .chain(fresh_problems)
        .collect();
    let findings = assemble_findings(kept, calls.len(), omitted_at, problems, config);
    Some(Analysis {
        format: prev.format,
        exchanges,
        runs,
        findings,
        units: Units {
            list: units,
            pages: prev.units.pages.clone(),
            calls,
            limited: false,
        },
    })
}

/// `old` with `old[replaced]` replaced by `fresh`, every other element cloned and shifted.
fn spliced<T: Clone>(
    old: &[T],
    replaced: Range<usize>,
    fresh: impl IntoIterator<Item = T>,
    shift: impl Fn(&mut T),
) -> Vec<T> {
    let shifted = |t: &T| {
        let mut t = t.clone();
        shift(&mut t);
        t
    };
    let mut out: Vec<T> = Vec::with_capacity(old.len());
    out.extend(old[..replaced.start].iter().map(shifted));
    out.extend(fresh);
    out.extend(old[replaced.end..].iter().map(shifted));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::FindingKind;
    use proptest::prelude::*;

    fn fixture(path: &str) -> String {
        let full = format!("{}/../tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
    }

    /// The fixtures the property tests edit: one of each format, broken and truncated logs.
    fn fixtures() -> Vec<String> {
        let mut paths: Vec<String> = [
            "integration/seed-168379.json",
            "integration/multi-run.json",
            "har/chromium-recorded.har",
            "har/chromium-recorded.pretty.har",
            "newman/newman-report.json",
            "unicode/bom.json",
            "unicode/crlf.json",
            "unicode/emoji-cjk.json",
        ]
        .map(String::from)
        .to_vec();
        for dir in ["jsonl", "generic", "truncated"] {
            let full = format!("{}/../tests/fixtures/{dir}", env!("CARGO_MANIFEST_DIR"));
            let mut names: Vec<String> = std::fs::read_dir(&full)
                .unwrap_or_else(|e| panic!("{full}: {e}"))
                .flatten()
                .map(|e| format!("{dir}/{}", e.file_name().to_string_lossy()))
                .collect();
            names.sort();
            paths.extend(names);
        }
        paths.iter().map(|p| fixture(p)).collect()
    }

    /// Replaces `old[at..at + len]` (moved to char boundaries) with `insert`.
    fn edited(old: &str, at: usize, len: usize, insert: &str) -> String {
        let floor = |mut i: usize| {
            i = i.min(old.len());
            while !old.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        let start = floor(at);
        let end = floor(start + len).max(start);
        format!("{}{insert}{}", &old[..start], &old[end..])
    }

    /// Re-analyses `old` → `new` from `prev` and checks it against a full analysis.
    fn step(
        prev: &Analysis,
        old: &str,
        new: &str,
        config: &AnalysisConfig,
    ) -> (Analysis, ReanalysisPath) {
        let (got, path) = reanalyze_with_path(prev, old, new, config);
        let want = analyze(new, config);
        assert_eq!(got, want, "path {path:?}\nold: {old:?}\nnew: {new:?}");
        (got, path)
    }

    fn with_cap(max_findings: usize) -> AnalysisConfig {
        AnalysisConfig {
            max_findings,
            ..AnalysisConfig::default()
        }
    }

    /// The cap plus, by `limits`: none, small bodies, short lines, shallow nesting (each small
    /// enough for the fixtures to hit it).
    fn with_limits(max_findings: usize, limits: usize) -> AnalysisConfig {
        let mut config = with_cap(max_findings);
        match limits {
            1 => config.max_body_size = 40,
            2 => config.max_line_length = 200,
            3 => config.max_nesting_depth = 5,
            _ => {}
        }
        config
    }

    fn snippet() -> impl Strategy<Value = String> {
        prop_oneof![
            proptest::sample::select(vec![
                "\"",
                "{",
                "}",
                ",",
                "\n",
                "404",
                "500",
                "200",
                "é😀",
                ":",
                "[",
                "]",
                " ",
                "\\",
                "\"status\": 503, ",
                "\"code\": 418",
                "{\"status\": 429}",
                "x",
                "\r\n",
                "//",
                "/*",
                "\"errors\": [1]",
                "\"ok\": false",
            ])
            .prop_map(String::from),
            proptest::collection::vec(
                proptest::sample::select(vec![
                    '"', '{', '}', ',', '\n', '4', '0', 'é', '😀', 'a', ' ', ':'
                ]),
                0..6
            )
            .prop_map(|c| c.into_iter().collect()),
        ]
    }

    /// (offset as a fraction of the length, deleted bytes, inserted text).
    fn edit() -> impl Strategy<Value = (f64, usize, String)> {
        (
            0.0..=1.0f64,
            prop_oneof![Just(0usize), 1..4usize, 0..40usize],
            snippet(),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn edits_reanalyse_like_a_full_analysis(
            which in 0..64usize,
            edits in proptest::collection::vec(edit(), 1..=5),
            cap in prop_oneof![Just(10_000usize), Just(1usize), Just(2usize)],
            limits in prop_oneof![3 => Just(0usize), 1 => 1..4usize],
        ) {
            let all = fixtures();
            let config = with_limits(cap, limits);
            let mut text = all[which % all.len()].clone();
            let mut prev = analyze(&text, &config);
            for (frac, len, insert) in edits {
                let at = (frac * text.len() as f64) as usize;
                let new = edited(&text, at, len, &insert);
                prev = step(&prev, &text, &new, &config).0;
                text = new;
            }
        }

        #[test]
        fn appends_reanalyse_like_a_full_analysis(
            which in 0..4usize,
            cut in 0.0..=1.0f64,
            chunks in proptest::collection::vec(1..400usize, 1..=5),
            extra in proptest::collection::vec(
                proptest::sample::select(vec![
                    "{\"status\": 404, \"body\": \"x\"}\n",
                    "{\"res\": {\"statusCode\": 502}, \"msg\": \"é😀\"}\n",
                    "{\"status\": 200, \"body\": {\"ok\": false}}\n",
                    "{\"level\": \"info\"}\n",
                    "{\"status\": 500, \"body\": \"",
                    "\n",
                    "not json\n",
                ]),
                0..4,
            ),
            cap in prop_oneof![Just(10_000usize), Just(1usize)],
            limits in prop_oneof![3 => Just(0usize), 1 => 1..4usize],
        ) {
            let config = with_limits(cap, limits);
            let paths = ["jsonl/pino-http.jsonl", "jsonl/nginx-access.jsonl", "jsonl/ecs-access.jsonl", "jsonl/broken-line.jsonl"];
            let mut whole = fixture(paths[which]);
            whole.extend(extra);
            let mut at = (cut * whole.len() as f64) as usize;
            while !whole.is_char_boundary(at) {
                at -= 1;
            }
            // A log being written: a prefix, then the rest in chunks.
            let mut text = whole[..at].to_string();
            let mut prev = analyze(&text, &config);
            for chunk in chunks {
                let mut end = (at + chunk).min(whole.len());
                while !whole.is_char_boundary(end) {
                    end += 1;
                }
                let new = whole[..end].to_string();
                prev = step(&prev, &text, &new, &config).0;
                text = new;
                at = end;
            }
        }
    }

    /// Changes the first `from` in `text` (after `after`) to `to`.
    fn replace_after(text: &str, after: &str, from: &str, to: &str) -> String {
        let base = text
            .find(after)
            .unwrap_or_else(|| panic!("{after:?} not found"));
        let at = base
            + text[base..]
                .find(from)
                .unwrap_or_else(|| panic!("{from:?} not found"));
        format!("{}{to}{}", &text[..at], &text[at + from.len()..])
    }

    fn path_of(old: &str, new: &str, config: &AnalysisConfig) -> ReanalysisPath {
        step(&analyze(old, config), old, new, config).1
    }

    #[test]
    fn edit_inside_a_call_is_incremental() {
        let config = AnalysisConfig::default();
        let seed = fixture("integration/seed-168379.json");
        let new = replace_after(&seed, "already a list member", "list", "mailing list");
        assert_eq!(path_of(&seed, &new, &config), ReanalysisPath::Incremental);
        let a = reanalyze(&analyze(&seed, &config), &seed, &new, &config);
        assert!(
            a.findings[0]
                .message
                .contains("already a mailing list member"),
            "{}",
            a.findings[0].message
        );

        let har = fixture("har/chromium-recorded.har");
        let new = replace_after(&har, "\"entries\"", "\"status\":200", "\"status\":404");
        assert_ne!(new, har);
        assert_eq!(path_of(&har, &new, &config), ReanalysisPath::Incremental);

        let newman = fixture("newman/newman-report.json");
        let new = replace_after(&newman, "\"executions\"", "\"code\": 400", "\"code\": 503");
        assert_eq!(path_of(&newman, &new, &config), ReanalysisPath::Incremental);

        let jsonl = fixture("jsonl/pino-http.jsonl");
        let new = replace_after(&jsonl, "\n", "\"statusCode\":200", "\"statusCode\":404");
        assert_eq!(path_of(&jsonl, &new, &config), ReanalysisPath::Incremental);

        // Spans after the edit moved by its length.
        let text = r#"[{"status": 404, "body": "a"}, {"status": 500, "body": "b"}]"#;
        let new = text.replace("\"a\"", "\"abc\"");
        let a = reanalyze(&analyze(text, &config), text, &new, &config);
        assert_eq!(a.findings[1].span.start, new.find("500").unwrap_or(0));
        assert_eq!(path_of(text, &new, &config), ReanalysisPath::Incremental);
    }

    #[test]
    fn appended_lines_are_analysed_alone() {
        let config = AnalysisConfig::default();
        let jsonl = fixture("jsonl/nginx-access.jsonl");
        let line = "{\"request\":\"GET /x HTTP/1.1\",\"status\":\"503\"}\n";
        let new = format!("{jsonl}{line}");
        assert_eq!(path_of(&jsonl, &new, &config), ReanalysisPath::Append);
        // Completing a half-written last line.
        let half = format!("{jsonl}{}", &line[..20]);
        assert_eq!(path_of(&half, &new, &config), ReanalysisPath::Append);
        let a = reanalyze(&analyze(&half, &config), &half, &new, &config);
        assert_eq!(a.findings.last().map(|f| f.status), Some(Some(503)));
        assert!(a
            .findings
            .iter()
            .all(|f| f.kind != FindingKind::InvalidJson));
    }

    /// Random small edits (a letter, a digit, a deletion) over logs made mostly of calls: most
    /// land inside a call and must take the fast path; all must equal a full analysis.
    #[test]
    fn random_edits_mostly_take_the_fast_path() {
        let config = AnalysisConfig::default();
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let (mut fast, mut total) = (0, 0);
        for path in [
            "har/chromium-recorded.har",
            "integration/multi-run.json",
            "jsonl/pino-http.jsonl",
            "jsonl/nginx-access.jsonl",
            "jsonl/ecs-access.jsonl",
        ] {
            let text = fixture(path);
            let prev = analyze(&text, &config);
            for _ in 0..40 {
                let new = match next(3) {
                    0 => edited(&text, next(text.len()), 0, "x"),
                    1 => edited(&text, next(text.len()), 0, "7"),
                    _ => edited(&text, next(text.len()), 1, ""),
                };
                let (_, path) = step(&prev, &text, &new, &config);
                fast += usize::from(path == ReanalysisPath::Incremental);
                total += 1;
            }
        }
        assert!(
            fast * 3 > total * 2,
            "{fast} of {total} edits were incremental"
        );
    }

    #[test]
    fn structural_edits_fall_back() {
        let config = AnalysisConfig::default();
        let text = r#"[{"status": 404, "body": "a"}, {"status": 500, "body": "b"}]"#;
        // Deleting a call's closing brace, a comma between calls, an edit making a call none.
        for (from, to) in [
            ("\"a\"}", "\"a\""),
            ("}, {", "} {"),
            ("\"status\": 500", "\"state\": 500"),
        ] {
            let new = text.replacen(from, to, 1);
            assert_eq!(path_of(text, &new, &config), ReanalysisPath::Full, "{new}");
        }
        // A newline splitting a JSON Lines line.
        let jsonl = fixture("jsonl/pino-http.jsonl");
        let new = replace_after(&jsonl, "\n", "\"method\":", "\"method\":\n");
        assert_eq!(path_of(&jsonl, &new, &config), ReanalysisPath::Full);
        assert_eq!(path_of(&jsonl, &jsonl, &config), ReanalysisPath::Unchanged);
    }

    #[test]
    fn a_call_its_parent_reads_is_no_unit() {
        let config = AnalysisConfig::default();
        // The inner object is the call (through its own `response`); a status written on it
        // makes its parent the call instead.
        let text = r#"[{"name": "a", "response": {"response": {"status": 404}, "x": 1}}]"#;
        let new = text.replacen("\"x\": 1", "\"status\": 500", 1);
        assert_eq!(path_of(text, &new, &config), ReanalysisPath::Full);
        assert_eq!(analyze(&new, &config).exchanges[0].span.start, 1);
        // A call right under an object root: the root's shape reads it (a Postman collection
        // is ordinary JSON).
        let text = r#"{"info": {"status": 404, "body": "x"}, "item": []}"#;
        let new = text.replacen("\"body\"", "\"postmanId\": \"p\", \"body\"", 1);
        assert_eq!(path_of(text, &new, &config), ReanalysisPath::Full);
        assert_eq!(analyze(&new, &config), Analysis::default());
    }

    #[test]
    fn an_edit_nesting_deeper_falls_back() {
        let config = AnalysisConfig::default();
        // 510 levels in the whole text, 505 in the call; five more pass the parser's limit
        // (512) in the whole text, though the call alone would still parse.
        let deep = format!("{}{}", "[".repeat(504), "]".repeat(504));
        let text = format!("[[[[[{{\"status\": 404, \"body\": {deep}}}, {{\"status\": 500}}]]]]]");
        let limited = |a: &Analysis| {
            a.findings
                .iter()
                .any(|f| f.kind == FindingKind::LimitReached)
        };
        assert!(!limited(&analyze(&text, &config)));
        let new = text.replacen("[]", "[[[[[[]]]]]]", 1);
        assert_eq!(path_of(&text, &new, &config), ReanalysisPath::Full);
        assert!(limited(&analyze(&new, &config)));
        // Not deeper: incremental.
        let wider = text.replacen("[]", "[],[]", 1);
        assert_eq!(path_of(&text, &wider, &config), ReanalysisPath::Incremental);
    }

    #[test]
    fn the_cap_is_applied_again() {
        let config = with_cap(2);
        let text = r#"[{"status": 500, "body": "a"}, {"status": 501, "body": "b"}, {"status": 502, "body": "c"}, {"status": 503, "body": "d"}]"#;
        // The first call stops failing: the first call the cap left out is now shown.
        let new = text.replacen("500", "200", 1);
        assert_eq!(path_of(text, &new, &config), ReanalysisPath::Incremental);
        let a = reanalyze(&analyze(text, &config), text, &new, &config);
        let shown: Vec<Option<u16>> = a.findings.iter().map(|f| f.status).collect();
        assert_eq!(shown, [Some(501), Some(502), None]);
        assert!(a.findings[2]
            .message
            .starts_with("1 more failing call not shown"));
        // And back: the summary counts two again.
        assert_eq!(path_of(&new, text, &config), ReanalysisPath::Incremental);
    }
}
