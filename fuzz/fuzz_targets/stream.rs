//! Streaming analysis on arbitrary bytes read in arbitrary small pieces: it never panics, its
//! read buffer stays bounded, and when it says its result is exact, the findings (and the calls
//! they are about) are those of `analyze` on the whole text.
#![no_main]
use libfuzzer_sys::fuzz_target;
use runlog_lsp::core::stream::analyze_reader;
use runlog_lsp::core::{analyze, AnalysisConfig, Exchange, Finding};
use std::io::Read;

/// Hands out at most `step` bytes per read, so the splitter meets buffer boundaries everywhere.
struct Trickle<'a> {
    data: &'a [u8],
    step: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.step.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&step, text)) = data.split_first() else {
        return;
    };
    let config = AnalysisConfig::default();
    let reader = Trickle {
        data: text,
        step: (step as usize % 64) + 1,
    };
    let Ok(streamed) = analyze_reader(reader, &config, |_, _, view| view.text.len()) else {
        return;
    };
    assert!(streamed.peak_buffer <= text.len() + (4 << 20));
    if streamed.inexact.is_some() {
        return;
    }
    let Ok(whole) = std::str::from_utf8(text) else {
        return;
    };
    let full = analyze(whole, &config);
    assert_eq!(streamed.format, full.format);
    let got: Vec<&Finding> = streamed.findings.iter().map(|l| &l.finding).collect();
    let want: Vec<Finding> = full
        .findings
        .iter()
        .map(|f| Finding { exchange: None, ..f.clone() })
        .collect();
    assert_eq!(got, want.iter().collect::<Vec<_>>());
    for (located, f) in streamed.findings.iter().zip(&full.findings) {
        let want = f
            .exchange
            .and_then(|i| full.exchanges.get(i))
            .map(|e| Exchange { run: None, ..e.clone() });
        let got = located.exchange.clone().map(|e| Exchange { run: None, ..e });
        assert_eq!(got, want);
    }
});
