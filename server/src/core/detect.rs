//! Detection by content: which keys name a status code, which values are one, and what kind of
//! document a tree's root says it is (HAR, Newman, integration run log, or ordinary JSON that
//! must stay quiet: OpenAPI, JSON Schema, Postman collections, Jupyter notebooks).

use super::model::Format;
use jsonc_parser::ast::{Object, ObjectProp, ObjectPropName, Value};

/// A property name as text, borrowed.
pub fn key_str<'a>(name: &'a ObjectPropName<'_>) -> &'a str {
    match name {
        ObjectPropName::String(lit) => lit.value.as_ref(),
        ObjectPropName::Word(lit) => lit.value,
    }
}

/// True when `key` equals `target` ignoring ASCII case, `_` and `-` (`target` is written in
/// lowercase without separators). No allocation: this runs for every key of the document.
#[inline]
pub fn key_is(key: &str, target: &str) -> bool {
    let mut t = target.bytes();
    for b in key.bytes() {
        if b == b'_' || b == b'-' {
            continue;
        }
        match t.next() {
            Some(c) if c == b.to_ascii_lowercase() => {}
            _ => return false,
        }
    }
    t.next().is_none()
}

/// True when `key` matches any of `targets` (see [`key_is`]).
pub fn key_in(key: &str, targets: &[&str]) -> bool {
    targets.iter().any(|t| key_is(key, t))
}

/// How a key names a status code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusKey {
    /// `status`, `statusCode`, `network_code`, `http.response.status_code`, ...
    Strong,
    /// `code`: only in an HTTP-like neighbourhood.
    Code,
}

/// Keys that name a status code on their own.
const STRONG_STATUS_KEYS: &[&str] = &[
    "status",
    "statuscode",
    "httpstatus",
    "responsecode",
    "networkcode",
    "httpstatuscode",
    "http.statuscode",
    "http.response.statuscode",
];

/// Classifies a property name as a status-code key. This runs for every key of every object
/// outside exchanges, so it normalises into a stack buffer once and matches, no allocation.
pub fn status_key(key: &str) -> Option<StatusKey> {
    let raw = key.as_bytes();
    if raw.len() > 32 || raw.len() < 4 {
        return None;
    }
    // Every status key starts with one of these letters; most keys are rejected here.
    let first = raw
        .iter()
        .find(|&&b| b != b'_' && b != b'-')
        .copied()
        .unwrap_or(0);
    if !matches!(first | 0x20, b's' | b'c' | b'h' | b'r' | b'n') {
        return None;
    }
    let mut buf = [0u8; 32];
    let mut n = 0;
    for &b in raw {
        if b == b'_' || b == b'-' {
            continue;
        }
        buf[n] = b.to_ascii_lowercase();
        n += 1;
    }
    let norm = &buf[..n];
    if STRONG_STATUS_KEYS.iter().any(|t| t.as_bytes() == norm) {
        Some(StatusKey::Strong)
    } else if norm == b"code" {
        Some(StatusKey::Code)
    } else {
        None
    }
}

/// The status a value holds: a 3-digit integer (100..=999) or a string of exactly one.
pub fn status_value(value: &Value<'_>) -> Option<u16> {
    let digits: &str = match value {
        Value::NumberLit(n) => n.value,
        Value::StringLit(s) => s.value.as_ref(),
        _ => return None,
    };
    let b = digits.as_bytes();
    if b.len() != 3 || !b.iter().all(u8::is_ascii_digit) || b[0] == b'0' {
        return None;
    }
    Some(b.iter().fold(0u16, |acc, d| acc * 10 + u16::from(d - b'0')))
}

/// Sibling keys that make `code` an HTTP status.
const HTTP_SIBLINGS: &[&str] = &["body", "headers", "header", "url", "statustext"];

