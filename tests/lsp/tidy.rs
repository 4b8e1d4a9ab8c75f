//! Tidy checks on the sources: the core knows nothing of LSP, the front ends leave redaction to
//! the core, no clippy lint is silenced, the server never prints to stdout, every module says
//! what it is, and every custom LSP extension is documented.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_core_has_no_lsp_types() {
    let mut files = Vec::new();
    rust_files(&root().join("server/src/core"), &mut files);
    assert!(!files.is_empty());
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read");
        for banned in [
            "tower_lsp_server",
            "tower_lsp",
            "ls_types",
            "lsp_types",
            "crate::lsp",
        ] {
            assert!(
                !text.contains(banned),
                "{} mentions {banned}: the core must not know LSP",
                f.display()
            );
        }
    }
}

/// The front ends render the call report of `core::report`, whose `Redactor` hides secrets:
/// they never call the redaction functions themselves.
#[test]
fn the_front_ends_leave_redaction_to_the_core() {
    for dir in ["server/src/lsp", "server/src/cli"] {
        let mut files = Vec::new();
        rust_files(&root().join(dir), &mut files);
        assert!(!files.is_empty(), "{dir}");
        for f in files {
            let text = std::fs::read_to_string(&f).expect("read");
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or_default();
                // `core::redact::f`, `redact::f` after a `use crate::core::redact`, or
                // `redact` in a grouped `use crate::core::{..}`.
                let grouped = code.contains("core::{") && code.contains("redact");
                assert!(
                    !code.contains("redact::") && !grouped,
                    "{}:{}: calls core::redact directly; render the call report \
                     (core::report, its Redactor) instead:\n{line}",
                    f.display(),
                    n + 1
                );
            }
        }
    }
}

/// Lints are fixed, not silenced: no clippy lint in an `allow` (or `expect`) attribute in any of
/// our sources.
#[test]
fn no_clippy_lint_is_allowed() {
    let mut files = Vec::new();
    for dir in ["server/src", "server/benches", "xtask/src", "tests"] {
        rust_files(&root().join(dir), &mut files);
    }
    assert!(files.len() > 50, "{} files", files.len());
    let banned = ["allow(", "clippy::"].concat();
    let expected = ["expect(", "clippy::"].concat();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read");
        for (n, line) in text.lines().enumerate() {
            assert!(
                !line.contains(&banned) && !line.contains(&expected),
                "{}:{}: a clippy lint is silenced; fix what it says instead:\n{line}",
                f.display(),
                n + 1
            );
        }
    }
}

#[test]
fn the_lsp_layer_never_prints_to_stdout_and_documents_its_modules() {
    let mut files = Vec::new();
    rust_files(&root().join("server/src/lsp"), &mut files);
    files.push(root().join("server/src/settings.rs"));
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read");
        for banned in ["println!", "print!(", "std::io::stdout()", "dbg!("] {
            assert!(
                !text.contains(banned),
                "{} uses {banned}: stdout is the protocol",
                f.display()
            );
        }
        assert!(
            text.starts_with("//!"),
            "{} must start with a //! line saying what it is",
            f.display()
        );
        for banned in ["todo!(", "unimplemented!("] {
            assert!(!text.contains(banned), "{} has {banned}", f.display());
        }
    }
}

#[test]
fn every_lsp_extension_is_documented() {
    let doc = std::fs::read_to_string(root().join("docs/lsp-extensions.md"))
        .expect("docs/lsp-extensions.md");
    let server = std::fs::read_to_string(root().join("server/src/lsp/mod.rs")).expect("lsp/mod.rs");
    let commands = std::fs::read_to_string(root().join("server/src/lsp/handlers/commands.rs"))
        .expect("commands.rs");
    let mut names = Vec::new();
    // Every "runlog/..." string literal registered in lsp/mod.rs.
    for part in server.split("\"runlog/").skip(1) {
        names.push(format!(
            "runlog/{}",
            part.split('"').next().unwrap_or_default()
        ));
    }
    for part in commands.split("pub const ").skip(1) {
        if let Some(value) = part.split('"').nth(1) {
            if value.starts_with("runlog.") {
                names.push(value.to_string());
            }
        }
    }
    assert!(names.len() >= 5, "{names:?}");
    for name in names {
        assert!(
            doc.contains(&format!("## `{name}`")),
            "docs/lsp-extensions.md has no section \"## `{name}`\""
        );
    }
}
