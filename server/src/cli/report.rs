//! Checks every input on every core (`rayon`) and gathers what `check` prints: the records in
//! order (path, then position), the paths that could not be checked, the notes for files named
//! on the command line that are not run logs, and the exit code's rule.

use super::check::{check_path, is_not_a_run_log, PathError, Record};
use super::config::Configs;
use super::inputs::Input;
use super::terminal::inert;
use crate::core::model::{FindingKind, Severity};
use rayon::prelude::*;

/// Everything `check` found across its inputs.
#[derive(Debug, Default)]
pub struct Report {
    pub records: Vec<Record>,
    /// Paths the tool could not check (exit 2).
    pub errors: Vec<PathError>,
    /// One-line notes for stderr that change nothing (a named file that is not a run log).
    pub notes: Vec<String>,
    /// Warnings for stderr that change nothing (a file found by walking that cannot be read).
    pub warnings: Vec<String>,
    /// Inputs that were analysed as run logs.
    pub checked: usize,
}

/// The lowest severity that fails the run (`--fail-on`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
}

impl FailOn {
    fn includes(self, severity: Severity) -> bool {
        let floor = match self {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Information,
        };
        severity <= floor
    }
}

impl Report {
    /// 2 when the tool could not do its job; else 1 when a finding is at or above `fail_on`
    /// (never with `exit_zero`); else 0.
    pub fn exit_code(&self, fail_on: FailOn, exit_zero: bool) -> i32 {
        if !self.errors.is_empty() {
            2
        } else if !exit_zero && self.records.iter().any(|r| fail_on.includes(r.severity)) {
            1
        } else {
            0
        }
    }

    /// Failing calls, notes (a 2xx whose body reports an error) and other findings.
    pub fn counts(&self) -> (usize, usize, usize) {
        let calls = self
            .records
            .iter()
            .filter(|r| r.kind.is_failing_call())
            .count();
        let notes = self
            .records
            .iter()
            .filter(|r| r.kind == FindingKind::ErrorInSuccessfulCall)
            .count();
        (calls, notes, self.records.len() - calls - notes)
    }
}

/// What checking one path gave: its records, `None` when it is not a run log, or why it could
/// not be read.
type Checked = Result<Option<Vec<Record>>, String>;

/// Checks the inputs in parallel; the report keeps their order.
pub fn check_inputs(inputs: &[Input], configs: &Configs, stream_above: u64) -> Report {
    let results: Vec<(&Input, Checked)> = inputs
        .par_iter()
        .enumerate()
        .map(|(i, input)| {
            let config = &configs.configs[configs.of_input.get(i).copied().unwrap_or(0)];
            let path = match &input.file {
                Some(p) => p.to_string_lossy().into_owned(),
                None => "-".to_string(),
            };
            (
                input,
                check_path(&path, &input.display, config, stream_above),
            )
        })
        .collect();
    let mut report = Report::default();
    for (input, result) in results {
        match result {
            Ok(Some(records)) => {
                report.checked += 1;
                report.records.extend(records);
            }
            Ok(None) => not_a_log(&mut report, input, "no HTTP status fields found"),
            Err(reason) if is_not_a_run_log(&reason) => {
                let why = reason
                    .trim_end_matches("not a run log")
                    .trim_end_matches([',', ' ']);
                not_a_log(&mut report, input, why);
            }
            Err(reason) if input.explicit => report.errors.push(PathError {
                path: input.display.clone(),
                reason,
            }),
            Err(reason) => report
                .warnings
                .push(format!("warning: {}: {reason}", inert(&input.display))),
        }
    }
    report
}

/// A file that is not a run log: a note when it was named, nothing when it was found.
fn not_a_log(report: &mut Report, input: &Input, why: &str) {
    if input.explicit {
        report.notes.push(format!(
            "note: {}: not a run log ({why}), skipped",
            inert(&input.display)
        ));
    }
}

/// The finding's code: the status (`"400"`), or `invalid-json`, `limit-reached`.
pub fn record_code(r: &Record) -> String {
    crate::core::groups::code(r.status, r.kind)
}

/// The severity as `concise` and `github` print it.
pub fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Information => "info",
        Severity::Hint => "hint",
    }
}
