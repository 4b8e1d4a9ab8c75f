//! The Zed extension for runlog-lsp: finds the server binary (the `lsp.runlog-lsp.binary` setting:
//! `path`, `arguments` and `env`; else `runlog-lsp` on the worktree's PATH) and passes the
//! `lsp.runlog-lsp` settings on as initializationOptions and workspace/configuration.

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
        let extra_env = binary
            .as_ref()
            .and_then(|b| b.env.clone())
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
            env: merge_env(worktree.shell_env(), extra_env),
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

/// The worktree's shell environment with the user's `binary.env` on top (a variable set in both
/// takes the user's value), in a stable order.
fn merge_env(
    shell: Vec<(String, String)>,
    user: std::collections::HashMap<String, String>,
) -> Vec<(String, String)> {
    let mut user: Vec<(String, String)> = user.into_iter().collect();
    user.sort();
    let mut env: Vec<(String, String)> = shell
        .into_iter()
        .filter(|(key, _)| !user.iter().any(|(k, _)| k == key))
        .collect();
    env.extend(user);
    env
}

zed::register_extension!(RunlogExtension);

#[cfg(test)]
mod tests {
    use super::merge_env;

    #[test]
    fn the_users_env_wins_over_the_shell() {
        let shell = vec![
            ("PATH".to_string(), "/usr/bin".to_string()),
            ("RUST_LOG".to_string(), "warn".to_string()),
        ];
        let user = [("RUST_LOG", "debug"), ("RUNLOG_X", "1")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let env = merge_env(shell, user);
        let get = |key: &str| env.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
        assert_eq!(get("PATH"), Some("/usr/bin"));
        assert_eq!(get("RUST_LOG"), Some("debug"));
        assert_eq!(get("RUNLOG_X"), Some("1"));
        assert_eq!(env.iter().filter(|(k, _)| k == "RUST_LOG").count(), 1);
    }
}
