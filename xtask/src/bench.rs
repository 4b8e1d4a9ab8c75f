//! `cargo xtask bench-lsp`: the side-by-side LSP benchmark against vscode-langservers-extracted's
//! JSON server.
//!
//! Builds `target/release/runlog-lsp`, writes the generated inputs (the same generator as the
//! criterion bench, included by path) to `target/bench-data/`, installs the peer
//! (`vscode-langservers-extracted`, pinned in `bench/package-lock.json`) with `npm ci`, then runs
//! `bench/lsp-bench.mjs`, which drives both servers over stdio and prints a table of medians and
//! ratios. Then `runlog-lsp check` streams a generated log of `--stream-mb` MB (1024 unless set;
//! 0 skips it) of each format on one core: wall time, throughput and peak RSS. Both tables, with
//! the machine they ran on, are also written to `target/bench-data/lsp-results.md` for
//! docs/PERFORMANCE.md.

#[path = "../../server/benches/gen/mod.rs"]
mod gen;

use crate::util::{self, Result};
use std::path::Path;
use std::process::Command;

const USAGE: &str = "usage: cargo xtask bench-lsp [--sizes 1,10,50] [--formats har,runlog,jsonl] [--rounds N] [--hovers N] [--timeout-ms MS] [--stream-mb 1024] [--skip-build]";

