use super::*;
use crate::core::analyze;
use crate::core::line_index::{Encoding, LineCol};
use crate::core::model::{Analysis, FindingKind};

use crate::core::bench_gen as gen;

/// Hands out at most `step` bytes per read, so that every state of the splitter meets a
/// buffer boundary.
struct Trickle<'a> {
    data: &'a [u8],
    step: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.step.min(out.len()).min(self.data.len());
        out[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// Streams `text` and returns the result, the positions `locate` saw being checked against
/// the whole text on the way.
fn stream(text: &str, step: usize, config: &AnalysisConfig) -> Streamed<LineCol> {
    let index = crate::core::line_index::LineIndex::new(text);
    let reader = Trickle {
        data: text.as_bytes(),
        step,
    };
    let locate = |f: &Finding, ex: Option<&Exchange>, view: &UnitView<'_>| {
        for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            let spans =
                std::iter::once(f.span).chain(ex.and_then(|e| e.body.as_ref()).map(|b| b.span));
            for span in spans {
                for offset in [span.start, span.end] {
                    assert_eq!(
                        view.line_col(offset, encoding),
                        index.line_col(text, offset, encoding),
                        "offset {offset}"
                    );
                }
            }
        }
        view.line_col(f.span.start, Encoding::Utf32)
    };
    match run(reader, config, Some(locate), step.min(CHUNK)) {
        Ok(s) => s,
        Err(e) => panic!("{e:?}"),
    }
}

/// The findings (and their calls) of a streamed result, as `analyze` would give them.
fn same_as_analyze(text: &str, streamed: &Streamed<LineCol>, config: &AnalysisConfig) {
    let full = analyze(text, config);
    assert_eq!(streamed.format, full.format);
    let got: Vec<&Finding> = streamed.findings.iter().map(|l| &l.finding).collect();
    let want: Vec<Finding> = full
        .findings
        .iter()
        .map(|f| Finding {
            exchange: None,
            ..f.clone()
        })
        .collect();
    assert_eq!(got, want.iter().collect::<Vec<_>>());
    for (l, f) in streamed.findings.iter().zip(&full.findings) {
        let want = f
            .exchange
            .and_then(|i| full.exchanges.get(i))
            .map(|e| Exchange {
                run: None,
                ..e.clone()
            });
        let got = l.exchange.clone().map(|e| Exchange { run: None, ..e });
        assert_eq!(got, want, "{:?}", l.finding);
    }
}

