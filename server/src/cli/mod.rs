//! The command line: `check`, `explain`, `--version`, and the default `--stdio` server.
//!
//! `run` parses the arguments and returns the process exit code; printing happens here and in
//! the format modules, never in the analysis core.

pub mod check;
pub mod concise;
pub mod config;
pub mod github;
pub mod grouped;
pub mod human;
pub mod inputs;
pub mod json;
pub mod output;
pub mod report;
pub mod sarif;
pub mod terminal;

use crate::core::model::AnalysisConfig;
use crate::core::status;
use clap::{Parser, Subcommand, ValueEnum};
use report::FailOn;
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
    /// Print the failing calls found in run logs (exit 0: nothing at or above the fail level,
    /// 1: findings at or above it, 2: the tool could not do its job).
    Check(CheckArgs),
    /// Print what a status code means.
    Explain {
        /// A status code, such as 404.
        code: String,
        /// A `runlog.toml`, or a JSON settings file whose `runlog.statusCodes` overrides the
        /// built-in definitions.
        #[arg(long, value_name = "FILE")]
        config: Option<String>,
    },
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "PATH may be a file, a directory (walked: .gitignore and .ignore honoured, \
hidden folders skipped, only .json .jsonl .ndjson .har .jsonc .log files, those that are not run \
logs skipped silently) or a glob the tool expands itself ('logs/*.har', 'logs/**/*.json'). \
No PATH checks the current folder; - reads standard input.

Settings come from the nearest runlog.toml or .runlog.toml above each log (up to the \
repository root), or from --config FILE.

Exit status: 0 no finding at or above the --fail-on level, 1 findings at or above it, \
2 the tool could not do its job (a path named on the command line cannot be read, a glob \
matches nothing, a bad option or config file). A file named on the command line that is not \
a run log gets a note on stderr and does not change the exit status."
)]
pub struct CheckArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human, env = "RUNLOG_OUTPUT_FORMAT")]
    pub format: OutputFormat,
    /// Write the output to FILE instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output_file: Option<String>,
    /// Group findings by cause (code, explanation with variable parts masked, method and
    /// endpoint): one block per group (sarif is not grouped).
    #[arg(long)]
    pub group: bool,
    /// The lowest severity that makes the exit status 1.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// Exit 0 even when findings fail the run (2 still says the tool failed).
    #[arg(long)]
    pub exit_zero: bool,
    /// Report calls with a status at or above this code (default 400, or the config's
    /// `diagnostics.minimumStatus`).
    #[arg(long, value_name = "N")]
    pub min_status: Option<u16>,
    /// A config file for every log instead of the nearest runlog.toml: TOML (`.toml`, the keys of
    /// runlog.toml), or JSON/JSONC with `runlog.*` keys (a VS Code settings.json works).
    #[arg(long, value_name = "FILE")]
    pub config: Option<String>,
    /// When to colour the output (auto honours NO_COLOR, CLICOLOR_FORCE and TERM=dumb).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Extra key or header names whose values are redacted (repeatable).
    #[arg(long, value_name = "NAME")]
    pub redact: Vec<String>,
    /// The name standard input (`-`) gets in the output, and where its config is looked for.
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,
    /// Files above this many bytes are analysed streaming from disk (tests use it to compare
    /// both paths).
    #[arg(long, value_name = "BYTES", hide = true, default_value_t = check::STREAM_ABOVE)]
    pub stream_above: u64,
    /// Run logs, folders or globs to check (default: `.`; `-` reads standard input).
    #[arg(value_name = "PATH")]
    pub paths: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Human,
    Concise,
    Json,
    Sarif,
    Github,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Said on stderr when the server is started from a terminal: a person, not an editor.
pub const TTY_HINT: &str = "runlog-lsp is a language server: it is waiting for an LSP client on stdin (to check run logs in a terminal, see `runlog-lsp check --help`)";

/// The hint to print before serving LSP, when stdin is a terminal.
pub fn tty_hint(stdin_is_terminal: bool) -> Option<&'static str> {
    stdin_is_terminal.then_some(TTY_HINT)
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
        None => {
            if let Some(hint) = tty_hint(std::io::stdin().is_terminal()) {
                print_err(&format!("{hint}\n"));
            }
            crate::lsp::serve_stdio()
        }
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
    let found = inputs::collect(
        &args.paths,
        args.stdin_filename.as_deref(),
        args.output_file.as_deref().map(std::path::Path::new),
    );
    let configs = match config::resolve(
        &found.inputs,
        &config::Overrides {
            config: args.config.as_deref(),
            min_status: args.min_status,
            redact: &args.redact,
        },
    ) {
        Ok(c) => c,
        Err(e) => {
            print_err(&format!("{e}\n"));
            return 2;
        }
    };
    let mut report = report::check_inputs(&found.inputs, &configs, args.stream_above);
    report.errors.splice(0..0, found.errors);
    report.warnings.splice(0..0, found.warnings);
    let mut stderr = String::new();
    for line in configs
        .warnings
        .iter()
        .chain(&report.warnings)
        .chain(&report.notes)
    {
        stderr.push_str(&format!("{line}\n"));
    }
    for e in &report.errors {
        stderr.push_str(&format!("{e}\n"));
    }
    print_err(&stderr);
    let mut out = match output::Output::open(args.output_file.as_deref(), args.color) {
        Ok(out) => out,
        Err(e) => {
            print_err(&format!("{e}\n"));
            return 2;
        }
    };
    let color = out.color();
    let text = match (args.format, args.group) {
        (OutputFormat::Human, false) => human::render(&report, color),
        (OutputFormat::Concise, false) => concise::render(&report, color),
        (OutputFormat::Json, false) => json::render(&report),
        (OutputFormat::Github, false) => github::render(&report),
        (OutputFormat::Sarif, _) => sarif::render(&report),
        (format, true) => {
            let groups = grouped::build(&report);
            match format {
                OutputFormat::Concise => grouped::render_concise(&report, &groups, color),
                OutputFormat::Json => grouped::render_json(&report, &groups),
                OutputFormat::Github => github::render_groups(&report, &groups),
                _ => grouped::render_human(&report, &groups, color),
            }
        }
    };
    if let Err(e) = out.write(&text) {
        print_err(&format!("{e}\n"));
        return 2;
    }
    report.exit_code(args.fail_on, args.exit_zero)
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
        crate::core::model::StatusSource::Guide => {
            "runlog's debugging guide (what the code means for an integration)"
        }
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

/// `runlog-lsp explain CODE [--config FILE]`.
pub fn explain_with(code: &str, config: Option<&str>) -> i32 {
    let overrides = match config.map(config::read_named) {
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
