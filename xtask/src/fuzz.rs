//! `cargo xtask fuzz [TARGET...] [--seconds N]`: runs the cargo-fuzz targets in `fuzz/`, each
//! seeded with the repository's fixtures, for a bounded time. cargo-fuzz needs nightly rustc
//! flags; RUSTC_BOOTSTRAP lets the one stable toolchain here accept them.

use crate::util::{self, Result};
use std::fs;
use std::path::Path;
use std::process::Command;

const TARGETS: &[&str] = &[
    "analyze_bytes",
    "analyze_json",
    "decode_body",
    "document_edits",
    "reanalyze",
    "framing",
    "stream",
];

pub fn run(args: &[String]) -> Result {
    let mut seconds = 600u64;
    let mut targets = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seconds" => {
                let value = args.next().ok_or("--seconds needs a number")?;
                seconds = value
                    .parse()
                    .map_err(|_| format!("--seconds: `{value}` is not a number"))?;
            }
            name if TARGETS.contains(&name) => targets.push(name.to_string()),
            other => {
                return Err(format!(
                    "unknown fuzz target or option `{other}` (targets: {})",
                    TARGETS.join(", ")
                ))
            }
        }
    }
    if targets.is_empty() {
        targets = TARGETS.iter().map(|t| t.to_string()).collect();
    }
    if !util::on_path("cargo-fuzz") {
        return Err(
            "cargo-fuzz is missing: install it with `cargo install cargo-fuzz --locked`".into(),
        );
    }
    let root = util::root();
    let fuzz = root.join("fuzz");
    for target in &targets {
        let corpus = fuzz.join("corpus").join(target);
        seed_corpus(&root.join("tests/fixtures"), &corpus)?;
        util::run(
            Command::new("cargo")
                .args(["fuzz", "run", target])
                .arg(&corpus)
                .args([
                    "--",
                    &format!("-max_total_time={seconds}"),
                    "-max_len=65536",
                    "-rss_limit_mb=4096",
                ])
                .env("RUSTC_BOOTSTRAP", "1")
                .current_dir(&fuzz),
        )?;
    }
    Ok(())
}

/// Copies every fixture file (up to 64 KiB, the fuzzers' input limit) into the corpus folder.
fn seed_corpus(fixtures: &Path, corpus: &Path) -> Result {
    fs::create_dir_all(corpus).map_err(|e| format!("{}: {e}", corpus.display()))?;
    let mut stack = vec![fixtures.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if entry.metadata().map(|m| m.len() <= 65_536).unwrap_or(false) {
                let name = path
                    .strip_prefix(fixtures)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .replace('/', "__");
                fs::copy(&path, corpus.join(name))
                    .map_err(|e| format!("{}: {e}", path.display()))?;
            }
        }
    }
    Ok(())
}
