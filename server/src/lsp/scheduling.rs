//! Analysis off the request path: open documents are analysed on blocking tasks (edits
//! debounced, re-analysed from the last analysed snapshot), a newer revision supersedes a running
//! analysis, and requests wait briefly for the snapshot of the current revision.

use crate::core::analyze;
use crate::core::incremental::{reanalyze_with_path, ReanalysisPath};
use crate::core::line_index::Encoding;
use crate::core::model::Analysis;
use crate::settings::Settings;
use std::io::Read;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{Receiver, SyncSender};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;
use tower_lsp_server::ls_types::{Diagnostic, MessageType, Uri};

use super::documents::{FirstLook, Snapshot, SnapshotParts};
use super::framing::TextPiece;
use super::project::Resolved;
use super::session::{lock, panic_message, Backend};
use super::streamed;

/// Changes arriving closer together than this are analysed once (a burst arriving while an
/// analysis runs is merged anyway: the running analysis picks up the newest text).
const DEBOUNCE: Duration = Duration::from_millis(8);
/// How long a request waits for the analysis of the current revision before answering from
/// the latest one it has (an edit is re-analysed in milliseconds; only a full analysis of a huge
/// log takes longer, and a request must not take seconds).
const SNAPSHOT_WAIT: Duration = Duration::from_millis(500);
/// How long a request waits when there is no analysis at all yet (just opened): there is
/// nothing older to answer from.
const FIRST_SNAPSHOT_WAIT: Duration = Duration::from_secs(3);
/// Logs at least this big get a first look (`Backend::first_look`) when opened.
const FIRST_LOOK_MIN: usize = 1 << 20;
/// Pieces of an arriving text held for its early first look before unescaping waits for it.
const EARLY_PIECES: usize = 8;
/// With debug requests enabled, a document containing this makes its analysis panic.
const DEBUG_PANIC_MARKER: &str = "runlog-lsp:debug-panic-in-analysis";

impl Backend {
    /// Analyses a document revision in the background after `DEBOUNCE` (settings and project
    /// changes touch every open document at once).
    pub(super) fn schedule(&self, uri: Uri, revision: u64) {
        self.schedule_after(uri, revision, DEBOUNCE);
    }

    /// Analyses an edited revision: at once when no analysis of the document is running (a
    /// keystroke, a status code changed by hand: nothing to wait for), after `DEBOUNCE` while
    /// one runs (a burst: the running analysis takes the newest text when it ends anyway).
    pub(super) fn schedule_edit(&self, uri: Uri, revision: u64) {
        let analysing = lock(&self.inner.docs)
            .get(&uri)
            .is_some_and(|d| d.analysing);
        self.schedule_after(uri, revision, edit_delay(analysing));
    }

