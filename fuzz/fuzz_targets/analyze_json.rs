//! Structured input: JSON trees built from run-log vocabulary (status keys, bodies, headers,
//! HAR/Newman/integration shapes) so the fuzzer reaches detection, extraction and explanation,
//! then every query the server makes on the result. Nothing may panic; spans stay in bounds; a
//! HAR read entry by entry is analysed as its whole tree.
#![no_main]
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use runlog_lsp::core::analysis::analyze_as_one_tree;
use runlog_lsp::core::{analyze, payload, AnalysisConfig};

const KEYS: &[&str] = &[
    "status", "statusCode", "status_code", "code", "network_code", "http.response.status_code",
    "body", "Body", "headers", "Headers", "response", "Response", "request", "Request", "url",
    "method", "content", "text", "encoding", "mimeType", "log", "entries", "run", "executions",
    "stream", "data", "type", "error", "errors", "message", "title", "detail", "ok", "runs",
    "steps", "name", "payload", "Authorization", "statusText", "openapi", "responses", "http",
];

#[derive(Arbitrary, Debug)]
enum Node {
    Null,
    Bool(bool),
    Status(u16),
    StatusString(u16),
    Number(i64),
    Text(String),
    /// A string holding the serialised child: the escaped-body shape.
    Escaped(Box<Node>),
    Array(Vec<Node>),
    Object(Vec<(u8, Node)>),
}

/// Each escape level doubles the backslashes, so nested `Escaped` nodes would grow the text
/// exponentially (a 198-byte input once asked for gigabytes): logs escape a body twice at most,
/// and the whole text is kept under `MAX_TEXT`.
const MAX_ESCAPES: usize = 3;
const MAX_TEXT: usize = 1 << 20;

fn write(node: &Node, out: &mut String, depth: usize, escapes: usize) {
    if depth > 40 || out.len() > MAX_TEXT {
        out.push_str("null");
        return;
    }
    match node {
        Node::Null => out.push_str("null"),
        Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Node::Status(code) => out.push_str(&(code % 1000).to_string()),
        Node::StatusString(code) => out.push_str(&format!("\"{}\"", code % 1000)),
        Node::Number(n) => out.push_str(&n.to_string()),
        Node::Text(s) => out.push_str(&serde_json::to_string(s).unwrap_or_default()),
        Node::Escaped(inner) if escapes >= MAX_ESCAPES => write(inner, out, depth + 1, escapes),
        Node::Escaped(inner) => {
            let mut s = String::new();
            write(inner, &mut s, depth + 1, escapes + 1);
            out.push_str(&serde_json::to_string(&s).unwrap_or_default());
        }
        Node::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(",\n");
                }
                write(item, out, depth + 1, escapes);
            }
            out.push(']');
        }
        Node::Object(props) => {
            out.push('{');
            for (i, (key, value)) in props.iter().enumerate() {
                if i > 0 {
                    out.push_str(",\n ");
                }
                out.push('"');
                out.push_str(KEYS[*key as usize % KEYS.len()]);
                out.push_str("\": ");
                write(value, out, depth + 1, escapes);
            }
            out.push('}');
        }
    }
}

fuzz_target!(|input: (Node, u16)| {
    let (node, cut) = input;
    let mut text = String::new();
    write(&node, &mut text, 0, 0);
    // Also a truncated copy: a log still being written.
    let mut cut = cut as usize % (text.len() + 1);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let config = AnalysisConfig::default();
    for text in [&text[..], &text[..cut]] {
        let analysis = analyze(text, &config);
        // A HAR read entry by entry gives what its whole tree gives.
        assert_eq!(analysis, analyze_as_one_tree(text, &config));
        for finding in &analysis.findings {
            assert!(finding.span.start <= finding.span.end && finding.span.end <= text.len());
            assert!(text.is_char_boundary(finding.span.start) && text.is_char_boundary(finding.span.end));
        }
        for (i, exchange) in analysis.exchanges.iter().enumerate() {
            assert!(exchange.span.end <= text.len() && exchange.status_span.end <= text.len());
            let _ = payload::payload(text, &analysis, i, &config);
            let _ = analysis.exchange_at(exchange.status_span.start);
        }
    }
});
