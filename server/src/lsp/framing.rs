//! A guard between stdin and tower-lsp-server's decoder. Its decoder stops reading for good at the
//! first message it cannot decode (tokio-util's `FramedRead` ends the stream after an error), so
//! one broken message from a client would leave the server deaf. This reader re-frames the input:
//! every well-formed JSON-RPC message is passed on with a plain `Content-Length` header; bad JSON,
//! a wrong or missing `Content-Length`, other junk and oversized messages are dropped with a log
//! line, and reading goes on at the next `Content-Length` header.

use serde::Deserialize;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, ReadBuf};
use tokio::sync::Notify;
use tower_lsp_server::jsonrpc::{Id, Request, Response};

/// Messages longer than this are skipped unread (a 50 MB log is about 55 MB as a didOpen).
const MAX_MESSAGE: usize = 512 << 20;
/// A header block longer than this is junk.
const MAX_HEADER: usize = 8 << 10;
/// The input buffer keeps at most this much capacity between messages.
const RETAINED: usize = 1 << 20;
/// Bytes asked from the inner reader at a time.
const CHUNK: usize = 256 << 10;
const CONTENT_LENGTH: &[u8] = b"content-length";

/// What tower-lsp-server decodes a message into (its own `Message` is private): the same
/// untagged shape, so "decodes here" means "decodes there".
#[derive(Deserialize)]
#[serde(untagged)]
#[allow(dead_code)] // only whether it decodes matters
enum Incoming {
    Response(Response),
    Request(Request),
}

/// A request or notification as `Request` reads it, without building its params: the cheap
/// check for the common case (a big didOpen is read once more, not copied twice more).
#[derive(Deserialize)]
#[allow(dead_code)] // only whether it decodes matters
struct RequestShape<'a> {
    #[serde(borrow)]
    jsonrpc: std::borrow::Cow<'a, str>,
    #[serde(default, borrow)]
    method: std::borrow::Cow<'a, str>,
    #[serde(default)]
    params: Option<serde::de::IgnoredAny>,
    #[serde(default, deserialize_with = "some")]
    id: Option<Id>,
}

/// `null` is `Some(Id::Null)`, as in `Request`.
fn some<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Id>, D::Error> {
    Id::deserialize(d).map(Some)
}

/// True for the `exit` notification (the only message after which nothing is awaited).
fn is_exit(framed: &[u8]) -> bool {
    // `{"jsonrpc":"2.0","method":"exit"}` and its spelled-out variants are short.
    if framed.len() > 512 {
        return false;
    }
    let body = find(framed, b"\r\n\r\n").map_or(framed, |i| &framed[i + 4..]);
    serde_json::from_slice::<RequestShape<'_>>(body)
        .is_ok_and(|r| r.method == "exit" && r.id.is_none())
}

/// Whether tower-lsp-server will decode `text`.
fn decodes(text: &str) -> bool {
    serde_json::from_str::<RequestShape<'_>>(text).is_ok_and(|r| r.jsonrpc == "2.0")
        || serde_json::from_str::<Incoming>(text).is_ok()
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

/// The framing state over a byte buffer, independent of IO (tested directly).
#[derive(Debug, Default)]
pub struct Reframer {
    input: Vec<u8>,
    /// Start of the unread part of `input`.
    at: usize,
    /// Bytes of an oversized message still to be skipped.
    skipping: usize,
}

/// What `Reframer::next_frame` found.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    /// A well-formed message, framed again.
    Message(Vec<u8>),
    Dropped(Dropped),
    /// More input is needed.
    NeedMore,
}

impl Reframer {
    pub fn push(&mut self, bytes: &[u8]) {
        let mut bytes = bytes;
        if self.skipping > 0 {
            let n = self.skipping.min(bytes.len());
            self.skipping -= n;
            bytes = &bytes[n..];
        }
        if self.at > 0 && self.at * 2 >= self.input.len() {
            self.input.drain(..self.at);
            self.at = 0;
            // After a big message (a didOpen of a large log) give its memory back: the analysis
            // that follows needs it more than this buffer does.
            if self.input.capacity() > RETAINED && self.input.len() < RETAINED / 2 {
                self.input.shrink_to(RETAINED);
            }
        }
        self.input.extend_from_slice(bytes);
    }

    fn pending(&self) -> &[u8] {
        &self.input[self.at..]
    }

