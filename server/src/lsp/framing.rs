//! Framing of the JSON-RPC input, independent of IO: `Content-Length` framed messages are cut
//! out of the bytes read so far and decoded once, as a request or a response. Bad JSON, a wrong or
//! missing `Content-Length`, other junk and oversized messages are dropped (the transport logs
//! them), and reading goes on at the next `Content-Length` header: one broken message from a
//! client never leaves the server deaf.

use std::sync::mpsc::SyncSender;
use tower_lsp_server::jsonrpc::{Request, Response};

mod open;

use open::OpenText;

/// A message this big is first tried as a plain `didOpen` (`open`): below it, the general
/// decode costs nothing worth saving.
const OPEN_BY_HAND_FROM: usize = 64 << 10;

/// Messages longer than this are skipped unread (a 50 MB log is about 55 MB as a didOpen).
const MAX_MESSAGE: usize = 512 << 20;
/// A header block longer than this is junk.
const MAX_HEADER: usize = 8 << 10;
/// A `didOpen`'s envelope before its text fits in this many bytes (else it is not unescaped
/// while it arrives).
const ENVELOPE_WITHIN: usize = 4 << 10;
/// At most this much room is made ahead of a message's bytes arriving.
const RESERVE_AHEAD: usize = 128 << 20;
/// The input buffer keeps at most this much capacity between messages.
const RETAINED: usize = 1 << 20;
const CONTENT_LENGTH: &[u8] = b"content-length";

/// A message from the client.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    /// A request or a notification.
    Request(Request),
    /// An answer to a request the server sent.
    Response(Response),
}

/// The `exit` notification, after which the server reads nothing more.
pub fn is_exit(request: &Request) -> bool {
    request.method() == "exit" && request.id().is_none()
}

/// Decodes a message body in one pass for requests and notifications (all but a few messages):
/// straight into `Request`, which holds its params as they are. A body without a method is a
/// response. (tower-lsp-server's own untagged decode buffers the whole message before trying
/// each shape: a 10 MB didOpen was copied twice more.)
fn decode(body: &[u8], started: Option<OpenText>) -> Option<Incoming> {
    if body.len() >= OPEN_BY_HAND_FROM {
        if let Some(request) = open::decode(body, started) {
            return Some(Incoming::Request(request));
        }
    }
    match serde_json::from_slice::<Request>(body) {
        Ok(request) if !request.method().is_empty() => Some(Incoming::Request(request)),
        request => serde_json::from_slice::<Response>(body)
            .map(Incoming::Response)
            .or(request.map(Incoming::Request))
            .ok(),
    }
}

/// Why input was dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dropped {
    /// Bytes that are not a header block with a `Content-Length`.
    Junk(usize),
    /// A body that is not a JSON-RPC message (bad JSON, not UTF-8, wrong shape, cut short).
    Malformed(usize),
    /// A message longer than `MAX_MESSAGE`, skipped.
    TooLong(usize),
}

/// Told of each big `didOpen` as its text starts arriving, with its URI, version and message
/// length; the sender it returns gets the text piece by piece as it is unescaped, and
/// `TextPiece::End` once the message is whole and decoded. A sender dropped before `End`: the
/// message was not decoded.
pub type OnOpening = Box<dyn FnMut(&str, i32, usize) -> Option<SyncSender<TextPiece>> + Send>;

/// A piece of an arriving `didOpen`'s text (see [`OnOpening`]).
#[derive(Debug)]
pub enum TextPiece {
    Bytes(Vec<u8>),
    End,
}

/// The framing state over a byte buffer, independent of IO (tested directly).
#[derive(Debug, Default)]
pub struct Reframer {
    input: Vec<u8>,
    /// Start of the unread part of `input`.
    at: usize,
    /// Bytes of an oversized message still to be skipped.
    skipping: usize,
    /// What is known of that message's text while it arrives.
    arriving: Arriving,
    on_opening: Opening,
}

/// The [`OnOpening`] of a reframer, if it has one.
#[derive(Default)]
struct Opening(Option<OnOpening>);

impl std::fmt::Debug for Opening {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Opening(Some)"
        } else {
            "Opening(None)"
        })
    }
}

/// Where an arriving text goes piece by piece, and how much of it went.
#[derive(Debug)]
struct Feed {
    to: SyncSender<TextPiece>,
    sent: usize,
}

