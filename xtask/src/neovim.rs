//! The Neovim tier: Neovim headless with editors/neovim's setup attached to runlog-lsp.
use crate::util::Result;
/// `Err` says what failed, or, when a tool is missing, how to install it.
pub fn tier() -> Result {
    Err("the neovim tier is not built yet".into())
}
