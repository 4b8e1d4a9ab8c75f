//! Run logs on disk that are not open (`runlog.files.watch`, and the files a client asks for
//! with `runlog/analyzeFile`): registering file watchers with the client, scanning the
//! workspace roots (`watch`), and analysing each file from disk — whole up to
//! `runlog.maxFileSize`, streamed above it — to publish its diagnostics.

use crate::core::line_index::Encoding;
use crate::settings::Settings;
use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;

use super::config::Negotiated;
use super::handlers::failures;
use super::project;
use super::scheduling::{build_snapshot, Build};
use super::session::{lock, panic_message, Backend};
use super::streamed;
use super::watch::{self, Watch};

const WATCH_REGISTRATION: &str = "runlog-watched-files";

impl Backend {
    fn roots(&self) -> Vec<PathBuf> {
        self.negotiated()
            .roots
            .iter()
            .filter_map(|u| u.to_file_path().map(|p| p.into_owned()))
            .collect()
    }

    /// Starts watching with the current settings, unless pulling the configuration did.
    pub(super) async fn start_watching(&self) {
        if lock(&self.inner.watch).is_none() {
            self.refresh_watch().await;
        }
    }

    /// Brings the files on disk up to date after a settings change: scanned again when the
    /// watched globs or the size limit changed, else the published ones analysed again.
    pub(super) async fn refresh_disk(&self, watch_changed: bool) {
        if watch_changed {
            self.refresh_watch().await;
        } else {
            self.reanalyse_disk().await;
        }
    }

