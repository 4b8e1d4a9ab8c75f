//! The `LanguageServer` implementation: routes every method to its handler, owns the shared
//! state, schedules analyses off the request path and guards handlers against panics.
//!
//! Ordering model: document and settings changes are applied synchronously under plain mutexes
//! before a handler's first `.await` (tower-lsp-server polls handlers concurrently), so edits
//! apply in arrival order; no lock is held across an `.await`. Requests read immutable
//! snapshots of the latest analysed revision.

use crate::core::analyze;
use crate::core::incremental::{reanalyze_with_path, ReanalysisPath};
use crate::core::line_index::Encoding;
use crate::core::model::Analysis;
use crate::core::payload::PayloadView;
use crate::settings::Settings;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

use super::config::Negotiated;
use super::documents::{ChangeError, Documents, Snapshot};
use super::handlers;
use super::handlers::payload::PayloadParams;
use super::to_lsp;
use super::watch::{self, Watch};

/// Edits arriving closer together than this are analysed once (a burst arriving while an
/// analysis runs is merged anyway: the running analysis picks up the newest text).
const DEBOUNCE: Duration = Duration::from_millis(8);
/// How long a request waits for the analysis of the current revision before answering from
/// the latest one it has (an edit is re-analysed in milliseconds; only a full analysis of a huge
/// log takes longer, and a request must not take seconds).
const SNAPSHOT_WAIT: Duration = Duration::from_millis(500);
/// How long a request waits when there is no analysis at all yet (just opened): there is
/// nothing older to answer from.
const FIRST_SNAPSHOT_WAIT: Duration = Duration::from_secs(3);
/// How often we check that the editor (initialize's `processId`) is still alive.
const PARENT_POLL: Duration = Duration::from_secs(2);
/// With debug requests enabled, a document containing this makes its analysis panic.
const DEBUG_PANIC_MARKER: &str = "runlog-lsp:debug-panic-in-analysis";
const WATCH_REGISTRATION: &str = "runlog-watched-files";

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere must not take the server down with it: the data is still consistent
    // (every mutation is a single step).
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

struct Inner {
    docs: Mutex<Documents>,
    settings: Mutex<Arc<Settings>>,
    negotiated: Mutex<Negotiated>,
    watch: Mutex<Option<Watch>>,
    /// Files on disk (not open) whose diagnostics we published.
    disk: Mutex<HashSet<Uri>>,
    shutdown_requested: Arc<AtomicBool>,
    /// File watchers are registered with the client (so they must be unregistered first).
    watch_registered: AtomicBool,
    /// Debug-only requests (`runlog/debugDocumentText`, `runlog/debugPanic`) are answered.
    debug_requests: bool,
    /// Documents whose outline was capped and the user told so (told once per document).
    outline_capped: Mutex<HashSet<Uri>>,
}

#[derive(Clone)]
pub struct Backend {
    client: Client,
    inner: Arc<Inner>,
}

