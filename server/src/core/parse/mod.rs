//! Tolerant parsing: JSON, JSONC and JSON Lines into `jsonc_parser` trees, never failing. A
//! truncated or broken text is repaired (cut back to the last complete value, brackets closed) so
//! that everything before the break is still analysed; what went wrong becomes a `Problem`.

use super::lex::{self, Token};
use super::line_index::floor_char_boundary;
use super::model::Span;
use jsonc_parser::ast::Value;
use jsonc_parser::errors::{ParseError, ParseErrorKind};
use jsonc_parser::{CollectOptions, CommentCollectionStrategy, ParseOptions, ParseStringErrorKind};
use std::borrow::Cow;

mod strict;

/// The nesting the JSON parser reads (jsonc-parser's own limit). Deeper containers are blanked
/// out (see `flatten_deep`) so the rest of the document can still be read.
pub const PARSER_DEPTH: usize = 512;

/// How many times a repaired text may itself fail before we give up on a piece.
const MAX_REPAIRS: usize = 8;

/// What kind of trouble a piece of text had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// The JSON stops being valid (truncated, broken line, syntax error).
    Invalid,
    /// Nesting deeper than the limit; the deep part was skipped.
    TooDeep,
    /// JSON Lines lines longer than the limit were skipped.
    TooLong,
}

/// Bounds on what one parse reads (`runlog.limits.*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseLimits {
    /// Values nested deeper than this are blanked out (clamped to `1..=PARSER_DEPTH`).
    pub max_nesting_depth: usize,
    /// JSON Lines lines longer than this many bytes are not parsed.
    pub max_line_length: usize,
    /// JSON Lines lines are not parsed after this instant (`Parsed::stopped_at` says where).
    pub deadline: Option<std::time::Instant>,
}

impl Default for ParseLimits {
    fn default() -> Self {
        ParseLimits {
            max_nesting_depth: PARSER_DEPTH,
            max_line_length: usize::MAX,
            deadline: None,
        }
    }
}

/// One parse problem, with its place in the whole text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    pub span: Span,
    pub message: String,
}

/// Where a parsed tree sits in the whole text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    /// Add this to every `jsonc_parser` range to get an offset into the whole text.
    pub base: usize,
    /// Absolute offset where the valid text of this piece ends: spans reaching past it (into the
    /// brackets a repair appended) must be clamped to it.
    pub end: usize,
    /// 0-based line number, for JSON Lines.
    pub line: Option<usize>,
    /// The tree is the text as written (no repair, nothing flattened): it can be parsed again
    /// alone after an edit inside it.
    pub clean: bool,
}

impl Piece {
    /// False when the range reaches into brackets a repair appended: the value was cut.
    pub fn complete(&self, range: jsonc_parser::common::Range) -> bool {
        self.base + range.end <= self.end
    }

    /// A parser range as a span in the whole text, clamped to the valid part.
    pub fn span(&self, range: jsonc_parser::common::Range) -> Span {
        let start = (self.base + range.start).min(self.end);
        let end = (self.base + range.end).min(self.end).max(start);
        Span::new(start, end)
    }
}

/// What parsing the whole text gave, besides the trees handed to the visitor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    /// The text was read as JSON Lines (one value per line).
    pub json_lines: bool,
    pub problems: Vec<Problem>,
    /// Where parsing stopped because the deadline passed (the start of the first line not read).
    pub stopped_at: Option<usize>,
}

fn options() -> (CollectOptions, ParseOptions) {
    (
        CollectOptions {
            comments: CommentCollectionStrategy::Off,
            tokens: false,
        },
        ParseOptions::default(),
    )
}

/// The tree of `text`: strict JSON, nearly every log, on the fast path (`strict`); anything
/// else through `jsonc_parser`, which reports its problems.
pub(crate) fn parse_str(text: &str) -> Result<Option<Value<'_>>, ParseError> {
    match strict::parse(text) {
        Some(value) => Ok(Some(value)),
        None => parse_with_jsonc(text),
    }
}

