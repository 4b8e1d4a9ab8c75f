//! Open documents as ropes with their versions, and the analysed snapshots requests read:
//! (text, line index, analysis, settings) of one revision, immutable and shared.

use crate::core::groups::Group;
use crate::core::line_index::{Encoding, LineIndex, LongLines};
use crate::core::model::{Analysis, Span};
use crate::settings::Settings;
use ropey::Rope;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::watch;
use tower_lsp_server::ls_types::{
    Diagnostic, Position, Range, TextDocumentContentChangeEvent, Uri,
};

use super::{from_lsp, to_lsp};

/// One analysed revision of a document. Requests answer from it, never from the live rope.
#[derive(Debug)]
pub struct Snapshot {
    pub uri: Uri,
    /// The client's version (None for files read from disk).
    pub version: Option<i32>,
    /// Our own counter: bumped by every change and every settings change.
    pub revision: u64,
    pub text: Arc<String>,
    pub index: LineIndex,
    pub analysis: Analysis,
    pub settings: Arc<Settings>,
    pub encoding: Encoding,
    /// Column checkpoints of long lines (see `core::line_index::LongLines`).
    pub long_lines: LongLines,
    /// The failing calls grouped by cause (indexes into `analysis.findings`), computed on first
    /// use (the lens, its hover and `runlog/failures` share it).
    failures: std::sync::OnceLock<Vec<Group<usize>>>,
    /// The findings as LSP diagnostics, made once: the analysis publishes them, and a pulled
    /// report (asked for after every edit) hands out the same.
    diagnostics: std::sync::OnceLock<Vec<Diagnostic>>,
}

/// One revision's parts, named where they are made: what `Snapshot::new` indexes.
#[derive(Debug)]
pub struct SnapshotParts {
    pub uri: Uri,
    /// The client's version (None for files read from disk).
    pub version: Option<i32>,
    /// Our own counter (see `Snapshot::revision`).
    pub revision: u64,
    pub text: Arc<String>,
    pub analysis: Analysis,
    pub settings: Arc<Settings>,
    /// The position encoding the indexes are built for.
    pub encoding: Encoding,
}

impl Snapshot {
    /// A snapshot of `text` and its analysis, with the position indexes built for `encoding`.
    pub fn new(parts: SnapshotParts) -> Snapshot {
        let SnapshotParts {
            uri,
            version,
            revision,
            text,
            analysis,
            settings,
            encoding,
        } = parts;
        let index = LineIndex::new(&text);
        let long_lines = LongLines::new(&text, &index, encoding);
        Snapshot {
            uri,
            version,
            revision,
            text,
            index,
            analysis,
            settings,
            encoding,
            long_lines,
            failures: std::sync::OnceLock::new(),
            diagnostics: std::sync::OnceLock::new(),
        }
    }

    /// The snapshot's diagnostics (`handlers::diagnostics`), computed once.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        self.diagnostics
            .get_or_init(|| super::handlers::diagnostics::diagnostics(self))
    }

    /// The failing calls grouped by cause (`core::groups::failures`), computed once.
    pub fn failures(&self) -> &[Group<usize>] {
        self.failures
            .get_or_init(|| crate::core::groups::failures(&self.analysis))
    }

    pub fn range(&self, span: Span) -> Range {
        Range {
            start: self.position(span.start),
            end: self.position(span.end),
        }
    }
    pub fn position(&self, offset: usize) -> Position {
        to_lsp::checkpointed_position(
            &self.text,
            &self.index,
            &self.long_lines,
            offset,
            self.encoding,
        )
    }
    pub fn offset(&self, pos: Position) -> usize {
        to_lsp::checkpointed_offset(
            &self.text,
            &self.index,
            &self.long_lines,
            pos,
            self.encoding,
        )
    }
    pub fn span(&self, range: Range) -> Span {
        from_lsp::span(&self.text, &self.index, range, self.encoding)
    }
}

/// A document's live text. Logs are mostly read, not edited: the text of `didOpen` (or of a
/// change that replaces it all) is kept as it came and shared with the snapshots analysed from
/// it; the rope that edits apply to is built at the first ranged change.
#[derive(Debug, Default)]
pub struct LiveText {
    whole: Option<Arc<String>>,
    /// The text when `whole` is `None`.
    rope: Rope,
}

impl LiveText {
    pub fn new(text: String) -> LiveText {
        LiveText {
            whole: Some(Arc::new(text)),
            rope: Rope::new(),
        }
    }

    /// The current text: shared while unedited, else copied out of the rope.
    pub fn current(&self) -> Arc<String> {
        match &self.whole {
            Some(text) => text.clone(),
            // Chunk by chunk into one allocation: `to_string` formats through `Display` and
            // grows its buffer as it goes (a fifth of an edit's time on a 10 MB log).
            None => {
                let mut text = String::with_capacity(self.rope.len_bytes());
                self.rope.chunks().for_each(|chunk| text.push_str(chunk));
                Arc::new(text)
            }
        }
    }

