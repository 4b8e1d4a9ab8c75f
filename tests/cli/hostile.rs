//! `check` on the hostile capture: no secret in any format, log text inert in the terminal, and
//! the limits of a settings file honoured.

use super::{json_of, run, temp_file};
use crate::capture::{capture, echo_capture, ECHOED_TOKEN, SECRETS, TENANT};

/// Characters a terminal would act on or hide: escapes, bidi controls, zero-width ones.
const ACTIVE: &[char] = &[
    '\u{1b}', '\u{7}', '\u{9b}', '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}',
    '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', '\u{200b}', '\u{feff}',
];

#[test]
fn no_secret_of_the_capture_in_any_format() {
    let (_d, log) = temp_file("capture.har", capture().as_bytes());
    let log = log.to_string_lossy().into_owned();
    for format in ["human", "json", "sarif"] {
        let out = run(&["check", "--format", format, "--color", "never", &log]);
        assert_eq!(out.code, 1, "{format}: {}", out.stderr);
        assert!(
            out.stdout.contains("[redacted]"),
            "{format}: {}",
            out.stdout
        );
        for secret in SECRETS {
            assert!(
                !out.stdout.contains(secret),
                "{format} leaks {secret}: {}",
                out.stdout
            );
            assert!(
                !out.stderr.contains(secret),
                "{format} stderr leaks {secret}"
            );
        }
    }
}

#[test]
fn echoed_secrets_and_runlog_redact_values_in_no_format_and_the_reason_stays() {
    let (_d, log) = temp_file("echo.har", echo_capture().as_bytes());
    let (_c, cfg) = temp_file("settings.json", br#"{"runlog.redact": ["X-Tenant-Id"]}"#);
    let log = log.to_string_lossy().into_owned();
    let cfg = cfg.to_string_lossy().into_owned();
    for format in ["human", "json", "sarif"] {
        for stream_above in ["0", "100000000"] {
            let out = run(&[
                "check",
                "--format",
                format,
                "--color",
                "never",
                "--config",
                &cfg,
                "--stream-above",
                stream_above,
                &log,
            ]);
            assert_eq!(out.code, 1, "{format}: {}", out.stderr);
            for secret in [ECHOED_TOKEN, TENANT] {
                assert!(
                    !out.stdout.contains(secret) && !out.stderr.contains(secret),
                    "{format} (streamed above {stream_above}) leaks {secret}: {}",
                    out.stdout
                );
            }
            for reason in [
                "The access token [redacted] has expired",
                "Tenant [redacted] is suspended until the invoice is paid",
            ] {
                assert!(out.stdout.contains(reason), "{format}: {}", out.stdout);
            }
        }
    }
    // Without the setting the tenant is ordinary text (so the check above can fail).
    let plain = run(&["check", "--format", "json", &log]);
    assert!(plain.stdout.contains(TENANT), "{}", plain.stdout);
    assert!(!plain.stdout.contains(ECHOED_TOKEN), "{}", plain.stdout);
}

#[test]
fn the_capture_is_inert_in_the_terminal_with_and_without_colour() {
    let (_d, log) = temp_file("capture.har", capture().as_bytes());
    let log = log.to_string_lossy().into_owned();
    let plain = run(&["check", "--color", "never", &log]);
    let active: Vec<(usize, &str)> = plain
        .stdout
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains(ACTIVE))
        .collect();
    assert!(active.is_empty(), "{active:?}");
    assert!(plain.stdout.contains("400"), "{}", plain.stdout);
    let styled = run(&["check", "--color", "always", &log]);
    // Our own styling is CSI "m" sequences; nothing else may reach the terminal.
    let mut rest = styled.stdout.as_str();
    while let Some(i) = rest.find('\u{1b}') {
        let seq = &rest[i + 1..];
        let end = seq.find('m').expect("a styling sequence ends with m");
        assert!(
            seq.starts_with('[') && seq[1..end].bytes().all(|b| b.is_ascii_digit() || b == b';'),
            "not styling: {:?}",
            &seq[..end.min(20)]
        );
        rest = &seq[end..];
    }
    let without_styling: String = styled.stdout.replace('\u{1b}', "");
    assert!(
        !without_styling.contains(&ACTIVE[1..]),
        "{:?}",
        styled.stdout
    );
}

