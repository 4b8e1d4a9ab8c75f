//! The stdio transport: reads framed messages from stdin (`framing`), hands requests to the
//! tower-lsp-server service and the client's answers to its socket, and writes what the server
//! answers or asks to stdout. It does what tower-lsp-server's `Server::serve` does (the same
//! order of calls, at most four handlers at once) with two differences: a message that cannot be
//! decoded is dropped instead of ending the input for good, and a message is decoded once, in
//! one pass (`Server` decodes through an untagged enum that buffers the whole message first).

use super::framing::{is_exit, Incoming, Next, OnOpening, Reframer};
use futures::channel::mpsc;
use futures::{future, stream, SinkExt, StreamExt, TryFutureExt};
use std::io::Read;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc as mpsc_tokio;
use tokio::sync::Notify;
use tower_lsp_server::jsonrpc::{Request, Response};
use tower_lsp_server::ClientSocket;
use tower_service::Service;

/// Handlers run at once, as in tower-lsp-server's `Server`.
const MAX_CONCURRENCY: usize = 4;
/// Calls queued before reading waits, as in tower-lsp-server's `Server`.
const QUEUE: usize = 100;
/// Bytes asked from stdin at a time.
const PIECE: usize = 256 << 10;
/// Pieces read ahead of the framing (a big message's decode) before reading waits: with the
/// pipe's own 1 MiB, the framing never waits for the client, and at most six buffers exist.
const PIECES_AHEAD: usize = 4;

/// How reading ended.
pub struct Ended {
    /// Told at the end of stdin.
    pub eof: Notify,
    /// Told when `exit` arrives: nothing is read after it.
    pub exit: Notify,
}

/// A message to the client.
enum Outgoing {
    Response(Response),
    Request(Request),
}

/// Serves `service` over `input` and `output` until the input ends or `exit` arrives (told
/// through `ended`), then until every handler has answered. `on_opening` is told of each big
/// `didOpen` as it arrives (see `framing::OnOpening`).
pub async fn serve<S, I, O>(
    input: I,
    mut output: O,
    mut service: S,
    socket: ClientSocket,
    on_opening: Option<OnOpening>,
    ended: &Ended,
) where
    S: Service<Request, Response = Option<Response>>,
    S::Error: std::fmt::Display,
    I: Read + Send + 'static,
    O: AsyncWrite + Unpin,
{
    let (client_requests, mut client_responses) = socket.split();
    let (client_requests, stop_client_requests) = stream::abortable(client_requests);
    let (mut calls, queued) = mpsc::channel(QUEUE);
    let answers = queued
        .buffer_unordered(MAX_CONCURRENCY)
        .filter_map(future::ready)
        .map(Outgoing::Response);
    let mut outgoing = stream::select(answers, client_requests.map(Outgoing::Request));

    let write = async {
        while let Some(message) = outgoing.next().await {
            if let Err(e) = write_message(&mut output, &message).await {
                tracing::error!("cannot write to stdout: {e}");
                break;
            }
        }
    };

    let (messages, mut received) = tokio::sync::mpsc::channel(QUEUE);
    let (pieces, read) = std::sync::mpsc::sync_channel(PIECES_AHEAD);
    let (spare, spares) = std::sync::mpsc::channel();
    let threads = std::thread::Builder::new()
        .name("runlog-lsp stdin".into())
        .spawn(move || read_pieces(input, &pieces, &spares))
        .and_then(|_| {
            std::thread::Builder::new()
                .name("runlog-lsp framing".into())
                .spawn(move || frame_messages(&read, &spare, &messages, on_opening))
        });
    if let Err(e) = threads {
        tracing::error!("cannot start the threads that read stdin: {e}");
    }
    let read = async {
        'reading: loop {
            match received.recv().await {
                None => {
                    ended.eof.notify_one();
                    break;
                }
                Some(Incoming::Response(response)) => {
                    if client_responses.send(response).await.is_err() {
                        break 'reading;
                    }
                }
                Some(Incoming::Request(request)) => {
                    let exit = is_exit(&request);
                    if let Err(e) = future::poll_fn(|cx| service.poll_ready(cx)).await {
                        tracing::error!("the server cannot take requests: {e}");
                        break 'reading;
                    }
                    let call = service.call(request).unwrap_or_else(|e| {
                        tracing::error!("{e}");
                        None
                    });
                    if calls.send(call).await.is_err() {
                        break 'reading;
                    }
                    if exit {
                        ended.exit.notify_one();
                        break 'reading;
                    }
                }
            }
        }
        // Answers still being computed are written; requests to the client are not sent.
        calls.disconnect();
        stop_client_requests.abort();
    };

    future::join(write, read).await;
}

