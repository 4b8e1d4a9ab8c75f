//! The driver: reads the input, feeds the splitter and analyses each unit with the same code
//! as `analyze` once the context after it has been read.

use super::input::{detect_json_lines, Input};
use super::split::{Item, Lex, Pending, Splitter, UnitArray};
use super::{Inexact, Located, StreamError, Streamed, UnitView, CONTEXT, MAX_UNIT};
use crate::core::exchange::{self, Extracted};
use crate::core::line_index::TextPos;
use crate::core::model::{AnalysisConfig, Exchange, Finding, FindingKind, Severity};
use crate::core::parse::{self, Piece};
use crate::core::quiet::QuietProbe;
use crate::core::{analysis, report};
use std::collections::VecDeque;
use std::io::Read;

pub(super) fn run<R: Read, L>(
    reader: R,
    config: &AnalysisConfig,
    locate: Option<impl FnMut(&Finding, Option<&Exchange>, &UnitView<'_>) -> L>,
    chunk: usize,
) -> Result<Streamed<L>, StreamError> {
    let split = split(reader, config, locate, chunk, false)?;
    Ok(split
        .splitter
        .select(split.lines, config, split.bytes, split.peak_buffer))
}

/// What reading an input through the splitter left.
pub(super) struct Split<L> {
    pub(super) splitter: Splitter<L>,
    pub(super) lines: bool,
    pub(super) bytes: usize,
    pub(super) peak_buffer: usize,
}

/// Reads `reader` through the splitter, analysing each unit with `locate` when it is given, and
/// keeping the units cut with `keep_units`.
pub(super) fn split<R: Read, L>(
    reader: R,
    config: &AnalysisConfig,
    mut locate: Option<impl FnMut(&Finding, Option<&Exchange>, &UnitView<'_>) -> L>,
    chunk: usize,
    keep_units: bool,
) -> Result<Split<L>, StreamError> {
    let mut input = Input {
        reader,
        chunk,
        buf: Vec::with_capacity(chunk),
        base: 0,
        valid: 0,
        eof: false,
        mark: (0, TextPos::default()),
        peak: 0,
    };
    let lines = detect_json_lines(&mut input)?;
    let bom = if input.buf.starts_with("\u{feff}".as_bytes()) {
        3
    } else {
        0
    };
    input.mark = (bom, TextPos::default());
    let mut sp = Splitter {
        lex: Lex::Normal,
        stack: Vec::new(),
        unit: None,
        pending: VecDeque::new(),
        arrays: Vec::new(),
        skeleton: Vec::new(),
        skeleton_from: bom,
        last_string: None,
        string_start: None,
        inexact: None,
        stopped: false,
        notes: Vec::new(),
        units: 0,
        quiet: 0,
        read_whole: 0,
        cut: keep_units.then(Vec::new),
        deepest: 0,
    };
    if config.max_nesting_depth < parse::PARSER_DEPTH {
        // `analyze` checks a lowered nesting limit over the whole text.
        sp.inexact = Some(Inexact::Limit("runlog.limits.maxNestingDepth is below 512"));
    }
    let mut work = Work {
        config,
        extracted: Extracted::default(),
        scratch: String::new(),
        // Only analysing needs it (not cutting).
        quiet: locate.is_some().then(|| QuietProbe::new(config)),
    };
    if lines {
        sp.arrays
            .push(UnitArray::new(None, false, String::new(), String::new()));
    }
    if lines && keep_units {
        // Only cutting: `analyze` reads JSON Lines line by line itself.
        return Ok(Split {
            splitter: sp,
            lines,
            bytes: input.end(),
            peak_buffer: input.peak,
        });
    }
    let mut at = bom;
    let mut line_no = 0usize;
    // The line being read (`None` while skipping an oversized one).
    let mut line_start = lines.then_some(bom);
    loop {
        if lines {
            at = sp.split_lines(&input, at, &mut line_no, &mut line_start);
        } else {
            at = sp.split_document(&mut input, at, &mut locate, work.quiet.as_mut());
        }
        sp.flush_ready(&mut input, &mut work, &mut locate, false);
        if sp.stopped || (input.eof && at >= input.end()) {
            break;
        }
        if !lines && sp.unit.is_none() {
            sp.copy_skeleton(&input, at);
        }
        if sp
            .unit
            .is_some_and(|u| !u.skipping && at - u.start > MAX_UNIT)
        {
            sp.skip_unit(&mut input, &mut work, &mut locate);
        }
        if let Some(start) = line_start.filter(|&s| at - s > MAX_UNIT) {
            sp.skip_line(&mut input, &mut work, start, &mut locate);
            line_start = None;
        }
        let mut keep = at;
        if let Some(start) = line_start.filter(|_| lines) {
            keep = keep.min(start);
        }
        if let Some(u) = sp.unit.filter(|u| !u.skipping) {
            keep = keep.min(u.start);
        }
        if let Some(p) = sp.pending.front() {
            keep = keep.min(p.start);
        }
        input.compact(keep.saturating_sub(CONTEXT));
        input.fill()?;
    }
    if lines {
        if let Some(start) = line_start.filter(|&s| s < input.end()) {
            sp.push_line(&input, start, input.end(), line_no);
        }
    } else {
        sp.finish_document(&mut input, &mut work, &mut locate);
    }
    sp.flush_ready(&mut input, &mut work, &mut locate, true);
    Ok(Split {
        splitter: sp,
        lines,
        bytes: input.end(),
        peak_buffer: input.peak,
    })
}

/// Reused per unit: extraction state (its header-name memo), the wrapped text and the test
/// for units that cannot report anything.
pub(super) struct Work<'c> {
    pub(super) config: &'c AnalysisConfig,
    pub(super) extracted: Extracted,
    pub(super) scratch: String,
    pub(super) quiet: Option<QuietProbe>,
}

impl<L> Splitter<L> {
    /// Analyses the pending units whose context after them has been read (all of them with
    /// `all`, or at the end of the input).
    pub(super) fn flush_ready<R: Read>(
        &mut self,
        input: &mut Input<R>,
        work: &mut Work<'_>,
        locate: &mut Option<impl FnMut(&Finding, Option<&Exchange>, &UnitView<'_>) -> L>,
        all: bool,
    ) {
        while let Some(p) = self.pending.front().copied() {
            if !(all || input.eof || p.end + CONTEXT <= input.end()) {
                break;
            }
            self.pending.pop_front();
            self.units += 1;
            self.arrays[p.array].units += 1;
            if let Some(cut) = self.cut.as_mut() {
                cut.push(p);
            }
            if let Some(locate) = locate.as_mut() {
                self.analyse(input, work, p, locate);
            }
        }
    }

    /// Parse + extract + findings for one unit, with the same code as `analyze`.
    fn analyse<R: Read>(
        &mut self,
        input: &mut Input<R>,
        work: &mut Work<'_>,
        p: Pending,
        locate: &mut impl FnMut(&Finding, Option<&Exchange>, &UnitView<'_>) -> L,
    ) {
        let Work {
            config,
            extracted,
            scratch,
            quiet,
        } = work;
        let arr = &self.arrays[p.array];
        let path = (arr.prefix.as_str(), arr.suffix.as_str());
        // Spans come out relative to the wrapped text; `shift` makes them absolute.
        let Some(shift) = super::wrapped_start(path.0, p.start) else {
            self.inexact
                .get_or_insert(Inexact::Layout("a record starts where its path cannot"));
            return;
        };
        // A unit the splitter read whole brings its verdict along: a quiet one is not looked at
        // again, not even checked as UTF-8 or copied into its path.
        if p.quiet == Some(true) && p.complete && arr.exchanges > 0 {
            self.quiet += 1;
            return;
        }
        let unit = input.text(p.start, p.end);
        let src = super::wrapped(path, unit, p.complete, scratch);
        if p.line.is_some() && unit.trim_end_matches('\r').len() > config.max_line_length {
            self.inexact
                .get_or_insert(Inexact::Limit("a line is over runlog.limits.maxLineLength"));
        }
        // Most calls succeeded: a unit that cannot report anything is not parsed. Until its
        // array is known to hold a call, every unit is (whether any does decides the format).
        if p.complete
            && arr.exchanges > 0
            && p.quiet
                .or_else(|| quiet.as_mut().map(|q| q.is_quiet(unit)))
                .unwrap_or(false)
        {
            self.quiet += 1;
            return;
        }
        let mut problems = Vec::new();
        parse::parse_piece(
            src,
            0,
            p.line,
            parse::PARSER_DEPTH,
            &mut problems,
            &mut |root, piece: &Piece| {
                exchange::extract(root, piece, src, &config.redact, extracted)
            },
        );
        extracted.runs.clear();
        extracted.units.clear();
        let first_index = arr.exchanges;
        let count = extracted.exchanges.len();
        let mut found: Vec<(Finding, Option<Exchange>, bool)> = Vec::new();
        let mut cuts = analysis::BodyCuts::default();
        // Past the cap (its summary placed), a call's finding is only counted.
        let counting = arr.kept_calls >= config.max_findings && arr.first_omitted.is_some();
        let mut counted = 0;
        for (k, ex) in extracted.exchanges.drain(..).enumerate() {
            if counting {
                counted += usize::from(analysis::has_finding(src, &ex, config, &mut cuts));
            } else if let Some(f) =
                analysis::finding_for(src, &ex, first_index + k, config, &mut cuts)
            {
                found.push((
                    shift_by(f, shift, Finding::shift),
                    Some(shift_by(ex, shift, Exchange::shift)),
                    false,
                ));
            }
        }
        if cuts.first.is_some() {
            // `analyze` says so once for the whole text, at the first cut body.
            self.inexact.get_or_insert(Inexact::Limit(
                "a response body is over runlog.limits.maxBodySize",
            ));
        }
        if let Some(first) = problems.first() {
            self.inexact.get_or_insert(Inexact::Invalid {
                at: first.span.start + shift,
            });
        }
        for problem in problems {
            found.push((
                shift_by(analysis::problem_finding(problem), shift, Finding::shift),
                None,
                true,
            ));
        }
        // As `analyze` orders them: by offset, a call before a problem at the same offset.
        found.sort_by_key(|f| f.0.span.start);
        let max = config.max_findings;
        let view = input.view(p.start.saturating_sub(CONTEXT), p.end + CONTEXT);
        let arr = &mut self.arrays[p.array];
        arr.exchanges += count;
        arr.calls += counted;
        for (finding, exchange, problem) in found {
            if !problem {
                arr.calls += 1;
                if arr.kept_calls >= max {
                    if arr.first_omitted.is_none() {
                        let at = locate(&finding, exchange.as_ref(), &view);
                        arr.first_omitted = Some((finding.span, at));
                    }
                    continue;
                }
                arr.kept_calls += 1;
            }
            // A kept call brings its `body-truncated` note along (not counted by the cap).
            let note = exchange
                .as_ref()
                .and_then(|ex| report::truncation_note(&finding, ex));
            let note = note.map(|note| Item {
                located: Located {
                    at: locate(&note, exchange.as_ref(), &view),
                    finding: note,
                    exchange: exchange.clone(),
                },
                problem,
            });
            let at = locate(&finding, exchange.as_ref(), &view);
            arr.items.push(Item {
                located: Located {
                    finding,
                    exchange,
                    at,
                },
                problem,
            });
            arr.items.extend(note);
        }
    }

    pub(super) fn finish_document<R: Read>(
        &mut self,
        input: &mut Input<R>,
        work: &mut Work<'_>,
        locate: &mut Option<impl FnMut(&Finding, Option<&Exchange>, &UnitView<'_>) -> L>,
    ) {
        if self.stopped {
            return;
        }
        let end = input.end();
        let unit = self.unit.take();
        match unit {
            Some(u) if !u.skipping => self.pending.push_back(Pending {
                start: u.start,
                end,
                array: u.array,
                line: None,
                complete: false,
                quiet: None,
            }),
            Some(_) => {}
            None => self.copy_skeleton(input, end),
        }
        self.flush_ready(input, work, locate, true);
        let open = !self.stack.is_empty()
            || !matches!(self.lex, Lex::Normal | Lex::LineComment | Lex::Slash);
        if open {
            self.inexact.get_or_insert(Inexact::Invalid { at: end });
            if unit.is_none() {
                self.note(
                    input,
                    end,
                    FindingKind::InvalidJson,
                    Severity::Error,
                    "The JSON stops being valid here: unexpected end of text (a log still being written?)".to_string(),
                    locate,
                );
            }
        }
    }
}

/// Moves every span of `value` by `by` bytes (the unit's text started at `by`).
fn shift_by<T>(mut value: T, by: usize, shift: impl FnOnce(&mut T, usize, isize)) -> T {
    shift(&mut value, 0, by as isize);
    value
}