/// The `json` output of `check --config config log`, the log streamed whatever its size.
fn check_streamed(config: &str, log: &str) -> String {
    let args = [
        "check",
        "--format",
        "json",
        "--config",
        config,
        "--stream-above",
        "0",
        log,
    ];
    run(&args).stdout
}

#[test]
fn limits_from_a_settings_file_are_honoured() {
    let (_d, cfg) = temp_file(
        "settings.json",
        br#"{"runlog.limits.maxBodySize": 10, "runlog.limits.maxNestingDepth": 3}"#,
    );
    let (_l, log) = temp_file(
        "log.json",
        br#"[{"url": "/a", "status": 404, "body": "a body longer than ten bytes"},
{"url": "/b", "status": 500, "body": {"a": {"b": {"c": 1}}}}]"#,
    );
    let cfg = cfg.to_string_lossy().into_owned();
    let log = log.to_string_lossy().into_owned();
    let out = run(&["check", "--format", "json", "--config", &cfg, &log]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let findings = json_of(&out);
    let limits: Vec<&str> = findings
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["kind"] == "limit-reached")
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert_eq!(
        limits,
        [
            "A response body longer than 10 bytes once decoded was read only that far (runlog.limits.maxBodySize), starting with this one.",
            "The JSON is nested more than 3 levels deep here; the deeper values were not analysed (runlog.limits.maxNestingDepth)."
        ]
    );
    // Streamed, the limits give the same findings (their files are read whole instead).
    assert_eq!(check_streamed(&cfg, &log), out.stdout);
    let (_b, body) = temp_file("body.json", br#"{"runlog.limits.maxBodySize": 10}"#);
    let body = body.to_string_lossy().into_owned();
    let whole = run(&["check", "--format", "json", "--config", &body, &log]);
    assert!(
        whole.stdout.contains("runlog.limits.maxBodySize"),
        "{}",
        whole.stdout
    );
    assert_eq!(check_streamed(&body, &log), whole.stdout);
    let (_d, lines) = temp_file("line.json", br#"{"runlog.limits.maxLineLength": 40}"#);
    let (_l, jsonl) = temp_file(
        "log.jsonl",
        b"{\"status\": 500, \"body\": \"a line far longer than forty bytes\"}\n{\"status\": 404}\n{\"status\": 200}\n",
    );
    let lines = lines.to_string_lossy().into_owned();
    let jsonl = jsonl.to_string_lossy().into_owned();
    let whole = run(&["check", "--format", "json", "--config", &lines, &jsonl]);
    assert!(
        whole.stdout.contains("runlog.limits.maxLineLength"),
        "{}",
        whole.stdout
    );
    assert_eq!(check_streamed(&lines, &jsonl), whole.stdout);
    // Without the file: no limit is hit.
    let out = run(&["check", "--format", "json", &log]);
    assert!(!out.stdout.contains("limit-reached"), "{}", out.stdout);
}

#[test]
fn json_and_sarif_keep_the_values_but_write_hidden_characters_as_escapes() {
    let (_d, log) = temp_file("capture.har", capture().as_bytes());
    let log = log.to_string_lossy().into_owned();
    for format in ["json", "sarif"] {
        let out = run(&["check", "--format", format, &log]);
        assert!(!out.stdout.contains(ACTIVE), "{format}: {}", out.stdout);
        let value = json_of(&out);
        assert!(
            value.is_array() || value.is_object(),
            "{format} is still JSON"
        );
    }
    let hidden = "[{\"name\": \"Sync \u{202e}gnp.exe\", \"status\": 500, \"url\": \"https://api.example.com/\u{200b}x\"}]";
    let (_d, log) = temp_file("bidi.json", hidden.as_bytes());
    let out = run(&["check", "--format", "json", &log.to_string_lossy()]);
    assert!(
        out.stdout.contains("\\u202e") && out.stdout.contains("\\u200b"),
        "{}",
        out.stdout
    );
    let value = json_of(&out);
    assert_eq!(
        value[0]["step"], "Sync \u{202e}gnp.exe",
        "the value itself is kept"
    );
}
