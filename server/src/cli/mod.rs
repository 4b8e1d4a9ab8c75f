//! The command line: `check`, `explain`, `--version`, and the default `--stdio` server.
//!
//! `run` parses the arguments and returns the process exit code; printing happens here and in
//! the format modules, never in the analysis core.

pub mod check;
pub mod human;
pub mod json;
pub mod sarif;
pub mod terminal;

use crate::core::model::AnalysisConfig;
use crate::core::status;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};

#[derive(Debug, Parser)]
#[command(
    name = "runlog-lsp",
    version,
    about = "A language server (and checker) that explains failed HTTP calls in run logs",
    long_about = "With no command, or with --stdio, runlog-lsp speaks the Language Server Protocol over stdin/stdout."
)]
pub struct Cli {
    /// Speak LSP over stdin/stdout (the default).
    #[arg(long)]
    pub stdio: bool,
    /// Accepted for LSP clients that pass the editor's process id; the server reads it from
    /// `initialize` instead.
    #[arg(long = "clientProcessId", alias = "client-process-id", hide = true)]
    pub client_process_id: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the failing calls found in run logs (exit 0: none, 1: found, 2: a path could not be
    /// read or is not a run log).
    Check(CheckArgs),
    /// Print what a status code means.
    Explain {
        /// A status code, such as 404.
        code: String,
        /// A settings file whose `runlog.statusCodes` overrides the built-in definitions.
        #[arg(long, value_name = "FILE")]
        config: Option<String>,
    },
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
    /// Report calls with a status at or above this code (default 400, or the config's
    /// `runlog.diagnostics.minimumStatus`).
    #[arg(long, value_name = "N")]
    pub min_status: Option<u16>,
    /// A JSON/JSONC settings file with `runlog.*` keys (a VS Code settings.json works):
    /// `runlog.statusCodes`, `runlog.diagnostics.severity`, `runlog.diagnostics.minimumStatus`,
    /// `runlog.redact`.
    #[arg(long, value_name = "FILE")]
    pub config: Option<String>,
    /// When to colour `human` output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Extra key or header names whose values are redacted (repeatable).
    #[arg(long, value_name = "NAME")]
    pub redact: Vec<String>,
    /// Files above this many bytes are analysed streaming from disk (tests use it to compare
    /// both paths).
    #[arg(long, value_name = "BYTES", hide = true, default_value_t = check::STREAM_ABOVE)]
    pub stream_above: u64,
    /// Run logs to check (`-` reads standard input).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Human,
    Json,
    Sarif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Parses the process arguments and runs; returns the exit code.
pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help / --version print to stdout and exit 0; usage errors exit 2.
            let _ = e.print();
            return e.exit_code();
        }
    };
    match cli.command {
        None => crate::lsp::serve_stdio(),
        Some(Command::Explain { code, config }) => explain_with(&code, config.as_deref()),
        Some(Command::Check(args)) => check(&args),
    }
}

/// Writes to stdout; a closed pipe (`| head`) is not an error worth a panic.
fn print_out(text: &str) {
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    let _ = lock.write_all(text.as_bytes());
    let _ = lock.flush();
}

fn print_err(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// Whether to colour stdout: only a terminal, and never with `NO_COLOR` set.
fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

/// Converts a JSONC value to serde_json, depth-bounded (settings files are shallow).
fn jsonc_to_serde(value: jsonc_parser::JsonValue<'_>, depth: usize) -> serde_json::Value {
    use jsonc_parser::JsonValue as J;
    use serde_json::Value as V;
    match value {
        _ if depth > 64 => V::Null,
        J::Null => V::Null,
        J::Boolean(b) => V::Bool(b),
        J::String(s) => V::String(s.into_owned()),
        J::Number(n) => serde_json::from_str(n).unwrap_or(V::Null),
        J::Array(items) => V::Array(
            items
                .into_iter()
                .map(|v| jsonc_to_serde(v, depth + 1))
                .collect(),
        ),
        J::Object(map) => V::Object(
            map.into_iter()
                .map(|(k, v)| (k.into_owned(), jsonc_to_serde(v, depth + 1)))
                .collect(),
        ),
    }
}

/// Reads `--config`: the analysis settings, and warnings for stderr.
pub fn read_config(path: &str) -> Result<(AnalysisConfig, Vec<String>), String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("error: {}: could not be read: {e}", terminal::inert(path)))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let value = jsonc_parser::parse_to_value(text, &Default::default())
        .map_err(|e| format!("error: {}: not valid JSON: {e}", terminal::inert(path)))?
        .map(|v| jsonc_to_serde(v, 0))
        .unwrap_or(serde_json::Value::Null);
    let (settings, warnings) = crate::settings::Settings::from_json(&value);
    Ok((
        settings.analysis,
        warnings
            .into_iter()
            .map(|w| format!("warning: {}: {w}", terminal::inert(path)))
            .collect(),
    ))
}

