//! `cargo xtask bench-lsp`: the side-by-side LSP benchmark (owned by the benchmark work).
use crate::util::Result;
pub fn run(_args: &[String]) -> Result {
    Err("bench-lsp is not built yet".into())
}