impl Feed {
    /// Sends what `text` unescaped since the last piece; `None` when nobody listens any more.
    fn send(mut self, text: &[u8]) -> Option<Feed> {
        let new = text.get(self.sent..)?;
        if !new.is_empty() {
            self.to.send(TextPiece::Bytes(new.to_vec())).ok()?;
            self.sent = text.len();
        }
        Some(self)
    }

    /// Sends the rest of the decoded request's text, and the end.
    fn finish(self, request: &Request) {
        let text = request
            .params()
            .and_then(|p| p.get("textDocument")?.get("text")?.as_str());
        if let Some(feed) = text.and_then(|t| self.send(t.as_bytes())) {
            let _ = feed.to.send(TextPiece::End);
        }
    }
}

/// A big message while it arrives.
#[derive(Debug, Default)]
enum Arriving {
    /// Not yet known to be a `didOpen`.
    #[default]
    Unknown,
    /// A `didOpen` whose text is being unescaped, and where it goes as it is.
    Text(OpenText, Option<Feed>),
    /// Anything else: decoded when whole.
    Other,
}

/// What `Reframer::next_frame` found.
#[derive(Debug, PartialEq)]
pub enum Next {
    /// A well-formed message.
    Message(Incoming),
    Dropped(Dropped),
    /// More input is needed.
    NeedMore,
}

impl Reframer {
    /// A reframer that tells `on_opening` of every big `didOpen` as its text arrives.
    pub fn telling(on_opening: Option<OnOpening>) -> Self {
        Reframer {
            on_opening: Opening(on_opening),
            ..Reframer::default()
        }
    }

    pub fn push(&mut self, bytes: &[u8]) {
        let mut bytes = bytes;
        if self.skipping > 0 {
            let n = self.skipping.min(bytes.len());
            self.skipping -= n;
            bytes = &bytes[n..];
        }
        self.compact();
        self.input.extend_from_slice(bytes);
    }

    /// Drops the input already framed once it is most of the buffer.
    fn compact(&mut self) {
        if self.at > 0 && self.at * 2 >= self.input.len() {
            self.input.drain(..self.at);
            self.at = 0;
            // After a big message (a didOpen of a large log) give its memory back: the analysis
            // that follows needs it more than this buffer does.
            if self.input.capacity() > RETAINED && self.input.len() < RETAINED / 2 {
                self.input.shrink_to(RETAINED);
            }
        }
    }

    fn pending(&self) -> &[u8] {
        &self.input[self.at..]
    }

    /// The next message (or what was dropped) from the input pushed so far.
    pub fn next_frame(&mut self) -> Next {
        let pending = &self.input[self.at..];
        if pending.is_empty() || self.skipping > 0 {
            return Next::NeedMore;
        }
        // Only the first MAX_HEADER bytes can hold the header's end: no rescan of a long buffer.
        let head = &pending[..pending.len().min(MAX_HEADER + 3)];
        let Some(header_end) = find(head, b"\r\n\r\n").filter(|&i| i < MAX_HEADER) else {
            if pending.len() < MAX_HEADER {
                return Next::NeedMore;
            }
            return Next::Dropped(self.resync());
        };
        let Some(len) = content_length(&pending[..header_end]) else {
            return Next::Dropped(self.resync());
        };
        let body_start = header_end + 4;
        if len > MAX_MESSAGE {
            let have = pending.len() - body_start;
            self.skipping = len - have.min(len);
            self.at += body_start + have.min(len);
            self.arriving = Arriving::Unknown;
            return Next::Dropped(Dropped::TooLong(len));
        }
        if pending.len() < body_start + len {
            // Room for the whole message at once: a big didOpen is not copied at every doubling
            // (up to a bound, so that a header alone cannot make the server allocate much).
            let missing = body_start + len - pending.len();
            self.input.reserve(missing.min(RESERVE_AHEAD));
            if len >= OPEN_BY_HAND_FROM {
                self.unescape_arrived(body_start, len);
            }
            return Next::NeedMore;
        }
        let body = &pending[body_start..body_start + len];
        let started = std::time::Instant::now();
        let (text, feed) = match std::mem::take(&mut self.arriving) {
            Arriving::Text(text, feed) => (Some(text), feed),
            _ => (None, None),
        };
        let decoded = decode(body, text);
        if let (Some(feed), Some(Incoming::Request(request))) = (feed, &decoded) {
            feed.finish(request);
        }
        if len >= 1 << 20 {
            tracing::debug!("decoded a {len}-byte message in {:?}", started.elapsed());
        }
        let out = match decoded {
            Some(message) => Next::Message(message),
            None => Next::Dropped(Dropped::Malformed(len)),
        };
        self.at += body_start + len;
        out
    }

