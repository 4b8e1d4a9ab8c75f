//! Peak heap memory and throughput of `core::analyze` relative to input size, next to a bare
//! `jsonc_parser::parse_to_ast` of the same text: `cargo run --release -p runlog-lsp --example
//! peak-memory -- [--sizes 1,10,50] [--runs N] [--stream]`. Prints a Markdown table
//! (docs/PERFORMANCE.md). With `--stream`, the table compares `core::stream` (reading the log
//! through `impl Read`) with its own splitter alone ("read + tokenise") and with `analyze`.
//!
//! A counting global allocator records the high-water mark of live heap bytes above the level
//! before the call (the input text itself is not counted), so the ratio is "extra memory per byte
//! of log". Throughput is the median of N runs (wall clock, one thread).

#[path = "../benches/gen/baseline.rs"]
mod baseline;
#[path = "../benches/gen/mod.rs"]
mod gen;

use runlog_lsp::core::stream::{analyze_reader, split_only};
use runlog_lsp::core::{analyze, AnalysisConfig};
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() {
            if new_size >= layout.size() {
                let now = LIVE.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size
                    - layout.size();
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Extra peak heap bytes while `f` runs.
fn peak_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let value = f();
    (value, PEAK.load(Ordering::Relaxed).saturating_sub(base))
}

fn median_secs(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..runs.max(1))
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(|a, b| a.total_cmp(b));
    times[times.len() / 2]
}

fn main() {
    let mut sizes = vec![1usize, 10, 50];
    let mut runs = 5usize;
    let mut stream = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--sizes" => {
                sizes = args
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .filter_map(|s| s.trim().parse().ok())
                    .collect()
            }
            "--runs" => runs = args.next().and_then(|s| s.parse().ok()).unwrap_or(runs),
            "--stream" => stream = true,
            other => {
                eprintln!(
                    "unknown argument `{other}`; usage: peak-memory [--sizes 1,10,50] [--runs N] [--stream]"
                );
                std::process::exit(2);
            }
        }
    }
    let config = AnalysisConfig::default();
    if stream {
        stream_table(&sizes, runs, &config);
        return;
    }
    println!("| input | size | calls (failing) | findings | parse MB/s | analyze MB/s | analyze/parse | parse peak / size | analyze peak / size |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for format in gen::GenFormat::ALL {
        for &mb in &sizes {
            let text = gen::generate(format, mb * gen::MB);
            let st = gen::stats(format, &text);
            let size = text.len() as f64;
            let (_, parse_peak) = peak_of(|| black_box(baseline::bare_parse(format, &text)));
            let (analysis, analyze_peak) = peak_of(|| analyze(&text, &config));
            let findings = analysis.findings.len();
            drop(analysis);
            let parse_s = median_secs(runs, || {
                black_box(baseline::bare_parse(format, black_box(&text)));
            });
            let analyze_s = median_secs(runs, || {
                black_box(analyze(black_box(&text), &config).findings.len());
            });
            let mbs = |s: f64| size / gen::MB as f64 / s;
            println!(
                "| {}-{mb}mb | {:.1} MB | {} ({}) | {findings} | {:.0} | {:.0} | {:.0}% | {:.2} | {:.2} |",
                format.name(),
                size / gen::MB as f64,
                st.calls,
                st.failing,
                mbs(parse_s),
                mbs(analyze_s),
                100.0 * parse_s / analyze_s,
                parse_peak as f64 / size,
                analyze_peak as f64 / size,
            );
        }
    }
}

/// Streaming: throughput next to the splitter alone and `analyze`, peak heap in MB (the input
/// is in memory and not counted; the stream holds only its read buffer and findings).
fn stream_table(sizes: &[usize], runs: usize, config: &AnalysisConfig) {
    println!("| input | size | findings | split MB/s | stream MB/s | stream/split | analyze MB/s | stream peak MB | analyze peak MB |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for format in gen::GenFormat::ALL {
        for &mb in sizes {
            let text = gen::generate(format, mb * gen::MB);
            let size = text.len() as f64;
            let streamed = |t: &str| {
                analyze_reader(t.as_bytes(), config, |_, _, _| ())
                    .map(|s| s.findings.len())
                    .unwrap_or(0)
            };
            let (findings, stream_peak) = peak_of(|| streamed(&text));
            let (_, analyze_peak) = peak_of(|| analyze(&text, config).findings.len());
            let split_s = median_secs(runs, || {
                black_box(split_only(black_box(text.as_bytes())).ok());
            });
            let stream_s = median_secs(runs, || {
                black_box(streamed(black_box(&text)));
            });
            let analyze_s = median_secs(runs, || {
                black_box(analyze(black_box(&text), config).findings.len());
            });
            let mbs = |s: f64| size / gen::MB as f64 / s;
            let mib = |b: usize| b as f64 / gen::MB as f64;
            println!(
                "| {}-{mb}mb | {:.1} MB | {findings} | {:.0} | {:.0} | {:.0}% | {:.0} | {:.1} | {:.1} |",
                format.name(),
                size / gen::MB as f64,
                mbs(split_s),
                mbs(stream_s),
                100.0 * split_s / stream_s,
                mbs(analyze_s),
                mib(stream_peak),
                mib(analyze_peak),
            );
        }
    }
}
