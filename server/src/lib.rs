//! runlog-lsp: a language server (and `check` CLI) that explains failed HTTP calls in run logs.
//!
//! `core` is the analysis (no LSP, no IO); `lsp` translates it to LSP; `cli` to the terminal.

pub mod alloc;
pub mod cli;
pub mod config_file;
pub mod core;
pub mod lsp;
pub mod settings;

#[cfg(test)]
mod fixture_snapshots;
