//! Positions: line and columns of a place, and the window of the input around a unit.

use crate::core::line_index::{floor_char_boundary, measure, Encoding, LineCol};

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
    pub(super) fn advance(&mut self, bytes: &[u8]) {
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
        floor_char_boundary(self.text, offset.saturating_sub(self.base))
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
