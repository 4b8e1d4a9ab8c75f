//! Failures grouped by cause over the protocol: the summary lens and its hover, `runlog/failures`
//! for one log and across open logs and a watched file, `runlog.showFailures`, and groups that
//! stay put under edits that do not change a cause.

use super::support::{file_uri, Client, Options};
use super::{pos, seed_client, URI as SEED_URI};
use serde_json::{json, Value};

const ORDERS: &str = "file:///work/logs/orders.jsonl";
const PAYMENTS: &str = "file:///work/logs/payments.jsonl";

fn call(method: &str, url: &str, status: u16, message: &str) -> String {
    format!(
        "{{\"method\": \"{method}\", \"url\": \"{url}\", \"statusCode\": {status}, \"body\": {{\"message\": \"{message}\"}}}}\n"
    )
}

/// Three calls failing the same way (an order id in the URL and the message), one other cause,
/// one passing call.
fn orders_log() -> String {
    let mut text = String::new();
    for id in [1001, 1002] {
        text.push_str(&call(
            "GET",
            &format!("https://shop.example/orders/{id}"),
            404,
            &format!("Order {id} not found"),
        ));
    }
    text.push_str(&call("GET", "https://shop.example/health", 200, "ok"));
    text.push_str(&call(
        "POST",
        "https://shop.example/orders",
        500,
        "Database timeout after 3000 ms",
    ));
    text.push_str(&call(
        "GET",
        "https://shop.example/orders/1003",
        404,
        "Order 1003 not found",
    ));
    text
}

fn failures(c: &mut Client, uri: Option<&str>) -> Vec<Value> {
    let params = match uri {
        Some(uri) => json!({"textDocument": {"uri": uri}}),
        None => json!({}),
    };
    let answer = c
        .request("runlog/failures", params)
        .expect("runlog/failures answers");
    answer["groups"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("no groups in {answer}"))
}

