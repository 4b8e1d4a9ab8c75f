//! Open documents as ropes with their versions, and the analysed snapshots requests read:
//! (text, line index, analysis, settings) of one revision, immutable and shared.

use crate::core::line_index::{Encoding, LineIndex};
use crate::core::model::{Analysis, Span};
use crate::settings::Settings;
use ropey::Rope;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::watch;
use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent, Uri};

use super::{from_lsp, to_lsp};

/// One analysed revision of a document. Requests answer from it, never from the live rope.
#[derive(Debug)]
pub struct Snapshot {
    pub uri: Uri,
    /// The client's version (None for files read from disk).
    pub version: Option<i32>,
    /// Our own counter: bumped by every change and every settings change.
    pub revision: u64,
    pub text: String,
    pub index: LineIndex,
    pub analysis: Analysis,
    pub settings: Arc<Settings>,
    pub encoding: Encoding,
    /// Column checkpoints of long lines (see `to_lsp::LongLines`).
    pub long_lines: to_lsp::LongLines,
}

impl Snapshot {
    pub fn range(&self, span: Span) -> Range {
        Range {
            start: self.position(span.start),
            end: self.position(span.end),
        }
    }
    pub fn position(&self, offset: usize) -> Position {
        self.long_lines
            .position(&self.text, &self.index, offset, self.encoding)
    }
    pub fn offset(&self, pos: Position) -> usize {
        self.long_lines
            .offset(&self.text, &self.index, pos, self.encoding)
    }
    pub fn span(&self, range: Range) -> Span {
        from_lsp::span(&self.text, &self.index, range, self.encoding)
    }
}

/// A document the editor has open.
#[derive(Debug)]
pub struct Document {
    pub rope: Rope,
    pub version: i32,
    pub language_id: String,
    pub revision: u64,
    /// The latest analysed snapshot; requests wait on it for the current revision.
    pub latest: watch::Sender<Option<Arc<Snapshot>>>,
    /// An analysis of this document is running; it analyses the newest revision again when
    /// its result turns out stale (so edits never pile up analyses of a big log).
    pub analysing: bool,
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
    pub fn open(&mut self, uri: Uri, text: &str, version: i32, language_id: String) -> u64 {
        let revision = self.bump();
        let (latest, _) = watch::channel(None);
        self.map.insert(
            uri,
            Document {
                rope: Rope::from_str(text),
                version,
                language_id,
                revision,
                latest,
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
                None => doc.rope = Rope::from_str(&change.text),
                Some(range) => {
                    let (start, end) = from_lsp::rope_chars(&doc.rope, range, encoding);
                    doc.rope.remove(start..end);
                    doc.rope.insert(start, &change.text);
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
        docs.open(uri(), "{\"a\": \"😀x\"}\n", 1, "json".into());
        // Replace "x" (after the surrogate pair: UTF-16 column 8..9) with "yz".
        docs.change(&uri(), 2, vec![edit(0, 9, 0, 10, "yz")], Encoding::Utf16)
            .expect("applied");
        assert_eq!(
            docs.get(&uri()).map(|d| d.rope.to_string()),
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
}
