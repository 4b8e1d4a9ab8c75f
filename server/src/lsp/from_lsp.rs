//! LSP values → core values: positions to byte offsets (and rope char indices), ranges to
//! spans, the negotiated position encoding. With `to_lsp`, the only place positions are handled.

use crate::core::line_index::{Encoding, LineCol, LineIndex};
use crate::core::model::Span;
use ropey::Rope;
use tower_lsp_server::ls_types::{ClientCapabilities, Position, PositionEncodingKind, Range};

/// The encoding to use: the client's first preference among UTF-8 and UTF-32 wins (UTF-8 is
/// cheapest for us), else UTF-16, which every client supports.
pub fn negotiate_encoding(caps: &ClientCapabilities) -> Encoding {
    let offered = caps
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref());
    let Some(offered) = offered else {
        return Encoding::Utf16;
    };
    if offered.contains(&PositionEncodingKind::UTF8) {
        Encoding::Utf8
    } else if offered.contains(&PositionEncodingKind::UTF32) {
        Encoding::Utf32
    } else {
        Encoding::Utf16
    }
}

/// Byte offset of a position in `text`, clamped (see `LineIndex::offset`).
pub fn offset(text: &str, index: &LineIndex, pos: Position, encoding: Encoding) -> usize {
    index.offset(
        text,
        LineCol {
            line: pos.line,
            col: pos.character,
        },
        encoding,
    )
}

/// The span of a range, its ends ordered and clamped.
pub fn span(text: &str, index: &LineIndex, range: Range, encoding: Encoding) -> Span {
    let a = offset(text, index, range.start, encoding);
    let b = offset(text, index, range.end, encoding);
    Span::new(a.min(b), a.max(b))
}

/// The char index in `rope` of a position, clamped like `LineIndex::offset`: lines past the end
/// go to the end, columns past the line's end to the line's end (before its line break), a
/// column inside a character to that character's start.
pub fn rope_char(rope: &Rope, pos: Position, encoding: Encoding) -> usize {
    let line_idx = pos.line as usize;
    if line_idx >= rope.len_lines() {
        return rope.len_chars();
    }
    let line_start = rope.line_to_char(line_idx);
    let line = rope.line(line_idx);
    let mut counted = 0usize;
    let mut chars = 0usize;
    let mut iter = line.chars().peekable();
    while let Some(ch) = iter.next() {
        if ch == '\n' || (ch == '\r' && iter.peek() == Some(&'\n')) {
            break;
        }
        let width = match encoding {
            Encoding::Utf8 => ch.len_utf8(),
            Encoding::Utf16 => ch.len_utf16(),
            Encoding::Utf32 => 1,
        };
        if counted + width > pos.character as usize {
            break;
        }
        counted += width;
        chars += 1;
    }
    line_start + chars
}

/// The char range of an LSP range in `rope`, ordered.
pub fn rope_chars(rope: &Rope, range: Range, encoding: Encoding) -> (usize, usize) {
    let a = rope_char(rope, range.start, encoding);
    let b = rope_char(rope, range.end, encoding);
    (a.min(b), a.max(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rope_and_line_index_agree() {
        let text = "{\r\n  \"名前\": \"😀\",\n \"status\": 404\r\n}\n";
        let rope = Rope::from_str(text);
        let index = LineIndex::new(text);
        for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            for line in 0..6 {
                for character in 0..40 {
                    let pos = Position { line, character };
                    let byte = offset(text, &index, pos, encoding);
                    let ch = rope_char(&rope, pos, encoding);
                    assert_eq!(rope.char_to_byte(ch), byte, "{pos:?} {encoding:?}");
                }
            }
        }
    }
}
