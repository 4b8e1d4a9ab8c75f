//! The settings each log is checked with: `--config FILE` for every log when given (TOML by its
//! `.toml` extension, else a VS Code-style JSON/JSONC settings file), else the nearest
//! `runlog.toml` / `.runlog.toml` above the log (`crate::config_file`), else the defaults;
//! then `--min-status` and `--redact` on top.

use super::inputs::Input;
use super::terminal::inert;
use crate::config_file;
use crate::core::model::AnalysisConfig;
use crate::settings::Settings;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The distinct configurations, and which one each input uses.
#[derive(Debug)]
pub struct Configs {
    pub configs: Vec<AnalysisConfig>,
    /// Parallel to the inputs: an index into `configs`.
    pub of_input: Vec<usize>,
    /// Warnings for stderr (ignored values of a JSON settings file).
    pub warnings: Vec<String>,
}

/// What the command line says about settings.
pub struct Overrides<'a> {
    pub config: Option<&'a str>,
    pub min_status: Option<u16>,
    pub redact: &'a [String],
}

/// Resolves the configuration of every input; `Err` is a message for stderr (exit 2).
pub fn resolve(inputs: &[Input], o: &Overrides<'_>) -> Result<Configs, String> {
    let apply = |mut c: AnalysisConfig| {
        if let Some(n) = o.min_status {
            c.minimum_status = n;
        }
        c.redact.extend(o.redact.iter().cloned());
        c
    };
    if let Some(path) = o.config {
        let (config, warnings) = read_named(path)?;
        return Ok(Configs {
            configs: vec![apply(config)],
            of_input: vec![0; inputs.len()],
            warnings,
        });
    }
    let mut configs = vec![apply(AnalysisConfig::default())];
    let mut by_file: HashMap<PathBuf, usize> = HashMap::new();
    let mut by_dir: HashMap<PathBuf, Option<PathBuf>> = HashMap::new();
    let mut of_input = Vec::with_capacity(inputs.len());
    for input in inputs {
        let dir = input_dir(input);
        let found = by_dir
            .entry(dir.clone())
            .or_insert_with(|| config_file::find_config(&dir))
            .clone();
        let index = match found {
            None => 0,
            Some(file) => match by_file.get(&file) {
                Some(&i) => i,
                None => {
                    let settings = config_file::load_onto(&file, cli_base())
                        .map_err(|e| format!("error: {}", inert(&e.to_string())))?;
                    configs.push(apply(settings.analysis));
                    by_file.insert(file, configs.len() - 1);
                    configs.len() - 1
                }
            },
        };
        of_input.push(index);
    }
    Ok(Configs {
        configs,
        of_input,
        warnings: Vec::new(),
    })
}

/// The settings a config file is read over: the command line's own limits (no time budget,
/// 10 000 findings per file) unless the file sets them.
fn cli_base() -> Settings {
    Settings {
        analysis: AnalysisConfig::default(),
        ..Settings::default()
    }
}

/// The folder whose config applies to an input (standard input: its `--stdin-filename`'s, else
/// the working directory), absolute so that the search can go upwards.
fn input_dir(input: &Input) -> PathBuf {
    let named = input
        .file
        .clone()
        .unwrap_or_else(|| PathBuf::from(&input.display));
    let dir = named
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    std::path::absolute(&dir).unwrap_or(dir)
}

/// Reads `--config FILE`: TOML (`runlog.toml` keys) by extension, else JSON/JSONC settings.
pub fn read_named(path: &str) -> Result<(AnalysisConfig, Vec<String>), String> {
    if Path::new(path)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
    {
        return config_file::load_onto(Path::new(path), cli_base())
            .map(|s| (s.analysis, Vec::new()))
            .map_err(|e| format!("error: {}", inert(&e.to_string())));
    }
    super::read_config(path)
}
