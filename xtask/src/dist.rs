//! `cargo xtask dist`: the platform VSIX with the server inside.
//!
//! Builds `runlog-lsp` in release mode — on Linux linked by zig against glibc 2.17
//! (`x86_64-unknown-linux-gnu.2.17`, `aarch64-unknown-linux-gnu.2.17`, see `zig.rs`), so that
//! the extension starts on any Linux VS Code supports, whatever its glibc — checks that the
//! binary is what the platform needs (ELF machine, static or no newer than GLIBC_2.17, starts with
//! `--version`, under qemu-user for another CPU when `qemu-aarch64` is installed), copies it into
//! `editors/vscode/server/`, bundles the extension with esbuild, stages the files that go into
//! the VSIX with the workspace version patched into package.json, and packages
//! `dist/runlog-lsp-<platform>.vsix` with vsce.
//!
//! `cargo xtask dist` builds the host's platform; `--platform linux-arm64` (repeatable) builds
//! others (the Linux ones cross-compile from any Linux host).

use crate::elf::{self, Glibc};
use crate::util::{self, Result};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The files of editors/vscode that go into the VSIX (besides the bundle and the server).
const STAGED: &[&str] = &[
    "package.json",
    "README.md",
    "CHANGELOG.md",
    "LICENSE",
    "language-configuration.json",
    ".vscodeignore",
    "images/icon.png",
    "images/screenshot.png",
];

/// The oldest glibc a dynamically linked Linux server may need (RHEL/CentOS 7's): anything
/// newer fails to start on Remote-SSH hosts that VS Code itself still supports.
pub const GLIBC_FLOOR: Glibc = Glibc(2, 17);

/// Which server a VSIX carries.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Server {
    /// Built to start on every machine of its platform (on Linux, linked by zig against the
    /// glibc floor): what is published, and what the VS Code tier installs.
    Portable,
    /// This machine's own release build, for a VSIX installed here (`cargo xtask install`): it
    /// needs neither zig nor the Python that zig comes with, and runs where it was built.
    ThisMachine,
}

/// Builds the VSIX of every platform asked for (the host's by default); returns their paths in
/// that order.
pub fn run(args: &[String]) -> Result<Vec<PathBuf>> {
    package_all(parse_platforms(args)?, Server::Portable)
}

/// Builds this machine's VSIX around its own release build of the server.
pub fn for_this_machine() -> Result<PathBuf> {
    package_all(vec![host_platform()?], Server::ThisMachine)?
        .pop()
        .ok_or_else(|| "no VSIX was built".to_string())
}

fn package_all(platforms: Vec<&'static str>, server: Server) -> Result<Vec<PathBuf>> {
    let root = util::root();
    let ext_dir = root.join("editors/vscode");

    if !ext_dir.join("node_modules").is_dir() {
        util::timed("npm ci", || {
            util::run(
                npm()
                    .args(["ci", "--no-audit", "--no-fund"])
                    .current_dir(&ext_dir),
            )
        })?;
    }
    util::timed("esbuild", || {
        util::run(
            Command::new("node")
                .args(["build.mjs", "--minify"])
                .current_dir(&ext_dir),
        )
    })?;
    let version = workspace_version(&root)?;
    let mut vsixes = Vec::new();
    for platform in platforms {
        vsixes.push(package(&root, &ext_dir, platform, &version, server)?);
    }
    Ok(vsixes)
}

fn parse_platforms(args: &[String]) -> Result<Vec<&'static str>> {
    let mut platforms = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--platform" => {
                let name = args
                    .next()
                    .ok_or("--platform needs a VS Code platform name")?;
                let known = PLATFORMS
                    .iter()
                    .find(|p| p.0 == name)
                    .ok_or_else(|| format!("unknown platform `{name}`"))?;
                if !platforms.contains(&known.0) {
                    platforms.push(known.0);
                }
            }
            other => return Err(format!("unknown option `{other}` for `cargo xtask dist`")),
        }
    }
    if platforms.is_empty() {
        platforms.push(host_platform()?);
    }
    Ok(platforms)
}

