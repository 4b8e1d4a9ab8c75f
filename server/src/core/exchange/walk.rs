//! The generic pass over integration run logs and any other JSON: every object is checked for a
//! status field, and root-level run arrays give the runs.

use super::call::exchange_in;
use super::n8n;
use super::{push_exchange_unit, scalar_text, Cx, Extracted};
use crate::core::detect::{self, get, key_in, key_str, Shape};
use crate::core::model::{Run, Span, UnitKind};
use jsonc_parser::ast::{Object, Value};

struct Frame<'v, 'a> {
    value: &'v Value<'a>,
    parent_key: Option<&'v str>,
    /// This value is an array of runs (a root-level `runs`/`executions`/`jobs`).
    run_array: bool,
    /// This value is one run (an element of such an array).
    run: bool,
    /// 0 for the root.
    depth: usize,
}

/// The generic pass: every object is checked for a status field; an exchange's subtree is not
/// entered again (a status inside a response body is part of that body).
pub(super) fn walk(root: &Value<'_>, shape: Shape, cx: &Cx<'_>, out: &mut Extracted) {
    let mut stack = vec![Frame {
        value: root,
        parent_key: None,
        run_array: false,
        run: false,
        depth: 0,
    }];
    // `detect::shape` reads an object root's keys and its children's, and `exchange_in` reads
    // an object's `response`/`res`/`http` children: exchanges there are no units (see
    // `UnitKind::Exchange`).
    let unit_depth = if matches!(root, Value::Array(_)) {
        1
    } else {
        2
    };
    let mut current_run: Option<usize> = None;
    let is_root = |v: &Value<'_>| std::ptr::eq(v, root);
    while let Some(frame) = stack.pop() {
        match frame.value {
            Value::Object(obj) => {
                if n8n::is_node_definition(obj) {
                    continue;
                }
                if let Some(mut ex) = exchange_in(obj, frame.parent_key, cx) {
                    ex.run = current_run.filter(|&r| {
                        out.runs
                            .get(r)
                            .is_some_and(|run| run.span.contains_span(ex.span))
                    });
                    out.exchanges.push(ex);
                    if cx.record_units
                        && frame.depth >= unit_depth
                        && !frame
                            .parent_key
                            .is_some_and(|k| key_in(k, &["response", "res", "http"]))
                        && !n8n::is_node_run(obj)
                    {
                        push_exchange_unit(out, UnitKind::Exchange);
                    }
                    continue;
                }
                if frame.run {
                    current_run = Some(out.runs.len());
                    out.runs.push(run_of(obj, out.runs.len(), cx));
                }
                let top = is_root(frame.value);
                for prop in obj.properties.iter().rev() {
                    let key = key_str(&prop.name);
                    if matches!(prop.value, Value::Object(_) | Value::Array(_))
                        && !n8n::repeats_a_node_run(obj, key)
                    {
                        stack.push(Frame {
                            value: &prop.value,
                            parent_key: Some(key),
                            run_array: top
                                && shape == Shape::Integration
                                && matches!(prop.value, Value::Array(_))
                                && key_in(key, detect::RUN_ARRAY_KEYS),
                            run: false,
                            depth: frame.depth + 1,
                        });
                    }
                }
            }
            Value::Array(arr) => {
                for el in arr.elements.iter().rev() {
                    if matches!(el, Value::Object(_) | Value::Array(_)) {
                        stack.push(Frame {
                            value: el,
                            parent_key: frame.parent_key,
                            run_array: false,
                            run: frame.run_array && matches!(el, Value::Object(_)),
                            depth: frame.depth + 1,
                        });
                    }
                }
            }
            _ => {}
        }
    }
}

/// A run object's name: its id or name, else its position.
fn run_of(obj: &Object<'_>, index: usize, cx: &Cx<'_>) -> Run {
    for key in ["runid", "executionid", "jobid", "id", "name", "title"] {
        if let Some(v) = get(obj, key) {
            if let Some(name) = scalar_text(v) {
                return Run {
                    name,
                    span: cx.piece.span(obj.range),
                    name_span: cx.span(v),
                };
            }
        }
    }
    let span = cx.piece.span(obj.range);
    Run {
        name: format!("Run {}", index + 1),
        span,
        name_span: Span::new(span.start, span.start),
    }
}
