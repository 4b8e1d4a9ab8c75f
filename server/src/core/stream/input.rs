//! The read buffer, and deciding JSON Lines from the first lines read.

use super::{StreamError, TextPos, UnitView, BINARY_PROBE, DETECT_LIMIT};
use crate::core::parse;
use std::io::Read;

/// The read buffer: `buf[0]` is byte `base` of the input; `buf[..valid]` is checked UTF-8.
pub(super) struct Input<R> {
    pub(super) reader: R,
    pub(super) buf: Vec<u8>,
    pub(super) base: usize,
    pub(super) valid: usize,
    pub(super) eof: bool,
    /// A position whose line/columns are known, never behind `base`.
    pub(super) mark: (usize, TextPos),
    pub(super) peak: usize,
    /// Bytes read at a time.
    pub(super) chunk: usize,
}

impl<R: Read> Input<R> {
    pub(super) fn fill(&mut self) -> Result<(), StreamError> {
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

    pub(super) fn end(&self) -> usize {
        self.base + self.valid
    }

    /// Drops the bytes before `keep` (absolute), when that frees enough to be worth a move.
    pub(super) fn compact(&mut self, keep: usize) {
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

    pub(super) fn text(&self, from: usize, to: usize) -> &str {
        let (from, to) = (from - self.base, to - self.base);
        std::str::from_utf8(&self.buf[from..to]).unwrap_or_default()
    }

    /// The window `[from, to)` (clamped to what is held, moved to char boundaries).
    pub(super) fn view(&mut self, from: usize, to: usize) -> UnitView<'_> {
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

/// JSON Lines exactly when `parse::parse_with` would read the text so: the first non-empty line
/// parses alone as an object or array and the next non-empty line starts another one (so the
/// whole text cannot parse as one value).
pub(super) fn detect_json_lines<R: Read>(input: &mut Input<R>) -> Result<bool, StreamError> {
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
