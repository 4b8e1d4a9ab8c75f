use super::*;
use crate::core::analyze;

/// The command of the call whose status is `status` in `text`.
fn command_for(text: &str, status: u16, config: &AnalysisConfig) -> Curl {
    let analysis = analyze(text, config);
    let index = analysis
        .exchanges
        .iter()
        .position(|e| e.status == status)
        .unwrap_or_else(|| panic!("no {status} call in {:?}", analysis.exchanges));
    curl(text, &analysis, index, config).expect("a command")
}

fn assert_no_secret(cmd: &Curl, secrets: &[&str]) {
    for s in secrets {
        assert!(
            !cmd.command.contains(s),
            "{s} leaked into:\n{}",
            cmd.command
        );
    }
}

const TOKEN: &str = "tok_SECRET_9f8e7d6c5b4a";
const TENANT: &str = "TENANT_VALUE_77";

fn har() -> String {
    let body = serde_json::json!({
        "password": "PASSWORD_SECRET_5",
        "note": format!("sent with {TOKEN}"),
        "tenant": format!("for {TENANT}"),
        "retries": 3
    })
    .to_string();
    serde_json::json!({"log": {"version": "1.2", "entries": [{
        "request": {
            "method": "POST",
            "url": "https://user:USERINFO_SECRET@api.example.com/v1/items?api_key=QUERY_SECRET_1&page=2#access_token=FRAG_SECRET",
            "headers": [
                {"name": ":authority", "value": "api.example.com"},
                {"name": "Authorization", "value": format!("Bearer {TOKEN}")},
                {"name": "X-API-Key", "value": "APIKEY_SECRET_2"},
                {"name": "Cookie", "value": "session=COOKIE_SECRET_3"},
                {"name": "X-Tenant-Id", "value": TENANT},
                {"name": "Content-Type", "value": "application/json"},
                {"name": "Content-Length", "value": "99"}
            ],
            "postData": {"mimeType": "application/json", "text": body}
        },
        "response": {"status": 201, "statusText": "Created", "headers": [],
            "content": {"mimeType": "application/json", "text": "{\"id\": 1}"}}
    }]}})
    .to_string()
}

#[test]
fn a_har_entry_has_every_secret_as_a_variable_and_none_in_the_text() {
    let config = AnalysisConfig {
        redact: vec!["X-Tenant-Id".to_string()],
        ..AnalysisConfig::default()
    };
    let cmd = command_for(&har(), 201, &config);
    let c = &cmd.command;
    assert_no_secret(
        &cmd,
        &[
            TOKEN,
            TENANT,
            "USERINFO_SECRET",
            "QUERY_SECRET_1",
            "APIKEY_SECRET_2",
            "COOKIE_SECRET_3",
            "PASSWORD_SECRET_5",
            "FRAG_SECRET",
        ],
    );
    assert_eq!(
        cmd.variables,
        [
            "USERINFO",
            "API_KEY",
            "AUTHORIZATION",
            "X_API_KEY",
            "COOKIE",
            "X_TENANT_ID",
            "PASSWORD"
        ]
    );
    assert!(
        c.starts_with(
            "# set USERINFO, API_KEY, AUTHORIZATION, X_API_KEY, COOKIE, X_TENANT_ID, PASSWORD before running\n"
        ),
        "{c}"
    );
    assert!(
        c.contains("curl \"https://api.example.com/v1/items?api_key=$API_KEY&page=2\""),
        "{c}"
    );
    assert!(c.contains("-u \"$USERINFO\""), "{c}");
    assert!(
        c.contains("-H \"Authorization: Bearer $AUTHORIZATION\""),
        "{c}"
    );
    assert!(c.contains("-H \"X-API-Key: $X_API_KEY\""), "{c}");
    assert!(c.contains("-H \"Cookie: $COOKIE\""), "{c}");
    assert!(c.contains("-H \"X-Tenant-Id: $X_TENANT_ID\""), "{c}");
    assert!(c.contains("-H 'Content-Type: application/json'"), "{c}");
    assert!(
        !c.contains(":authority") && !c.contains("Content-Length"),
        "{c}"
    );
    // POST is implied by the body; the body's secret key is a variable, bare number kept.
    assert!(!c.contains("-X POST"), "{c}");
    assert!(
        c.contains(r#"--data-raw '{"password":"'"${PASSWORD}"'","note":"sent with [redacted]","tenant":"for [redacted]","retries":3}'"#),
        "{c}"
    );
}

#[test]
fn a_run_log_step_reads_headers_kept_in_an_escaped_string() {
    let text = r#"{"runs": [{"run_id": "r1", "steps": [{
  "name": "Create member",
  "network_code": 400,
  "payload": {
    "Request": {
      "Method": "put",
      "URL": "https://us21.api.mailchimp.com/3.0/lists/abc/members?apikey=QSECRET_42",
      "Headers": "{\"Authorization\": \"apikey KEYSECRET_7\", \"X-Trace\": \"t-1\", \"Content-Type\": \"application/json\"}",
      "Body": "{\"email_address\": \"o'neil@example.com\", \"client_secret\": \"CS_SECRET_8\"}"
    },
    "Response": {"Body": "{\"title\": \"Invalid Resource\", \"detail\": \"bad\"}"}
  }
}]}]}"#;
    let cmd = command_for(text, 400, &AnalysisConfig::default());
    let c = &cmd.command;
    assert_no_secret(&cmd, &["QSECRET_42", "KEYSECRET_7", "CS_SECRET_8"]);
    assert_eq!(cmd.variables, ["APIKEY", "AUTHORIZATION", "CLIENT_SECRET"]);
    assert!(c.contains("curl -X PUT \"https://us21.api.mailchimp.com/3.0/lists/abc/members?apikey=$APIKEY\" \\\n"), "{c}");
    assert!(
        c.contains("-H \"Authorization: apikey $AUTHORIZATION\""),
        "{c}"
    );
    assert!(c.contains("-H 'X-Trace: t-1'"), "{c}");
    assert!(
        c.contains(r#"--data-raw '{"email_address":"o'\''neil@example.com","client_secret":"'"${CLIENT_SECRET}"'"}'"#),
        "{c}"
    );
}