/// `(code, count)` of each group, in order.
fn summary(groups: &[Value]) -> Vec<(String, u64)> {
    groups
        .iter()
        .map(|g| {
            (
                g["code"].as_str().unwrap_or("?").to_string(),
                g["count"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn summary_lens(c: &mut Client, uri: &str) -> Value {
    let lenses = c
        .request(
            "textDocument/codeLens",
            json!({"textDocument": {"uri": uri}}),
        )
        .expect("codeLens answers");
    lenses
        .as_array()
        .into_iter()
        .flatten()
        .find(|l| l["command"]["command"] == "runlog.showFailures")
        .cloned()
        .unwrap_or_else(|| panic!("no summary lens in {lenses:#}"))
}

#[test]
fn lens_hover_and_groups_of_a_log_with_repeated_causes() {
    let mut c = Client::start(Options::default());
    let text = orders_log();
    c.open(ORDERS, &text);
    let lens = summary_lens(&mut c, ORDERS);
    assert_eq!(lens["command"]["title"], "4 failing calls · 2 causes");
    assert_eq!(lens["range"]["start"], json!({"line": 0, "character": 0}));
    assert_eq!(lens["command"]["arguments"][0]["uri"], ORDERS);

    let groups = failures(&mut c, Some(ORDERS));
    assert_eq!(
        summary(&groups),
        vec![("404".to_string(), 3), ("500".to_string(), 1)]
    );
    let first = &groups[0];
    assert_eq!(first["status"], 404);
    assert_eq!(first["reason"], "Not Found");
    assert_eq!(first["explanation"], "Order <n> not found");
    assert_eq!(first["method"], "GET");
    assert_eq!(first["endpoint"], "https://shop.example/orders/{id}");
    assert!(first["key"]
        .as_str()
        .is_some_and(|k| k.starts_with("404 GET")));
    // Each call at its status code: lines 0, 1 and 4.
    let starts: Vec<Value> = first["calls"]
        .as_array()
        .expect("calls")
        .iter()
        .map(|call| {
            assert_eq!(call["uri"], ORDERS);
            call["range"]["start"].clone()
        })
        .collect();
    assert_eq!(
        starts,
        vec![
            pos(&text, "404", 0),
            pos(&text, "404", 1),
            pos(&text, "404", 2)
        ]
    );
    assert_eq!(groups[1]["explanation"], "Database timeout after <n> ms");

    // The hover of the lens's line lists the groups (not on a status code).
    let hover = c
        .request("textDocument/hover", Client::at(ORDERS, 0, 0))
        .expect("hover answers");
    let md = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(md.contains("4 failing calls · 2 causes"), "{md}");
    assert!(md.contains("**3×** 404 Not Found"), "{md}");
    assert!(
        md.contains("`GET https://shop.example/orders/{id}`"),
        "{md}"
    );

    // The lens's command answers the same groups.
    let shown = c
        .request(
            "workspace/executeCommand",
            json!({"command": "runlog.showFailures", "arguments": lens["command"]["arguments"]}),
        )
        .expect("runlog.showFailures answers");
    assert_eq!(shown["groups"], json!(groups));
}

#[test]
fn lens_and_groups_of_a_log_with_a_single_failing_call() {
    let (mut c, text) = seed_client();
    let lens = summary_lens(&mut c, SEED_URI);
    assert_eq!(lens["command"]["title"], "1 failing call · 1 cause");
    let groups = failures(&mut c, Some(SEED_URI));
    assert_eq!(summary(&groups), vec![("400".to_string(), 1)]);
    let g = &groups[0];
    assert_eq!(g["method"], "POST");
    assert_eq!(
        g["endpoint"],
        "https://us21.api.mailchimp.com/3.0/lists/{id}/members"
    );
    assert_eq!(
        g["explanation"],
        "Member Exists: <email> is already a list member. Use PUT to insert or update list members."
    );
    let call = &g["calls"][0];
    assert_eq!(call["range"]["start"], pos(&text, "400", 0));
    // The run and step are named when the log names them.
    assert!(call["name"].is_string(), "{call}");
    // A passing log: no lens, no group.
    let quiet = "file:///work/logs/quiet.jsonl";
    c.open(quiet, &call_ok());
    assert_eq!(failures(&mut c, Some(quiet)), Vec::<Value>::new());
    let lenses = c
        .request(
            "textDocument/codeLens",
            json!({"textDocument": {"uri": quiet}}),
        )
        .expect("codeLens answers");
    assert!(
        !lenses.to_string().contains("runlog.showFailures"),
        "{lenses}"
    );
}

fn call_ok() -> String {
    call("GET", "https://shop.example/health", 200, "ok")
}

#[test]
fn groups_are_stable_under_edits() {
    let mut c = Client::start(Options::default());
    let text = orders_log();
    c.open(ORDERS, &text);
    let before = failures(&mut c, Some(ORDERS));

    // One call's body says another id (an edit inside the call, by position): same groups.
    let at = pos(&text, "Order 1002", 0);
    let start = at["character"].as_u64().expect("character") + "Order ".len() as u64;
    let version = c.version(ORDERS) + 1;
    c.set_version(ORDERS, version);
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": ORDERS, "version": version}, "contentChanges": [{
            "range": {"start": {"line": at["line"], "character": start},
                      "end": {"line": at["line"], "character": start + 4}},
            "text": "98765"
        }]}),
    );
    let edited = c.diagnostics(ORDERS);
    assert!(
        edited.iter().any(|d| d["message"]
            .as_str()
            .is_some_and(|m| m.contains("Order 98765 not found"))),
        "{edited:#?}"
    );
    let after = failures(&mut c, Some(ORDERS));
    assert_eq!(after, before, "the same groups, keys and locations");
    assert_eq!(
        summary_lens(&mut c, ORDERS)["command"]["title"],
        "4 failing calls · 2 causes"
    );

    // A call with another cause is appended: one more group, the others unchanged.
    let mut grown = text.replace("Order 1002", "Order 98765");
    grown.push_str(&call(
        "POST",
        "https://shop.example/payments",
        402,
        "Card declined",
    ));
    c.replace(ORDERS, &grown);
    c.diagnostics(ORDERS);
    let grown_groups = failures(&mut c, Some(ORDERS));
    assert_eq!(
        summary(&grown_groups),
        vec![
            ("404".to_string(), 3),
            ("500".to_string(), 1),
            ("402".to_string(), 1)
        ]
    );
    assert_eq!(grown_groups[..2], before[..]);
    assert_eq!(
        summary_lens(&mut c, ORDERS)["command"]["title"],
        "5 failing calls · 3 causes"
    );
}

