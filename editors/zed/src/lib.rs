//! The Zed extension for runlog-lsp: finds the server binary (the `lsp.runlog-lsp.binary` setting,
//! else `runlog-lsp` on the worktree's PATH) and passes the `lsp.runlog-lsp` settings on as
//! initializationOptions and workspace/configuration.

use zed_extension_api::{self as zed, settings::LspSettings, LanguageServerId, Result};

struct RunlogExtension;

impl RunlogExtension {
    fn settings(id: &LanguageServerId, worktree: &zed::Worktree) -> Option<LspSettings> {
        LspSettings::for_worktree(id.as_ref(), worktree).ok()
    }
}

impl zed::Extension for RunlogExtension {
    fn new() -> Self {
        RunlogExtension
    }

    fn language_server_command(
        &mut self,
        id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<zed::Command> {
        let binary = Self::settings(id, worktree).and_then(|s| s.binary);
        let args = binary
            .as_ref()
            .and_then(|b| b.arguments.clone())
            .unwrap_or_default();
        let command = match binary.and_then(|b| b.path) {
            Some(path) => path,
            None => worktree.which("runlog-lsp").ok_or_else(|| {
                "runlog-lsp is not on PATH: install it (cargo xtask install --server-only) \
                 or set lsp.runlog-lsp.binary.path in Zed's settings"
                    .to_string()
            })?,
        };
        Ok(zed::Command {
            command,
            args,
            env: worktree.shell_env(),
        })
    }

    fn language_server_initialization_options(
        &mut self,
        id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<Option<zed::serde_json::Value>> {
        Ok(Self::settings(id, worktree).and_then(|s| s.initialization_options))
    }

    fn language_server_workspace_configuration(
        &mut self,
        id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<Option<zed::serde_json::Value>> {
        Ok(Self::settings(id, worktree).and_then(|s| s.settings))
    }
}

zed::register_extension!(RunlogExtension);
