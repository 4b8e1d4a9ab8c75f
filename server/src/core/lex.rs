//! The JSON/JSONC lexer of the byte-level scanners (nesting depth, bracket walks, the repair of
//! a cut log, comment stripping in bodies): one set of rules for what is a string (double or
//! single quoted, as jsonc-parser reads them, with backslash escapes), a comment (`//` to the end
//! of the line, `/* */`), a bracket and a bare word (number, literal), so that no scanner sees a
//! bracket inside a comment that another one skips. The streaming splitter applies the same
//! rules byte by byte as a resumable state machine (`stream::split::Lex`), because its input
//! arrives in chunks; what it cuts is checked against the whole-text analysis (stream ==
//! analyze on every fixture, and a fuzz target). `unfold` keeps its own strict tokenizer: it
//! rewrites JSON losslessly and must reject what JSON does not allow.
//!
//! It also has what reading a JSON string strictly takes (`plain_string_run`, `json_escape`), for
//! the quiet-unit scanner and the server's `didOpen` decoder.

/// What a lexeme is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token {
    /// `{` or `[`.
    Open(u8),
    /// `}` or `]`.
    Close(u8),
    /// A string with its quotes; `closed` is false when the text ends inside it.
    String { quote: u8, closed: bool },
    /// `// …` up to (not including) the line's end.
    LineComment,
    /// `/* … */`; `closed` is false when the text ends inside it.
    BlockComment { closed: bool },
    /// `:` or `,`.
    Punct(u8),
    /// A run of other bytes: a number, a literal, or junk.
    Word,
}

/// One token and where it is: `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lexeme {
    pub start: usize,
    pub end: usize,
    pub token: Token,
}

/// The lexemes of `bytes` in order, whitespace skipped.
pub fn lexemes(bytes: &[u8]) -> Lexemes<'_> {
    Lexemes { bytes, at: 0 }
}

/// Iterator of [`lexemes`].
#[derive(Debug, Clone)]
pub struct Lexemes<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Iterator for Lexemes<'_> {
    type Item = Lexeme;

    fn next(&mut self) -> Option<Lexeme> {
        let bytes = self.bytes;
        let mut start = self.at;
        while start < bytes.len() && is_space(bytes[start]) {
            start += 1;
        }
        let b = *bytes.get(start)?;
        let (end, token) = match b {
            b'{' | b'[' => (start + 1, Token::Open(b)),
            b'}' | b']' => (start + 1, Token::Close(b)),
            b':' | b',' => (start + 1, Token::Punct(b)),
            b'"' | b'\'' => {
                let (end, closed) = string_end(bytes, start);
                (end, Token::String { quote: b, closed })
            }
            b'/' if bytes.get(start + 1) == Some(&b'/') => {
                let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |n| start + n);
                (end, Token::LineComment)
            }
            b'/' if bytes.get(start + 1) == Some(&b'*') => {
                match memchr::memmem::find(&bytes[start + 2..], b"*/") {
                    Some(n) => (start + 2 + n + 2, Token::BlockComment { closed: true }),
                    None => (bytes.len(), Token::BlockComment { closed: false }),
                }
            }
            _ => {
                let mut end = start + 1;
                while end < bytes.len() && !ends_word(bytes[end]) {
                    end += 1;
                }
                (end, Token::Word)
            }
        };
        self.at = end;
        Some(Lexeme { start, end, token })
    }
}

