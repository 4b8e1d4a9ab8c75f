//! The calls of a log read unit by unit, without a tree of the whole log: the streaming
//! splitter cuts the text, and the text around the units (the skeleton) is parsed for the shape.
//! Where a format keeps its calls in one array (HAR `log.entries`, Newman `run.executions`:
//! `detect::CALL_ARRAYS`), the skeleton also gives the runs (HAR pages, Newman's run) and every
//! call goes through `exchange::extract_unit`, as an edit inside it does; the elements of one
//! root-level array (an integration run log's runs) or of a root array are each parsed wrapped
//! in a copy of their path. `None` whenever the result could differ from what the whole tree
//! gives; `analyze` then parses the whole tree.

use crate::core::detect::{self, get, get_object, Shape};
use crate::core::exchange::{self, Extracted, UnitPlace};
use crate::core::model::{AnalysisConfig, Span, UnitKind};
use crate::core::parse::{self, Piece};
use crate::core::stream;
use jsonc_parser::ast::Value;

/// The calls of `text` found unit by unit, when its format keeps them in one array and the cut
/// is exact.
pub(super) fn by_units(text: &str, config: &AnalysisConfig) -> Option<Extracted> {
    let cut = stream::cut(text, config)?;
    let Ok(Some(root)) = parse::parse_str(&cut.skeleton) else {
        return None;
    };
    let Some(shape) = cut.nested else {
        return by_wrapped_units(text, config, &cut, &root);
    };
    let kind = match shape {
        Shape::Har => UnitKind::HarEntry,
        Shape::Newman => UnitKind::Exchange,
        _ => return None,
    };
    let (outer, inner) = shape.call_array()?;
    // The units are the calls of this very tree (the shape is read from the top-level keys and
    // the array of calls, which the skeleton keeps).
    let array_at = match get(get_object(root.as_object()?, outer)?, inner) {
        Some(Value::Array(calls)) => calls.range.start,
        _ => return None,
    };
    if detect::shape(&root) != shape || array_at != cut.array_at {
        return None;
    }
    // The runs (the skeleton's calls are `0`s, never calls), moved to the text.
    let mut out = around_units(&root, &cut, config);
    if !out.exchanges.is_empty() {
        return None;
    }
    let to_text = SkeletonMap::new(&cut.units);
    for run in &mut out.runs {
        run.span = to_text.span(run.span);
        run.name_span = to_text.span(run.name_span);
    }
    let pages = std::mem::take(&mut out.pages);
    // Newman's calls belong to its one run.
    let run = (kind == UnitKind::Exchange && out.runs.len() == 1).then_some(0);
    for unit in &cut.units {
        let before = out.exchanges.len();
        let clean = parse::parse_clean(&text[unit.start..unit.end], unit.start, |call, piece| {
            let place = UnitPlace {
                kind,
                run,
                pages: &pages,
            };
            exchange::extract_unit(call, piece, text, place, &config.redact, &mut out);
        });
        if !clean {
            return None;
        }
        if out.exchanges.len() > before {
            exchange::push_exchange_unit(&mut out, kind);
        }
    }
    if !out.exchanges.is_empty() {
        out.shape = Some(shape);
    }
    out.pages = pages;
    Some(out)
}

/// The calls of a document whose units are the elements of one root-level array (an
/// integration run log's `runs`, any `{"calls": [...]}`) or of a root array: each unit is parsed
/// wrapped in a copy of its path, so that the generic pass sees it where it sits (at its depth,
/// in its run array, with the document's shape), and its spans land on the text.
fn by_wrapped_units(
    text: &str,
    config: &AnalysisConfig,
    cut: &stream::Cut,
    root: &Value<'_>,
) -> Option<Extracted> {
    let shape = detect::shape(root);
    if !matches!(shape, Shape::Integration | Shape::Generic | Shape::Cassette) {
        return None;
    }
    // Nothing around the units: every call and run is in them.
    let mut out = around_units(root, cut, config);
    if !out.exchanges.is_empty() || !out.runs.is_empty() {
        return None;
    }
    let mut scratch = String::new();
    let path = (cut.prefix.as_str(), cut.suffix.as_str());
    for unit in &cut.units {
        let unit_text = &text[unit.start..unit.end];
        let base = stream::wrapped_start(path.0, unit.start)?;
        let wrapped = stream::wrapped(path, unit_text, true, &mut scratch);
        let clean = parse::parse_clean(wrapped, base, |wrapper, piece| {
            exchange::extract_as(wrapper, shape, piece, text, &config.redact, &mut out);
        });
        if !clean {
            return None;
        }
    }
    Some(out)
}

/// What the skeleton (`root`, parsed) holds around the units, with the skeleton's offsets.
fn around_units(root: &Value<'_>, cut: &stream::Cut, config: &AnalysisConfig) -> Extracted {
    let mut out = Extracted::default();
    let piece = Piece {
        base: 0,
        end: cut.skeleton.len(),
        line: None,
        clean: true,
    };
    exchange::extract(root, &piece, &cut.skeleton, &config.redact, &mut out);
    out
}

/// Offsets of the skeleton as offsets of the text: each unit is one `0` in the skeleton.
struct SkeletonMap {
    /// Where each unit's `0` is in the skeleton.
    at: Vec<usize>,
    /// Bytes the skeleton lacks before each unit's `0`, and after the last (one more entry).
    lacking: Vec<usize>,
}

impl SkeletonMap {
    fn new(units: &[Span]) -> Self {
        let mut at = Vec::with_capacity(units.len());
        let mut lacking = Vec::with_capacity(units.len() + 1);
        let mut total = 0;
        for u in units {
            at.push(u.start - total);
            lacking.push(total);
            total += u.len() - 1;
        }
        lacking.push(total);
        SkeletonMap { at, lacking }
    }

    fn offset(&self, skeleton: usize) -> usize {
        // Units whose `0` lies before `skeleton` (a span ending just after a `0` ends after its
        // unit).
        let before = self.at.partition_point(|&at| at < skeleton);
        skeleton + self.lacking[before]
    }

    fn span(&self, span: Span) -> Span {
        Span::new(self.offset(span.start), self.offset(span.end))
    }
}

#[cfg(test)]
mod tests;
