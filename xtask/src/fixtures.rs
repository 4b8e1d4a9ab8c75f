//! `cargo xtask fixtures`: re-records fixtures from real producers: Chromium (Playwright's
//! `recordHar`) writes `tests/fixtures/har/chromium-recorded.har` and newman writes
//! `tests/fixtures/newman/newman-report.json`, both against the local test API in
//! `tests/producers/server.js` (127.0.0.1 only); vcrpy and Betamax write the cassettes in
//! `tests/fixtures/vcr/` from `tests/producers/record-cassettes.py`, which runs its own loopback
//! server. The fixtures are committed; CI does not re-record.

use crate::util::{self, Result};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const USAGE: &str = "usage: cargo xtask fixtures [--har-only | --newman-only | --cassettes-only]";

/// The pinned PyPI packages `record-cassettes.py` imports.
const CASSETTE_REQUIREMENTS: &str = "requirements-cassettes.txt";

pub fn run(args: &[String]) -> Result {
    let (mut har, mut newman, mut cassettes) = (true, true, true);
    for arg in args {
        match arg.as_str() {
            "--har-only" => (newman, cassettes) = (false, false),
            "--newman-only" => (har, cassettes) = (false, false),
            "--cassettes-only" => (har, newman) = (false, false),
            other => return Err(format!("unknown option `{other}`\n{USAGE}")),
        }
    }
    if !har && !newman && !cassettes {
        return Err(format!("nothing to record\n{USAGE}"));
    }
    let root = util::root();
    let producers = root.join("tests/producers");
    if cassettes {
        record_cassettes(&root, &producers)?;
    }
    if har || newman {
        record_with_node(&root, &producers, har, newman)?;
    }
    eprintln!("fixtures recorded; review `git diff tests/fixtures` and commit them");
    Ok(())
}

/// vcrpy and Betamax record `requests` calls to a loopback server as JSON cassettes; both come
/// from PyPI into a virtual environment under the target dir, made once and refreshed when the
/// pinned requirements change.
fn record_cassettes(root: &Path, producers: &Path) -> Result {
    if !util::on_path("python3") {
        return Err("`python3` is not on PATH; install Python 3.9 or later (with venv)".into());
    }
    let venv = crate::dist::target_dir(root).join("producers-venv");
    let python = venv.join("bin/python");
    let requirements = producers.join(CASSETTE_REQUIREMENTS);
    let stamp = venv.join(CASSETTE_REQUIREMENTS);
    let installed = std::fs::read(&stamp).ok();
    let wanted =
        std::fs::read(&requirements).map_err(|e| format!("{}: {e}", requirements.display()))?;
    if !python.is_file() || installed.as_deref() != Some(wanted.as_slice()) {
        util::timed(
            "pip installs vcrpy and Betamax (target/producers-venv)",
            || {
                util::run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
                util::run(util::pip_install(&python).arg("-r").arg(&requirements))?;
                std::fs::write(&stamp, &wanted).map_err(|e| format!("{}: {e}", stamp.display()))
            },
        )?;
    }
    let dir = root.join("tests/fixtures/vcr");
    util::timed("vcrpy and Betamax record cassettes", || {
        util::run(
            Command::new(&python)
                .arg("record-cassettes.py")
                .arg(&dir)
                .current_dir(producers),
        )
    })?;
    for cassette in ["vcrpy-errors.json", "betamax-errors.json"] {
        if !dir.join(cassette).is_file() {
            return Err(format!("record-cassettes.py ran but wrote no {cassette}"));
        }
    }
    Ok(())
}

