//! The Emacs tier: Emacs in batch mode with editors/emacs's eglot config.
use crate::neovim::{build_server, run_editor, Scratch};
use crate::util::{self, Result};
use std::process::{Command, Stdio};

/// `Err` says what failed, or, when a tool is missing, how to install it.
pub fn tier() -> Result {
    if !util::on_path("emacs") {
        return Err(
            "`emacs` is not on PATH; install it: apt-get install emacs-nox elpa-eglot".into(),
        );
    }
    // Eglot is built into Emacs 29; Emacs 28 (Debian 12) needs the elpa-eglot package.
    if !crate::provision::emacs_has_eglot() {
        return Err("Emacs has no eglot; install it: apt-get install elpa-eglot".into());
    }
    let root = util::root();
    let scratch = Scratch::new("emacs")?;
    // The config byte-compiles without a warning (into the scratch dir, not next to the source).
    let elc = scratch.dir.join("runlog-lsp.elc");
    util::run(
        Command::new("emacs")
            .arg("--batch")
            .arg("--eval")
            .arg(format!(
                "(progn (package-initialize) (setq byte-compile-error-on-warn t \
                 byte-compile-dest-file-function (lambda (_) {elc:?})))"
            ))
            .args(["-f", "batch-byte-compile"])
            .arg(root.join("editors/emacs/runlog-lsp.el"))
            .stdin(Stdio::null()),
    )
    .map_err(|e| format!("editors/emacs/runlog-lsp.el does not byte-compile cleanly: {e}"))?;
    let server = build_server()?;
    let fixture = scratch.copy_seed()?;
    let har = scratch.copy_fixture("har/chromium-recorded.pretty.har", "capture.har")?;
    let mut cmd = Command::new("emacs");
    cmd.args(["--batch", "-l"])
        .arg(root.join("editors/emacs/test/e2e.el"))
        .env("RUNLOG_REPO", &root)
        .env("RUNLOG_LSP_BIN", &server)
        .env("RUNLOG_FIXTURE", &fixture)
        .env("RUNLOG_HAR", &har);
    scratch.isolate(&mut cmd);
    run_editor("emacs", &mut cmd, &scratch)
}