#[test]
fn a_newman_execution_uses_its_url_object_header_list_and_raw_body() {
    let text = r#"{"collection": {"info": {"name": "API"}}, "run": {"executions": [{
  "item": {"name": "Add member"},
  "request": {
    "url": {"protocol": "https", "host": ["api", "example", "com"], "path": ["v1", "members"],
            "query": [{"key": "token", "value": "QTOKEN_SECRET"}, {"key": "dry", "value": "1"}]},
    "header": [
      {"key": "Authorization", "value": "Basic BASIC_SECRET_99"},
      {"key": "X-Off", "value": "no", "disabled": true},
      {"key": "Content-Type", "value": "application/json"}
    ],
    "method": "POST",
    "body": {"mode": "raw", "raw": "{\"email\": \"a@example.com\"}"}
  },
  "response": {"code": 500, "status": "Internal Server Error", "stream": {"type": "Buffer", "data": [123, 125]}}
}]}}"#;
    let cmd = command_for(text, 500, &AnalysisConfig::default());
    let c = &cmd.command;
    assert_no_secret(&cmd, &["QTOKEN_SECRET", "BASIC_SECRET_99"]);
    assert_eq!(cmd.variables, ["TOKEN", "AUTHORIZATION"]);
    assert!(
        c.contains("curl \"https://api.example.com/v1/members?token=$TOKEN&dry=1\""),
        "{c}"
    );
    assert!(
        c.contains("-H \"Authorization: Basic $AUTHORIZATION\""),
        "{c}"
    );
    assert!(!c.contains("X-Off"), "{c}");
    assert!(
        c.contains(r#"--data-raw '{"email": "a@example.com"}'"#),
        "{c}"
    );
}

#[test]
fn newman_urlencoded_bodies_send_each_field_and_hide_secret_ones() {
    let text = r#"{"run": {"executions": [{
  "request": {"url": "https://auth.example.com/oauth/token", "method": "POST", "header": [],
    "body": {"mode": "urlencoded", "urlencoded": [
      {"key": "grant_type", "value": "client_credentials"},
      {"key": "client_secret", "value": "FORM_SECRET_1"}]}},
  "response": {"code": 401}
}]}}"#;
    let cmd = command_for(text, 401, &AnalysisConfig::default());
    assert_no_secret(&cmd, &["FORM_SECRET_1"]);
    assert!(
        cmd.command
            .contains("--data-urlencode grant_type=client_credentials"),
        "{}",
        cmd.command
    );
    assert!(
        cmd.command
            .contains("--data-urlencode \"client_secret=$CLIENT_SECRET\""),
        "{}",
        cmd.command
    );
}

#[test]
fn a_form_body_and_a_get_without_body_and_a_binary_body() {
    let text = r#"[
 {"request": {"method": "POST", "url": "https://x.example/token", "headers": {"Content-Type": "application/x-www-form-urlencoded"},
   "body": "grant_type=password&username=ann&password=PW_SECRET_1"}, "status": 400},
 {"request": {"method": "GET", "url": "https://x.example/a b"}, "status": 404},
 {"request": {"method": "DELETE", "url": "https://x.example/c"}, "status": 409},
 {"request": {"method": "PUT", "url": "https://x.example/upload", "body": {"type": "Buffer", "data": [1, 2, 3]}}, "status": 413}
]"#;
    let config = AnalysisConfig::default();
    let form = command_for(text, 400, &config);
    assert_no_secret(&form, &["PW_SECRET_1"]);
    assert!(
        form.command
            .contains("--data-raw \"grant_type=password&username=ann&password=$PASSWORD\""),
        "{}",
        form.command
    );
    let get = command_for(text, 404, &config);
    assert_eq!(get.command, "curl 'https://x.example/a b'");
    assert!(get.variables.is_empty());
    let delete = command_for(text, 409, &config);
    assert_eq!(delete.command, "curl -X DELETE https://x.example/c");
    let binary = command_for(text, 413, &config);
    assert!(
        binary.command.starts_with("# the request body is binary"),
        "{}",
        binary.command
    );
    assert!(
        binary.command.ends_with("--data-binary @-"),
        "{}",
        binary.command
    );
    assert!(binary.command.contains("-X PUT"), "{}", binary.command);
}

