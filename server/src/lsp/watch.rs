//! Run logs on disk (`runlog.files.watch`): finding the files that match the globs under the
//! workspace roots, bounded, and opening them (read whole up to the size limit, streamed above). Blocking: call from
//! `spawn_blocking`.

use globset::{Glob, GlobSet, GlobSetBuilder};
use std::path::{Path, PathBuf};

/// At most this many directory entries are looked at per scan.
const MAX_ENTRIES: usize = 200_000;
const MAX_DEPTH: usize = 32;
/// Directories never worth walking.
const SKIP_DIRS: &[&str] = &[".git", "node_modules", "target", ".hg", ".svn"];

/// Compiled globs; invalid globs are reported and skipped.
#[derive(Debug, Clone)]
pub struct Watch {
    set: GlobSet,
    pub patterns: Vec<String>,
}

impl Watch {
    pub fn new(patterns: &[String]) -> (Watch, Vec<String>) {
        let mut builder = GlobSetBuilder::new();
        let mut errors = Vec::new();
        let mut kept = Vec::new();
        for p in patterns {
            match Glob::new(p) {
                Ok(g) => {
                    builder.add(g);
                    kept.push(p.clone());
                }
                Err(e) => errors.push(format!("runlog.files.watch: invalid glob {p:?}: {e}")),
            }
        }
        let set = builder.build().unwrap_or_else(|_| GlobSet::empty());
        (
            Watch {
                set,
                patterns: kept,
            },
            errors,
        )
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// True when `path` matches a glob, relative to one of `roots` or as an absolute path.
    pub fn matches(&self, path: &Path, roots: &[PathBuf]) -> bool {
        if self.set.is_match(path) {
            return true;
        }
        roots.iter().any(|root| {
            path.strip_prefix(root)
                .is_ok_and(|rel| self.set.is_match(rel))
        })
    }

    /// Every matching file under the roots (bounded walk, no symlinked directories).
    pub fn scan(&self, roots: &[PathBuf]) -> Vec<PathBuf> {
        let mut out = Vec::new();
        if self.is_empty() {
            return out;
        }
        let mut seen = 0usize;
        for root in roots {
            let mut stack = vec![(root.clone(), 0usize)];
            while let Some((dir, depth)) = stack.pop() {
                let Ok(entries) = std::fs::read_dir(&dir) else {
                    continue;
                };
                for entry in entries.flatten() {
                    seen += 1;
                    if seen > MAX_ENTRIES {
                        return out;
                    }
                    let path = entry.path();
                    let Ok(kind) = entry.file_type() else {
                        continue;
                    };
                    if kind.is_dir() {
                        let name = entry.file_name();
                        if depth < MAX_DEPTH && !SKIP_DIRS.iter().any(|s| name == *s) {
                            stack.push((path, depth + 1));
                        }
                    } else if kind.is_file() && self.matches(&path, roots) {
                        out.push(path);
                    }
                }
            }
        }
        out.sort();
        out
    }
}

/// A watched file, opened.
#[derive(Debug)]
pub enum Disk {
    /// At most `runlog.maxFileSize`: read whole (invalid UTF-8 replaced).
    Text(String),
    /// Larger: to be analysed streaming (`core::stream`); its size in bytes.
    Large(std::fs::File, u64),
}

/// Opens a watched file: files over `max_size` bytes are not read here but handed over open.
pub fn open(path: &Path, max_size: u64) -> std::io::Result<Disk> {
    let meta = std::fs::metadata(path)?;
    if meta.len() > max_size {
        return Ok(Disk::Large(std::fs::File::open(path)?, meta.len()));
    }
    let bytes = std::fs::read(path)?;
    Ok(Disk::Text(String::from_utf8(bytes).unwrap_or_else(|e| {
        String::from_utf8_lossy(e.as_bytes()).into_owned()
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_globs_match_under_roots() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("logs/a")).expect("mkdir");
        std::fs::write(dir.path().join("logs/a/run.json"), "{}").expect("write");
        std::fs::write(dir.path().join("other.json"), "{}").expect("write");
        let (w, errors) = Watch::new(&["logs/**/*.json".to_string(), "[".to_string()]);
        assert_eq!(errors.len(), 1);
        let found = w.scan(&[dir.path().to_path_buf()]);
        assert_eq!(found, vec![dir.path().join("logs/a/run.json")]);
    }
}
