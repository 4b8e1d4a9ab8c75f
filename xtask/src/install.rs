//! `cargo xtask install [--code-bin PATH] [--server-only]`: installs `runlog-lsp` with cargo,
//! shows it working on the bundled example log, then builds the VSIX and installs it into the
//! VS Code found (`--code-bin`, else `code`, `code-insiders`, `codium`, `code-server` on PATH).
//! Without VS Code it says where the VSIX and the binary are: the terminal works on its own.

use crate::dist;
use crate::util::{self, Result};
use std::path::PathBuf;
use std::process::Command;

/// VS Code flavours tried in order when `--code-bin` is not given.
const CODE_CANDIDATES: &[&str] = &["code", "code-insiders", "codium", "code-server"];

#[derive(Debug, Default, PartialEq)]
struct Flags {
    code_bin: Option<String>,
    server_only: bool,
}

fn parse(args: &[String]) -> Result<Flags> {
    let mut flags = Flags::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--server-only" => flags.server_only = true,
            "--code-bin" => {
                let bin = it
                    .next()
                    .ok_or("--code-bin needs the path of VS Code's `code`")?;
                flags.code_bin = Some(bin.clone());
            }
            other => {
                if let Some(bin) = other.strip_prefix("--code-bin=") {
                    flags.code_bin = Some(bin.to_string());
                } else {
                    return Err(format!(
                        "unknown option `{other}` for `cargo xtask install`"
                    ));
                }
            }
        }
    }
    if flags.server_only && flags.code_bin.is_some() {
        return Err("--server-only and --code-bin do not go together".into());
    }
    Ok(flags)
}

pub fn run(args: &[String]) -> Result {
    let flags = parse(args)?;
    let root = util::root();

    util::timed("cargo install --path server --locked", || {
        util::run(
            Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
                .args(["install", "--path", "server", "--locked", "--force"])
                .current_dir(&root),
        )
    })?;
    let installed = installed_binary();
    show_example(&installed, &root);

    if flags.server_only {
        eprintln!(
            "installed {} (--server-only: the VS Code extension was not built)",
            installed.display()
        );
        return Ok(());
    }
    let code = match &flags.code_bin {
        Some(bin) => {
            let found = util::find_on_path(bin)
                .ok_or_else(|| format!("--code-bin {bin}: no such program"))?;
            Some(found)
        }
        None => CODE_CANDIDATES
            .iter()
            .find_map(|c| util::find_on_path(&code_program(c))),
    };
    let Some(code) = code else {
        eprintln!(
            "no VS Code found (tried {} on PATH; pass --code-bin PATH to name one).",
            CODE_CANDIDATES.join(", ")
        );
        eprintln!("the server is installed: {}", installed.display());
        eprintln!("  use it in a terminal: runlog-lsp check path/to/log.json");
        eprintln!("  or point any LSP client at it (see editors/)");
        eprintln!("to get the VS Code extension, run `cargo xtask dist` and install dist/runlog-lsp-<platform>.vsix");
        return Ok(());
    };
    // The VSIX is for this machine: its server is this machine's build (no zig needed).
    let vsix = dist::for_this_machine()?;
    util::timed("install the VS Code extension", || {
        util::run(
            Command::new(&code)
                .arg("--install-extension")
                .arg(&vsix)
                .arg("--force"),
        )
    })?;
    eprintln!(
        "installed Run Log Inspector into {} from {}; open a run log to see it work",
        code.display(),
        vsix.display()
    );
    Ok(())
}

/// On Windows the VS Code launchers are `.cmd` scripts.
fn code_program(name: &str) -> String {
    if cfg!(windows) {
        format!("{name}.cmd")
    } else {
        name.to_string()
    }
}

/// Where `cargo install` puts binaries: `$CARGO_INSTALL_ROOT/bin`, `$CARGO_HOME/bin`, `~/.cargo/bin`.
fn installed_binary() -> PathBuf {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let bin_dir = env("CARGO_INSTALL_ROOT")
        .or_else(|| env("CARGO_HOME"))
        .or_else(|| {
            env("HOME")
                .or_else(|| env("USERPROFILE"))
                .map(|h| h.join(".cargo"))
        })
        .unwrap_or_else(|| PathBuf::from(".cargo"))
        .join("bin");
    bin_dir.join(dist::exe_name())
}

/// Runs `runlog-lsp check` on the seed example so the user sees a result right away. Exit 1
/// (failing calls found) is the expected outcome for this log.
fn show_example(binary: &std::path::Path, root: &std::path::Path) {
    let example = root.join("tests/fixtures/integration/seed-168379.json");
    eprintln!("$ runlog-lsp check {}", example.display());
    match Command::new(binary).arg("check").arg(&example).status() {
        Ok(status) => match status.code() {
            Some(0) | Some(1) => {
                eprintln!("(runlog-lsp works: the example's failing call is shown above)")
            }
            _ => eprintln!("warning: `runlog-lsp check` ended with {status} on the example"),
        },
        Err(e) => eprintln!("warning: could not run {}: {e}", binary.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn flags() {
        assert_eq!(parse(&[]).ok(), Some(Flags::default()));
        assert_eq!(
            parse(&args(&["--code-bin", "/opt/code/bin/code"])).ok(),
            Some(Flags {
                code_bin: Some("/opt/code/bin/code".into()),
                server_only: false
            })
        );
        assert_eq!(
            parse(&args(&["--code-bin=codium"]))
                .ok()
                .and_then(|f| f.code_bin),
            Some("codium".into())
        );
        assert_eq!(
            parse(&args(&["--server-only"])).ok().map(|f| f.server_only),
            Some(true)
        );
        assert!(parse(&args(&["--code-bin"])).is_err());
        assert!(parse(&args(&["--bogus"])).is_err());
        assert!(parse(&args(&["--server-only", "--code-bin", "code"])).is_err());
    }

    #[test]
    fn installed_binary_is_under_a_bin_dir() {
        let path = installed_binary();
        assert_eq!(
            path.file_name().and_then(|n| n.to_str()),
            Some(dist::exe_name())
        );
        assert_eq!(
            path.parent()
                .and_then(|p| p.file_name())
                .and_then(|n| n.to_str()),
            Some("bin")
        );
    }
}
