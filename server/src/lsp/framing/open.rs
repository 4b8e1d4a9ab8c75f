//! A big `didOpen`, decoded in one pass over its text. `serde_json` decodes a string with escapes
//! run by run into a scratch buffer, growing it, then copies it out; a 10 MB HAR sent as a
//! `didOpen` has an escape every four bytes. Here the envelope's keys are read by hand, its small
//! values by `serde_json`, and the text is unescaped straight into the document's buffer (a
//! 10 MB HAR's message: 25 → 20 ms). Anything unusual (another key, a key twice, an escaped
//! key, a lone surrogate, a control character) gives `None`, and the message takes the general
//! decode, which says what is wrong with it.
//!
//! The text of a big message is unescaped while the rest of the message arrives (`OpenText`):
//! the decode then mostly overlaps the client's write, and only the last piece is left for
//! when the message is whole.

use crate::core::lex;
use serde_json::{Map, Value};
use tower_lsp_server::jsonrpc::Request;

/// An escape is at most this long (`\ud83d\ude00`): one that starts nearer the end of what
/// has arrived may be cut.
const LONGEST_ESCAPE: usize = 12;

/// The request the general decode gives for `body`, when it is a plain `didOpen`. `started`:
/// its text as far as it was unescaped while the message arrived.
pub(super) fn decode(body: &[u8], started: Option<OpenText>) -> Option<Request> {
    let mut c = Cursor {
        bytes: body,
        at: 0,
        text: Text::Decode(started),
    };
    let document = envelope(&mut c)?;
    c.skip_whitespace();
    if c.at != body.len() {
        return None;
    }
    let mut params = Map::new();
    params.insert("textDocument".into(), Value::Object(document));
    Some(
        Request::build("textDocument/didOpen")
            .params(Value::Object(params))
            .finish(),
    )
}

