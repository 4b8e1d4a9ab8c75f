//! Incremental re-analysis against a full one: a text (seeded with the fixtures) and edits drawn
//! from the same bytes, under the default limits and under small ones. `reanalyze` must give
//! exactly `analyze` of the edited text, whichever path it takes.
#![no_main]
use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use runlog_lsp::core::{analyze, reanalyze, AnalysisConfig};

/// Edit text that keeps a log a log often enough to reach the fast paths.
const INSERTS: &[&str] = &[
    "", "4", "404", "500", "200", "\"", "{", "}", ",", "\n", "\\\"", " ", "é😀", "x",
    "{\"status\": 404, \"body\": \"gone\"}\n", "\"errors\": [1]",
];

#[derive(Arbitrary, Debug)]
struct Edit {
    at: u32,
    delete: u8,
    insert: u8,
    own: Option<String>,
}

fn floor(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fuzz_target!(|data: &[u8]| {
    let mut text = String::from_utf8_lossy(data).into_owned();
    let mut u = Unstructured::new(data);
    let mut config = AnalysisConfig::default();
    match u.arbitrary::<u8>().unwrap_or(0) % 8 {
        1 => config.max_findings = 1,
        2 => config.max_body_size = 32,
        3 => config.max_line_length = 120,
        4 => config.max_nesting_depth = 4,
        _ => {}
    }
    let mut previous = analyze(&text, &config);
    for _ in 0..4 {
        let Ok(edit) = u.arbitrary::<Edit>() else { break };
        let start = floor(&text, edit.at as usize % (text.len() + 1));
        let end = floor(&text, start + edit.delete as usize % 16);
        let insert = match &edit.own {
            Some(own) if own.len() <= 64 => own.as_str(),
            _ => INSERTS[edit.insert as usize % INSERTS.len()],
        };
        let mut new = text.clone();
        new.replace_range(start..end.max(start), insert);
        let fast = reanalyze(&previous, &text, &new, &config);
        let full = analyze(&new, &config);
        assert_eq!(fast, full, "edit [{start}, {end}) -> {insert:?}");
        previous = fast;
        text = new;
    }
});
