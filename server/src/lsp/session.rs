//! The server's state (`Backend`): open documents, settings, what was negotiated, the watch,
//! and the synchronous steps that change them (document sync, settings), plus the panic guard,
//! logging, and exiting with the editor.
//!
//! Ordering model: document and settings changes are applied synchronously under plain mutexes
//! before a handler's first `.await` (tower-lsp-server polls handlers concurrently), so edits
//! apply in arrival order; no lock is held across an `.await`. Requests read immutable
//! snapshots of the latest analysed revision (`scheduling`).

use crate::core::line_index::Encoding;
use crate::settings::Settings;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::Client;

use super::config::Negotiated;
use super::documents::{ChangeError, Documents};
use super::handlers::symbols::{Outline, MAX_SYMBOLS};
use super::watch::Watch;

/// How often we check that the editor (initialize's `processId`) is still alive.
const PARENT_POLL: Duration = Duration::from_secs(2);

pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere must not take the server down with it: the data is still consistent
    // (every mutation is a single step).
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub(super) struct Inner {
    pub(super) docs: Mutex<Documents>,
    pub(super) settings: Mutex<Arc<Settings>>,
    pub(super) negotiated: Mutex<Negotiated>,
    pub(super) watch: Mutex<Option<Watch>>,
    /// Files on disk (not open) whose diagnostics we published, with their failures grouped by
    /// cause (bounded like their findings: `runlog.limits.maxDiagnostics` calls per file).
    pub(super) disk: Mutex<HashMap<Uri, Arc<super::handlers::failures::Located>>>,
    pub(super) shutdown_requested: Arc<AtomicBool>,
    /// File watchers are registered with the client (so they must be unregistered first).
    pub(super) watch_registered: AtomicBool,
    /// Debug-only requests (`runlog/debugDocumentText`, `runlog/debugPanic`) are answered.
    pub(super) debug_requests: bool,
    /// Documents whose outline was capped and the user told so (told once per document).
    pub(super) outline_capped: Mutex<HashSet<Uri>>,
    /// The `runlog.toml` files that apply to documents, read from disk once.
    pub(super) projects: super::project::ProjectConfigs,
    /// Files the client asked to have analysed from disk (`runlog/analyzeFile`): shown in the
    /// editor, but too big to be handed over as documents.
    pub(super) requested: Mutex<HashSet<Uri>>,
    /// First looks started while a big `didOpen` was arriving, by document.
    pub(super) early: Mutex<HashMap<Uri, super::scheduling::EarlyLook>>,
}

#[derive(Clone)]
pub struct Backend {
    pub(super) client: Client,
    pub(super) inner: Arc<Inner>,
}

impl Backend {
    pub fn new(client: Client, shutdown_requested: Arc<AtomicBool>) -> Self {
        let debug_requests =
            std::env::var_os("RUNLOG_LSP_DEBUG_REQUESTS").is_some_and(|v| v == "1");
        Backend {
            client,
            inner: Arc::new(Inner {
                docs: Mutex::new(Documents::default()),
                settings: Mutex::new(Arc::new(Settings::default())),
                negotiated: Mutex::new(Negotiated::default()),
                watch: Mutex::new(None),
                disk: Mutex::new(HashMap::new()),
                shutdown_requested,
                watch_registered: AtomicBool::new(false),
                debug_requests,
                outline_capped: Mutex::new(HashSet::new()),
                projects: Default::default(),
                requested: Mutex::new(HashSet::new()),
                early: Mutex::new(HashMap::new()),
            }),
        }
    }

    pub(super) fn settings(&self) -> Arc<Settings> {
        lock(&self.inner.settings).clone()
    }

    pub(super) fn negotiated(&self) -> Negotiated {
        lock(&self.inner.negotiated).clone()
    }

    pub(super) fn encoding(&self) -> Encoding {
        lock(&self.inner.negotiated).encoding
    }

    /// Keeps what `initialize` negotiated and applies the settings passed as
    /// `initializationOptions`.
    pub(super) fn initialize_session(&self, params: &InitializeParams) -> Negotiated {
        let negotiated = Negotiated::from_initialize(params);
        *lock(&self.inner.negotiated) = negotiated.clone();
        if let Some(options) = params
            .initialization_options
            .as_ref()
            .filter(|v| v.is_object())
        {
            let (settings, warnings) = Settings::from_json(options);
            self.apply_settings(settings, warnings);
        }
        negotiated
    }

    // ---- logging and the panic guard ----