    /// Unescapes the text of the big message arriving (`len` bytes from `body_start` on) as far
    /// as it has arrived, when it is a `didOpen`.
    fn unescape_arrived(&mut self, body_start: usize, len: usize) {
        let partial = &self.input[self.at + body_start..];
        self.arriving = match std::mem::take(&mut self.arriving) {
            Arriving::Unknown => match OpenText::start(partial, len) {
                Some(text) => {
                    let to = match (&text.document, self.on_opening.0.as_mut()) {
                        (Some((uri, version)), Some(tell)) => tell(uri, *version, len),
                        _ => None,
                    };
                    let feed = to.and_then(|to| Feed { to, sent: 0 }.send(text.unescaped()));
                    Arriving::Text(text, feed)
                }
                None if partial.len() < ENVELOPE_WITHIN => Arriving::Unknown,
                None => Arriving::Other,
            },
            Arriving::Text(mut text, feed) => match text.advance(partial) {
                Some(()) => {
                    let feed = feed.and_then(|f| f.send(text.unescaped()));
                    Arriving::Text(text, feed)
                }
                None => Arriving::Other,
            },
            Arriving::Other => Arriving::Other,
        };
    }

    /// Drops input up to the next `Content-Length` header (past the current position).
    fn resync(&mut self) -> Dropped {
        let pending = self.pending();
        let skip = match find_ci(&pending[1.min(pending.len())..], CONTENT_LENGTH) {
            Some(i) => i + 1,
            // Keep a tail that may be the start of a header cut by the read.
            None => pending.len() - partial_header_tail(pending),
        };
        let skip = skip.max(1).min(pending.len());
        self.at += skip;
        self.arriving = Arriving::Unknown;
        Dropped::Junk(skip)
    }
}

