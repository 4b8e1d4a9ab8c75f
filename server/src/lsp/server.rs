//! The routes: every LSP method and custom request, each handed to its handler (answering
//! from a snapshot under the panic guard) or to the module that owns the work — `session`
//! (documents, settings, ordering), `scheduling` (analyses, snapshots), `workspace` (files on
//! disk), `capabilities` (what `initialize` answers).

use crate::core::curl::Curl;
use crate::core::payload::PayloadView;
use serde_json::Value;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::LanguageServer;

use super::capabilities;
use super::handlers;
use super::handlers::failures::{Failures, FailuresParams};
use super::handlers::payload::PayloadParams;
use super::scheduling::Current;
use super::session::{self, lock, Backend};

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

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let negotiated = self.initialize_session(&params);
        if let Some(pid) = params.process_id {
            session::exit_with_editor(pid);
        }
        Ok(capabilities::initialize_result(&negotiated))
    }

    async fn initialized(&self, _: InitializedParams) {
        self.announce_ready();
        self.pull_configuration().await;
        self.start_watching().await;
    }

    async fn shutdown(&self) -> Result<()> {
        self.request_shutdown();
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        self.open_document(params.text_document);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        self.change_document(params.text_document, params.content_changes);
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        self.close_document(params.text_document.uri).await;
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        self.change_configuration(params.settings).await;
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        self.watched_files_changed(params.changes).await;
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
        self.tell_if_outline_capped(&snap.uri, &outline);
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
        let items = match self.current_diagnostics(&params.text_document.uri).await {
            Some(Current::FirstLook(diagnostics)) => diagnostics.to_vec(),
            Some(Current::Snapshot(snap)) => {
                self.guard("diagnostic", || snap.diagnostics().to_vec())?
            }
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
        if command == handlers::commands::SHOW_FAILURES {
            let uri = handlers::commands::document(&params.arguments);
            let answer = self.failures_of(uri).await?;
            return Ok(serde_json::to_value(answer).ok());
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
        if command == handlers::commands::COPY_AS_CURL {
            let curl = self.guard(command, || handlers::curl::curl(&snap, position))?;
            return Ok(curl.and_then(|c| serde_json::to_value(c).ok()));
        }
        let Some(show) =
            self.guard(command, || handlers::commands::reveal_body(&snap, position))?
        else {
            return Ok(None);
        };
        Ok(Some(self.show_document(show).await))
    }
}

/// The custom requests (`docs/lsp-extensions.md`), registered in `lsp::serve_stdio`.
impl Backend {
    pub async fn payload(&self, params: PayloadParams) -> Result<Option<PayloadView>> {
        let Some(snap) = self.snapshot(&params.text_document.uri).await else {
            return Ok(None);
        };
        self.guard("runlog/payload", || {
            handlers::payload::payload(&snap, params.position)
        })
    }

    pub async fn curl(&self, params: PayloadParams) -> Result<Option<Curl>> {
        let Some(snap) = self.snapshot(&params.text_document.uri).await else {
            return Ok(None);
        };
        self.guard("runlog/curl", || {
            handlers::curl::curl(&snap, params.position)
        })
    }

    pub async fn analyze_file(&self, params: DocumentParams) -> Result<()> {
        self.analyse_requested(params.text_document.uri).await
    }

    pub async fn forget_file(&self, params: DocumentParams) -> Result<()> {
        self.forget_requested(params.text_document.uri).await
    }

    pub async fn failures(&self, params: FailuresParams) -> Result<Failures> {
        self.failures_of(params.text_document.map(|t| t.uri)).await
    }

    /// The failures of one document (open, or a watched file on disk), or of every open and
    /// watched log: open documents first, in URI order, then files on disk.
    async fn failures_of(&self, uri: Option<Uri>) -> Result<Failures> {
        let open = lock(&self.inner.docs).uris();
        let (mut uris, disk) = match uri {
            Some(uri) if open.contains(&uri) => (vec![uri], Vec::new()),
            Some(uri) => {
                let disk = self
                    .disk_failures()
                    .into_iter()
                    .filter(|(u, _)| *u == uri)
                    .collect();
                (Vec::new(), disk)
            }
            None => (open, self.disk_failures()),
        };
        uris.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        let mut lists = Vec::new();
        for uri in &uris {
            if let Some(snap) = self.snapshot(uri).await {
                lists.push(self.guard("runlog/failures", || handlers::failures::located(&snap))?);
            }
        }
        lists.extend(disk.into_iter().map(|(_, f)| f.as_ref().clone()));
        Ok(handlers::failures::answer(lists))
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
            text: d.text.current().as_ref().clone(),
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
