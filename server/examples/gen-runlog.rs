//! Writes the benchmark inputs to disk: `cargo run --release -p runlog-lsp --example gen-runlog
//! -- [--out DIR] [--sizes 1,10,50]` → `DIR/{har,runlog,jsonl}-<N>mb.<ext>` (default DIR
//! `target/bench-data`). Same generator as the criterion bench and `cargo xtask bench-lsp`.

#[path = "../benches/gen/mod.rs"]
mod gen;

use std::path::PathBuf;

fn main() {
    let mut out = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target/bench-data"));
    let mut sizes = vec![1usize, 10, 50];
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--out" => out = args.next().map(PathBuf::from).unwrap_or(out),
            "--sizes" => {
                sizes = args
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .filter_map(|s| s.trim().parse().ok())
                    .collect()
            }
            other => {
                eprintln!(
                    "unknown argument `{other}`; usage: gen-runlog [--out DIR] [--sizes 1,10,50]"
                );
                std::process::exit(2);
            }
        }
    }
    if let Err(e) = std::fs::create_dir_all(&out) {
        eprintln!("cannot create {}: {e}", out.display());
        std::process::exit(1);
    }
    for format in gen::GenFormat::ALL {
        for &mb in &sizes {
            let text = gen::generate(format, mb * gen::MB);
            let st = gen::stats(format, &text);
            let path = out.join(format!("{}-{mb}mb.{}", format.name(), format.extension()));
            if let Err(e) = std::fs::write(&path, &text) {
                eprintln!("cannot write {}: {e}", path.display());
                std::process::exit(1);
            }
            eprintln!(
                "{} ({} bytes, {} calls, {} failing)",
                path.display(),
                text.len(),
                st.calls,
                st.failing
            );
        }
    }
}
