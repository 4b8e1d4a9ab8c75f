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
//! - a string that is `Buffer` or `base64` (encoded bodies) or ends in `Error` (n8n's node
//!   errors), and a JSON object in a string under `message`, `msg` or `log` (a call logged
//!   inside a string field);
//! - what `report::may_report_error` finds in a 2xx body, looked for in the whole unit's text.
//!
//! `serde_json` walks the unit (strings decoded, so escapes hide nothing) and stops at the first
//! sign; it accepts strict JSON only, so JSONC (comments, trailing commas, single quotes) and
//! anything else it rejects (a lone surrogate, nesting over 128) takes the parser's path.

use super::model::AnalysisConfig;
use super::report;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// The verdicts of one configuration (which codes are failing), reused for every unit.
pub(crate) struct QuietProbe {
    /// `failing[code]` for codes 100..=999.
    failing: [bool; 1000],
}

impl QuietProbe {
    pub(crate) fn new(config: &AnalysisConfig) -> Self {
        let mut failing = [false; 1000];
        for (code, slot) in failing.iter_mut().enumerate().skip(100) {
            *slot = u16::try_from(code).is_ok_and(|c| report::is_failing(c, config));
        }
        QuietProbe { failing }
    }

    /// True when parsing `unit` (one complete value) would give no finding and no problem.
    pub(crate) fn is_quiet(&self, unit: &str) -> bool {
        if report::raw_may_report_error(unit) {
            return false;
        }
        let mut de = serde_json::Deserializer::from_str(unit);
        Walk {
            probe: self,
            key: KeyKind::Plain,
        }
        .deserialize(&mut de)
        .and_then(|()| de.end())
        .is_ok()
    }

    fn failing(&self, code: u64) -> bool {
        usize::try_from(code).is_ok_and(|c| (100..1000).contains(&c) && self.failing[c])
    }
}

/// What a key says about its value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    Sign,
    Status,
    /// A field whose string may hold a call's record as JSON (`exchange::embedded`).
    Record,
    Plain,
}

fn key_kind(key: &str) -> KeyKind {
    // Keys are short: a longer one is taken as a sign (the unit is parsed).
    let mut buf = [0u8; 64];
    let mut n = 0;
    for &b in key.as_bytes() {
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
    let has = |w: &[u8]| key.windows(w.len()).any(|k| k == w);
    if has(b"error") || has(b"fail") || has(b"base64") {
        KeyKind::Sign
    } else if has(b"status") || has(b"code") {
        KeyKind::Status
    } else if matches!(key, b"message" | b"msg" | b"log") {
        KeyKind::Record
    } else {
        KeyKind::Plain
    }
}

/// A string value that is a sign whatever its key.
fn string_is_sign(s: &str) -> bool {
    s.eq_ignore_ascii_case("buffer") || s.eq_ignore_ascii_case("base64") || s.ends_with("Error")
}

/// Walks one value; `Err` at the first sign (or when the text is not strict JSON).
#[derive(Clone, Copy)]
struct Walk<'p> {
    probe: &'p QuietProbe,
    /// The key the value sits under (`Plain` for array elements and the unit itself).
    key: KeyKind,
}

/// The error that stops the walk at a sign.
fn sign<E: de::Error>() -> E {
    E::custom("may report")
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    /// A whole non-negative integer; a status's text is exactly its three digits, which only
    /// an integer of 100..=999 has (strict JSON has no leading zeros).
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        if self.key == KeyKind::Status && self.probe.failing(v) {
            return Err(sign());
        }
        Ok(())
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<(), E> {
        let telling = match self.key {
            KeyKind::Status => {
                s.len() == 3
                    && s.bytes().all(|b| b.is_ascii_digit())
                    && s.parse().is_ok_and(|c| self.probe.failing(c))
            }
            KeyKind::Record => s.trim_start().starts_with('{'),
            KeyKind::Sign | KeyKind::Plain => false,
        };
        if telling || string_is_sign(s) {
            return Err(sign());
        }
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(self)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key_seed(Key)? {
            if key == KeyKind::Sign {
                return Err(sign());
            }
            // Inside an object under a status key (a cassette's `{"code": 403}`), its own
            // keys count.
            map.next_value_seed(Walk {
                probe: self.probe,
                key,
            })?;
        }
        Ok(())
    }
}

/// Reads a key without keeping it.
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = KeyKind;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<KeyKind, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = KeyKind;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<KeyKind, E> {
        Ok(key_kind(s))
    }
}

#[cfg(test)]
mod tests;
