//! Finding the HTTP calls in a parsed tree: one iterative pass that recognises each exchange by
//! its status field and gathers its spans, request, response headers, body and run. Secrets are
//! redacted here, at extraction, so nothing downstream ever holds them.

mod body_ref;
mod call;
mod embedded;
mod formats;
mod n8n;
mod request;
#[cfg(test)]
mod tests;
mod truncation;
mod walk;

use super::detect::{self, Shape};
use super::model::{Exchange, Run, Span, Unit, UnitKind};
use super::parse::Piece;
use super::redact;
use call::exchange_in;
use formats::{extract_har, extract_newman, har_entry};
use jsonc_parser::ast::{ObjectPropName, Value};
use std::cell::RefCell;
use std::collections::HashMap;
use walk::walk;

/// Cap on headers read per header list (a pathological log must not cost unbounded work).
const MAX_HEADERS: usize = 500;

/// What extraction found in one or more trees (JSON Lines: one tree per line).
#[derive(Debug, Default)]
pub struct Extracted {
    pub exchanges: Vec<Exchange>,
    pub runs: Vec<Run>,
    /// The shape of the first tree that held exchanges.
    pub shape: Option<Shape>,
    /// The parts that can be re-analysed alone (see `model::Units`), in text order.
    pub(crate) units: Vec<Unit>,
    /// HAR page ids with their run index (recorded with the units).
    pub(crate) pages: Vec<(String, usize)>,
    /// `is_secret_name` answers by header name: logs repeat the same few names thousands of
    /// times, and the answer never changes within one analysis.
    secret_names: RefCell<Memo>,
}

/// FNV-1a: header names are short, and SipHash's DoS resistance buys nothing for a bounded memo.
#[derive(Default)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type Memo = HashMap<String, bool, std::hash::BuildHasherDefault<Fnv>>;

/// Bound on the memo above (a log with unbounded distinct header names must not grow it).
const MAX_MEMO: usize = 4096;

/// Extracts every exchange of `root` (a tree placed in `text` by `piece`: the text its spans
/// index) into `out`, in text order. `redact_extra` is the user's `runlog.redact`.
pub fn extract(
    root: &Value<'_>,
    piece: &Piece,
    text: &str,
    redact_extra: &[String],
    out: &mut Extracted,
) {
    extract_as(root, detect::shape(root), piece, text, redact_extra, out);
}

/// [`extract`] with the shape given: that of the whole document, for one of its parts wrapped
/// in a copy of its path (`analysis::units`), whose own keys would not tell it.
pub(crate) fn extract_as(
    root: &Value<'_>,
    shape: Shape,
    piece: &Piece,
    text: &str,
    redact_extra: &[String],
    out: &mut Extracted,
) {
    let memo = std::mem::take(&mut out.secret_names);
    let cx = Cx {
        piece,
        text,
        extra: redact_extra,
        secret_names: memo,
        // A JSON Lines line is one unit as a whole; a document's units are its calls.
        record_units: piece.clean && piece.line.is_none(),
    };
    let before = out.exchanges.len();
    let runs_before = out.runs.len();
    match shape {
        Shape::Negative => {}
        Shape::Har => extract_har(root, &cx, out),
        Shape::Newman => extract_newman(root, &cx, out),
        Shape::Integration | Shape::Generic | Shape::Cassette => walk(root, shape, &cx, out),
    }
    if out.exchanges.len() > before && out.shape.is_none() {
        out.shape = Some(shape);
    }
    if let (Some(line), true, Value::Object(_) | Value::Array(_)) = (piece.line, piece.clean, root)
    {
        out.units.push(Unit {
            span: cx.span(root),
            kind: UnitKind::Line(line),
            exchanges: before..out.exchanges.len(),
            runs: runs_before..out.runs.len(),
        });
    }
    out.secret_names = cx.secret_names;
}

