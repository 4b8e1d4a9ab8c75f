//! The LSP layer: a thin translation between LSP 3.17 and the analysis core.

/// Serves LSP over stdin/stdout until `exit`, end of stdin, or the editor process is gone.
/// Builds its own tokio runtime; returns the process exit code.
pub fn serve_stdio() -> i32 {
    0
}
