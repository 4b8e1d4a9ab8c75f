//! Project config files (`runlog.toml`, `.runlog.toml`) for the documents of a session: the one
//! that applies to a document is found from its folder upwards (see `config_file::find_config`),
//! read once, and kept until a watched config file changes. The editor's settings are laid over
//! it (`Settings::overlaid`). An invalid file is said once, and the editor's settings apply.

use crate::config_file;
use crate::settings::Settings;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tower_lsp_server::ls_types::Uri;

/// The glob patterns that watch config files, for the client's file watchers.
pub const WATCH_PATTERNS: [&str; 2] = ["**/runlog.toml", "**/.runlog.toml"];

#[derive(Default)]
pub struct ProjectConfigs {
    cache: Mutex<Cache>,
}

#[derive(Default)]
struct Cache {
    /// The config file that applies to the documents of a folder (`None`: none does).
    by_dir: HashMap<PathBuf, Option<PathBuf>>,
    /// Each config file read: its settings over the defaults, or `None` when it is invalid.
    files: HashMap<PathBuf, Option<Arc<Settings>>>,
}

/// Settings for one document, and what to tell the user about its config file (once).
pub struct Resolved {
    pub settings: Arc<Settings>,
    pub warning: Option<String>,
}

impl ProjectConfigs {
    /// The settings of the document at `uri`: `editor` over its project file's. Reads the disk
    /// the first time a folder or file is seen: call it from a blocking task.
    pub fn resolve(&self, uri: &Uri, editor: Arc<Settings>) -> Resolved {
        let plain = |settings| Resolved {
            settings,
            warning: None,
        };
        let Some(dir) = uri
            .to_file_path()
            .and_then(|p| p.parent().map(Path::to_path_buf))
        else {
            return plain(editor);
        };
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        let config = cache
            .by_dir
            .entry(dir.clone())
            .or_insert_with(|| config_file::find_config(&dir))
            .clone();
        let Some(config) = config else {
            return plain(editor);
        };
        let mut warning = None;
        let project = cache
            .files
            .entry(config.clone())
            .or_insert_with(|| match config_file::load(&config) {
                Ok(settings) => Some(Arc::new(settings)),
                Err(e) => {
                    warning = Some(format!("{e}; the editor's settings are used instead"));
                    None
                }
            })
            .clone();
        Resolved {
            settings: match project {
                Some(project) => Arc::new(Settings::overlaid(&project, &editor)),
                None => editor,
            },
            warning,
        }
    }

    /// Forgets every folder and file read: a config file was created, changed or deleted.
    pub fn clear(&self) {
        *self.cache.lock().unwrap_or_else(|p| p.into_inner()) = Cache::default();
    }
}

/// True for a path named like a config file.
pub fn is_config_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| config_file::NAMES.contains(&n))
}
