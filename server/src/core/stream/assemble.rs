//! The end of a stream: the skeleton says which arrays' units count (and whether the result is
//! exact), and their findings are merged in text order and capped like `analyze`'s.

use super::split::Splitter;
use super::{Inexact, Located, Streamed};
use crate::core::analysis;
use crate::core::detect::{self, get, get_object, Shape};
use crate::core::exchange::{self, Extracted};
use crate::core::model::{AnalysisConfig, FindingKind, Format, Span};
use crate::core::parse::{self, Piece};

impl<L> Splitter<L> {
    /// Which arrays' units `analyze` would have taken calls from, learnt from the skeleton;
    /// with the format. Sets `inexact` when that cannot be known.
    fn choose(&mut self, config: &AnalysisConfig) -> (Option<Format>, Vec<usize>) {
        if self.inexact.is_none() {
            let bytes = std::mem::take(&mut self.skeleton);
            let skeleton = std::str::from_utf8(&bytes).unwrap_or_default();
            match parse::parse_str(skeleton) {
                Ok(Some(root)) => {
                    let mut outside = Extracted::default();
                    let piece = Piece {
                        base: 0,
                        end: skeleton.len(),
                        line: None,
                        clean: true,
                    };
                    exchange::extract(&root, &piece, skeleton, &config.redact, &mut outside);
                    if !outside.exchanges.is_empty() {
                        self.inexact =
                            Some(Inexact::Layout("it has calls outside arrays of calls"));
                    } else {
                        return self.chosen_by_shape(&root);
                    }
                }
                Ok(None) => return (None, Vec::new()),
                Err(_) => {
                    self.inexact = Some(Inexact::Layout(
                        "the JSON around its arrays of calls is not valid",
                    ))
                }
            }
        }
        // Not exact: the arrays the splitter's paths suggest, unless the text outside them
        // shows a document that holds status codes as data (OpenAPI, JSON Schema, Postman).
        if looks_negative(&self.skeleton) {
            return (None, Vec::new());
        }
        if let Some(i) = self
            .arrays
            .iter()
            .position(|a| a.nested.is_some() && a.units > 0)
        {
            let format = self.arrays[i].nested.and_then(Shape::format);
            return (format, vec![i]);
        }
        let all: Vec<usize> = (0..self.arrays.len()).collect();
        let format = if self.arrays.iter().any(|a| a.run_array) {
            Format::IntegrationRunLog
        } else {
            Format::Generic
        };
        (Some(format), all)
    }

    fn chosen_by_shape(
        &mut self,
        root: &jsonc_parser::ast::Value<'_>,
    ) -> (Option<Format>, Vec<usize>) {
        use jsonc_parser::ast::Value;
        let shape = detect::shape(root);
        let nested = |outer: &str, inner: &str| -> Option<usize> {
            let obj = get_object(root.as_object()?, outer)?;
            match get(obj, inner) {
                Some(Value::Array(a)) => Some(a.range.start),
                _ => None,
            }
        };
        let find = |at: Option<usize>, want: Shape| -> Vec<usize> {
            at.and_then(|at| {
                self.arrays
                    .iter()
                    .position(|a| a.skeleton_at == at && a.nested == Some(want))
            })
            .into_iter()
            .collect()
        };
        let Some(format) = shape.format() else {
            return (None, Vec::new());
        };
        if let Some((outer, inner)) = shape.call_array() {
            return (Some(format), find(nested(outer, inner), shape));
        }
        // The generic walk enters every value: units cut from nested arrays were taken out of
        // its sight.
        if self
            .arrays
            .iter()
            .any(|a| a.nested.is_some() && a.units > 0)
        {
            self.inexact = Some(Inexact::Layout(
                "calls nested where this shape of log does not keep them",
            ));
        }
        let chosen = (0..self.arrays.len())
            .filter(|&i| self.arrays[i].nested.is_none())
            .collect();
        (Some(format), chosen)
    }

    /// The final result: the chosen arrays' findings merged in text order and capped like
    /// `analyze`'s.
    pub(super) fn select(
        mut self,
        lines: bool,
        config: &AnalysisConfig,
        bytes: usize,
        peak: usize,
    ) -> Streamed<L> {
        let (format, chosen) = if lines {
            (Some(Format::JsonLines), vec![0])
        } else {
            self.choose(config)
        };
        let max = config.max_findings;
        let total_calls: usize = chosen.iter().map(|&i| self.arrays[i].calls).sum();
        let total_exchanges: usize = chosen.iter().map(|&i| self.arrays[i].exchanges).sum();
        let mut calls: Vec<Located<L>> = Vec::new();
        let mut notes: Vec<Located<L>> = Vec::new();
        let mut problems: Vec<Located<L>> = Vec::new();
        let mut omitted: Option<(Span, L)> = None;
        let mut exchange_base = 0;
        let mut arrays = std::mem::take(&mut self.arrays);
        for &i in &chosen {
            let arr = &mut arrays[i];
            for item in arr.items.drain(..) {
                let mut located = item.located;
                if let Some(x) = located.finding.exchange.as_mut() {
                    *x += exchange_base;
                }
                if item.problem {
                    problems.push(located);
                } else if located.finding.kind == FindingKind::BodyTruncated {
                    notes.push(located);
                } else if calls.len() < max {
                    calls.push(located);
                } else if omitted.is_none() {
                    omitted = Some((located.finding.span, located.at));
                }
            }
            if calls.len() == max && omitted.is_none() {
                omitted = arr.first_omitted.take();
            }
            exchange_base += arr.exchanges;
        }
        // Notes go with the calls the cap kept: a prefix of the calls, in exchange order.
        let last_kept = calls.last().and_then(|c| c.finding.exchange);
        calls.extend(
            notes
                .into_iter()
                .filter(|n| omitted.is_none() || n.finding.exchange <= last_kept),
        );
        let summary = omitted.map(|(span, at)| Located {
            finding: analysis::omitted_finding(span, total_calls - max, max),
            exchange: None,
            at,
        });
        let mut findings = analysis::merge_findings(calls, summary, problems, |l| &l.finding);
        // Quiet units were not parsed, so their calls were not counted and an index would not
        // be `analyze`'s: a streamed finding's call travels with it (`Located::exchange`).
        for l in &mut findings {
            l.finding.exchange = None;
        }
        Streamed {
            format: format.filter(|_| total_exchanges > 0),
            findings: if total_exchanges > 0 {
                findings
            } else {
                Vec::new()
            },
            inexact: self.inexact,
            notes: self.notes,
            bytes,
            units: self.units,
            quiet: self.quiet,
            read_whole: self.read_whole,
            peak_buffer: peak,
        }
    }
}

/// True when the text outside units names a kind of document `detect::shape` keeps quiet;
/// used only when the skeleton cannot be parsed, so it errs on the side of silence.
fn looks_negative(skeleton: &[u8]) -> bool {
    let text = String::from_utf8_lossy(skeleton);
    [
        "\"openapi\"",
        "\"swagger\"",
        "\"asyncapi\"",
        "\"nbformat\"",
        "\"$schema\"",
        "\"_postman_id\"",
    ]
    .iter()
    .any(|key| text.contains(key))
}