/// Extracts the exchange of one unit of a document (`root` is the unit's object, parsed alone
/// and placed in `text` by `piece`) as `extract` did when it met the object inside the whole
/// tree, `place` saying where it sat. JSON Lines lines go through `extract`.
pub(crate) fn extract_unit(
    root: &Value<'_>,
    piece: &Piece,
    text: &str,
    place: UnitPlace<'_>,
    redact_extra: &[String],
    out: &mut Extracted,
) {
    let UnitPlace { kind, run, pages } = place;
    let Value::Object(obj) = root else { return };
    let cx = Cx {
        piece,
        text,
        extra: redact_extra,
        secret_names: std::mem::take(&mut out.secret_names),
        record_units: false,
    };
    let found = match kind {
        UnitKind::Line(_) => None,
        UnitKind::HarEntry => har_entry(obj, pages, &cx),
        // A unit's parent key is never `response`/`res`, the only keys `exchange_in` asks
        // about; it stays inside the same run, since the edit was strictly inside it.
        UnitKind::Exchange => exchange_in(obj, None, &cx).map(|ex| Exchange { run, ..ex }),
    };
    out.exchanges.extend(found);
    out.secret_names = cx.secret_names;
}

/// Where a unit sat in the previous analysis.
pub(crate) struct UnitPlace<'a> {
    pub kind: UnitKind,
    /// The run the unit's exchange belonged to.
    pub run: Option<usize>,
    /// HAR page ids with their run index, for an entry's `pageref`.
    pub pages: &'a [(String, usize)],
}

/// Records the unit of an exchange just pushed to `out` (the object `span` recorded it).
pub(crate) fn push_exchange_unit(out: &mut Extracted, kind: UnitKind) {
    let index = out.exchanges.len() - 1;
    out.units.push(Unit {
        span: out.exchanges[index].span,
        kind,
        exchanges: index..index + 1,
        runs: out.runs.len()..out.runs.len(),
    });
}

pub(super) struct Cx<'p> {
    piece: &'p Piece,
    /// The text `piece`'s spans index (a string's escapes are read there).
    text: &'p str,
    extra: &'p [String],
    secret_names: RefCell<Memo>,
    /// Record each exchange's object as a unit (a clean document).
    record_units: bool,
}

impl Cx<'_> {
    /// The header value to keep: redacted when the name is a secret's.
    fn header_value(&self, name: &str, value: String) -> String {
        let known = self.secret_names.borrow().get(name).copied();
        let secret = match known {
            Some(s) => s,
            None => {
                let s = redact::is_secret_name(name, self.extra);
                let mut memo = self.secret_names.borrow_mut();
                if memo.len() >= MAX_MEMO {
                    memo.clear();
                }
                memo.insert(name.to_string(), s);
                s
            }
        };
        if secret {
            redact::redact_header_value(name, &value, self.extra)
        } else {
            value
        }
    }

    fn span(&self, value: &Value<'_>) -> Span {
        self.piece.span(value_range(value))
    }
}

pub(super) fn value_range(value: &Value<'_>) -> jsonc_parser::common::Range {
    match value {
        Value::StringLit(v) => v.range,
        Value::NumberLit(v) => v.range,
        Value::BooleanLit(v) => v.range,
        Value::Object(v) => v.range,
        Value::Array(v) => v.range,
        Value::NullKeyword(v) => v.range,
    }
}

pub(super) fn name_range(name: &ObjectPropName<'_>) -> jsonc_parser::common::Range {
    match name {
        ObjectPropName::String(lit) => lit.range,
        ObjectPropName::Word(lit) => lit.range,
    }
}
/// A string, number or boolean as text.
pub(super) fn scalar_text(v: &Value<'_>) -> Option<String> {
    match v {
        Value::StringLit(s) if !s.value.is_empty() => Some(s.value.to_string()),
        Value::NumberLit(n) => Some(n.value.to_string()),
        Value::BooleanLit(b) => Some(b.value.to_string()),
        _ => None,
    }
}