    async fn refresh_watch(&self) {
        let settings = self.settings();
        let negotiated = self.negotiated();
        let (watch, errors) = Watch::new(&settings.watch);
        for e in errors {
            self.log(MessageType::WARNING, e);
        }
        *lock(&self.inner.watch) = Some(watch.clone());
        if negotiated.watch_dynamic {
            self.register_watchers(&watch, &negotiated).await;
        }
        let roots = self.roots();
        let scan_watch = watch.clone();
        let files = tokio::task::spawn_blocking(move || scan_watch.scan(&roots))
            .await
            .unwrap_or_default();
        // Files published before that no longer match (and were not asked for): clear them.
        let stale: Vec<Uri> = {
            let mut wanted: HashSet<Uri> = files.iter().filter_map(Uri::from_file_path).collect();
            wanted.extend(lock(&self.inner.requested).iter().cloned());
            let mut disk = lock(&self.inner.disk);
            let stale: Vec<Uri> = disk
                .keys()
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
        if !files.is_empty() {
            self.analyse_scanned(files, negotiated.work_done_progress)
                .await;
        }
    }

    /// Replaces the file watchers registered with the client by ones for `watch`.
    async fn register_watchers(&self, watch: &Watch, negotiated: &Negotiated) {
        if self.inner.watch_registered.swap(false, Ordering::SeqCst) {
            let _ = self
                .client
                .unregister_capability(vec![Unregistration {
                    id: WATCH_REGISTRATION.into(),
                    method: "workspace/didChangeWatchedFiles".into(),
                }])
                .await;
        }
        // Config files are always watched: a changed `runlog.toml` changes the findings.
        let patterns: Vec<String> = watch
            .patterns
            .iter()
            .cloned()
            .chain(project::WATCH_PATTERNS.map(String::from))
            .collect();
        let mut watchers = file_watchers(&patterns, negotiated);
        // A file asked for with `runlog/analyzeFile` is analysed again when it changes, wherever
        // it is (a log still being written).
        let mut requested: Vec<Uri> = lock(&self.inner.requested).iter().cloned().collect();
        requested.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        watchers.extend(
            requested
                .iter()
                .filter_map(|uri| file_watcher(uri, negotiated)),
        );
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

    /// Analyses the files a scan found, one after the other, with a progress report when the
    /// client shows them.
    async fn analyse_scanned(&self, files: Vec<PathBuf>, work_done_progress: bool) {
        let progress = if work_done_progress {
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
        let uris: Vec<Uri> = lock(&self.inner.disk).keys().cloned().collect();
        for uri in uris {
            if let Some(path) = uri.to_file_path().map(|p| p.into_owned()) {
                self.analyse_disk(path).await;
            }
        }
    }

    /// `workspace/didChangeWatchedFiles`: watched files that changed are analysed again, and
    /// deleted ones cleared.
    pub(super) async fn watched_files_changed(&self, changes: Vec<FileEvent>) {
        let roots = self.roots();
        let watch = lock(&self.inner.watch).clone();
        let configs: Vec<PathBuf> = changes
            .iter()
            .filter_map(|c| c.uri.to_file_path().map(|p| p.into_owned()))
            .filter(|p| project::is_config_file(p))
            .collect();
        if !configs.is_empty() {
            self.project_config_changed(&configs).await;
        }
        for change in changes {
            let Some(path) = change.uri.to_file_path().map(|p| p.into_owned()) else {
                continue;
            };
            if project::is_config_file(&path) {
                continue;
            }
            if change.typ == FileChangeType::DELETED {
                self.clear_disk(change.uri).await;
                continue;
            }
            let requested = lock(&self.inner.requested).contains(&change.uri);
            if requested || watch.as_ref().is_some_and(|w| w.matches(&path, &roots)) {
                self.analyse_disk(path).await;
            }
        }
    }

    /// A watched log that is closed goes back to being analysed from disk.
    /// A `runlog.toml` was created, changed or deleted: every document is analysed again with
    /// the project settings read anew.
    async fn project_config_changed(&self, paths: &[PathBuf]) {
        self.inner.projects.clear();
        let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        self.log(
            MessageType::INFO,
            format!("{} changed: analysing again", names.join(", ")),
        );
        for (uri, revision) in lock(&self.inner.docs).touch_all() {
            self.schedule(uri, revision);
        }
        self.reanalyse_disk().await;
    }

    pub(super) async fn analyse_if_watched(&self, uri: &Uri) {
        let Some(path) = uri.to_file_path().map(|p| p.into_owned()) else {
            return;
        };
        let roots = self.roots();
        let watched = lock(&self.inner.watch)
            .as_ref()
            .is_some_and(|w| w.matches(&path, &roots));
        if watched {
            self.analyse_disk(path).await;
        }
    }

    /// `runlog/analyzeFile`: analyses a file from disk and publishes its diagnostics, as for a
    /// watched file, again whenever the settings change, until `runlog/forgetFile`. For files an
    /// editor shows but does not hand over (VS Code keeps files over 50 MB from extensions).
    pub(super) async fn analyse_requested(&self, uri: Uri) -> Result<()> {
        let path = file_path(&uri)?;
        if lock(&self.inner.requested).insert(uri) {
            self.watch_requested().await;
        }
        self.analyse_disk(path).await;
        Ok(())
    }

    /// `runlog/forgetFile`: the editor no longer shows the file; its diagnostics are cleared
    /// unless `runlog.files.watch` covers it.
    pub(super) async fn forget_requested(&self, uri: Uri) -> Result<()> {
        let path = file_path(&uri)?;
        if lock(&self.inner.requested).remove(&uri) {
            self.watch_requested().await;
        }
        let watched = lock(&self.inner.watch)
            .as_ref()
            .is_some_and(|w| w.matches(&path, &self.roots()));
        if !watched {
            self.clear_disk(uri).await;
        }
        Ok(())
    }

    /// Registers the file watchers again when the files asked for changed (and the client
    /// registers watchers dynamically).
    async fn watch_requested(&self) {
        let negotiated = self.negotiated();
        let watch = lock(&self.inner.watch).clone();
        if let (true, Some(watch)) = (negotiated.watch_dynamic, watch) {
            self.register_watchers(&watch, &negotiated).await;
        }
    }

    /// Clears the diagnostics published for a file on disk, if any were.
    async fn clear_disk(&self, uri: Uri) {
        if lock(&self.inner.disk).remove(&uri).is_some() {
            self.client.publish_diagnostics(uri, Vec::new(), None).await;
        }
    }

    /// The failures of the watched files on disk that are not open, by URI.
    pub(super) fn disk_failures(&self) -> Vec<(Uri, Arc<failures::Located>)> {
        let open = lock(&self.inner.docs).uris();
        let disk = lock(&self.inner.disk);
        let mut out: Vec<(Uri, Arc<failures::Located>)> = disk
            .iter()
            .filter(|(u, _)| !open.contains(u))
            .map(|(u, f)| (u.clone(), f.clone()))
            .collect();
        out.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
        out
    }

    /// Analyses a file on disk that is not open and publishes its diagnostics.
    async fn analyse_disk(&self, path: PathBuf) {
        let Some(uri) = Uri::from_file_path(&path) else {
            return;
        };
        if lock(&self.inner.docs).contains(&uri) {
            return;
        }
        let editor = self.settings();
        let encoding = self.encoding();
        let max = editor.max_file_size;
        let task_uri = uri.clone();
        let task_path = path.clone();
        let inner = self.inner.clone();
        let built = tokio::task::spawn_blocking(move || {
            let project = inner.projects.resolve(&task_uri, editor);
            let settings = project.settings;
            let analysed = watch::open(&task_path, max).map(|disk| match disk {
                watch::Disk::Text(text) => {
                    let (snap, diagnostics, panicked) = build_snapshot(Build {
                        uri: task_uri,
                        version: None,
                        revision: 0,
                        text: Arc::new(text),
                        previous: None,
                        settings,
                        encoding,
                        debug_requests: false,
                    });
                    let failures = catch_unwind(AssertUnwindSafe(|| failures::located(&snap)))
                        .unwrap_or_default();
                    DiskAnalysis {
                        diagnostics,
                        failures,
                        panicked,
                        streamed: None,
                    }
                }
                watch::Disk::Large(file, len) => {
                    stream_diagnostics(&task_uri, file, len, &settings, encoding)
                }
            });
            (analysed, project.warning)
        })
        .await;
        if let Ok((_, Some(warning))) = &built {
            self.log(MessageType::WARNING, warning.clone());
        }
        match built.map(|(analysed, _)| analysed) {
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
                lock(&self.inner.disk).insert(uri.clone(), Arc::new(analysis.failures));
                self.client
                    .publish_diagnostics(uri, analysis.diagnostics, None)
                    .await;
            }
            Ok(Err(e)) => {
                self.clear_disk(uri).await;
                tracing::info!("could not read {}: {e}", path.display());
            }
            Err(e) => self.log(
                MessageType::ERROR,
                format!("reading {} failed: {e}", path.display()),
            ),
        }
    }
}

/// The path of a `file:` URI (`to_file_path` takes the path of any scheme).
fn file_path(uri: &Uri) -> Result<PathBuf> {
    uri.scheme()
        .as_str()
        .eq_ignore_ascii_case("file")
        .then(|| uri.to_file_path())
        .flatten()
        .map(|p| p.into_owned())
        .ok_or_else(|| Error::invalid_params(format!("{} is not a file: URI", uri.as_str())))
}

/// The client-side watchers for the globs: relative to each workspace root when the client
/// supports relative patterns, else as `**/` globs.
/// A watcher for one file: its name relative to its folder where the client takes relative
/// patterns (VS Code watches files outside the workspace only so), else its path as a glob.
fn file_watcher(uri: &Uri, negotiated: &Negotiated) -> Option<FileSystemWatcher> {
    let path = uri.to_file_path()?;
    let name = path.file_name()?.to_str()?.to_string();
    let glob_pattern = if negotiated.watch_relative_patterns {
        let folder = Uri::from_file_path(path.parent()?)?;
        GlobPattern::Relative(RelativePattern {
            base_uri: OneOf::Right(folder),
            pattern: name,
        })
    } else {
        GlobPattern::String(path.to_str()?.to_string())
    };
    Some(FileSystemWatcher {
        glob_pattern,
        kind: None,
    })
}

fn file_watchers(patterns: &[String], negotiated: &Negotiated) -> Vec<FileSystemWatcher> {
    patterns
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
        .collect()
}

/// The diagnostics of a file on disk, and what to tell the user about how it was analysed.
struct DiskAnalysis {
    diagnostics: Vec<Diagnostic>,
    /// Its failing calls grouped by cause, for `runlog/failures`.
    failures: failures::Located,
    panicked: Option<String>,
    /// Set when the file was streamed (over `runlog.maxFileSize`).
    streamed: Option<String>,
}

/// Analyses a file over `runlog.maxFileSize` streaming from disk (`core::stream`), in memory
/// bounded whatever its size. Blocking.
fn stream_diagnostics(
    uri: &Uri,
    file: std::fs::File,
    len: u64,
    settings: &Settings,
    encoding: Encoding,
) -> DiskAnalysis {
    use crate::core::stream::StreamError;
    let mut analysis = DiskAnalysis {
        diagnostics: Vec::new(),
        failures: Vec::new(),
        panicked: None,
        streamed: None,
    };
    let result = catch_unwind(AssertUnwindSafe(|| {
        streamed::diagnostics(uri, file, settings, encoding)
    }));
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
    analysis.streamed = Some(match &streamed.inexact {
        None => format!("{len} bytes, analysed from disk in parts (streaming)"),
        Some(why) => format!(
            "{len} bytes, analysed from disk in parts (streaming), and {}",
            why.describe()
        ),
    });
    analysis.diagnostics = streamed.diagnostics;
    analysis.failures = streamed.failures;
    analysis
}
