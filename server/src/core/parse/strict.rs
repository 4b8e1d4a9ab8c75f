//! Strict JSON (RFC 8259) read straight into `jsonc_parser`'s tree. Logs are nearly always
//! strict JSON, and `jsonc_parser::parse_to_ast` decodes every string with an escape a
//! character at a time through its character provider: a call's body is an escaped string of
//! kilobytes, so that was most of a parse. Here plain runs of a string are found eight bytes at
//! a time (`lex::plain_string_run`) and copied whole.
//!
//! Anything else (comments, trailing commas, single quotes, unquoted names, a lone surrogate, a
//! control character in a string, nesting past `MAX_DEPTH`, any error) gives `None` and the
//! caller takes `jsonc_parser`'s path, which reads it and reports its problems. On strict JSON
//! the tree is the one `jsonc_parser` builds: the tests compare both on every fixture and on
//! generated text.

use crate::core::lex;
use jsonc_parser::ast::{
    Array, BooleanLit, NullKeyword, NumberLit, Object, ObjectProp, ObjectPropName, StringLit, Value,
};
use jsonc_parser::common::Range;
use std::borrow::Cow;

/// Deeper values are left to `jsonc_parser` (this reader recurses once per level).
const MAX_DEPTH: usize = 128;

/// The tree of `text` when it is one strict JSON value, with whitespace around it.
pub(crate) fn parse(text: &str) -> Option<Value<'_>> {
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        at: 0,
    };
    reader.skip_whitespace();
    let value = reader.value(0)?;
    reader.skip_whitespace();
    (reader.at == reader.bytes.len()).then_some(value)
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.bytes.get(self.at) == Some(&byte);
        self.at += usize::from(found);
        found
    }

    fn range_from(&self, start: usize) -> Range {
        Range {
            start,
            end: self.at,
        }
    }

    fn value(&mut self, depth: usize) -> Option<Value<'a>> {
        let start = self.at;
        Some(match *self.bytes.get(self.at)? {
            b'{' => Value::Object(self.object(depth + 1)?),
            b'[' => Value::Array(self.array(depth + 1)?),
            b'"' => Value::StringLit(self.string()?),
            b't' => {
                self.word(b"true")?;
                Value::BooleanLit(BooleanLit {
                    range: self.range_from(start),
                    value: true,
                })
            }
            b'f' => {
                self.word(b"false")?;
                Value::BooleanLit(BooleanLit {
                    range: self.range_from(start),
                    value: false,
                })
            }
            b'n' => {
                self.word(b"null")?;
                Value::NullKeyword(NullKeyword {
                    range: self.range_from(start),
                })
            }
            _ => Value::NumberLit(self.number()?),
        })
    }

    fn word(&mut self, word: &[u8]) -> Option<()> {
        self.bytes[self.at..].starts_with(word).then(|| {
            self.at += word.len();
        })
    }

    fn object(&mut self, depth: usize) -> Option<Object<'a>> {
        if depth > MAX_DEPTH {
            return None;
        }
        let start = self.at;
        let mut properties = Vec::new();
        self.items(b'}', |reader| {
            if reader.bytes.get(reader.at) != Some(&b'"') {
                return None;
            }
            let name = reader.string()?;
            reader.skip_whitespace();
            if !reader.eat(b':') {
                return None;
            }
            reader.skip_whitespace();
            let value = reader.value(depth)?;
            properties.push(ObjectProp {
                range: reader.range_from(name.range.start),
                name: ObjectPropName::String(name),
                value,
            });
            Some(())
        })?;
        Some(Object {
            range: self.range_from(start),
            properties,
        })
    }

    fn array(&mut self, depth: usize) -> Option<Array<'a>> {
        if depth > MAX_DEPTH {
            return None;
        }
        let start = self.at;
        let mut elements = Vec::new();
        self.items(b']', |reader| {
            elements.push(reader.value(depth)?);
            Some(())
        })?;
        Some(Array {
            range: self.range_from(start),
            elements,
        })
    }

    /// The items of a container (the reader at its opening bracket) up to `close`, separated
    /// by commas, each read by `item`.
    fn items(&mut self, close: u8, mut item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.at += 1;
        self.skip_whitespace();
        if self.eat(close) {
            return Some(());
        }
        loop {
            item(self)?;
            self.skip_whitespace();
            if self.eat(close) {
                return Some(());
            }
            if !self.eat(b',') {
                return None;
            }
            self.skip_whitespace();
        }
    }

    /// A number as the grammar has it; its text is its value.
    fn number(&mut self) -> Option<NumberLit<'a>> {
        let start = self.at;
        self.at = lex::json_number(self.bytes, start)?.end;
        Some(NumberLit {
            range: self.range_from(start),
            value: self.text.get(start..self.at)?,
        })
    }

    /// A string token (the reader at its opening quote), decoded only when it has escapes.
    fn string(&mut self) -> Option<StringLit<'a>> {
        let start = self.at;
        self.at += 1;
        // Every cut below is at an ASCII quote or backslash: a character boundary.
        let mut plain_from = self.at;
        let mut decoded: Option<String> = None;
        loop {
            self.at = lex::plain_string_run(self.bytes, self.at);
            match *self.bytes.get(self.at)? {
                b'"' => {
                    let rest = self.text.get(plain_from..self.at)?;
                    self.at += 1;
                    let value = match decoded {
                        None => Cow::Borrowed(rest),
                        Some(mut text) => {
                            text.push_str(rest);
                            Cow::Owned(text)
                        }
                    };
                    return Some(StringLit {
                        range: self.range_from(start),
                        value,
                    });
                }
                b'\\' => {
                    let (c, len) = lex::json_escape(self.bytes, self.at)?;
                    let text = decoded.get_or_insert_with(String::new);
                    text.push_str(self.text.get(plain_from..self.at)?);
                    text.push(c);
                    self.at += len;
                    plain_from = self.at;
                }
                // A control character: not strict JSON.
                _ => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests;
