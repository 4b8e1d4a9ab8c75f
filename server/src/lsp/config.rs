//! What was negotiated with the client at `initialize`: position encoding and which optional
//! protocol features it supports (pull diagnostics, showDocument, dynamic registration, ...).

use crate::core::line_index::Encoding;
use tower_lsp_server::ls_types::{ClientCapabilities, InitializeParams, Uri, WorkspaceFolder};

use super::from_lsp;

#[derive(Debug, Clone)]
pub struct Negotiated {
    pub encoding: Encoding,
    /// The client pulls diagnostics (`textDocument/diagnostic`); we then never push for open
    /// documents.
    pub pull_diagnostics: bool,
    pub show_document: bool,
    pub configuration: bool,
    pub watch_dynamic: bool,
    pub watch_relative_patterns: bool,
    pub work_done_progress: bool,
    /// The client re-requests these when told (`workspace/*/refresh`), e.g. after settings change.
    pub diagnostic_refresh: bool,
    pub inlay_hint_refresh: bool,
    pub code_lens_refresh: bool,
    /// The client resolves a code action's `edit` lazily (`codeAction/resolve`).
    pub code_action_resolves_edit: bool,
    /// The most folding ranges the client wants (`foldingRange.rangeLimit`; VS Code sends 5000).
    pub folding_range_limit: Option<usize>,
    pub roots: Vec<Uri>,
}

impl Default for Negotiated {
    fn default() -> Self {
        Negotiated {
            encoding: Encoding::Utf16,
            pull_diagnostics: false,
            show_document: false,
            configuration: false,
            watch_dynamic: false,
            watch_relative_patterns: false,
            work_done_progress: false,
            diagnostic_refresh: false,
            inlay_hint_refresh: false,
            code_lens_refresh: false,
            code_action_resolves_edit: false,
            folding_range_limit: None,
            roots: Vec::new(),
        }
    }
}

impl Negotiated {
    #[allow(deprecated)] // root_uri is still what many clients send.
    pub fn from_initialize(params: &InitializeParams) -> Self {
        let caps: &ClientCapabilities = &params.capabilities;
        let text = caps.text_document.as_ref();
        let workspace = caps.workspace.as_ref();
        let window = caps.window.as_ref();
        let watch = workspace.and_then(|w| w.did_change_watched_files.as_ref());
        let mut roots: Vec<Uri> = params
            .workspace_folders
            .iter()
            .flatten()
            .map(|f: &WorkspaceFolder| f.uri.clone())
            .collect();
        if roots.is_empty() {
            roots.extend(params.root_uri.clone());
        }
        Negotiated {
            encoding: from_lsp::negotiate_encoding(caps),
            pull_diagnostics: text.and_then(|t| t.diagnostic.as_ref()).is_some(),
            show_document: window
                .and_then(|w| w.show_document.as_ref())
                .is_some_and(|s| s.support),
            configuration: workspace.and_then(|w| w.configuration).unwrap_or(false),
            watch_dynamic: watch.and_then(|w| w.dynamic_registration).unwrap_or(false),
            watch_relative_patterns: watch
                .and_then(|w| w.relative_pattern_support)
                .unwrap_or(false),
            work_done_progress: window.and_then(|w| w.work_done_progress).unwrap_or(false),
            diagnostic_refresh: workspace
                .and_then(|w| w.diagnostics.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false),
            inlay_hint_refresh: workspace
                .and_then(|w| w.inlay_hint.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false),
            code_lens_refresh: workspace
                .and_then(|w| w.code_lens.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false),
            code_action_resolves_edit: text
                .and_then(|t| t.code_action.as_ref())
                .and_then(|c| c.resolve_support.as_ref())
                .is_some_and(|r| r.properties.iter().any(|p| p == "edit")),
            folding_range_limit: text
                .and_then(|t| t.folding_range.as_ref())
                .and_then(|f| f.range_limit)
                .map(|n| n as usize),
            roots,
        }
    }
}
