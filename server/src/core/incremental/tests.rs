use super::*;
use crate::core::model::FindingKind;
use proptest::prelude::*;

fn fixture(path: &str) -> String {
    let full = format!("{}/../tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// The fixtures the property tests edit: one of each format, broken and truncated logs.
fn fixtures() -> Vec<String> {
    let mut paths: Vec<String> = [
        "integration/seed-168379.json",
        "integration/multi-run.json",
        "har/chromium-recorded.har",
        "har/chromium-recorded.pretty.har",
        "newman/newman-report.json",
        "unicode/bom.json",
        "unicode/crlf.json",
        "unicode/emoji-cjk.json",
    ]
    .map(String::from)
    .to_vec();
    for dir in ["jsonl", "generic", "truncated", "n8n", "body-truncated"] {
        let full = format!("{}/../tests/fixtures/{dir}", env!("CARGO_MANIFEST_DIR"));
        let mut names: Vec<String> = std::fs::read_dir(&full)
            .unwrap_or_else(|e| panic!("{full}: {e}"))
            .flatten()
            .map(|e| format!("{dir}/{}", e.file_name().to_string_lossy()))
            .collect();
        names.sort();
        paths.extend(names);
    }
    paths.iter().map(|p| fixture(p)).collect()
}

/// Replaces `old[at..at + len]` (moved to char boundaries) with `insert`.
fn edited(old: &str, at: usize, len: usize, insert: &str) -> String {
    let floor = |mut i: usize| {
        i = i.min(old.len());
        while !old.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = floor(at);
    let end = floor(start + len).max(start);
    format!("{}{insert}{}", &old[..start], &old[end..])
}

/// Re-analyses `old` → `new` from `prev` and checks it against a full analysis.
fn step(
    prev: &Analysis,
    old: &str,
    new: &str,
    config: &AnalysisConfig,
) -> (Analysis, ReanalysisPath) {
    let (got, path) = reanalyze_with_path(prev, old, new, config);
    let want = analyze(new, config);
    assert_eq!(got, want, "path {path:?}\nold: {old:?}\nnew: {new:?}");
    (got, path)
}

fn with_cap(max_findings: usize) -> AnalysisConfig {
    AnalysisConfig {
        max_findings,
        ..AnalysisConfig::default()
    }
}

/// The cap plus, by `limits`: none, small bodies, short lines, shallow nesting (each small
/// enough for the fixtures to hit it).
fn with_limits(max_findings: usize, limits: usize) -> AnalysisConfig {
    let mut config = with_cap(max_findings);
    match limits {
        1 => config.max_body_size = 40,
        2 => config.max_line_length = 200,
        3 => config.max_nesting_depth = 5,
        _ => {}
    }
    config
}

fn snippet() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(vec![
            "\"",
            "{",
            "}",
            ",",
            "\n",
            "404",
            "500",
            "200",
            "é😀",
            ":",
            "[",
            "]",
            " ",
            "\\",
            "\"status\": 503, ",
            "\"code\": 418",
            "{\"status\": 429}",
            "x",
            "\r\n",
            "//",
            "/*",
            "\"errors\": [1]",
            "\"ok\": false",
            " [truncated]",
            "\"comment\": \"truncated\", ",
        ])
        .prop_map(String::from),
        proptest::collection::vec(
            proptest::sample::select(vec![
                '"', '{', '}', ',', '\n', '4', '0', 'é', '😀', 'a', ' ', ':'
            ]),
            0..6
        )
        .prop_map(|c| c.into_iter().collect()),
    ]
}

/// (offset as a fraction of the length, deleted bytes, inserted text).
fn edit() -> impl Strategy<Value = (f64, usize, String)> {
    (
        0.0..=1.0f64,
        prop_oneof![Just(0usize), 1..4usize, 0..40usize],
        snippet(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn edits_reanalyse_like_a_full_analysis(
        which in 0..64usize,
        edits in proptest::collection::vec(edit(), 1..=5),
        cap in prop_oneof![Just(10_000usize), Just(1usize), Just(2usize)],
        limits in prop_oneof![3 => Just(0usize), 1 => 1..4usize],
    ) {
        let all = fixtures();
        let config = with_limits(cap, limits);
        let mut text = all[which % all.len()].clone();
        let mut prev = analyze(&text, &config);
        for (frac, len, insert) in edits {
            let at = (frac * text.len() as f64) as usize;
            let new = edited(&text, at, len, &insert);
            prev = step(&prev, &text, &new, &config).0;
            text = new;
        }
    }

    #[test]
    fn appends_reanalyse_like_a_full_analysis(
        which in 0..4usize,
        cut in 0.0..=1.0f64,
        chunks in proptest::collection::vec(1..400usize, 1..=5),
        extra in proptest::collection::vec(
            proptest::sample::select(vec![
                "{\"status\": 404, \"body\": \"x\"}\n",
                "{\"res\": {\"statusCode\": 502}, \"msg\": \"é😀\"}\n",
                "{\"status\": 200, \"body\": {\"ok\": false}}\n",
                "{\"level\": \"info\"}\n",
                "{\"status\": 500, \"body\": \"",
                "\n",
                "not json\n",
            ]),
            0..4,
        ),
        cap in prop_oneof![Just(10_000usize), Just(1usize)],
        limits in prop_oneof![3 => Just(0usize), 1 => 1..4usize],
    ) {
        let config = with_limits(cap, limits);
        let paths = ["jsonl/pino-http.jsonl", "jsonl/nginx-access.jsonl", "jsonl/ecs-access.jsonl", "jsonl/broken-line.jsonl"];
        let mut whole = fixture(paths[which]);
        whole.extend(extra);
        let mut at = (cut * whole.len() as f64) as usize;
        while !whole.is_char_boundary(at) {
            at -= 1;
        }
        // A log being written: a prefix, then the rest in chunks.
        let mut text = whole[..at].to_string();
        let mut prev = analyze(&text, &config);
        for chunk in chunks {
            let mut end = (at + chunk).min(whole.len());
            while !whole.is_char_boundary(end) {
                end += 1;
            }
            let new = whole[..end].to_string();
            prev = step(&prev, &text, &new, &config).0;
            text = new;
            at = end;
        }
    }
}

/// Changes the first `from` in `text` (after `after`) to `to`.
fn replace_after(text: &str, after: &str, from: &str, to: &str) -> String {
    let base = text
        .find(after)
        .unwrap_or_else(|| panic!("{after:?} not found"));
    let at = base
        + text[base..]
            .find(from)
            .unwrap_or_else(|| panic!("{from:?} not found"));
    format!("{}{to}{}", &text[..at], &text[at + from.len()..])
}

fn path_of(old: &str, new: &str, config: &AnalysisConfig) -> ReanalysisPath {
    step(&analyze(old, config), old, new, config).1
}

#[test]
fn edit_inside_a_call_is_incremental() {
    let config = AnalysisConfig::default();
    let seed = fixture("integration/seed-168379.json");
    let new = replace_after(&seed, "already a list member", "list", "mailing list");
    assert_eq!(path_of(&seed, &new, &config), ReanalysisPath::Incremental);
    let a = reanalyze(&analyze(&seed, &config), &seed, &new, &config);
    assert!(
        a.findings[0]
            .message
            .contains("already a mailing list member"),
        "{}",
        a.findings[0].message
    );

    let har = fixture("har/chromium-recorded.har");
    let new = replace_after(&har, "\"entries\"", "\"status\":200", "\"status\":404");
    assert_ne!(new, har);
    assert_eq!(path_of(&har, &new, &config), ReanalysisPath::Incremental);

    let newman = fixture("newman/newman-report.json");
    let new = replace_after(&newman, "\"executions\"", "\"code\": 400", "\"code\": 503");
    assert_eq!(path_of(&newman, &new, &config), ReanalysisPath::Incremental);

    let jsonl = fixture("jsonl/pino-http.jsonl");
    let new = replace_after(&jsonl, "\n", "\"statusCode\":200", "\"statusCode\":404");
    assert_eq!(path_of(&jsonl, &new, &config), ReanalysisPath::Incremental);

    // Spans after the edit moved by its length.
    let text = r#"[{"status": 404, "body": "a"}, {"status": 500, "body": "b"}]"#;
    let new = text.replace("\"a\"", "\"abc\"");
    let a = reanalyze(&analyze(text, &config), text, &new, &config);
    assert_eq!(a.findings[1].span.start, new.find("500").unwrap_or(0));
    assert_eq!(path_of(text, &new, &config), ReanalysisPath::Incremental);
}

#[test]
fn appended_lines_are_analysed_alone() {
    let config = AnalysisConfig::default();
    let jsonl = fixture("jsonl/nginx-access.jsonl");
    let line = "{\"request\":\"GET /x HTTP/1.1\",\"status\":\"503\"}\n";
    let new = format!("{jsonl}{line}");
    assert_eq!(path_of(&jsonl, &new, &config), ReanalysisPath::Append);
    // Completing a half-written last line.
    let half = format!("{jsonl}{}", &line[..20]);
    assert_eq!(path_of(&half, &new, &config), ReanalysisPath::Append);
    let a = reanalyze(&analyze(&half, &config), &half, &new, &config);
    assert_eq!(a.findings.last().map(|f| f.status), Some(Some(503)));
    assert!(a
        .findings
        .iter()
        .all(|f| f.kind != FindingKind::InvalidJson));
}

/// Random small edits (a letter, a digit, a deletion) over logs made mostly of calls: most
/// land inside a call and must take the fast path; all must equal a full analysis.
#[test]
fn random_edits_mostly_take_the_fast_path() {
    let config = AnalysisConfig::default();
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let (mut fast, mut total) = (0, 0);
    for path in [
        "har/chromium-recorded.har",
        "integration/multi-run.json",
        "jsonl/pino-http.jsonl",
        "jsonl/nginx-access.jsonl",
        "jsonl/ecs-access.jsonl",
    ] {
        let text = fixture(path);
        let prev = analyze(&text, &config);
        for _ in 0..40 {
            let new = match next(3) {
                0 => edited(&text, next(text.len()), 0, "x"),
                1 => edited(&text, next(text.len()), 0, "7"),
                _ => edited(&text, next(text.len()), 1, ""),
            };
            let (_, path) = step(&prev, &text, &new, &config);
            fast += usize::from(path == ReanalysisPath::Incremental);
            total += 1;
        }
    }
    assert!(
        fast * 3 > total * 2,
        "{fast} of {total} edits were incremental"
    );
}

#[test]
fn structural_edits_fall_back() {
    let config = AnalysisConfig::default();
    let text = r#"[{"status": 404, "body": "a"}, {"status": 500, "body": "b"}]"#;
    // Deleting a call's closing brace, a comma between calls, an edit making a call none.
    for (from, to) in [
        ("\"a\"}", "\"a\""),
        ("}, {", "} {"),
        ("\"status\": 500", "\"state\": 500"),
    ] {
        let new = text.replacen(from, to, 1);
        assert_eq!(path_of(text, &new, &config), ReanalysisPath::Full, "{new}");
    }
    // A newline splitting a JSON Lines line.
    let jsonl = fixture("jsonl/pino-http.jsonl");
    let new = replace_after(&jsonl, "\n", "\"method\":", "\"method\":\n");
    assert_eq!(path_of(&jsonl, &new, &config), ReanalysisPath::Full);
    assert_eq!(path_of(&jsonl, &jsonl, &config), ReanalysisPath::Unchanged);
}

#[test]
fn a_call_its_parent_reads_is_no_unit() {
    let config = AnalysisConfig::default();
    // The inner object is the call (through its own `response`); a status written on it
    // makes its parent the call instead.
    let text = r#"[{"name": "a", "response": {"response": {"status": 404}, "x": 1}}]"#;
    let new = text.replacen("\"x\": 1", "\"status\": 500", 1);
    assert_eq!(path_of(text, &new, &config), ReanalysisPath::Full);
    assert_eq!(analyze(&new, &config).exchanges[0].span.start, 1);
    // A call right under an object root: the root's shape reads it (a Postman collection
    // is ordinary JSON).
    let text = r#"{"info": {"status": 404, "body": "x"}, "item": []}"#;
    let new = text.replacen("\"body\"", "\"postmanId\": \"p\", \"body\"", 1);
    assert_eq!(path_of(text, &new, &config), ReanalysisPath::Full);
    assert_eq!(analyze(&new, &config), Analysis::default());
}

#[test]
fn an_edit_nesting_deeper_falls_back() {
    let config = AnalysisConfig::default();
    // 510 levels in the whole text, 505 in the call; five more pass the parser's limit
    // (512) in the whole text, though the call alone would still parse.
    let deep = format!("{}{}", "[".repeat(504), "]".repeat(504));
    let text = format!("[[[[[{{\"status\": 404, \"body\": {deep}}}, {{\"status\": 500}}]]]]]");
    let limited = |a: &Analysis| {
        a.findings
            .iter()
            .any(|f| f.kind == FindingKind::LimitReached)
    };
    assert!(!limited(&analyze(&text, &config)));
    let new = text.replacen("[]", "[[[[[[]]]]]]", 1);
    assert_eq!(path_of(&text, &new, &config), ReanalysisPath::Full);
    assert!(limited(&analyze(&new, &config)));
    // Not deeper: incremental.
    let wider = text.replacen("[]", "[],[]", 1);
    assert_eq!(path_of(&text, &wider, &config), ReanalysisPath::Incremental);
}

#[test]
fn the_cap_is_applied_again() {
    let config = with_cap(2);
    let text = r#"[{"status": 500, "body": "a"}, {"status": 501, "body": "b"}, {"status": 502, "body": "c"}, {"status": 503, "body": "d"}]"#;
    // The first call stops failing: the first call the cap left out is now shown.
    let new = text.replacen("500", "200", 1);
    assert_eq!(path_of(text, &new, &config), ReanalysisPath::Incremental);
    let a = reanalyze(&analyze(text, &config), text, &new, &config);
    let shown: Vec<Option<u16>> = a.findings.iter().map(|f| f.status).collect();
    assert_eq!(shown, [Some(501), Some(502), None]);
    assert!(a.findings[2]
        .message
        .starts_with("1 more failing call not shown"));
    // And back: the summary counts two again.
    assert_eq!(path_of(&new, text, &config), ReanalysisPath::Incremental);
}

#[test]
fn whitespace_between_calls_only_moves_what_follows() {
    let config = AnalysisConfig::default();
    for path in [
        "har/chromium-recorded.pretty.har",
        "integration/multi-run.json",
        "newman/newman-report.json",
    ] {
        let text = fixture(path);
        let prev = analyze(&text, &config);
        let (first, second) = (&prev.units.list[0], &prev.units.list[1]);
        let comma = first.span.end + text[first.span.end..].find(',').expect(path);
        // A blank line between two calls, indentation added and taken away before one.
        for (at, len, insert) in [
            (comma + 1, 0, "\n\n"),
            (second.span.start, 0, "  "),
            (second.span.start - 1, 1, ""),
        ] {
            let new = edited(&text, at, len, insert);
            let (_, taken) = step(&prev, &text, &new, &config);
            assert_eq!(taken, ReanalysisPath::Shifted, "{path}: {insert:?} at {at}");
        }
        // Right after a call's closing bracket: that call's end must not move.
        let new = edited(&text, first.span.end, 0, " ");
        assert_ne!(step(&prev, &text, &new, &config).1, ReanalysisPath::Shifted);
    }
    // Inside a string of the text around the calls, or in JSON Lines: analysed otherwise.
    let text = r#"{"name": "a  b", "runs": [{"steps": [{"status": 404}]}]}"#;
    let new = text.replacen("a  b", "a   b", 1);
    assert_ne!(path_of(text, &new, &config), ReanalysisPath::Shifted);
    let jsonl = fixture("jsonl/pino-http.jsonl");
    let first_end = jsonl.find('\n').unwrap();
    let new = edited(&jsonl, first_end, 0, "\n");
    assert_ne!(path_of(&jsonl, &new, &config), ReanalysisPath::Shifted);
}

/// An edit's analysis shares the chunks of calls it neither replaces nor moves, which holds only
/// if no span of a call reaches past the call's own: checked on every fixture of every format.
#[test]
fn every_span_of_a_call_lies_within_it() {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| {
                ["json", "har", "jsonl", "ndjson", "log"].contains(&&*e.to_string_lossy())
            }) {
                out.push(path);
            }
        }
    }
    let mut paths = Vec::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures"),
        &mut paths,
    );
    let mut calls = 0;
    for path in &paths {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        for ex in analyze(&text, &AnalysisConfig::default()).exchanges.iter() {
            let mut past_it = ex.clone();
            past_it.shift(ex.span.end + 1, 7);
            assert_eq!(&past_it, ex, "{}", path.display());
            calls += 1;
        }
    }
    assert!(calls > 150, "{calls} calls in {} fixtures", paths.len());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Generated logs of hundreds of calls, so that edits land in every chunk of calls and the
    /// chunks around them are shared: flipping a status (the length kept) and any snippet edit.
    #[test]
    fn edits_in_long_logs_reanalyse_like_a_full_analysis(
        format in 0..3usize,
        edits in proptest::collection::vec((0.0..1.0f64, any::<bool>(), edit()), 1..=4),
    ) {
        use crate::core::bench_gen::{generate, GenFormat};
        let format = [GenFormat::Har, GenFormat::RunLog, GenFormat::JsonLines][format];
        let config = AnalysisConfig::default();
        let mut text = generate(format, 700_000);
        let mut prev = analyze(&text, &config);
        prop_assert!(prev.exchanges.len() > 3 * 64, "{} calls", prev.exchanges.len());
        for (at, flip, (frac, len, insert)) in edits {
            let new = if flip {
                // The status of the call at `at`, 200 ↔ 404.
                let index = ((at * prev.exchanges.len() as f64) as usize).min(prev.exchanges.len() - 1);
                let span = prev.exchanges[index].status_span;
                let to = if &text[span.start..span.end] == "404" { "200" } else { "404" };
                edited(&text, span.start, span.end - span.start, to)
            } else {
                edited(&text, (frac * text.len() as f64) as usize, len, &insert)
            };
            prev = step(&prev, &text, &new, &config).0;
            text = new;
        }
    }
}
