//! `cargo xtask fixtures`: re-records fixtures from real producers.
use crate::util::Result;
pub fn run(_args: &[String]) -> Result {
    Err("fixtures is not built yet".into())
}