pub fn run(args: &[String]) -> Result {
    let mut sizes = vec![1usize, 10, 50];
    let mut skip_build = false;
    let mut stream_mb = 1024usize;
    let mut passthrough: Vec<String> = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--sizes" => {
                let value = it.next().ok_or(USAGE)?;
                sizes = value
                    .split(',')
                    .map(|s| {
                        s.trim()
                            .parse::<usize>()
                            .map_err(|_| format!("bad size `{s}`\n{USAGE}"))
                    })
                    .collect::<Result<Vec<_>>>()?;
                if sizes.is_empty() || sizes.iter().any(|&s| s == 0 || s > 1024) {
                    return Err(format!("sizes are MB between 1 and 1024\n{USAGE}"));
                }
            }
            "--formats" | "--rounds" | "--hovers" | "--edits" | "--timeout-ms" => {
                passthrough.push(arg.clone());
                passthrough.push(it.next().ok_or(USAGE)?.clone());
            }
            "--stream-mb" => {
                let value = it.next().ok_or(USAGE)?;
                stream_mb = value
                    .parse()
                    .map_err(|_| format!("bad size `{value}`\n{USAGE}"))?;
            }
            "--skip-build" => skip_build = true,
            "-h" | "--help" => {
                eprintln!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    let root = util::root();
    if !util::on_path("node") || !util::on_path("npm") {
        return Err("bench-lsp needs node (>= 20) and npm on PATH".into());
    }
    let server = root.join("target/release/runlog-lsp");
    if !skip_build {
        util::timed("build runlog-lsp (release)", || {
            util::run(Command::new(cargo()).current_dir(&root).args([
                "build",
                "--release",
                "-p",
                "runlog-lsp",
                "--bin",
                "runlog-lsp",
            ]))
        })?;
    }
    if !server.is_file() {
        return Err(format!(
            "{} is missing (drop --skip-build)",
            server.display()
        ));
    }

    let data = root.join("target/bench-data");
    util::timed("generate inputs", || write_inputs(&data, &sizes))?;

    let bench = root.join("bench");
    if !bench
        .join("node_modules/vscode-langservers-extracted")
        .is_dir()
    {
        util::timed("npm ci (vscode-langservers-extracted)", || {
            util::run(Command::new("npm").current_dir(&bench).args([
                "ci",
                "--no-audit",
                "--no-fund",
            ]))
        })?;
    }

    let results = data.join("lsp-results.md");
    let table = data.join("lsp-table.md");
    let size_list = sizes
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .join(",");
    util::timed("LSP benchmark", || {
        util::run(
            Command::new("node")
                .current_dir(&root)
                .arg(bench.join("lsp-bench.mjs"))
                .arg("--data")
                .arg(&data)
                .arg("--sizes")
                .arg(&size_list)
                .arg("--runlog")
                .arg(&server)
                .arg("--out")
                .arg(&table)
                .arg("--json")
                .arg(data.join("lsp-results.json"))
                .args(&passthrough),
        )
    })?;
    let table_text =
        std::fs::read_to_string(&table).map_err(|e| format!("{}: {e}", table.display()))?;
    let streamed = if stream_mb == 0 {
        String::new()
    } else {
        util::timed("check, streaming, one core", || {
            stream_table(&server, &data, stream_mb)
        })?
    };
    let report = format!(
        "Machine: {}\n\nCommand: `cargo xtask bench-lsp --sizes {size_list}{}{} --stream-mb {stream_mb}`\n\n{table_text}\n{streamed}",
        machine(),
        if passthrough.is_empty() { "" } else { " " },
        passthrough.join(" ")
    );
    std::fs::write(&results, report).map_err(|e| format!("{}: {e}", results.display()))?;
    eprintln!("results: {}", results.display());
    Ok(())
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// `runlog-lsp check --format json` on a generated `mb` MB log of each format, one thread
/// (`RAYON_NUM_THREADS=1`; a single file is one task anyway), timed by GNU time for the peak
/// RSS. The files are written, checked and removed one at a time.
fn stream_table(server: &Path, data: &Path, mb: usize) -> Result<String> {
    let time = Path::new("/usr/bin/time");
    if !time.is_file() {
        return Err(
            "the streaming figure needs GNU time (/usr/bin/time: apt-get install time)".into(),
        );
    }
    let mut rows = String::from(
        "| file | size | wall (s) | MB/s | peak RSS (MB) | findings |\n|---|---:|---:|---:|---:|---:|\n",
    );
    for format in gen::GenFormat::ALL {
        let path = data.join(format!("{}-{mb}mb.{}", format.name(), format.extension()));
        let text = gen::generate(format, mb * gen::MB);
        std::fs::write(&path, &text).map_err(|e| format!("{}: {e}", path.display()))?;
        let size = text.len();
        drop(text);
        let started = std::time::Instant::now();
        let out = Command::new(time)
            .args(["-f", "maxrss %M"])
            .arg(server)
            .args(["check", "--format", "json", "--exit-zero"])
            .arg(&path)
            .env("RAYON_NUM_THREADS", "1")
            .output()
            .map_err(|e| format!("{}: {e}", server.display()))?;
        let wall = started.elapsed().as_secs_f64();
        let _ = std::fs::remove_file(&path);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let rss_kb: f64 = stderr
            .lines()
            .rev()
            .find_map(|l| l.strip_prefix("maxrss "))
            .and_then(|v| v.trim().parse().ok())
            .ok_or_else(|| format!("no peak RSS from GNU time: {stderr}"))?;
        let findings = String::from_utf8_lossy(&out.stdout)
            .matches("\"code\":")
            .count();
        rows.push_str(&format!(
            "| {} | {:.0} MB | {wall:.2} | {:.0} | {:.0} | {findings} |\n",
            path.file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
            size as f64 / 1e6,
            size as f64 / 1e6 / wall,
            rss_kb / 1024.0,
        ));
    }
    eprintln!("{rows}");
    Ok(format!(
        "`runlog-lsp check` streaming one log, one core:\n\n{rows}"
    ))
}

/// Writes `{har,runlog,jsonl}-<N>mb.<ext>` unless an identical file is already there.
fn write_inputs(dir: &Path, sizes: &[usize]) -> Result {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for format in gen::GenFormat::ALL {
        for &mb in sizes {
            let text = gen::generate(format, mb * gen::MB);
            let path = dir.join(format!("{}-{mb}mb.{}", format.name(), format.extension()));
            let same = std::fs::read(&path)
                .map(|old| old == text.as_bytes())
                .unwrap_or(false);
            if !same {
                std::fs::write(&path, &text).map_err(|e| format!("{}: {e}", path.display()))?;
            }
            let st = gen::stats(format, &text);
            eprintln!(
                "  {} ({} bytes, {} calls, {} failing)",
                path.display(),
                text.len(),
                st.calls,
                st.failing
            );
        }
    }
    Ok(())
}

/// "N cores, <CPU model>, <RAM>" from /proc (Linux); "unknown" elsewhere.
pub fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .and_then(|r| r.split_once(':'))
                .map(|(_, m)| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map(|kb| format!(", {:.0} GiB RAM", kb as f64 / 1024.0 / 1024.0))
        .unwrap_or_default();
    format!(
        "{cores} cores (nproc), {model}{mem}, {}",
        std::env::consts::OS
    )
}
