//! Why a streamed result is not exactly `analyze`'s, and the notes that say what was not
//! analysed.

use super::analyse::Work;
use super::input::Input;
use super::split::Splitter;
use super::{Located, UnitView, CONTEXT, MAX_UNIT};
use crate::core::model::{Exchange, Finding, FindingKind, Severity, Span};
use std::io::Read;

/// Why a streamed result may differ from `analyze` of the whole text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inexact {
    /// The JSON stops being valid (truncated, a syntax error, a second value after the first).
    Invalid { at: usize },
    /// One unit is over [`MAX_UNIT`]; it was skipped.
    UnitTooLarge { at: usize },
    /// Too much text outside the arrays of calls, or calls outside them.
    Layout(&'static str),
    /// A `runlog.limits.*` limit whose finding depends on the whole text was reached.
    Limit(&'static str),
}

impl Inexact {
    /// Plain words for the user.
    pub fn describe(&self) -> String {
        match self {
            Inexact::Invalid { at } => {
                format!("the JSON stops being valid at byte {at}; calls after that point may be missing")
            }
            Inexact::UnitTooLarge { at } => format!(
                "the record at byte {at} is over {} MB and was skipped",
                MAX_UNIT >> 20
            ),
            Inexact::Layout(why) => format!("its layout cannot be analysed in parts ({why})"),
            Inexact::Limit(why) => format!("a limit was reached ({why})"),
        }
    }
}

impl<L> Splitter<L> {
    pub(super) fn stop(&mut self, why: Inexact) {
        self.inexact.get_or_insert(why);
        self.stopped = true;
    }

    /// The structure breaks at `at`: nothing after it can be cut reliably.
    pub(super) fn broken<R: Read>(
        &mut self,
        input: &mut Input<R>,
        at: usize,
        locate: &mut Option<impl FnMut(&Finding, Option<&Exchange>, &UnitView<'_>) -> L>,
    ) {
        self.stop(Inexact::Invalid { at });
        self.unit = None;
        self.note(
            input,
            at,
            FindingKind::InvalidJson,
            Severity::Error,
            "The JSON stops being valid here: a closing bracket matches nothing; the rest of the file was not analysed".to_string(),
            locate,
        );
    }

    /// A finding about what could not be analysed, located now.
    pub(super) fn note<R: Read>(
        &mut self,
        input: &mut Input<R>,
        at: usize,
        kind: FindingKind,
        severity: Severity,
        message: String,
        locate: &mut Option<impl FnMut(&Finding, Option<&Exchange>, &UnitView<'_>) -> L>,
    ) {
        let Some(locate) = locate.as_mut() else {
            return;
        };
        let finding = Finding::about_text(kind, Span::new(at, at), severity, message);
        let view = input.view(at.saturating_sub(CONTEXT), at + CONTEXT);
        let located = locate(&finding, None, &view);
        self.notes.push(Located {
            finding,
            exchange: None,
            at: located,
        });
    }

    pub(super) fn skip_unit<R: Read>(
        &mut self,
        input: &mut Input<R>,
        work: &mut Work<'_>,
        locate: &mut Option<impl FnMut(&Finding, Option<&Exchange>, &UnitView<'_>) -> L>,
    ) {
        let Some(u) = self.unit.as_mut() else { return };
        u.skipping = true;
        let at = u.start;
        self.skipped(input, work, at, "record", locate);
    }

    pub(super) fn skip_line<R: Read>(
        &mut self,
        input: &mut Input<R>,
        work: &mut Work<'_>,
        at: usize,
        locate: &mut Option<impl FnMut(&Finding, Option<&Exchange>, &UnitView<'_>) -> L>,
    ) {
        self.skipped(input, work, at, "line", locate);
    }

    fn skipped<R: Read>(
        &mut self,
        input: &mut Input<R>,
        work: &mut Work<'_>,
        at: usize,
        what: &str,
        locate: &mut Option<impl FnMut(&Finding, Option<&Exchange>, &UnitView<'_>) -> L>,
    ) {
        // Units before it go first, so positions are computed in text order.
        self.flush_ready(input, work, locate, true);
        self.inexact.get_or_insert(Inexact::UnitTooLarge { at });
        self.note(
            input,
            at,
            FindingKind::LimitReached,
            Severity::Warning,
            format!(
                "This {what} is over {} MB, more than is read at once; it was skipped, not analysed",
                MAX_UNIT >> 20
            ),
            locate,
        );
    }
}
