//! Copy as cURL over the protocol: the code action on any call, `runlog/curl` for a HAR entry, a
//! run-log step and a Newman execution, the `runlog.copyAsCurl` command, and no secret in any.

use super::capture::{capture, echo_capture, ECHOED_TOKEN, SECRETS, TENANT, URI as CAPTURE_URI};
use super::support::{fixture, Client, Options};
use super::{actions_at, pos, seed_client, URI as SEED_URI};
use serde_json::{json, Value};

fn curl_at(c: &mut Client, uri: &str, position: Value) -> Value {
    c.request(
        "runlog/curl",
        json!({"textDocument": {"uri": uri}, "position": position}),
    )
    .expect("runlog/curl answers")
}

fn command_of(answer: &Value) -> &str {
    answer["command"]
        .as_str()
        .unwrap_or_else(|| panic!("no command in {answer}"))
}

#[test]
fn copy_as_curl_is_offered_on_a_passing_and_a_failing_call() {
    let (mut c, _) = seed_client();
    let diags = c.diagnostics(SEED_URI);
    for (position, diagnostics) in [
        // Step 1, a 200: no diagnostic, the action all the same.
        (json!({"line": 16, "character": 27}), json!([])),
        // Step 2, a 400: attached to its diagnostic.
        (json!({"line": 40, "character": 27}), json!(diags)),
    ] {
        let actions = actions_at(&mut c, SEED_URI, position.clone(), diagnostics.clone());
        let copy = actions
            .iter()
            .find(|a| a["title"] == "Copy as cURL")
            .unwrap_or_else(|| panic!("no Copy as cURL at {position}: {actions:#?}"));
        assert_eq!(copy["kind"], "quickfix");
        assert_eq!(copy["command"]["command"], "runlog.copyAsCurl");
        assert_eq!(copy["command"]["arguments"][0]["uri"], SEED_URI);
        // At the start of the status code.
        assert_eq!(
            copy["command"]["arguments"][0]["position"]["line"],
            position["line"]
        );
        if diagnostics != json!([]) {
            assert_eq!(copy["diagnostics"], diagnostics);
        }
        // What the client runs when the action is chosen.
        let answer = c
            .request(
                "workspace/executeCommand",
                json!({"command": "runlog.copyAsCurl", "arguments": copy["command"]["arguments"]}),
            )
            .expect("command answers");
        assert!(command_of(&answer).contains("curl "), "{answer}");
    }
}

#[test]
fn a_run_log_step_with_object_or_escaped_headers() {
    let (mut c, text) = seed_client();
    let step1 = curl_at(&mut c, SEED_URI, json!({"line": 16, "character": 27}));
    assert_eq!(
        command_of(&step1),
        "# set X_SHOPIFY_ACCESS_TOKEN before running\n\
         curl https://acme-store.myshopify.com/admin/api/2024-01/customers/7310251991321.json \\\n  \
         -H \"X-Shopify-Access-Token: $X_SHOPIFY_ACCESS_TOKEN\" \\\n  \
         -H 'Accept: application/json'"
    );
    assert_eq!(step1["variables"], json!(["X_SHOPIFY_ACCESS_TOKEN"]));
    let step2 = curl_at(&mut c, SEED_URI, pos(&text, "400", 0));
    let cmd = command_of(&step2);
    assert!(
        cmd.contains("-H \"Authorization: Basic $AUTHORIZATION\""),
        "{cmd}"
    );
    assert!(
        cmd.contains(
            r#"--data-raw '{"email_address":"lena.fischer@example.com","status":"subscribed""#
        ),
        "{cmd}"
    );
    for secret in ["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", "YW55c3RyaW5n"] {
        assert!(!step1.to_string().contains(secret) && !cmd.contains(secret));
    }

    // Headers kept in an escaped JSON string, as some platforms log them.
    let escaped = r#"{"runs": [{"run_id": "r1", "steps": [{"name": "Create", "network_code": 401,
  "payload": {"Request": {"Method": "POST", "URL": "https://api.invalid/v2/things",
    "Headers": "{\"X-API-Key\": \"ESCAPEDKEY_1234\", \"Accept\": \"application/json\"}",
    "Body": "{\"name\": \"it's $5\"}"},
  "Response": {"Body": "{\"error\": \"bad key ESCAPEDKEY_1234\"}"}}}]}]}"#;
    let uri = "file:///work/logs/escaped.json";
    c.open(uri, escaped);
    let answer = curl_at(&mut c, uri, pos(escaped, "401", 0));
    let cmd = command_of(&answer);
    assert!(!answer.to_string().contains("ESCAPEDKEY_1234"), "{answer}");
    assert_eq!(
        cmd,
        "# set X_API_KEY before running\n\
         curl https://api.invalid/v2/things \\\n  \
         -H \"X-API-Key: $X_API_KEY\" \\\n  \
         -H 'Accept: application/json' \\\n  \
         --data-raw '{\"name\": \"it'\\''s $5\"}'"
    );
}

