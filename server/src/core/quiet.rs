//! Units that cannot report anything, found without parsing them into a tree: the fast path of
//! the unit pipeline. Most calls of a log succeeded; building a tree for each of them only to
//! learn that is most of an analysis's time. A unit (a HAR entry, a Newman execution, a JSON
//! Lines line, …) that is strict JSON and shows none of the signs below gives no finding and no
//! problem when parsed, so it is not parsed.
//!
//! The test errs one way only: a sign may be a false alarm (the unit is then parsed as before),
//! never a miss. Each sign covers a superset of what extraction and the finding rules look at,
//! with keys normalised as `detect::key_is` does (case and `_`/`-` ignored):
//!
//! - a key naming an error, a failure or base64 (`_error`, `_failureText`, `requestError`, a
//!   step's or an n8n run's `error`, `errorDetails`, `base64_string`): calls that got no
//!   response, n8n's errors, bodies stored encoded (always searched when the call is a 2xx);
//! - under a key naming a status or a code (`status`, `statusCode`, `code`, `httpCode`,
//!   `http.response.status_code`, at any depth), a 3-digit integer or string the configuration
//!   treats as failing: every status extraction reads a value of that kind under such a key;
//! - a string that is `Buffer` (bytes in an array) or ends in `Error` (n8n's node errors), and a
//!   JSON object in a string under `message`, `msg` or `log` (a call logged inside a string
//!   field);
//! - a string that is `base64` (a body stored encoded) when one of the unit's strings decodes,
//!   as base64 (and gzip), to text in which `report::may_report_error` finds something: a body
//!   that does not decode is read as the text the unit already shows;
//! - what `report::may_report_error` finds in a 2xx body, looked for in the whole unit's text.
//!
//! A byte-level scanner reads the unit once and stops at the first sign. It accepts strict JSON
//! only (RFC 8259: no comments, trailing commas or single quotes, no control character in a
//! string, no lone surrogate, nesting under 128), so anything else takes the parser's path. A
//! string is decoded only when what it spells matters (a key with escapes, a short string, a
//! value under a status or record key); of a long escaped string under another key (a HAR body)
//! only the end is looked at, as only a `\u` escape can spell a letter of `Error`. It replaced a
//! `serde_json` walk that decoded every string and copied every number (`arbitrary_precision`);
//! the tests keep that walk as the oracle the scanner is checked against.

use super::body;
use super::lex;
use super::model::AnalysisConfig;
use super::report;

/// The verdicts of one configuration (which codes are failing), reused for every unit.
pub(crate) struct QuietProbe {
    /// `failing[code]` for codes 100..=999.
    failing: [bool; 1000],
    /// The kinds of keys met.
    keys: KeyMemo,
    /// `max_body_size`: how much of a body stored encoded is decoded and looked at.
    max_body: usize,
}

impl QuietProbe {
    pub(crate) fn new(config: &AnalysisConfig) -> Self {
        let mut failing = [false; 1000];
        for (code, slot) in failing.iter_mut().enumerate().skip(100) {
            *slot = u16::try_from(code).is_ok_and(|c| report::is_failing(c, config));
        }
        QuietProbe {
            failing,
            keys: KeyMemo::default(),
            max_body: config.max_body_size,
        }
    }

    /// True when parsing `unit` (one complete value) would give no finding and no problem.
    pub(crate) fn is_quiet(&mut self, unit: &str) -> bool {
        if report::raw_may_report_error(unit.as_bytes()) {
            return false;
        }
        let mut scan = Scan::new(self, unit.as_bytes(), true);
        let whole = scan.value(KeyKind::Plain, 0).is_some() && {
            scan.skip_whitespace();
            scan.at == scan.text.len()
        };
        whole && (!scan.encoded || self.encoded_strings_are_quiet(unit.as_bytes()))
    }

    /// Reads the value `bytes` starts with (a unit's opening bracket) to its end, past any sign,
    /// so that the splitter need not read it again; `None` when it is not strict JSON or does
    /// not end within `bytes`. Its `quiet` is [`QuietProbe::is_quiet`] of the value's text.
    pub(crate) fn read_unit(&mut self, bytes: &[u8]) -> Option<ReadUnit> {
        let mut scan = Scan::new(self, bytes, false);
        scan.value(KeyKind::Plain, 0)?;
        let (len, sign, encoded, depth) = (scan.at, scan.sign, scan.encoded, scan.deepest);
        let unit = &bytes[..len];
        Some(ReadUnit {
            len,
            quiet: !sign
                && !report::raw_may_report_error(unit)
                && (!encoded || self.encoded_strings_are_quiet(unit)),
            depth,
        })
    }