/// A plain `didOpen`'s envelope: its `textDocument` item.
fn envelope(c: &mut Cursor<'_>) -> Option<Map<String, Value>> {
    let (mut jsonrpc, mut method, mut document) = (None, None, None);
    c.members(|c, key| {
        match key {
            "jsonrpc" if jsonrpc.is_none() => jsonrpc = Some(c.value()?),
            "method" if method.is_none() => method = Some(c.value()?),
            "params" if document.is_none() => {
                // Only a didOpen's text is looked for while it arrives.
                let other = method
                    .as_ref()
                    .is_some_and(|m| *m != "textDocument/didOpen");
                if other && matches!(c.text, Text::Find(_)) {
                    return None;
                }
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
    (jsonrpc? == "2.0" && method? == "textDocument/didOpen").then_some(document?)
}

/// The text of a `didOpen` unescaped as far as its message has arrived.
#[derive(Debug)]
pub(super) struct OpenText {
    /// The document's URI and version, when its item gave them before the text.
    pub(super) document: Option<(String, i32)>,
    /// Where the text's content starts in the message body (after its opening quote).
    start: usize,
    /// How far the body has been read.
    at: usize,
    /// The text unescaped so far is `out[..len]`; `out` has room for the rest of the body.
    out: Vec<u8>,
    len: usize,
}

impl OpenText {
    /// The text of a plain `didOpen` whose body of `total` bytes starts with `partial`, once
    /// its envelope up to the text has arrived; unescaped as far as `partial` goes.
    pub(super) fn start(partial: &[u8], total: usize) -> Option<OpenText> {
        let mut c = Cursor {
            bytes: partial,
            at: 0,
            text: Text::Find(Found::default()),
        };
        let _ = envelope(&mut c);
        let Text::Find(Found {
            start: Some(start),
            document,
        }) = c.text
        else {
            return None;
        };
        let mut text = OpenText::at(document, start, total)?;
        text.unescape(partial, false)?;
        Some(text)
    }

    /// A text whose content starts at `start` of a body of `total` bytes, nothing unescaped yet.
    fn at(document: Option<(String, i32)>, start: usize, total: usize) -> Option<OpenText> {
        Some(OpenText {
            document,
            start,
            at: start,
            // Unescaping only shortens: the rest of the message is room enough, also for the
            // words `copy_plain_string_run` stores whole.
            out: vec![0; total.checked_sub(start)?],
            len: 0,
        })
    }

    /// The text unescaped so far.
    pub(super) fn unescaped(&self) -> &[u8] {
        &self.out[..self.len]
    }

    /// Unescapes what has arrived of the body (`partial`) since the last call. `None`: the text
    /// is not one the hand decode takes (the general decode will say why).
    pub(super) fn advance(&mut self, partial: &[u8]) -> Option<()> {
        self.unescape(partial, false).map(|_| ())
    }

    /// Unescapes from `self.at` to the text's closing quote (`Some(true)`), or, with `complete`
    /// false, as far as `bytes` surely holds whole escapes (`Some(false)`).
    fn unescape(&mut self, bytes: &[u8], complete: bool) -> Option<bool> {
        let whole_escapes_before = if complete {
            bytes.len()
        } else {
            bytes.len().saturating_sub(LONGEST_ESCAPE)
        };
        loop {
            let run_end = lex::copy_plain_string_run(bytes, self.at, self.out.get_mut(self.len..)?);
            self.len += run_end - self.at;
            self.at = run_end;
            match bytes.get(self.at) {
                Some(b'"') => return Some(true),
                Some(b'\\') if self.at < whole_escapes_before => {
                    // A log's text escapes every quote: the two-byte escapes take the short way.
                    match bytes.get(self.at + 1).copied().and_then(lex::short_escape) {
                        Some(byte) => {
                            *self.out.get_mut(self.len)? = byte;
                            self.len += 1;
                            self.at += 2;
                        }
                        None => {
                            let (decoded, escape_len) = lex::json_escape(bytes, self.at)?;
                            self.len += decoded.encode_utf8(self.out.get_mut(self.len..)?).len();
                            self.at += escape_len;
                        }
                    }
                }
                Some(b'\\') | None if !complete => return Some(false),
                _ => return None, // a control character, or the body ends in the text
            }
        }
    }

    /// The whole text, `bytes` being the whole body.
    fn finish(mut self, bytes: &[u8]) -> Option<(String, usize)> {
        if !self.unescape(bytes, true)? {
            return None;
        }
        self.out.truncate(self.len);
        self.out.shrink_to_fit();
        Some((String::from_utf8(self.out).ok()?, self.at + 1))
    }
}

/// What the cursor does at the text's value.
enum Text {
    /// Decodes it, resuming from where it was unescaped while it arrived.
    Decode(Option<OpenText>),
    /// Only finds where it starts (the body may not have arrived past it), and stops.
    Find(Found),
}

/// Where a text starts, and the document it is of as far as its item said before it.
#[derive(Default)]
struct Found {
    start: Option<usize>,
    document: Option<(String, i32)>,
}

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
    text: Text,
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
                "text" => {
                    if let Text::Find(found) = &mut c.text {
                        let uri = item.get("uri").and_then(Value::as_str);
                        let version = item.get("version").and_then(Value::as_i64);
                        found.document = uri
                            .zip(version.and_then(|v| i32::try_from(v).ok()))
                            .map(|(uri, version)| (uri.to_string(), version));
                    }
                    Value::String(c.text()?)
                }
                _ => return None,
            };
            item.insert(key.to_string(), value).is_none().then_some(())
        })?;
        (item.len() == 4).then_some(item)
    }

    /// The text's string value, unescaped in one pass into one buffer.
    fn text(&mut self) -> Option<String> {
        self.eat(b'"')?;
        let started = match &mut self.text {
            Text::Find(found) => {
                found.start = Some(self.at);
                return None;
            }
            Text::Decode(started) => started.take().filter(|t| t.start == self.at),
        };
        let text = match started {
            Some(text) => text,
            None => OpenText::at(None, self.at, self.bytes.len())?,
        };
        let (text, end) = text.finish(self.bytes)?;
        self.at = end;
        Some(text)
    }
}