    /// Logs to stderr and, without waiting, to the client's `window/logMessage`, both when
    /// the log filter (`RUNLOG_LSP_LOG`, which editors set from `runlog.server.logLevel`) lets
    /// the message's level through.
    pub(super) fn log(&self, typ: MessageType, message: String) {
        let shown = match typ {
            MessageType::ERROR => tracing::enabled!(tracing::Level::ERROR),
            MessageType::WARNING => tracing::enabled!(tracing::Level::WARN),
            _ => tracing::enabled!(tracing::Level::INFO),
        };
        if !shown {
            return;
        }
        match typ {
            MessageType::ERROR => tracing::error!("{message}"),
            MessageType::WARNING => tracing::warn!("{message}"),
            _ => tracing::info!("{message}"),
        }
        let client = self.client.clone();
        tokio::spawn(async move { client.log_message(typ, message).await });
    }

    pub(super) fn announce_ready(&self) {
        let n = self.negotiated();
        self.log(
            MessageType::INFO,
            format!(
                "runlog-lsp {} ready (positions in {:?}, {} diagnostics)",
                env!("CARGO_PKG_VERSION"),
                n.encoding,
                if n.pull_diagnostics {
                    "pulled"
                } else {
                    "pushed"
                }
            ),
        );
    }

    /// Runs a handler, turning a panic into an error response (the server keeps serving).
    pub(super) fn guard<T>(&self, name: &str, f: impl FnOnce() -> T) -> Result<T> {
        catch_unwind(AssertUnwindSafe(f)).map_err(|panic| {
            let what = panic_message(&panic);
            self.log(
                MessageType::ERROR,
                format!("handler {name} panicked: {what}"),
            );
            Error {
                code: tower_lsp_server::jsonrpc::ErrorCode::InternalError,
                message: format!("{name} failed: internal error").into(),
                data: None,
            }
        })
    }

    /// Tells the user, once per document, that its outline leaves calls out.
    pub(super) fn tell_if_outline_capped(&self, uri: &Uri, outline: &Outline) {
        if outline.omitted > 0 && lock(&self.inner.outline_capped).insert(uri.clone()) {
            self.log(
                MessageType::INFO,
                format!(
                    "the outline of {} lists {} symbols and leaves out {} successful calls (at most {} symbols per document; failing calls are always listed)",
                    uri.as_str(),
                    outline.symbols.len(),
                    outline.omitted,
                    MAX_SYMBOLS
                ),
            );
        }
    }

    /// Asks the client to show a location when it can; the answer says whether it was shown,
    /// and where, for clients that show it themselves.
    pub(super) async fn show_document(&self, show: ShowDocumentParams) -> Value {
        let location = json!({"uri": show.uri.as_str(), "range": show.selection});
        if self.negotiated().show_document {
            match self.client.show_document(show).await {
                Ok(shown) => return json!({"shown": shown, "location": location}),
                Err(e) => self.log(
                    MessageType::WARNING,
                    format!("window/showDocument failed: {e}"),
                ),
            }
        }
        json!({"shown": false, "location": location})
    }

    // ---- documents (synchronous: call before any `.await`) ----

    pub(super) fn open_document(&self, doc: TextDocumentItem) {
        tracing::debug!(
            "didOpen {} v{}: {} bytes",
            doc.uri.as_str(),
            doc.version,
            doc.text.len()
        );
        let revision =
            lock(&self.inner.docs).open(doc.uri.clone(), doc.text, doc.version, doc.language_id);
        // Its diagnostics are the open document's from now on, not the file's on disk.
        lock(&self.inner.disk).remove(&doc.uri);
        self.schedule_after(doc.uri, revision, Duration::ZERO);
    }

    pub(super) fn change_document(
        &self,
        document: VersionedTextDocumentIdentifier,
        changes: Vec<TextDocumentContentChangeEvent>,
    ) {
        let uri = document.uri;
        let encoding = self.encoding();
        let result = lock(&self.inner.docs).change(&uri, document.version, changes, encoding);
        match result {
            Ok(revision) => self.schedule_edit(uri, revision),
            Err(ChangeError::UnknownDocument) => self.log(
                MessageType::WARNING,
                format!(
                    "didChange for a document that is not open: {}; ignored",
                    uri.as_str()
                ),
            ),
            Err(ChangeError::StaleVersion { current, got }) => self.log(
                MessageType::WARNING,
                format!(
                    "didChange version {got} of {} is not newer than {current}; ignored",
                    uri.as_str()
                ),
            ),
        }
    }