/// VS Code platform, Rust target of its server.
const PLATFORMS: &[(&str, &str)] = &[
    ("linux-x64", "x86_64-unknown-linux-gnu"),
    ("linux-arm64", "aarch64-unknown-linux-gnu"),
    ("darwin-x64", "x86_64-apple-darwin"),
    ("darwin-arm64", "aarch64-apple-darwin"),
    ("win32-x64", "x86_64-pc-windows-msvc"),
    ("win32-arm64", "aarch64-pc-windows-msvc"),
];

/// The Rust target the server of `platform` is built for.
pub fn rust_target(platform: &str) -> Option<&'static str> {
    PLATFORMS.iter().find(|p| p.0 == platform).map(|p| p.1)
}

/// Builds, checks and packages the VSIX of one platform.
fn package(
    root: &Path,
    ext_dir: &Path,
    platform: &'static str,
    version: &str,
    server: Server,
) -> Result<PathBuf> {
    let binary = util::timed(
        &format!("build the server for {platform}"),
        || match server {
            Server::Portable => build_for(root, platform),
            Server::ThisMachine => build_server(root),
        },
    )?;
    let server_dir = ext_dir.join("server");
    fs::create_dir_all(&server_dir).map_err(|e| format!("create {}: {e}", server_dir.display()))?;
    let exe = exe_name_for(platform);
    // One platform's binary at a time: the other name (runlog-lsp / .exe) must not linger.
    for stale in ["runlog-lsp", "runlog-lsp.exe"] {
        let _ = fs::remove_file(server_dir.join(stale));
    }
    let bundled = server_dir.join(exe);
    fs::copy(&binary, &bundled)
        .map_err(|e| format!("copy {} to {}: {e}", binary.display(), bundled.display()))?;
    make_executable(&bundled)?;

    // A VSIX for this machine only is staged and written apart from dist/, so that it is never
    // taken for the portable one.
    let (stage, out_dir) = match server {
        Server::Portable => (root.join("target/vscode-stage"), root.join("dist")),
        Server::ThisMachine => (
            root.join("target/vscode-local/stage"),
            root.join("target/vscode-local"),
        ),
    };
    stage_extension(ext_dir, &stage, version, exe)?;
    // What vsce packs is what is checked.
    check_server(
        &stage.join("server").join(exe),
        platform,
        server == Server::Portable,
    )?;

    fs::create_dir_all(&out_dir).map_err(|e| format!("create {}: {e}", out_dir.display()))?;
    let vsix = out_dir.join(format!("runlog-lsp-{platform}.vsix"));
    let vsce = ext_dir.join("node_modules/@vscode/vsce/vsce");
    // Relative links in README.md (the screenshot) must become absolute in the marketplace.
    let base = format!(
        "{}/raw/HEAD/editors/vscode",
        workspace_key(root, "repository")?.trim_end_matches('/')
    );
    util::timed("vsce package", || {
        util::run(
            Command::new("node")
                .arg(&vsce)
                .args(["package", "--no-dependencies", "--target", platform])
                .args(["--baseContentUrl", &base, "--baseImagesUrl", &base, "--out"])
                .arg(&vsix)
                .current_dir(&stage),
        )
    })?;
    eprintln!("wrote {}", vsix.display());
    Ok(vsix)
}