#[derive(Debug, Clone, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentParams {
    pub text_document: TextDocumentIdentifier,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct DocumentText {
    pub version: i32,
    pub text: String,
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
                disk: Mutex::new(HashSet::new()),
                shutdown_requested,
                watch_registered: AtomicBool::new(false),
                debug_requests,
                outline_capped: Mutex::new(HashSet::new()),
            }),
        }
    }

    fn settings(&self) -> Arc<Settings> {
        lock(&self.inner.settings).clone()
    }

    fn negotiated(&self) -> Negotiated {
        lock(&self.inner.negotiated).clone()
    }

    fn encoding(&self) -> Encoding {
        lock(&self.inner.negotiated).encoding
    }

    /// Logs to stderr and, without waiting, to the client's `window/logMessage`.
    fn log(&self, typ: MessageType, message: String) {
        match typ {
            MessageType::ERROR => tracing::error!("{message}"),
            MessageType::WARNING => tracing::warn!("{message}"),
            _ => tracing::info!("{message}"),
        }
        let client = self.client.clone();
        tokio::spawn(async move { client.log_message(typ, message).await });
    }

    /// Runs a handler, turning a panic into an error response (the server keeps serving).
    fn guard<T>(&self, name: &str, f: impl FnOnce() -> T) -> Result<T> {
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

    // ---- analysis scheduling ----

    /// Analyses a document revision in the background; edits wait `DEBOUNCE` first (typing
    /// produces bursts), opens do not.
    fn schedule(&self, uri: Uri, revision: u64) {
        self.schedule_after(uri, revision, DEBOUNCE);
    }

    fn schedule_after(&self, uri: Uri, revision: u64, delay: Duration) {
        let this = self.clone();
        tokio::spawn(async move { this.analyse_open(uri, revision, delay).await });
    }

    async fn analyse_open(&self, uri: Uri, revision: u64, delay: Duration) {
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let mut job = {
            let mut docs = lock(&self.inner.docs);
            match docs.get_mut(&uri) {
                // Superseded, closed, or an analysis is running that will pick this revision up.
                Some(d) if d.revision == revision && !d.analysing => {
                    d.analysing = true;
                    // The last analysed revision: an edit is re-analysed from it.
                    let previous = d.latest.borrow().clone();
                    let text = d.opened_text.take().unwrap_or_else(|| d.rope.to_string());
                    (text, d.version, d.revision, previous)
                }
                _ => return,
            }
        };
        let settings_debug = self.inner.debug_requests;
        loop {
            let (text, version, revision, previous) = job;
            let settings = self.settings();
            let encoding = self.encoding();
            let task_uri = uri.clone();
            let built = tokio::task::spawn_blocking(move || {
                build_snapshot(
                    task_uri,
                    Some(version),
                    revision,
                    text,
                    previous,
                    settings,
                    encoding,
                    settings_debug,
                )
            })
            .await;
            let (snap, diagnostics, panicked) = match built {
                Ok(b) => b,
                Err(e) => {
                    if let Some(d) = lock(&self.inner.docs).get_mut(&uri) {
                        d.analysing = false;
                    }
                    self.log(
                        MessageType::ERROR,
                        format!("analysis task of {} failed: {e}", uri.as_str()),
                    );
                    return;
                }
            };
            if let Some(what) = panicked {
                self.log(
                    MessageType::ERROR,
                    format!(
                        "analysis of {} panicked: {what}; reporting nothing for it",
                        uri.as_str()
                    ),
                );
            }
            // Under the same lock as the revision check: either this result is current, or the
            // newest text is taken for another round (no edit can slip between the two).
            let mut replaced = None;
            let next = {
                let mut docs = lock(&self.inner.docs);
                match docs.get_mut(&uri) {
                    None => return, // closed
                    Some(d) if d.revision == revision => {
                        // Freeing the previous snapshot (a big log's text and calls) takes
                        // milliseconds: not under the lock, and after the diagnostics are out.
                        replaced = d.latest.send_replace(Some(snap));
                        d.analysing = false;
                        None
                    }
                    // Stale, but analysed: the newer text is re-analysed from it.
                    Some(d) => Some((d.rope.to_string(), d.version, d.revision, Some(snap))),
                }
            };
            match next {
                Some(newer) => job = newer,
                None => {
                    if !self.negotiated().pull_diagnostics {
                        self.client
                            .publish_diagnostics(uri, diagnostics, Some(version))
                            .await;
                    }
                    drop(replaced);
                    return;
                }
            }
        }
    }

    /// The snapshot of the document's current revision (waiting for its analysis), or the
    /// latest one when that takes too long. `None` for unknown documents.
    async fn snapshot(&self, uri: &Uri) -> Option<Arc<Snapshot>> {
        let (mut rx, revision) = {
            let docs = lock(&self.inner.docs);
            let Some(doc) = docs.get(uri) else {
                tracing::info!("request for unknown document {}", uri.as_str());
                return None;
            };
            (doc.latest.subscribe(), doc.revision)
        };
        let wait = if rx.borrow().is_some() {
            SNAPSHOT_WAIT
        } else {
            FIRST_SNAPSHOT_WAIT
        };
        let fresh = {
            let waited = tokio::time::timeout(
                wait,
                rx.wait_for(|s| s.as_ref().is_some_and(|s| s.revision >= revision)),
            )
            .await;
            match waited {
                Ok(Ok(snap)) => Some(snap.clone()),
                _ => None,
            }
        };
        match fresh {
            Some(snap) => snap,
            None => rx.borrow().clone(),
        }
    }

    // ---- settings ----

    /// Applies new settings (synchronously: call before any `.await`) and re-analyses open
    /// documents. Returns true when the watched globs changed.
    fn apply_settings(&self, new: Settings, warnings: Vec<String>) -> bool {
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

    async fn pull_configuration(&self) {
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
                if self.apply_settings(settings, warnings) {
                    self.refresh_watch().await;
                } else {
                    self.reanalyse_disk().await;
                }
            }
            Err(e) => self.log(
                MessageType::WARNING,
                format!("workspace/configuration failed: {e}"),
            ),
        }
    }

    // ---- watched files ----

    fn roots(&self) -> Vec<PathBuf> {
        self.negotiated()
            .roots
            .iter()
            .filter_map(|u| u.to_file_path().map(|p| p.into_owned()))
            .collect()
    }

    async fn refresh_watch(&self) {
        let settings = self.settings();
        let negotiated = self.negotiated();
        let (watch, errors) = Watch::new(&settings.watch);
        for e in errors {
            self.log(MessageType::WARNING, e);
        }
        *lock(&self.inner.watch) = Some(watch.clone());
        if negotiated.watch_dynamic && self.inner.watch_registered.swap(false, Ordering::SeqCst) {
            let _ = self
                .client
                .unregister_capability(vec![Unregistration {
                    id: WATCH_REGISTRATION.into(),
                    method: "workspace/didChangeWatchedFiles".into(),
                }])
                .await;
        }
        if negotiated.watch_dynamic && !watch.is_empty() {
            let watchers: Vec<FileSystemWatcher> = watch
                .patterns
                .iter()
                .flat_map(|p| {
                    let relative = negotiated.watch_relative_patterns && !p.starts_with('/');
                    if relative && !negotiated.roots.is_empty() {
                        negotiated
                            .roots
                            .iter()
                            .map(|root| FileSystemWatcher {
                                glob_pattern: GlobPattern::Relative(RelativePattern {
                                    base_uri: OneOf::Right(root.clone()),
                                    pattern: p.clone(),
                                }),
                                kind: None,
                            })
                            .collect::<Vec<_>>()
                    } else {
                        let glob = if p.starts_with('/') || p.starts_with("**") {
                            p.clone()
                        } else {
                            format!("**/{p}")
                        };
                        vec![FileSystemWatcher {
                            glob_pattern: GlobPattern::String(glob),
                            kind: None,
                        }]
                    }
                })
                .collect();
            let options = DidChangeWatchedFilesRegistrationOptions { watchers };
            let registration = Registration {
                id: WATCH_REGISTRATION.into(),
                method: "workspace/didChangeWatchedFiles".into(),
                register_options: serde_json::to_value(options).ok(),
            };
            match self.client.register_capability(vec![registration]).await {
                Ok(()) => self.inner.watch_registered.store(true, Ordering::SeqCst),
                Err(e) => self.log(
                    MessageType::WARNING,
                    format!("could not register file watchers: {e}"),
                ),
            }
        }
        let roots = self.roots();
        let scan_watch = watch.clone();
        let files = tokio::task::spawn_blocking(move || scan_watch.scan(&roots))
            .await
            .unwrap_or_default();
        // Files published before that no longer match: clear them.
        let stale: Vec<Uri> = {
            let wanted: HashSet<Uri> = files.iter().filter_map(Uri::from_file_path).collect();
            let mut disk = lock(&self.inner.disk);
            let stale: Vec<Uri> = disk
                .iter()
                .filter(|u| !wanted.contains(*u))
                .cloned()
                .collect();
            for u in &stale {
                disk.remove(u);
            }
            stale
        };
        for uri in stale {
            self.client.publish_diagnostics(uri, Vec::new(), None).await;
        }
        if files.is_empty() {
            return;
        }
        let progress = if negotiated.work_done_progress {
            let token = NumberOrString::String(format!("runlog-scan-{}", std::process::id()));
            match self.client.create_work_done_progress(token.clone()).await {
                Ok(()) => Some(
                    self.client
                        .progress(token, "Analysing run logs")
                        .with_percentage(0)
                        .begin()
                        .await,
                ),
                Err(_) => None,
            }
        } else {
            None
        };
        let total = files.len();
        for (i, path) in files.into_iter().enumerate() {
            if let Some(p) = &progress {
                let percent = u32::try_from(i * 100 / total).unwrap_or(100);
                p.report_with_message(format!("{}/{}", i + 1, total), percent)
                    .await;
            }
            self.analyse_disk(path).await;
        }
        if let Some(p) = progress {
            p.finish_with_message(format!("{total} run logs analysed"))
                .await;
        }
    }

    async fn reanalyse_disk(&self) {
        let uris: Vec<Uri> = lock(&self.inner.disk).iter().cloned().collect();
        for uri in uris {
            if let Some(path) = uri.to_file_path().map(|p| p.into_owned()) {
                self.analyse_disk(path).await;
            }
        }
    }

    /// Analyses a file on disk that is not open and publishes its diagnostics.
    async fn analyse_disk(&self, path: PathBuf) {
        let Some(uri) = Uri::from_file_path(&path) else {
            return;
        };
        if lock(&self.inner.docs).contains(&uri) {
            return;
        }
        let settings = self.settings();
        let encoding = self.encoding();
        let max = settings.max_file_size;
        let task_uri = uri.clone();
        let task_path = path.clone();
        let built = tokio::task::spawn_blocking(move || {
            watch::open(&task_path, max).map(|disk| match disk {
                watch::Disk::Text(text) => {
                    let (_, diagnostics, panicked) =
                        build_snapshot(task_uri, None, 0, text, None, settings, encoding, false);
                    DiskAnalysis {
                        diagnostics,
                        panicked,
                        streamed: None,
                    }
                }
                watch::Disk::Large(file, len) => {
                    stream_diagnostics(&task_uri, file, len, &settings, encoding)
                }
            })
        })
        .await;
        match built {
            Ok(Ok(analysis)) => {
                if let Some(what) = analysis.panicked {
                    self.log(
                        MessageType::ERROR,
                        format!("analysis of {} panicked: {what}", path.display()),
                    );
                }
                if let Some(note) = analysis.streamed {
                    self.log(
                        MessageType::INFO,
                        format!("{}: {note} (runlog.maxFileSize is {max})", path.display()),
                    );
                }
                // Opened meanwhile: the open document wins.
                if lock(&self.inner.docs).contains(&uri) {
                    return;
                }
                lock(&self.inner.disk).insert(uri.clone());
                self.client
                    .publish_diagnostics(uri, analysis.diagnostics, None)
                    .await;
            }
            Ok(Err(e)) => {
                if lock(&self.inner.disk).remove(&uri) {
                    self.client.publish_diagnostics(uri, Vec::new(), None).await;
                }
                tracing::info!("could not read {}: {e}", path.display());
            }
            Err(e) => self.log(
                MessageType::ERROR,
                format!("reading {} failed: {e}", path.display()),
            ),
        }
    }

    // ---- custom requests ----

    pub async fn payload(&self, params: PayloadParams) -> Result<Option<PayloadView>> {
        let Some(snap) = self.snapshot(&params.text_document.uri).await else {
            return Ok(None);
        };
        self.guard("runlog/payload", || {
            handlers::payload::payload(&snap, params.position)
        })
    }

    pub async fn debug_document_text(
        &self,
        params: DocumentParams,
    ) -> Result<Option<DocumentText>> {
        if !self.inner.debug_requests {
            return Err(Error::method_not_found());
        }
        let docs = lock(&self.inner.docs);
        Ok(docs.get(&params.text_document.uri).map(|d| DocumentText {
            version: d.version,
            text: d.rope.to_string(),
        }))
    }

    pub async fn debug_panic(&self) -> Result<Value> {
        if !self.inner.debug_requests {
            return Err(Error::method_not_found());
        }
        self.guard("runlog/debugPanic", || -> Value {
            panic!("runlog/debugPanic was asked to panic")
        })
    }
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