    /// Whether no string of `unit` (strict JSON) decodes, as a body stored in base64 would
    /// (`body::decoded_base64`), to bytes that may report an error. A string under any key: the
    /// scanner does not know which one the extraction takes for the body.
    fn encoded_strings_are_quiet(&self, unit: &[u8]) -> bool {
        // Six bytes (`errors`, the shortest word looked for) take eight base64 characters.
        const SHORTEST: usize = 2 + 8;
        lex::lexemes(unit)
            .filter(|l| matches!(l.token, lex::Token::String { .. }) && l.end - l.start >= SHORTEST)
            .all(|l| {
                let Ok(text) = serde_json::from_slice::<String>(&unit[l.start..l.end]) else {
                    return false;
                };
                body::decoded_base64(&text, self.max_body)
                    .is_none_or(|bytes| !report::raw_may_report_error(&bytes))
            })
    }

    /// True for the 3-digit text of a code the configuration treats as failing.
    fn failing_digits(&self, digits: &[u8]) -> bool {
        match *digits {
            [a @ b'1'..=b'9', b @ b'0'..=b'9', c @ b'0'..=b'9'] => {
                let code = usize::from(a - b'0') * 100 + usize::from(b - b'0') * 10;
                self.failing[code + usize::from(c - b'0')]
            }
            _ => false,
        }
    }
}

/// A unit read whole by [`QuietProbe::read_unit`].
pub(crate) struct ReadUnit {
    /// Its length in bytes.
    pub(crate) len: usize,
    pub(crate) quiet: bool,
    /// Its nesting: 1 for an object or array of scalars.
    pub(crate) depth: usize,
}

/// The kinds of the keys met, by their text, in a direct-mapped cache: a log repeats the same
/// few dozen keys, and finding a key's kind was a tenth of reading a JSON Lines log.
struct KeyMemo {
    slots: Box<[KeySlot; KEY_SLOTS]>,
}

const KEY_SLOTS: usize = 512;
/// Longer keys are not kept.
const KEPT_KEY: usize = 32;

#[derive(Clone, Copy)]
struct KeySlot {
    len: u8,
    key: [u8; KEPT_KEY],
    kind: KeyKind,
}

impl Default for KeyMemo {
    fn default() -> Self {
        let empty = KeySlot {
            // No key of this length is kept: an empty slot matches none.
            len: u8::MAX,
            key: [0; KEPT_KEY],
            kind: KeyKind::Plain,
        };
        KeyMemo {
            slots: Box::new([empty; KEY_SLOTS]),
        }
    }
}

impl KeyMemo {
    fn kind(&mut self, key: &[u8]) -> KeyKind {
        let len = key.len();
        if len > KEPT_KEY {
            return key_kind(key);
        }
        // Length, ends and middle: enough to tell a log's keys apart.
        let byte = |at: Option<&u8>| at.copied().unwrap_or(0);
        let (first, last, middle) = (byte(key.first()), byte(key.last()), byte(key.get(len / 2)));
        let hash = u32::from_le_bytes([len as u8, first, last, middle]).wrapping_mul(0x9E37_79B1);
        let slot = &mut self.slots[(hash >> 23) as usize];
        if usize::from(slot.len) == len && slot.key[..len] == *key {
            return slot.kind;
        }
        let kind = key_kind(key);
        slot.len = len as u8;
        slot.key[..len].copy_from_slice(key);
        slot.kind = kind;
        kind
    }
}

/// What a key says about its value.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum KeyKind {
    Sign,
    Status,
    /// A field whose string may hold a call's record as JSON (`exchange::embedded`).
    Record,
    Plain,
}