/// The release server for `platform`: for Linux, linked by zig against the glibc floor (its
/// rustup target added when missing); the host build for the host's own platform otherwise.
fn build_for(root: &Path, platform: &str) -> Result<PathBuf> {
    let target = rust_target(platform).ok_or_else(|| format!("unknown platform {platform}"))?;
    if !platform.starts_with("linux-") {
        if platform != host_platform()? {
            return Err(format!(
                "{platform} can only be built on {platform} itself (no cross toolchain here)"
            ));
        }
        return build_server(root);
    }
    ensure_rust_target(target)?;
    let zig = crate::zig::tools(&target_dir(root))?;
    let Glibc(major, minor) = GLIBC_FLOOR;
    // zig links any Linux target from any host, against the stubs of the glibc named in the
    // target's suffix.
    util::run(
        zig.cargo_zigbuild()
            .args(["--release", "-p", "runlog-lsp", "--bin", "runlog-lsp"])
            .arg("--target")
            .arg(format!("{target}.{major}.{minor}"))
            .current_dir(root),
    )?;
    let binary = target_dir(root)
        .join(target)
        .join("release")
        .join(exe_name_for(platform));
    if binary.is_file() {
        Ok(binary)
    } else {
        Err(format!("the build did not produce {}", binary.display()))
    }
}

/// `rustup target add TARGET` unless it is installed.
fn ensure_rust_target(target: &str) -> Result {
    let installed = util::output(Command::new("rustup").args(["target", "list", "--installed"]))
        .map_err(|e| format!("{e} (rustup manages the Linux targets the VSIX's server needs)"))?;
    if installed.lines().any(|l| l.trim() == target) {
        return Ok(());
    }
    if !crate::provision::may_install() {
        return Err(format!(
            "the Rust target {target} is not installed and --no-install was given: \
             run `rustup target add {target}`"
        ));
    }
    util::run(Command::new("rustup").args(["target", "add", target]))
}

/// Where Debian's libc6-arm64-cross puts arm64's loader and glibc, for qemu-user.
const ARM64_SYSROOT: &str = "/usr/aarch64-linux-gnu";

/// Checks that the server binary at `path` suits `platform`: when `portable`, the right CPU and
/// static or needing no glibc newer than GLIBC_FLOOR; and, when this machine can run it, that
/// `--version` works.
pub fn check_server(path: &Path, platform: &str, portable: bool) -> Result {
    if !platform.starts_with("linux-") {
        return Ok(());
    }
    let data = fs::read(path).map_err(|e| format!("read {}: {e}", path.display()))?;
    let needs = elf::needs(&data).map_err(|e| format!("{}: {e}", path.display()))?;
    if portable {
        let portability = portability(&needs, platform)?;
        eprintln!("{}: {portability}", path.display());
    } else {
        eprintln!("{}: built for this machine only", path.display());
    }
    let runner: Option<PathBuf> = match (platform, std::env::consts::ARCH) {
        ("linux-x64", "x86_64") | ("linux-arm64", "aarch64") => None,
        ("linux-arm64", _) => match util::find_on_path("qemu-aarch64") {
            // A dynamic binary needs arm64's loader and libc: Debian's libc6-arm64-cross.
            Some(_) if !needs.is_static() && !Path::new(ARM64_SYSROOT).is_dir() => {
                eprintln!(
                    "not run: {platform} binary without arm64's glibc at {ARM64_SYSROOT} \
                     (apt-get install libc6-arm64-cross)"
                );
                return Ok(());
            }
            Some(qemu) => Some(qemu),
            None => {
                eprintln!(
                    "not run: {platform} binary on a {} host without qemu-aarch64 \
                     (apt-get install qemu-user)",
                    std::env::consts::ARCH
                );
                return Ok(());
            }
        },
        _ => {
            eprintln!("not run: no way to run a {platform} binary here");
            return Ok(());
        }
    };
    let mut cmd = match &runner {
        Some(qemu) => {
            let mut c = Command::new(qemu);
            c.env("QEMU_LD_PREFIX", ARM64_SYSROOT).arg(path);
            c
        }
        None => Command::new(path),
    };
    let out = util::output(cmd.arg("--version").stdin(Stdio::null()))
        .map_err(|e| format!("the {platform} server does not start: {e}"))?;
    if !out.starts_with("runlog-lsp ") {
        return Err(format!(
            "the {platform} server's --version printed {:?}",
            out.trim()
        ));
    }
    let how = runner.map_or(String::new(), |q| format!("{} ", q.display()));
    eprintln!("{how}{} --version: {}", path.display(), out.trim());
    Ok(())
}