/// Analyses a text into a snapshot and its diagnostics (blocking), re-analysing from `previous`
/// (an earlier revision of the same document) when it was analysed with the same settings. A
/// panic in the core is caught: the snapshot then has an empty analysis, and the panic's
/// message is returned.
#[allow(clippy::too_many_arguments)]
fn build_snapshot(
    uri: Uri,
    version: Option<i32>,
    revision: u64,
    text: String,
    previous: Option<Arc<Snapshot>>,
    settings: Arc<Settings>,
    encoding: Encoding,
    debug_requests: bool,
) -> (Arc<Snapshot>, Vec<Diagnostic>, Option<String>) {
    let mut panicked = None;
    let started = std::time::Instant::now();
    // The analysis does not depend on the position encoding, only on these settings.
    let previous = previous.filter(|p| {
        Arc::ptr_eq(&p.settings, &settings) || p.settings.analysis == settings.analysis
    });
    let (analysis, path) = match catch_unwind(AssertUnwindSafe(|| {
        // Debug-only (RUNLOG_LSP_DEBUG_REQUESTS=1): lets tests prove an analysis panic is survived.
        if debug_requests && text.contains(DEBUG_PANIC_MARKER) {
            panic!("analysis was asked to panic ({DEBUG_PANIC_MARKER})");
        }
        match &previous {
            Some(p) => reanalyze_with_path(&p.analysis, &p.text, &text, &settings.analysis),
            None => (analyze(&text, &settings.analysis), ReanalysisPath::Full),
        }
    })) {
        Ok(a) => a,
        Err(p) => {
            panicked = Some(panic_message(&p));
            (Analysis::default(), ReanalysisPath::Full)
        }
    };
    drop(previous);
    let analysed = started.elapsed();
    let snap = Arc::new(Snapshot::new(
        uri, version, revision, text, analysis, settings, encoding,
    ));
    let indexed = started.elapsed();
    let diagnostics = match catch_unwind(AssertUnwindSafe(|| {
        handlers::diagnostics::diagnostics(&snap)
    })) {
        Ok(d) => d,
        Err(p) => {
            panicked.get_or_insert_with(|| panic_message(&p));
            Vec::new()
        }
    };
    tracing::debug!(
        "{}: {} bytes, {} findings; analysis ({path:?}) {:?}, line index {:?}, total {:?}",
        snap.uri.as_str(),
        snap.text.len(),
        snap.analysis.findings.len(),
        analysed,
        indexed - analysed,
        started.elapsed()
    );
    (snap, diagnostics, panicked)
}