/// True when an object's neighbourhood is HTTP-like enough for `code` to be a status: a sibling
/// `body`/`headers`/`url`/`statusText`, or the object sits under a key `response`/`res`.
pub fn http_like(obj: &Object<'_>, parent_key: Option<&str>) -> bool {
    if parent_key.is_some_and(|k| key_in(k, &["response", "res"])) {
        return true;
    }
    obj.properties
        .iter()
        .any(|p| key_in(key_str(&p.name), HTTP_SIBLINGS))
}

/// What the root of a tree says the document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// HAR 1.2: `log.entries[]`.
    Har,
    /// Newman report: `run.executions[]`.
    Newman,
    /// VCR / Betamax cassette stored as JSON: `interactions[]` (vcrpy) or `http_interactions[]`
    /// (Ruby VCR, Betamax), the status an object `{"code": 403, "message": "Forbidden"}`.
    Cassette,
    /// Integration platform run log: `runs`/`executions`/`jobs` of steps, or an integration id.
    Integration,
    /// Anything else: look for status fields everywhere.
    Generic,
    /// Ordinary JSON that holds status codes as data (OpenAPI, JSON Schema, a Postman collection):
    /// never a run log.
    Negative,
}

/// Looks up a property by name, case-insensitively and ignoring `_`/`-` (see [`key_is`]).
#[inline]
pub fn get<'a, 'b>(obj: &'b Object<'a>, target: &str) -> Option<&'b Value<'a>> {
    obj.properties
        .iter()
        .find(|p| key_is(key_str(&p.name), target))
        .map(|p| &p.value)
}

/// Like [`get`], for an object value.
pub fn get_object<'a, 'b>(obj: &'b Object<'a>, target: &str) -> Option<&'b Object<'a>> {
    match get(obj, target) {
        Some(Value::Object(o)) => Some(o),
        _ => None,
    }
}

/// Like [`get`], for a string value.
pub fn get_str<'b>(obj: &'b Object<'_>, target: &str) -> Option<&'b str> {
    match get(obj, target) {
        Some(Value::StringLit(s)) => Some(s.value.as_ref()),
        _ => None,
    }
}

/// The formats whose calls sit in one array at a fixed place: the shape, the root key, the key of
/// the array inside it. Detection, extraction and the streaming splitter all read this table.
pub const CALL_ARRAYS: &[(Shape, &str, &str)] = &[
    (Shape::Har, "log", "entries"),
    (Shape::Newman, "run", "executions"),
];

/// The formats whose calls sit in an array under a root key: the shape and the root key. The
/// streaming splitter cuts every root-level array into units, so these need no entry of their own
/// there; detection and extraction read this table.
pub const ROOT_CALL_ARRAYS: &[(Shape, &str)] = &[
    (Shape::Cassette, "interactions"),
    (Shape::Cassette, "httpinteractions"),
];

/// The status a cassette's `status` object holds (`{"code": 403, "message": "Forbidden"}`, the
/// only keys): the `code` value and the status. Anything else is not a status object.
pub fn status_object<'v, 'a>(value: &'v Value<'a>) -> Option<(&'v ObjectProp<'a>, u16)> {
    let Value::Object(o) = value else { return None };
    if !o
        .properties
        .iter()
        .all(|p| key_in(key_str(&p.name), &["code", "message"]))
    {
        return None;
    }
    let code = o
        .properties
        .iter()
        .find(|p| key_is(key_str(&p.name), "code"))?;
    Some((code, status_value(&code.value)?))
}

impl Shape {
    /// Where a shape with a fixed layout keeps its calls: `(root key, array key)`.
    pub fn call_array(self) -> Option<(&'static str, &'static str)> {
        CALL_ARRAYS
            .iter()
            .find(|(shape, _, _)| *shape == self)
            .map(|&(_, outer, inner)| (outer, inner))
    }