/// `runlog-lsp check`.
pub fn check(args: &CheckArgs) -> i32 {
    let mut config = AnalysisConfig::default();
    if let Some(path) = &args.config {
        match read_config(path) {
            Ok((c, warnings)) => {
                config = c;
                for w in warnings {
                    print_err(&format!("{w}\n"));
                }
            }
            Err(e) => {
                print_err(&format!("{e}\n"));
                return 2;
            }
        }
    }
    if let Some(n) = args.min_status {
        config.minimum_status = n;
    }
    config.redact.extend(args.redact.iter().cloned());
    let report = check::check_paths(&args.paths, &config, args.stream_above);
    let mut errors = String::new();
    for e in &report.errors {
        errors.push_str(&format!("{e}\n"));
    }
    print_err(&errors);
    let out = match args.format {
        OutputFormat::Human => human::render(&report, use_color(args.color)),
        OutputFormat::Json => json::render(&report),
        OutputFormat::Sarif => sarif::render(&report),
    };
    print_out(&out);
    report.exit_code()
}

/// The text `explain` prints for a code.
pub fn explain_text(code: u16) -> String {
    explain_text_with(code, &Default::default())
}

/// The text `explain` prints for a code, with user definitions.
pub fn explain_text_with(
    code: u16,
    overrides: &std::collections::BTreeMap<u16, crate::core::model::StatusOverride>,
) -> String {
    let info = status::lookup(code, overrides);
    let class = if info.class == 0 {
        "outside 1xx-5xx (non-standard)".to_string()
    } else {
        format!("{}xx {}", info.class, status::class_name(info.class))
    };
    let source = match info.source {
        crate::core::model::StatusSource::Guide => "the seed's definition (how to debug an error)",
        crate::core::model::StatusSource::Iana => "IANA HTTP status code registry",
        crate::core::model::StatusSource::Vendor => "well-known vendor code (non-standard)",
        crate::core::model::StatusSource::Unknown => "not a known code",
        crate::core::model::StatusSource::User => "user definition",
    };
    let mut s = format!(
        "{} {}\n\n{}\n\nclass:  {class}\nsource: {source}\n",
        info.code, info.reason, info.definition
    );
    if let Some(mdn) = &info.mdn {
        s.push_str(&format!("MDN:    {mdn}\n"));
    }
    s
}

/// `runlog-lsp explain CODE`.
pub fn explain(code: &str) -> i32 {
    explain_with(code, None)
}

/// `runlog-lsp explain CODE [--config FILE]`.
pub fn explain_with(code: &str, config: Option<&str>) -> i32 {
    let overrides = match config.map(read_config) {
        None => Default::default(),
        Some(Ok((c, warnings))) => {
            for w in warnings {
                print_err(&format!("{w}\n"));
            }
            c.status_codes
        }
        Some(Err(e)) => {
            print_err(&format!("{e}\n"));
            return 2;
        }
    };
    match code.trim().parse::<u16>() {
        Ok(n) => {
            print_out(&explain_text_with(n, &overrides));
            0
        }
        Err(_) => {
            print_err(&format!(
                "error: {}: not a status code (expected a number such as 404)\n",
                terminal::inert(code)
            ));
            2
        }
    }
}
