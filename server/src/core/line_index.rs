//! Offsets ↔ (line, column) in any of the three position encodings, CRLF-aware. The one place
//! where byte offsets become editor positions (the LSP layer and the CLI both use it): a line
//! index of a whole text, column checkpoints on its long lines, a forward cursor for offsets in
//! order, and for a text streamed in parts, the window around one part (`UnitView`).

/// How columns are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// Bytes of UTF-8.
    Utf8,
    /// UTF-16 code units (LSP's default).
    Utf16,
    /// Unicode scalar values (characters).
    Utf32,
}

/// A (line, column) pair, both 0-based, the column in some `Encoding`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

/// Line starts of a text. Lines end at `\n`; a `\r` before it belongs to the line break.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    len: usize,
    last_line: LastLine,
}

/// The line of the last offset looked up. Offsets mostly come in text order (an outline, the
/// diagnostics, folding ranges), so the next one is on that line or a few after it: found there
/// without a binary search over every line start (on a 50 MB log, a dozen cache misses each).
/// Shared by the threads reading a snapshot: a stale hint only costs the search.
#[derive(Debug, Default)]
struct LastLine(std::sync::atomic::AtomicUsize);

impl Clone for LastLine {
    fn clone(&self) -> Self {
        LastLine(self.0.load(std::sync::atomic::Ordering::Relaxed).into())
    }
}

/// A hint, not content: every two indexes of the same text are equal.
impl PartialEq for LastLine {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for LastLine {}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(memchr_newlines(text.as_bytes()).map(|i| i + 1));
        LineIndex {
            line_starts,
            len: text.len(),
            last_line: LastLine::default(),
        }
    }

    /// The line holding byte `offset` (a char boundary within the text): searched from the last
    /// line found, in steps doubling away from it, so an offset near it costs a few lookups.
    fn line_of(&self, offset: usize) -> usize {
        use std::sync::atomic::Ordering::Relaxed;
        let starts = &self.line_starts;
        let last = self.last_line.0.load(Relaxed).min(starts.len() - 1);
        // The answer lies in [lo, hi): the last line whose start is at or before `offset`.
        let (mut lo, mut hi) = (last, last + 1);
        let mut step = 1;
        if starts[last] <= offset {
            while hi < starts.len() && starts[hi] <= offset {
                lo = hi;
                hi = (hi + step).min(starts.len());
                step *= 2;
            }
        } else {
            while lo > 0 && starts[lo] > offset {
                hi = lo;
                lo = lo.saturating_sub(step);
                step *= 2;
            }
        }
        let line = lo + starts[lo..hi].partition_point(|&start| start <= offset) - 1;
        self.last_line.0.store(line, Relaxed);
        line
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte offset where `line` starts (the text's end for lines past it).
    pub fn line_start(&self, line: u32) -> usize {
        self.line_starts
            .get(line as usize)
            .copied()
            .unwrap_or(self.len)
    }

    /// The content of line `line` without its line break.
    pub fn line_text<'t>(&self, text: &'t str, line: u32) -> &'t str {
        let start = self.line_start(line).min(text.len());
        let end = self.line_start(line + 1).min(text.len()).max(start);
        // Only the break itself: LF, or CRLF. A lone CR is content (as in the rope).
        let line = &text[start..end];
        match line.strip_suffix('\n') {
            Some(content) => content.strip_suffix('\r').unwrap_or(content),
            None => line,
        }
    }

    /// The position of byte `offset` (clamped to the text and moved back to a char boundary).
    pub fn line_col(&self, text: &str, offset: usize, encoding: Encoding) -> LineCol {
        let offset = floor_char_boundary(text, offset);
        let line = self.line_of(offset);
        let start = self.line_starts[line];
        let col = measure(&text[start..offset], encoding);
        LineCol {
            line: line as u32,
            col: col as u32,
        }
    }

    /// The byte offset of a position. Out-of-range lines clamp to the end of the text, columns
    /// past the line's end clamp to it, and a column inside a character (a UTF-16 surrogate half,
    /// a UTF-8 continuation byte) moves to that character's start.
    pub fn offset(&self, text: &str, pos: LineCol, encoding: Encoding) -> usize {
        if pos.line as usize >= self.line_starts.len() {
            return text.len();
        }
        let line = self.line_text(text, pos.line);
        let start = self.line_start(pos.line);
        let mut counted = 0usize;
        for (byte, ch) in line.char_indices() {
            let width = char_width(ch, encoding);
            if counted + width > pos.col as usize {
                return start + byte;
            }
            counted += width;
        }
        start + line.len()
    }
}

