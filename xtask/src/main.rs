//! `cargo xtask <task>`: the project's build, install, packaging and test automation, in Rust so
//! that it runs wherever cargo does.

mod bench;
mod dist;
mod editor_configs;
mod elf;
mod emacs;
mod fixtures;
mod fuzz;
mod install;
mod neovim;
mod provision;
mod test;
mod util;
mod vscode;
mod zig;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <task> [options]

tasks:
  install [--code-bin PATH] [--server-only]
                        build and install runlog-lsp (and the VS Code extension when VS Code is found)
  dist [--platform P]...
                        build dist/runlog-lsp-<platform>.vsix with the server inside (default: this
                        machine's platform; Linux servers are linked by zig against glibc 2.17,
                        checked to start); P: linux-x64, linux-arm64, ...
  test [--skip-tier NAME]... [--no-install]
                        run every test tier: cargo, neovim, emacs, vscode; first installs what a
                        tier is missing (Debian packages with apt-get as root or with sudo,
                        editor tools under target/); --no-install fails the tier instead
  setup-editors         install the real editors the editor tiers drive (code-server, Playwright;
                        `test` runs it when they are missing)
  fixtures [--har-only | --newman-only | --cassettes-only]
                        re-record the fixtures made by real producers (Chromium HAR, newman,
                        vcrpy and Betamax cassettes)
  fuzz [TARGET...] [--seconds N]
                        run the cargo-fuzz targets seeded with the fixtures (default 600 s each)
  bench-lsp [--sizes 1,10,50]
                        side-by-side LSP benchmark against vscode-json-language-server
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((task, rest)) = args.split_first() else {
        eprint!("{USAGE}");
        return ExitCode::from(2);
    };
    let result = match task.as_str() {
        "install" => install::run(rest),
        "dist" => dist::run(rest).map(|_| ()),
        "test" => test::run(rest),
        "setup-editors" => vscode::setup(rest),
        "fixtures" => fixtures::run(rest),
        "bench-lsp" => bench::run(rest),
        "fuzz" => fuzz::run(rest),
        "help" | "--help" | "-h" => {
            print!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown task `{other}`\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