#[test]
fn a_call_without_url_has_no_command() {
    let text = r#"[{"name": "step", "status": 500, "body": "oops"}]"#;
    let config = AnalysisConfig::default();
    let analysis = analyze(text, &config);
    assert_eq!(curl(text, &analysis, 0, &config), None);
}

#[test]
fn variable_names_follow_their_keys() {
    assert_eq!(variable_name("Authorization"), "AUTHORIZATION");
    assert_eq!(variable_name("x-api-key"), "X_API_KEY");
    assert_eq!(variable_name("api_key"), "API_KEY");
    assert_eq!(variable_name("1password"), "_1PASSWORD");
    assert_eq!(variable_name("--"), "SECRET");
}

/// Runs `command` in `sh` with `curl` a function printing its arguments NUL-separated, and the
/// variables in `env`; returns the arguments curl would have received.
fn curl_arguments(command: &str, env: &[(&str, &str)]) -> Vec<String> {
    let script = format!("curl() {{ for a; do printf '%s\\0' \"$a\"; done; }}\n{command}\n");
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(&script)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", "/home/nobody")
        .envs(env.iter().copied())
        .output()
        .expect("sh runs");
    assert!(out.status.success(), "sh failed: {:?}\n{script}", out);
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    let mut args: Vec<String> = stdout.split('\0').map(str::to_string).collect();
    assert_eq!(args.pop().as_deref(), Some(""), "NUL-terminated");
    args
}

#[test]
fn the_command_round_trips_through_a_posix_shell() {
    let body =
        "it's \"quoted\"\nline two $HOME `whoami` $(id) \\ back\\slash ! héllo ✓\n\ttab 'end'";
    let url = "https://api.example.com/v1/it's?q=$HOME&key=QKEY_SECRET&x=`id`";
    let text = serde_json::json!({"log": {"entries": [{
        "request": {"method": "PATCH", "url": url, "headers": [
            {"name": "Authorization", "value": "Bearer AUTH_SECRET_1"},
            {"name": "X-Weird", "value": "a'b\"c$d`e!f"},
            {"name": "X-Empty", "value": ""}
        ], "postData": {"mimeType": "text/plain", "text": body}},
        "response": {"status": 422, "content": {"text": "no"}}
    }]}})
    .to_string();
    let cmd = command_for(&text, 422, &AnalysisConfig::default());
    assert_no_secret(&cmd, &["QKEY_SECRET", "AUTH_SECRET_1"]);
    let args = curl_arguments(
        &cmd.command,
        &[("AUTHORIZATION", "tok-1 two"), ("KEY", "k'$1")],
    );
    assert_eq!(
        args,
        [
            "-X",
            "PATCH",
            "https://api.example.com/v1/it's?q=$HOME&key=k'$1&x=`id`",
            "-H",
            "Authorization: Bearer tok-1 two",
            "-H",
            "X-Weird: a'b\"c$d`e!f",
            "-H",
            "X-Empty;",
            "--data-raw",
            body,
        ],
        "{}",
        cmd.command
    );
}

#[test]
fn a_json_body_with_secrets_round_trips_with_the_variables_set() {
    let body = r#"{"user": "o'neil", "password": "PW_1", "pin": 1234, "note": "$HOME `x`"}"#;
    let text = serde_json::json!({"log": {"entries": [{
        "request": {"method": "POST", "url": "https://x.example/login", "headers": [],
            "postData": {"mimeType": "application/json", "text": body}},
        "response": {"status": 401, "content": {"text": "no"}}
    }]}})
    .to_string();
    let config = AnalysisConfig {
        redact: vec!["pin".to_string()],
        ..AnalysisConfig::default()
    };
    let cmd = command_for(&text, 401, &config);
    assert_eq!(cmd.variables, ["PASSWORD", "PIN"]);
    assert_no_secret(&cmd, &["PW_1", "1234"]);
    let args = curl_arguments(&cmd.command, &[("PASSWORD", "p'w\"1"), ("PIN", "42")]);
    assert_eq!(
        args,
        [
            "https://x.example/login",
            "--data-raw",
            r#"{"user":"o'neil","password":"p'w"1","pin":42,"note":"$HOME `x`"}"#,
        ]
    );
}

#[test]
fn words_are_quoted_for_posix_shells() {
    let lit = |s: &str| vec![Seg::Lit(s.to_string())];
    assert_eq!(quote(&lit("POST")), "POST");
    assert_eq!(quote(&lit("")), "''");
    assert_eq!(quote(&lit("it's")), r"'it'\''s'");
    assert_eq!(
        quote(&[Seg::Lit("A: b ".into()), Seg::Var("X".into())]),
        "\"A: b $X\""
    );
    assert_eq!(
        quote(&[Seg::Var("X".into()), Seg::Lit("y".into())]),
        "\"${X}y\""
    );
    assert_eq!(
        quote(&[Seg::Lit("$a=".into()), Seg::Var("X".into())]),
        "'$a='\"${X}\""
    );
}