/// Chromium (through Playwright) and newman against the local test API.
fn record_with_node(root: &Path, producers: &Path, har: bool, newman: bool) -> Result {
    for tool in ["node", "npm"] {
        if !util::on_path(tool) {
            return Err(format!(
                "`{tool}` is not on PATH; install Node.js 20 or later"
            ));
        }
    }
    let chromium = chromium_path();
    if har && !chromium.is_file() {
        return Err(format!(
            "Chromium is not at {}; install it: apt-get install chromium (or set CHROMIUM)",
            chromium.display()
        ));
    }
    util::timed("npm ci (tests/producers)", || npm_ci(producers))?;

    let server = TestServer::start(producers)?;
    let base = format!("http://127.0.0.1:{}", server.port);
    eprintln!("test API listening on {base}");
    if har {
        let dir = root.join("tests/fixtures/har");
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        util::timed("Chromium records a HAR", || {
            util::run(
                Command::new("node")
                    .arg("record-har.js")
                    .arg(&base)
                    .arg(dir.join("chromium-recorded.har"))
                    .arg(dir.join("chromium-recorded.pretty.har"))
                    .env("CHROMIUM", &chromium)
                    .current_dir(producers),
            )
        })?;
        util::timed("Chromium records calls that get no response", || {
            util::run(
                Command::new("node")
                    .arg("record-har.js")
                    .arg(&base)
                    .arg(dir.join("chromium-no-response.har"))
                    .arg(dir.join("chromium-no-response.pretty.har"))
                    .arg("/failures.html")
                    .env("CHROMIUM", &chromium)
                    .current_dir(producers),
            )
        })?;
    }
    if newman {
        let dir = root.join("tests/fixtures/newman");
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        util::timed("newman runs the collection", || {
            // --suppress-exit-code: the collection's assertions fail on purpose (the API answers
            // errors); only a newman that could not run or write its report is a failure.
            util::run(
                Command::new("node")
                    .arg("node_modules/newman/bin/newman.js")
                    .args(["run", "collection.json", "--env-var"])
                    .arg(format!("baseUrl={base}"))
                    .args(["--reporters", "json", "--reporter-json-export"])
                    .arg(dir.join("newman-report.json"))
                    .args(["--suppress-exit-code", "--color", "off"])
                    .current_dir(producers),
            )
        })?;
        util::timed("newman runs calls that get no response", || {
            // A closed port (the test server's plus one) and a server that never answers,
            // ended by --timeout-request: real `requestError` entries.
            util::run(
                Command::new("node")
                    .arg("node_modules/newman/bin/newman.js")
                    .args(["run", "collection-failures.json", "--env-var"])
                    .arg(format!("baseUrl={base}"))
                    .arg("--env-var")
                    .arg(format!("closedUrl=http://127.0.0.1:{}", server.port + 1))
                    .args(["--timeout-request", "1000"])
                    .args(["--reporters", "json", "--reporter-json-export"])
                    .arg(dir.join("newman-no-response.json"))
                    .args(["--suppress-exit-code", "--color", "off"])
                    .current_dir(producers),
            )
        })?;
        for report in ["newman-report.json", "newman-no-response.json"] {
            if !dir.join(report).is_file() {
                return Err(format!("newman ran but wrote no {report}"));
            }
        }
    }
    drop(server);
    Ok(())
}

/// `CHROMIUM` when set (the same variable `record-har.js` reads), else Debian's chromium.
fn chromium_path() -> PathBuf {
    std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

/// Installs the producers' pinned npm packages unless `node_modules` is already newer than the lock.
fn npm_ci(producers: &Path) -> Result {
    let lock = producers.join("package-lock.json");
    let installed = producers.join("node_modules/.package-lock.json");
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    if let (Some(lock_time), Some(installed_time)) = (modified(&lock), modified(&installed)) {
        if installed_time >= lock_time {
            return Ok(());
        }
    }
    let verb = if lock.is_file() { "ci" } else { "install" };
    util::run(
        Command::new("npm")
            .args([verb, "--no-audit", "--no-fund"])
            .current_dir(producers),
    )
}

/// The test API as a child process; stopped (by its own pid) when dropped.
struct TestServer {
    child: Child,
    port: u16,
}

impl TestServer {
    fn start(producers: &Path) -> Result<TestServer> {
        let mut child = Command::new("node")
            .arg("server.js")
            .current_dir(producers)
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("could not start the test API (node server.js): {e}"))?;
        // The server prints "listening <port>" once it accepts connections.
        let mut line = String::new();
        let read = match child.stdout.take() {
            Some(out) => BufReader::new(out).read_line(&mut line),
            None => Ok(0),
        };
        let port = line
            .trim()
            .strip_prefix("listening ")
            .and_then(|p| p.parse::<u16>().ok());
        match (read, port) {
            (Ok(_), Some(port)) => Ok(TestServer { child, port }),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                Err(format!(
                    "the test API did not start (it printed {:?})",
                    line.trim()
                ))
            }
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
