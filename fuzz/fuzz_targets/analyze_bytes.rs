//! Arbitrary bytes (as lossy UTF-8) through the whole analysis: it must never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use runlog_lsp::core::{analyze, AnalysisConfig};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = analyze(&text, &AnalysisConfig::default());
});
