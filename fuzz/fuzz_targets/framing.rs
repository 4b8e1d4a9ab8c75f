//! The stdin framing on arbitrary bytes pushed in arbitrary chunks: it never panics, never loops,
//! and every message it passes on is a request or a response that writes back as JSON.
#![no_main]
use libfuzzer_sys::fuzz_target;
use runlog_lsp::lsp::framing::{Incoming, Next, Reframer};

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
                Next::Message(message) => {
                    let written = match message {
                        Incoming::Request(r) => serde_json::to_vec(&r),
                        Incoming::Response(r) => serde_json::to_vec(&r),
                    };
                    let written = written.expect("a decoded message writes back");
                    assert!(serde_json::from_slice::<serde_json::Value>(&written).is_ok());
                }
            }
        }
    }
});