fn parse_with_jsonc(text: &str) -> Result<Option<Value<'_>>, ParseError> {
    let (collect, opts) = options();
    jsonc_parser::parse_to_ast(text, &collect, &opts).map(|r| r.value)
}

/// Parses `text`, calling `visit` once per tree (one for a JSON document, one per line for JSON
/// Lines) in text order. Never fails and never panics.
pub fn parse_with(text: &str, visit: impl FnMut(&Value<'_>, &Piece)) -> Parsed {
    parse_with_limits(text, &ParseLimits::default(), visit)
}

/// [`parse_with`] within `limits`; each limit that is hit yields one problem.
pub fn parse_with_limits(
    text: &str,
    limits: &ParseLimits,
    mut visit: impl FnMut(&Value<'_>, &Piece),
) -> Parsed {
    let limits = ParseLimits {
        max_nesting_depth: limits.max_nesting_depth.clamp(1, PARSER_DEPTH),
        ..*limits
    };
    let depth = limits.max_nesting_depth;
    let mut parsed = Parsed::default();
    // A UTF-8 byte order mark is not an error: skip it, offsets stay those of the whole text.
    let base = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let original = &text[base..];
    // Below the parser's own limit we find the too-deep values ourselves (one extra scan, only
    // when the user lowered the limit). Blanking keeps every offset.
    let flattened;
    let flattened_at = (depth < PARSER_DEPTH)
        .then(|| first_too_deep(original, depth))
        .flatten();
    let body: &str = match flattened_at {
        Some(at) => {
            parsed.problems.push(too_deep(base + at, depth));
            flattened = flatten_deep(original, depth + 1);
            &flattened
        }
        None => original,
    };
    match parse_str(body) {
        Ok(Some(value)) => {
            let piece = Piece {
                base,
                end: text.len(),
                line: None,
                clean: flattened_at.is_none(),
            };
            visit(&value, &piece);
        }
        Ok(None) => {}
        Err(err) => {
            if looks_like_json_lines(body, &err) {
                parsed.json_lines = true;
                parsed.stopped_at =
                    parse_lines(body, base, 0, &limits, &mut parsed.problems, &mut visit);
            } else {
                let place = Place {
                    src: body,
                    base,
                    line: None,
                };
                recover(place, depth, err, &mut parsed.problems, &mut visit);
            }
        }
    }
    parsed
}

/// JSON Lines when the first parse failed, the text has at least two non-empty lines and one of
/// the first two parses alone (a pretty-printed document's first line `{` never does).
fn looks_like_json_lines(text: &str, err: &ParseError) -> bool {
    if matches!(err.kind(), ParseErrorKind::NestingDepthExceeded) {
        return false;
    }
    let mut lines = text.split('\n').map(|l| l.trim()).filter(|l| !l.is_empty());
    let first = lines.next();
    let second = lines.next();
    match (first, second) {
        (Some(a), Some(b)) => {
            let alone = |l: &str| {
                (l.starts_with('{') || l.starts_with('[')) && matches!(parse_str(l), Ok(Some(_)))
            };
            alone(a) || alone(b)
        }
        _ => false,
    }
}

/// Parses `body` (the text from `base` on; `base` is the start of line `first_line`, 0-based)
/// line by line; returns where it stopped when the deadline passed.
pub(crate) fn parse_lines(
    body: &str,
    base: usize,
    first_line: usize,
    limits: &ParseLimits,
    problems: &mut Vec<Problem>,
    visit: &mut impl FnMut(&Value<'_>, &Piece),
) -> Option<usize> {
    let mut start = base;
    // (count, first line index, its offset) of the lines too long to read.
    let mut too_long: Option<(usize, usize, usize)> = None;
    let mut stopped_at = None;
    for (n, raw) in body.split('\n').enumerate() {
        let index = first_line + n;
        let line_start = start;
        start += raw.len() + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() {
            continue;
        }
        if limits
            .deadline
            .is_some_and(|d| std::time::Instant::now() >= d)
        {
            stopped_at = Some(line_start);
            break;
        }
        if line.len() > limits.max_line_length {
            too_long.get_or_insert((0, index, line_start)).0 += 1;
            continue;
        }
        parse_line(
            line_start,
            raw,
            index,
            limits.max_nesting_depth,
            problems,
            visit,
        );
    }
    if let Some((count, index, at)) = too_long {
        let (lines, were) = if count == 1 {
            ("A line".to_string(), "was")
        } else {
            (format!("{count} lines"), "were")
        };
        problems.push(Problem {
            kind: ProblemKind::TooLong,
            span: Span::new(at, at),
            message: format!(
                "{lines} longer than {} bytes {were} not analysed (runlog.limits.maxLineLength), starting with line {}.",
                limits.max_line_length,
                index + 1
            ),
        });
    }
    stopped_at
}

/// The one problem for values nested deeper than `depth` levels, starting at `at`.
fn too_deep(at: usize, depth: usize) -> Problem {
    Problem {
        kind: ProblemKind::TooDeep,
        span: Span::new(at, at),
        message: format!(
            "The JSON is nested more than {depth} levels deep here; the deeper values were not analysed (runlog.limits.maxNestingDepth)."
        ),
    }
}

/// Parses one JSON Lines line: `raw` is its text up to (not including) the `\n`, starting at
/// `line_start` in the whole text.
pub(crate) fn parse_line(
    line_start: usize,
    raw: &str,
    index: usize,
    depth: usize,
    problems: &mut Vec<Problem>,
    visit: &mut impl FnMut(&Value<'_>, &Piece),
) {
    let line = raw.strip_suffix('\r').unwrap_or(raw);
    if line.trim().is_empty() {
        return;
    }
    parse_piece(line, line_start, Some(index), depth, problems, visit);
}

/// Parses one piece of text (a JSON Lines line, or a part cut out by `core::stream`) that
/// starts at `base` in the whole text: visits its tree, or reports the problem and visits what a
/// repair keeps.
pub(crate) fn parse_piece(
    src: &str,
    base: usize,
    line: Option<usize>,
    depth: usize,
    problems: &mut Vec<Problem>,
    visit: &mut impl FnMut(&Value<'_>, &Piece),
) {
    match parse_str(src) {
        Ok(Some(value)) => {
            let piece = Piece {
                base,
                end: base + src.len(),
                line,
                clean: true,
            };
            visit(&value, &piece);
        }
        Ok(None) => {}
        Err(err) => recover(Place { src, base, line }, depth, err, problems, visit),
    }
}

/// Parses `src` (which starts at `base` in the whole text) as one complete value, visiting it
/// as a clean piece. False (and no visit) when it is not exactly one valid value.
pub(crate) fn parse_clean(
    src: &str,
    base: usize,
    mut visit: impl FnMut(&Value<'_>, &Piece),
) -> bool {
    match parse_str(src) {
        Ok(Some(value)) => {
            let piece = Piece {
                base,
                end: base + src.len(),
                line: None,
                clean: true,
            };
            visit(&value, &piece);
            true
        }
        _ => false,
    }
}

/// A piece of text that failed to parse, and its place in the whole text.
#[derive(Clone, Copy)]
struct Place<'s> {
    src: &'s str,
    /// Where `src` starts in the whole text.
    base: usize,
    /// Its JSON Lines line (0-based), when it is one.
    line: Option<usize>,
}

/// Handles a failed parse of a piece (its place, its depth limit, the error): reports the
/// problem in `problems`, then parses a repaired copy and visits what it gives.
fn recover(
    place: Place<'_>,
    depth: usize,
    err: ParseError,
    problems: &mut Vec<Problem>,
    visit: &mut impl FnMut(&Value<'_>, &Piece),
) {
    let Place { src, base, line } = place;
    let mut current: Cow<'_, str> = Cow::Borrowed(src);
    let mut err = err;
    if matches!(err.kind(), ParseErrorKind::NestingDepthExceeded) {
        // Where the first too-deep container opens (the parser points further in).
        let at = first_too_deep(src, depth)
            .unwrap_or_else(|| floor_char_boundary(src, err.range().start));
        problems.push(too_deep(base + at, depth));
        // The parser reads at most PARSER_DEPTH levels: keep one less.
        let flat = flatten_deep(src, depth.min(PARSER_DEPTH - 1) + 1);
        match parse_str(&flat) {
            Ok(Some(value)) => {
                visit(
                    &value,
                    &Piece {
                        base,
                        end: base + src.len(),
                        line,
                        clean: false,
                    },
                );
                return;
            }
            Ok(None) => return,
            Err(e) => {
                err = e;
                current = Cow::Owned(flat);
            }
        }
    }
    let at = floor_char_boundary(&current, err.range().start);
    problems.push(Problem {
        kind: ProblemKind::Invalid,
        span: invalid_span(&current, base, at, &err),
        message: invalid_message(&current, at, &err),
    });
    // When the text runs out, the parser may point at the unterminated container's start:
    // everything up to the end is still worth keeping.
    let mut offset = if is_truncation(&current, at, &err) {
        current.len()
    } else {
        at
    };
    for _ in 0..MAX_REPAIRS {
        let Some((repaired, cut)) = repair(&current, offset) else {
            return;
        };
        match parse_str(&repaired) {
            Ok(Some(value)) => {
                visit(
                    &value,
                    &Piece {
                        base,
                        end: base + cut,
                        line,
                        clean: false,
                    },
                );
                return;
            }
            Ok(None) => return,
            Err(e) => {
                // The repair itself failed earlier (a syntax error the scanner did not model):
                // cut back further.
                let next = floor_char_boundary(&current, e.range().start.min(cut));
                if next >= offset {
                    if offset == 0 {
                        return;
                    }
                    offset = floor_char_boundary(&current, offset - 1);
                } else {
                    offset = next;
                }
            }
        }
    }
}

/// True when the error is the text running out (a log still being written).
fn is_truncation(src: &str, at: usize, err: &ParseError) -> bool {
    matches!(
        err.kind(),
        ParseErrorKind::UnterminatedArray
            | ParseErrorKind::UnterminatedObject
            | ParseErrorKind::UnterminatedCommentBlock
            | ParseErrorKind::String(ParseStringErrorKind::UnterminatedStringLiteral)
    ) || at >= src.trim_end().len()
        || err.range().end >= src.trim_end().len()
            && !matches!(err.kind(), ParseErrorKind::MultipleRootJsonValues)
}

fn invalid_span(src: &str, base: usize, at: usize, err: &ParseError) -> Span {
    if is_truncation(src, at, err) {
        // Point at the end of the text, where it stops.
        let end = src.trim_end().len();
        return Span::new(base + end, base + end);
    }
    let end = floor_char_boundary(src, err.range().end.max(at)).max(at);
    // Keep the squiggle short and on one line.
    let line_end = src[at..end].find('\n').map(|i| at + i).unwrap_or(end);
    Span::new(base + at, base + line_end)
}

fn invalid_message(src: &str, at: usize, err: &ParseError) -> String {
    if is_truncation(src, at, err) {
        return "The JSON stops being valid here: unexpected end of text (a log still being written?)"
            .to_string();
    }
    let reason = match err.kind() {
        ParseErrorKind::MultipleRootJsonValues => {
            "a second JSON value starts after the first one ended".to_string()
        }
        kind => {
            let text = kind.to_string();
            let mut chars = text.chars();
            match chars.next() {
                Some(c) => c.to_lowercase().chain(chars).collect(),
                None => "unexpected text".to_string(),
            }
        }
    };
    format!("The JSON stops being valid here: {reason}")
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Expect {
    Key,
    Colon,
    Value,
}

struct Open {
    close: u8,
    /// Offset just after the last complete element (or the opening bracket).
    last_good: usize,
    expect: Expect,
}

/// Scans `src[..stop]` and builds `src[..cut]` + closing brackets, where `cut` is the end of the
/// last complete value in the innermost open container. Offsets in the result equal the
/// original's. `None` when nothing complete precedes the break.
fn repair(src: &str, stop: usize) -> Option<(String, usize)> {
    let bytes = src.as_bytes();
    let stop = stop.min(bytes.len());
    let mut stack: Vec<Open> = Vec::new();
    let mut root_end: Option<usize> = None;
    // Marks a value as complete at `end` in the innermost container.
    fn complete(stack: &mut [Open], root_end: &mut Option<usize>, end: usize) {
        match stack.last_mut() {
            Some(top) if top.close == b']' => top.last_good = end,
            Some(top) => match top.expect {
                Expect::Value => {
                    top.last_good = end;
                    top.expect = Expect::Key;
                }
                Expect::Key => top.expect = Expect::Colon,
                Expect::Colon => {}
            },
            None => *root_end = Some(end),
        }
    }
    for lexeme in lex::lexemes(&bytes[..stop]) {
        if root_end.is_some() && stack.is_empty() {
            break;
        }
        let end = lexeme.end;
        match lexeme.token {
            Token::Punct(b':') => {
                if let Some(top) = stack.last_mut() {
                    if top.close == b'}' {
                        top.expect = Expect::Value;
                    }
                }
            }
            Token::Punct(_) | Token::LineComment | Token::BlockComment { closed: true } => {}
            Token::Open(b) => stack.push(Open {
                close: if b == b'{' { b'}' } else { b']' },
                last_good: end,
                expect: Expect::Key,
            }),
            Token::Close(b) => {
                if stack.last().map(|t| t.close) != Some(b) {
                    break;
                }
                stack.pop();
                complete(&mut stack, &mut root_end, end);
            }
            Token::String { closed: true, .. } => complete(&mut stack, &mut root_end, end),
            // A number or literal at the very end may be cut (`tru`, `12` of `123`): only
            // count it when something follows it. A lone `/` is junk.
            Token::Word if end < stop && bytes[lexeme.start] != b'/' => {
                complete(&mut stack, &mut root_end, end)
            }
            Token::Word
            | Token::String { closed: false, .. }
            | Token::BlockComment { closed: false } => break,
        }
    }
    let cut = match stack.last() {
        Some(top) => top.last_good,
        None => root_end?,
    };
    let cut = floor_char_boundary(src, cut);
    let mut out = String::with_capacity(cut + stack.len());
    out.push_str(&src[..cut]);
    for open in stack.iter().rev() {
        out.push(open.close as char);
    }
    Some((out, cut))
}

/// The offset of the first container nested deeper than `depth` levels.
fn first_too_deep(src: &str, depth: usize) -> Option<usize> {
    let mut found = None;
    lex::walk_brackets(src.as_bytes(), |i, b, level| {
        if matches!(b, b'{' | b'[') && level > depth {
            found = Some(i);
            return false;
        }
        true
    });
    found
}

/// `src` with every container opened at level `depth` (or deeper) replaced by `0` and spaces:
/// same length, same offsets, nesting below `depth`.
fn flatten_deep(src: &str, depth: usize) -> String {
    let mut blanks: Vec<(usize, usize)> = Vec::new();
    let mut blank_from: Option<usize> = None;
    lex::walk_brackets(src.as_bytes(), |i, b, level| {
        match b {
            b'{' | b'[' if level == depth && blank_from.is_none() => blank_from = Some(i),
            b'}' | b']' if level == depth => {
                if let Some(from) = blank_from.take() {
                    blanks.push((from, i + 1));
                }
            }
            _ => {}
        }
        true
    });
    // Never closed: blank to the end.
    blanks.extend(blank_from.map(|from| (from, src.len())));
    let mut bytes = src.as_bytes().to_vec();
    for (from, to) in blanks {
        bytes[from] = b'0';
        for byte in &mut bytes[from + 1..to] {
            *byte = b' ';
        }
    }
    // Only whole ASCII-delimited ranges were overwritten with ASCII, so this is still UTF-8;
    // the lossy conversion is a no-op kept for safety.
    match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

#[cfg(test)]
mod tests;
