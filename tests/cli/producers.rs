//! `check --format json` over the producers recognised by content: VCR / Betamax cassettes,
//! JSON Lines records holding their HTTP details in a JSON string, ECS flattened keys.

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