/// `offset` clamped to the text, moved back to a char boundary, and out of the middle of a CRLF
/// (to before the CR), so the position reported for it is never past its line's end (what
/// the LSP layer reports; `line_col` itself counts the CR, as the CLI's columns do).
pub fn clamp_offset(text: &str, offset: usize) -> usize {
    let mut offset = floor_char_boundary(text, offset);
    let bytes = text.as_bytes();
    if offset > 0 && bytes[offset - 1] == b'\r' && bytes.get(offset) == Some(&b'\n') {
        offset -= 1;
    }
    offset
}

/// The largest char boundary at or below `at` (clamped to the text).
pub fn floor_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn memchr_newlines(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    memchr::memchr_iter(b'\n', bytes)
}

fn char_width(ch: char, encoding: Encoding) -> usize {
    match encoding {
        Encoding::Utf8 => ch.len_utf8(),
        Encoding::Utf16 => ch.len_utf16(),
        Encoding::Utf32 => 1,
    }
}

/// Length of `text` in `encoding` units.
pub fn measure(text: &str, encoding: Encoding) -> usize {
    match encoding {
        Encoding::Utf8 => text.len(),
        Encoding::Utf16 => text.chars().map(char::len_utf16).sum(),
        Encoding::Utf32 => text.chars().count(),
    }
}

/// Lines longer than this get column checkpoints (minified logs put megabytes on one line).
const LONG_LINE: usize = 4096;
/// Distance in bytes between two checkpoints of a long line.
const CHECKPOINT_EVERY: usize = 1024;

/// Column checkpoints for long lines, so converting an offset costs at most
/// `CHECKPOINT_EVERY` bytes of counting instead of the whole line. Built once per snapshot.
#[derive(Debug, Default)]
pub struct LongLines {
    /// (line, [(byte offset, column in the encoding)]), sorted by line and offset.
    lines: Vec<(u32, Vec<(usize, u32)>)>,
}

impl LongLines {
    pub fn new(text: &str, index: &LineIndex, encoding: Encoding) -> Self {
        let mut lines = Vec::new();
        if encoding == Encoding::Utf8 {
            return LongLines { lines }; // byte columns are O(1) already
        }
        for line in 0..index.line_count() {
            let line = u32::try_from(line).unwrap_or(u32::MAX);
            let start = index.line_start(line).min(text.len());
            let end = index
                .line_start(line.saturating_add(1))
                .min(text.len())
                .max(start);
            if end - start < LONG_LINE {
                continue;
            }
            let mut points = Vec::with_capacity((end - start) / CHECKPOINT_EVERY + 1);
            let mut col = 0usize;
            let mut next = start + CHECKPOINT_EVERY;
            for (i, ch) in text[start..end].char_indices() {
                let at = start + i;
                if at >= next {
                    points.push((at, u32::try_from(col).unwrap_or(u32::MAX)));
                    next = at + CHECKPOINT_EVERY;
                }
                col += match encoding {
                    Encoding::Utf16 => ch.len_utf16(),
                    _ => 1,
                };
            }
            lines.push((line, points));
        }
        LongLines { lines }
    }

    /// Where `line`'s checkpoints are in `lines`: only a long line has any, and most are short
    /// (no search through every long line for them).
    fn checkpoints(&self, index: &LineIndex, line: u32) -> &[(usize, u32)] {
        let length = index.line_start(line.saturating_add(1)) - index.line_start(line);
        if length < LONG_LINE {
            return &[];
        }
        match self.lines.binary_search_by_key(&line, |(l, _)| *l) {
            Ok(i) => &self.lines[i].1,
            Err(_) => &[],
        }
    }