/// One line saying why `needs` runs on every Linux of `platform`, or why not.
fn portability(needs: &elf::Needs, platform: &str) -> Result<String> {
    let machine = match platform {
        "linux-x64" => elf::EM_X86_64,
        "linux-arm64" => elf::EM_AARCH64,
        _ => return Err(format!("{platform} is not a Linux platform")),
    };
    if needs.machine != machine {
        return Err(format!(
            "the {platform} server is built for ELF machine {} (expected {machine})",
            needs.machine
        ));
    }
    if needs.is_static() {
        return Ok(format!(
            "static ELF for {platform} (no loader, no shared library, no GLIBC version)"
        ));
    }
    match needs.glibc_floor() {
        Some(floor) if floor > GLIBC_FLOOR => Err(format!(
            "the {platform} server needs {floor}, newer than {GLIBC_FLOOR}: it would not start \
             on Ubuntu 20.04, Debian 11 or RHEL 8 (link it with zig against glibc {GLIBC_FLOOR})"
        )),
        floor => Ok(format!(
            "dynamic ELF for {platform} needing {} (at most {GLIBC_FLOOR}), libraries {}",
            floor.map_or("no GLIBC version".to_string(), |f| f.to_string()),
            needs.libraries.join(", ")
        )),
    }
}

/// `cargo build --release -p runlog-lsp` for the host; returns the binary's path.
pub fn build_server(root: &Path) -> Result<PathBuf> {
    util::run(
        Command::new(cargo())
            .args(["build", "--release", "-p", "runlog-lsp"])
            .current_dir(root),
    )?;
    let binary = target_dir(root).join("release").join(exe_name());
    if binary.is_file() {
        Ok(binary)
    } else {
        Err(format!("the build did not produce {}", binary.display()))
    }
}

/// The cargo target directory (honouring CARGO_TARGET_DIR).
pub fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                root.join(dir)
            }
        }
        _ => root.join("target"),
    }
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

pub fn npm() -> Command {
    Command::new(if cfg!(windows) { "npm.cmd" } else { "npm" })
}

fn exe_name_for(platform: &str) -> &'static str {
    if platform.starts_with("win32-") {
        "runlog-lsp.exe"
    } else {
        "runlog-lsp"
    }
}

pub fn exe_name() -> &'static str {
    if cfg!(windows) {
        "runlog-lsp.exe"
    } else {
        "runlog-lsp"
    }
}

/// The VS Code target platform of this host (`vsce package --target`).
pub fn host_platform() -> Result<&'static str> {
    platform_of(std::env::consts::OS, std::env::consts::ARCH)
}

fn platform_of(os: &str, arch: &str) -> Result<&'static str> {
    match (os, arch) {
        ("linux", "x86_64") => Ok("linux-x64"),
        ("linux", "aarch64") => Ok("linux-arm64"),
        ("macos", "x86_64") => Ok("darwin-x64"),
        ("macos", "aarch64") => Ok("darwin-arm64"),
        ("windows", "x86_64") => Ok("win32-x64"),
        ("windows", "aarch64") => Ok("win32-arm64"),
        _ => Err(format!("no VS Code platform for {os}/{arch}")),
    }
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755))
        .map_err(|e| format!("chmod {}: {e}", path.display()))
}

#[cfg(not(unix))]
fn make_executable(_path: &Path) -> Result {
    Ok(())
}

/// `version` of `[workspace.package]` in the root Cargo.toml.
fn workspace_version(root: &Path) -> Result<String> {
    workspace_key(root, "version")
}

/// A string value of `[workspace.package]` in the root Cargo.toml.
fn workspace_key(root: &Path, key: &str) -> Result<String> {
    let path = root.join("Cargo.toml");
    let text = fs::read_to_string(&path).map_err(|e| format!("read {}: {e}", path.display()))?;
    key_in_cargo_toml(&text, key)
        .ok_or_else(|| format!("no [workspace.package] {key} in {}", path.display()))
}