/// Reads `input` on a thread of its own, in pieces handed to `frame_messages` on another: a big
/// message's text is unescaped while the client is still writing it, and reading does not wait
/// for that. (Through tokio's stdin every read was a round trip to a blocking thread and a
/// copy more, and a 10 MB `didOpen` waited for them.)
fn read_pieces(
    mut input: impl Read,
    pieces: &std::sync::mpsc::SyncSender<Piece>,
    spare: &std::sync::mpsc::Receiver<Vec<u8>>,
) {
    loop {
        let mut buffer = spare.try_recv().unwrap_or_else(|_| vec![0; PIECE]);
        match input.read(&mut buffer) {
            Ok(0) => return,
            Ok(n) => {
                if pieces.send(Piece { buffer, len: n }).is_err() {
                    return;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                tracing::error!("cannot read stdin: {e}");
                return;
            }
        }
    }
}

/// Bytes read from stdin: the first `len` of `buffer`.
struct Piece {
    buffer: Vec<u8>,
    len: usize,
}

/// Frames and decodes the pieces read until they end, `exit`, or the server no longer
/// listening; hands each buffer back for the next read.
fn frame_messages(
    pieces: &std::sync::mpsc::Receiver<Piece>,
    spare: &std::sync::mpsc::Sender<Vec<u8>>,
    messages: &mpsc_tokio::Sender<Incoming>,
    on_opening: Option<OnOpening>,
) {
    let mut reframer = Reframer::telling(on_opening);
    while let Ok(piece) = pieces.recv() {
        reframer.push(&piece.buffer[..piece.len]);
        let _ = spare.send(piece.buffer);
        loop {
            match reframer.next_frame() {
                Next::NeedMore => break,
                Next::Dropped(what) => tracing::warn!(
                    "ignored input from the client that is not a JSON-RPC message: {what:?}"
                ),
                Next::Message(message) => {
                    let exit = matches!(&message, Incoming::Request(r) if is_exit(r));
                    if messages.blocking_send(message).is_err() || exit {
                        return;
                    }
                }
            }
        }
    }
}

/// Writes one message with its `Content-Length` header.
async fn write_message<O: AsyncWrite + Unpin>(
    output: &mut O,
    message: &Outgoing,
) -> std::io::Result<()> {
    let body = match message {
        Outgoing::Response(r) => serde_json::to_vec(r),
        Outgoing::Request(r) => serde_json::to_vec(r),
    }
    .map_err(std::io::Error::other)?;
    let mut framed = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    framed.extend_from_slice(&body);
    output.write_all(&framed).await?;
    output.flush().await
}

#[cfg(test)]
mod tests {
    use super::super::framing::sent::{did_open, frame};
    use super::*;

    /// Reads as a pipe does: at most `step` bytes at a time.
    struct Trickle {
        bytes: Vec<u8>,
        at: usize,
        step: usize,
    }

    impl Read for Trickle {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = self.step.min(out.len()).min(self.bytes.len() - self.at);
            out[..n].copy_from_slice(&self.bytes[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    #[test]
    fn messages_read_through_a_trickling_pipe_are_those_sent() {
        let text = "{\"log\": {\"entries\": [\"\\\"a\\\"\", \"é😀\\u0001\"]}}\r\n".repeat(40_000);
        let open = did_open("file:///a.har", 1, &text);
        let shutdown = r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#;
        let exit = r#"{"jsonrpc":"2.0","method":"exit"}"#;
        let input = [frame(shutdown), frame(&open), frame(exit), frame(shutdown)].concat();
        for step in [7, 4096, 1 << 20] {
            let (pieces, read) = std::sync::mpsc::sync_channel(PIECES_AHEAD);
            let (spare, spares) = std::sync::mpsc::channel();
            let (messages, mut received) = mpsc_tokio::channel(QUEUE);
            let trickle = Trickle {
                bytes: input.clone(),
                at: 0,
                step,
            };
            let reader = std::thread::spawn(move || read_pieces(trickle, &pieces, &spares));
            frame_messages(&read, &spare, &messages, None);
            drop((messages, read));
            reader.join().unwrap();
            let mut got = Vec::new();
            while let Some(message) = received.blocking_recv() {
                got.push(message);
            }
            let request = |body: &str| Incoming::Request(serde_json::from_str(body).unwrap());
            // Nothing is read after `exit`.
            assert_eq!(
                got,
                [request(shutdown), request(&open), request(exit)],
                "{step}"
            );
        }
    }
}
