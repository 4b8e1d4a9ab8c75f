//! A HAR capture whose calls carry hostile text (markdown links, `command:` URIs, HTML, ANSI
//! escapes, bidi and zero-width characters) and secrets in every kind of spot, shared by the
//! LSP and CLI tests.

use serde_json::json;

pub const URI: &str = "file:///tmp/hostile/capture.har";

/// Markdown links, a `command:` URI, raw HTML, ANSI escapes, bidi controls, zero-width chars.
pub const HOSTILE: &str = "Bad [x](https://evil.invalid) [run](command:workbench.action.terminal.new) <img src=x onerror=alert(1)> \u{1b}[31mred\u{1b}[0m \u{202e}gnp.exe\u{202c} \u{2066}iso\u{2069} \u{2067}r\u{2068}f\u{2069} zero\u{200b}width\u{feff}end";

/// Secrets placed in every kind of spot the redaction must cover.
pub const SECRETS: &[&str] = &[
    "hunter2pass",
    "QUERYSECRET1",
    "QUERYSECRET2",
    "SIGNATURESECRET3",
    "COOKIESECRET4",
    "PASSWORDSECRET5",
    "CLIENTSECRET6",
    "SETCOOKIESECRET7",
    "ACCESSSECRET8",
    "APIKEYSECRET9",
    "JWTSIGSECRET10",
    "ADMINPASS11",
    "FRAGMENTSECRET12",
    "TEXTSECRET13",
];

pub fn capture() -> String {
    let body = json!({"error": {
        "message": HOSTILE,
        "access_token": "ACCESSSECRET8",
        "api_key": "APIKEYSECRET9",
        "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI5In0.JWTSIGSECRET10",
        "callback": "https://admin:ADMINPASS11@internal.invalid/hook"
    }});
    let har = json!({"log": {"version": "1.2", "creator": {"name": "test", "version": "1"}, "entries": [{
        "startedDateTime": "2026-12-03T06:00:00.000Z",
        "time": 12,
        "request": {
            "method": "POST",
            "url": "https://user:hunter2pass@api.invalid/v1/items?api_key=QUERYSECRET1&page=2&token=QUERYSECRET2",
            "httpVersion": "HTTP/1.1",
            "headers": [
                {"name": "Authorization", "value": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.SIGNATURESECRET3"},
                {"name": "Cookie", "value": "session=COOKIESECRET4"},
                {"name": "X-Hostile", "value": HOSTILE}
            ],
            "postData": {"mimeType": "application/json", "text": "{\"password\": \"PASSWORDSECRET5\", \"client_secret\": \"CLIENTSECRET6\"}"}
        },
        "response": {
            "status": 400,
            "statusText": HOSTILE,
            "httpVersion": "HTTP/1.1",
            "headers": [
                {"name": "Set-Cookie", "value": "sid=SETCOOKIESECRET7; HttpOnly"},
                {"name": "Retry-After", "value": "[x](command:evil) <b>9</b>"},
                {"name": "Content-Type", "value": "application/json"}
            ],
            "content": {"size": 100, "mimeType": "application/json", "text": body.to_string()}
        }
    }, {
        "startedDateTime": "2026-12-03T06:00:01.000Z",
        "time": 3,
        "request": {"method": "GET", "url": "https://api.invalid/v1/me#access_token=FRAGMENTSECRET12", "httpVersion": "HTTP/1.1", "headers": []},
        "response": {
            "status": 429,
            "statusText": "Too Many Requests",
            "httpVersion": "HTTP/1.1",
            "headers": [
                {"name": "Retry-After", "value": HOSTILE},
                {"name": "X-RateLimit-Reset", "value": "<script>alert(1)</script> `x` **y**"}
            ],
            "content": {"size": 10, "mimeType": "text/plain", "text": "slow down, your token=TEXTSECRET13 is throttled"}
        }
    }]}});
    serde_json::to_string_pretty(&har).expect("json")
}

/// What the 400's explanation and the hostile header become once inert: escapes, bidi and
/// zero-width characters gone, the rest left as text.
pub const HOSTILE_PLAIN: &str = "Bad [x](https://evil.invalid) [run](command:workbench.action.terminal.new) <img src=x onerror=alert(1)> red gnp.exe iso rf zerowidthend";

pub const INVISIBLE: &[char] = &[
    '\u{1b}', '\u{202c}', '\u{202e}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', '\u{200b}',
    '\u{feff}',
];

/// A token the API echoes back in its error message (sent as `Authorization: Bearer …`).
pub const ECHOED_TOKEN: &str = "ECHOEDTOKEN14abc";
/// A value under a header only the user's `runlog.redact` names (`X-Tenant-Id`), echoed too.
pub const TENANT: &str = "TENANTVALUE15";

/// Two failing calls whose bodies quote a secret of their own request back: a 401 naming the
/// rejected token, a 403 naming the tenant sent in `X-Tenant-Id`.
pub fn echo_capture() -> String {
    let entry = |status: u16, header: (&str, String), body: serde_json::Value| {
        json!({
            "startedDateTime": "2026-12-03T06:00:00.000Z",
            "time": 5,
            "request": {"method": "GET", "url": "https://api.invalid/v1/account", "httpVersion": "HTTP/1.1",
                "headers": [{"name": header.0, "value": header.1}]},
            "response": {"status": status, "statusText": "", "httpVersion": "HTTP/1.1", "headers": [],
                "content": {"size": 80, "mimeType": "application/json", "text": body.to_string()}}
        })
    };
    let har = json!({"log": {"version": "1.2", "creator": {"name": "test", "version": "1"}, "entries": [
        entry(401, ("Authorization", format!("Bearer {ECHOED_TOKEN}")),
            json!({"error": "invalid_token", "error_description": format!("The access token {ECHOED_TOKEN} has expired")})),
        entry(403, ("X-Tenant-Id", TENANT.to_string()),
            json!({"message": format!("Tenant {TENANT} is suspended until the invoice is paid")})),
    ]}});
    serde_json::to_string_pretty(&har).expect("json")
}