    /// The shape whose calls sit at `outer.inner`, by the keys' comparison rule ([`key_is`]).
    pub fn with_call_array(outer: &str, inner: &str) -> Option<Shape> {
        CALL_ARRAYS
            .iter()
            .find(|(_, o, i)| key_is(outer, o) && key_is(inner, i))
            .map(|&(shape, _, _)| shape)
    }

    /// The format a document of this shape is reported as (`None`: never a run log). JSON
    /// Lines logs are recognised by their lines, not by a shape.
    pub fn format(self) -> Option<Format> {
        match self {
            Shape::Har => Some(Format::Har),
            Shape::Newman => Some(Format::Newman),
            Shape::Cassette => Some(Format::Cassette),
            Shape::Integration => Some(Format::IntegrationRunLog),
            Shape::Generic => Some(Format::Generic),
            Shape::Negative => None,
        }
    }
}

/// Keys whose arrays hold the runs of an integration run log.
pub const RUN_ARRAY_KEYS: &[&str] = &["runs", "executions", "jobs"];

/// Root keys that name an integration (the debugging guide's example's `integration_id`, Make's `scenario_id`, ...).
const INTEGRATION_ROOT_KEYS: &[&str] = &[
    "integrationid",
    "integrationname",
    "scenarioid",
    "workflowid",
    "recipeid",
    "zapid",
    "flowid",
];

