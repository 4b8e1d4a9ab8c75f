//! End-to-end tests of `runlog-lsp check` / `explain` / `--version`: they run the built binary.
