//! The `runlog-lsp` binary: the language server (default, `--stdio`) and the `check`/`explain`
//! command line.

#[global_allocator]
static ALLOCATOR: runlog_lsp::alloc::LargeBlocksOnHugePages =
    runlog_lsp::alloc::LargeBlocksOnHugePages;

fn main() {
    std::process::exit(runlog_lsp::cli::run());
}
