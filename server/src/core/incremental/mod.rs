//! Re-analysis after an edit. The changed region is found by comparing the old and new texts
//! (common prefix and suffix), so callers need not track edits. An edit strictly inside one unit
//! (a JSON Lines line, a HAR entry, a call's object; see `model::Units`) re-parses and
//! re-analyses that unit only and shifts every span after it; text appended to a JSON Lines log
//! is analysed from the old last line on; anything else is a full `analyze`.
//!
//! The invariant, checked by the property tests below:
//! `reanalyze(&analyze(old, c), old, new, c) == analyze(new, c)` for every `old` and `new`.

use super::analysis::{
    analyze, assemble_findings, finding_for, is_problem, problem_finding, with_truncation_notes,
    BodyCuts,
};
use super::exchange::{self, Extracted};
use super::model::{
    Analysis, AnalysisConfig, Finding, FindingKind, Format, Span, Unit, UnitKind, Units,
};
use super::{lex, parse};
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
    /// Only whitespace between units changed: nothing was parsed, the spans after it moved.
    Shifted,
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
        } else if let Some(a) = between_units(previous, old_text, new_text, &edit, config) {
            return (a, ReanalysisPath::Shifted);
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

/// Compared in blocks first, big then small: a block compare is one `memcmp` (a 10 MB text
/// in 256-byte blocks was 40,000 calls an edit), a byte loop is not.
const BLOCKS: [usize; 2] = [1 << 16, 256];

fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let mut i = 0;
    for block in BLOCKS {
        while i + block <= n && a[i..i + block] == b[i..i + block] {
            i += block;
        }
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
    for block in BLOCKS {
        while i + block <= n && a[la - i - block..la - i] == b[lb - i - block..lb - i] {
            i += block;
        }
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
    if lex::max_depth(unit_text) > lex::max_depth(old.get(unit.span.start..unit.span.end)?) {
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
                &mut |root, piece| exchange::extract(root, piece, new, &config.redact, &mut fresh),
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
                let place = exchange::UnitPlace {
                    kind,
                    run,
                    pages: &prev.units.pages,
                };
                exchange::extract_unit(root, piece, new, place, &config.redact, &mut fresh);
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

/// Bytes read back from the edit to the unit before it, at most, to learn it is outside strings.
const SCAN_BACK: usize = 1 << 20;

fn is_whitespace(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// An edit that only changed whitespace between units, outside every string and comment (an
/// editor reindenting, a blank line added between two calls): every token and every unit's text
/// is as before, so nothing is parsed again and the spans after it move. Not for JSON Lines,
/// where a line break ends a record, nor for a text with parse problems.
fn between_units(
    prev: &Analysis,
    old: &str,
    new: &str,
    edit: &Edit,
    config: &AnalysisConfig,
) -> Option<Analysis> {
    if prev.format == Some(Format::JsonLines) || prev.findings.iter().any(is_problem) {
        return None;
    }
    let blank = |s: &str| s.bytes().all(is_whitespace);
    if !blank(old.get(edit.start..edit.old_end)?) || !blank(new.get(edit.start..edit.new_end())?) {
        return None;
    }
    // Not inside a call either (one that is no unit: a root object, a run log's step): what a
    // report quotes of it must stay as written.
    if prev
        .exchanges
        .iter()
        .any(|e| e.span.start < edit.old_end && e.span.end > edit.start)
    {
        return None;
    }
    let list = &prev.units.list;
    // The unit after the edit starts at or after its end; the one before ends at or before its
    // start.
    let next = list.partition_point(|u| u.span.start < edit.old_end);
    let anchor = match next.checked_sub(1) {
        Some(before) if list[before].span.end > edit.start => return None,
        Some(before) => list[before].span.end,
        None => 0,
    };
    // Spans move from the first token after the edit. One ending where it starts would move
    // too: that needs whitespace just before that token (no value ends on whitespace).
    let bytes = old.as_bytes();
    let from = edit.old_end
        + bytes
            .get(edit.old_end..)?
            .iter()
            .take_while(|&&b| is_whitespace(b))
            .count();
    if !bytes
        .get(from.checked_sub(1)?)
        .copied()
        .is_some_and(is_whitespace)
    {
        return None;
    }
    // From the end of a value (or the text's start) to the edit: not inside a string, and no
    // `/` that could open a comment.
    if edit.start - anchor > SCAN_BACK || !at_token_level(bytes.get(anchor..edit.start)?) {
        return None;
    }
    let exchanges = prev
        .exchanges
        .partition_point(|e| e.span.start < edit.start);
    let runs = prev.runs.partition_point(|r| r.span.start < edit.start);
    let delta = edit.delta;
    let units = spliced(list, next..next, [], |u| u.shift(from, delta));
    assemble(
        prev,
        new,
        Splice {
            exchanges: exchanges..exchanges,
            runs: runs..runs,
            dropped_problems: 0..0,
            from,
            delta,
        },
        Extracted::default(),
        Vec::new(),
        units,
        config,
    )
}

/// True when JSON text read from a point between tokens ends between tokens too, with no `/`
/// (a comment may open) or `'` (a JSONC string) outside a string on the way.
fn at_token_level(text: &[u8]) -> bool {
    let mut in_string = false;
    let mut escaped = false;
    for &b in text {
        match (in_string, b) {
            (true, _) if escaped => escaped = false,
            (true, b'\\') => escaped = true,
            (true, b'"') | (false, b'"') => in_string = !in_string,
            (false, b'/' | b'\'') => return false,
            _ => {}
        }
    }
    !in_string
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
        &mut |root, piece| exchange::extract(root, piece, new, &config.redact, &mut fresh),
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
    // A chunk of calls the edit neither replaces nor moves is shared, not copied (every span
    // of a call lies within the call's own).
    let exchanges = prev.exchanges.spliced(
        replaced.clone(),
        fresh.exchanges,
        |e| delta != 0 && e.span.end >= from,
        |e| e.shift(from, delta),
    );
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
        .filter(|f| f.exchange.is_some() && f.kind != FindingKind::BodyTruncated)
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
    with_truncation_notes(&mut kept, |i| exchanges.get(i));
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
mod tests;
