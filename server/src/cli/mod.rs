//! The command line: `check`, `explain`, `--version`, and the default `--stdio` server.
