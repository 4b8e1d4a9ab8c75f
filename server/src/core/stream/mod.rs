//! Streaming analysis: a log read from any `Read` (a file on disk, stdin) without holding the
//! whole text or its tree in memory. A byte-level splitter (strings, escapes, `//` and `/* */`
//! comments, nesting, the keys of the first two levels) cuts the input into units — the
//! container elements of the arrays that hold calls (`log.entries`, `run.executions`, every
//! root-level array, the elements of a root array) or the lines of a JSON Lines log — and each
//! unit goes through the same parse + extract + finding code as `analyze`, wrapped in a copy of
//! its path (`{"log":{"entries":[` unit `]}}`) so that detection, nesting depth and the code rule
//! see what they see in the whole text.
//!
//! Everything outside units is kept as a small "skeleton" (units replaced by `0`). At the end
//! the skeleton is parsed to learn the document's real shape and to check that the units cut
//! are exactly the values `analyze` would have extracted calls from. When that holds and no
//! unit had a parse problem, the findings equal `analyze`'s (same spans, messages, order);
//! otherwise the result says why it is not exact (`Streamed::inexact`), and callers fall back
//! to `analyze` for texts small enough to hold.
//!
//! Positions: each unit is handed to the caller's `locate` together with a [`UnitView`] — the
//! unit's text plus `CONTEXT` bytes on each side, and the line and columns where that text
//! starts — so findings get line/column and source excerpts without a line index of the file.
//!
//! The parts: `input` holds the read buffer and decides JSON Lines (a unit's window and its
//! positions are `line_index::UnitView`); `split` is the byte-level splitter that cuts units and
//! keeps the skeleton; `analyse` drives the reading and analyses each unit; `assemble` checks
//! the skeleton and merges the units' findings into the result; `inexact` says why a result is
//! not exactly `analyze`'s and notes what was not analysed.

mod analyse;
mod assemble;
mod inexact;
mod input;
mod split;

pub use crate::core::line_index::{TextPos, UnitView};
pub use inexact::Inexact;

use crate::core::detect::Shape;
use crate::core::model::{AnalysisConfig, Exchange, Finding, Format, Span};
use analyse::run;
use std::io::Read;

/// A unit (one call's record, one line) larger than this is skipped with one finding.
pub const MAX_UNIT: usize = 64 << 20;
/// Text outside units kept for the final shape check; a log with more than this outside its
/// arrays of calls cannot be analysed in parts.
const MAX_SKELETON: usize = 16 << 20;
/// Bytes of context kept on each side of a unit (source excerpts look up to 4 KiB around).
pub const CONTEXT: usize = 8192;
/// Bytes read at a time.
const CHUNK: usize = 1 << 20;
/// Deeper nesting than this (outside the parser's own limit of 512) stops the splitter.
const MAX_DEPTH: usize = 1 << 16;
/// JSON Lines are recognised within this many bytes (the first line must end by then).
const DETECT_LIMIT: usize = 1 << 20;
/// The first bytes looked at for NUL (a binary file).
const BINARY_PROBE: usize = 8192;

/// One finding with its call and what the caller's `locate` computed while it was in memory.
#[derive(Debug, Clone)]
pub struct Located<L> {
    /// Its `exchange` index is `None`: calls of units that could not report anything are not
    /// read, so there is no list to index.
    pub finding: Finding,
    /// The call the finding is about.
    pub exchange: Option<Exchange>,
    pub at: L,
}

/// What streaming a log gave.
#[derive(Debug)]
pub struct Streamed<L> {
    /// `None` when no call was found (ordinary JSON stays quiet).
    pub format: Option<Format>,
    /// In text order, capped like `analyze`'s.
    pub findings: Vec<Located<L>>,
    /// `None`: the findings are exactly `analyze`'s.
    pub inexact: Option<Inexact>,
    /// Findings that say what could not be analysed (skipped records, where the JSON breaks),
    /// with positions; only meaningful when `inexact` is set.
    pub notes: Vec<Located<L>>,
    /// Bytes read.
    pub bytes: usize,
    /// Units cut.
    pub units: usize,
    /// Units not parsed because they could not report anything (`core::quiet`).
    pub quiet: usize,
    /// Units of a document (not lines) the quiet scanner read whole as they were cut, so the
    /// splitter did not walk them byte by byte.
    pub read_whole: usize,
    /// Largest read buffer held at once (bounds the memory, whatever the input's size).
    pub peak_buffer: usize,
}

