//! `cargo bench -p runlog-lsp --bench analysis`: analysis throughput against a bare jsonc-parser
//! parse of the same text (PRODUCT.md §7: analysis ≥ 70% of the parse's throughput).
//!
//! Inputs are generated in memory (see `gen/mod.rs`): HAR, seed-shaped run log and JSON Lines of
//! 1, 10 and 50 MB. Set `RUNLOG_BENCH_SIZES=1,10` to choose sizes (MB); the default is all three.
//! Bench time is kept modest: 10 flat samples, short warm-up.

#[path = "gen/baseline.rs"]
mod baseline;
mod gen;

use criterion::{
    criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput,
};
use gen::{GenFormat, MB};
use runlog_lsp::core::{analyze, AnalysisConfig};
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

criterion_group!(benches, bench_analysis);
criterion_main!(benches);
