//! The stdin guard on arbitrary bytes pushed in arbitrary chunks: it never panics, never loops,
//! and every frame it passes on is a plain `Content-Length` header and a body of that length.
#![no_main]
use libfuzzer_sys::fuzz_target;
use runlog_lsp::lsp::framing::{Next, Reframer};

fuzz_target!(|input: (Vec<u8>, Vec<u8>)| {
    let (bytes, cuts) = input;
    let mut reframer = Reframer::default();
    let mut at = 0;
    let mut cuts = cuts.into_iter();
    while at < bytes.len() {
        let n = (cuts.next().unwrap_or(255) as usize).max(1).min(bytes.len() - at);
        reframer.push(&bytes[at..at + n]);
        at += n;
        // Each call consumes input or asks for more: bounded by the input's length.
        for _ in 0..=bytes.len() {
            match reframer.next_frame() {
                Next::NeedMore => break,
                Next::Dropped(_) => {}
                Next::Message(frame) => {
                    let text = String::from_utf8(frame).expect("frames are UTF-8");
                    let (header, body) = text.split_once("\r\n\r\n").expect("a header block");
                    let length: usize = header
                        .strip_prefix("Content-Length: ")
                        .and_then(|l| l.parse().ok())
                        .expect("a plain Content-Length header");
                    assert_eq!(length, body.len());
                    assert!(serde_json::from_str::<serde_json::Value>(body).is_ok());
                }
            }
        }
    }
});
