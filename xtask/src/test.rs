//! `cargo xtask test`: every test tier, in order of speed. Before a tier runs, what it needs is
//! provisioned (`crate::provision`): Debian packages through apt-get when running as root or with
//! passwordless sudo, editor tools under `target/`. With `--no-install` a tier whose tools are
//! missing fails with how to install them; only `--skip-tier NAME` (which CI never passes) leaves
//! one out.

use crate::provision::{self, Provisioner};
use crate::util::{self, Result};
use std::process::Command;
use std::time::Instant;

type Tier = (&'static str, fn() -> Result);

/// Clippy over every crate and target of the workspace, with the locked dependencies.
const CLIPPY: [&str; 4] = ["clippy", "--workspace", "--all-targets", "--locked"];

const TIERS: &[Tier] = &[
    ("cargo", cargo_tier),
    ("neovim", crate::neovim::tier),
    ("emacs", crate::emacs::tier),
    ("vscode", crate::vscode::tier),
];

pub fn run(args: &[String]) -> Result {
    let options = parse_options(args)?;
    provision::set_no_install(options.no_install);
    let skipped = options.skips;
    let mut provisioner = Provisioner::default();
    let mut rows = Vec::new();
    for (name, tier) in TIERS {
        if skipped.iter().any(|s| s == name) {
            eprintln!("=== tier {name}: skipped (--skip-tier {name})");
            rows.push((*name, "skipped", 0.0, String::new()));
            continue;
        }
        eprintln!("=== tier {name}");
        let start = Instant::now();
        let result = prepare(name, &mut provisioner).and_then(|()| tier());
        let secs = start.elapsed().as_secs_f64();
        match result {
            Ok(()) => {
                eprintln!("=== tier {name}: passed ({secs:.1}s)");
                rows.push((*name, "passed", secs, String::new()));
            }
            Err(why) => {
                eprintln!("=== tier {name}: FAILED ({secs:.1}s): {why}");
                rows.push((*name, "FAILED", secs, why));
            }
        }
    }
    eprintln!("\n{:<9} {:<8} {:>8}", "tier", "result", "time");
    for (name, result, secs, _) in &rows {
        eprintln!("{name:<9} {result:<8} {secs:>7.1}s");
    }
    let failed: Vec<_> = rows.iter().filter(|r| r.1 == "FAILED").collect();
    for (name, _, _, why) in &failed {
        eprintln!("{name}: {why}");
    }
    let passed = rows.iter().filter(|r| r.1 == "passed").count();
    let skipped = rows.iter().filter(|r| r.1 == "skipped").count();
    println!(
        "tiers: {passed} passed, {} failed, {skipped} skipped",
        failed.len()
    );
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("{} test tier(s) failed", failed.len()))
    }
}

/// Installs what tier `name` is missing (or, with `--no-install`, fails saying how to).
fn prepare(name: &str, provisioner: &mut Provisioner) -> Result {
    let tools_missing = name == "vscode" && crate::vscode::editor_tools_missing();
    provisioner.ensure_packages(name, &provision::needs(name, tools_missing))?;
    if tools_missing {
        if !provision::may_install() {
            return Err("the editor tools (code-server, Playwright) are not in \
                 target/editor-tools and --no-install was given: run `cargo xtask setup-editors`"
                .into());
        }
        eprintln!("tier vscode: installing the editor tools (cargo xtask setup-editors)");
        crate::vscode::setup(&[])?;
    }
    Ok(())
}

#[derive(Debug, Default, PartialEq)]
struct Options {
    skips: Vec<String>,
    no_install: bool,
}

fn parse_options(args: &[String]) -> Result<Options> {
    let mut options = Options::default();
    let skips = &mut options.skips;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--no-install" => options.no_install = true,
            "--skip-tier" => {
                let name = args.next().ok_or("--skip-tier needs a tier name")?;
                if !TIERS.iter().any(|(t, _)| t == name) {
                    return Err(format!(
                        "unknown tier `{name}` (tiers: cargo, neovim, emacs, vscode)"
                    ));
                }
                skips.push(name.clone());
            }
            other => return Err(format!("unknown option `{other}` for `cargo xtask test`")),
        }
    }
    Ok(options)
}

/// Formatting, then clippy with warnings as errors, then that the fuzz targets build, then every
/// unit, end-to-end and doc test of the workspace.
fn cargo_tier() -> Result {
    let root = util::root();
    util::run(
        Command::new("cargo")
            .args(["fmt", "--all", "--", "--check"])
            .current_dir(&root),
    )
    .map_err(|e| format!("{e} (run `cargo fmt --all`)"))?;
    util::run(
        Command::new("cargo")
            .args(CLIPPY)
            .args(["--", "-D", "warnings"])
            .current_dir(&root),
    )
    .map_err(|e| {
        format!(
            "{e} (clippy found warnings: see them with `cargo {}`, then fix them; \
             allowing a clippy lint fails the tidy test)",
            CLIPPY.join(" ")
        )
    })?;
    // The fuzz targets are a workspace of their own (cargo-fuzz builds them on nightly): checked
    // here, so that a change to what they call cannot break them unseen.
    util::run(
        Command::new("cargo")
            .args([
                "check",
                "--manifest-path",
                "fuzz/Cargo.toml",
                "--bins",
                "--locked",
            ])
            .current_dir(&root),
    )
    .map_err(|e| format!("{e} (the fuzz targets in fuzz/ no longer build)"))?;
    util::run(
        Command::new("cargo")
            .args(["test", "--workspace", "--locked"])
            .current_dir(&root),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_skips_and_no_install() {
        let o =
            parse_options(&args(&["--skip-tier", "vscode", "--no-install"])).unwrap_or_default();
        assert_eq!(o.skips, ["vscode"]);
        assert!(o.no_install);
        assert_eq!(parse_options(&[]).unwrap_or_default(), Options::default());
        assert!(parse_options(&args(&["--skip-tier", "helix"])).is_err());
        assert!(parse_options(&args(&["--skip-tier"])).is_err());
        assert!(parse_options(&args(&["--install"])).is_err());
    }
}
