//! The byte-level splitter: strings, escapes, comments, nesting and the keys of the first two
//! levels; it cuts units (or JSON Lines lines) and keeps the text outside them as the skeleton.

use super::input::Input;
use super::{Inexact, Located, UnitView, MAX_DEPTH, MAX_SKELETON, MAX_UNIT};
use crate::core::detect::{self, Shape};
use crate::core::model::{Exchange, Finding, Span};
use crate::core::quiet::QuietProbe;
use std::collections::VecDeque;
use std::io::Read;

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
pub(super) enum Lex {
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
pub(super) struct Frame {
    open: u8,
    /// The current property's key token, as a range of the skeleton (first two levels only).
    key: Option<(usize, usize)>,
    /// This array's container elements are units (index into `Splitter::arrays`).
    array: Option<usize>,
}

/// An array whose elements are cut as units, and what its units gave.
pub(super) struct UnitArray<L> {
    /// Offset of its `[` in the skeleton.
    pub(super) skeleton_at: usize,
    /// `Some` for `log.entries` (Har) and `run.executions` (Newman); `None` for root-level arrays
    /// and a root array.
    pub(super) nested: Option<Shape>,
    /// A root-level `runs`/`executions`/`jobs`.
    pub(super) run_array: bool,
    /// The path around a unit (`{"runs":[`) and its closing (`]}`).
    pub(super) prefix: String,
    pub(super) suffix: String,
    pub(super) items: Vec<Item<L>>,
    pub(super) calls: usize,
    pub(super) kept_calls: usize,
    pub(super) first_omitted: Option<(Span, L)>,
    pub(super) exchanges: usize,
    pub(super) units: usize,
}

impl<L> UnitArray<L> {
    pub(super) fn new(
        nested: Option<Shape>,
        run_array: bool,
        prefix: String,
        suffix: String,
    ) -> Self {
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

pub(super) struct Item<L> {
    pub(super) located: Located<L>,
    /// A parse problem or note (never capped), not a call.
    pub(super) problem: bool,
}

/// A unit cut but not yet analysed (waiting for its context after it to be read).
#[derive(Debug, Clone, Copy)]
pub(super) struct Pending {
    pub(super) start: usize,
    /// End of the unit's text (for a line: before `\r\n`).
    pub(super) end: usize,
    pub(super) array: usize,
    pub(super) line: Option<usize>,
    /// False for a unit cut by the end of the input.
    pub(super) complete: bool,
    /// Whether it is quiet, when the splitter read it with the quiet scanner
    /// (`Splitter::read_unit_whole`).
    pub(super) quiet: Option<bool>,
}

/// A unit being read.
#[derive(Debug, Clone, Copy)]
pub(super) struct OpenUnit {
    pub(super) start: usize,
    pub(super) depth: usize,
    pub(super) array: usize,
    /// Over `MAX_UNIT`: read past, not kept.
    pub(super) skipping: bool,
}

pub(super) struct Splitter<L> {
    pub(super) lex: Lex,
    pub(super) stack: Vec<Frame>,
    pub(super) unit: Option<OpenUnit>,
    pub(super) pending: VecDeque<Pending>,
    pub(super) arrays: Vec<UnitArray<L>>,
    pub(super) skeleton: Vec<u8>,
    /// First byte not yet copied to the skeleton (outside units).
    pub(super) skeleton_from: usize,
    /// Skeleton range of the last string token, while it may still be a key.
    pub(super) last_string: Option<(usize, usize)>,
    pub(super) string_start: Option<usize>,
    pub(super) inexact: Option<Inexact>,
    /// The splitter cannot go on (broken structure, overflowing skeleton).
    pub(super) stopped: bool,
    pub(super) notes: Vec<Located<L>>,
    pub(super) units: usize,
    /// Units not parsed (`core::quiet`).
    pub(super) quiet: usize,
    /// Units read whole by the quiet scanner (`read_unit_whole`).
    pub(super) read_whole: usize,
    /// The units cut, kept when only cutting (`stream::cut`).
    pub(super) cut: Option<Vec<Pending>>,
    /// The deepest nesting met.
    pub(super) deepest: usize,
}

impl<L> Splitter<L> {
    fn skeleton_at(&self, abs: usize) -> usize {
        self.skeleton.len() + abs.saturating_sub(self.skeleton_from)
    }

    /// Copies the text outside units up to `to` into the skeleton.
    pub(super) fn copy_skeleton<R: Read>(&mut self, input: &Input<R>, to: usize) {
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
                let shape = detect::CALL_ARRAYS
                    .iter()
                    .find(|(_, outer, inner)| plain(k1, outer) && plain(k2, inner))
                    .map(|&(shape, _, _)| shape)?;
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
    pub(super) fn split_document<R: Read>(
        &mut self,
        input: &mut Input<R>,
        mut at: usize,
        locate: &mut Option<impl FnMut(&Finding, Option<&Exchange>, &UnitView<'_>) -> L>,
        mut probe: Option<&mut QuietProbe>,
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
                            let whole = probe.as_deref_mut();
                            if let Some(end) =
                                whole.and_then(|p| self.read_unit_whole(input, at, p))
                            {
                                at = end;
                                continue;
                            }
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
        self.deepest = self.deepest.max(self.stack.len());
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
                        quiet: None,
                    });
                }
            }
        }
        true
    }

    /// A unit that has just opened at `at`, read whole by the quiet scanner when it lies in the
    /// buffer as strict JSON (nearly always): it is then cut as `close` would cut it, with its
    /// verdict, and its bytes are not walked again. Returns where it ends.
    fn read_unit_whole<R: Read>(
        &mut self,
        input: &Input<R>,
        at: usize,
        probe: &mut QuietProbe,
    ) -> Option<usize> {
        let unit = self.unit.filter(|u| u.start == at && !u.skipping)?;
        let read = probe.read_unit(&input.buf[at - input.base..input.valid])?;
        // A unit too big to keep is skipped by the walk. (The scanner reads 128 levels at most,
        // far from the splitter's limit.)
        if read.len > MAX_UNIT {
            return None;
        }
        let end = at + read.len;
        self.read_whole += 1;
        self.stack.pop();
        self.deepest = self.deepest.max(unit.depth + read.depth);
        self.unit = None;
        self.skeleton_from = end;
        self.pending.push_back(Pending {
            start: at,
            end,
            array: unit.array,
            line: None,
            complete: true,
            quiet: Some(read.quiet),
        });
        Some(end)
    }

    /// Cuts the lines held in `input` from `at`; returns where it stopped.
    pub(super) fn split_lines<R: Read>(
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

    pub(super) fn push_line<R: Read>(
        &mut self,
        input: &Input<R>,
        start: usize,
        end: usize,
        line_no: usize,
    ) {
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
            quiet: None,
        });
    }
}
