use super::*;
use crate::core::model::Span;
use std::time::Duration;

/// 1-based line and column (in characters) of a byte offset, as `check --format json` prints.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    (line, before[line_start..].chars().count() + 1)
}

/// Findings as "line:col kind severity status", for data-driven comparison.
fn summary(text: &str, a: &Analysis) -> Vec<String> {
    a.findings
        .iter()
        .map(|f| {
            let (l, c) = line_col(text, f.span.start);
            let status = f.status.map(|s| s.to_string()).unwrap_or("-".into());
            format!("{l}:{c} {:?} {:?} {status}", f.kind, f.severity)
        })
        .collect()
}

fn check(text: &str, expected: &[&str]) -> Analysis {
    let a = analyze(text, &AnalysisConfig::default());
    assert_eq!(summary(text, &a), expected);
    for f in &a.findings {
        assert!(f.span.end <= text.len());
        assert!(text.is_char_boundary(f.span.start) && text.is_char_boundary(f.span.end));
    }
    a
}

fn fixture(path: &str) -> String {
    let full = format!("{}/../tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

#[test]
fn seed() {
    let text = fixture("integration/seed-168379.json");
    let a = check(&text, &["41:27 FailedCall Error 400"]);
    assert_eq!(a.format, Some(Format::IntegrationRunLog));
    assert_eq!(a.exchanges.len(), 2);
    let f = &a.findings[0];
    assert!(f.message.starts_with("400 Bad Request"), "{}", f.message);
    assert_eq!(f.exchange, Some(1));
}

#[test]
fn integration_fixtures() {
    check(
        &fixture("integration/zapier-429-retry-after.json"),
        &["37:25 FailedCall Error 429"],
    );
    check(
        &fixture("integration/make-401-bearer.json"),
        &["14:26 FailedCall Error 401"],
    );
    check(
        &fixture("integration/n8n-500-html.json"),
        &["20:26 FailedCall Error 500"],
    );
    check(
        &fixture("integration/workato-400-escaped-twice.json"),
        &["14:26 FailedCall Error 400"],
    );
    check(
        &fixture("integration/seed-shape-503-xml.json"),
        &["16:27 FailedCall Error 503"],
    );
    check(
        &fixture("integration/nonstandard-520-599.json"),
        &[
            "16:27 FailedCall Warning 520",
            "42:27 FailedCall Warning 599",
        ],
    );
    let a = check(
        &fixture("integration/multi-run.json"),
        &[
            "93:27 FailedCall Error 409",
            "124:27 FailedCall Error 404",
            "147:27 FailedCall Error 403",
            "172:27 FailedCall Error 422",
        ],
    );
    assert_eq!(a.runs.len(), 3);
    assert_eq!(a.exchanges.len(), 7);
    let runs: Vec<Option<usize>> = a.exchanges.iter().map(|e| e.run).collect();
    assert_eq!(runs, [0, 0, 1, 1, 2, 2, 2].map(Some));
}

#[test]
fn successful_calls_reporting_errors() {
    let a = check(
        &fixture("integration/graphql-200-errors.json"),
        &["16:27 ErrorInSuccessfulCall Information 200"],
    );
    assert!(a.findings[0]
        .message
        .contains(", but the response body reports an error: "));
    check(
        &fixture("integration/slack-200-ok-false.json"),
        &["16:27 ErrorInSuccessfulCall Information 200"],
    );
}

#[test]
fn json_lines_fixtures() {
    let a = check(
        &fixture("jsonl/pino-http.jsonl"),
        &[
            "3:563 FailedCall Error 400",
            "4:577 FailedCall Error 404",
            "5:565 FailedCall Error 502",
        ],
    );
    assert_eq!(a.format, Some(Format::JsonLines));
    assert_eq!(a.exchanges.len(), 6);
    check(
        &fixture("jsonl/nginx-access.jsonl"),
        &[
            "3:139 FailedCall Error 401",
            "4:138 FailedCall Error 404",
            "5:142 FailedCall Error 504",
            "6:139 FailedCall Warning 499",
        ],
    );
    check(
        &fixture("jsonl/ecs-access.jsonl"),
        &[
            "2:253 FailedCall Error 409",
            "3:255 FailedCall Error 500",
            "5:261 FailedCall Error 404",
        ],
    );
    let text = fixture("jsonl/broken-line.jsonl");
    let a = analyze(&text, &AnalysisConfig::default());
    let s = summary(&text, &a);
    assert_eq!(s.len(), 3, "{s:?}");
    assert_eq!(s[0], "2:571 FailedCall Error 403");
    assert!(
        s[1].starts_with("3:") && s[1].ends_with("InvalidJson Error -"),
        "{s:?}"
    );
    assert_eq!(s[2], "4:564 FailedCall Error 429");
}

#[test]
fn generic_fixtures() {
    check(
        &fixture("generic/status-body-array.json"),
        &["22:15 FailedCall Error 422", "43:15 FailedCall Error 422"],
    );
    check(
        &fixture("generic/response-code-404.json"),
        &["14:13 FailedCall Error 404"],
    );
    check(
        &fixture("generic/github-webhook-delivery.json"),
        &["8:18 FailedCall Error 404"],
    );
    let a = check(
        &fixture("generic/axios-error.json"),
        &["19:17 FailedCall Error 400"],
    );
    assert_eq!(a.format, Some(Format::Generic));
}

#[test]
fn negatives_are_quiet() {
    let dir = format!("{}/../tests/fixtures/negative", env!("CARGO_MANIFEST_DIR"));
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        let a = analyze(&text, &AnalysisConfig::default());
        assert_eq!(a, Analysis::default(), "{:?}", entry.path());
        // Invalid ordinary JSON stays quiet too.
        let cut = &text[..text.len() / 2];
        if text.is_char_boundary(text.len() / 2) {
            assert_eq!(
                analyze(cut, &AnalysisConfig::default()),
                Analysis::default()
            );
        }
        n += 1;
    }
    assert!(n >= 9);
}

#[test]
fn truncated_fixtures() {
    let text = fixture("truncated/seed-cut-mid-body.json");
    let a = analyze(&text, &AnalysisConfig::default());
    let s = summary(&text, &a);
    assert_eq!(s[0], "41:27 FailedCall Error 400");
    assert_eq!(a.findings[0].explanation, None);
    assert_eq!(s.len(), 2, "{s:?}");
    assert!(s[1].starts_with("58:") && s[1].ends_with("InvalidJson Error -"));
    assert_eq!(
        a.findings[1].message,
        "The JSON stops being valid here: unexpected end of text (a log still being written?)"
    );

    let text = fixture("truncated/har-cut-mid-entry.har");
    let a = analyze(&text, &AnalysisConfig::default());
    let s = summary(&text, &a);
    assert_eq!(a.format, Some(Format::Har));
    assert_eq!(
        s[..2],
        ["121:21 FailedCall Error 404", "190:21 FailedCall Error 500"]
    );
    assert!(
        s[2].starts_with("203:") && s[2].ends_with("InvalidJson Error -"),
        "{s:?}"
    );
    assert_eq!(s.len(), 3);

    let text = fixture("truncated/jsonl-half-line.jsonl");
    let a = analyze(&text, &AnalysisConfig::default());
    let s = summary(&text, &a);
    assert_eq!(s[0], "2:123 FailedCall Error 422");
    assert_eq!(
        s.iter().filter(|f| f.contains("InvalidJson")).count(),
        1,
        "{s:?}"
    );
    assert!(s
        .iter()
        .any(|f| f.starts_with("3:") && f.contains("InvalidJson")));
}

#[test]
fn every_cut_of_the_seed() {
    let text = fixture("integration/seed-168379.json");
    let full = analyze(&text, &AnalysisConfig::default());
    let status_400 = full.exchanges[1].status_span;
    let config = AnalysisConfig::default();
    for cut in 1..text.len() {
        if !text.is_char_boundary(cut) {
            continue;
        }
        let t = &text[..cut];
        let a = analyze(t, &config);
        for f in &a.findings {
            assert!(f.span.end <= t.len(), "cut {cut}");
        }
        for e in &a.exchanges {
            assert!(
                e.span.end <= t.len() && e.status_span.end <= t.len(),
                "cut {cut}"
            );
        }
        if !a.exchanges.is_empty() {
            let invalid = a
                .findings
                .iter()
                .filter(|f| f.kind == FindingKind::InvalidJson)
                .count();
            // The text is complete only when nothing but whitespace was cut.
            assert_eq!(
                invalid,
                usize::from(!text[cut..].trim().is_empty()),
                "cut {cut}"
            );
        }
        // Every exchange whose status value is complete before the cut is kept.
        if cut > status_400.end + 1 {
            assert!(
                a.exchanges
                    .iter()
                    .any(|e| e.status == 400 && e.status_span == status_400),
                "cut {cut}"
            );
            assert!(
                a.findings.iter().any(|f| f.status == Some(400)),
                "cut {cut}"
            );
        }
    }
}

#[test]
fn real_producers() {
    let text = fixture("har/chromium-recorded.har");
    let a = analyze(&text, &AnalysisConfig::default());
    assert_eq!(a.format, Some(Format::Har));
    assert_eq!(a.exchanges.len(), 17);
    assert_eq!(a.runs.len(), 1);
    assert!(a.exchanges.iter().all(|e| e.run == Some(0)));
    let pretty = fixture("har/chromium-recorded.pretty.har");
    let b = analyze(&pretty, &AnalysisConfig::default());
    let statuses = |a: &Analysis| a.exchanges.iter().map(|e| e.status).collect::<Vec<_>>();
    assert_eq!(statuses(&a), statuses(&b));
    // No secret survives extraction into headers or URLs.
    for e in a.exchanges.iter().chain(&b.exchanges) {
        for h in e.request.headers.iter().chain(e.response_headers.iter()) {
            if h.name.eq_ignore_ascii_case("authorization") {
                assert!(h.value.contains("[redacted]"), "{}", h.value);
            }
        }
    }
    // Cuts through the pretty HAR: never panics, exchanges before the cut are kept.
    for cut in (1..pretty.len()).step_by(997) {
        if !pretty.is_char_boundary(cut) {
            continue;
        }
        let t = &pretty[..cut];
        let c = analyze(t, &AnalysisConfig::default());
        let complete = b.exchanges.iter().filter(|e| e.span.end < cut).count();
        assert!(c.exchanges.len() >= complete, "cut {cut}");
        assert!(c.findings.iter().all(|f| f.span.end <= t.len()));
    }

    let text = fixture("newman/newman-report.json");
    let a = analyze(&text, &AnalysisConfig::default());
    assert_eq!(a.format, Some(Format::Newman));
    assert!(!a.exchanges.is_empty());
    assert_eq!(a.runs.len(), 1);
    for e in &a.exchanges {
        assert!(e.name.is_some());
        assert_eq!(
            e.body.as_ref().map(|b| b.encoding),
            Some(crate::core::model::BodyEncoding::ByteArray)
        );
        assert!(e
            .request
            .url
            .as_deref()
            .is_some_and(|u| u.starts_with("http")));
    }
    assert!(a.findings.iter().any(|f| f.status == Some(400)));
}

#[test]
fn unicode_fixtures() {
    let text = fixture("unicode/emoji-cjk.json");
    let a = check(
        &text,
        &["10:60 FailedCall Error 400", "11:61 FailedCall Error 503"],
    );
    for e in &a.exchanges {
        assert_eq!(
            &text[e.status_span.start..e.status_span.end],
            e.status.to_string()
        );
    }
    check(
        &fixture("unicode/crlf.json"),
        &["16:27 FailedCall Error 422"],
    );
    let text = fixture("unicode/bom.json");
    let a = check(&text, &["16:27 FailedCall Error 404"]);
    assert!(a.findings.iter().all(|f| f.kind == FindingKind::FailedCall));
}

#[test]
fn explanation_joins_message() {
    let text = fixture("integration/seed-168379.json");
    let a = analyze(&text, &AnalysisConfig::default());
    let f = &a.findings[0];
    // Once body/explain land, the body's words follow the reason phrase.
    if let Some(e) = &f.explanation {
        assert_eq!(f.message, format!("400 Bad Request: {e}"));
        assert!(e.contains("already a list member"), "{e}");
    } else {
        assert_eq!(f.message, "400 Bad Request");
    }
}

#[test]
fn severity_and_minimum_status() {
    let text = r#"[{"status": 404, "body": 1}, {"status": 500, "body": 1}, {"status": 302, "body": 1}, {"status": 499, "body": 1}]"#;
    let mut config = AnalysisConfig::default();
    let kinds = |config: &AnalysisConfig| -> Vec<(u16, Severity)> {
        analyze(text, config)
            .findings
            .iter()
            .filter_map(|f| f.status.map(|s| (s, f.severity)))
            .collect()
    };
    assert_eq!(
        kinds(&config),
        [
            (404, Severity::Error),
            (500, Severity::Error),
            (499, Severity::Warning)
        ]
    );
    config
        .severity
        .insert("4xx".into(), Some(Severity::Warning));
    config.severity.insert("404".into(), Some(Severity::Hint));
    config.severity.insert("5XX".into(), None);
    assert_eq!(
        kinds(&config),
        [(404, Severity::Hint), (499, Severity::Warning)]
    );
    config.minimum_status = 300;
    config.severity.clear();
    assert_eq!(kinds(&config).len(), 4);
    config.minimum_status = 450;
    assert_eq!(
        kinds(&config),
        [(500, Severity::Error), (499, Severity::Warning)]
    );
}

#[test]
fn cap_with_summary() {
    let mut text = String::from("[");
    for i in 0..30 {
        if i > 0 {
            text.push(',');
        }
        text.push_str(r#"{"status": 500, "body": "x"}"#);
    }
    text.push(']');
    let config = AnalysisConfig {
        max_findings: 10,
        ..AnalysisConfig::default()
    };
    let a = analyze(&text, &config);
    assert_eq!(a.findings.len(), 11);
    assert_eq!(a.exchanges.len(), 30);
    let last = &a.findings[10];
    assert_eq!(last.kind, FindingKind::LimitReached);
    assert!(last.message.starts_with("20 more failing calls not shown"));
    assert_eq!(last.span, a.exchanges[10].status_span);
}

#[test]
fn deep_nesting() {
    let depth = 100_000;
    let text = format!(
        "{{\"status\": 404, \"body\": \"x\", \"deep\": {}{}}}",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let a = analyze(&text, &AnalysisConfig::default());
    assert_eq!(a.exchanges.len(), 1);
    let limits: Vec<&Finding> = a
        .findings
        .iter()
        .filter(|f| f.kind == FindingKind::LimitReached)
        .collect();
    assert_eq!(limits.len(), 1);
    assert!(limits[0].message.contains("nested"));
    // Deep objects, unclosed, with exchanges inside the first levels.
    let text = format!("[{{\"status\": 400}}, {}", "{\"a\":".repeat(depth));
    let a = analyze(&text, &AnalysisConfig::default());
    assert_eq!(a.exchanges.len(), 1);
}

#[test]
fn json_lines_with_broken_line_and_spans() {
    let text =
        "{\"status\": 200}\n{\"status\": 404, \"msg\": \"x\n{\"res\": {\"statusCode\": 503}}\n";
    let a = analyze(text, &AnalysisConfig::default());
    assert_eq!(a.format, Some(Format::JsonLines));
    let s = summary(text, &a);
    assert_eq!(
        s,
        [
            "2:12 FailedCall Error 404",
            "2:26 InvalidJson Error -",
            "3:24 FailedCall Error 503"
        ]
    );
    assert_eq!(a.findings[0].span, Span::new(27, 30));
}

#[test]
fn binary_junk_never_panics() {
    let mut seed: u64 = 0x9e3779b97f4a7c15;
    let alphabet = b"{}[]\",:0123456789 \n\\/*statusbody";
    for _ in 0..300 {
        let mut s = String::new();
        for _ in 0..200 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            s.push(alphabet[(seed % alphabet.len() as u64) as usize] as char);
        }
        let a = analyze(&s, &AnalysisConfig::default());
        for f in &a.findings {
            assert!(f.span.end <= s.len());
        }
    }
}

#[test]
fn exchange_and_finding_lookup() {
    let text = r#"[{"status": 200, "body": 1}, {"name": "x", "status": 404, "body": 1}]"#;
    let a = analyze(text, &AnalysisConfig::default());
    let key = text.find("\"status\": 404").unwrap_or(0);
    let value = text.find("404").unwrap_or(0);
    assert_eq!(a.exchange_at(key), Some(1));
    assert_eq!(a.exchange_at(value + 3), Some(1));
    assert_eq!(a.exchange_at(value + 4), None);
    assert_eq!(a.exchange_at(key - 1), None);
    assert_eq!(a.exchange_at(text.find("200").unwrap_or(0)), Some(0));
    assert_eq!(a.exchange_at(0), None);
    assert_eq!(
        a.exchange_containing(text.find("\"x\"").unwrap_or(0)),
        Some(1)
    );
    assert_eq!(a.exchange_containing(0), None);
    assert_eq!(a.finding_for_exchange(0), None);
    assert_eq!(a.finding_for_exchange(1).map(|f| f.status), Some(Some(404)));
    assert_eq!(a.finding_for_exchange(7), None);
}

/// A run log of `n` failing calls with `body`, one call per line.
fn failing_calls(n: usize, body: &str) -> String {
    let calls: Vec<String> = (0..n)
        .map(|i| format!(r#"{{"url": "https://api.invalid/{i}", "status": 404, "body": {body}}}"#))
        .collect();
    format!("[{}]", calls.join(",\n"))
}

fn limits_hit(a: &Analysis) -> Vec<(usize, &str)> {
    a.findings
        .iter()
        .filter(|f| f.kind == FindingKind::LimitReached)
        .map(|f| (f.span.start, f.message.as_str()))
        .collect()
}

fn failed(a: &Analysis) -> usize {
    a.findings
        .iter()
        .filter(|f| f.kind == FindingKind::FailedCall)
        .count()
}

#[test]
fn the_time_limit_stops_the_analysis_and_says_where() {
    let text = failing_calls(3, "{}");
    let config = AnalysisConfig {
        analysis_time: Some(Duration::ZERO),
        ..AnalysisConfig::default()
    };
    let a = analyze(&text, &config);
    assert_eq!(a.exchanges.len(), 3, "calls are still known (hover works)");
    assert_eq!(failed(&a), 0);
    let hit = limits_hit(&a);
    assert_eq!(hit.len(), 1, "{hit:?}");
    assert_eq!(hit[0].0, text.find("404").unwrap());
    assert!(
        hit[0].1.starts_with("Analysis stopped after ")
            && hit[0].1.ends_with(
                " ms at line 1 (runlog.limits.analysisTimeMs is 0); calls after it are not checked."
            ),
        "{}",
        hit[0].1
    );
    // A budget that is not used up changes nothing.
    let roomy = AnalysisConfig {
        analysis_time: Some(Duration::from_secs(600)),
        ..AnalysisConfig::default()
    };
    assert_eq!(
        analyze(&text, &roomy),
        analyze(&text, &AnalysisConfig::default())
    );
}

#[test]
fn the_body_size_limit_is_said_once_for_all_bodies() {
    let body =
        serde_json::to_string(&format!("{{\"error\": \"{}\"}}", "x".repeat(100))).expect("json");
    let text = failing_calls(3, &body);
    let config = AnalysisConfig {
        max_body_size: 10,
        ..AnalysisConfig::default()
    };
    let a = analyze(&text, &config);
    assert_eq!(failed(&a), 3);
    let first_body = text.find("\"{").unwrap();
    assert_eq!(
        limits_hit(&a),
        vec![(first_body, "3 response bodies longer than 10 bytes once decoded were read only that far (runlog.limits.maxBodySize), starting with this one.")]
    );
    assert!(limits_hit(&analyze(&text, &AnalysisConfig::default())).is_empty());
}

#[test]
fn the_nesting_and_line_length_limits_become_one_finding_each() {
    let text = failing_calls(2, r#"{"a": {"b": {"c": 1}}}"#);
    let config = AnalysisConfig {
        max_nesting_depth: 3,
        ..AnalysisConfig::default()
    };
    let a = analyze(&text, &config);
    assert_eq!(failed(&a), 2);
    let at = text.find("{\"b\"").unwrap();
    assert_eq!(
        limits_hit(&a),
        vec![(at, "The JSON is nested more than 3 levels deep here; the deeper values were not analysed (runlog.limits.maxNestingDepth).")]
    );

    let line = |i: usize, pad: usize| {
        format!(
            r#"{{"url": "/{i}", "status": 500, "pad": "{}"}}"#,
            "x".repeat(pad)
        )
    };
    let text = [line(0, 1), line(1, 500), line(2, 1)].join("\n");
    let config = AnalysisConfig {
        max_line_length: 100,
        ..AnalysisConfig::default()
    };
    let a = analyze(&text, &config);
    assert_eq!((a.format, failed(&a)), (Some(Format::JsonLines), 2));
    let at = text.find("{\"url\": \"/1\"").unwrap();
    assert_eq!(
        limits_hit(&a),
        vec![(at, "A line longer than 100 bytes was not analysed (runlog.limits.maxLineLength), starting with line 2.")]
    );
}

#[test]
fn calls_without_response_from_every_producer() {
    let har = fixture("har/chromium-no-response.pretty.har");
    let a = check(
        &har,
        &[
            "185:21 NoResponse Error -",
            "234:21 NoResponse Error -",
            "295:21 NoResponse Error -",
            "369:21 NoResponse Error -",
            "430:21 NoResponse Warning -",
        ],
    );
    assert_eq!(a.format, Some(Format::Har));
    let messages: Vec<&str> = a.findings.iter().map(|f| f.message.as_str()).collect();
    assert!(messages[0]
        .starts_with("No response (net::ERR_CONNECTION_REFUSED): The connection was refused"));
    assert!(messages[3].contains("CORS"), "{}", messages[3]);
    assert!(a
        .findings
        .iter()
        .all(|f| f.status.is_none() && f.explanation.is_none()));
    let report = a.findings[0].report.as_deref().expect("a report");
    assert_eq!(report.status, None);
    assert_eq!(report.headline(), "No response");
    assert!(report
        .extras
        .iter()
        .any(|(label, value)| label == "What to check next" && value.contains("listening")));

    let newman = fixture("newman/newman-no-response.json");
    let a = check(
        &newman,
        &[
            "302:19 NoResponse Error -",
            "395:19 NoResponse Error -",
            "485:19 NoResponse Error -",
            "591:19 NoResponse Error -",
        ],
    );
    assert_eq!(a.format, Some(Format::Newman));
    assert!(a.findings[0]
        .message
        .starts_with("No response (ECONNREFUSED)"));
    assert_eq!(
        a.exchanges[0].name.as_deref(),
        Some("List orders (service down)")
    );

    // DevTools writes status 0 and `_error`; an entry with status 0 and no error is pending,
    // not failed: no finding.
    let devtools = fixture("no-response/devtools-status-0.har");
    let a = check(
        &devtools,
        &["34:21 NoResponse Error -", "69:21 NoResponse Error -"],
    );
    assert!(a.findings[0].message.contains("expired"));
    // The run-log step: on its error, which the catalogue reads the code from.
    let step = fixture("no-response/integration-step-error.json");
    let a = check(&step, &["26:20 NoResponse Error -"]);
    let report = a.findings[0].report.as_deref().expect("a report");
    assert!(a.findings[0].message.starts_with("No response (ETIMEDOUT)"));
    assert!(report
        .extras
        .iter()
        .any(|(l, v)| l == "Error" && v == "connect ETIMEDOUT 10.20.0.15:443"));
}

#[test]
fn no_response_severity_is_configurable_and_unknown_errors_are_quoted() {
    let text = r#"{"run": {"executions": [
        {"item": {"name": "a"}, "request": {"method": "GET", "url": "https://x.example/a"},
         "requestError": {"code": "EWEIRD", "message": "something odd happened"}}
    ]}}"#;
    let a = analyze(text, &AnalysisConfig::default());
    assert_eq!(a.findings.len(), 1);
    assert_eq!(a.findings[0].severity, Severity::Error);
    assert!(
        a.findings[0]
            .message
            .contains("the tool that made it says: “EWEIRD”"),
        "{}",
        a.findings[0].message
    );
    let mut config = AnalysisConfig::default();
    config
        .severity
        .insert("no-response".into(), Some(Severity::Warning));
    assert_eq!(
        analyze(text, &config).findings[0].severity,
        Severity::Warning
    );
    config.severity.insert("no-response".into(), None);
    assert!(analyze(text, &config).findings.is_empty());
}

#[test]
fn errors_without_a_request_or_with_a_response_are_not_calls_without_response() {
    for text in [
        r#"{"runs": [{"steps": [{"name": "a", "error": "ECONNREFUSED"}]}]}"#,
        r#"[{"request": {"url": "https://x.example"}, "response": {"body": "x"}, "error": "E"}]"#,
        r#"{"log": {"entries": [{"request": {"url": "https://x.example"}, "response": {"status": 0}}]}}"#,
        r#"{"log": {"entries": [{"request": {"url": "https://x.example"}, "response": {"status": 0, "_error": ""}}]}}"#,
    ] {
        assert_eq!(
            analyze(text, &AnalysisConfig::default()),
            Analysis::default(),
            "{text}"
        );
    }
}