/// The diagnostics of a file on disk, and what to tell the user about how it was analysed.
struct DiskAnalysis {
    diagnostics: Vec<Diagnostic>,
    panicked: Option<String>,
    /// Set when the file was streamed (over `runlog.maxFileSize`).
    streamed: Option<String>,
}

/// Analyses a file over `runlog.maxFileSize` streaming from disk (`core::stream`), in memory
/// bounded whatever its size; positions are computed in the negotiated encoding while each part
/// is in memory. Blocking.
fn stream_diagnostics(
    uri: &Uri,
    file: std::fs::File,
    len: u64,
    settings: &Settings,
    encoding: Encoding,
) -> DiskAnalysis {
    use crate::core::stream::{analyze_reader, StreamError};
    let codes = &settings.analysis.status_codes;
    let result = catch_unwind(AssertUnwindSafe(|| {
        analyze_reader(file, &settings.analysis, |f, ex, view| {
            let body = ex
                .and_then(|e| e.body.as_ref())
                .map(|b| to_lsp::view_range(view, b.span, encoding));
            (to_lsp::view_range(view, f.span, encoding), body)
        })
    }));
    let mut analysis = DiskAnalysis {
        diagnostics: Vec::new(),
        panicked: None,
        streamed: None,
    };
    let streamed = match result {
        Ok(Ok(streamed)) => streamed,
        Ok(Err(e)) => {
            let why = match e {
                StreamError::Io(e) => format!("could not be read: {e}"),
                StreamError::NotUtf8 => "not UTF-8 text".to_string(),
                StreamError::Binary => "a binary file".to_string(),
            };
            analysis.streamed = Some(format!("{len} bytes, not analysed: {why}"));
            return analysis;
        }
        Err(p) => {
            analysis.panicked = Some(panic_message(&p));
            return analysis;
        }
    };
    let cap = settings.analysis.max_findings.saturating_add(1);
    analysis.diagnostics = streamed
        .findings
        .iter()
        .take(cap)
        .chain(streamed.inexact.iter().flat_map(|_| streamed.notes.iter()))
        .map(|l| {
            let (range, body) = l.at;
            let body = body
                .filter(|_| l.finding.exchange.is_some())
                .map(|range| Location {
                    uri: uri.clone(),
                    range,
                });
            to_lsp::diagnostic_at(&l.finding, range, body, codes)
        })
        .collect();
    analysis.streamed = Some(match &streamed.inexact {
        None => format!("{len} bytes, analysed from disk in parts (streaming)"),
        Some(why) => format!(
            "{len} bytes, analysed from disk in parts (streaming), and {}",
            why.describe()
        ),
    });
    analysis
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

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let negotiated = Negotiated::from_initialize(&params);
        let encoding = negotiated.encoding;
        let pull = negotiated.pull_diagnostics;
        *lock(&self.inner.negotiated) = negotiated;
        if let Some(options) = params
            .initialization_options
            .as_ref()
            .filter(|v| v.is_object())
        {
            let (settings, warnings) = Settings::from_json(options);
            self.apply_settings(settings, warnings);
        }
        // A pid that is not alive right now belongs to another pid namespace (the editor runs
        // outside the container we run in): watching it would make us exit at once.
        if let Some(pid) = params.process_id.filter(|&pid| {
            let alive = process_alive(pid);
            if !alive {
                tracing::warn!("processId {pid} is not visible from here; not watching it");
            }
            alive
        }) {
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
        let capabilities = ServerCapabilities {
            position_encoding: Some(to_lsp::encoding_kind(encoding)),
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    ..Default::default()
                },
            )),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                resolve_provider: Some(true),
                ..Default::default()
            })),
            definition_provider: Some(OneOf::Left(true)),
            inlay_hint_provider: Some(OneOf::Left(true)),
            document_symbol_provider: Some(OneOf::Left(true)),
            folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
            code_lens_provider: Some(CodeLensOptions {
                resolve_provider: Some(false),
            }),
            execute_command_provider: Some(ExecuteCommandOptions {
                commands: handlers::commands::ALL
                    .iter()
                    .map(|c| (*c).to_string())
                    .collect(),
                ..Default::default()
            }),
            diagnostic_provider: pull.then(|| {
                DiagnosticServerCapabilities::Options(DiagnosticOptions {
                    identifier: Some("runlog".into()),
                    inter_file_dependencies: false,
                    workspace_diagnostics: false,
                    ..Default::default()
                })
            }),
            ..Default::default()
        };
        Ok(InitializeResult {
            capabilities,
            server_info: Some(ServerInfo {
                name: "runlog-lsp".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
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
        self.pull_configuration().await;
        if lock(&self.inner.watch).is_none() {
            self.refresh_watch().await;
        }
    }

    async fn shutdown(&self) -> Result<()> {
        self.inner.shutdown_requested.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        tracing::debug!(
            "didOpen {} v{}: {} bytes",
            doc.uri.as_str(),
            doc.version,
            doc.text.len()
        );
        let revision =
            lock(&self.inner.docs).open(doc.uri.clone(), doc.text, doc.version, doc.language_id);
        let was_on_disk = lock(&self.inner.disk).remove(&doc.uri);
        self.schedule_after(doc.uri, revision, Duration::ZERO);
        let _ = was_on_disk;
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        let encoding = self.encoding();
        let result = lock(&self.inner.docs).change(&uri, version, params.content_changes, encoding);
        match result {
            Ok(revision) => self.schedule(uri, revision),
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

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        let closed = lock(&self.inner.docs).close(&uri);
        if !closed {
            tracing::info!("didClose for a document that is not open: {}", uri.as_str());
            return;
        }
        lock(&self.inner.outline_capped).remove(&uri);
        if !self.negotiated().pull_diagnostics {
            self.client
                .publish_diagnostics(uri.clone(), Vec::new(), None)
                .await;
        }
        // A watched log that is closed goes back to being analysed from disk.
        let matches = {
            let roots = self.roots();
            let watch = lock(&self.inner.watch);
            uri.to_file_path()
                .is_some_and(|p| watch.as_ref().is_some_and(|w| w.matches(&p, &roots)))
        };
        if matches {
            if let Some(path) = uri.to_file_path().map(|p| p.into_owned()) {
                self.analyse_disk(path).await;
            }
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let mut watch_changed = false;
        if params.settings.as_object().is_some_and(|m| !m.is_empty()) {
            let (settings, warnings) = Settings::from_json(&params.settings);
            watch_changed = self.apply_settings(settings, warnings);
        }
        if self.negotiated().configuration {
            self.pull_configuration().await;
        } else if watch_changed {
            self.refresh_watch().await;
        } else {
            self.reanalyse_disk().await;
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let roots = self.roots();
        let watch = lock(&self.inner.watch).clone();
        for change in params.changes {
            let Some(path) = change.uri.to_file_path().map(|p| p.into_owned()) else {
                continue;
            };
            if change.typ == FileChangeType::DELETED {
                if lock(&self.inner.disk).remove(&change.uri) {
                    self.client
                        .publish_diagnostics(change.uri, Vec::new(), None)
                        .await;
                }
                continue;
            }
            if watch.as_ref().is_some_and(|w| w.matches(&path, &roots)) {
                self.analyse_disk(path).await;
            }
        }
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let p = params.text_document_position_params;
        let Some(snap) = self.snapshot(&p.text_document.uri).await else {
            return Ok(None);
        };
        self.guard("hover", || handlers::hover::hover(&snap, p.position))
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let p = params.text_document_position_params;
        let Some(snap) = self.snapshot(&p.text_document.uri).await else {
            return Ok(None);
        };
        self.guard("definition", || {
            handlers::definition::definition(&snap, p.position)
        })
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let Some(snap) = self.snapshot(&params.text_document.uri).await else {
            return Ok(None);
        };
        let lazy_edits = self.negotiated().code_action_resolves_edit;
        self.guard("codeAction", || {
            Some(handlers::code_action::code_actions(
                &snap,
                params.range,
                &params.context.diagnostics,
                lazy_edits,
            ))
        })
    }

    async fn code_action_resolve(&self, action: CodeAction) -> Result<CodeAction> {
        let data = action
            .data
            .clone()
            .and_then(|d| serde_json::from_value::<handlers::code_action::ResolveData>(d).ok());
        let Some(data) = data else {
            return Ok(action);
        };
        let Some(snap) = (match data.uri.parse::<Uri>() {
            Ok(uri) => self.snapshot(&uri).await,
            Err(_) => None,
        }) else {
            return Ok(action);
        };
        let title = action.title.clone();
        let resolved = self.guard("codeAction/resolve", || {
            handlers::code_action::resolve(&snap, action, &data)
        })?;
        if resolved.edit.is_none() {
            self.log(
                MessageType::INFO,
                format!(
                    "\"{}\" was not applied: the document changed since it was offered, or the body cannot be rewritten without loss",
                    title
                ),
            );
        }
        Ok(resolved)
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        let Some(snap) = self.snapshot(&params.text_document.uri).await else {
            return Ok(None);
        };
        self.guard("inlayHint", || {
            Some(handlers::inlay_hints::inlay_hints(&snap, params.range))
        })
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        let Some(snap) = self.snapshot(&params.text_document.uri).await else {
            return Ok(None);
        };
        let outline = self.guard("documentSymbol", || handlers::symbols::symbols(&snap))?;
        if outline.omitted > 0 && lock(&self.inner.outline_capped).insert(snap.uri.clone()) {
            self.log(
                MessageType::INFO,
                format!(
                    "the outline of {} lists {} symbols and leaves out {} successful calls (at most {} symbols per document; failing calls are always listed)",
                    snap.uri.as_str(),
                    outline.symbols.len(),
                    outline.omitted,
                    handlers::symbols::MAX_SYMBOLS
                ),
            );
        }
        Ok(Some(DocumentSymbolResponse::Nested(outline.symbols)))
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        let Some(snap) = self.snapshot(&params.text_document.uri).await else {
            return Ok(None);
        };
        self.guard("foldingRange", || {
            Some(handlers::folding::folding_ranges(
                &snap,
                self.negotiated().folding_range_limit,
            ))
        })
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let Some(snap) = self.snapshot(&params.text_document.uri).await else {
            return Ok(None);
        };
        self.guard("codeLens", || Some(handlers::code_lens::code_lenses(&snap)))
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        let items = match self.snapshot(&params.text_document.uri).await {
            Some(snap) => self.guard("diagnostic", || handlers::diagnostics::diagnostics(&snap))?,
            None => Vec::new(),
        };
        Ok(DocumentDiagnosticReportResult::Report(
            DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport {
                    result_id: None,
                    items,
                },
            }),
        ))
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        let command = params.command.as_str();
        if !handlers::commands::ALL.contains(&command) {
            return Err(Error::invalid_params(format!(
                "unknown command {command:?}"
            )));
        }
        let Some((uri, position)) = handlers::commands::target(&params.arguments) else {
            return Err(Error::invalid_params(
                "expected arguments [{uri, position}]",
            ));
        };
        let Some(snap) = self.snapshot(&uri).await else {
            return Ok(None);
        };
        if command == handlers::commands::VIEW_PAYLOAD {
            let view = self.guard(command, || handlers::payload::payload(&snap, position))?;
            return Ok(view.and_then(|v| serde_json::to_value(v).ok()));
        }
        let Some(show) =
            self.guard(command, || handlers::commands::reveal_body(&snap, position))?
        else {
            return Ok(None);
        };
        let location = json!({"uri": show.uri.as_str(), "range": show.selection});
        if self.negotiated().show_document {
            match self.client.show_document(show).await {
                Ok(shown) => return Ok(Some(json!({"shown": shown, "location": location}))),
                Err(e) => self.log(
                    MessageType::WARNING,
                    format!("window/showDocument failed: {e}"),
                ),
            }
        }
        Ok(Some(json!({"shown": false, "location": location})))
    }
}
