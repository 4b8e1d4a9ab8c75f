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
}
