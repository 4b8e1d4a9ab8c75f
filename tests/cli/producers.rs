//! `check --format json` over the producers recognised by content: VCR / Betamax cassettes,
//! n8n exports, JSON Lines records holding their HTTP details in a JSON string, ECS flattened
//! keys; and the `body-truncated` notes on bodies the exporter did not record in full.

use super::{json_of, run};

/// `(line, column, status, explanation)` of every record.
fn records(path: &str) -> Vec<(u64, u64, u64, String, String)> {
    let out = run(&["check", "--format", "json", path]);
    assert_eq!(out.code, 1, "{path}: {}", out.stderr);
    let v = json_of(&out);
    v.as_array()
        .expect("an array")
        .iter()
        .map(|r| {
            (
                r["line"].as_u64().unwrap_or(0),
                r["column"].as_u64().unwrap_or(0),
                r["status"].as_u64().unwrap_or(0),
                r["explanation"].as_str().unwrap_or("").to_string(),
                r["format"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn vcr_cassettes() {
    let forbidden = "Token scope projects:read does not allow deleting projects.";
    let invalid = "email is not a valid address; name can't be blank (Validation failed)";
    let maintenance = "Export service is under maintenance until 10:00 UTC.";
    let got = records("tests/fixtures/vcr/vcrpy-errors.json");
    let want = [
        (73, 29, 403, forbidden),
        (123, 29, 422, invalid),
        (167, 29, 503, maintenance),
    ];
    assert_eq!(got.len(), want.len(), "{got:?}");
    for (g, w) in got.iter().zip(want) {
        assert_eq!((g.0, g.1, g.2, g.3.as_str()), w);
        assert_eq!(g.4, "cassette");
    }
    // Betamax: one line, every body base64, the 503's gzip-compressed.
    let got = records("tests/fixtures/vcr/betamax-errors.json");
    let statuses: Vec<(u64, &str)> = got.iter().map(|g| (g.2, g.3.as_str())).collect();
    assert_eq!(
        statuses,
        [(403, forbidden), (422, invalid), (503, maintenance)]
    );
    assert!(got.iter().all(|g| g.0 == 1 && g.4 == "cassette"));
    let out = run(&[
        "check",
        "--format",
        "json",
        "tests/fixtures/vcr/betamax-errors.json",
    ]);
    assert!(!out.stdout.contains("ghp_TestTokenNotARealSecret"));
}

#[test]
fn ecs_flattened_keys() {
    let got = records("tests/fixtures/jsonl/ecs-flattened.jsonl");
    let want = [
        (
            2,
            306,
            503,
            "Ledger database is in read-only mode during failover.",
        ),
        (
            3,
            313,
            409,
            "Invoice 88 is already finalized and cannot be changed.",
        ),
    ];
    assert_eq!(got.len(), want.len(), "{got:?}");
    for (g, w) in got.iter().zip(want) {
        assert_eq!((g.0, g.1, g.2, g.3.as_str()), w);
        assert_eq!(g.4, "json-lines");
    }
}

#[test]
fn n8n_exports() {
    let got = records("tests/fixtures/n8n/execution-409-run-data.json");
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(
        (got[0].0, got[0].1, got[0].2, got[0].3.as_str()),
        (130, 27, 409, "Contact already exists. Existing ID: 51")
    );
    let out = run(&[
        "check",
        "--format",
        "json",
        "tests/fixtures/n8n/execution-409-run-data.json",
    ]);
    assert_eq!(json_of(&out)[0]["step"], "Create HubSpot contact");
    let got = records("tests/fixtures/n8n/error-details-400.json");
    assert_eq!((got[0].0, got[0].1, got[0].2), (8, 17, 400));
    assert!(got[0].3.starts_with("new row for relation"), "{got:?}");
    let got = records("tests/fixtures/n8n/error-workflow-401.json");
    assert_eq!((got[0].0, got[0].1, got[0].2), (30, 21, 401));
}

#[test]
fn n8n_errors_without_a_status_are_calls_without_response() {
    let execution = "tests/fixtures/n8n/execution-econnrefused.json";
    let details = "tests/fixtures/n8n/error-details-enotfound.json";
    let out = run(&["check", "--format", "json", execution, details]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let records = json_of(&out);
    let records = records.as_array().expect("an array");
    let got: Vec<(&str, u64, u64, &str, &str)> = records
        .iter()
        .map(|r| {
            (
                r["code"].as_str().unwrap_or(""),
                r["line"].as_u64().unwrap_or(0),
                r["column"].as_u64().unwrap_or(0),
                r["step"].as_str().unwrap_or(""),
                r["message"].as_str().unwrap_or(""),
            )
        })
        .collect();
    // The code node's TypeError (no network error named) is not a call.
    assert_eq!(got.len(), 3, "{got:?}");
    // Files in path order.
    let want = [
        (
            "no-response",
            7,
            17,
            "Book pickup",
            "No response (ENOTFOUND)",
        ),
        (
            "no-response",
            80,
            27,
            "Fetch open invoices",
            "No response (ECONNREFUSED)",
        ),
        (
            "no-response",
            123,
            23,
            "Look up customer",
            "No response (ETIMEDOUT)",
        ),
    ];
    for (g, w) in got.iter().zip(want) {
        assert_eq!((g.0, g.1, g.2, g.3), (w.0, w.1, w.2, w.3), "{g:?}");
        assert!(g.4.starts_with(w.4), "{g:?}");
    }
    for r in records {
        assert_eq!(r["status"], serde_json::Value::Null, "{r}");
        assert_eq!(r["severity"], "error", "{r}");
    }
}

#[test]
fn json_strings_inside_a_field() {
    let got = records("tests/fixtures/jsonl/message-json-string.jsonl");
    let got: Vec<(u64, u64, u64, &str)> =
        got.iter().map(|g| (g.0, g.1, g.2, g.3.as_str())).collect();
    assert_eq!(
        got,
        [
            (
                2,
                107,
                422,
                "quantity must be greater than 0 (Validation failed)"
            ),
            (
                3,
                130,
                503,
                "Ledger database is in read-only mode during failover."
            ),
        ]
    );
    let got = records("tests/fixtures/jsonl/docker-json-file.jsonl");
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(
        (got[0].0, got[0].1, got[0].2, got[0].3.as_str()),
        (3, 45, 500, "Template invoice.hbs: missing partial 'footer'")
    );
}

#[test]
fn bodies_not_recorded_in_full() {
    let out = run(&[
        "check",
        "--format",
        "json",
        "tests/fixtures/body-truncated/har-bodies-not-kept.har",
    ]);
    let notes: Vec<(u64, u64, String)> = json_of(&out)
        .as_array()
        .expect("an array")
        .iter()
        .filter(|r| r["code"] == "body-truncated")
        .map(|r| {
            assert_eq!(r["severity"], "information");
            assert!(r["status"].is_null());
            // The note names its call; the call's own record says what the code means.
            assert!(r["step"].is_string() && r["url"].is_string(), "{r}");
            assert!(r["reason"].is_null() && r.get("extras").is_none(), "{r}");
            (
                r["line"].as_u64().unwrap_or(0),
                r["column"].as_u64().unwrap_or(0),
                r["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let at: Vec<(u64, u64)> = notes.iter().map(|n| (n.0, n.1)).collect();
    assert_eq!(at, [(46, 21), (92, 21), (134, 22)]);
    assert!(notes[1]
        .2
        .contains("content.size is 2380 bytes, the text holds 126"));
    // SARIF names the rule.
    let out = run(&[
        "check",
        "--format",
        "sarif",
        "tests/fixtures/body-truncated/logger-cut-bodies.json",
    ]);
    let sarif = json_of(&out);
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    assert!(
        rules.iter().any(|r| r["id"] == "body-truncated"),
        "{rules:?}"
    );
}