/// The length of the longest end of `bytes` that starts a `Content-Length` header.
fn partial_header_tail(bytes: &[u8]) -> usize {
    (1..CONTENT_LENGTH.len().min(bytes.len() + 1))
        .rev()
        .find(|&n| bytes[bytes.len() - n..].eq_ignore_ascii_case(&CONTENT_LENGTH[..n]))
        .unwrap_or(0)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

fn find_ci(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

/// The `Content-Length` of a header block (header names are case-insensitive in HTTP style).
fn content_length(headers: &[u8]) -> Option<usize> {
    let text = std::str::from_utf8(headers).ok()?;
    let mut length = None;
    for line in text.split("\r\n") {
        let (name, value) = line.split_once(':')?;
        if name.trim().eq_ignore_ascii_case("content-length") {
            length = Some(value.trim().parse::<usize>().ok()?);
        }
    }
    length
}

/// Messages as a client sends them, for the tests of the framing and of the transport.
#[cfg(test)]
pub(super) mod sent {
    /// `body` with its `Content-Length` header.
    pub(in crate::lsp) fn frame(body: &str) -> Vec<u8> {
        format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
    }

    /// A `didOpen` of `text`, its keys in the order editors send them (the text last).
    pub(in crate::lsp) fn did_open(uri: &str, version: i32, text: &str) -> String {
        serde_json::json!({
            "jsonrpc": "2.0",
            "method": "textDocument/didOpen",
            "params": {"textDocument": {
                "uri": uri, "languageId": "json", "version": version, "text": text,
            }},
        })
        .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::sent::frame;
    use super::*;

    /// Everything the reframer gives for `input` pushed in pieces of `step` bytes.
    fn run(input: &[u8], step: usize) -> Vec<Next> {
        let mut r = Reframer::default();
        let mut out = Vec::new();
        for piece in input.chunks(step.max(1)) {
            r.push(piece);
            loop {
                match r.next_frame() {
                    Next::NeedMore => break,
                    n => out.push(n),
                }
            }
        }
        out
    }

    const OK: &str = r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#;

    /// tower-lsp-server's own decode (its `Message` is private): the same untagged shape.
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Untagged {
        Response(Response),
        Request(Request),
    }

    fn message(text: &str) -> Next {
        Next::Message(decode(text.as_bytes(), None).expect("a message"))
    }

    /// A `didOpen` of `text` (JSON, escapes as the caller wrote them), padded past the size
    /// from which it is decoded by hand.
    fn did_open(text_json: &str) -> String {
        let pad = " ".repeat(OPEN_BY_HAND_FROM);
        format!(
            r#"{{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{{"textDocument":{{"uri":"file:///a%20b.har","languageId":"json","version":3,"text":{text_json}}}}}}}{pad}"#
        )
    }

    fn general(body: &str) -> Option<Request> {
        serde_json::from_str::<Request>(body).ok()
    }

    #[test]
    fn a_big_did_open_decodes_by_hand_as_the_general_decode_does() {
        for text in [
            r#""{\n  \"log\": {\"entries\": [\"\\\"a\\\"\"]}\r\n}""#,
            r#""\u00e9\u20AC\ud83d\ude00 \/ \b\f\t é😀 \u0041BCDEFGHIJKLMNOP""#,
            r#""""#,
            r#""0123456789abcdef0123456789abcdef""#,
        ] {
            let body = did_open(text);
            let by_hand = open::decode(body.as_bytes(), None);
            assert!(by_hand.is_some(), "{text}");
            assert_eq!(by_hand, general(&body), "{text}");
            assert_eq!(
                decode(body.as_bytes(), None),
                general(&body).map(Incoming::Request)
            );
        }
        // Keys in another order and spaced out are still a plain didOpen.
        let spaced = did_open(r#""a""#).replacen(
            r#"{"jsonrpc":"2.0","method":"textDocument/didOpen","#,
            r#"{ "method" : "textDocument/didOpen" , "jsonrpc" : "2.0" ,"#,
            1,
        );
        assert_eq!(open::decode(spaced.as_bytes(), None), general(&spaced));
        assert!(open::decode(spaced.as_bytes(), None).is_some());
        // Anything unusual is left to the general decode.
        for body in [
            did_open(r#""\ud800 lone""#),
            did_open(r#""\udc00""#),
            did_open(r#""\ud83dx""#),
            did_open(r#""\u+041""#),
            did_open(r#""\x""#),
            did_open("\"raw\u{1}control\""),
            did_open(r#""unterminated"#).replace(&" ".repeat(OPEN_BY_HAND_FROM), ""),
            did_open(r#""a", "extra": 1"#),
            did_open(r#""a", "text": "b""#),
            did_open(r#""a""#).replacen(r#""jsonrpc":"2.0","#, r#""jsonrpc":"2.0","id":7,"#, 1),
            did_open(r#""a""#).replacen(
                r#""jsonrpc":"2.0","#,
                r#""jsonrpc":"2.0","jsonrpc":"2.0","#,
                1,
            ),
            did_open(r#""a""#).replacen("didOpen", "didClose", 1),
            did_open(r#""a""#).replacen(r#""jsonrpc":"2.0""#, r#""jsonrpc":"1.0""#, 1),
            did_open(r#""a""#).replacen(r#""uri""#, r#""u\u0072i""#, 1),
            did_open(r#""a""#) + "x",
        ] {
            assert_eq!(
                open::decode(body.as_bytes(), None),
                None,
                "{}",
                &body[..body.len().min(200)]
            );
        }
    }

    proptest::proptest! {
        /// Any text, escaped as serde_json writes it or with every character as `\u`.
        #[test]
        fn any_opened_text_decodes_by_hand_as_the_general_decode_does(
            text in "(?s).{0,64}",
            every_char_escaped in proptest::bool::ANY,
        ) {
            let json = if every_char_escaped {
                let mut out = String::from("\"");
                for unit in text.encode_utf16() {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
                out + "\""
            } else {
                serde_json::to_string(&text).unwrap()
            };
            let body = did_open(&json);
            let by_hand = open::decode(body.as_bytes(), None);
            proptest::prop_assert!(by_hand.is_some());
            proptest::prop_assert_eq!(by_hand, general(&body));
        }

        /// The text unescaped while its message arrives, wherever the pieces end.
        #[test]
        fn a_did_open_unescaped_as_it_arrives_decodes_as_the_general_decode_does(
            text in "(?s).{0,64}",
            every_char_escaped in proptest::bool::ANY,
            step in 1usize..40,
        ) {
            let json = if every_char_escaped {
                text.encode_utf16().map(|unit| format!("\\u{unit:04x}")).collect::<String>()
            } else {
                let quoted = serde_json::to_string(&text).unwrap();
                quoted[1..quoted.len() - 1].to_string()
            };
            // The text ends past the envelope's first piece and is cut anywhere by `step`.
            let body = did_open(&format!("\"{}{json}\"", "x".repeat(ENVELOPE_WITHIN)));
            let input = frame(&body);
            let mut r = Reframer::default();
            let mut unescaped_early = false;
            let mut out = Vec::new();
            for piece in input.chunks(step) {
                r.push(piece);
                loop {
                    match r.next_frame() {
                        Next::NeedMore => break,
                        n => out.push(n),
                    }
                }
                unescaped_early |= matches!(r.arriving, Arriving::Text(..));
            }
            proptest::prop_assert!(unescaped_early);
            let expected = general(&body).map(|r| Next::Message(Incoming::Request(r)));
            proptest::prop_assert_eq!(out, expected.into_iter().collect::<Vec<_>>());
        }
    }

    #[test]
    fn an_arriving_did_open_is_told_and_fed_its_text_piece_by_piece() {
        use std::sync::mpsc::{sync_channel, Receiver};
        use std::sync::{Arc, Mutex};
        let text = "{\"a\": \"\\\"é😀\"}\n".repeat(20_000);
        let body = sent::did_open("file:///a.har", 7, &text);
        type Told = Arc<Mutex<Vec<(String, i32, usize, Receiver<TextPiece>)>>>;
        let told: Told = Arc::default();
        let tell = told.clone();
        let mut r = Reframer::telling(Some(Box::new(move |uri, version, len| {
            let (to, pieces) = sync_channel(1 << 16);
            tell.lock()
                .unwrap()
                .push((uri.to_string(), version, len, pieces));
            Some(to)
        })));
        // Whole, then with a byte too many (the message does not decode); and another method
        // with the same params, which is not told of.
        let other = body.replacen("textDocument/didOpen", "custom/open", 1);
        let input = [frame(&body), frame(&(body.clone() + "x")), frame(&other)].concat();
        let mut out = Vec::new();
        for piece in input.chunks(4096) {
            r.push(piece);
            loop {
                match r.next_frame() {
                    Next::NeedMore => break,
                    n => out.push(n),
                }
            }
        }
        assert!(matches!(out[0], Next::Message(Incoming::Request(_))));
        assert!(matches!(out[1], Next::Dropped(Dropped::Malformed(_))));
        assert!(
            matches!(&out[2], Next::Message(Incoming::Request(r)) if r.method() == "custom/open")
        );
        drop(r);
        let told = std::mem::take(&mut *told.lock().unwrap());
        assert_eq!(told.len(), 2);
        for (k, (uri, version, len, pieces)) in told.into_iter().enumerate() {
            assert_eq!(
                (uri.as_str(), version, len),
                ("file:///a.har", 7, body.len() + k)
            );
            let mut fed = Vec::new();
            let mut ended = false;
            for piece in pieces.iter() {
                match piece {
                    TextPiece::Bytes(bytes) => fed.push(bytes),
                    TextPiece::End => ended = true,
                }
            }
            assert!(fed.len() > 10, "fed as it arrived: {} pieces", fed.len());
            let fed = fed.concat();
            if k == 0 {
                assert!(ended);
                assert_eq!(fed, text.as_bytes());
            } else {
                // Cut short, never ended: whoever reads it knows it is not the text.
                assert!(!ended);
                assert!(text.as_bytes().starts_with(&fed));
            }
        }
    }

    #[test]
    fn one_pass_decodes_what_the_untagged_decode_does() {
        for text in [
            OK,
            r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
            r#"{"jsonrpc":"2.0","id":"a","method":"x","params":null}"#,
            r#"{"jsonrpc":"2.0","id":null,"method":"x","params":[1,2.5,1e400]}"#,
            r#"{"jsonrpc":"2.0"}"#,
            r#"{"jsonrpc":"2.0","id":1,"result":null}"#,
            r#"{"jsonrpc":"2.0","id":1,"result":{"a":[1e400, 9007199254740993]}}"#,
            r#"{"jsonrpc":"2.0","id":1,"error":{"code":-1,"message":"no"}}"#,
            r#"{"jsonrpc":"1.0","id":1,"method":"x"}"#,
            r#"{"jsonrpc":"2.0","id":1.5,"method":"x"}"#,
            r#"{"jsonrpc":"2.0","id":{},"method":"x"}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":5}"#,
            r#"{"jsonrpc":"2.0","id":1,"id":2,"method":"x"}"#,
            r#"{"id":1,"method":"x"}"#,
            r#"{"jsonrpc":"2.0","method":"x"}"#,
            "[1]",
            "{",
            "",
        ] {
            let untagged = match serde_json::from_str::<Untagged>(text) {
                Ok(Untagged::Request(r)) => Some(Incoming::Request(r)),
                Ok(Untagged::Response(r)) => Some(Incoming::Response(r)),
                Err(_) => None,
            };
            assert_eq!(decode(text.as_bytes(), None), untagged, "{text}");
        }
    }

    #[test]
    fn good_messages_pass_whatever_the_read_sizes() {
        let mut input = frame(OK);
        input.extend(b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n");
        input.extend(frame(
            r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
        ));
        for step in [1, 3, 7, 64, 4096] {
            let got = run(&input, step);
            assert_eq!(got.len(), 2, "{step}: {got:?}");
            assert_eq!(got[0], message(OK));
        }
    }

    #[test]
    fn junk_is_dropped_and_reading_goes_on() {
        let mut input = Vec::new();
        input.extend(frame("{not json"));
        input.extend(frame(r#"{"no": "jsonrpc field"}"#));
        input.extend(b"garbage without headers\r\n\r\n");
        input.extend(b"Content-Type: text/plain\r\n\r\n");
        // Too short a length: the rest of the body is junk before the next header.
        let body = OK;
        input.extend(format!("Content-Length: {}\r\n\r\n{body}", body.len() - 5).as_bytes());
        input.extend(b"\xff\xfe");
        // Not UTF-8 inside a string.
        let mut bad = br#"{"jsonrpc":"2.0","method":"x","params":""#.to_vec();
        bad.extend(b"\xff\"}");
        input.extend(format!("Content-Length: {}\r\n\r\n", bad.len()).as_bytes());
        input.extend(bad);
        input.extend(frame(OK));
        for step in [1, 5, 4096] {
            let got = run(&input, step);
            let messages: Vec<&Next> = got
                .iter()
                .filter(|n| matches!(n, Next::Message(_)))
                .collect();
            assert_eq!(messages, vec![&message(OK)], "{step}: {got:?}");
            assert!(
                got.contains(&Next::Dropped(Dropped::Malformed(9))),
                "{got:?}"
            );
            if step == 4096 {
                assert_eq!(got.len(), 7, "one drop per bad piece: {got:?}");
            }
        }
    }

    #[test]
    fn oversized_messages_are_skipped_without_being_kept() {
        let mut r = Reframer::default();
        r.push(format!("Content-Length: {}\r\n\r\nabc", MAX_MESSAGE + 10).as_bytes());
        assert_eq!(
            r.next_frame(),
            Next::Dropped(Dropped::TooLong(MAX_MESSAGE + 10))
        );
        let filler = vec![b' '; 1 << 20];
        for _ in 0..MAX_MESSAGE / filler.len() {
            r.push(&filler);
            assert_eq!(r.next_frame(), Next::NeedMore);
        }
        assert!(r.input.len() < 2 << 20, "skipped bytes are not kept");
        r.push(&filler[..7]);
        r.push(&frame(OK));
        assert_eq!(r.next_frame(), message(OK));
    }

    #[test]
    fn the_exit_notification_is_recognised_and_nothing_else() {
        let exit = |text: &str| matches!(decode(text.as_bytes(), None), Some(Incoming::Request(r)) if is_exit(&r));
        assert!(exit(r#"{"jsonrpc":"2.0","method":"exit"}"#));
        assert!(exit(
            r#"{"method": "exit", "jsonrpc": "2.0", "params": null}"#
        ));
        assert!(!exit(r#"{"jsonrpc":"2.0","id":1,"method":"exit"}"#));
        assert!(!exit(r#"{"jsonrpc":"2.0","method":"exited"}"#));
        assert!(!exit(r#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#));
    }

    #[test]
    fn a_big_message_is_read_into_room_made_once() {
        let params = format!(r#"{{"text":"{}"}}"#, "x".repeat(4 << 20));
        let body = format!(r#"{{"jsonrpc":"2.0","method":"didOpen","params":{params}}}"#);
        let input = frame(&body);
        let mut r = Reframer::default();
        r.push(&input[..1000]);
        assert_eq!(r.next_frame(), Next::NeedMore);
        let room = r.input.capacity();
        assert!(room >= input.len(), "{room} < {}", input.len());
        for piece in input[1000..].chunks(64 << 10) {
            r.push(piece);
        }
        assert_eq!(
            r.input.capacity(),
            room,
            "no growth while the message arrives"
        );
        assert!(matches!(
            r.next_frame(),
            Next::Message(Incoming::Request(_))
        ));
    }
}
