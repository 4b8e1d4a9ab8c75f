//! `cargo xtask dist`: the platform VSIX with the server inside.
use crate::util::Result;
use std::path::PathBuf;
pub fn run(_args: &[String]) -> Result<PathBuf> {
    Err("dist is not built yet".into())
}
