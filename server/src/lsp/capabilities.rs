//! What the server answers to `initialize`: its capabilities, in the position encoding
//! negotiated with the client (`config`), with pull diagnostics only for clients that pull.

use tower_lsp_server::ls_types::*;

use super::config::Negotiated;
use super::handlers;
use super::to_lsp;

pub fn initialize_result(negotiated: &Negotiated) -> InitializeResult {
    InitializeResult {
        capabilities: server_capabilities(negotiated),
        server_info: Some(ServerInfo {
            name: "runlog-lsp".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
        offset_encoding: None,
    }
}

fn server_capabilities(negotiated: &Negotiated) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(to_lsp::encoding_kind(negotiated.encoding)),
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
        diagnostic_provider: negotiated.pull_diagnostics.then(|| {
            DiagnosticServerCapabilities::Options(DiagnosticOptions {
                identifier: Some("runlog".into()),
                inter_file_dependencies: false,
                workspace_diagnostics: false,
                ..Default::default()
            })
        }),
        ..Default::default()
    }
}
