//! The analysis core: text in, plain data with byte ranges out. It knows nothing about LSP,
//! does no IO and never panics on any input.
//!
//! Data flow: `stream` cuts the text into units at byte level (`quiet` says which cannot report
//! anything) → `parse` (JSON/JSONC/JSON Lines, tolerant of truncation; a unit, or the whole text
//! when the cut is not exact) → `detect` (which format, or not a run log) → `exchange` (every
//! HTTP call with its spans) → `status` (what the code means) → `body` + `explain` (why it
//! failed, in the body's own words) → `report` (all of it, redacted) → `analysis` (findings).

pub mod analysis;
pub mod body;
pub mod curl;
pub mod detect;
pub mod exchange;
pub mod explain;
pub mod groups;
pub mod incremental;
pub mod lex;
pub mod line_index;
pub mod model;
pub mod network_errors;
pub mod parse;
pub mod payload;
pub(crate) mod quiet;
pub mod redact;
pub mod report;
pub mod status;
pub mod stream;
pub mod unfold;
pub mod visible;

/// The benchmarks' log generators, for the streaming tests.
#[cfg(test)]
#[path = "../../benches/gen/mod.rs"]
pub(crate) mod bench_gen;

pub use analysis::analyze;
pub use incremental::reanalyze;
pub use model::*;
