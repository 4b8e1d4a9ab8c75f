//! `cargo xtask install`.
use crate::util::Result;
pub fn run(_args: &[String]) -> Result {
    Err("install is not built yet".into())
}
