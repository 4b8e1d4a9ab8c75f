//! The tools that link the VSIX's Linux servers: zig, as cargo-zigbuild drives it, links them
//! against glibc 2.17 (`x86_64-unknown-linux-gnu.2.17`), so they start on every Linux VS Code
//! supports and still run glibc's `memcpy` and `malloc`. The static musl build they replace was
//! 1.5–1.9× slower on opens and edits: musl's allocator takes one lock for every thread and
//! unmaps each large block at once, and its `memcpy` pays a fixed cost per call.
//!
//! Both are pinned and kept under the target dir: zig from PyPI (the `ziglang` wheel, which
//! carries the glibc stubs of every version) in `zig-venv`, cargo-zigbuild from crates.io in
//! `tools`. What is on PATH is not used, so every machine links with the same zig.

use crate::util::{self, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The zig release, from PyPI.
const ZIGLANG: &str = "ziglang==0.17.1";
/// The cargo-zigbuild release, from crates.io.
const CARGO_ZIGBUILD: &str = "0.24.1";

/// What `cargo zigbuild` needs, installed.
pub struct Zig {
    cargo_zigbuild: PathBuf,
    /// The venv's python, which runs zig as `python -m ziglang`.
    python: PathBuf,
}

impl Zig {
    /// `cargo zigbuild` with zig found through the venv.
    pub fn cargo_zigbuild(&self) -> Command {
        let mut cmd = Command::new(&self.cargo_zigbuild);
        cmd.arg("zigbuild")
            .env("CARGO_ZIGBUILD_PYTHON_PATH", &self.python);
        cmd
    }
}

/// Installs zig and cargo-zigbuild under `target` unless the pinned versions are there.
pub fn tools(target: &Path) -> Result<Zig> {
    let venv = target.join("zig-venv");
    let python = venv.join("bin/python");
    let stamp = venv.join("requirement");
    if std::fs::read_to_string(&stamp).ok().as_deref() != Some(ZIGLANG) {
        refuse_without_install(&format!("zig ({ZIGLANG} from PyPI)"))?;
        if !util::on_path("python3") {
            return Err(
                "linking the Linux server needs zig from PyPI: `python3` (3.9 or later, \
                        with venv and pip) is not on PATH"
                    .into(),
            );
        }
        util::timed(&format!("pip installs {ZIGLANG} (target/zig-venv)"), || {
            util::run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
            util::run(util::pip_install(&python).arg(ZIGLANG))?;
            std::fs::write(&stamp, ZIGLANG).map_err(|e| format!("{}: {e}", stamp.display()))
        })?;
    }

    let root = target.join("tools");
    let cargo_zigbuild = root.join("bin").join("cargo-zigbuild");
    let version = util::output(Command::new(&cargo_zigbuild).arg("--version")).ok();
    if !version.is_some_and(|v| v.trim().ends_with(CARGO_ZIGBUILD)) {
        refuse_without_install(&format!("cargo-zigbuild {CARGO_ZIGBUILD}"))?;
        util::timed(
            &format!("cargo install cargo-zigbuild {CARGO_ZIGBUILD} (target/tools)"),
            || {
                util::run(
                    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
                        .args(["install", "cargo-zigbuild", "--locked", "--version"])
                        .arg(CARGO_ZIGBUILD)
                        .arg("--root")
                        .arg(&root),
                )
            },
        )?;
    }
    Ok(Zig {
        cargo_zigbuild,
        python,
    })
}

fn refuse_without_install(what: &str) -> Result {
    if crate::provision::may_install() {
        Ok(())
    } else {
        Err(format!(
            "{what} is not installed under the target dir and --no-install was given: \
             run `cargo xtask dist`, which installs it"
        ))
    }
}