/// Decides what a root value is, in one pass over the root's keys (this runs once per JSON
/// Lines line).
pub fn shape(root: &Value<'_>) -> Shape {
    let Value::Object(obj) = root else {
        return Shape::Generic;
    };
    let mut schema = false;
    let mut schema_body = false;
    let mut postman_info = false;
    let mut item_array = false;
    let mut integration = false;
    let mut root_array: Option<Shape> = None;
    for p in &obj.properties {
        let key = key_str(&p.name);
        match key {
            // OpenAPI / AsyncAPI documents; a Jupyter notebook (its outputs show data, not calls).
            "openapi" | "swagger" | "asyncapi" | "nbformat" => return Shape::Negative,
            "$schema" => schema = true,
            "properties" | "definitions" | "$defs" | "items" | "allOf" | "anyOf" | "oneOf"
            | "type" => schema_body = true,
            _ => {}
        }
        match &p.value {
            Value::Object(o) if CALL_ARRAYS.iter().any(|(_, outer, _)| key_is(key, outer)) => {
                for &(shape, outer, inner) in CALL_ARRAYS {
                    if key_is(key, outer) && matches!(get(o, inner), Some(Value::Array(_))) {
                        return shape;
                    }
                }
            }
            Value::Object(o) if key_is(key, "info") => {
                postman_info = get_str(o, "schema").is_some_and(|s| s.contains("postman"))
                    || get(o, "postmanid").is_some();
            }
            Value::Array(_) if key_is(key, "item") => item_array = true,
            // A Jupyter notebook cut before its `nbformat` (the last key): its cells say so.
            Value::Array(cells)
                if key == "cells"
                    && cells
                        .elements
                        .first()
                        .and_then(Value::as_object)
                        .is_some_and(|c| get(c, "celltype").is_some()) =>
            {
                return Shape::Negative
            }
            Value::Array(_) if key_in(key, RUN_ARRAY_KEYS) => integration = true,
            Value::Array(_) if root_array.is_none() => {
                root_array = ROOT_CALL_ARRAYS
                    .iter()
                    .find(|(_, k)| key_is(key, k))
                    .map(|&(shape, _)| shape);
            }
            _ if key_in(key, INTEGRATION_ROOT_KEYS) => integration = true,
            _ => {}
        }
    }
    if schema && schema_body {
        return Shape::Negative;
    }
    // A Postman collection (not a report): its saved example responses are not calls.
    if postman_info && item_array {
        return Shape::Negative;
    }
    if let Some(shape) = root_array {
        shape
    } else if integration {
        Shape::Integration
    } else {
        Shape::Generic
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(text: &str) -> Shape {
        let mut s = None;
        crate::core::parse::parse_with(text, |v, _| s = Some(shape(v)));
        s.unwrap_or(Shape::Generic)
    }

    #[test]
    fn keys() {
        for k in [
            "status",
            "statusCode",
            "status_code",
            "STATUS-CODE",
            "http_status",
            "httpStatus",
            "responseCode",
            "network_code",
            "http.status_code",
            "http.response.status_code",
        ] {
            assert_eq!(status_key(k), Some(StatusKey::Strong), "{k}");
        }
        assert_eq!(status_key("code"), Some(StatusKey::Code));
        assert_eq!(status_key("Code"), Some(StatusKey::Code));
        assert_eq!(status_key("_status"), Some(StatusKey::Strong));
        for k in [
            "statuses",
            "stat",
            "errorCode",
            "http.code",
            "",
            "minimumStatus",
        ] {
            assert_eq!(status_key(k), None, "{k}");
        }
    }

    #[test]
    fn values() {
        let check = |text: &str| {
            let mut out = None;
            crate::core::parse::parse_with(text, |v, _| out = status_value(v));
            out
        };
        assert_eq!(check("404"), Some(404));
        assert_eq!(check("\"503\""), Some(503));
        assert_eq!(check("999"), Some(999));
        assert_eq!(check("100"), Some(100));
        for t in [
            "99",
            "1000",
            "\"failed\"",
            "40.4",
            "-404",
            "\"404 \"",
            "null",
            "080",
            "4e2",
        ] {
            assert_eq!(check(t), None, "{t}");
        }
    }

    #[test]
    fn shapes() {
        assert_eq!(root(r#"{"log": {"entries": []}}"#), Shape::Har);
        assert_eq!(root(r#"{"run": {"executions": []}}"#), Shape::Newman);
        assert_eq!(root(r#"{"openapi": "3.1.0"}"#), Shape::Negative);
        assert_eq!(root(r#"{"swagger": "2.0"}"#), Shape::Negative);
        assert_eq!(
            root(r#"{"cells": [{"outputs": [{"data": {"status": 404}}]}], "nbformat": 4}"#),
            Shape::Negative
        );
        assert_eq!(
            root(r#"{"cells": [{"cell_type": "code", "outputs": [{"data": {"status": 404}}]}]"#),
            Shape::Negative
        );
        assert_eq!(
            root(r#"{"$schema": "x", "properties": {"status": {}}}"#),
            Shape::Negative
        );
        assert_eq!(
            root(r#"{"info": {"schema": "https://schema.getpostman.com/x"}, "item": []}"#),
            Shape::Negative
        );
        assert_eq!(root(r#"{"integration_id": 1}"#), Shape::Integration);
        assert_eq!(root(r#"{"jobs": []}"#), Shape::Integration);
        assert_eq!(root(r#"[{"status": 400}]"#), Shape::Generic);
        assert_eq!(
            root(r#"{"interactions": [], "version": 1}"#),
            Shape::Cassette
        );
        assert_eq!(
            root(r#"{"http_interactions": [], "recorded_with": "betamax/0.9.0"}"#),
            Shape::Cassette
        );
        assert_eq!(root(r#"{"interactions": 3}"#), Shape::Generic);
    }

    #[test]
    fn status_objects() {
        let check = |text: &str| {
            let mut out = None;
            crate::core::parse::parse_with(text, |v, _| out = status_object(v).map(|s| s.1));
            out
        };
        assert_eq!(check(r#"{"code": 403, "message": "Forbidden"}"#), Some(403));
        assert_eq!(check(r#"{"code": "503"}"#), Some(503));
        assert_eq!(check(r#"{"code": 403, "message": "x", "type": "y"}"#), None);
        assert_eq!(check(r#"{"message": "Forbidden"}"#), None);
        assert_eq!(check(r#"{"code": "forbidden", "message": "x"}"#), None);
    }
}
