//! `cargo bench -p runlog-lsp --bench analysis`: analysis throughput against a bare jsonc-parser
//! parse of the same text (the target: analysis at ≥ 70% of the parse's throughput).
//!
//! Inputs are generated in memory (see `gen/mod.rs`): HAR, integration run log and JSON Lines of
//! 1, 10 and 50 MB. Set `RUNLOG_BENCH_SIZES=1,10` to choose sizes (MB); the default is all three.
//! Bench time is kept modest: 10 flat samples, short warm-up.
//!
//! The `edit` groups time `reanalyze` after an edit: a call's status code changed in the middle of
//! the log (all three formats), and a line appended to the JSON Lines log.

#[path = "gen/baseline.rs"]
mod baseline;
mod gen;

use criterion::{
    criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput,
};
use gen::{GenFormat, MB};
use runlog_lsp::core::groups;
use runlog_lsp::core::incremental::{reanalyze_with_path, ReanalysisPath};
use runlog_lsp::core::{analyze, reanalyze, AnalysisConfig};
use std::hint::black_box;
use std::time::Duration;

fn sizes() -> Vec<usize> {
    std::env::var("RUNLOG_BENCH_SIZES")
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .filter(|v: &Vec<usize>| !v.is_empty())
        .unwrap_or_else(|| vec![1, 10, 50])
}

fn bench_analysis(c: &mut Criterion) {
    let config = AnalysisConfig::default();
    for format in GenFormat::ALL {
        let mut group = c.benchmark_group(format!("analysis/{}", format.name()));
        group.sample_size(10);
        group.sampling_mode(SamplingMode::Flat);
        group.warm_up_time(Duration::from_millis(500));
        for mb in sizes() {
            let text = gen::generate(format, mb * MB);
            group.throughput(Throughput::Bytes(text.len() as u64));
            group.measurement_time(Duration::from_secs(if mb >= 50 { 8 } else { 3 }));
            group.bench_with_input(
                BenchmarkId::new("jsonc_parse", format!("{mb}MB")),
                &text,
                |b, t| b.iter(|| baseline::bare_parse(format, black_box(t))),
            );
            group.bench_with_input(
                BenchmarkId::new("analyze", format!("{mb}MB")),
                &text,
                |b, t| b.iter(|| analyze(black_box(t), &config).exchanges.len()),
            );
        }
        group.finish();
    }
}

/// The text with the status code of the first call after the middle changed (so its finding
/// changes too).
fn status_edited(format: GenFormat, text: &str) -> String {
    let key = match format {
        GenFormat::Har => "\"status\": ",
        GenFormat::RunLog => "\"network_code\": ",
        GenFormat::JsonLines => "\"statusCode\":",
    };
    let middle = text.len() / 2;
    let at = middle + text[middle..].find(key).expect("a call after the middle") + key.len();
    let code = if &text[at..at + 3] == "503" {
        "404"
    } else {
        "503"
    };
    format!("{}{code}{}", &text[..at], &text[at + 3..])
}

fn bench_edit(c: &mut Criterion) {
    let config = AnalysisConfig::default();
    let mut group = c.benchmark_group("edit");
    group.sample_size(20);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));
    for mb in sizes() {
        let mut cases = Vec::new();
        for format in GenFormat::ALL {
            let old = gen::generate(format, mb * MB);
            let new = status_edited(format, &old);
            cases.push((
                format!("{}/in-call", format.name()),
                old,
                new,
                ReanalysisPath::Incremental,
            ));
        }
        // A log being written: its last line arrives.
        let new = gen::generate(GenFormat::JsonLines, mb * MB);
        let trimmed = new.trim_end_matches('\n');
        let old = new[..trimmed.rfind('\n').map_or(0, |i| i + 1)].to_string();
        cases.push(("jsonl/append".to_string(), old, new, ReanalysisPath::Append));
        for (name, old, new, path) in cases {
            let previous = analyze(&old, &config);
            // The bench must time the fast path, not a silent fall-back to a full analysis.
            assert_eq!(
                reanalyze_with_path(&previous, &old, &new, &config).1,
                path,
                "{name}"
            );
            group.bench_with_input(
                BenchmarkId::new(name, format!("{mb}MB")),
                &(previous, old, new),
                |b, (previous, old, new)| {
                    b.iter(|| {
                        reanalyze(previous, black_box(old), black_box(new), &config)
                            .findings
                            .len()
                    })
                },
            );
        }
    }
    group.finish();
}

fn bench_group(c: &mut Criterion) {
    let config = AnalysisConfig {
        max_findings: 100_000,
        ..AnalysisConfig::default()
    };
    let mut group = c.benchmark_group("group");
    group.sample_size(50);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));
    for format in GenFormat::ALL {
        // The generated logs fail one call in a few dozen: some of their 200s become 404s.
        let key = match format {
            GenFormat::Har => "\"status\": ",
            GenFormat::RunLog => "\"network_code\": ",
            GenFormat::JsonLines => "\"statusCode\":",
        };
        let text =
            gen::generate(format, 10 * MB).replace(&format!("{key}200"), &format!("{key}404"));
        let mut analysis = analyze(&text, &config);
        // Exactly 1,000 failing calls: the rest of the findings dropped.
        let mut failing = 0;
        analysis.findings.retain(|f| {
            failing += usize::from(f.kind.is_failing_call());
            !f.kind.is_failing_call() || failing <= 1000
        });
        let calls = analysis
            .findings
            .iter()
            .filter(|f| f.kind.is_failing_call())
            .count();
        if calls < 1000 {
            eprintln!(
                "group/{}: skipped, 10 MB holds {calls} failing calls",
                format.name()
            );
            continue;
        }
        group.bench_with_input(
            BenchmarkId::new(format!("{}/1000-failing", format.name()), "10MB"),
            &analysis,
            |b, a| b.iter(|| groups::failures(black_box(a)).len()),
        );
    }
    group.finish();
}

criterion_group!(benches, bench_analysis, bench_edit, bench_group);
criterion_main!(benches);