fn key_kind(key: &[u8]) -> KeyKind {
    // Keys are short: a longer one is taken as a sign (the unit is parsed).
    let mut buf = [0u8; 64];
    let mut n = 0;
    for &b in key {
        if b == b'_' || b == b'-' {
            continue;
        }
        if n == buf.len() {
            return KeyKind::Sign;
        }
        buf[n] = b.to_ascii_lowercase();
        n += 1;
    }
    let key = &buf[..n];
    // One pass: a sign word anywhere decides; a status word decides unless a sign follows.
    let mut status = false;
    for at in 0..key.len() {
        let rest = &key[at..];
        match rest[0] {
            b'e' if rest.starts_with(b"error") => return KeyKind::Sign,
            b'f' if rest.starts_with(b"fail") => return KeyKind::Sign,
            b'b' if rest.starts_with(b"base64") => return KeyKind::Sign,
            b's' if rest.starts_with(b"status") => status = true,
            b'c' if rest.starts_with(b"code") => status = true,
            _ => {}
        }
    }
    if status {
        KeyKind::Status
    } else if matches!(key, b"message" | b"msg" | b"log") {
        KeyKind::Record
    } else {
        KeyKind::Plain
    }
}

/// A string value that is a sign whatever its key.
fn string_is_sign(s: &[u8]) -> bool {
    s.eq_ignore_ascii_case(b"buffer") || s.ends_with(b"Error")
}

/// A string value that says a body is stored in base64 (HAR's `encoding`).
fn names_base64(s: &[u8]) -> bool {
    s.eq_ignore_ascii_case(b"base64")
}

/// A string value that is a sign under a key of this kind.
fn value_is_sign(probe: &QuietProbe, key: KeyKind, s: &[u8]) -> bool {
    let telling = match key {
        KeyKind::Status => probe.failing_digits(s),
        // As `str::trim_start` (the extraction's) trims: any Unicode whitespace.
        KeyKind::Record => std::str::from_utf8(s).map_or(true, |t| t.trim_start().starts_with('{')),
        KeyKind::Sign | KeyKind::Plain => false,
    };
    telling || string_is_sign(s)
}

/// Containers nested deeper than this are not scanned (`serde_json`'s limit).
const MAX_DEPTH: usize = 128;
/// An escaped string at most this long is decoded whatever its key: it may spell `Buffer` or
/// `base64` (6 characters, each at most 12 bytes escaped as a surrogate pair).
const DECODED_UP_TO: usize = 72;

/// One string token, read and checked.
struct RawString {
    /// The text between the quotes.
    start: usize,
    end: usize,
    /// Where the last escape ends, if any, and whether it was `\u`.
    last_escape: Option<(usize, bool)>,
}

/// `None` from any step: text that is not strict JSON, or a sign when stopping at signs.
struct Scan<'a> {
    probe: &'a mut QuietProbe,
    text: &'a [u8],
    at: usize,
    /// Decoded strings, reused.
    scratch: Vec<u8>,
    /// Stop at the first sign (a unit known to be one value), else note it and read on.
    stop_at_sign: bool,
    sign: bool,
    /// A string `base64` was met: a body may be stored encoded.
    encoded: bool,
    /// The deepest nesting met.
    deepest: usize,
}

impl<'a> Scan<'a> {
    fn new(probe: &'a mut QuietProbe, text: &'a [u8], stop_at_sign: bool) -> Self {
        Scan {
            probe,
            text,
            at: 0,
            scratch: Vec::new(),
            stop_at_sign,
            sign: false,
            encoded: false,
            deepest: 0,
        }
    }

    /// A sign: `None` when stopping at signs.
    fn sign(&mut self) -> Option<()> {
        self.sign = true;
        (!self.stop_at_sign).then_some(())
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.text.get(self.at) {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.text.get(self.at) == Some(&byte)).then(|| self.at += 1)
    }