#[cfg(test)]
fn version_in_cargo_toml(text: &str) -> Option<String> {
    key_in_cargo_toml(text, "version")
}

fn key_in_cargo_toml(text: &str, key: &str) -> Option<String> {
    let mut in_section = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_section = line == "[workspace.package]";
            continue;
        }
        if !in_section {
            continue;
        }
        let Some(rest) = line.strip_prefix(key) else {
            continue;
        };
        let Some(rest) = rest.trim_start().strip_prefix('=') else {
            continue; // a longer key with the same prefix
        };
        let value = rest.trim().strip_prefix('"')?;
        let end = value.find('"')?;
        return Some(value[..end].to_string());
    }
    None
}

/// Replaces the value of the top-level `"version"` key (the first one at two-space indentation,
/// where npm and the settings generator both write it).
fn patch_version(package_json: &str, version: &str) -> Option<String> {
    let key = "\n  \"version\": \"";
    let start = package_json.find(key)? + key.len();
    let len = package_json[start..].find('"')?;
    let mut out = String::with_capacity(package_json.len() + version.len());
    out.push_str(&package_json[..start]);
    out.push_str(version);
    out.push_str(&package_json[start + len..]);
    Some(out)
}

/// Copies what goes into the VSIX into `stage` (fresh), patching the version, so the tracked
/// package.json is never modified by a build.
fn stage_extension(ext_dir: &Path, stage: &Path, version: &str, exe: &str) -> Result {
    if stage.exists() {
        fs::remove_dir_all(stage).map_err(|e| format!("remove {}: {e}", stage.display()))?;
    }
    for rel in STAGED
        .iter()
        .copied()
        .chain(["out/extension.js"])
        .chain([format!("server/{exe}")].iter().map(String::as_str))
    {
        let from = ext_dir.join(rel);
        if !from.is_file() {
            if rel == "images/screenshot.png" {
                continue;
            }
            return Err(format!("{} is missing", from.display()));
        }
        let to = stage.join(rel);
        if let Some(dir) = to.parent() {
            fs::create_dir_all(dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
        }
        fs::copy(&from, &to).map_err(|e| format!("copy {}: {e}", from.display()))?;
    }
    make_executable(&stage.join("server").join(exe))?;
    let pkg_path = stage.join("package.json");
    let pkg =
        fs::read_to_string(&pkg_path).map_err(|e| format!("read {}: {e}", pkg_path.display()))?;
    let patched =
        patch_version(&pkg, version).ok_or("package.json has no top-level \"version\"")?;
    fs::write(&pkg_path, patched).map_err(|e| format!("write {}: {e}", pkg_path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platforms_follow_vscode_names() {
        assert_eq!(platform_of("linux", "x86_64").ok(), Some("linux-x64"));
        assert_eq!(platform_of("linux", "aarch64").ok(), Some("linux-arm64"));
        assert_eq!(platform_of("macos", "x86_64").ok(), Some("darwin-x64"));
        assert_eq!(platform_of("macos", "aarch64").ok(), Some("darwin-arm64"));
        assert_eq!(platform_of("windows", "x86_64").ok(), Some("win32-x64"));
        assert!(platform_of("freebsd", "x86_64").is_err());
    }

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn platforms_default_to_the_host_and_map_to_glibc_on_linux() {
        assert_eq!(
            parse_platforms(&[]).ok(),
            host_platform().ok().map(|p| vec![p])
        );
        let both = parse_platforms(&strings(&[
            "--platform",
            "linux-arm64",
            "--platform",
            "linux-x64",
            "--platform",
            "linux-arm64",
        ]));
        assert_eq!(both.ok(), Some(vec!["linux-arm64", "linux-x64"]));
        assert!(parse_platforms(&strings(&["--platform", "linux-mips"])).is_err());
        assert!(parse_platforms(&strings(&["--platform"])).is_err());
        assert_eq!(rust_target("linux-x64"), Some("x86_64-unknown-linux-gnu"));
        assert_eq!(
            rust_target("linux-arm64"),
            Some("aarch64-unknown-linux-gnu")
        );
    }

    fn elf_needs(machine: u16, loader: bool, versions: &[&str]) -> elf::Needs {
        elf::Needs {
            machine,
            interpreter: loader.then(|| "/lib64/ld-linux-x86-64.so.2".to_string()),
            libraries: if loader {
                strings(&["libc.so.6"])
            } else {
                Vec::new()
            },
            versions: strings(versions),
        }
    }

    #[test]
    fn the_glibc_floor_is_2_17() {
        // A static binary runs everywhere.
        assert!(portability(&elf_needs(elf::EM_X86_64, false, &[]), "linux-x64").is_ok());
        assert!(portability(&elf_needs(elf::EM_AARCH64, false, &[]), "linux-arm64").is_ok());
        // A glibc build made on Debian 12 (what the VSIX shipped before) is refused.
        let why = portability(
            &elf_needs(elf::EM_X86_64, true, &["GLIBC_2.2.5", "GLIBC_2.34"]),
            "linux-x64",
        )
        .err()
        .unwrap_or_default();
        assert!(why.contains("GLIBC_2.34"), "{why}");
        // One linked against glibc 2.17 (cargo-zigbuild's x86_64-unknown-linux-gnu.2.17) passes.
        assert!(portability(
            &elf_needs(elf::EM_X86_64, true, &["GLIBC_2.14", "GLIBC_2.17"]),
            "linux-x64"
        )
        .is_ok());
        // The wrong CPU is refused.
        assert!(portability(&elf_needs(elf::EM_X86_64, false, &[]), "linux-arm64").is_err());
    }

    /// The binary the last `cargo xtask dist` packaged (when there is one): static, or no newer
    /// than the floor. `dist` itself refuses to package anything else; this catches a stale one.
    #[test]
    fn the_staged_server_is_portable() {
        let staged = util::root().join("target/vscode-stage/server/runlog-lsp");
        let Ok(data) = fs::read(&staged) else {
            return; // nothing packaged on this machine yet
        };
        let needs = elf::needs(&data).unwrap_or_default();
        let platform = if needs.machine == elf::EM_AARCH64 {
            "linux-arm64"
        } else {
            "linux-x64"
        };
        assert!(portability(&needs, platform).is_ok(), "{needs:?}");
    }

    #[test]
    fn reads_the_workspace_version() {
        let toml = "[workspace]\nmembers = []\nversion = \"9\"\n\n[workspace.package]\nedition = \"2021\"\nversion = \"1.2.3\"\n";
        assert_eq!(version_in_cargo_toml(toml).as_deref(), Some("1.2.3"));
        assert_eq!(version_in_cargo_toml("[package]\nversion = \"1\"\n"), None);
        let real = fs::read_to_string(util::root().join("Cargo.toml")).unwrap_or_default();
        assert!(version_in_cargo_toml(&real).is_some());
    }

    #[test]
    fn patches_only_the_top_level_version() {
        let pkg = "{\n  \"name\": \"x\",\n  \"version\": \"0.0.0\",\n  \"dependencies\": {\n    \"version\": \"1\"\n  }\n}\n";
        let patched = patch_version(pkg, "2.5.0").unwrap_or_default();
        assert!(patched.contains("\n  \"version\": \"2.5.0\","));
        assert!(patched.contains("\n    \"version\": \"1\""));
        assert_eq!(patch_version("{}", "1"), None);
    }

    #[test]
    fn the_extension_package_json_can_be_patched() {
        let pkg = fs::read_to_string(util::root().join("editors/vscode/package.json"))
            .unwrap_or_default();
        assert!(pkg.contains("\"publisher\": \"runlog\""));
        assert!(patch_version(&pkg, "0.0.1").is_some());
    }
}