fn fixtures() -> Vec<std::path::PathBuf> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures");
    let mut out = Vec::new();
    for dir in std::fs::read_dir(root).into_iter().flatten().flatten() {
        for file in std::fs::read_dir(dir.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            if file.path().extension().is_some_and(|e| e != "md") {
                out.push(file.path());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_fixture_streams_exactly_or_says_why() {
    let config = AnalysisConfig::default();
    let mut inexact = Vec::new();
    let mut exact = 0;
    for path in fixtures() {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        for step in [1, 7, 4096, usize::MAX] {
            let s = stream(&text, step, &config);
            match &s.inexact {
                None => same_as_analyze(&text, &s, &config),
                Some(why) => {
                    if step == usize::MAX {
                        inexact.push(format!("{}: {why:?}", path.display()));
                    }
                }
            }
            if step == usize::MAX && s.inexact.is_none() {
                exact += 1;
            }
        }
    }
    // Only the broken and truncated logs, and generic shapes with calls outside arrays (n8n
    // executions keep theirs in objects keyed by node name), may need the whole text.
    for line in &inexact {
        assert!(
            line.contains("/truncated/")
                || line.contains("broken")
                || line.contains("/generic/")
                || line.contains("/n8n/")
                || line.contains("/bodies/"),
            "{inexact:#?}"
        );
    }
    assert!(exact >= 30, "{exact} exact; inexact: {inexact:#?}");
}

#[test]
fn generated_logs_stream_exactly() {
    let config = AnalysisConfig::default();
    for format in gen::GenFormat::ALL {
        let text = gen::generate(format, 3 * gen::MB);
        let s = stream(&text, 64 * 1024 + 3, &config);
        assert_eq!(s.inexact, None, "{format:?}");
        assert!(s.findings.len() > 20, "{format:?}");
        same_as_analyze(&text, &s, &config);
        // The fast path is taken: most calls succeeded, and their units are not parsed. A run
        // log's unit is a whole run, parsed when any of its steps fails.
        let least = match format {
            gen::GenFormat::Har | gen::GenFormat::JsonLines => 0.8,
            gen::GenFormat::RunLog => 0.3,
        };
        let quiet = s.quiet as f64 / s.units as f64;
        assert!(
            quiet >= least,
            "{format:?}: {} of {} units quiet",
            s.quiet,
            s.units
        );
        // The units of a document are read once, by the quiet scanner, as they are cut (those
        // that cross the end of what is read so far are walked by the splitter).
        if format != gen::GenFormat::JsonLines {
            let s = stream(&text, usize::MAX, &config);
            let whole = s.read_whole as f64 / s.units as f64;
            assert!(
                whole >= 0.9,
                "{format:?}: {} of {} units read whole",
                s.read_whole,
                s.units
            );
        }
    }
}

#[test]
fn the_cap_is_applied_across_units() {
    let text = gen::generate(gen::GenFormat::Har, 2 * gen::MB);
    let config = AnalysisConfig {
        max_findings: 7,
        ..AnalysisConfig::default()
    };
    let s = stream(&text, usize::MAX, &config);
    assert_eq!(s.inexact, None);
    assert_eq!(s.findings.len(), 8);
    assert_eq!(s.findings[7].finding.kind, FindingKind::LimitReached);
    same_as_analyze(&text, &s, &config);
}

/// Calls past the cap are only counted (`analysis::has_finding`): the summary's count, and
/// whether a body over `maxBodySize` was met (past the cap too), are those of `analyze`.
#[test]
fn calls_past_the_cap_are_counted_as_analyze_counts_them() {
    let says = |findings: &mut dyn Iterator<Item = &Finding>, what: &str| {
        findings
            .filter(|f| f.kind == FindingKind::LimitReached && f.message.contains(what))
            .map(|f| f.message.clone())
            .collect::<Vec<_>>()
    };
    for format in gen::GenFormat::ALL {
        let text = gen::generate(format, gen::MB);
        for (max_findings, max_body_size) in [(3, usize::MAX), (0, 300), (3, 100)] {
            let config = AnalysisConfig {
                max_findings,
                max_body_size,
                ..AnalysisConfig::default()
            };
            let s = stream(&text, 64 * 1024, &config);
            let full = analyze(&text, &config);
            let case = format!("{format:?}, cap {max_findings}, bodies {max_body_size}");
            let summary = says(&mut s.findings.iter().map(|l| &l.finding), "not shown");
            assert_eq!(summary.len(), 1, "{case}");
            assert_eq!(
                summary,
                says(&mut full.findings.iter(), "not shown"),
                "{case}"
            );
            let cut = !says(&mut full.findings.iter(), "maxBodySize").is_empty();
            assert_eq!(cut, max_body_size != usize::MAX, "{case}");
            assert_eq!(matches!(s.inexact, Some(Inexact::Limit(_))), cut, "{case}");
            if s.inexact.is_none() {
                same_as_analyze(&text, &s, &config);
            }
        }
    }
}

/// 2xx bodies a HAR stores in base64 (gzip too) are decoded before their entry is called quiet:
/// those that report an error are found, by the stream as by `analyze`; the one that does not is
/// not parsed.
#[test]
fn base64_bodies_that_report_errors_are_found() {
    let entry = |body: &str, mime: &str| {
        format!(
            r#"{{"request": {{"method": "POST", "url": "https://api.example.com/x", "headers": []}}, "response": {{"status": 200, "statusText": "OK", "headers": [], "content": {{"mimeType": "{mime}", "text": "{body}", "encoding": "base64"}}}}}}"#
        )
    };
    let entries = [
        // {"errors":[{"message":"Cannot query field \"emial\" on type \"User\"."}]}
        entry(
            "eyJlcnJvcnMiOlt7Im1lc3NhZ2UiOiJDYW5ub3QgcXVlcnkgZmllbGQgXCJlbWlhbFwiIG9uIHR5cGUgXCJVc2VyXCIuIn1dfQ==",
            "application/json",
        ),
        // {"ok":false,"error":"channel_not_found"}, gzip
        entry(
            "H4sIAAAAAAACA6tWys9WskpLzClO1VFKLSrKL1KyUkrOSMzLS82Jz8sviU/LL81LUaoFAPhvlGkoAAAA",
            "application/gzip",
        ),
        // {"ok":true,"channel":"C024BE91L"}
        entry("eyJvayI6dHJ1ZSwiY2hhbm5lbCI6IkMwMjRCRTkxTCJ9", "application/json"),
    ];
    let text = format!(
        r#"{{"log": {{"version": "1.2", "creator": {{"name": "x", "version": "1"}}, "entries": [{}]}}}}"#,
        entries.join(", ")
    );
    let config = AnalysisConfig::default();
    let full = analyze(&text, &config);
    let kinds: Vec<FindingKind> = full.findings.iter().map(|f| f.kind).collect();
    assert_eq!(kinds, [FindingKind::ErrorInSuccessfulCall; 2]);
    assert!(
        full.findings[0].message.contains("Cannot query field"),
        "{}",
        full.findings[0].message
    );
    assert!(
        full.findings[1].message.contains("channel_not_found"),
        "{}",
        full.findings[1].message
    );
    let s = stream(&text, 64, &config);
    same_as_analyze(&text, &s, &config);
    assert_eq!((s.units, s.quiet), (3, 1));
}

#[test]
fn quiet_on_ordinary_json() {
    let config = AnalysisConfig::default();
    for text in [
        "",
        "  ",
        "{}",
        "[1, 2, {\"a\": [3]}]",
        "{\"openapi\": \"3\", \"paths\": [{\"status\": 404, \"body\": 1}]}",
    ] {
        let s = stream(text, 3, &config);
        assert_eq!(s.format, None, "{text}");
        assert!(s.findings.is_empty(), "{text}");
        assert_eq!(analyze(text, &config), Analysis::default(), "{text}");
    }
}

#[test]
fn broken_and_truncated_logs_say_so() {
    let config = AnalysisConfig::default();
    let text = gen::generate(gen::GenFormat::Har, 300_000);
    let cut = &text[..text.len() / 2];
    let s = stream(cut, usize::MAX, &config);
    assert!(
        matches!(s.inexact, Some(Inexact::Invalid { .. })),
        "{:?}",
        s.inexact
    );
    // What comes before the cut is still reported.
    let before = analyze(cut, &config).findings.len();
    assert!(
        s.findings.len() + 1 >= before && before > 2,
        "{} {before}",
        s.findings.len()
    );
    let broken = text.replacen("}\n    ]", "]\n    ]", 1);
    let s = stream(&broken, usize::MAX, &config);
    assert!(s.inexact.is_some());
    let s = stream("{\"runs\": [{\"status\": 404}]] trailing", 5, &config);
    assert!(
        matches!(s.inexact, Some(Inexact::Invalid { .. })),
        "{:?}",
        s.inexact
    );
    assert_eq!(s.notes.len(), 1);
    assert_eq!(s.notes[0].finding.kind, FindingKind::InvalidJson);
}

#[test]
fn memory_is_bounded_by_the_largest_unit() {
    let text = gen::generate(gen::GenFormat::Har, 64 * gen::MB);
    let s = match split_only(text.as_bytes()) {
        Ok(n) => n,
        Err(e) => panic!("{e:?}"),
    };
    assert!(s > 10_000, "{s} units");
    let config = AnalysisConfig::default();
    let streamed = analyze_reader(text.as_bytes(), &config, |_, _, _| ()).ok();
    let peak = streamed.as_ref().map_or(usize::MAX, |s| s.peak_buffer);
    // One read chunk plus the context kept around the entries: a few MB, not 64.
    assert!(peak < 4 * CHUNK, "peak buffer {peak}");
    assert!(streamed.is_some_and(|s| s.inexact.is_none() && s.units > 10_000));
}

#[test]
fn oversized_units_are_skipped_with_a_note() {
    let big = "x".repeat(MAX_UNIT + 3 * CHUNK);
    let text = format!("{{\"runs\": [{{\"status\": 404, \"body\": \"a\"}}, {{\"pad\": \"{big}\"}}, {{\"status\": 500, \"body\": \"b\"}}]}}");
    let s = stream(&text, usize::MAX, &AnalysisConfig::default());
    assert_eq!(
        s.inexact,
        Some(Inexact::UnitTooLarge {
            at: text.find("{\"pad").unwrap_or(0)
        })
    );
    let statuses: Vec<Option<u16>> = s.findings.iter().map(|l| l.finding.status).collect();
    assert_eq!(statuses, [Some(404), Some(500)]);
    assert_eq!(s.notes.len(), 1);
    assert!(s.notes[0].finding.message.contains("over 64 MB"));
    assert!(s.peak_buffer < MAX_UNIT + 4 * CHUNK);
}

#[test]
fn not_utf8_and_binary_are_refused() {
    let config = AnalysisConfig::default();
    let r = analyze_reader(&b"{\"a\": \"\xff\"}"[..], &config, |_, _, _| ());
    assert!(matches!(r, Err(StreamError::NotUtf8)));
    let r = analyze_reader(&b"{\"a\": \"\0\"}"[..], &config, |_, _, _| ());
    assert!(matches!(r, Err(StreamError::Binary)));
}

#[test]
fn every_cut_of_a_log_and_junk_never_panic() {
    let config = AnalysisConfig::default();
    let seed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/integration/multi-run.json"
    ))
    .unwrap_or_default();
    assert!(seed.len() > 1000);
    for cut in (0..seed.len()).step_by(7) {
        if !seed.is_char_boundary(cut) {
            continue;
        }
        let text = &seed[..cut];
        let s = stream(text, 13, &config);
        // Complete texts (only whitespace was cut) are exact; the others say why not.
        if s.inexact.is_none() {
            same_as_analyze(text, &s, &config);
        } else {
            assert!(!seed[cut..].trim().is_empty(), "cut {cut}");
        }
    }
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let alphabet = b"{}[]\",:0123456789 \n\\/*statusbody\'";
    for _ in 0..300 {
        let mut junk = String::new();
        for _ in 0..200 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            junk.push(alphabet[(state % alphabet.len() as u64) as usize] as char);
        }
        let s = stream(&junk, 5, &config);
        if s.inexact.is_none() {
            same_as_analyze(&junk, &s, &config);
        }
    }
}

#[test]
fn an_unverifiable_negative_document_stays_quiet() {
    // Cut, so the skeleton cannot be parsed: the `openapi` key still keeps it quiet.
    let text = "{\"openapi\": \"3.1.0\", \"paths\": [{\"status\": 404, \"body\": \"x\"}, ";
    let s = stream(text, usize::MAX, &AnalysisConfig::default());
    assert!(s.inexact.is_some());
    assert_eq!(s.format, None);
    assert!(s.findings.is_empty());
    let s = stream(
        &text.replace("openapi", "title"),
        usize::MAX,
        &AnalysisConfig::default(),
    );
    assert_eq!(
        s.findings.len(),
        1,
        "the same cut log, not OpenAPI, reports its call"
    );
}
