//! The baseline analysis is measured against: a bare `jsonc_parser::parse_to_ast` with default
//! options (no tokens, no comments collected), the least any JSON tool does with the text. For
//! JSON Lines that is one parse per non-empty line (a whole-text parse stops at the second value).

use crate::gen::GenFormat;

/// Parses `text` as the format requires; returns how many values parsed (kept so the work is
/// not optimised away).
pub fn bare_parse(format: GenFormat, text: &str) -> usize {
    let parse = |t: &str| {
        jsonc_parser::parse_to_ast(t, &Default::default(), &Default::default())
            .map(|p| usize::from(p.value.is_some()))
            .unwrap_or(0)
    };
    match format {
        GenFormat::JsonLines => text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(parse)
            .sum(),
        GenFormat::Har | GenFormat::RunLog => parse(text),
    }
}
