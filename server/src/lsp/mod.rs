//! The LSP layer: a thin translation between LSP 3.17 and the analysis core.
//!
//! `server` lists every route; `handlers` has one file per method; `session` owns the state
//! (documents, settings, what was negotiated) and applies changes in arrival order;
//! `scheduling` analyses documents off the request path and hands requests their snapshot;
//! `workspace` analyses the watched logs on disk, which `watch` finds and opens;
//! `streamed` turns a log analysed in parts (a file too big to hold, the first look at a big log
//! just opened) into diagnostics;
//! `capabilities` is what `initialize` answers; `to_lsp`/`from_lsp` are the only places
//! positions and LSP types are built from core values; `documents` keeps ropes and snapshots;
//! `markdown` renders untrusted text inertly; `config` is what was negotiated; `framing` cuts
//! and decodes the input, dropping what is malformed; `transport` reads stdin, runs the
//! handlers and writes stdout.

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
mod streamed;
pub mod to_lsp;
mod transport;
pub mod watch;
mod workspace;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tower_lsp_server::LspService;

use session::Backend;

/// After stdin ends or `exit` arrives, handlers still waiting on the client (a response that
/// can never come) get this long before the server exits anyway: `transport::serve` only
/// returns once every handler has answered.
const EOF_GRACE: Duration = Duration::from_millis(500);

/// glibc gives each thread that allocates its own arena and keeps what is freed there: an
/// analysis run on one blocking thread and the next on another then hold two documents' worth of
/// memory (measured: 140 MB peak for a 10 MB log with edits, 98 MB with one arena). Analyses run
/// one at a time per document, so one arena costs the server no contention worth having. Only
/// the server: `check` analyses files on every core at once, where one arena would serialise
/// their allocations (2 threads were slower than 1).
///
/// Fast bins are off too: a response of thousands of symbols or diagnostics is built as a
/// `serde_json::Value` of many small blocks and freed at once, and glibc then spent most of the
/// request merging those bins (`malloc_consolidate`, `unlink_chunk`): document symbols of a
/// 10 MB run log took 91 ms with them, 74–79 ms without; opens did not move.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_malloc() {
    // SAFETY: called before the runtime starts any thread (clap's parsing starts none); mallopt
    // only sets tunables.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
        libc::mallopt(libc::M_MXFAST, 0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_malloc() {}

/// A pipe holds 64 KiB by default: an editor sending a 10 MB `didOpen` then waits for the
/// server to empty it some 160 times, and the server reads it in as many pieces. At 1 MiB (the
/// most an unprivileged process may ask), the message crosses in a tenth of the round trips.
/// Not a pipe (a socket, a file, a terminal): nothing changes.
#[cfg(target_os = "linux")]
fn widen_stdin_pipe() {
    // SAFETY: fcntl on fd 0 with an integer argument; it fails harmlessly when fd 0 is not a
    // pipe or the size is over the system's limit.
    unsafe {
        libc::fcntl(0, libc::F_SETPIPE_SZ, 1 << 20);
    }
}

#[cfg(not(target_os = "linux"))]
fn widen_stdin_pipe() {}

/// Serves LSP over stdin/stdout until `exit`, end of stdin, or the editor process is gone.
/// Builds its own tokio runtime; returns the process exit code.
pub fn serve_stdio() -> i32 {
    tune_malloc();
    widen_stdin_pipe();
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
        let mut backend = None;
        let (service, socket) = LspService::build(|client| {
            let b = Backend::new(client, flag);
            backend = Some(b.clone());
            b
        })
            .custom_method("runlog/payload", Backend::payload)
            .custom_method("runlog/curl", Backend::curl)
            .custom_method("runlog/failures", Backend::failures)
            .custom_method("runlog/analyzeFile", Backend::analyze_file)
            .custom_method("runlog/forgetFile", Backend::forget_file)
            .custom_method("runlog/debugDocumentText", Backend::debug_document_text)
            .custom_method("runlog/debugPanic", Backend::debug_panic)
            .finish();
        // The first look of a big log starts while its didOpen arrives.
        let runtime = tokio::runtime::Handle::current();
        let on_opening = backend.map(|b| -> framing::OnOpening {
            Box::new(move |uri, version, len| b.look_early(uri, version, len, &runtime))
        });
        let ended = transport::Ended {
            eof: Notify::new(),
            exit: Notify::new(),
        };
        tokio::select! {
            () = transport::serve(std::io::stdin(), tokio::io::stdout(), service, socket, on_opening, &ended) => {}
            () = async {
                ended.eof.notified().await;
                tokio::time::sleep(EOF_GRACE).await;
            } => tracing::info!("stdin closed; exiting"),
            () = async {
                ended.exit.notified().await;
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