    pub(super) fn schedule_after(&self, uri: Uri, revision: u64, delay: Duration) {
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
                    let text = d.text.current();
                    (text, d.version, d.revision, previous)
                }
                _ => return,
            }
        };
        let settings_debug = self.inner.debug_requests;
        loop {
            let (text, version, revision, previous) = job;
            let editor = self.settings();
            let encoding = self.encoding();
            // The settings, and for a big log just opened a first look, before the whole
            // analysis: with one malloc arena (see `lsp::tune_malloc`) the two analyses side
            // by side slowed each other down more than the first look takes alone.
            let wanted = previous.is_none() && text.len() >= FIRST_LOOK_MIN;
            let early = previous
                .is_none()
                .then(|| lock(&self.inner.early).remove(&uri));
            let early = early.flatten().filter(|e| wanted && e.version == version);
            let (settings, found) = match self
                .resolve_and_look(&uri, &text, editor, encoding, wanted, early)
                .await
            {
                Ok((project, found)) => {
                    if let Some(w) = project.warning {
                        self.log(MessageType::WARNING, w);
                    }
                    (project.settings, found)
                }
                Err(e) => return self.task_failed(&uri, e),
            };
            let looked = self
                .publish_first_look(&uri, version, revision, found)
                .await;
            let task_uri = uri.clone();
            let built = tokio::task::spawn_blocking(move || {
                build_snapshot(Build {
                    uri: task_uri,
                    version: Some(version),
                    revision,
                    text,
                    previous,
                    settings,
                    encoding,
                    debug_requests: settings_debug,
                })
            })
            .await;
            let (snap, diagnostics, panicked) = match built {
                Ok(b) => b,
                Err(e) => return self.task_failed(&uri, e),
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
                    Some(d) => Some((d.text.current(), d.version, d.revision, Some(snap))),
                }
            };
            match next {
                Some(newer) => job = newer,
                None => {
                    // The first look's diagnostics are the snapshot's (both are `analyze`'s);
                    // they are sent again only if a limit made the two differ.
                    let again = looked.as_ref().is_none_or(|l| **l != diagnostics);
                    let n = self.negotiated();
                    if !n.pull_diagnostics && again {
                        self.client
                            .publish_diagnostics(uri, diagnostics, Some(version))
                            .await;
                    } else if n.pull_diagnostics
                        && again
                        && looked.is_some()
                        && n.diagnostic_refresh
                    {
                        let _ = self.client.workspace_diagnostic_refresh().await;
                    }
                    drop(replaced);
                    return;
                }
            }
        }
    }

    /// The document's settings (the editor's over its project file's), and with `look`, a
    /// first look: the log streamed through the unit pipeline, where most of its calls (those
    /// that succeeded) are not parsed, so its diagnostics are out well before the snapshot. The
    /// first look is `None` when the stream's result is not exactly `analyze`'s, or it took
    /// longer than `runlog.limits.analysisTimeMs`. An `early` look (started while the text
    /// arrived) is taken when it saw the whole text with these settings.
    fn resolve_and_look(
        &self,
        uri: &Uri,
        text: &Arc<String>,
        editor: Arc<Settings>,
        encoding: Encoding,
        look: bool,
        early: Option<EarlyLook>,
    ) -> tokio::task::JoinHandle<(Resolved, Option<Vec<Diagnostic>>)> {
        let (uri, text, inner) = (uri.clone(), text.clone(), self.inner.clone());
        tokio::task::spawn_blocking(move || {
            let project = inner.projects.resolve(&uri, editor);
            let early = early
                .and_then(|e| e.looked.blocking_recv().ok())
                .filter(|l| {
                    l.whole
                        && l.encoding == encoding
                        && l.settings.analysis == project.settings.analysis
                });
            let found = match early {
                Some(looked) => looked.diagnostics,
                None => look
                    .then(|| first_look(&uri, text.as_bytes(), &project.settings, encoding))
                    .flatten(),
            };
            (project, found)
        })
    }

    /// Starts the first look of a big document while its `didOpen` arrives (told by the
    /// transport: `framing::OnOpening`), on the text as it is unescaped: the look then runs on
    /// one core while the message is read and decoded on the other, where it used to wait for
    /// the whole message. Its result is taken by the document's first analysis.
    pub(super) fn look_early(
        &self,
        uri: &str,
        version: i32,
        message_len: usize,
        runtime: &tokio::runtime::Handle,
    ) -> Option<SyncSender<TextPiece>> {
        if message_len < FIRST_LOOK_MIN {
            return None;
        }
        let uri: Uri = uri.parse().ok()?;
        tracing::debug!("{}: first look starts as its didOpen arrives", uri.as_str());
        let (pieces, arriving) = std::sync::mpsc::sync_channel(EARLY_PIECES);
        let (done, looked) = oneshot::channel();
        lock(&self.inner.early).insert(uri.clone(), EarlyLook { version, looked });
        let (this, editor, encoding) = (self.clone(), self.settings(), self.encoding());
        runtime.spawn_blocking(move || {
            let project = this.inner.projects.resolve(&uri, editor);
            // Said when the project file is first read, which may be here.
            if let Some(w) = project.warning {
                this.log(MessageType::WARNING, w);
            }
            let mut text = TextPieces::new(arriving);
            let diagnostics = first_look(&uri, &mut text, &project.settings, encoding);
            let _ = done.send(Looked {
                whole: text.ended,
                settings: project.settings,
                encoding,
                diagnostics,
            });
        });
        Some(pieces)
    }

    /// An analysis task that ended without a result (it cannot panic: the core's panics are
    /// caught inside it).
    fn task_failed(&self, uri: &Uri, e: tokio::task::JoinError) {
        if let Some(d) = lock(&self.inner.docs).get_mut(uri) {
            d.analysing = false;
        }
        self.log(
            MessageType::ERROR,
            format!("analysis task of {} failed: {e}", uri.as_str()),
        );
    }

    /// Hands out a first look's diagnostics if the revision is still current: published, and
    /// kept for a diagnostic request that comes before the snapshot.
    async fn publish_first_look(
        &self,
        uri: &Uri,
        version: i32,
        revision: u64,
        found: Option<Vec<Diagnostic>>,
    ) -> Option<Arc<Vec<Diagnostic>>> {
        let diagnostics = Arc::new(found?);
        {
            let docs = lock(&self.inner.docs);
            let doc = docs.get(uri).filter(|d| d.revision == revision)?;
            doc.first_look.send_replace(Some(FirstLook {
                revision,
                diagnostics: diagnostics.clone(),
            }));
        }
        if !self.negotiated().pull_diagnostics {
            self.client
                .publish_diagnostics(uri.clone(), diagnostics.to_vec(), Some(version))
                .await;
        }
        Some(diagnostics)
    }

    /// Where the diagnostics of the document's current revision come from: its first look if
    /// that comes before its snapshot. `None` for unknown documents.
    pub(super) async fn current_diagnostics(&self, uri: &Uri) -> Option<Current> {
        let (mut looks, revision) = {
            let docs = lock(&self.inner.docs);
            let doc = docs.get(uri)?;
            (doc.first_look.subscribe(), doc.revision)
        };
        tokio::select! {
            biased;
            Ok(look) = looks.wait_for(|l| l.as_ref().is_some_and(|l| l.revision == revision)) => {
                look.as_ref().map(|l| Current::FirstLook(l.diagnostics.clone()))
            }
            snap = self.snapshot(uri) => snap.map(Current::Snapshot),
        }
    }

    /// The snapshot of the document's current revision (waiting for its analysis), or the
    /// latest one when that takes too long. `None` for unknown documents.
    pub(super) async fn snapshot(&self, uri: &Uri) -> Option<Arc<Snapshot>> {
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
}

