//! End-to-end LSP tests: they start the built `runlog-lsp` and speak LSP over stdio like an editor.