#[test]
fn failures_across_two_open_logs_and_a_watched_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let logs = dir.path().join("logs");
    std::fs::create_dir_all(&logs).expect("mkdir");
    // On disk, watched, never opened: one more call of the orders' 404 cause, and a 503.
    let disk_text = format!(
        "{}{}",
        call(
            "GET",
            "https://shop.example/orders/2001",
            404,
            "Order 2001 not found"
        ),
        call(
            "GET",
            "https://shop.example/stock",
            503,
            "Service unavailable"
        ),
    );
    std::fs::write(logs.join("nightly.jsonl"), &disk_text).expect("write log");
    let root = dir.path().canonicalize().expect("canonical root");
    let disk_uri = file_uri(&root.join("logs/nightly.jsonl"));
    let mut c = Client::start(Options {
        root: Some(root.clone()),
        initialization_options: json!({"runlog": {"files": {"watch": ["logs/*.jsonl"]}}}),
        ..Options::default()
    });
    let d = c.disk_diagnostics(&disk_uri);
    assert_eq!(d.len(), 2, "{d:#?}");

    let orders = orders_log();
    c.open(ORDERS, &orders);
    let payments = format!(
        "{}{}",
        call(
            "POST",
            "https://shop.example/payments",
            402,
            "Card declined"
        ),
        call(
            "POST",
            "https://shop.example/payments",
            402,
            "Card declined"
        ),
    );
    c.open(PAYMENTS, &payments);

    let groups = failures(&mut c, None);
    assert_eq!(
        summary(&groups),
        vec![
            ("404".to_string(), 4),
            ("402".to_string(), 2),
            ("500".to_string(), 1),
            ("503".to_string(), 1)
        ],
        "{groups:#?}"
    );
    // The orders' cause holds the open log's three calls, then the file's.
    let uris: Vec<&str> = groups[0]["calls"]
        .as_array()
        .expect("calls")
        .iter()
        .filter_map(|c| c["uri"].as_str())
        .collect();
    assert_eq!(uris, vec![ORDERS, ORDERS, ORDERS, disk_uri.as_str()]);
    assert_eq!(
        groups[0]["calls"][3]["range"]["start"],
        pos(&disk_text, "404", 0)
    );
    assert_eq!(groups[1]["calls"][0]["uri"], PAYMENTS);
    assert_eq!(groups[3]["calls"][0]["uri"], disk_uri.as_str());

    // One watched file alone, and the command without arguments.
    let disk_only = failures(&mut c, Some(&disk_uri));
    assert_eq!(
        summary(&disk_only),
        vec![("404".to_string(), 1), ("503".to_string(), 1)]
    );
    let shown = c
        .request(
            "workspace/executeCommand",
            json!({"command": "runlog.showFailures", "arguments": []}),
        )
        .expect("runlog.showFailures answers");
    assert_eq!(shown["groups"], json!(groups));
    // `[]` and `null` params (a Lua `{}`) mean every log too.
    for params in [json!([]), Value::Null] {
        let answer = c
            .request("runlog/failures", params.clone())
            .unwrap_or_else(|e| panic!("runlog/failures with {params}: {e}"));
        assert_eq!(answer["groups"], json!(groups), "{params}");
    }

    // The watched file is deleted: its calls leave the groups.
    std::fs::remove_file(root.join("logs/nightly.jsonl")).expect("delete");
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": disk_uri, "type": 3}]}),
    );
    assert_eq!(c.disk_diagnostics(&disk_uri), Vec::<Value>::new());
    assert_eq!(
        summary(&failures(&mut c, None)),
        vec![
            ("404".to_string(), 3),
            ("402".to_string(), 2),
            ("500".to_string(), 1)
        ]
    );
}