#[test]
fn a_newman_execution() {
    let mut c = Client::start(Options::default());
    let text = fixture("newman/newman-report.json");
    let uri = "file:///work/logs/newman-report.json";
    c.open(uri, &text);
    let _ = c.diagnostics(uri);
    let answer = curl_at(&mut c, uri, pos(&text, "\"code\": 400", 0));
    let cmd = command_of(&answer);
    // Postman-Token ends in "token": a variable too.
    assert!(
        cmd.starts_with("# set AUTHORIZATION, POSTMAN_TOKEN before running\ncurl "),
        "{cmd}"
    );
    assert!(
        cmd.contains("-H \"Authorization: Basic $AUTHORIZATION\""),
        "{cmd}"
    );
    assert!(cmd.contains("--data-raw '"), "{cmd}");
    assert!(!cmd.contains("YW55c3RyaW5n"), "{cmd}");
    // Newman's own headers it adds for every request are there, but not Content-Length.
    assert!(!cmd.contains("Content-Length"), "{cmd}");
}

#[test]
fn a_har_entry_and_the_echo_capture_leak_no_secret() {
    let mut c = Client::start(Options {
        initialization_options: json!({"runlog": {"redact": ["X-Tenant-Id"]}}),
        ..Options::default()
    });
    let text = capture();
    c.open(CAPTURE_URI, &text);
    let mut outputs = String::new();
    for code in ["400", "429"] {
        let p = pos(&text, &format!("\"status\": {code}"), 0);
        let answer = curl_at(&mut c, CAPTURE_URI, p.clone());
        command_of(&answer);
        outputs.push_str(&answer.to_string());
        let command = json!({"command": "runlog.copyAsCurl", "arguments": [{"uri": CAPTURE_URI, "position": p}]});
        let answer = c
            .request("workspace/executeCommand", command)
            .expect("command");
        outputs.push_str(&answer.to_string());
    }
    for secret in SECRETS {
        assert!(!outputs.contains(secret), "{secret} leaks: {outputs}");
    }
    let post = curl_at(&mut c, CAPTURE_URI, pos(&text, "\"status\": 400", 0));
    assert_eq!(
        post["variables"],
        json!([
            "USERINFO",
            "API_KEY",
            "TOKEN",
            "AUTHORIZATION",
            "COOKIE",
            "PASSWORD",
            "CLIENT_SECRET"
        ])
    );
    let cmd = command_of(&post);
    assert!(
        cmd.contains("-H \"Authorization: Bearer $AUTHORIZATION\""),
        "{cmd}"
    );
    assert!(
        cmd.contains("?api_key=$API_KEY&page=2&token=$TOKEN"),
        "{cmd}"
    );

    let echo_uri = "file:///tmp/hostile/echo.har";
    let echo = echo_capture();
    c.open(echo_uri, &echo);
    let mut echoed = String::new();
    for code in ["401", "403"] {
        echoed.push_str(
            &curl_at(
                &mut c,
                echo_uri,
                pos(&echo, &format!("\"status\": {code}"), 0),
            )
            .to_string(),
        );
    }
    assert!(
        echoed.contains("$AUTHORIZATION") && echoed.contains("$X_TENANT_ID"),
        "{echoed}"
    );
    for secret in [ECHOED_TOKEN, TENANT] {
        assert!(!echoed.contains(secret), "{secret} leaks: {echoed}");
    }
}

#[test]
fn no_call_no_command() {
    let (mut c, _) = seed_client();
    assert_eq!(
        curl_at(&mut c, SEED_URI, json!({"line": 1, "character": 3})),
        Value::Null
    );
}
