//! The body decoders and explainers on arbitrary bytes stored every way a log stores a body:
//! as a JSON string, as base64, as a byte array, inline. Unfold/fold must hold their contract.
#![no_main]
use libfuzzer_sys::fuzz_target;
use runlog_lsp::core::body::{decode, decode_bytes};
use runlog_lsp::core::explain::{explain, reported_error};
use runlog_lsp::core::model::{BodyEncoding, BodyRef, Span};
use runlog_lsp::core::unfold::{fold, unfold};

fn body(text: &str, encoding: BodyEncoding) -> BodyRef {
    BodyRef { span: Span::new(0, text.len()), encoding, mime_type: None }
}

fuzz_target!(|data: &[u8]| {
    let lossy = String::from_utf8_lossy(data);
    let as_string = serde_json::to_string(&*lossy).unwrap_or_default();
    let as_bytes = serde_json::to_string(data).unwrap_or_default();
    let cases = [
        (as_string.clone(), BodyEncoding::String),
        (as_string.clone(), BodyEncoding::Base64),
        (as_bytes, BodyEncoding::ByteArray),
        (lossy.to_string(), BodyEncoding::Inline),
    ];
    for (text, encoding) in cases {
        let decoded = decode(&text, &body(&text, encoding));
        let _ = explain(&decoded);
        let _ = reported_error(&decoded);
    }
    let _ = explain(&decode_bytes(data.to_vec(), Some("text/html")));
    // A string token that unfolds must fold back into a string token that unfolds the same way.
    let span = Span::new(0, as_string.len());
    if let Some(unfolded) = unfold(&as_string, span, "  ", "") {
        let folded = fold(&unfolded, Span::new(0, unfolded.len())).expect("an unfolded body folds back");
        let again = unfold(&folded, Span::new(0, folded.len()), "  ", "").expect("a folded body unfolds");
        assert_eq!(again, unfolded);
    }
});
