//! The `runlog-lsp` binary: the language server (default, `--stdio`) and the `check`/`explain`
//! command line.

fn main() {
    std::process::exit(runlog_lsp::cli::run());
}