/// Why nothing could be streamed.
#[derive(Debug)]
pub enum StreamError {
    Io(std::io::Error),
    NotUtf8,
    Binary,
}

/// Streams `reader` and analyses it. `locate` is called once per kept finding (and for the first
/// call past the cap) while its unit is in memory; its result travels with the finding.
pub fn analyze_reader<R: Read, L>(
    reader: R,
    config: &AnalysisConfig,
    locate: impl FnMut(&Finding, Option<&Exchange>, &UnitView<'_>) -> L,
) -> Result<Streamed<L>, StreamError> {
    run(reader, config, Some(locate), CHUNK)
}

/// A document cut into the units of its one array of units (HAR entries, a run log's runs, a
/// root array's elements): every byte outside them is in `skeleton` (the text with each unit
/// replaced by `0`).
pub(crate) struct Cut {
    pub skeleton: String,
    /// The units, in text order.
    pub units: Vec<Span>,
    /// The shape whose array of calls holds them (`log.entries`: HAR); `None` for a root-level
    /// array or a root array.
    pub nested: Option<Shape>,
    /// Offset of that array's `[` in the skeleton.
    pub array_at: usize,
    /// The path around a unit (`{"runs":[`) and its closing (`]}`).
    pub prefix: String,
    pub suffix: String,
}

/// Cuts an in-memory `text` into the units of one array, when the cut is exact: the
/// text one valid document as far as the splitter sees, nested less deeply than the parser
/// goes, within `config`'s nesting limit, without a byte order mark, and every unit in one
/// array.
pub(crate) fn cut(text: &str, config: &AnalysisConfig) -> Option<Cut> {
    if text.starts_with('\u{feff}') {
        return None;
    }
    let none: Option<fn(&Finding, Option<&Exchange>, &UnitView<'_>)> = None;
    let split = analyse::split(text.as_bytes(), config, none, CHUNK, true).ok()?;
    let sp = split.splitter;
    if split.lines || sp.inexact.is_some() || sp.deepest >= crate::core::parse::PARSER_DEPTH {
        return None;
    }
    let mut with_units = sp.arrays.iter().enumerate().filter(|(_, a)| a.units > 0);
    let (index, array) = with_units.next()?;
    if with_units.next().is_some() {
        return None;
    }
    let units = sp.cut?;
    if units.iter().any(|u| u.array != index || !u.complete) {
        return None;
    }
    Some(Cut {
        skeleton: String::from_utf8(sp.skeleton).ok()?,
        units: units.iter().map(|u| Span::new(u.start, u.end)).collect(),
        nested: array.nested,
        array_at: array.skeleton_at,
        prefix: array.prefix.clone(),
        suffix: array.suffix.clone(),
    })
}

/// Where in the whole text a unit starting at `start` would start once wrapped in its path
/// (see [`wrapped`]); `None` when the unit starts where its path cannot.
pub(crate) fn wrapped_start(prefix: &str, start: usize) -> Option<usize> {
    start.checked_sub(prefix.len())
}

/// A unit's text as its parse sees it: wrapped in a copy of its path (`{"runs":[` unit `]}`,
/// the closing only for a complete unit), so that detection, nesting depth and the extraction
/// see what they see in the whole text. It starts at [`wrapped_start`].
pub(crate) fn wrapped<'a>(
    (prefix, suffix): (&str, &str),
    unit: &'a str,
    complete: bool,
    scratch: &'a mut String,
) -> &'a str {
    if prefix.is_empty() {
        return unit;
    }
    scratch.clear();
    scratch.push_str(prefix);
    scratch.push_str(unit);
    if complete {
        scratch.push_str(suffix);
    }
    scratch.as_str()
}

/// Only splits `reader` into units, analysing nothing: the cost of reading and tokenising, the
/// baseline the streaming analysis is measured against. Returns the number of units.
pub fn split_only<R: Read>(reader: R) -> Result<usize, StreamError> {
    let none: Option<fn(&Finding, Option<&Exchange>, &UnitView<'_>)> = None;
    run(reader, &AnalysisConfig::default(), none, CHUNK).map(|s| s.units)
}

#[cfg(test)]
mod tests;