    /// The byte offset of `pos` (clamped exactly like `LineIndex::offset`), starting from the
    /// nearest checkpoint of its line.
    pub fn offset(&self, text: &str, index: &LineIndex, pos: LineCol, encoding: Encoding) -> usize {
        if pos.line as usize >= index.line_count() {
            return text.len();
        }
        let line_start = index.line_start(pos.line).min(text.len());
        let line_end = line_start + index.line_text(text, pos.line).len();
        let col = pos.col as usize;
        if encoding == Encoding::Utf8 {
            return floor_char_boundary(text, line_start.saturating_add(col).min(line_end));
        }
        let points = self.checkpoints(index, pos.line);
        let (mut at, mut counted) = match points.partition_point(|(_, c)| (*c as usize) <= col) {
            0 => (line_start, 0),
            n => (points[n - 1].0, points[n - 1].1 as usize),
        };
        if at >= line_end {
            return line_end;
        }
        for ch in text.get(at..line_end).unwrap_or("").chars() {
            let width = match encoding {
                Encoding::Utf16 => ch.len_utf16(),
                _ => 1,
            };
            if counted + width > col {
                return at;
            }
            counted += width;
            at += ch.len_utf8();
        }
        line_end
    }

    /// The line and column of `offset`, using the checkpoints of its line when it has some.
    pub fn line_col(
        &self,
        text: &str,
        index: &LineIndex,
        offset: usize,
        encoding: Encoding,
    ) -> LineCol {
        let offset = clamp_offset(text, offset);
        // The line (and its start) from the UTF-8 column, which costs nothing to compute.
        let lc8 = index.line_col(text, offset, Encoding::Utf8);
        if encoding == Encoding::Utf8 {
            return lc8;
        }
        let line_start = offset - lc8.col as usize;
        let points = self.checkpoints(index, lc8.line);
        let (from, base) = match points.partition_point(|(o, _)| *o <= offset) {
            0 => (line_start, 0),
            n => (points[n - 1].0, points[n - 1].1 as usize),
        };
        let col = base + measure(text.get(from..offset).unwrap_or(""), encoding);
        LineCol {
            line: lc8.line,
            col: u32::try_from(col).unwrap_or(u32::MAX),
        }
    }
}

/// A forward cursor over the text in characters (UTF-32 columns, as `check` prints them): the
/// last position computed, so that findings in text order on one huge line (minified JSON)
/// cost the distance between them, not the distance from the line start each time.
#[derive(Debug, Clone, Copy)]
pub struct LineCursor {
    pub offset: usize,
    pub pos: LineCol,
}

impl Default for LineCursor {
    fn default() -> Self {
        LineCursor {
            offset: 0,
            pos: LineCol { line: 0, col: 0 },
        }
    }
}

impl LineCursor {
    /// 0-based line and character column of `offset`.
    pub fn line_col(&mut self, text: &str, index: &LineIndex, offset: usize) -> LineCol {
        let offset = floor_char_boundary(text, offset);
        let line_start = index.line_start(index.line_col(text, offset, Encoding::Utf8).line);
        let pos = if offset >= self.offset && self.offset >= line_start {
            let chars = text[self.offset..offset].chars().count();
            LineCol {
                line: self.pos.line,
                col: self.pos.col + chars as u32,
            }
        } else {
            index.line_col(text, offset, Encoding::Utf32)
        };
        self.offset = offset;
        self.pos = pos;
        pos
    }
}

