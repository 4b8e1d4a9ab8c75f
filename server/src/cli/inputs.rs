//! What `check` reads: the PATH arguments turned into files. A file is checked as named; a
//! directory is walked (`.gitignore`/`.ignore` honoured even outside a git repository, hidden
//! files and folders skipped, only files whose extension a run log has: see [`CANDIDATE_EXTENSIONS`]);
//! a glob is expanded by the tool (so a quoted `'logs/*.har'` works in every shell) under the
//! same walking rules; `-` is standard input.

use super::check::PathError;
use globset::GlobBuilder;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Extensions of the files a directory walk checks: what run logs are saved as (JSON, JSON
/// Lines, HAR, JSONC) and `.log` (JSON Lines logs often are). Other files are never opened.
pub const CANDIDATE_EXTENSIONS: &[&str] = &["json", "jsonl", "ndjson", "har", "jsonc", "log"];

/// One thing to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// `None` for standard input.
    pub file: Option<PathBuf>,
    /// How the output names it.
    pub display: String,
    /// Named on the command line (a file, or `-`), not found by walking or a glob: then a
    /// read failure is an error and a file that is not a run log gets a note.
    pub explicit: bool,
}

/// The inputs in output order (by path), and the arguments that named nothing.
#[derive(Debug, Default)]
pub struct Inputs {
    pub inputs: Vec<Input>,
    pub errors: Vec<PathError>,
    /// Folders the walk could not enter, and the like: said, but the run goes on.
    pub warnings: Vec<String>,
}

/// Expands the PATH arguments (`.` when there are none). `stdin_name` names `-` in the output;
/// `exclude` is a file never to read (the output file).
pub fn collect(args: &[String], stdin_name: Option<&str>, exclude: Option<&Path>) -> Inputs {
    let mut out = Inputs::default();
    // One input per file, however it was named (a folder, a glob, relative, absolute).
    let mut found: BTreeMap<PathBuf, Input> = BTreeMap::new();
    let mut add = |input: Input| {
        let identity = match &input.file {
            Some(p) => std::fs::canonicalize(p)
                .or_else(|_| std::path::absolute(p))
                .unwrap_or_else(|_| p.clone()),
            None => PathBuf::from("-"),
        };
        found
            .entry(identity)
            .and_modify(|i| i.explicit |= input.explicit)
            .or_insert(input);
    };
    let default = [".".to_string()];
    let args = if args.is_empty() { &default[..] } else { args };
    let excluded = exclude.and_then(|p| std::path::absolute(p).ok());
    let skip = |p: &Path| {
        excluded.as_ref().is_some_and(|x| {
            p.file_name() == x.file_name() && std::path::absolute(p).ok().as_ref() == Some(x)
        })
    };
    for arg in args {
        if arg == "-" {
            add(Input {
                file: None,
                display: stdin_name.unwrap_or("<stdin>").to_string(),
                explicit: true,
            });
            continue;
        }
        let path = Path::new(arg);
        if path.is_dir() {
            walk(path, None, &mut out.warnings, &mut |p| {
                if has_candidate_extension(p) && !skip(p) {
                    add(walked(p));
                }
            });
        } else if !path.exists() && is_glob(arg) {
            match expand_glob(arg, &mut out.warnings, &skip) {
                Ok(files) if files.is_empty() => out.errors.push(PathError {
                    path: arg.clone(),
                    reason: "no file matches this pattern".to_string(),
                }),
                Ok(files) => files.into_iter().for_each(&mut add),
                Err(reason) => out.errors.push(PathError {
                    path: arg.clone(),
                    reason,
                }),
            }
        } else {
            // A file, or a path that cannot be read: `check` says why.
            add(Input {
                file: Some(path.to_path_buf()),
                display: display(path),
                explicit: true,
            });
        }
    }
    out.inputs = found.into_values().collect();
    out.inputs.sort_by(|a, b| a.display.cmp(&b.display));
    out
}

fn walked(p: &Path) -> Input {
    Input {
        file: Some(p.to_path_buf()),
        display: display(p),
        explicit: false,
    }
}

/// The path as printed: as given, without a leading `./`, with `/` separators.
fn display(p: &Path) -> String {
    let s = p.to_string_lossy().replace('\\', "/");
    let mut s = s.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    s.to_string()
}

fn has_candidate_extension(p: &Path) -> bool {
    p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        CANDIDATE_EXTENSIONS
            .iter()
            .any(|c| e.eq_ignore_ascii_case(c))
    })
}

