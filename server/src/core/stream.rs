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

use super::analysis;
use super::detect::{self, get, get_object, Shape};
use super::exchange::{self, Extracted};
use super::line_index::{measure, Encoding, LineCol};
use super::model::{AnalysisConfig, Exchange, Finding, FindingKind, Format, Severity, Span};
use super::parse::{self, Piece};
use std::collections::VecDeque;
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

/// Line and columns (in each encoding) of a place in the text, 0-based.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TextPos {
    pub line: u32,
    pub col8: u32,
    pub col16: u32,
    pub col32: u32,
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl TextPos {
    /// The position after `bytes` (valid UTF-8, or a prefix of it) that follow this one.
    fn advance(&mut self, bytes: &[u8]) {
        let mut rest = bytes;
        if let Some(last) = memchr::memrchr(b'\n', bytes) {
            let lines = memchr::memchr_iter(b'\n', bytes).count();
            *self = TextPos {
                line: self.line.saturating_add(to_u32(lines)),
                ..TextPos::default()
            };
            rest = &bytes[last + 1..];
        }
        // Characters are the bytes that are not UTF-8 continuation bytes; 4-byte characters take
        // two UTF-16 units.
        let chars = rest.iter().filter(|&&b| (b as i8) >= -0x40).count();
        let astral = rest.iter().filter(|&&b| b >= 0xF0).count();
        self.col8 = self.col8.saturating_add(to_u32(rest.len()));
        self.col32 = self.col32.saturating_add(to_u32(chars));
        self.col16 = self.col16.saturating_add(to_u32(chars + astral));
    }

    fn col(&self, encoding: Encoding) -> u32 {
        match encoding {
            Encoding::Utf8 => self.col8,
            Encoding::Utf16 => self.col16,
            Encoding::Utf32 => self.col32,
        }
    }
}

/// A window of the input around a unit, while it is in memory.
#[derive(Debug, Clone, Copy)]
pub struct UnitView<'a> {
    /// The text of the window.
    pub text: &'a str,
    /// Offset of `text` in the whole input.
    pub base: usize,
    /// Where `text` starts.
    pub start: TextPos,
    /// The window reaches the end of the input.
    pub at_end: bool,
}

impl UnitView<'_> {
    /// `offset` (absolute) as an index into `text`, clamped and moved back to a char boundary.
    pub fn local(&self, offset: usize) -> usize {
        super::line_index::floor_char_boundary(self.text, offset.saturating_sub(self.base))
    }

    /// The position of an absolute offset inside the window.
    pub fn line_col(&self, offset: usize, encoding: Encoding) -> LineCol {
        let before = &self.text[..self.local(offset)];
        match before.rfind('\n') {
            Some(nl) => LineCol {
                line: self.start.line.saturating_add(to_u32(
                    memchr::memchr_iter(b'\n', before.as_bytes()).count(),
                )),
                col: to_u32(measure(&before[nl + 1..], encoding)),
            },
            None => LineCol {
                line: self.start.line,
                col: self
                    .start
                    .col(encoding)
                    .saturating_add(to_u32(measure(before, encoding))),
            },
        }
    }

    /// The line holding `offset`, as local indexes into `text` (start, end without the line
    /// break), cut to the window where the line runs past it.
    pub fn line_around(&self, offset: usize) -> (usize, usize) {
        let at = self.local(offset);
        let bytes = self.text.as_bytes();
        let start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
        let end = match memchr::memchr(b'\n', &bytes[at..]) {
            Some(i) => at + i,
            None if self.at_end => bytes.len(),
            None => return (start, bytes.len()),
        };
        let mut trimmed = end;
        while trimmed > start && bytes[trimmed - 1] == b'\r' {
            trimmed -= 1;
        }
        (start, trimmed.max(at.min(end)))
    }
}

/// One finding with its call and what the caller's `locate` computed while it was in memory.
#[derive(Debug, Clone)]
pub struct Located<L> {
    pub finding: Finding,
    pub exchange: Option<Exchange>,
    pub at: L,
}

