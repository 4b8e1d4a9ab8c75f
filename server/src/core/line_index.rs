//! Offsets ↔ (line, column) in any of the three position encodings, CRLF-aware. The one place
//! where byte offsets become editor positions (the LSP layer and the CLI both use it).

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
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(memchr_newlines(text.as_bytes()).map(|i| i + 1));
        LineIndex {
            line_starts,
            len: text.len(),
        }
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
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
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
        let (mut at, mut counted) = match self.lines.binary_search_by_key(&pos.line, |(l, _)| *l) {
            Ok(i) => {
                let points = &self.lines[i].1;
                match points.partition_point(|(_, c)| (*c as usize) <= col) {
                    0 => (line_start, 0),
                    n => (points[n - 1].0, points[n - 1].1 as usize),
                }
            }
            Err(_) => (line_start, 0),
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
        let (from, base) = match self.lines.binary_search_by_key(&lc8.line, |(l, _)| *l) {
            Ok(i) => {
                let points = &self.lines[i].1;
                match points.partition_point(|(o, _)| *o <= offset) {
                    0 => (line_start, 0),
                    n => (points[n - 1].0, points[n - 1].1 as usize),
                }
            }
            Err(_) => (line_start, 0),
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

#[cfg(test)]
mod tests {
    use super::*;

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
