//! Real-editor tiers (Neovim headless, Emacs batch, VS Code via code-server) and their setup.
use crate::util::Result;
pub fn setup(_args: &[String]) -> Result {
    Err("setup-editors is not built yet".into())
}
/// Each tier: `Err` says what failed, or, when a tool is missing, how to install it.
pub fn neovim_tier() -> Result {
    Err("the neovim tier is not built yet".into())
}
pub fn emacs_tier() -> Result {
    Err("the emacs tier is not built yet".into())
}
pub fn vscode_tier() -> Result {
    Err("the vscode tier is not built yet".into())
}
