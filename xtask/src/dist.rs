//! `cargo xtask dist`: the platform VSIX with the server inside.
//!
//! Builds `runlog-lsp` in release mode, copies it into `editors/vscode/server/`, bundles the
//! extension with esbuild, stages the files that go into the VSIX with the workspace version
//! patched into package.json, and packages `dist/runlog-lsp-<platform>.vsix` with vsce.

use crate::util::{self, Result};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

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

pub fn run(args: &[String]) -> Result<PathBuf> {
    if let Some(other) = args.first() {
        return Err(format!("unknown option `{other}` for `cargo xtask dist`"));
    }
    let root = util::root();
    let platform = host_platform()?;
    let ext_dir = root.join("editors/vscode");

    let binary = util::timed("cargo build --release -p runlog-lsp", || {
        build_server(&root)
    })?;
    let server_dir = ext_dir.join("server");
    fs::create_dir_all(&server_dir).map_err(|e| format!("create {}: {e}", server_dir.display()))?;
    let bundled = server_dir.join(exe_name());
    fs::copy(&binary, &bundled)
        .map_err(|e| format!("copy {} to {}: {e}", binary.display(), bundled.display()))?;
    make_executable(&bundled)?;

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
    let stage = root.join("target/vscode-stage");
    stage_extension(&ext_dir, &stage, &version)?;

    let dist = root.join("dist");
    fs::create_dir_all(&dist).map_err(|e| format!("create {}: {e}", dist.display()))?;
    let vsix = dist.join(format!("runlog-lsp-{platform}.vsix"));
    let vsce = ext_dir.join("node_modules/@vscode/vsce/vsce");
    // Relative links in README.md (the screenshot) must become absolute in the marketplace.
    let base = format!(
        "{}/raw/HEAD/editors/vscode",
        workspace_key(&root, "repository")?.trim_end_matches('/')
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

/// `cargo build --release -p runlog-lsp`; returns the binary's path.
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
fn stage_extension(ext_dir: &Path, stage: &Path, version: &str) -> Result {
    if stage.exists() {
        fs::remove_dir_all(stage).map_err(|e| format!("remove {}: {e}", stage.display()))?;
    }
    for rel in STAGED.iter().copied().chain(["out/extension.js"]).chain(
        [format!("server/{}", exe_name())]
            .iter()
            .map(String::as_str),
    ) {
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
    make_executable(&stage.join("server").join(exe_name()))?;
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