// Positions in a streamed text (`core::stream`), which is never held whole: the position where a
// window of it starts, carried forward as the text is read, and the window around one unit.
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
    pub(crate) fn advance(&mut self, bytes: &[u8]) {
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

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Whatever order offsets are asked in (the hint follows the last one), each gets the
        /// line its newlines say.
        #[test]
        fn lines_are_found_in_any_order(
            lines in proptest::collection::vec(0..30usize, 1..200),
            asked in proptest::collection::vec(0.0..=1.0f64, 1..60),
            sorted in proptest::bool::ANY,
        ) {
            let text: String = lines.iter().map(|&n| "x".repeat(n) + "\n").collect();
            let index = LineIndex::new(&text);
            let mut offsets: Vec<usize> =
                asked.iter().map(|f| (f * text.len() as f64) as usize).collect();
            if sorted {
                offsets.sort_unstable();
            }
            for offset in offsets {
                let line = text[..offset].matches('\n').count();
                proptest::prop_assert_eq!(
                    index.line_col(&text, offset, Encoding::Utf8).line as usize,
                    line
                );
            }
        }
    }

    #[test]
    fn columns_in_every_encoding_with_emoji_and_cjk() {
        let text = "{\r\n  \"名前\": \"😀\", \"status\": 404\n}";
        let index = LineIndex::new(text);
        let offset = text.find("404").unwrap();
        assert_eq!(
            index.line_col(text, offset, Encoding::Utf8),
            LineCol { line: 1, col: 30 }
        );
        assert_eq!(
            index.line_col(text, offset, Encoding::Utf16),
            LineCol { line: 1, col: 24 }
        );
        assert_eq!(
            index.line_col(text, offset, Encoding::Utf32),
            LineCol { line: 1, col: 23 }
        );
        for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            let pos = index.line_col(text, offset, encoding);
            assert_eq!(index.offset(text, pos, encoding), offset);
        }
    }

    #[test]
    fn out_of_range_positions_clamp() {
        let text = "ab\r\n😀x";
        let index = LineIndex::new(text);
        assert_eq!(
            index.offset(text, LineCol { line: 0, col: 99 }, Encoding::Utf16),
            2
        );
        assert_eq!(
            index.offset(text, LineCol { line: 9, col: 0 }, Encoding::Utf16),
            text.len()
        );
        // Inside the surrogate pair of 😀: back to its start.
        assert_eq!(
            index.offset(text, LineCol { line: 1, col: 1 }, Encoding::Utf16),
            4
        );
        assert_eq!(
            index.line_col(text, 5, Encoding::Utf16),
            LineCol { line: 1, col: 0 }
        );
        assert_eq!(index.line_text(text, 0), "ab");
    }

    #[test]
    fn checkpointed_positions_equal_plain_ones() {
        let unit = "{\"a\": \"😀名\", \"b\": [1, 2], \"é\": 3}, ";
        let long: String = unit.repeat(150);
        let text = format!("[\r\n{long}\n{long}\r\n]\n");
        let index = LineIndex::new(&text);
        for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            let long_lines = LongLines::new(&text, &index, encoding);
            for offset in (0..text.len() + 3).step_by(13).chain([text.len(), 1, 0]) {
                let p = index.line_col(&text, clamp_offset(&text, offset), encoding);
                assert_eq!(
                    long_lines.line_col(&text, &index, offset, encoding),
                    p,
                    "{offset} {encoding:?}"
                );
                // And back, also from columns inside characters and past the line's end.
                for delta in [0, 1, 2, 5000] {
                    let q = LineCol {
                        line: p.line,
                        col: p.col + delta,
                    };
                    assert_eq!(
                        long_lines.offset(&text, &index, q, encoding),
                        index.offset(&text, q, encoding),
                        "{q:?} {encoding:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn cursor_agrees_with_the_line_index() {
        let text = "{\"a\": \"日本👨‍👩‍👧\", \"b\": 1}\r\n  x\ny 😀 z\n\n";
        let index = LineIndex::new(text);
        let offsets: Vec<usize> = (0..=text.len() + 2).collect();
        // In order (the fast path), and jumping back and forth.
        let mut cursor = LineCursor::default();
        for &o in &offsets {
            assert_eq!(
                cursor.line_col(text, &index, o),
                index.line_col(text, o, Encoding::Utf32),
                "{o}"
            );
        }
        for &o in offsets.iter().rev().chain(offsets.iter().step_by(3)) {
            assert_eq!(
                cursor.line_col(text, &index, o),
                index.line_col(text, o, Encoding::Utf32),
                "{o}"
            );
        }
    }
}