/// A first look started while its document's `didOpen` arrived (`Backend::look_early`).
pub(super) struct EarlyLook {
    version: i32,
    looked: oneshot::Receiver<Looked>,
}

/// What an early first look found, and with what.
struct Looked {
    /// The look read the text to its end (not cut short by a message that did not decode).
    whole: bool,
    settings: Arc<Settings>,
    encoding: Encoding,
    diagnostics: Option<Vec<Diagnostic>>,
}

/// An arriving text read as it is unescaped: its pieces until `TextPiece::End`. Their sender
/// dropped before that (the message did not decode) is an error.
struct TextPieces {
    arriving: Receiver<TextPiece>,
    piece: Vec<u8>,
    at: usize,
    ended: bool,
}

impl TextPieces {
    fn new(arriving: Receiver<TextPiece>) -> Self {
        TextPieces {
            arriving,
            piece: Vec::new(),
            at: 0,
            ended: false,
        }
    }
}

impl Read for TextPieces {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.piece.len() && !self.ended {
            match self.arriving.recv() {
                Ok(TextPiece::Bytes(piece)) => (self.piece, self.at) = (piece, 0),
                Ok(TextPiece::End) => self.ended = true,
                Err(_) => return Err(std::io::Error::other("the didOpen message did not decode")),
            }
        }
        let n = out.len().min(self.piece.len() - self.at);
        out[..n].copy_from_slice(&self.piece[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// See [`Backend::resolve_and_look`]. Blocking.
fn first_look(
    uri: &Uri,
    text: impl Read,
    settings: &Settings,
    encoding: Encoding,
) -> Option<Vec<Diagnostic>> {
    let started = std::time::Instant::now();
    let streamed = catch_unwind(AssertUnwindSafe(|| {
        streamed::diagnostics(uri, text, settings, encoding)
    }));
    // Past the time limit the whole analysis stops early: it would not give these.
    let in_time = settings
        .analysis
        .analysis_time
        .is_none_or(|limit| started.elapsed() < limit);
    let exact = streamed
        .ok()?
        .ok()
        .filter(|s| s.inexact.is_none() && in_time);
    tracing::debug!(
        "{}: first look {} in {:?}",
        uri.as_str(),
        match &exact {
            Some(s) => format!("found {} diagnostics", s.diagnostics.len()),
            None => "was not exact".to_string(),
        },
        started.elapsed()
    );
    exact.map(|s| s.diagnostics)
}

/// See [`Backend::current_diagnostics`].
pub(super) enum Current {
    FirstLook(Arc<Vec<Diagnostic>>),
    Snapshot(Arc<Snapshot>),
}

/// What `build_snapshot` analyses: one revision of a document, the snapshot it may be
/// re-analysed from, and how.
pub(super) struct Build {
    pub uri: Uri,
    /// The client's version (None for files read from disk).
    pub version: Option<i32>,
    pub revision: u64,
    pub text: Arc<String>,
    /// An earlier revision of the same document.
    pub previous: Option<Arc<Snapshot>>,
    pub settings: Arc<Settings>,
    pub encoding: Encoding,
    /// RUNLOG_LSP_DEBUG_REQUESTS=1: the debug panic marker in the text makes the analysis panic.
    pub debug_requests: bool,
}

/// How long an edit waits before its analysis, given whether one of its document runs.
fn edit_delay(analysing: bool) -> Duration {
    if analysing {
        DEBOUNCE
    } else {
        Duration::ZERO
    }
}

/// Analyses a text into a snapshot and its diagnostics (blocking), re-analysing from `previous`
/// (an earlier revision of the same document) when it was analysed with the same settings. A
/// panic in the core is caught: the snapshot then has an empty analysis, and the panic's
/// message is returned.
pub(super) fn build_snapshot(build: Build) -> (Arc<Snapshot>, Vec<Diagnostic>, Option<String>) {
    let Build {
        uri,
        version,
        revision,
        text,
        previous,
        settings,
        encoding,
        debug_requests,
    } = build;
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
    let snap = Arc::new(Snapshot::new(SnapshotParts {
        uri,
        version,
        revision,
        text,
        analysis,
        settings,
        encoding,
    }));
    let indexed = started.elapsed();
    let diagnostics = match catch_unwind(AssertUnwindSafe(|| snap.diagnostics().to_vec())) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edit_is_analysed_at_once_unless_an_analysis_runs() {
        assert_eq!(edit_delay(false), Duration::ZERO);
        assert_eq!(edit_delay(true), DEBOUNCE);
    }
}
