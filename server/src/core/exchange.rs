//! Finding the HTTP calls in a parsed tree: one iterative pass that recognises each exchange by
//! its status field and gathers its spans, request, response headers, body and run. Secrets are
//! redacted here, at extraction, so nothing downstream ever holds them.

use super::detect::{self, get, get_object, get_str, key_in, key_is, key_str, Shape, StatusKey};
use super::model::{
    BodyEncoding, BodyRef, Exchange, Header, RequestInfo, Run, Span, Unit, UnitKind,
};
use super::parse::Piece;
use super::redact;
use jsonc_parser::ast::{Object, ObjectProp, ObjectPropName, Value};
use std::cell::RefCell;
use std::collections::HashMap;

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

/// Extracts every exchange of `root` (a tree placed in the text by `piece`) into `out`, in text
/// order. `redact_extra` is the user's `runlog.redact`.
pub fn extract(root: &Value<'_>, piece: &Piece, redact_extra: &[String], out: &mut Extracted) {
    let shape = detect::shape(root);
    let memo = std::mem::take(&mut out.secret_names);
    let cx = Cx {
        piece,
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
        Shape::Integration | Shape::Generic => walk(root, shape, &cx, out),
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
/// and placed by `piece`) as `extract` did when it met the object inside the whole tree. `run`
/// is the run the unit's exchange belonged to. JSON Lines lines go through `extract`.
pub(crate) fn extract_unit(
    root: &Value<'_>,
    piece: &Piece,
    kind: UnitKind,
    run: Option<usize>,
    pages: &[(String, usize)],
    redact_extra: &[String],
    out: &mut Extracted,
) {
    let Value::Object(obj) = root else { return };
    let cx = Cx {
        piece,
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

/// Records the unit of an exchange just pushed to `out` (the object `span` recorded it).
fn push_exchange_unit(out: &mut Extracted, kind: UnitKind) {
    let index = out.exchanges.len() - 1;
    out.units.push(Unit {
        span: out.exchanges[index].span,
        kind,
        exchanges: index..index + 1,
        runs: out.runs.len()..out.runs.len(),
    });
}

struct Cx<'p> {
    piece: &'p Piece,
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

fn value_range(value: &Value<'_>) -> jsonc_parser::common::Range {
    match value {
        Value::StringLit(v) => v.range,
        Value::NumberLit(v) => v.range,
        Value::BooleanLit(v) => v.range,
        Value::Object(v) => v.range,
        Value::Array(v) => v.range,
        Value::NullKeyword(v) => v.range,
    }
}

fn name_range(name: &ObjectPropName<'_>) -> jsonc_parser::common::Range {
    match name {
        ObjectPropName::String(lit) => lit.range,
        ObjectPropName::Word(lit) => lit.range,
    }
}

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
fn walk(root: &Value<'_>, shape: Shape, cx: &Cx<'_>, out: &mut Extracted) {
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
                    if matches!(prop.value, Value::Object(_) | Value::Array(_)) {
                        let key = key_str(&prop.name);
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

/// A string, number or boolean as text.
fn scalar_text(v: &Value<'_>) -> Option<String> {
    match v {
        Value::StringLit(s) if !s.value.is_empty() => Some(s.value.to_string()),
        Value::NumberLit(n) => Some(n.value.to_string()),
        Value::BooleanLit(b) => Some(b.value.to_string()),
        _ => None,
    }
}

/// The first property of `obj` holding a status code, honouring the `code` rule.
fn direct_status<'v, 'a>(
    obj: &'v Object<'a>,
    parent_key: Option<&str>,
) -> Option<(&'v ObjectProp<'a>, u16, StatusKey)> {
    let mut http_like: Option<bool> = None;
    for prop in &obj.properties {
        let Some(kind) = detect::status_key(key_str(&prop.name)) else {
            continue;
        };
        let Some(code) = detect::status_value(&prop.value) else {
            continue;
        };
        if kind == StatusKey::Code
            && !*http_like.get_or_insert_with(|| detect::http_like(obj, parent_key))
        {
            continue;
        }
        return Some((prop, code, kind));
    }
    None
}

/// Recognises an exchange recorded by `obj`: a status field on the object itself, or in its
/// `response`/`res` object, or in `http.response` (ECS).
fn exchange_in(obj: &Object<'_>, parent_key: Option<&str>, cx: &Cx<'_>) -> Option<Exchange> {
    if let Some((prop, code, kind)) = direct_status(obj, parent_key) {
        let response = response_object(obj);
        return Some(build(obj, response, prop, code, kind, cx));
    }
    for prop in &obj.properties {
        let key = key_str(&prop.name);
        let Value::Object(child) = &prop.value else {
            continue;
        };
        if key_in(key, &["response", "res"]) {
            if let Some((sp, code, kind)) = direct_status(child, Some(key)) {
                return Some(build(obj, Some(child), sp, code, kind, cx));
            }
        } else if key_is(key, "http") {
            if let Some(resp) = get_object(child, "response") {
                if let Some((sp, code, kind)) = direct_status(resp, Some("response")) {
                    return Some(build(obj, Some(resp), sp, code, kind, cx));
                }
            }
        }
    }
    None
}

/// The response object of an exchange found by a status on the object itself: a `response`/`res`
/// child, or the seed's `payload.Response`.
fn response_object<'v, 'a>(obj: &'v Object<'a>) -> Option<&'v Object<'a>> {
    get_object(obj, "response")
        .or_else(|| get_object(obj, "res"))
        .or_else(|| get_object(obj, "payload").and_then(|p| get_object(p, "response")))
}

/// The request object (or request line string) of an exchange.
fn request_value<'v, 'a>(obj: &'v Object<'a>) -> Option<&'v Value<'a>> {
    if let Some(v @ (Value::Object(_) | Value::StringLit(_))) = get(obj, "request") {
        return Some(v);
    }
    if let Some(v @ Value::Object(_)) = get(obj, "req") {
        return Some(v);
    }
    if let Some(p) = get_object(obj, "payload") {
        if let Some(v @ Value::Object(_)) = get(p, "request") {
            return Some(v);
        }
    }
    // An axios error keeps the request in `config`.
    if let Some(Value::Object(c)) = get(obj, "config") {
        if get(c, "url").is_some() && get(c, "method").is_some() {
            return get(obj, "config");
        }
    }
    None
}

fn build(
    obj: &Object<'_>,
    response: Option<&Object<'_>>,
    status_prop: &ObjectProp<'_>,
    status: u16,
    kind: StatusKey,
    cx: &Cx<'_>,
) -> Exchange {
    let span = cx.piece.span(obj.range);
    let response_span = response.map(|r| cx.piece.span(r.range));
    // Headers and status text live in the response object when there is one.
    let resp_or_obj = response.unwrap_or(obj);
    let response_headers = header_list(
        get(resp_or_obj, "headers").or_else(|| get(resp_or_obj, "header")),
        cx,
    );
    let status_text = get_str(resp_or_obj, "statustext")
        .or_else(|| get_str(resp_or_obj, "reasonphrase"))
        .or_else(|| {
            // Newman: `code` is the number, `status` the reason phrase.
            if kind == StatusKey::Code {
                get_str(resp_or_obj, "status")
            } else {
                None
            }
        })
        .map(str::to_string);
    let content_type = header_value(&response_headers, "content-type");
    let mut body = response
        .and_then(|r| body_in(r, BodyPlace::Response, cx))
        .or_else(|| body_in(obj, BodyPlace::Exchange, cx));
    if let Some(b) = body.as_mut() {
        if b.mime_type.is_none() {
            b.mime_type = content_type;
        }
    }
    let request = request_info(obj, cx);
    let name = exchange_name(obj).or_else(|| request.url.as_deref().and_then(url_path));
    Exchange {
        status,
        status_span: cx.span(&status_prop.value),
        status_key_span: cx.piece.span(name_range(&status_prop.name)),
        span,
        response_span: response_span.filter(|r| *r != span),
        status_text,
        request,
        response_headers,
        body,
        name,
        run: None,
    }
}

fn header_value(headers: &[Header], name: &str) -> Option<String> {
    headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value.clone())
}

fn exchange_name(obj: &Object<'_>) -> Option<String> {
    if let Some(item) = get_object(obj, "item") {
        if let Some(n) = get_str(item, "name") {
            return Some(n.to_string());
        }
    }
    for key in [
        "name",
        "title",
        "node",
        "action",
        "operation",
        "test",
        "step",
    ] {
        if let Some(Value::StringLit(s)) = get(obj, key) {
            if !s.value.is_empty() {
                return Some(s.value.to_string());
            }
        }
    }
    None
}

/// The path of a URL (no scheme, host or query), for naming a call.
fn url_path(url: &str) -> Option<String> {
    let rest = match url.find("://") {
        Some(i) => {
            let after = &url[i + 3..];
            match after.find('/') {
                Some(j) => &after[j..],
                None => "/",
            }
        }
        None => url,
    };
    let path = rest.split(['?', '#']).next().unwrap_or(rest);
    if path.is_empty() {
        None
    } else {
        Some(path.to_string())
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum BodyPlace {
    Response,
    Exchange,
}

/// Where the body is, in the response object or (no response object) in the exchange itself.
fn body_in(obj: &Object<'_>, place: BodyPlace, cx: &Cx<'_>) -> Option<BodyRef> {
    let keys: &[&str] = match place {
        BodyPlace::Response => &[
            "body",
            "content",
            "stream",
            "data",
            "text",
            "responsebody",
            "payload",
            "error",
            "errors",
        ],
        BodyPlace::Exchange => &[
            "responsebody",
            "body",
            "data",
            "content",
            "text",
            "payload",
            "error",
            "err",
        ],
    };
    for key in keys {
        let Some(value) = get(obj, key) else {
            continue;
        };
        // The seed's `payload` holds Request/Response sections, not the body.
        if place == BodyPlace::Exchange && *key == "payload" {
            if let Value::Object(p) = value {
                if get(p, "request").is_some() || get(p, "response").is_some() {
                    continue;
                }
            }
        }
        if let Some(b) = body_ref(value, cx) {
            return Some(b);
        }
    }
    None
}

/// How a body value is stored.
fn body_ref(value: &Value<'_>, cx: &Cx<'_>) -> Option<BodyRef> {
    // A body cut by the end of a truncated log says nothing reliable.
    if !cx.piece.complete(value_range(value)) {
        return None;
    }
    match value {
        Value::NullKeyword(_) => None,
        Value::StringLit(_) => Some(BodyRef {
            span: cx.span(value),
            encoding: BodyEncoding::String,
            mime_type: None,
        }),
        Value::Object(o) => {
            // Newman: {"type": "Buffer", "data": [bytes]}.
            if get_str(o, "type") == Some("Buffer") {
                if let Some(data @ Value::Array(_)) = get(o, "data") {
                    return Some(BodyRef {
                        span: cx.span(data),
                        encoding: BodyEncoding::ByteArray,
                        mime_type: None,
                    });
                }
            }
            // HAR `content` {size, mimeType, text, encoding}; ECS `body` {bytes, content}.
            let har_like = o.properties.iter().all(|p| {
                key_in(
                    key_str(&p.name),
                    &[
                        "size",
                        "mimetype",
                        "text",
                        "encoding",
                        "compression",
                        "bytes",
                        "content",
                        "comment",
                    ],
                )
            });
            if har_like && !o.properties.is_empty() {
                let mime_type = get_str(o, "mimetype").map(str::to_string);
                let text = get(o, "text").or_else(|| get(o, "content"));
                return match text {
                    Some(t @ Value::StringLit(_)) => Some(BodyRef {
                        span: cx.span(t),
                        encoding: if get_str(o, "encoding")
                            .is_some_and(|e| e.eq_ignore_ascii_case("base64"))
                        {
                            BodyEncoding::Base64
                        } else {
                            BodyEncoding::String
                        },
                        mime_type,
                    }),
                    _ => None,
                };
            }
            Some(BodyRef {
                span: cx.span(value),
                encoding: BodyEncoding::Inline,
                mime_type: None,
            })
        }
        Value::Array(_) | Value::NumberLit(_) | Value::BooleanLit(_) => Some(BodyRef {
            span: cx.span(value),
            encoding: BodyEncoding::Inline,
            mime_type: None,
        }),
    }
}

/// Reads headers stored as an object or as an array of `{name|key, value}`; values of secret
/// headers are redacted.
fn header_list(value: Option<&Value<'_>>, cx: &Cx<'_>) -> Vec<Header> {
    let mut out = Vec::new();
    let mut push = |name: &str, value: Option<&Value<'_>>| {
        let text = match value {
            Some(Value::StringLit(s)) => s.value.to_string(),
            Some(Value::NumberLit(n)) => n.value.to_string(),
            Some(Value::BooleanLit(b)) => b.value.to_string(),
            Some(Value::Array(a)) => a
                .elements
                .iter()
                .filter_map(scalar_text)
                .collect::<Vec<_>>()
                .join(", "),
            _ => return,
        };
        out.push(Header {
            name: name.to_string(),
            value: cx.header_value(name, text),
        });
    };
    match value {
        Some(Value::Object(o)) => {
            for p in o.properties.iter().take(MAX_HEADERS) {
                push(key_str(&p.name), Some(&p.value));
            }
        }
        Some(Value::Array(a)) => {
            for el in a.elements.iter().take(MAX_HEADERS) {
                if let Value::Object(h) = el {
                    if let Some(name) = get_str(h, "name").or_else(|| get_str(h, "key")) {
                        push(name, get(h, "value"));
                    }
                }
            }
        }
        _ => {}
    }
    out
}

fn request_info(obj: &Object<'_>, cx: &Cx<'_>) -> RequestInfo {
    let mut info = RequestInfo::default();
    match request_value(obj) {
        Some(value @ Value::Object(req)) => {
            info.span = Some(cx.span(value));
            info.method = get_str(req, "method").map(str::to_string);
            info.url = get(req, "url")
                .or_else(|| get(req, "uri"))
                .and_then(url_text);
            info.headers = header_list(get(req, "headers").or_else(|| get(req, "header")), cx);
            let body = get(req, "body")
                .or_else(|| get_object(req, "postdata").and_then(|p| get(p, "text")))
                .or_else(|| get(req, "data"));
            info.body = body.and_then(|b| body_ref(b, cx));
        }
        Some(value @ Value::StringLit(line)) => {
            // nginx: "GET /path HTTP/1.1".
            info.span = Some(cx.span(value));
            let mut words = line.value.split_whitespace();
            if let (Some(m), Some(u)) = (words.next(), words.next()) {
                if m.bytes().all(|b| b.is_ascii_uppercase()) {
                    info.method = Some(m.to_string());
                    info.url = Some(u.to_string());
                }
            }
        }
        _ => {
            // The call's fields sit on the exchange itself (batch results, ECS).
            info.method = get_str(obj, "method")
                .or_else(|| get_str(obj, "http.request.method"))
                .or_else(|| {
                    get_object(obj, "http")
                        .and_then(|h| get_object(h, "request"))
                        .and_then(|r| get_str(r, "method"))
                })
                .map(str::to_string);
            info.url = get(obj, "url")
                .and_then(url_text)
                .or_else(|| get_str(obj, "url.full").map(str::to_string))
                .or_else(|| get_str(obj, "url.original").map(str::to_string))
                .or_else(|| get_str(obj, "url.path").map(str::to_string));
        }
    }
    info.url = info.url.map(|u| redact::redact_url(&u, cx.extra));
    info
}

/// A URL as text: a string, a Postman URL object (`raw`, or protocol/host[]/port/path[]/query[]),
/// or an ECS `url` object (`full`, `original`, `path`).
fn url_text(value: &Value<'_>) -> Option<String> {
    match value {
        Value::StringLit(s) => Some(s.value.to_string()),
        Value::Object(o) => {
            for key in ["raw", "full", "original", "href"] {
                if let Some(s) = get_str(o, key) {
                    return Some(s.to_string());
                }
            }
            let join = |v: Option<&Value<'_>>, sep: &str| -> Option<String> {
                match v {
                    Some(Value::Array(a)) => Some(
                        a.elements
                            .iter()
                            .filter_map(scalar_text)
                            .collect::<Vec<_>>()
                            .join(sep),
                    ),
                    Some(Value::StringLit(s)) => Some(s.value.to_string()),
                    _ => None,
                }
            };
            let host = join(get(o, "host"), ".");
            let path = join(get(o, "path"), "/");
            if host.is_none() && path.is_none() {
                return None;
            }
            let mut url = String::new();
            if let Some(host) = host {
                if let Some(p) = get_str(o, "protocol") {
                    url.push_str(p.trim_end_matches(':'));
                    url.push_str("://");
                }
                url.push_str(&host);
                if let Some(port) = get(o, "port").and_then(scalar_text) {
                    url.push(':');
                    url.push_str(&port);
                }
            }
            if let Some(path) = path {
                if !path.starts_with('/') {
                    url.push('/');
                }
                url.push_str(&path);
            }
            if let Some(Value::Array(q)) = get(o, "query") {
                let mut first = true;
                for el in &q.elements {
                    let Value::Object(kv) = el else { continue };
                    if get(kv, "disabled")
                        .is_some_and(|d| matches!(d, Value::BooleanLit(b) if b.value))
                    {
                        continue;
                    }
                    let Some(k) = get_str(kv, "key") else {
                        continue;
                    };
                    url.push(if first { '?' } else { '&' });
                    first = false;
                    url.push_str(k);
                    if let Some(v) = get(kv, "value").and_then(scalar_text) {
                        url.push('=');
                        url.push_str(&v);
                    }
                }
            }
            Some(url)
        }
        _ => None,
    }
}

/// HAR 1.2: pages are runs, entries are exchanges.
fn extract_har(root: &Value<'_>, cx: &Cx<'_>, out: &mut Extracted) {
    let Some(log) = root.as_object().and_then(|o| get_object(o, "log")) else {
        return;
    };
    let mut pages: Vec<(String, usize)> = Vec::new();
    if let Some(Value::Array(list)) = get(log, "pages") {
        for page in &list.elements {
            let Value::Object(p) = page else { continue };
            let id = get_str(p, "id").unwrap_or_default().to_string();
            let title = get(p, "title").filter(|t| scalar_text(t).is_some());
            let named = title.or_else(|| get(p, "id"));
            let span = cx.piece.span(p.range);
            let run = Run {
                name: named
                    .and_then(scalar_text)
                    .unwrap_or_else(|| format!("Page {}", out.runs.len() + 1)),
                span,
                name_span: named
                    .map(|n| cx.span(n))
                    .unwrap_or(Span::new(span.start, span.start)),
            };
            pages.push((id, out.runs.len()));
            out.runs.push(run);
        }
    }
    let Some(Value::Array(entries)) = get(log, "entries") else {
        return;
    };
    for entry in &entries.elements {
        let Value::Object(e) = entry else { continue };
        if let Some(ex) = har_entry(e, &pages, cx) {
            out.exchanges.push(ex);
            if cx.record_units {
                push_exchange_unit(out, UnitKind::HarEntry);
            }
        }
    }
    if cx.record_units {
        out.pages = pages;
    }
}

/// The exchange a HAR entry records, named by its URL path and placed in its page.
fn har_entry(e: &Object<'_>, pages: &[(String, usize)], cx: &Cx<'_>) -> Option<Exchange> {
    let mut ex = exchange_in(e, Some("entries"), cx)?;
    if let Some(path) = ex.request.url.as_deref().and_then(url_path) {
        ex.name = Some(path);
    }
    if let Some(pageref) = get_str(e, "pageref") {
        ex.run = pages.iter().find(|(id, _)| id == pageref).map(|(_, i)| *i);
    }
    Some(ex)
}

/// Newman: the collection run is one run, `run.executions[]` are the exchanges (the collection's
/// saved example responses are not calls).
fn extract_newman(root: &Value<'_>, cx: &Cx<'_>, out: &mut Extracted) {
    let Some(obj) = root.as_object() else { return };
    let Some(run) = get_object(obj, "run") else {
        return;
    };
    let Some(Value::Array(executions)) = get(run, "executions") else {
        return;
    };
    let name_value = get_object(obj, "collection")
        .and_then(|c| get_object(c, "info"))
        .and_then(|i| get(i, "name"))
        .filter(|v| scalar_text(v).is_some());
    let span = cx.piece.span(obj.range);
    let run_index = out.runs.len();
    out.runs.push(Run {
        name: name_value
            .and_then(scalar_text)
            .unwrap_or_else(|| "Newman run".to_string()),
        span,
        name_span: name_value
            .map(|v| cx.span(v))
            .unwrap_or(cx.piece.span(run.range)),
    });
    for execution in &executions.elements {
        let Value::Object(e) = execution else {
            continue;
        };
        if let Some(mut ex) = exchange_in(e, Some("executions"), cx) {
            ex.run = Some(run_index);
            out.exchanges.push(ex);
            if cx.record_units {
                push_exchange_unit(out, UnitKind::Exchange);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::parse::parse_with;

    fn extract_all(text: &str) -> Extracted {
        let mut out = Extracted::default();
        parse_with(text, |v, p| extract(v, p, &[], &mut out));
        out
    }

    /// `$0` marks where each exchange's status value starts; returns the text without markers.
    fn check(fixture: &str, expected: &[u16]) -> Extracted {
        let marks: Vec<usize> = fixture.match_indices("$0").map(|(i, _)| i).collect();
        let text = fixture.replace("$0", "");
        let starts: Vec<usize> = marks.iter().enumerate().map(|(n, m)| m - 2 * n).collect();
        let out = extract_all(&text);
        let got: Vec<u16> = out.exchanges.iter().map(|e| e.status).collect();
        assert_eq!(got, expected, "statuses in {text}");
        if !starts.is_empty() {
            let at: Vec<usize> = out.exchanges.iter().map(|e| e.status_span.start).collect();
            assert_eq!(at, starts, "status positions in {text}");
        }
        for e in &out.exchanges {
            let tok = &text[e.status_span.start..e.status_span.end];
            assert_eq!(tok.trim_matches('"'), e.status.to_string());
            assert!(e.span.contains_span(e.status_span));
            assert!(text[e.status_key_span.start..e.status_key_span.end].starts_with('"'));
        }
        out
    }

    #[test]
    fn generic_and_code_rule() {
        check(r#"{"status": $0404, "body": "x"}"#, &[404]);
        check(r#"{"statusCode": $0"503"}"#, &[503]);
        check(r#"{"code": 500, "port": 80}"#, &[]);
        check(r#"{"code": $0500, "body": {}}"#, &[500]);
        check(r#"{"response": {"code": $0404}}"#, &[404]);
        check(r#"{"res": {"code": $0429}}"#, &[429]);
        check(r#"{"status": "failed", "code": 1}"#, &[]);
        check(r#"{"a": {"status": "success"}}"#, &[]);
        // A status in a body is part of the body.
        check(
            r#"[{"status": $0422, "body": {"status": "422", "errors": [{"status": 400}]}}, {"status": $0201, "data": {"code": 500, "body": 1}}]"#,
            &[422, 201],
        );
    }

    #[test]
    fn seed_fixture() {
        let text = include_str!("../../../tests/fixtures/integration/seed-168379.json");
        let out = check(text, &[200, 400]);
        assert_eq!(out.shape, Some(Shape::Integration));
        assert_eq!(out.runs.len(), 1);
        assert_eq!(out.runs[0].name, "run_9f1c2e7a");
        let ex = &out.exchanges[1];
        assert_eq!(ex.name.as_deref(), Some("Add member to Mailchimp audience"));
        assert_eq!(ex.run, Some(0));
        assert_eq!(ex.request.method.as_deref(), Some("POST"));
        let body = ex
            .body
            .as_ref()
            .map(|b| (b.encoding, &text[b.span.start..b.span.start + 10]));
        assert_eq!(body, Some((BodyEncoding::String, "\"{\\\"type\\\"")));
        assert_eq!(
            ex.body.as_ref().and_then(|b| b.mime_type.as_deref()),
            Some("application/problem+json; charset=utf-8")
        );
        assert!(ex.response_span.is_some());
        assert!(ex.request.span.is_some());
        assert_eq!(
            &text[ex.status_key_span.start..ex.status_key_span.end],
            "\"network_code\""
        );
    }

    #[test]
    fn formats() {
        let har = r#"{"log": {"pages": [{"id": "p1", "title": "Shop"}], "entries": [
          {"pageref": "p1", "request": {"method": "GET", "url": "https://x.example/a/b?token=1", "headers": [{"name": "Authorization", "value": "Bearer abc"}]},
           "response": {"status": $0404, "statusText": "Not Found", "headers": [{"name": "Content-Type", "value": "application/json"}],
             "content": {"size": 10, "mimeType": "application/json", "text": "eyJ9", "encoding": "base64"}}}]}}"#;
        let out = check(har, &[404]);
        let ex = &out.exchanges[0];
        assert_eq!(ex.name.as_deref(), Some("/a/b"));
        assert_eq!(ex.run, Some(0));
        assert_eq!(out.runs[0].name, "Shop");
        assert_eq!(ex.status_text.as_deref(), Some("Not Found"));
        assert_eq!(
            ex.body.as_ref().map(|b| b.encoding),
            Some(BodyEncoding::Base64)
        );
        assert_eq!(
            ex.body.as_ref().and_then(|b| b.mime_type.as_deref()),
            Some("application/json")
        );
        assert_eq!(out.shape, Some(Shape::Har));

        let newman = r#"{"collection": {"info": {"name": "Coll"}, "item": [{"response": [{"code": 404, "body": "example"}]}]},
          "run": {"executions": [{"item": {"name": "Add member"}, "request": {"method": "POST",
            "url": {"protocol": "https", "host": ["api", "example", "com"], "path": ["v1", "m"], "query": [{"key": "a", "value": "1"}]}},
            "response": {"status": "Bad Request", "code": $0400, "header": [{"key": "Content-Type", "value": "application/json"}],
              "stream": {"type": "Buffer", "data": [123, 125]}}}]}}"#;
        let out = check(newman, &[400]);
        let ex = &out.exchanges[0];
        assert_eq!(ex.name.as_deref(), Some("Add member"));
        assert_eq!(ex.status_text.as_deref(), Some("Bad Request"));
        assert_eq!(
            ex.request.url.as_deref(),
            Some("https://api.example.com/v1/m?a=1")
        );
        let plain = newman.replace("$0", "");
        let b = ex
            .body
            .as_ref()
            .map(|b| (b.encoding, &plain[b.span.start..b.span.end]));
        assert_eq!(b, Some((BodyEncoding::ByteArray, "[123, 125]")));
        assert_eq!(out.runs[0].name, "Coll");
        assert_eq!(ex.run, Some(0));

        let ecs = "{\"http\":{\"request\":{\"method\":\"PUT\"},\"response\":{\"status_code\":$0409}},\"url\":{\"path\":\"/v1/o\"},\"error\":{\"message\":\"m\"}}\n{\"http.response.status_code\":$0404,\"url.path\":\"/x\"}";
        let out = check(ecs, &[409, 404]);
        assert_eq!(out.exchanges[0].request.method.as_deref(), Some("PUT"));
        assert_eq!(out.exchanges[0].request.url.as_deref(), Some("/v1/o"));
        assert!(out.exchanges[0].body.is_some());
        assert_eq!(out.exchanges[1].name.as_deref(), Some("/x"));

        let nginx = r#"{"request":"GET /api?page=2 HTTP/2.0","status":$0"404"}"#;
        let out = check(nginx, &[404]);
        assert_eq!(out.exchanges[0].request.method.as_deref(), Some("GET"));
        assert_eq!(out.exchanges[0].body, None);
    }

    #[test]
    fn negatives_have_no_exchanges() {
        for text in [
            include_str!("../../../tests/fixtures/negative/composer.json"),
            include_str!("../../../tests/fixtures/negative/json-schema.json"),
            include_str!("../../../tests/fixtures/negative/openapi-3.1.json"),
            include_str!("../../../tests/fixtures/negative/openapi-problem-examples.json"),
            include_str!("../../../tests/fixtures/negative/package-lock.json"),
            include_str!("../../../tests/fixtures/negative/package.json"),
            include_str!("../../../tests/fixtures/negative/stores.geojson"),
            include_str!("../../../tests/fixtures/negative/tsconfig.json"),
            include_str!("../../../tests/fixtures/negative/vscode-settings.json"),
        ] {
            assert_eq!(extract_all(text).exchanges.len(), 0, "{text}");
        }
    }
}