    /// Closes the document (before the first `.await`), clears what was pushed for it, and
    /// hands a watched log back to the analysis from disk.
    pub(super) async fn close_document(&self, uri: Uri) {
        let closed = lock(&self.inner.docs).close(&uri);
        if !closed {
            tracing::info!("didClose for a document that is not open: {}", uri.as_str());
            return;
        }
        lock(&self.inner.outline_capped).remove(&uri);
        lock(&self.inner.early).remove(&uri);
        if !self.negotiated().pull_diagnostics {
            self.client
                .publish_diagnostics(uri.clone(), Vec::new(), None)
                .await;
        }
        self.analyse_if_watched(&uri).await;
    }

    // ---- settings ----

    /// Applies new settings (synchronously: call before any `.await`) and re-analyses open
    /// documents. Returns true when the watched globs changed.
    pub(super) fn apply_settings(&self, new: Settings, warnings: Vec<String>) -> bool {
        for w in warnings {
            self.log(MessageType::WARNING, w);
        }
        let watch_changed = {
            let mut current = lock(&self.inner.settings);
            let changed = current.watch != new.watch || current.max_file_size != new.max_file_size;
            *current = Arc::new(new);
            changed
        };
        let touched = lock(&self.inner.docs).touch_all();
        if touched.is_empty() {
            // Nothing open (and, at initialize, nothing may be asked of the client yet).
            return watch_changed;
        }
        for (uri, revision) in touched {
            self.schedule(uri, revision);
        }
        // What the client pulls by itself must be pulled again. Requests wait for the new
        // revisions, so asking right away is fine.
        let n = self.negotiated();
        let client = self.client.clone();
        tokio::spawn(async move {
            if n.pull_diagnostics && n.diagnostic_refresh {
                let _ = client.workspace_diagnostic_refresh().await;
            }
            if n.inlay_hint_refresh {
                let _ = client.inlay_hint_refresh().await;
            }
            if n.code_lens_refresh {
                let _ = client.code_lens_refresh().await;
            }
        });
        watch_changed
    }

    /// `workspace/didChangeConfiguration`: settings sent with it are applied at once; a client
    /// that answers `workspace/configuration` is then asked for them.
    pub(super) async fn change_configuration(&self, sent: Value) {
        let mut watch_changed = false;
        if sent.as_object().is_some_and(|m| !m.is_empty()) {
            let (settings, warnings) = Settings::from_json(&sent);
            watch_changed = self.apply_settings(settings, warnings);
        }
        if self.negotiated().configuration {
            self.pull_configuration().await;
        } else {
            self.refresh_disk(watch_changed).await;
        }
    }

    pub(super) async fn pull_configuration(&self) {
        if !self.negotiated().configuration {
            return;
        }
        let items = vec![ConfigurationItem {
            scope_uri: None,
            section: Some("runlog".to_string()),
        }];
        match self.client.configuration(items).await {
            Ok(values) => {
                let Some(value) = values.into_iter().next().filter(|v| v.is_object()) else {
                    return;
                };
                let (settings, warnings) = Settings::from_json(&value);
                if *self.settings() == settings {
                    return;
                }
                let watch_changed = self.apply_settings(settings, warnings);
                self.refresh_disk(watch_changed).await;
            }
            Err(e) => self.log(
                MessageType::WARNING,
                format!("workspace/configuration failed: {e}"),
            ),
        }
    }

    pub(super) fn request_shutdown(&self) {
        self.inner.shutdown_requested.store(true, Ordering::SeqCst);
    }
}

pub(super) fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

/// Exits the process when the editor that started us (initialize's `processId`) is gone.
pub(super) fn exit_with_editor(pid: u32) {
    // A pid that is not alive right now belongs to another pid namespace (the editor runs
    // outside the container we run in): watching it would make us exit at once.
    if !process_alive(pid) {
        tracing::warn!("processId {pid} is not visible from here; not watching it");
        return;
    }
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(PARENT_POLL).await;
            if !process_alive(pid) {
                tracing::info!("the editor (process {pid}) is gone; exiting");
                std::process::exit(0);
            }
        }
    });
}

#[cfg(unix)]
fn process_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return true;
    };
    if pid <= 0 {
        return true;
    }
    // SAFETY: kill with signal 0 only checks whether the process exists; no signal is sent.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(not(unix))]
fn process_alive(_pid: u32) -> bool {
    true
}