fn is_glob(arg: &str) -> bool {
    arg.contains(['*', '?', '[', '{'])
}

/// Walks `root` under the ignore rules, calling `f` with every file.
fn walk(
    root: &Path,
    max_depth: Option<usize>,
    warnings: &mut Vec<String>,
    f: &mut dyn FnMut(&Path),
) {
    let walker = ignore::WalkBuilder::new(root)
        .hidden(true)
        .git_ignore(true)
        .ignore(true)
        .require_git(false)
        .max_depth(max_depth)
        .build();
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_some_and(|t| t.is_file()) => f(e.path()),
            Ok(_) => {}
            Err(e) => warnings.push(format!(
                "warning: {}",
                super::terminal::inert(&e.to_string())
            )),
        }
    }
}

/// The files a glob matches: the folder before its first wildcard is walked (as a directory
/// is), each file's path matched against the whole pattern (`*` stays within one folder, `**`
/// crosses folders).
fn expand_glob(
    pattern: &str,
    warnings: &mut Vec<String>,
    skip: &dyn Fn(&Path) -> bool,
) -> Result<Vec<Input>, String> {
    let normalized = display(Path::new(pattern));
    let matcher = GlobBuilder::new(&normalized)
        .literal_separator(true)
        .build()
        .map_err(|e| format!("not a valid pattern: {}", e.kind()))?
        .compile_matcher();
    let parts: Vec<&str> = normalized.split('/').collect();
    let literal = parts.iter().take_while(|p| !is_glob(p)).count();
    let base = if literal == 0 {
        ".".to_string()
    } else if normalized.starts_with('/') && literal == 1 {
        "/".to_string()
    } else {
        parts[..literal].join("/")
    };
    let depth = (!normalized.contains("**")).then_some(parts.len() - literal);
    let mut files = Vec::new();
    walk(Path::new(&base), depth, warnings, &mut |p| {
        if matcher.is_match(display(p)) && !skip(p) {
            files.push(walked(p));
        }
    });
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(inputs: &Inputs, root: &Path) -> Vec<String> {
        let root = display(root);
        inputs
            .inputs
            .iter()
            .map(|i| {
                i.display
                    .strip_prefix(&format!("{root}/"))
                    .unwrap_or(&i.display)
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn walks_folders_under_the_ignore_rules_and_expands_globs() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        for f in [
            "a.json",
            "logs/b.har",
            "logs/c.jsonl",
            "logs/readme.md",
            "logs/deep/d.ndjson",
            "logs/ignored.json",
            ".hidden/e.json",
            "logs/.f.json",
        ] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("dirs");
            std::fs::write(&p, "{}").expect("file");
        }
        std::fs::write(root.join(".gitignore"), "ignored.json\n").expect("gitignore");
        let r = root.to_string_lossy().into_owned();
        let all = collect(std::slice::from_ref(&r), None, None);
        assert_eq!(
            names(&all, root),
            vec!["a.json", "logs/b.har", "logs/c.jsonl", "logs/deep/d.ndjson"]
        );
        assert!(all.inputs.iter().all(|i| !i.explicit));

        let glob = collect(
            &[format!("{r}/logs/*.har"), format!("{r}/logs/*.md")],
            None,
            None,
        );
        assert_eq!(names(&glob, root), vec!["logs/b.har", "logs/readme.md"]);
        let deep = collect(&[format!("{r}/**/*.ndjson")], None, None);
        assert_eq!(names(&deep, root), vec!["logs/deep/d.ndjson"]);
        let none = collect(&[format!("{r}/*.har")], None, None);
        assert!(none.inputs.is_empty());
        assert_eq!(none.errors.len(), 1);

        // Named twice (a folder and a file in it): once, and explicit.
        let twice = collect(
            &[r.clone(), format!("{r}/a.json")],
            None,
            Some(&root.join("logs/b.har")),
        );
        assert_eq!(
            names(&twice, root),
            vec!["a.json", "logs/c.jsonl", "logs/deep/d.ndjson"],
            "the output file is never read"
        );
        assert!(twice.inputs[0].explicit);

        let stdin = collect(&["-".to_string()], Some("from-ci.json"), None);
        assert_eq!(stdin.inputs[0].display, "from-ci.json");
        assert_eq!(stdin.inputs[0].file, None);
    }
}
