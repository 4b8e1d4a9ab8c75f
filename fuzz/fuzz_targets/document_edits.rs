//! Sequences of ranged edits applied to an open document, in every position encoding, against
//! a plain `String` model edited through the same position conversion: the document's text must
//! always equal the model, whatever the ranges (out of range, inside surrogate pairs, reversed).
#![no_main]
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use runlog_lsp::core::line_index::{Encoding, LineIndex};
use runlog_lsp::lsp::documents::Documents;
use runlog_lsp::lsp::from_lsp;
use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent, Uri};

#[derive(Arbitrary, Debug)]
struct Edit {
    start: (u8, u8),
    end: (u8, u8),
    text: String,
}

fuzz_target!(|input: (String, u8, Vec<Edit>)| {
    let (initial, encoding, edits) = input;
    let encoding = [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32][encoding as usize % 3];
    let uri: Uri = "file:///fuzz/log.json".parse().expect("a valid URI");
    let mut documents = Documents::default();
    documents.open(uri.clone(), initial.clone(), 0, "json".into());
    let mut model = initial;
    for (version, edit) in edits.iter().take(64).enumerate() {
        let range = Range {
            start: Position { line: edit.start.0 as u32, character: edit.start.1 as u32 },
            end: Position { line: edit.end.0 as u32, character: edit.end.1 as u32 },
        };
        let index = LineIndex::new(&model);
        let a = from_lsp::offset(&model, &index, range.start, encoding);
        let b = from_lsp::offset(&model, &index, range.end, encoding);
        model.replace_range(a.min(b)..a.max(b), &edit.text);
        let change = TextDocumentContentChangeEvent { range: Some(range), range_length: None, text: edit.text.clone() };
        documents
            .change(&uri, version as i32 + 1, vec![change], encoding)
            .expect("a newer version of an open document applies");
        let text = documents.get(&uri).expect("still open").text.current();
        assert_eq!(*text, model);
    }
});