/// Why a streamed result may differ from `analyze` of the whole text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inexact {
    /// The JSON stops being valid (truncated, a syntax error, a second value after the first).
    Invalid { at: usize },
    /// One unit is over [`MAX_UNIT`]; it was skipped.
    UnitTooLarge { at: usize },
    /// Too much text outside the arrays of calls, or calls outside them.
    Layout(&'static str),
    /// A `runlog.limits.*` limit whose finding depends on the whole text was reached.
    Limit(&'static str),
}

impl Inexact {
    /// Plain words for the user.
    pub fn describe(&self) -> String {
        match self {
            Inexact::Invalid { at } => {
                format!("the JSON stops being valid at byte {at}; calls after that point may be missing")
            }
            Inexact::UnitTooLarge { at } => format!(
                "the record at byte {at} is over {} MB and was skipped",
                MAX_UNIT >> 20
            ),
            Inexact::Layout(why) => format!("its layout cannot be analysed in parts ({why})"),
            Inexact::Limit(why) => format!("a limit was reached ({why})"),
        }
    }
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

/// The read buffer: `buf[0]` is byte `base` of the input; `buf[..valid]` is checked UTF-8.
struct Input<R> {
    reader: R,
    buf: Vec<u8>,
    base: usize,
    valid: usize,
    eof: bool,
    /// A position whose line/columns are known, never behind `base`.
    mark: (usize, TextPos),
    peak: usize,
    /// Bytes read at a time.
    chunk: usize,
}

impl<R: Read> Input<R> {
    fn fill(&mut self) -> Result<(), StreamError> {
        let old = self.buf.len();
        // `read_to_end` reads into the spare capacity without zeroing it first; reserving exactly
        // keeps the buffer from doubling.
        self.buf.reserve_exact(self.chunk);
        let n = (&mut self.reader)
            .take(self.chunk as u64)
            .read_to_end(&mut self.buf)
            .map_err(StreamError::Io)?;
        self.peak = self.peak.max(self.buf.capacity());
        if n == 0 {
            self.eof = true;
        }
        if self.base == 0
            && old < BINARY_PROBE
            && self.buf[old..]
                .iter()
                .take(BINARY_PROBE - old)
                .any(|&b| b == 0)
        {
            return Err(StreamError::Binary);
        }
        match std::str::from_utf8(&self.buf[self.valid..]) {
            Ok(_) => self.valid = self.buf.len(),
            Err(e) if e.error_len().is_none() && !self.eof => self.valid += e.valid_up_to(),
            Err(_) => return Err(StreamError::NotUtf8),
        }
        Ok(())
    }

    fn end(&self) -> usize {
        self.base + self.valid
    }

    /// Drops the bytes before `keep` (absolute), when that frees enough to be worth a move.
    fn compact(&mut self, keep: usize) {
        let keep = keep.clamp(self.base, self.end());
        let drop = keep - self.base;
        if drop < self.chunk / 2 {
            return;
        }
        self.advance_mark(keep);
        self.buf.drain(..drop);
        self.valid -= drop;
        self.base = keep;
    }

    fn advance_mark(&mut self, to: usize) {
        let (at, mut pos) = self.mark;
        if to > at {
            let from = at - self.base;
            pos.advance(&self.buf[from..to - self.base]);
            self.mark = (to, pos);
        }
    }

    fn text(&self, from: usize, to: usize) -> &str {
        let (from, to) = (from - self.base, to - self.base);
        std::str::from_utf8(&self.buf[from..to]).unwrap_or_default()
    }

    /// The window `[from, to)` (clamped to what is held, moved to char boundaries).
    fn view(&mut self, from: usize, to: usize) -> UnitView<'_> {
        let end = self.end();
        let to = to.min(end);
        // Views start in text order, never behind the mark (whose position is known).
        let mut from = from.max(self.base).max(self.mark.0);
        let mut to = to.max(from);
        while from < to && (self.buf[from - self.base] as i8) < -0x40 {
            from += 1;
        }
        while to > from && to < end && (self.buf[to - self.base] as i8) < -0x40 {
            to -= 1;
        }
        self.advance_mark(from);
        UnitView {
            text: self.text(from, to),
            base: from,
            start: self.mark.1,
            at_end: self.eof && to == end,
        }
    }
}

/// The bytes that can change the splitter's state inside a unit.
const STRUCTURAL: [bool; 256] = {
    let mut table = [false; 256];
    let mut k = 0;
    let bytes = b"\"'{}[]/";
    while k < bytes.len() {
        table[bytes[k] as usize] = true;
        k += 1;
    }
    table
};

/// The lexical state of the splitter between bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lex {
    Normal,
    Str(u8),
    StrEscape(u8),
    Slash,
    LineComment,
    BlockComment,
    BlockStar,
}

/// One open container.
#[derive(Debug, Clone, Copy)]
struct Frame {
    open: u8,
    /// The current property's key token, as a range of the skeleton (first two levels only).
    key: Option<(usize, usize)>,
    /// This array's container elements are units (index into `Splitter::arrays`).
    array: Option<usize>,
}

/// An array whose elements are cut as units, and what its units gave.
struct UnitArray<L> {
    /// Offset of its `[` in the skeleton.
    skeleton_at: usize,
    /// `Some` for `log.entries` (Har) and `run.executions` (Newman); `None` for root-level arrays
    /// and a root array.
    nested: Option<Shape>,
    /// A root-level `runs`/`executions`/`jobs`.
    run_array: bool,
    /// The path around a unit (`{"runs":[`) and its closing (`]}`).
    prefix: String,
    suffix: String,
    items: Vec<Item<L>>,
    calls: usize,
    kept_calls: usize,
    first_omitted: Option<(Span, L)>,
    exchanges: usize,
    units: usize,
}

impl<L> UnitArray<L> {
    fn new(nested: Option<Shape>, run_array: bool, prefix: String, suffix: String) -> Self {
        UnitArray {
            skeleton_at: 0,
            nested,
            run_array,
            prefix,
            suffix,
            items: Vec::new(),
            calls: 0,
            kept_calls: 0,
            first_omitted: None,
            exchanges: 0,
            units: 0,
        }
    }
}

struct Item<L> {
    located: Located<L>,
    /// A parse problem or note (never capped), not a call.
    problem: bool,
}

/// A unit cut but not yet analysed (waiting for its context after it to be read).
#[derive(Debug, Clone, Copy)]
struct Pending {
    start: usize,
    /// End of the unit's text (for a line: before `\r\n`).
    end: usize,
    array: usize,
    line: Option<usize>,
    /// False for a unit cut by the end of the input.
    complete: bool,
}

/// A unit being read.
#[derive(Debug, Clone, Copy)]
struct OpenUnit {
    start: usize,
    depth: usize,
    array: usize,
    /// Over `MAX_UNIT`: read past, not kept.
    skipping: bool,
}

