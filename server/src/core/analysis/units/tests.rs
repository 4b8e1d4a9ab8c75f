use super::*;
use crate::core::analysis::{analyze, analyze_as_one_tree};

/// Every fixture (and generated logs, whole and cut short) analysed unit by unit equals the
/// whole tree's analysis, and HARs, Newman reports, run logs and cassettes really are read unit
/// by unit.
#[test]
fn a_log_read_unit_by_unit_is_analysed_as_the_whole_tree() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures");
    let mut texts: Vec<(String, String)> = Vec::new();
    for dir in std::fs::read_dir(root).into_iter().flatten().flatten() {
        for file in std::fs::read_dir(dir.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            if let Ok(text) = std::fs::read_to_string(file.path()) {
                texts.push((file.path().display().to_string(), text));
            }
        }
    }
    use crate::core::bench_gen::{generate, GenFormat};
    let generated = generate(GenFormat::Har, 1 << 20);
    texts.push(("generated".into(), generated.clone()));
    texts.push((
        "generated run log".into(),
        generate(GenFormat::RunLog, 1 << 20),
    ));
    let cut = generated.len() * 2 / 3;
    texts.push((
        "generated, cut".into(),
        generated[..generated.floor_char_boundary(cut)].to_string(),
    ));
    let entry = |status: u16, page: &str| {
        format!(
            r#"{{"pageref": "{page}", "request": {{"method": "GET", "url": "https://a.example/x"}},
            "response": {{"status": {status}, "content": {{"text": "{{\"error\": \"nope\"}}"}}}}}}"#
        )
    };
    let crafted = [
        // Pages after the entries: their spans move by what the entries take in the text.
        (
            "pages after entries",
            format!(
                r#"{{"log": {{"entries": [{}, {}], "pages": [{{"id": "p1", "title": "Shop"}}, {{"id": "p2"}}]}}}}"#,
                entry(404, "p2"),
                entry(200, "p1")
            ),
        ),
        (
            "jsonc",
            format!(
                "{{\"log\": {{ /* pages */ \"pages\": [], // entries\n \"entries\": [{}, ], }}}}",
                entry(503, "p")
            ),
        ),
        ("bom", format!("\u{feff}{{\"log\": {{\"entries\": [{}]}}}}", entry(404, "p"))),
        (
            "newman crafted",
            r#"{"collection": {"info": {"name": "Shop API"}}, "run": {"executions": [
                {"item": {"name": "Create"}, "response": {"code": 422, "body": "{\"message\": \"bad\"}"}},
                {"item": {"name": "List"}, "response": {"code": 200}}]}}"#
                .to_string(),
        ),
    ];
    texts.extend(crafted.iter().map(|(n, t)| (n.to_string(), t.clone())));
    let mut taken = Vec::new();
    for config in [
        AnalysisConfig::default(),
        AnalysisConfig {
            max_findings: 3,
            redact: vec!["X-Request-Id".into()],
            ..AnalysisConfig::default()
        },
    ] {
        for (name, text) in &texts {
            assert_eq!(
                analyze(text, &config),
                analyze_as_one_tree(text, &config),
                "{name}"
            );
            if by_units(text, &config).is_some() {
                taken.push(name.clone());
            }
        }
    }
    for name in [
        "chromium-recorded.har",
        "chromium-recorded.pretty.har",
        "generated",
        "newman-report.json",
        "pages after entries",
        "jsonc",
        "newman crafted",
        "generated run log",
        "seed-168379.json",
        "multi-run.json",
        "vcrpy-errors.json",
    ] {
        assert!(
            taken.iter().any(|n| n.ends_with(name)),
            "{name} is read unit by unit: {taken:?}"
        );
    }
    assert!(!taken
        .iter()
        .any(|n| n.ends_with("cut") || n.ends_with("bom")));
}
