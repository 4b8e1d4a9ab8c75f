//! Arbitrary bytes (as lossy UTF-8) through the whole analysis: it must never panic, and a HAR
//! read entry by entry is analysed as its whole tree.
#![no_main]
use libfuzzer_sys::fuzz_target;
use runlog_lsp::core::analysis::analyze_as_one_tree;
use runlog_lsp::core::{analyze, AnalysisConfig};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let config = AnalysisConfig::default();
    assert_eq!(analyze(&text, &config), analyze_as_one_tree(&text, &config));
});
