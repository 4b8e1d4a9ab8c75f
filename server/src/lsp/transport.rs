//! The stdio transport: reads framed messages from stdin (`framing`), hands requests to the
//! tower-lsp-server service and the client's answers to its socket, and writes what the server
//! answers or asks to stdout. It does what tower-lsp-server's `Server::serve` does (the same
//! order of calls, at most four handlers at once) with two differences: a message that cannot be
//! decoded is dropped instead of ending the input for good, and a message is decoded once, in
//! one pass (`Server` decodes through an untagged enum that buffers the whole message first).

use super::framing::{is_exit, Incoming, Next, Reframer};
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
/// Bytes asked from stdin at a time between messages (a message's body is read into place).
const CHUNK: usize = 64 << 10;

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
/// through `ended`), then until every handler has answered.
pub async fn serve<S, I, O>(
    input: I,
    mut output: O,
    mut service: S,
    socket: ClientSocket,
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
    let reader = std::thread::Builder::new()
        .name("runlog-lsp stdin".into())
        .spawn(move || read_messages(input, &messages));
    if let Err(e) = reader {
        tracing::error!("cannot start the thread that reads stdin: {e}");
        ended.eof.notify_one();
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

/// Reads and decodes messages from `input` on a thread of its own, until the end of the input,
/// `exit`, or the server no longer listening. Blocking reads go straight into the framing
/// buffer: through tokio's stdin every read was a round trip to a blocking thread and a copy
/// more, and a 10 MB `didOpen` waited for them.
fn read_messages(mut input: impl Read, messages: &mpsc_tokio::Sender<Incoming>) {
    let mut reframer = Reframer::default();
    let mut chunk = vec![0u8; CHUNK];
    loop {
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
        match reframer.read_from(&mut input, &mut chunk) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) => {
                tracing::error!("cannot read stdin: {e}");
                return;
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