    fn replace(&mut self, text: String) {
        *self = LiveText::new(text);
    }

    /// The rope to edit, built from the shared text the first time.
    fn rope_mut(&mut self) -> &mut Rope {
        if let Some(text) = self.whole.take() {
            self.rope = Rope::from_str(&text);
        }
        &mut self.rope
    }
}

/// A document the editor has open.
#[derive(Debug)]
pub struct Document {
    pub text: LiveText,
    pub version: i32,
    pub language_id: String,
    pub revision: u64,
    /// The latest analysed snapshot; requests wait on it for the current revision.
    pub latest: watch::Sender<Option<Arc<Snapshot>>>,
    /// The diagnostics of a big log's first look (see `scheduling`), out before its snapshot.
    pub first_look: watch::Sender<Option<FirstLook>>,
    /// An analysis of this document is running; it analyses the newest revision again when
    /// its result turns out stale (so edits never pile up analyses of a big log).
    pub analysing: bool,
}

/// Diagnostics of one revision found by streaming its text, exactly those its snapshot will
/// give.
#[derive(Debug, Clone)]
pub struct FirstLook {
    pub revision: u64,
    pub diagnostics: Arc<Vec<Diagnostic>>,
}

/// Why a change was not applied.
#[derive(Debug, PartialEq, Eq)]
pub enum ChangeError {
    UnknownDocument,
    StaleVersion { current: i32, got: i32 },
}

#[derive(Debug, Default)]
pub struct Documents {
    map: HashMap<Uri, Document>,
    next_revision: u64,
}

impl Documents {
    fn bump(&mut self) -> u64 {
        self.next_revision += 1;
        self.next_revision
    }

    /// Opens (or reopens, replacing) a document; returns its revision.
    pub fn open(&mut self, uri: Uri, text: String, version: i32, language_id: String) -> u64 {
        let revision = self.bump();
        let (latest, _) = watch::channel(None);
        let (first_look, _) = watch::channel(None);
        self.map.insert(
            uri,
            Document {
                text: LiveText::new(text),
                version,
                language_id,
                revision,
                latest,
                first_look,
                analysing: false,
            },
        );
        revision
    }

    /// Applies the content changes of one `didChange`, in order; returns the new revision. A
    /// version not newer than the current one is refused (edits are never applied twice).
    pub fn change(
        &mut self,
        uri: &Uri,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
        encoding: Encoding,
    ) -> Result<u64, ChangeError> {
        let revision = self.next_revision + 1;
        let doc = self.map.get_mut(uri).ok_or(ChangeError::UnknownDocument)?;
        if version <= doc.version {
            return Err(ChangeError::StaleVersion {
                current: doc.version,
                got: version,
            });
        }
        for change in changes {
            match change.range {
                None => doc.text.replace(change.text),
                Some(range) => {
                    let rope = doc.text.rope_mut();
                    let (start, end) = from_lsp::rope_chars(rope, range, encoding);
                    rope.remove(start..end);
                    rope.insert(start, &change.text);
                }
            }
        }
        doc.version = version;
        doc.revision = revision;
        self.next_revision = revision;
        Ok(revision)
    }

    pub fn close(&mut self, uri: &Uri) -> bool {
        self.map.remove(uri).is_some()
    }

    pub fn get_mut(&mut self, uri: &Uri) -> Option<&mut Document> {
        self.map.get_mut(uri)
    }

    pub fn get(&self, uri: &Uri) -> Option<&Document> {
        self.map.get(uri)
    }

    pub fn contains(&self, uri: &Uri) -> bool {
        self.map.contains_key(uri)
    }

    /// Gives every open document a new revision (settings changed); returns them.
    pub fn touch_all(&mut self) -> Vec<(Uri, u64)> {
        let uris: Vec<Uri> = self.map.keys().cloned().collect();
        let mut out = Vec::with_capacity(uris.len());
        for uri in uris {
            let revision = self.bump();
            if let Some(doc) = self.map.get_mut(&uri) {
                doc.revision = revision;
                out.push((uri, revision));
            }
        }
        out
    }