    /// One value under a key of kind `key` (array elements inherit their array's).
    fn value(&mut self, key: KeyKind, depth: usize) -> Option<()> {
        self.skip_whitespace();
        match *self.text.get(self.at)? {
            b'{' => self.object(depth + 1),
            b'[' => self.array(key, depth + 1),
            b'"' => {
                let raw = self.string()?;
                if self.string_is_quiet(key, &raw) {
                    Some(())
                } else {
                    self.sign()
                }
            }
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            _ => self.number(key),
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        self.text[self.at..]
            .starts_with(word)
            .then(|| self.at += word.len())
    }

    fn object(&mut self, depth: usize) -> Option<()> {
        if depth >= MAX_DEPTH {
            return None;
        }
        self.deepest = self.deepest.max(depth);
        self.at += 1;
        self.skip_whitespace();
        if self.eat(b'}').is_some() {
            return Some(());
        }
        loop {
            self.skip_whitespace();
            let key = self.string()?;
            let kind = match key.last_escape {
                None => {
                    let text: &'a [u8] = self.text;
                    self.probe.keys.kind(&text[key.start..key.end])
                }
                Some(_) => {
                    self.decode(&key)?;
                    key_kind(&self.scratch)
                }
            };
            if kind == KeyKind::Sign {
                self.sign()?;
            }
            self.skip_whitespace();
            self.eat(b':')?;
            // Inside an object under a status key (a cassette's `{"code": 403}`), its own keys
            // count.
            self.value(kind, depth)?;
            self.skip_whitespace();
            if self.eat(b',').is_none() {
                return self.eat(b'}');
            }
        }
    }

    fn array(&mut self, key: KeyKind, depth: usize) -> Option<()> {
        if depth >= MAX_DEPTH {
            return None;
        }
        self.deepest = self.deepest.max(depth);
        self.at += 1;
        self.skip_whitespace();
        if self.eat(b']').is_some() {
            return Some(());
        }
        loop {
            self.value(key, depth)?;
            self.skip_whitespace();
            if self.eat(b',').is_none() {
                return self.eat(b']');
            }
        }
    }

    /// A number, checked against the JSON grammar; under a status key, a failing code is a
    /// sign (a status's text is exactly its three digits: no sign, fraction or exponent).
    fn number(&mut self, key: KeyKind) -> Option<()> {
        let number = lex::json_number(self.text, self.at)?;
        let unsigned = number.int.0 == self.at;
        self.at = number.end;
        let (int, int_end) = number.int;
        if key == KeyKind::Status
            && number.whole
            && unsigned
            && self.probe.failing_digits(&self.text[int..int_end])
        {
            return self.sign();
        }
        Some(())
    }

    /// Reads a string token (the scanner at its opening quote), checking its escapes.
    fn string(&mut self) -> Option<RawString> {
        self.eat(b'"')?;
        let start = self.at;
        let mut last_escape = None;
        loop {
            self.at = lex::plain_string_run(self.text, self.at);
            match *self.text.get(self.at)? {
                b'"' => {
                    let end = self.at;
                    self.at += 1;
                    return Some(RawString {
                        start,
                        end,
                        last_escape,
                    });
                }
                b'\\' => {
                    self.at += 1;
                    let unicode = self.escape()?;
                    last_escape = Some((self.at, unicode));
                }
                _ => return None,
            }
        }
    }

    /// One escape after its backslash; true for `\u`.
    fn escape(&mut self) -> Option<bool> {
        let (_, len) = lex::json_escape(self.text, self.at - 1)?;
        let unicode = self.text[self.at] == b'u';
        self.at += len - 1;
        Some(unicode)
    }

    fn string_is_quiet(&mut self, key: KeyKind, raw: &RawString) -> bool {
        let Some((escape_end, unicode)) = raw.last_escape else {
            let text: &'a [u8] = self.text;
            return self.plain_value_is_quiet(key, &text[raw.start..raw.end]);
        };
        let long = raw.end - raw.start > DECODED_UP_TO;
        if long && matches!(key, KeyKind::Plain | KeyKind::Sign) {
            // Too long to be `Buffer` or `base64`: only its end can be a sign. After the last
            // escape the text is as written; before it, only a `\u` can spell a letter.
            let tail = &self.text[escape_end..raw.end];
            let sign =
                tail.ends_with(b"Error") || (unicode && tail.len() < 5 && b"Error".ends_with(tail));
            return !sign;
        }
        if self.decode(raw).is_none() {
            return false;
        }
        let decoded = std::mem::take(&mut self.scratch);
        let quiet = self.plain_value_is_quiet(key, &decoded);
        self.scratch = decoded;
        quiet
    }

    /// A string value's verdict from its text, noting a `base64`.
    fn plain_value_is_quiet(&mut self, key: KeyKind, s: &[u8]) -> bool {
        self.encoded |= names_base64(s);
        !value_is_sign(self.probe, key, s)
    }

    /// Decodes a checked string token into `scratch`.
    fn decode(&mut self, raw: &RawString) -> Option<()> {
        self.scratch.clear();
        let text = self.text.get(raw.start..raw.end)?;
        let mut at = 0;
        while let Some(slash) = memchr::memchr(b'\\', text.get(at..)?) {
            self.scratch.extend_from_slice(text.get(at..at + slash)?);
            let (c, len) = lex::json_escape(text, at + slash)?;
            self.scratch
                .extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
            at += slash + len;
        }
        self.scratch.extend_from_slice(text.get(at..)?);
        Some(())
    }
}

#[cfg(test)]
mod tests;
