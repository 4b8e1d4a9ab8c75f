//! A big `didOpen`, decoded in one pass over its text. `serde_json` decodes a string with escapes
//! run by run into a scratch buffer, growing it, then copies it out; a 10 MB HAR sent as a
//! `didOpen` has an escape every four bytes. Here the envelope's keys are read by hand, its small
//! values by `serde_json`, and the text is unescaped straight into the document's buffer (a
//! 10 MB HAR's message: 25 → 20 ms). Anything unusual (another key, a key twice, an escaped
//! key, a lone surrogate, a control character) gives `None`, and the message takes the general
//! decode, which says what is wrong with it.

use crate::core::lex;
use serde_json::{Map, Value};
use tower_lsp_server::jsonrpc::Request;

/// The request the general decode gives for `body`, when it is a plain `didOpen`.
pub(super) fn decode(body: &[u8]) -> Option<Request> {
    let mut c = Cursor { bytes: body, at: 0 };
    let (mut jsonrpc, mut method, mut document) = (None, None, None);
    c.members(|c, key| {
        match key {
            "jsonrpc" if jsonrpc.is_none() => jsonrpc = Some(c.value()?),
            "method" if method.is_none() => method = Some(c.value()?),
            "params" if document.is_none() => {
                let mut item = None;
                c.members(|c, key| match key {
                    "textDocument" if item.is_none() => {
                        item = Some(c.text_document()?);
                        Some(())
                    }
                    _ => None,
                })?;
                document = Some(item?);
            }
            _ => return None,
        }
        Some(())
    })?;
    c.skip_whitespace();
    let plain = jsonrpc? == "2.0" && method? == "textDocument/didOpen" && c.at == body.len();
    if !plain {
        return None;
    }
    let mut params = Map::new();
    params.insert("textDocument".into(), Value::Object(document?));
    Some(
        Request::build("textDocument/didOpen")
            .params(Value::Object(params))
            .finish(),
    )
}

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        self.skip_whitespace();
        (self.bytes.get(self.at) == Some(&byte)).then(|| self.at += 1)
    }

    /// An object's members: `each` reads the value of every key.
    fn members(&mut self, mut each: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        if self.eat(b'}').is_some() {
            return Some(());
        }
        loop {
            let key = self.plain_key()?;
            self.eat(b':')?;
            each(self, key)?;
            if self.eat(b',').is_none() {
                return self.eat(b'}');
            }
        }
    }

    /// A key without escapes (every key of LSP's messages).
    fn plain_key(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.at;
        let len = self.bytes.get(start..)?.iter().position(|&b| b == b'"')?;
        let key = std::str::from_utf8(&self.bytes[start..start + len]).ok()?;
        if key.bytes().any(|b| b == b'\\' || b < 0x20) {
            return None;
        }
        self.at = start + len + 1;
        Some(key)
    }

    /// One small value, by `serde_json`.
    fn value(&mut self) -> Option<Value> {
        self.skip_whitespace();
        let mut values =
            serde_json::Deserializer::from_slice(self.bytes.get(self.at..)?).into_iter::<Value>();
        let value = values.next()?.ok()?;
        self.at += values.byte_offset();
        Some(value)
    }

    /// The `textDocument` item, its text unescaped here.
    fn text_document(&mut self) -> Option<Map<String, Value>> {
        let mut item = Map::new();
        self.members(|c, key| {
            let value = match key {
                "uri" | "languageId" | "version" => c.value()?,
                "text" => Value::String(c.text()?),
                _ => return None,
            };
            item.insert(key.to_string(), value).is_none().then_some(())
        })?;
        (item.len() == 4).then_some(item)
    }

    /// A string value, unescaped in one pass into one buffer.
    fn text(&mut self) -> Option<String> {
        self.eat(b'"')?;
        let bytes = self.bytes;
        // Unescaping only shortens: the rest of the message is room enough, also for the words
        // `copy_plain_string_run` stores whole.
        let mut out = vec![0; bytes.len() - self.at];
        let mut len = 0;
        let mut at = self.at;
        loop {
            let run_end = lex::copy_plain_string_run(bytes, at, &mut out[len..]);
            len += run_end - at;
            at = run_end;
            match *bytes.get(at)? {
                b'"' => break,
                // A log's text escapes every quote: the two-byte escapes take the short way.
                b'\\' => match bytes.get(at + 1).copied().and_then(lex::short_escape) {
                    Some(byte) => {
                        out[len] = byte;
                        len += 1;
                        at += 2;
                    }
                    None => {
                        let (decoded, escape_len) = lex::json_escape(bytes, at)?;
                        len += decoded.encode_utf8(&mut out[len..]).len();
                        at += escape_len;
                    }
                },
                _ => return None, // a control character
            }
        }
        out.truncate(len);
        self.at = at + 1;
        out.shrink_to_fit();
        String::from_utf8(out).ok()
    }
}
