//! The `runlog-lsp` binary: the language server (default, `--stdio`) and the `check`/`explain`
//! command line.

fn main() {
    one_malloc_arena();
    std::process::exit(runlog_lsp::cli::run());
}

/// glibc gives each thread that allocates its own arena and keeps what is freed there: an
/// analysis run on one blocking thread and the next on another then hold two documents' worth of
/// memory (measured: 140 MB peak for a 10 MB log with edits, 98 MB with one arena). Analyses run
/// one at a time per document, so one arena costs no contention worth having.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn one_malloc_arena() {
    // SAFETY: called first in main, before any other thread exists; mallopt only sets a tunable.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn one_malloc_arena() {}