/// The end of the string opened by the quote at `start` (just past its closing quote) and
/// whether it is closed; an unclosed string runs to the end of `bytes`.
pub fn string_end(bytes: &[u8], start: usize) -> (usize, bool) {
    let quote = bytes[start];
    let mut i = start + 1;
    while let Some(n) = memchr::memchr2(quote, b'\\', &bytes[i.min(bytes.len())..]) {
        i += n;
        if bytes[i] == quote {
            return (i + 1, true);
        }
        // A backslash escapes the next byte, whatever it is.
        i += 2;
    }
    (bytes.len(), false)
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Bytes that end a bare word: whitespace and every byte that starts another token.
fn ends_word(b: u8) -> bool {
    is_space(b)
        || matches!(
            b,
            b'{' | b'}' | b'[' | b']' | b':' | b',' | b'"' | b'\'' | b'/'
        )
}

/// The deepest nesting of containers in `src` (brackets in strings and comments not counted).
pub fn max_depth(src: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for lexeme in lexemes(src.as_bytes()) {
        match lexeme.token {
            Token::Open(_) => {
                depth += 1;
                max = max.max(depth);
            }
            Token::Close(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// Calls `on(offset, bracket, level)` for every bracket outside strings and comments, `level`
/// counting the outermost container as 1 (an opener's level after it, a closer's before it);
/// stops when `on` returns false.
pub fn walk_brackets(bytes: &[u8], mut on: impl FnMut(usize, u8, usize) -> bool) {
    let mut level = 0usize;
    for lexeme in lexemes(bytes) {
        match lexeme.token {
            Token::Open(b) => {
                level += 1;
                if !on(lexeme.start, b, level) {
                    return;
                }
            }
            Token::Close(b) => {
                if !on(lexeme.start, b, level) {
                    return;
                }
                level = level.saturating_sub(1);
            }
            _ => {}
        }
    }
}

/// Where the run of plain content of a JSON string that starts at `from` ends: at its first
/// quote, backslash or control character, or at the end of `bytes`. Sixteen or eight bytes at a time.
#[inline]
pub fn plain_string_run(bytes: &[u8], from: usize) -> usize {
    plain_string_run_each(bytes, from, |_, _| ())
}

/// [`plain_string_run`] that also copies the run to the start of `out`, which must have room
/// for the rest of `bytes` (`bytes.len() - from`): whole words are stored as they are read, so
/// up to fifteen bytes past the run's end are written too. A copy call per run (mostly a few
/// bytes between two escapes) is what made decoding slow, musl's `memcpy` most of all.
#[inline]
pub fn copy_plain_string_run(bytes: &[u8], from: usize, out: &mut [u8]) -> usize {
    plain_string_run_each(bytes, from, |at, chunk| {
        out[at..at + chunk.len()].copy_from_slice(chunk)
    })
}

/// The scan of [`plain_string_run`], giving `each` every chunk it reads (sixteen-byte blocks on
/// x86-64, eight-byte words, then the last bytes of `bytes` as one chunk) with its offset from
/// `from`.
#[inline(always)]
fn plain_string_run_each(
    bytes: &[u8],
    mut from: usize,
    mut each: impl FnMut(usize, &[u8]),
) -> usize {
    let start = from;
    #[cfg(target_arch = "x86_64")]
    while let Some(block) = bytes.get(from..from + 16) {
        let Ok(block) = <&[u8; 16]>::try_from(block) else {
            break;
        };
        each(from - start, block);
        let stops = string_stops_16(block);
        if stops != 0 {
            return from + stops.trailing_zeros() as usize;
        }
        from += 16;
    }
    while let Some(word) = bytes.get(from..from + 8) {
        let Ok(word) = <[u8; 8]>::try_from(word) else {
            break;
        };
        each(from - start, &word);
        let stops = string_stops(u64::from_le_bytes(word));
        if stops != 0 {
            return from + (stops.trailing_zeros() / 8) as usize;
        }
        from += 8;
    }
    let tail = bytes.get(from..).unwrap_or_default();
    let plain = tail
        .iter()
        .take_while(|&&b| b != b'"' && b != b'\\' && b >= 0x20)
        .count();
    each(from - start, &tail[..plain]);
    from + plain
}

/// The bytes of `block` that end a run of plain content (a quote, a backslash or a control
/// character), one bit each, lowest bit first: sixteen bytes in a few SSE2 instructions, which
/// every x86-64 processor has.
#[cfg(target_arch = "x86_64")]
#[inline]
fn string_stops_16(block: &[u8; 16]) -> u32 {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8,
    };
    // SAFETY: SSE2 is part of the x86-64 baseline; the unaligned load reads exactly the sixteen
    // bytes `block` borrows.
    unsafe {
        let v = _mm_loadu_si128(block.as_ptr().cast());
        let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
        let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
        // Unsigned `b < 0x20` is `min(b, 0x1f) == b`.
        let control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
        _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), control)) as u32
    }
}

/// The bytes of `word` (eight bytes of a JSON string, read little-endian) that end a run of
/// plain content: a quote, a backslash or a control character, each marked by its high bit. The
/// lowest mark is always a true one (a false mark only follows a true one), so
/// `trailing_zeros() / 8` is the first such byte. Zero: all eight are plain.
#[inline]
fn string_stops(word: u64) -> u64 {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGH: u64 = ONES << 7;
    let zero_byte = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    zero_byte(word ^ (ONES * u64::from(b'"')))
        | zero_byte(word ^ (ONES * u64::from(b'\\')))
        | (word.wrapping_sub(ONES * 0x20) & !word & HIGH)
}

/// The byte a two-byte escape stands for (`n` of `\n`: a newline); `None` for `u` and for a
/// letter JSON does not allow.
#[inline]
pub fn short_escape(letter: u8) -> Option<u8> {
    Some(match letter {
        b'"' => b'"',
        b'\\' => b'\\',
        b'/' => b'/',
        b'b' => 0x08,
        b'f' => 0x0c,
        b'n' => b'\n',
        b'r' => b'\r',
        b't' => b'\t',
        _ => return None,
    })
}

/// A number of the JSON grammar (RFC 8259), read by [`json_number`].
pub struct JsonNumber {
    pub end: usize,
    /// Where its integer digits are (after any minus sign).
    pub int: (usize, usize),
    /// Without fraction or exponent.
    pub whole: bool,
}

/// The JSON number starting at `from`, or `None` where the grammar is not met.
pub fn json_number(bytes: &[u8], from: usize) -> Option<JsonNumber> {
    let digits = |mut at: usize| {
        while bytes.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
        at
    };
    // At least one digit from `at`: where they end.
    let some_digits = |at: usize| Some(digits(at)).filter(|&end| end > at);
    let int = from + usize::from(bytes.get(from) == Some(&b'-'));
    let int_end = match bytes.get(int)? {
        b'0' => int + 1,
        b'1'..=b'9' => digits(int + 1),
        _ => return None,
    };
    let mut end = int_end;
    if bytes.get(end) == Some(&b'.') {
        end = some_digits(end + 1)?;
    }
    if let Some(b'e' | b'E') = bytes.get(end) {
        let sign = matches!(bytes.get(end + 1), Some(b'+' | b'-'));
        end = some_digits(end + 1 + usize::from(sign))?;
    }
    Some(JsonNumber {
        end,
        int: (int, int_end),
        whole: end == int_end,
    })
}

/// The JSON escape whose backslash is at `at`: the character it stands for and its length in
/// bytes (12 for a surrogate pair). `None` for an escape JSON does not allow or a surrogate
/// without its other half.
#[inline]
pub fn json_escape(bytes: &[u8], at: usize) -> Option<(char, usize)> {
    let letter = *bytes.get(at + 1)?;
    if let Some(byte) = short_escape(letter) {
        return Some((char::from(byte), 2));
    }
    if letter != b'u' {
        return None;
    }
    let hex = |from: usize| {
        let digits = bytes.get(from..from + 4)?;
        digits
            .iter()
            .try_fold(0u32, |n, &d| Some(n * 16 + char::from(d).to_digit(16)?))
    };
    let unit = hex(at + 2)?;
    if !(0xD800..0xDC00).contains(&unit) {
        return Some((char::from_u32(unit)?, 6));
    }
    if bytes.get(at + 6..at + 8)? != b"\\u" {
        return None;
    }
    let low = hex(at + 8)?.checked_sub(0xDC00).filter(|l| *l < 0x400)?;
    Some((char::from_u32(0x10000 + ((unit - 0xD800) << 10) + low)?, 12))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<(&str, Token)> {
        lexemes(text.as_bytes())
            .map(|l| (&text[l.start..l.end], l.token))
            .collect()
    }

    #[test]
    fn strings_comments_brackets_and_words() {
        let text = r#"{"a\"]": 'b{', // c [
  "n": -1.5e3, /* d } */ "t": true}"#;
        assert_eq!(
            tokens(text),
            vec![
                ("{", Token::Open(b'{')),
                (
                    r#""a\"]""#,
                    Token::String {
                        quote: b'"',
                        closed: true
                    }
                ),
                (":", Token::Punct(b':')),
                (
                    "'b{'",
                    Token::String {
                        quote: b'\'',
                        closed: true
                    }
                ),
                (",", Token::Punct(b',')),
                ("// c [", Token::LineComment),
                (
                    r#""n""#,
                    Token::String {
                        quote: b'"',
                        closed: true
                    }
                ),
                (":", Token::Punct(b':')),
                ("-1.5e3", Token::Word),
                (",", Token::Punct(b',')),
                ("/* d } */", Token::BlockComment { closed: true }),
                (
                    r#""t""#,
                    Token::String {
                        quote: b'"',
                        closed: true
                    }
                ),
                (":", Token::Punct(b':')),
                ("true", Token::Word),
                ("}", Token::Close(b'}')),
            ]
        );
    }

    #[test]
    fn what_the_text_ends_inside_is_unclosed() {
        assert_eq!(
            tokens(r#"["ab\"#),
            vec![
                ("[", Token::Open(b'[')),
                (
                    r#""ab\"#,
                    Token::String {
                        quote: b'"',
                        closed: false
                    }
                ),
            ]
        );
        assert_eq!(
            tokens("[1 /* x"),
            vec![
                ("[", Token::Open(b'[')),
                ("1", Token::Word),
                ("/* x", Token::BlockComment { closed: false }),
            ]
        );
        assert_eq!(tokens("/"), vec![("/", Token::Word)]);
    }

    #[test]
    fn depth_and_brackets_skip_strings_and_comments() {
        assert_eq!(
            max_depth(
                r#"[[1], "[[[", // [[[[
 /* {{{{{ */ {"a": [2]}]"#
            ),
            3
        );
        let mut seen = Vec::new();
        walk_brackets(b"[ // {\n {\"]\": 1} ]", |at, b, level| {
            seen.push((at, b, level));
            true
        });
        assert_eq!(
            seen,
            vec![(0, b'[', 1), (8, b'{', 2), (15, b'}', 2), (17, b']', 1)]
        );
    }

    proptest::proptest! {
        /// Lexemes tile the text: in order, never overlapping, only whitespace between them,
        /// and the scan ends (on any bytes).
        #[test]
        fn lexemes_cover_the_text(text in "[ \\n{}\\[\\]:,\"'\\\\/*a1]{0,64}") {
            let bytes = text.as_bytes();
            let mut at = 0;
            for l in lexemes(bytes) {
                proptest::prop_assert!(l.start >= at && l.end > l.start && l.end <= bytes.len());
                proptest::prop_assert!(bytes[at..l.start].iter().all(|&b| is_space(b)));
                at = l.end;
            }
            proptest::prop_assert!(bytes[at..].iter().all(|&b| is_space(b)));
        }

        /// A plain run ends at the first quote, backslash or control character, wherever it
        /// falls in the sixteen- and eight-byte blocks read; the copy holds the run.
        #[test]
        fn a_plain_run_ends_at_the_first_stop(
            bytes in proptest::collection::vec(
                proptest::sample::select(vec![b'a', b'"', b'\\', 0x1f, 0x20, 0x7f, 0x80, 0xff, b'}']),
                0..80,
            ),
            from in 0usize..80,
        ) {
            let from = from.min(bytes.len());
            let stop = bytes[from..]
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                .map_or(bytes.len(), |p| from + p);
            proptest::prop_assert_eq!(plain_string_run(&bytes, from), stop);
            let mut out = vec![0; bytes.len() - from];
            proptest::prop_assert_eq!(copy_plain_string_run(&bytes, from, &mut out), stop);
            proptest::prop_assert_eq!(&out[..stop - from], &bytes[from..stop]);
        }
    }
}
