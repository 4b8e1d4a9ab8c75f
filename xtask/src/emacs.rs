//! The Emacs tier: Emacs in batch mode with editors/emacs's eglot config.
use crate::util::Result;
/// `Err` says what failed, or, when a tool is missing, how to install it.
pub fn tier() -> Result {
    Err("the emacs tier is not built yet".into())
}
