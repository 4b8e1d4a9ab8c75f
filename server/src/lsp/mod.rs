//! The LSP layer: a thin translation between LSP 3.17 and the analysis core.
//!
//! `server` lists every route; `handlers` has one file per method; `session` owns the state
//! (documents, settings, what was negotiated) and applies changes in arrival order;
//! `scheduling` analyses documents off the request path and hands requests their snapshot;
//! `workspace` analyses the watched logs on disk, which `watch` finds and opens;
//! `capabilities` is what `initialize` answers; `to_lsp`/`from_lsp` are the only places
//! positions and LSP types are built from core values; `documents` keeps ropes and snapshots;
//! `markdown` renders untrusted text inertly; `config` is what was negotiated; `framing` drops
//! malformed input before the decoder sees it.

pub mod capabilities;
pub mod config;
pub mod documents;
pub mod framing;
pub mod from_lsp;
pub mod handlers;
pub mod markdown;
mod project;
mod scheduling;
pub mod server;
pub mod session;
pub mod to_lsp;
pub mod watch;
mod workspace;

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, ReadBuf};
use tokio::sync::Notify;
use tower_lsp_server::{LspService, Server};

use session::Backend;

const STDIN_BUFFER: usize = 1 << 20;

/// After stdin ends or `exit` arrives, handlers still waiting on the client (a response that
/// can never come) get this long before the server exits anyway.
const EOF_GRACE: Duration = Duration::from_millis(500);

/// Stdin that tells when it reached its end: tower-lsp-server's `serve` only returns once every
/// handler has finished, and one awaiting a client response would keep the process alive.
struct EofSignal<R> {
    inner: R,
    eof: Arc<Notify>,
}

impl<R: AsyncRead + Unpin> AsyncRead for EofSignal<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(r) = &result {
            if r.is_err() || buf.filled().len() == before {
                self.eof.notify_one();
            }
        }
        result
    }
}

/// glibc gives each thread that allocates its own arena and keeps what is freed there: an
/// analysis run on one blocking thread and the next on another then hold two documents' worth of
/// memory (measured: 140 MB peak for a 10 MB log with edits, 98 MB with one arena). Analyses run
/// one at a time per document, so one arena costs the server no contention worth having. Only
/// the server: `check` analyses files on every core at once, where one arena would serialise
/// their allocations (2 threads were slower than 1).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn one_malloc_arena() {
    // SAFETY: called before the runtime starts any thread (clap's parsing starts none); mallopt
    // only sets a tunable.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn one_malloc_arena() {}

/// Serves LSP over stdin/stdout until `exit`, end of stdin, or the editor process is gone.
/// Builds its own tokio runtime; returns the process exit code.
pub fn serve_stdio() -> i32 {
    one_malloc_arena();
    // Logs go to stderr only: stdout is the protocol.
    let mut filter = tracing_subscriber::EnvFilter::try_from_env("RUNLOG_LSP_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // The decoder traces every raw message, document text (and its secrets) included: never
    // at any level. The editor's own trace (`runlog.trace.server`) shows the protocol.
    if let Ok(quiet) = "tower_lsp_server::codec=debug".parse() {
        filter = filter.add_directive(quiet);
    }
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            tracing::error!("cannot start the async runtime: {e}");
            return 2;
        }
    };
    let shutdown = Arc::new(AtomicBool::new(false));
    let flag = shutdown.clone();
    runtime.block_on(async move {
        let (service, socket) = LspService::build(move |client| Backend::new(client, flag))
            .custom_method("runlog/payload", Backend::payload)
            .custom_method("runlog/curl", Backend::curl)
            .custom_method("runlog/failures", Backend::failures)
            .custom_method("runlog/analyzeFile", Backend::analyze_file)
            .custom_method("runlog/forgetFile", Backend::forget_file)
            .custom_method("runlog/debugDocumentText", Backend::debug_document_text)
            .custom_method("runlog/debugPanic", Backend::debug_panic)
            .finish();
        let eof = Arc::new(Notify::new());
        let exit = Arc::new(Notify::new());
        // A broken message is dropped here instead of ending the decoder's stream.
        let stdin = framing::Guarded::new(
            EofSignal {
                // Big reads: the codec asks for a few KiB at a time, and every read of tokio's stdin is a
                // round trip to a blocking thread (a 10 MB didOpen took thousands of them).
                inner: tokio::io::BufReader::with_capacity(STDIN_BUFFER, tokio::io::stdin()),
                eof: eof.clone(),
            },
            exit.clone(),
        );
        tokio::select! {
            () = Server::new(stdin, tokio::io::stdout(), socket).serve(service) => {}
            () = async {
                eof.notified().await;
                tokio::time::sleep(EOF_GRACE).await;
            } => tracing::info!("stdin closed; exiting"),
            () = async {
                exit.notified().await;
                tokio::time::sleep(EOF_GRACE).await;
            } => tracing::info!("exit received; requests to the client left unanswered"),
        }
    });
    // Background analyses still running are abandoned, not awaited.
    runtime.shutdown_timeout(Duration::from_millis(200));
    if shutdown.load(Ordering::SeqCst) {
        0
    } else {
        1
    }
}