    /// The next message (or what was dropped) from the input pushed so far.
    pub fn next_frame(&mut self) -> Next {
        let pending = self.pending();
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
            return Next::Dropped(Dropped::TooLong(len));
        }
        if pending.len() < body_start + len {
            return Next::NeedMore;
        }
        let body = &pending[body_start..body_start + len];
        let ok = !body.is_empty() && std::str::from_utf8(body).is_ok_and(decodes);
        let out = if ok {
            let mut framed = format!("Content-Length: {len}\r\n\r\n").into_bytes();
            framed.extend_from_slice(body);
            Next::Message(framed)
        } else {
            Next::Dropped(Dropped::Malformed(len))
        };
        self.at += body_start + len;
        out
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

/// Stdin through a `Reframer`.
pub struct Guarded<R> {
    inner: R,
    /// Told when the client sends `exit`: tower-lsp-server stops reading then, but waits for
    /// handlers that await a client answer which can no longer come.
    exit: Arc<Notify>,
    reframer: Reframer,
    out: Vec<u8>,
    out_at: usize,
    chunk: Box<[u8]>,
}

impl<R> Guarded<R> {
    pub fn new(inner: R, exit: Arc<Notify>) -> Self {
        Guarded {
            inner,
            exit,
            reframer: Reframer::default(),
            out: Vec::new(),
            out_at: 0,
            chunk: vec![0u8; CHUNK].into_boxed_slice(),
        }
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for Guarded<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = &mut *self;
        loop {
            if this.out_at < this.out.len() {
                let n = buf.remaining().min(this.out.len() - this.out_at);
                buf.put_slice(&this.out[this.out_at..this.out_at + n]);
                this.out_at += n;
                if this.out_at == this.out.len() && this.out.capacity() > RETAINED {
                    // Handed over in full: do not hold a copy of a big message until the next.
                    this.out = Vec::new();
                    this.out_at = 0;
                }
                return Poll::Ready(Ok(()));
            }
            match this.reframer.next_frame() {
                Next::Message(framed) => {
                    if is_exit(&framed) {
                        this.exit.notify_one();
                    }
                    this.out = framed;
                    this.out_at = 0;
                    continue;
                }
                Next::Dropped(what) => {
                    tracing::warn!(
                        "ignored input from the client that is not a JSON-RPC message: {what:?}"
                    );
                    continue;
                }
                Next::NeedMore => {}
            }
            let mut chunk = ReadBuf::new(&mut this.chunk);
            match Pin::new(&mut this.inner).poll_read(cx, &mut chunk) {
                Poll::Ready(Ok(())) if chunk.filled().is_empty() => return Poll::Ready(Ok(())),
                Poll::Ready(Ok(())) => {
                    let filled = chunk.filled().len();
                    this.reframer.push(&this.chunk[..filled]);
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(body: &str) -> Vec<u8> {
        format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
    }

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

    #[test]
    fn the_cheap_check_agrees_with_the_full_one() {
        for text in [
            OK,
            r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
            r#"{"jsonrpc":"2.0","id":"a","method":"x","params":null}"#,
            r#"{"jsonrpc":"2.0","id":null,"method":"x","params":[1,2.5,1e400]}"#,
            r#"{"jsonrpc":"2.0"}"#,
            r#"{"jsonrpc":"2.0","id":1,"result":null}"#,
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
        ] {
            let full = serde_json::from_str::<Incoming>(text).is_ok();
            assert_eq!(decodes(text), full, "{text}");
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
            assert_eq!(got[0], Next::Message(frame(OK)));
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
            assert_eq!(messages, vec![&Next::Message(frame(OK))], "{step}: {got:?}");
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
        assert_eq!(r.next_frame(), Next::Message(frame(OK)));
    }

    #[test]
    fn the_exit_notification_is_recognised_and_nothing_else() {
        assert!(is_exit(&frame(r#"{"jsonrpc":"2.0","method":"exit"}"#)));
        assert!(is_exit(&frame(
            r#"{"method": "exit", "jsonrpc": "2.0", "params": null}"#
        )));
        assert!(!is_exit(&frame(
            r#"{"jsonrpc":"2.0","id":1,"method":"exit"}"#
        )));
        assert!(!is_exit(&frame(r#"{"jsonrpc":"2.0","method":"exited"}"#)));
        assert!(!is_exit(&frame(
            r#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#
        )));
    }
}
