use super::*;
use crate::core::analyze;

/// A HAR whose one entry sent `headers` and got `status` with a JSON `body` (written as a
/// JSON string value inside the HAR).
fn har(headers: &str, status: u16, body: &str) -> String {
    let text = serde_json::to_string(body).expect("a string");
    format!(
        r#"{{"log": {{"version": "1.2", "entries": [{{
  "request": {{"method": "GET", "url": "https://api.example.com/v1/me", "headers": [{headers}]}},
  "response": {{"status": {status}, "statusText": "", "headers": [],
    "content": {{"mimeType": "application/json", "text": {text}}}}}
}}]}}}}"#
    )
}

fn only_finding(text: &str, config: &AnalysisConfig) -> crate::core::Finding {
    let analysis = analyze(text, config);
    assert_eq!(analysis.findings.len(), 1, "{:?}", analysis.findings);
    analysis.findings.into_iter().next().expect("one finding")
}

#[test]
fn an_echoed_bearer_token_is_hidden_and_the_reason_kept() {
    let token = "tok_9f8e7d6c5b4a";
    let text = har(
        &format!(r#"{{"name": "Authorization", "value": "Bearer {token}"}}"#),
        401,
        &format!(
            r#"{{"error": "invalid_token", "error_description": "The access token {token} has expired"}}"#
        ),
    );
    let finding = only_finding(&text, &AnalysisConfig::default());
    assert!(!finding.message.contains(token), "{}", finding.message);
    assert!(
        finding.message.contains("has expired"),
        "{}",
        finding.message
    );
    assert!(finding.message.contains(REDACTED), "{}", finding.message);
    let report = finding.report.expect("a call report");
    let shown = format!("{report:?}");
    assert!(!shown.contains(token), "{shown}");
    assert!(!report.full_explanation().unwrap().contains(token));
}

#[test]
fn a_value_under_a_user_redact_name_is_hidden_wherever_it_appears() {
    let tenant = "acme-tenant-42";
    let text = har(
        &format!(r#"{{"name": "X-Tenant-Id", "value": "{tenant}"}}"#),
        403,
        &format!(r#"{{"message": "Tenant {tenant} is suspended until the invoice is paid"}}"#),
    );
    // Without the setting, the tenant is an ordinary value.
    let plain = only_finding(&text, &AnalysisConfig::default());
    assert!(plain.message.contains(tenant), "{}", plain.message);

    let config = AnalysisConfig {
        redact: vec!["x-tenant-id".to_string()],
        ..AnalysisConfig::default()
    };
    let finding = only_finding(&text, &config);
    assert!(!finding.message.contains(tenant), "{}", finding.message);
    assert!(finding
        .message
        .contains("is suspended until the invoice is paid"));
    let report = finding.report.expect("a call report");
    assert!(!report
        .redactor
        .text(&format!("id={tenant}"))
        .contains(tenant));
}

#[test]
fn cookie_values_and_escaped_credentials_are_secrets_too() {
    let session = "sess-4f1c2b9a77";
    let text = har(
        &format!(r#"{{"name": "Cookie", "value": "theme=dark; session={session}"}}"#),
        401,
        &format!(r#"{{"message": "Session {session} is not valid any more"}}"#),
    );
    let finding = only_finding(&text, &AnalysisConfig::default());
    assert!(!finding.message.contains(session), "{}", finding.message);
    // Short cookie values stay: hiding them would blank out ordinary words.
    let report = finding.report.expect("a call report");
    assert_eq!(report.redactor.text("dark mode"), "dark mode");
}

#[test]
fn the_redactor_hides_values_in_json_bodies_and_urls() {
    let key = "k-7781-secret-value";
    let text = har(
        &format!(r#"{{"name": "X-Api-Key", "value": "{key}"}}"#),
        400,
        &format!(r#"{{"message": "bad key {key}"}}"#),
    );
    let finding = only_finding(&text, &AnalysisConfig::default());
    let redactor = &finding.report.as_ref().expect("a report").redactor;
    let mut json = serde_json::json!({"echo": [format!("got {key}")], "n": 1});
    redactor.json(&mut json);
    assert!(!json.to_string().contains(key), "{json}");
    assert!(!redactor
        .url(&format!("https://x.example/cb?state={key}"))
        .contains(key));
    assert!(!format!("{redactor:?}").contains(key));
}

#[test]
fn reports_render_the_same_message_as_the_finding() {
    let text = har("", 404, r#"{"message": "No such user"}"#);
    let analysis = analyze(&text, &AnalysisConfig::default());
    let report = CallReport::new(&text, &analysis.exchanges[0], &AnalysisConfig::default());
    assert_eq!(report.message(), "404 Not Found: No such user");
    assert_eq!(analysis.findings[0].message, report.message());
    assert_eq!(report.request_line(), "GET https://api.example.com/v1/me");
}

#[test]
fn error_prefilter() {
    for raw in [
        r#"{"errors": [{"message": "x"}]}"#,
        r#""{\"ok\":false,\"error\":\"channel_not_found\"}""#,
        r#"{"ok" : false}"#,
        r#"{"success":false}"#,
        r#"{"status": "ERROR", "message": "m"}"#,
        r#""{\"status\":\"failed\"}""#,
    ] {
        assert!(raw_may_report_error(raw.as_bytes()), "{raw}");
    }
    for raw in [
        r#"{"livemode": false, "archived": false}"#,
        r#"{"status": "active", "token": "x"}"#,
        r#"{"ok": true}"#,
        "",
    ] {
        assert!(!raw_may_report_error(raw.as_bytes()), "{raw}");
    }
}
