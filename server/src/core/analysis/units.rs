//! The calls of a HAR from its entries, each parsed alone, without a tree of the whole log: the
//! streaming splitter cuts the text, the text around the entries (the skeleton) is parsed for
//! the shape and the pages, and every entry goes through `exchange::extract_unit`, as an edit
//! inside it does. `None` whenever the result could differ from what the whole tree gives;
//! `analyze` then parses the whole tree.

use crate::core::detect::{self, get, get_object, Shape};
use crate::core::exchange::{self, Extracted, UnitPlace};
use crate::core::model::{AnalysisConfig, UnitKind};
use crate::core::parse::{self, Piece};
use crate::core::stream;
use jsonc_parser::ast::Value;
use memchr::memmem;

/// The calls of `text` found entry by entry, when it is a HAR whose cut is exact.
pub(super) fn har_by_entries(text: &str, config: &AnalysisConfig) -> Option<Extracted> {
    // Cutting costs a pass over the text: only for what may be a HAR.
    if !text.trim_start().starts_with('{')
        || memmem::find(text.as_bytes(), b"\"entries\"").is_none()
    {
        return None;
    }
    let cut = stream::cut(text, config)?;
    if cut.shape != Shape::Har {
        return None;
    }
    let Ok(Some(root)) = parse::parse_str(&cut.skeleton) else {
        return None;
    };
    // The units are the entries of this very tree (the shape is read from the top-level keys
    // and `log.entries`, which the skeleton keeps).
    let entries_at = match get(get_object(root.as_object()?, "log")?, "entries") {
        Some(Value::Array(entries)) => entries.range.start,
        _ => return None,
    };
    if detect::shape(&root) != Shape::Har || entries_at != cut.array_at {
        return None;
    }
    let mut out = Extracted::default();
    let piece = Piece {
        base: 0,
        end: cut.skeleton.len(),
        line: None,
        clean: true,
    };
    // The pages (the skeleton's entries are `0`s, never calls).
    exchange::extract(&root, &piece, &cut.skeleton, &config.redact, &mut out);
    // Up to the first entry the skeleton is the text: the pages' spans are the text's.
    let first = cut.units.first().map_or(cut.skeleton.len(), |u| u.start);
    if !out.exchanges.is_empty() || out.runs.iter().any(|r| r.span.end > first) {
        return None;
    }
    let pages = std::mem::take(&mut out.pages);
    for unit in &cut.units {
        let before = out.exchanges.len();
        let clean = parse::parse_clean(&text[unit.start..unit.end], unit.start, |entry, piece| {
            let place = UnitPlace {
                kind: UnitKind::HarEntry,
                run: None,
                pages: &pages,
            };
            exchange::extract_unit(entry, piece, text, place, &config.redact, &mut out);
        });
        if !clean {
            return None;
        }
        if out.exchanges.len() > before {
            exchange::push_exchange_unit(&mut out, UnitKind::HarEntry);
        }
    }
    if !out.exchanges.is_empty() {
        out.shape = Some(Shape::Har);
    }
    out.pages = pages;
    Some(out)
}