    pub fn uris(&self) -> Vec<Uri> {
        self.map.keys().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri() -> Uri {
        "file:///tmp/a.json".parse().expect("uri")
    }

    fn edit(sl: u32, sc: u32, el: u32, ec: u32, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range {
                start: Position::new(sl, sc),
                end: Position::new(el, ec),
            }),
            range_length: None,
            text: text.into(),
        }
    }

    #[test]
    fn incremental_edits_in_utf16_with_emoji() {
        let mut docs = Documents::default();
        docs.open(uri(), "{\"a\": \"😀x\"}\n".into(), 1, "json".into());
        // Replace "x" (after the surrogate pair: UTF-16 column 8..9) with "yz".
        docs.change(&uri(), 2, vec![edit(0, 9, 0, 10, "yz")], Encoding::Utf16)
            .expect("applied");
        assert_eq!(
            docs.get(&uri()).map(|d| d.text.current().to_string()),
            Some("{\"a\": \"😀yz\"}\n".to_string())
        );
        assert_eq!(
            docs.change(&uri(), 2, vec![edit(0, 0, 0, 0, "!")], Encoding::Utf16),
            Err(ChangeError::StaleVersion { current: 2, got: 2 })
        );
        let other: Uri = "file:///tmp/b.json".parse().expect("uri");
        assert_eq!(
            docs.change(&other, 5, vec![], Encoding::Utf16),
            Err(ChangeError::UnknownDocument)
        );
    }

    #[test]
    fn an_unedited_text_is_shared_not_copied_and_edits_apply_after_it() {
        let mut docs = Documents::default();
        docs.open(uri(), "[1, 2]\n".into(), 1, "json".into());
        let text = |docs: &Documents| docs.get(&uri()).map(|d| d.text.current()).expect("open");
        let (a, b) = (text(&docs), text(&docs));
        assert!(
            Arc::ptr_eq(&a, &b),
            "the opened text is handed out, not copied"
        );
        docs.change(&uri(), 2, vec![edit(0, 4, 0, 5, "3")], Encoding::Utf8)
            .expect("applied");
        assert_eq!(text(&docs).as_str(), "[1, 3]\n");
        assert!(
            !Arc::ptr_eq(&text(&docs), &text(&docs)),
            "edited: a copy of the rope"
        );
        let whole = TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: "[4]".into(),
        };
        docs.change(&uri(), 3, vec![whole], Encoding::Utf8)
            .expect("applied");
        assert!(
            Arc::ptr_eq(&text(&docs), &text(&docs)),
            "replaced whole: shared again"
        );
        docs.change(&uri(), 4, vec![edit(0, 1, 0, 2, "5")], Encoding::Utf8)
            .expect("applied");
        assert_eq!(text(&docs).as_str(), "[5]");
    }

    // ---- property tests: incremental edits against a plain reference, positions in range ----

    use proptest::prelude::*;

    const ENCODINGS: [Encoding; 3] = [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32];

    /// Pieces that stress position handling: a surrogate pair in UTF-16, a combining accent
    /// (two chars, one glyph), CJK (3 bytes, 1 unit), CRLF and LF line breaks, a lone CR.
    fn piece() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "a", "{", "\"", " ", "😀", "e\u{301}", "名", "\r\n", "\n", "\r", "\t", "é",
        ])
    }

    fn text() -> impl Strategy<Value = String> {
        prop::collection::vec(piece(), 0..40).prop_map(|p| p.concat())
    }

    /// One content change: a range (possibly out of range, or inside a character) or the whole
    /// text.
    #[derive(Debug, Clone)]
    enum Step {
        Ranged {
            start: (u32, u32),
            end: (u32, u32),
            text: String,
        },
        Full(String),
    }

    fn step() -> impl Strategy<Value = Step> {
        let pos = (0u32..8, 0u32..24);
        prop_oneof![
            9 => (pos.clone(), pos, text()).prop_map(|(start, end, text)| Step::Ranged { start, end, text }),
            1 => text().prop_map(Step::Full),
        ]
    }

    fn width(ch: char, encoding: Encoding) -> usize {
        match encoding {
            Encoding::Utf8 => ch.len_utf8(),
            Encoding::Utf16 => ch.len_utf16(),
            Encoding::Utf32 => 1,
        }
    }

    /// Reference: the char index of (line, col) in `chars`, by LSP's rules as this server applies
    /// them (lines end at LF; a CR before the LF belongs to the break; past the end of a line →
    /// its end; past the last line → the end; inside a character → its start).
    fn reference_char(chars: &[char], line: u32, col: u32, encoding: Encoding) -> usize {
        let mut start = 0;
        for _ in 0..line {
            match chars[start..].iter().position(|&c| c == '\n') {
                Some(p) => start += p + 1,
                None => return chars.len(),
            }
        }
        let mut end = chars[start..]
            .iter()
            .position(|&c| c == '\n')
            .map_or(chars.len(), |p| start + p);
        if end > start && end < chars.len() && chars[end - 1] == '\r' {
            end -= 1;
        }
        let mut counted = 0;
        let mut at = start;
        while at < end && counted + width(chars[at], encoding) <= col as usize {
            counted += width(chars[at], encoding);
            at += 1;
        }
        at
    }

    /// Reference: applies one step to a vector of chars.
    fn reference_apply(chars: &mut Vec<char>, step: &Step, encoding: Encoding) {
        match step {
            Step::Full(text) => *chars = text.chars().collect(),
            Step::Ranged { start, end, text } => {
                let a = reference_char(chars, start.0, start.1, encoding);
                let b = reference_char(chars, end.0, end.1, encoding);
                let (a, b) = (a.min(b), a.max(b));
                chars.splice(a..b, text.chars());
            }
        }
    }

    fn change_event(step: &Step) -> TextDocumentContentChangeEvent {
        match step {
            Step::Full(text) => TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text: text.clone(),
            },
            Step::Ranged { start, end, text } => edit(start.0, start.1, end.0, end.1, text),
        }
    }

    fn snapshot_of(text: &str, encoding: Encoding) -> Snapshot {
        Snapshot::new(SnapshotParts {
            uri: uri(),
            version: Some(1),
            revision: 1,
            text: Arc::new(text.to_string()),
            analysis: Analysis::default(),
            settings: Arc::new(Settings::default()),
            encoding,
        })
    }

    /// The length of line `line` of `text` in `encoding` units, without its line break.
    fn line_len(text: &str, line: u32, encoding: Encoding) -> u32 {
        let content = text.split('\n').nth(line as usize).unwrap_or("");
        let content = if (line as usize) < text.matches('\n').count() {
            content.strip_suffix('\r').unwrap_or(content)
        } else {
            content
        };
        content.chars().map(|c| width(c, encoding) as u32).sum()
    }

    proptest! {
        #[test]
        fn edit_scripts_apply_exactly_like_a_plain_string(
            initial in text(),
            steps in prop::collection::vec(step(), 1..12),
        ) {
            for encoding in ENCODINGS {
                let mut docs = Documents::default();
                docs.open(uri(), initial.clone(), 1, "json".into());
                let mut reference: Vec<char> = initial.chars().collect();
                // Half the steps go one per didChange, the rest batched into one (in order).
                let (single, batched) = steps.split_at(steps.len() / 2);
                let mut version = 1;
                for step in single {
                    version += 1;
                    docs.change(&uri(), version, vec![change_event(step)], encoding)
                        .expect("applied");
                    reference_apply(&mut reference, step, encoding);
                }
                version += 1;
                docs.change(&uri(), version, batched.iter().map(change_event).collect(), encoding)
                    .expect("applied");
                for step in batched {
                    reference_apply(&mut reference, step, encoding);
                }
                let got = docs.get(&uri()).map(|d| d.text.current().to_string()).unwrap_or_default();
                prop_assert_eq!(got, reference.iter().collect::<String>(), "{:?}", encoding);
            }
        }

        #[test]
        fn reported_positions_lie_inside_the_document_and_map_back(text in text()) {
            for encoding in ENCODINGS {
                let snap = snapshot_of(&text, encoding);
                let line_count = text.matches('\n').count() as u32 + 1;
                for offset in (0..=text.len()).filter(|&o| text.is_char_boundary(o)) {
                    let pos = snap.position(offset);
                    prop_assert!(pos.line < line_count, "{offset} {pos:?} {encoding:?}");
                    prop_assert!(pos.character <= line_len(&text, pos.line, encoding), "{offset} {pos:?} {encoding:?}");
                    let back = snap.offset(pos);
                    prop_assert!(text.is_char_boundary(back));
                    // Every offset maps back to itself, except the middle of a CRLF, which is
                    // reported at the line's end (before the CR).
                    let mid_crlf = offset > 0 && text[..offset].ends_with('\r') && text[offset..].starts_with('\n');
                    prop_assert_eq!(back, if mid_crlf { offset - 1 } else { offset }, "{:?} {:?}", pos, encoding);
                    let range = snap.range(Span::new(0, offset));
                    prop_assert!(range.start <= range.end);
                }
            }
        }

        #[test]
        fn client_positions_clamp_to_character_starts(
            text in text(),
            line in 0u32..10,
            col in prop_oneof![0u32..30, Just(u32::MAX)],
        ) {
            let chars: Vec<char> = text.chars().collect();
            for encoding in ENCODINGS {
                let snap = snapshot_of(&text, encoding);
                let offset = snap.offset(Position::new(line, col));
                let expected_char = reference_char(&chars, line, col, encoding);
                let expected: usize = chars[..expected_char].iter().map(|c| c.len_utf8()).sum();
                prop_assert_eq!(offset, expected, "{:?}", encoding);
                let rope = Rope::from_str(&text);
                prop_assert_eq!(
                    from_lsp::rope_char(&rope, Position::new(line, col), encoding),
                    expected_char
                );
            }
        }
    }
}