struct Splitter<L> {
    lex: Lex,
    stack: Vec<Frame>,
    unit: Option<OpenUnit>,
    pending: VecDeque<Pending>,
    arrays: Vec<UnitArray<L>>,
    skeleton: Vec<u8>,
    /// First byte not yet copied to the skeleton (outside units).
    skeleton_from: usize,
    /// Skeleton range of the last string token, while it may still be a key.
    last_string: Option<(usize, usize)>,
    string_start: Option<usize>,
    inexact: Option<Inexact>,
    /// The splitter cannot go on (broken structure, overflowing skeleton).
    stopped: bool,
    notes: Vec<Located<L>>,
    units: usize,
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

/// Only splits `reader` into units, analysing nothing: the cost of reading and tokenising, the
/// baseline the streaming analysis is measured against. Returns the number of units.
pub fn split_only<R: Read>(reader: R) -> Result<usize, StreamError> {
    let none: Option<fn(&Finding, Option<&Exchange>, &UnitView<'_>)> = None;
    run(reader, &AnalysisConfig::default(), none, CHUNK).map(|s| s.units)
}

fn run<R: Read, L>(
    reader: R,
    config: &AnalysisConfig,
    mut locate: Option<impl FnMut(&Finding, Option<&Exchange>, &UnitView<'_>) -> L>,
    chunk: usize,
) -> Result<Streamed<L>, StreamError> {
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
    };
    if config.max_nesting_depth < parse::PARSER_DEPTH {
        // `analyze` checks a lowered nesting limit over the whole text.
        sp.inexact = Some(Inexact::Limit("runlog.limits.maxNestingDepth is below 512"));
    }
    let mut work = Work {
        config,
        extracted: Extracted::default(),
        scratch: String::new(),
    };
    if lines {
        sp.arrays
            .push(UnitArray::new(None, false, String::new(), String::new()));
    }
    let mut at = bom;
    let mut line_no = 0usize;
    // The line being read (`None` while skipping an oversized one).
    let mut line_start = lines.then_some(bom);
    loop {
        if lines {
            at = sp.split_lines(&input, at, &mut line_no, &mut line_start);
        } else {
            at = sp.split_document(&mut input, at, &mut locate);
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
    let bytes = input.end();
    let peak_buffer = input.peak;
    Ok(sp.select(lines, config, bytes, peak_buffer))
}

/// JSON Lines exactly when `parse::parse_with` would read the text so: the first non-empty line
/// parses alone as an object or array and the next non-empty line starts another one (so the
/// whole text cannot parse as one value).
fn detect_json_lines<R: Read>(input: &mut Input<R>) -> Result<bool, StreamError> {
    loop {
        let text = input.text(input.base, input.end());
        let body = text.strip_prefix('\u{feff}').unwrap_or(text);
        if let Some(answer) = json_lines_answer(body, input.eof) {
            return Ok(answer);
        }
        // A first line longer than this is read as one document (a minified log), so that
        // deciding never holds more than a chunk or so.
        if input.eof || input.buf.len() > DETECT_LIMIT {
            return Ok(false);
        }
        input.fill()?;
    }
}

fn json_lines_answer(body: &str, eof: bool) -> Option<bool> {
    let mut first: Option<&str> = None;
    for raw in body.split_inclusive('\n') {
        let complete = raw.ends_with('\n');
        let line = raw.trim();
        if line.is_empty() {
            if !complete {
                break;
            }
            continue;
        }
        if first.is_none() {
            if !complete {
                return if eof { Some(false) } else { None };
            }
            if !(line.starts_with('{') || line.starts_with('['))
                || !matches!(parse::parse_str(line), Ok(Some(_)))
            {
                return Some(false);
            }
            first = Some(line);
            continue;
        }
        return Some(line.starts_with('{') || line.starts_with('['));
    }
    if eof {
        Some(false)
    } else {
        None
    }
}

/// Reused per unit: extraction state (its header-name memo) and the wrapped text.
struct Work<'c> {
    config: &'c AnalysisConfig,
    extracted: Extracted,
    scratch: String,
}

impl<L> Splitter<L> {
    fn skeleton_at(&self, abs: usize) -> usize {
        self.skeleton.len() + abs.saturating_sub(self.skeleton_from)
    }

    /// Copies the text outside units up to `to` into the skeleton.
    fn copy_skeleton<R: Read>(&mut self, input: &Input<R>, to: usize) {
        if self.unit.is_some() || to <= self.skeleton_from {
            return;
        }
        let from = self.skeleton_from.max(input.base);
        self.skeleton
            .extend_from_slice(&input.buf[from - input.base..to - input.base]);
        self.skeleton_from = to;
        if self.skeleton.len() > MAX_SKELETON {
            self.stop(Inexact::Layout(
                "more than 16 MB of it lie outside arrays of calls",
            ));
        }
    }

    fn stop(&mut self, why: Inexact) {
        self.inexact.get_or_insert(why);
        self.stopped = true;
    }

    /// The unit array a new array opened at the current depth would be, if any.
    fn unit_array_for(&self) -> Option<UnitArray<L>> {
        let key = |f: &Frame| -> Option<&[u8]> {
            let (s, e) = f.key?;
            self.skeleton.get(s..e)
        };
        let plain = |k: &[u8], target: &str| {
            k.len() >= 2
                && !k.contains(&b'\\')
                && std::str::from_utf8(&k[1..k.len() - 1]).is_ok_and(|k| detect::key_is(k, target))
        };
        let text = |k: &[u8]| String::from_utf8_lossy(k).into_owned();
        match self.stack.as_slice() {
            [] => Some(UnitArray::new(None, false, "[".into(), "]".into())),
            [root] if root.open == b'{' => {
                let k = key(root)?;
                let run_array = detect::RUN_ARRAY_KEYS.iter().any(|t| plain(k, t));
                Some(UnitArray::new(
                    None,
                    run_array,
                    format!("{{{}:[", text(k)),
                    "]}".into(),
                ))
            }
            [root, inner] if root.open == b'{' && inner.open == b'{' => {
                let (k1, k2) = (key(root)?, key(inner)?);
                let shape = if plain(k1, "log") && plain(k2, "entries") {
                    Shape::Har
                } else if plain(k1, "run") && plain(k2, "executions") {
                    Shape::Newman
                } else {
                    return None;
                };
                Some({
                    UnitArray::new(
                        Some(shape),
                        false,
                        format!("{{{}:{{{}:[", text(k1), text(k2)),
                        "]}}".into(),
                    )
                })
            }
            _ => None,
        }
    }

    /// Splits the document text held in `input` from `at`; returns where it stopped.
    fn split_document<R: Read>(
        &mut self,
        input: &mut Input<R>,
        mut at: usize,
        locate: &mut Option<impl FnMut(&Finding, Option<&Exchange>, &UnitView<'_>) -> L>,
    ) -> usize {
        let end = input.end();
        while at < end && !self.stopped {
            let mut i = at - input.base;
            let bytes = &input.buf[..input.valid];
            if self.lex == Lex::Normal && self.unit.is_some() {
                // Inside a unit only strings, comments and brackets matter: skip the rest.
                while i < bytes.len() && !STRUCTURAL[usize::from(bytes[i])] {
                    i += 1;
                }
                at = input.base + i;
                if at >= end {
                    break;
                }
            }
            let b = bytes[i];
            match self.lex {
                Lex::Normal => {
                    match b {
                        b' ' | b'\t' | b'\n' | b'\r' => {}
                        b'"' | b'\'' => {
                            self.lex = Lex::Str(b);
                            self.string_start = (self.unit.is_none() && self.tracks_keys())
                                .then(|| self.skeleton_at(at));
                            self.last_string = None;
                        }
                        b'{' | b'[' => {
                            self.last_string = None;
                            self.open(input, b, at);
                        }
                        b'}' | b']' => {
                            self.last_string = None;
                            if !self.close(b, at) {
                                self.broken(input, at, locate);
                                return at;
                            }
                        }
                        b'/' => self.lex = Lex::Slash,
                        b':' => {
                            if self.unit.is_none() && self.tracks_keys() {
                                self.copy_skeleton(input, at);
                                let key = self.last_string.take();
                                if let Some(top) = self.stack.last_mut() {
                                    top.key = key;
                                }
                            }
                        }
                        _ => self.last_string = None,
                    }
                    at += 1;
                }
                Lex::Str(q) => match memchr::memchr2(q, b'\\', &bytes[i..]) {
                    Some(k) if bytes[i + k] == b'\\' => {
                        at += k + 1;
                        self.lex = Lex::StrEscape(q);
                    }
                    Some(k) => {
                        at += k + 1;
                        self.lex = Lex::Normal;
                        if let Some(s) = self.string_start.take() {
                            self.last_string = Some((s, self.skeleton_at(at)));
                        }
                    }
                    None => at = end,
                },
                Lex::StrEscape(q) => {
                    self.lex = Lex::Str(q);
                    at += 1;
                }
                Lex::Slash => {
                    self.lex = match b {
                        b'/' => Lex::LineComment,
                        b'*' => Lex::BlockComment,
                        // Not a comment: not JSON either; the parse of the part says so.
                        _ => Lex::Normal,
                    };
                    if self.lex != Lex::Normal {
                        at += 1;
                    }
                }
                Lex::LineComment => match memchr::memchr(b'\n', &bytes[i..]) {
                    Some(k) => {
                        at += k + 1;
                        self.lex = Lex::Normal;
                    }
                    None => at = end,
                },
                Lex::BlockComment => match memchr::memchr(b'*', &bytes[i..]) {
                    Some(k) => {
                        at += k + 1;
                        self.lex = Lex::BlockStar;
                    }
                    None => at = end,
                },
                Lex::BlockStar => {
                    self.lex = match b {
                        b'/' => Lex::Normal,
                        b'*' => Lex::BlockStar,
                        _ => Lex::BlockComment,
                    };
                    at += 1;
                }
            }
        }
        at
    }

    /// Keys matter on the first two levels only, in objects.
    fn tracks_keys(&self) -> bool {
        self.stack.len() <= 2 && self.stack.last().is_some_and(|f| f.open == b'{')
    }

    fn open<R: Read>(&mut self, input: &Input<R>, b: u8, at: usize) {
        if self.stack.len() >= MAX_DEPTH {
            self.stop(Inexact::Layout("it is nested too deeply to be cut"));
            return;
        }
        let mut array = None;
        if self.unit.is_none() {
            if let Some(id) = self.stack.last().and_then(|f| f.array) {
                // A unit starts: the skeleton holds `0` in its place.
                self.copy_skeleton(input, at);
                self.skeleton.push(b'0');
                self.unit = Some(OpenUnit {
                    start: at,
                    depth: self.stack.len(),
                    array: id,
                    skipping: false,
                });
            } else if b == b'[' {
                if let Some(mut arr) = self.unit_array_for() {
                    arr.skeleton_at = self.skeleton_at(at);
                    array = Some(self.arrays.len());
                    self.arrays.push(arr);
                }
            }
        }
        self.stack.push(Frame {
            open: b,
            key: None,
            array,
        });
    }

    /// Closes a container; false when the bracket matches nothing.
    fn close(&mut self, b: u8, at: usize) -> bool {
        let Some(top) = self.stack.pop() else {
            return false;
        };
        if (top.open == b'{') != (b == b'}') {
            return false;
        }
        if let Some(u) = self.unit {
            if self.stack.len() == u.depth {
                self.unit = None;
                self.skeleton_from = at + 1;
                if !u.skipping {
                    self.pending.push_back(Pending {
                        start: u.start,
                        end: at + 1,
                        array: u.array,
                        line: None,
                        complete: true,
                    });
                }
            }
        }
        true
    }

    /// The structure breaks at `at`: nothing after it can be cut reliably.
    fn broken<R: Read>(
        &mut self,
        input: &mut Input<R>,
        at: usize,
        locate: &mut Option<impl FnMut(&Finding, Option<&Exchange>, &UnitView<'_>) -> L>,
    ) {
        self.stop(Inexact::Invalid { at });
        self.unit = None;
        self.note(
            input,
            at,
            FindingKind::InvalidJson,
            Severity::Error,
            "The JSON stops being valid here: a closing bracket matches nothing; the rest of the file was not analysed".to_string(),
            locate,
        );
    }

    /// A finding about what could not be analysed, located now.
    fn note<R: Read>(
        &mut self,
        input: &mut Input<R>,
        at: usize,
        kind: FindingKind,
        severity: Severity,
        message: String,
        locate: &mut Option<impl FnMut(&Finding, Option<&Exchange>, &UnitView<'_>) -> L>,
    ) {
        let Some(locate) = locate.as_mut() else {
            return;
        };
        let finding = Finding::about_text(kind, Span::new(at, at), severity, message);
        let view = input.view(at.saturating_sub(CONTEXT), at + CONTEXT);
        let located = locate(&finding, None, &view);
        self.notes.push(Located {
            finding,
            exchange: None,
            at: located,
        });
    }

    fn skip_unit<R: Read>(
        &mut self,
        input: &mut Input<R>,
        work: &mut Work<'_>,
        locate: &mut Option<impl FnMut(&Finding, Option<&Exchange>, &UnitView<'_>) -> L>,
    ) {
        let Some(u) = self.unit.as_mut() else { return };
        u.skipping = true;
        let at = u.start;
        self.skipped(input, work, at, "record", locate);
    }

    fn skip_line<R: Read>(
        &mut self,
        input: &mut Input<R>,
        work: &mut Work<'_>,
        at: usize,
        locate: &mut Option<impl FnMut(&Finding, Option<&Exchange>, &UnitView<'_>) -> L>,
    ) {
        self.skipped(input, work, at, "line", locate);
    }

    fn skipped<R: Read>(
        &mut self,
        input: &mut Input<R>,
        work: &mut Work<'_>,
        at: usize,
        what: &str,
        locate: &mut Option<impl FnMut(&Finding, Option<&Exchange>, &UnitView<'_>) -> L>,
    ) {
        // Units before it go first, so positions are computed in text order.
        self.flush_ready(input, work, locate, true);
        self.inexact.get_or_insert(Inexact::UnitTooLarge { at });
        self.note(
            input,
            at,
            FindingKind::LimitReached,
            Severity::Warning,
            format!(
                "This {what} is over {} MB, more than is read at once; it was skipped, not analysed",
                MAX_UNIT >> 20
            ),
            locate,
        );
    }

    /// Cuts the lines held in `input` from `at`; returns where it stopped.
    fn split_lines<R: Read>(
        &mut self,
        input: &Input<R>,
        mut at: usize,
        line_no: &mut usize,
        line_start: &mut Option<usize>,
    ) -> usize {
        let end = input.end();
        while at < end {
            match memchr::memchr(b'\n', &input.buf[at - input.base..input.valid]) {
                Some(k) => {
                    let nl = at + k;
                    if let Some(start) = *line_start {
                        self.push_line(input, start, nl, *line_no);
                    }
                    *line_no += 1;
                    at = nl + 1;
                    *line_start = Some(at);
                }
                None => at = end,
            }
        }
        at
    }

    fn push_line<R: Read>(&mut self, input: &Input<R>, start: usize, end: usize, line_no: usize) {
        let raw = input.text(start, end);
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() {
            return;
        }
        self.pending.push_back(Pending {
            start,
            end: start + line.len(),
            array: 0,
            line: Some(line_no),
            complete: true,
        });
    }

    /// Analyses the pending units whose context after them has been read (all of them with
    /// `all`, or at the end of the input).
    fn flush_ready<R: Read>(
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
        } = work;
        let arr = &self.arrays[p.array];
        let unit = input.text(p.start, p.end);
        // Spans come out relative to `src`; `shift` makes them absolute.
        let (src, shift) = if arr.prefix.is_empty() {
            (unit, Some(p.start))
        } else {
            scratch.clear();
            scratch.push_str(&arr.prefix);
            scratch.push_str(unit);
            if p.complete {
                scratch.push_str(&arr.suffix);
            }
            (scratch.as_str(), p.start.checked_sub(arr.prefix.len()))
        };
        let Some(shift) = shift else {
            self.inexact
                .get_or_insert(Inexact::Layout("a record starts where its path cannot"));
            return;
        };
        if p.line.is_some() && unit.trim_end_matches('\r').len() > config.max_line_length {
            self.inexact
                .get_or_insert(Inexact::Limit("a line is over runlog.limits.maxLineLength"));
        }
        let mut problems = Vec::new();
        parse::parse_piece(
            src,
            0,
            p.line,
            parse::PARSER_DEPTH,
            &mut problems,
            &mut |root, piece: &Piece| exchange::extract(root, piece, &config.redact, extracted),
        );
        extracted.runs.clear();
        let first_index = arr.exchanges;
        let count = extracted.exchanges.len();
        let mut found: Vec<(Finding, Option<Exchange>, bool)> = Vec::new();
        let mut cuts = analysis::BodyCuts::default();
        for (k, ex) in extracted.exchanges.drain(..).enumerate() {
            if let Some(f) = analysis::finding_for(src, &ex, first_index + k, config, &mut cuts) {
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
            let at = locate(&finding, exchange.as_ref(), &view);
            arr.items.push(Item {
                located: Located {
                    finding,
                    exchange,
                    at,
                },
                problem,
            });
        }
    }

    fn finish_document<R: Read>(
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

    /// Which arrays' units `analyze` would have taken calls from, learnt from the skeleton;
    /// with the format. Sets `inexact` when that cannot be known.
    fn choose(&mut self, config: &AnalysisConfig) -> (Option<Format>, Vec<usize>) {
        if self.inexact.is_none() {
            let bytes = std::mem::take(&mut self.skeleton);
            let skeleton = std::str::from_utf8(&bytes).unwrap_or_default();
            match parse::parse_str(skeleton) {
                Ok(Some(root)) => {
                    let mut outside = Extracted::default();
                    let piece = Piece {
                        base: 0,
                        end: skeleton.len(),
                        line: None,
                        clean: true,
                    };
                    exchange::extract(&root, &piece, &config.redact, &mut outside);
                    if !outside.exchanges.is_empty() {
                        self.inexact =
                            Some(Inexact::Layout("it has calls outside arrays of calls"));
                    } else {
                        return self.chosen_by_shape(&root);
                    }
                }
                Ok(None) => return (None, Vec::new()),
                Err(_) => {
                    self.inexact = Some(Inexact::Layout(
                        "the JSON around its arrays of calls is not valid",
                    ))
                }
            }
        }
        // Not exact: the arrays the splitter's paths suggest, unless the text outside them
        // shows a document that holds status codes as data (OpenAPI, JSON Schema, Postman).
        if looks_negative(&self.skeleton) {
            return (None, Vec::new());
        }
        if let Some(i) = self
            .arrays
            .iter()
            .position(|a| a.nested.is_some() && a.units > 0)
        {
            let format = match self.arrays[i].nested {
                Some(Shape::Newman) => Format::Newman,
                _ => Format::Har,
            };
            return (Some(format), vec![i]);
        }
        let all: Vec<usize> = (0..self.arrays.len()).collect();
        let format = if self.arrays.iter().any(|a| a.run_array) {
            Format::IntegrationRunLog
        } else {
            Format::Generic
        };
        (Some(format), all)
    }

    fn chosen_by_shape(
        &mut self,
        root: &jsonc_parser::ast::Value<'_>,
    ) -> (Option<Format>, Vec<usize>) {
        use jsonc_parser::ast::Value;
        let shape = detect::shape(root);
        let nested = |outer: &str, inner: &str| -> Option<usize> {
            let obj = get_object(root.as_object()?, outer)?;
            match get(obj, inner) {
                Some(Value::Array(a)) => Some(a.range.start),
                _ => None,
            }
        };
        let find = |at: Option<usize>, want: Shape| -> Vec<usize> {
            at.and_then(|at| {
                self.arrays
                    .iter()
                    .position(|a| a.skeleton_at == at && a.nested == Some(want))
            })
            .into_iter()
            .collect()
        };
        match shape {
            Shape::Negative => (None, Vec::new()),
            Shape::Har => (
                Some(Format::Har),
                find(nested("log", "entries"), Shape::Har),
            ),
            Shape::Newman => (
                Some(Format::Newman),
                find(nested("run", "executions"), Shape::Newman),
            ),
            Shape::Integration | Shape::Generic => {
                // The generic walk enters every value: units cut from nested arrays were taken
                // out of its sight.
                if self
                    .arrays
                    .iter()
                    .any(|a| a.nested.is_some() && a.units > 0)
                {
                    self.inexact = Some(Inexact::Layout(
                        "calls nested where this shape of log does not keep them",
                    ));
                }
                let format = if shape == Shape::Integration {
                    Format::IntegrationRunLog
                } else {
                    Format::Generic
                };
                let chosen = (0..self.arrays.len())
                    .filter(|&i| self.arrays[i].nested.is_none())
                    .collect();
                (Some(format), chosen)
            }
        }
    }

    /// The final result: the chosen arrays' findings merged in text order and capped like
    /// `analyze`'s.
    fn select(
        mut self,
        lines: bool,
        config: &AnalysisConfig,
        bytes: usize,
        peak: usize,
    ) -> Streamed<L> {
        let (format, chosen) = if lines {
            (Some(Format::JsonLines), vec![0])
        } else {
            self.choose(config)
        };
        let max = config.max_findings;
        let total_calls: usize = chosen.iter().map(|&i| self.arrays[i].calls).sum();
        let total_exchanges: usize = chosen.iter().map(|&i| self.arrays[i].exchanges).sum();
        let mut findings: Vec<Located<L>> = Vec::new();
        let mut problem_flags: Vec<bool> = Vec::new();
        let mut budget = max;
        let mut omitted: Option<(Span, L)> = None;
        let mut exchange_base = 0;
        let mut arrays = std::mem::take(&mut self.arrays);
        for &i in &chosen {
            let arr = &mut arrays[i];
            for item in arr.items.drain(..) {
                let mut located = item.located;
                if let Some(x) = located.finding.exchange.as_mut() {
                    *x += exchange_base;
                }
                if !item.problem {
                    if budget == 0 {
                        if omitted.is_none() {
                            omitted = Some((located.finding.span, located.at));
                        }
                        continue;
                    }
                    budget -= 1;
                }
                findings.push(located);
                problem_flags.push(item.problem);
            }
            if budget == 0 && omitted.is_none() {
                omitted = arr.first_omitted.take();
            }
            exchange_base += arr.exchanges;
        }
        if let Some((span, at)) = omitted {
            // Stable order of `analyze`: calls, then the cap's summary, then problems.
            let pos = (0..findings.len())
                .find(|&k| {
                    let s = findings[k].finding.span.start;
                    s > span.start || (s == span.start && problem_flags[k])
                })
                .unwrap_or(findings.len());
            findings.insert(
                pos,
                Located {
                    finding: analysis::omitted_finding(span, total_calls - max, max),
                    exchange: None,
                    at,
                },
            );
        }
        Streamed {
            format: format.filter(|_| total_exchanges > 0),
            findings: if total_exchanges > 0 {
                findings
            } else {
                Vec::new()
            },
            inexact: self.inexact,
            notes: self.notes,
            bytes,
            units: self.units,
            peak_buffer: peak,
        }
    }
}

/// True when the text outside units names a kind of document `detect::shape` keeps quiet;
/// used only when the skeleton cannot be parsed, so it errs on the side of silence.
fn looks_negative(skeleton: &[u8]) -> bool {
    let text = String::from_utf8_lossy(skeleton);
    [
        "\"openapi\"",
        "\"swagger\"",
        "\"asyncapi\"",
        "\"$schema\"",
        "\"_postman_id\"",
    ]
    .iter()
    .any(|key| text.contains(key))
}

/// Moves every span of `value` by `by` bytes (the unit's text started at `by`).
fn shift_by<T>(mut value: T, by: usize, shift: impl FnOnce(&mut T, usize, isize)) -> T {
    shift(&mut value, 0, by as isize);
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::analyze;
    use crate::core::model::Analysis;

    use crate::core::bench_gen as gen;

    /// Hands out at most `step` bytes per read, so that every state of the splitter meets a
    /// buffer boundary.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = self.step.min(out.len()).min(self.data.len());
            out[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    /// Streams `text` and returns the result, the positions `locate` saw being checked against
    /// the whole text on the way.
    fn stream(text: &str, step: usize, config: &AnalysisConfig) -> Streamed<LineCol> {
        let index = crate::core::line_index::LineIndex::new(text);
        let reader = Trickle {
            data: text.as_bytes(),
            step,
        };
        let locate = |f: &Finding, ex: Option<&Exchange>, view: &UnitView<'_>| {
            for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
                let spans =
                    std::iter::once(f.span).chain(ex.and_then(|e| e.body.as_ref()).map(|b| b.span));
                for span in spans {
                    for offset in [span.start, span.end] {
                        assert_eq!(
                            view.line_col(offset, encoding),
                            index.line_col(text, offset, encoding),
                            "offset {offset}"
                        );
                    }
                }
            }
            view.line_col(f.span.start, Encoding::Utf32)
        };
        match run(reader, config, Some(locate), step.min(CHUNK)) {
            Ok(s) => s,
            Err(e) => panic!("{e:?}"),
        }
    }

    /// The findings (and their calls) of a streamed result, as `analyze` would give them.
    fn same_as_analyze(text: &str, streamed: &Streamed<LineCol>, config: &AnalysisConfig) {
        let full = analyze(text, config);
        assert_eq!(streamed.format, full.format);
        let got: Vec<&Finding> = streamed.findings.iter().map(|l| &l.finding).collect();
        let want: Vec<&Finding> = full.findings.iter().collect();
        assert_eq!(got, want);
        for l in &streamed.findings {
            let want = l
                .finding
                .exchange
                .and_then(|i| full.exchanges.get(i))
                .map(|e| Exchange {
                    run: None,
                    ..e.clone()
                });
            let got = l.exchange.clone().map(|e| Exchange { run: None, ..e });
            assert_eq!(got, want, "{:?}", l.finding);
        }
    }

    fn fixtures() -> Vec<std::path::PathBuf> {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures");
        let mut out = Vec::new();
        for dir in std::fs::read_dir(root).into_iter().flatten().flatten() {
            for file in std::fs::read_dir(dir.path())
                .into_iter()
                .flatten()
                .flatten()
            {
                if file.path().extension().is_some_and(|e| e != "md") {
                    out.push(file.path());
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn every_fixture_streams_exactly_or_says_why() {
        let config = AnalysisConfig::default();
        let mut inexact = Vec::new();
        let mut exact = 0;
        for path in fixtures() {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            for step in [1, 7, 4096, usize::MAX] {
                let s = stream(&text, step, &config);
                match &s.inexact {
                    None => same_as_analyze(&text, &s, &config),
                    Some(why) => {
                        if step == usize::MAX {
                            inexact.push(format!("{}: {why:?}", path.display()));
                        }
                    }
                }
                if step == usize::MAX && s.inexact.is_none() {
                    exact += 1;
                }
            }
        }
        // Only the broken and truncated logs, and generic shapes with calls outside arrays,
        // may need the whole text.
        for line in &inexact {
            assert!(
                line.contains("/truncated/")
                    || line.contains("broken")
                    || line.contains("/generic/")
                    || line.contains("/bodies/"),
                "{inexact:#?}"
            );
        }
        assert!(exact >= 30, "{exact} exact; inexact: {inexact:#?}");
    }

    #[test]
    fn generated_logs_stream_exactly() {
        let config = AnalysisConfig::default();
        for format in gen::GenFormat::ALL {
            let text = gen::generate(format, 3 * gen::MB);
            let s = stream(&text, 64 * 1024 + 3, &config);
            assert_eq!(s.inexact, None, "{format:?}");
            assert!(s.findings.len() > 20, "{format:?}");
            same_as_analyze(&text, &s, &config);
        }
    }

    #[test]
    fn the_cap_is_applied_across_units() {
        let text = gen::generate(gen::GenFormat::Har, 2 * gen::MB);
        let config = AnalysisConfig {
            max_findings: 7,
            ..AnalysisConfig::default()
        };
        let s = stream(&text, usize::MAX, &config);
        assert_eq!(s.inexact, None);
        assert_eq!(s.findings.len(), 8);
        assert_eq!(s.findings[7].finding.kind, FindingKind::LimitReached);
        same_as_analyze(&text, &s, &config);
    }

    #[test]
    fn quiet_on_ordinary_json() {
        let config = AnalysisConfig::default();
        for text in [
            "",
            "  ",
            "{}",
            "[1, 2, {\"a\": [3]}]",
            "{\"openapi\": \"3\", \"paths\": [{\"status\": 404, \"body\": 1}]}",
        ] {
            let s = stream(text, 3, &config);
            assert_eq!(s.format, None, "{text}");
            assert!(s.findings.is_empty(), "{text}");
            assert_eq!(analyze(text, &config), Analysis::default(), "{text}");
        }
    }

    #[test]
    fn broken_and_truncated_logs_say_so() {
        let config = AnalysisConfig::default();
        let text = gen::generate(gen::GenFormat::Har, 300_000);
        let cut = &text[..text.len() / 2];
        let s = stream(cut, usize::MAX, &config);
        assert!(
            matches!(s.inexact, Some(Inexact::Invalid { .. })),
            "{:?}",
            s.inexact
        );
        // What comes before the cut is still reported.
        let before = analyze(cut, &config).findings.len();
        assert!(
            s.findings.len() + 1 >= before && before > 2,
            "{} {before}",
            s.findings.len()
        );
        let broken = text.replacen("}\n    ]", "]\n    ]", 1);
        let s = stream(&broken, usize::MAX, &config);
        assert!(s.inexact.is_some());
        let s = stream("{\"runs\": [{\"status\": 404}]] trailing", 5, &config);
        assert!(
            matches!(s.inexact, Some(Inexact::Invalid { .. })),
            "{:?}",
            s.inexact
        );
        assert_eq!(s.notes.len(), 1);
        assert_eq!(s.notes[0].finding.kind, FindingKind::InvalidJson);
    }

    #[test]
    fn memory_is_bounded_by_the_largest_unit() {
        let text = gen::generate(gen::GenFormat::Har, 64 * gen::MB);
        let s = match split_only(text.as_bytes()) {
            Ok(n) => n,
            Err(e) => panic!("{e:?}"),
        };
        assert!(s > 10_000, "{s} units");
        let config = AnalysisConfig::default();
        let streamed = analyze_reader(text.as_bytes(), &config, |_, _, _| ()).ok();
        let peak = streamed.as_ref().map_or(usize::MAX, |s| s.peak_buffer);
        // One read chunk plus the context kept around the entries: a few MB, not 64.
        assert!(peak < 4 * CHUNK, "peak buffer {peak}");
        assert!(streamed.is_some_and(|s| s.inexact.is_none() && s.units > 10_000));
    }

    #[test]
    fn oversized_units_are_skipped_with_a_note() {
        let big = "x".repeat(MAX_UNIT + 3 * CHUNK);
        let text = format!("{{\"runs\": [{{\"status\": 404, \"body\": \"a\"}}, {{\"pad\": \"{big}\"}}, {{\"status\": 500, \"body\": \"b\"}}]}}");
        let s = stream(&text, usize::MAX, &AnalysisConfig::default());
        assert_eq!(
            s.inexact,
            Some(Inexact::UnitTooLarge {
                at: text.find("{\"pad").unwrap_or(0)
            })
        );
        let statuses: Vec<Option<u16>> = s.findings.iter().map(|l| l.finding.status).collect();
        assert_eq!(statuses, [Some(404), Some(500)]);
        assert_eq!(s.notes.len(), 1);
        assert!(s.notes[0].finding.message.contains("over 64 MB"));
        assert!(s.peak_buffer < MAX_UNIT + 4 * CHUNK);
    }

    #[test]
    fn not_utf8_and_binary_are_refused() {
        let config = AnalysisConfig::default();
        let r = analyze_reader(&b"{\"a\": \"\xff\"}"[..], &config, |_, _, _| ());
        assert!(matches!(r, Err(StreamError::NotUtf8)));
        let r = analyze_reader(&b"{\"a\": \"\0\"}"[..], &config, |_, _, _| ());
        assert!(matches!(r, Err(StreamError::Binary)));
    }

    #[test]
    fn every_cut_of_a_log_and_junk_never_panic() {
        let config = AnalysisConfig::default();
        let seed = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/fixtures/integration/multi-run.json"
        ))
        .unwrap_or_default();
        assert!(seed.len() > 1000);
        for cut in (0..seed.len()).step_by(7) {
            if !seed.is_char_boundary(cut) {
                continue;
            }
            let text = &seed[..cut];
            let s = stream(text, 13, &config);
            // Complete texts (only whitespace was cut) are exact; the others say why not.
            if s.inexact.is_none() {
                same_as_analyze(text, &s, &config);
            } else {
                assert!(!seed[cut..].trim().is_empty(), "cut {cut}");
            }
        }
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let alphabet = b"{}[]\",:0123456789 \n\\/*statusbody\'";
        for _ in 0..300 {
            let mut junk = String::new();
            for _ in 0..200 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                junk.push(alphabet[(state % alphabet.len() as u64) as usize] as char);
            }
            let s = stream(&junk, 5, &config);
            if s.inexact.is_none() {
                same_as_analyze(&junk, &s, &config);
            }
        }
    }

    #[test]
    fn an_unverifiable_negative_document_stays_quiet() {
        // Cut, so the skeleton cannot be parsed: the `openapi` key still keeps it quiet.
        let text = "{\"openapi\": \"3.1.0\", \"paths\": [{\"status\": 404, \"body\": \"x\"}, ";
        let s = stream(text, usize::MAX, &AnalysisConfig::default());
        assert!(s.inexact.is_some());
        assert_eq!(s.format, None);
        assert!(s.findings.is_empty());
        let s = stream(
            &text.replace("openapi", "title"),
            usize::MAX,
            &AnalysisConfig::default(),
        );
        assert_eq!(
            s.findings.len(),
            1,
            "the same cut log, not OpenAPI, reports its call"
        );
    }
}
