//! The status-code catalogue: the debugging guide's definitions, the IANA registry, well-known
//! vendor codes, the guide's guidance for any other code, and user overrides.
//!
//! One static table sorted by code, looked up by binary search. Definitions of the codes the
//! debugging guide defines are in the guide's wording; every 5xx starts with the guide's
//! 500-series sentence.

use super::model::{Exchange, StatusOverride, StatusSource};
use super::redact;
use std::collections::BTreeMap;

/// Everything known about one status code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusInfo {
    pub code: u16,
    /// "Bad Request"; for unknown codes a neutral label ("Non-standard status").
    pub reason: String,
    /// One or two sentences (the debugging guide's wording for the codes it defines).
    pub definition: String,
    /// 1..=5 for 100..=599, 0 otherwise.
    pub class: u8,
    /// MDN page of a standard code.
    pub mdn: Option<String>,
    pub source: StatusSource,
}

/// The debugging guide's sentence for every code of the 500 series (verbatim, curly apostrophe
/// included).
pub const SERVER_ERROR_SERIES: &str =
    "Error codes in the 500 series are server errors, which happen when an app’s server is down or experiencing other issues.";

/// The debugging guide's guidance for "other error codes", reworded for a single code.
pub const NON_STANDARD_CODE: &str = "This is a non-standard status code, likely specific to the app you are connecting to. If you encounter it, reach out to that app's support team for assistance.";

/// Reason phrase shown for codes nobody defines.
pub const UNKNOWN_REASON: &str = "Non-standard status";

const MDN_BASE: &str = "https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Status/";

/// Where a table entry comes from and whether MDN documents it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// The debugging guide defines it; MDN documents it.
    Guide,
    /// IANA-registered, documented on MDN.
    Iana,
    /// IANA-registered but without an MDN page (deprecated, unused, temporary).
    IanaNoMdn,
    /// A vendor's code; the reason names the vendor.
    Vendor,
}

struct Entry {
    code: u16,
    reason: &'static str,
    definition: &'static str,
    kind: Kind,
}

const fn e(code: u16, reason: &'static str, kind: Kind, definition: &'static str) -> Entry {
    Entry {
        code,
        reason,
        definition,
        kind,
    }
}

use Kind::{Guide, Iana, IanaNoMdn, Vendor};

/// Sorted by code (a test checks it). 5xx definitions here are the code's own sentence; the
/// debugging guide's 500-series sentence is put in front by `lookup`.
static TABLE: &[Entry] = &[
    e(100, "Continue", Iana, "The server received the request headers and the client should go on to send the body. It is an interim response, not the final answer."),
    e(101, "Switching Protocols", Iana, "The server agrees to switch to the protocol the client asked for in its Upgrade header (for example WebSocket)."),
    e(102, "Processing", Iana, "The server has accepted the request and is still working on it; no final response is available yet. Deprecated WebDAV interim response."),
    e(103, "Early Hints", Iana, "An interim response carrying Link headers so the client can start preloading resources while the server prepares the final response."),
    e(104, "Upload Resumption Supported", IanaNoMdn, "An interim response saying the server supports resumable uploads for this request (temporary IANA registration)."),
    e(200, "OK", Iana, "The request succeeded; the body holds the result."),
    e(201, "Created", Iana, "The request succeeded and created a new resource, usually named by the Location header."),
    e(202, "Accepted", Iana, "The request was accepted for processing, but the processing has not finished (and may still fail)."),
    e(203, "Non-Authoritative Information", Iana, "The request succeeded, but a proxy modified the response the origin server returned."),
    e(204, "No Content", Iana, "The request succeeded and there is deliberately no body to return."),
    e(205, "Reset Content", Iana, "The request succeeded and the client should reset the form or view that sent it."),
    e(206, "Partial Content", Iana, "The server is returning only the part of the resource asked for by a Range header."),
    e(207, "Multi-Status", Iana, "A WebDAV response whose body reports a separate status for each of several resources; some of them may have failed."),
    e(208, "Already Reported", Iana, "WebDAV: members of this collection were already listed earlier in the same multi-status response."),
    e(218, "This is fine (Apache)", Vendor, "A non-standard code some Apache-based servers send with an error page when the proxy was told to pass errors through."),
    e(226, "IM Used", Iana, "The server fulfilled a GET request and the response is the result of instance manipulations (delta encoding) applied to the current resource."),
    e(300, "Multiple Choices", Iana, "The resource has several representations and the client (or user) should pick one."),
    e(301, "Moved Permanently", Iana, "The resource now lives at the URL in the Location header, for good; update links and callers."),
    e(302, "Found", Iana, "The resource is temporarily at the URL in the Location header; keep using the original URL."),
    e(303, "See Other", Iana, "The result is at another URL (Location) that should be fetched with GET."),
    e(304, "Not Modified", Iana, "The cached copy the client holds is still current; no body is sent."),
    e(305, "Use Proxy", IanaNoMdn, "Deprecated: the resource had to be accessed through the proxy named in Location. Clients ignore it for security reasons."),
    e(306, "(Unused)", IanaNoMdn, "Reserved: once \"Switch Proxy\", no longer used by HTTP."),
    e(307, "Temporary Redirect", Iana, "The resource is temporarily at the URL in the Location header; repeat the request there with the same method and body."),
    e(308, "Permanent Redirect", Iana, "The resource now lives at the URL in the Location header, for good; repeat the request there with the same method and body."),
    e(400, "Bad Request", Guide, "The request was unacceptable. This happens mostly when a required parameter is missing."),
    e(401, "Unauthorized", Guide, "The request was not authorized because no valid API credentials were provided."),
    e(402, "Payment Required", Guide, "The request failed even though the parameters provided were valid. There can be multiple reasons this happens."),
    e(403, "Forbidden", Guide, "The access was forbidden because the API credentials provided don't have permission to perform the request."),
    e(404, "Not Found", Guide, "The resource that was requested doesn't exist."),
    e(405, "Method Not Allowed", Iana, "The resource exists but does not accept this HTTP method; the Allow header lists the ones it does."),
    e(406, "Not Acceptable", Iana, "The server cannot produce a response in any of the formats the request's Accept headers allow."),
    e(407, "Proxy Authentication Required", Iana, "A proxy between the client and the server needs credentials before it forwards the request."),
    e(408, "Request Timeout", Iana, "The server gave up waiting for the client to finish sending the request."),
    e(409, "Conflict", Guide, "The request conflicts with another request. This can happen for a number of reasons, including using a key or parameter that already exists in the app where you want to create it."),
    e(410, "Gone", Iana, "The resource existed but was removed on purpose and will not come back."),
    e(411, "Length Required", Iana, "The server refuses a request body sent without a Content-Length header."),
    e(412, "Precondition Failed", Iana, "A condition in the request headers (If-Match, If-Unmodified-Since) was false, so the server did not apply the request."),
    e(413, "Content Too Large", Iana, "The request body is larger than the server is willing to process."),
    e(414, "URI Too Long", Iana, "The request URL is longer than the server is willing to read, often because data was put in the query string."),
    e(415, "Unsupported Media Type", Iana, "The server does not accept the body's format (Content-Type or Content-Encoding)."),
    e(416, "Range Not Satisfiable", Iana, "The Range the request asked for lies outside the resource."),
    e(417, "Expectation Failed", Iana, "The server cannot meet the request's Expect header."),
    e(418, "I'm a teapot", Iana, "Registered as \"(Unused)\" by IANA; commonly the April Fools' \"I'm a teapot\" code, which some APIs send to refuse a request they will never serve."),
    e(419, "Page Expired (Laravel)", Vendor, "Laravel's code for a missing or expired CSRF token, usually because the session timed out."),
    e(420, "Enhance Your Calm (Twitter)", Vendor, "Twitter's former rate-limiting code: the client is sending too many requests."),
    e(421, "Misdirected Request", Iana, "The request reached a server that cannot answer for this host (for example a reused HTTP/2 connection)."),
    e(422, "Unprocessable Content", Iana, "The request was well-formed but its content failed validation; the body usually lists the fields at fault."),
    e(423, "Locked", Iana, "WebDAV: the resource is locked and cannot be changed right now."),
    e(424, "Failed Dependency", Iana, "WebDAV: the request failed because another request it depended on failed."),
    e(425, "Too Early", Iana, "The server will not process a request that might be replayed (sent in TLS early data)."),
    e(426, "Upgrade Required", Iana, "The server refuses this protocol; the Upgrade header names the one to switch to."),
    e(428, "Precondition Required", Iana, "The server requires a conditional request (If-Match) so that concurrent updates do not overwrite each other."),
    e(429, "Too Many Requests", Guide, "The API has received too many requests in a short time."),
    e(430, "Request Header Fields Too Large (Shopify)", Vendor, "Shopify's code for a request rejected by its security checks or sent too often; slow down and retry."),
    e(431, "Request Header Fields Too Large", Iana, "The request's headers (or one header, often Cookie) are larger than the server accepts."),
    e(440, "Login Time-out (Microsoft IIS)", Vendor, "Microsoft IIS: the client's session has expired and it must log in again."),
    e(444, "No Response (nginx)", Vendor, "nginx closed the connection without sending any response, usually by a rule that drops unwanted requests."),
    e(449, "Retry With (Microsoft IIS)", Vendor, "Microsoft IIS: the request should be retried after performing the action the server names."),
    e(450, "Blocked by Windows Parental Controls (Microsoft)", Vendor, "Microsoft: Windows Parental Controls blocked access to the page."),
    e(451, "Unavailable For Legal Reasons", Iana, "The server cannot provide the resource for legal reasons, such as a court order or government censorship."),
    e(460, "Client Closed Connection (AWS Elastic Load Balancing)", Vendor, "AWS load balancer: the client closed the connection before the load balancer's idle timeout elapsed."),
    e(463, "Too Many Forwarded IPs (AWS Elastic Load Balancing)", Vendor, "AWS load balancer: the X-Forwarded-For header held more than 30 IP addresses."),
    e(464, "Incompatible Protocol (AWS Elastic Load Balancing)", Vendor, "AWS load balancer: the request's protocol does not match the target group's protocol version."),
    e(494, "Request Header Too Large (nginx)", Vendor, "nginx: the request's headers are too large."),
    e(495, "SSL Certificate Error (nginx)", Vendor, "nginx: the client certificate presented is invalid."),
    e(496, "SSL Certificate Required (nginx)", Vendor, "nginx: a client certificate is required but none was presented."),
    e(497, "HTTP Request Sent to HTTPS Port (nginx)", Vendor, "nginx: a plain HTTP request was sent to a port that expects HTTPS."),
    e(498, "Invalid Token (Esri ArcGIS)", Vendor, "Esri ArcGIS Server: the token sent is expired or otherwise invalid."),
    e(499, "Client Closed Request (nginx)", Vendor, "nginx: the client closed the connection before the server answered, often because the caller timed out first."),
    e(500, "Internal Server Error", Guide, "The server hit an unexpected condition and could not complete the request."),
    e(501, "Not Implemented", Guide, "The server does not support the functionality the request needs (for example this method)."),
    e(502, "Bad Gateway", Guide, "A gateway or proxy got an invalid response from the server behind it."),
    e(503, "Service Unavailable", Guide, "The server is overloaded or down for maintenance; Retry-After, when present, says when to try again."),
    e(504, "Gateway Timeout", Guide, "A gateway or proxy did not get a response in time from the server behind it."),
    e(505, "HTTP Version Not Supported", Guide, "The server does not support the HTTP version the request used."),
    e(506, "Variant Also Negotiates", Guide, "The server's content negotiation is misconfigured: the chosen variant negotiates again."),
    e(507, "Insufficient Storage", Guide, "The server has run out of storage to complete the request (WebDAV)."),
    e(508, "Loop Detected", Guide, "The server found an infinite loop while processing the request (WebDAV)."),
    e(509, "Bandwidth Limit Exceeded (Apache / cPanel)", Vendor, "Apache/cPanel hosting: the site has used up its bandwidth allowance."),
    e(510, "Not Extended", Guide, "The request lacks an extension the server requires (obsoleted by IANA)."),
    e(511, "Network Authentication Required", Guide, "The network (a captive portal) requires the client to authenticate before it gets access."),
    e(520, "Web server is returning an unknown error (Cloudflare)", Vendor, "Cloudflare: the origin server returned an empty, unknown or unexpected response."),
    e(521, "Web server is down (Cloudflare)", Vendor, "Cloudflare: the origin server refused the connection."),
    e(522, "Connection timed out (Cloudflare)", Vendor, "Cloudflare: the TCP connection to the origin server timed out."),
    e(523, "Origin is unreachable (Cloudflare)", Vendor, "Cloudflare could not reach the origin server (DNS or routing problem)."),
    e(524, "A timeout occurred (Cloudflare)", Vendor, "Cloudflare connected to the origin server, but it did not answer before the timeout (100 seconds by default)."),
    e(525, "SSL handshake failed (Cloudflare)", Vendor, "Cloudflare could not complete the TLS handshake with the origin server."),
    e(526, "Invalid SSL certificate (Cloudflare)", Vendor, "Cloudflare could not validate the origin server's TLS certificate."),
    e(527, "Railgun error (Cloudflare)", Vendor, "Cloudflare: the connection to the origin through Railgun was interrupted (Railgun is discontinued)."),
    e(529, "Site is overloaded (Qualys / Salesforce)", Vendor, "Used by some SaaS platforms when the site cannot process the request because of load."),
    e(530, "Origin DNS error (Cloudflare)", Vendor, "Cloudflare: the origin could not be resolved or is not allowed; shown with a 1xxx error in the page."),
    e(561, "Unauthorized (AWS Elastic Load Balancing)", Vendor, "AWS load balancer: the identity provider returned an error while authenticating the user."),
    e(598, "Network read timeout error (informal proxy convention)", Vendor, "Some HTTP proxies send this when reading the response from the server behind them timed out."),
    e(599, "Network connect timeout error (informal proxy convention)", Vendor, "Some HTTP proxies and clients send this when connecting to the server behind them timed out."),
];

fn find(code: u16) -> Option<&'static Entry> {
    TABLE
        .binary_search_by_key(&code, |e| e.code)
        .ok()
        .map(|i| &TABLE[i])
}

/// The class of a code: 1..=5 for 100..=599, 0 otherwise.
pub fn class_of(code: u16) -> u8 {
    if (100..600).contains(&code) {
        (code / 100) as u8
    } else {
        0
    }
}

/// The class in words ("client error").
pub fn class_name(class: u8) -> &'static str {
    match class {
        1 => "informational",
        2 => "success",
        3 => "redirection",
        4 => "client error",
        5 => "server error",
        _ => "non-standard",
    }
}

/// The built-in entry, without user overrides.
fn builtin(code: u16) -> StatusInfo {
    let class = class_of(code);
    match find(code) {
        Some(entry) => {
            let definition = if class == 5 {
                format!("{SERVER_ERROR_SERIES} {}", entry.definition)
            } else {
                entry.definition.to_string()
            };
            let (source, mdn) = match entry.kind {
                Guide => (StatusSource::Guide, true),
                Iana => (StatusSource::Iana, true),
                IanaNoMdn => (StatusSource::Iana, false),
                Vendor => (StatusSource::Vendor, false),
            };
            StatusInfo {
                code,
                reason: entry.reason.to_string(),
                definition,
                class,
                mdn: mdn.then(|| format!("{MDN_BASE}{code}")),
                source,
            }
        }
        None => StatusInfo {
            code,
            reason: UNKNOWN_REASON.to_string(),
            definition: if class == 5 {
                format!("{NON_STANDARD_CODE} {SERVER_ERROR_SERIES}")
            } else {
                NON_STANDARD_CODE.to_string()
            },
            class,
            mdn: None,
            source: StatusSource::Unknown,
        },
    }
}

/// Looks a code up; user overrides win over built-ins.
pub fn lookup(code: u16, overrides: &BTreeMap<u16, StatusOverride>) -> StatusInfo {
    let mut info = builtin(code);
    if let Some(user) = overrides.get(&code) {
        info.reason = user.title.clone();
        if let Some(description) = user.description.as_ref().filter(|d| !d.trim().is_empty()) {
            info.definition = description.clone();
        }
        info.source = StatusSource::User;
    }
    info
}

/// True for a code the catalogue treats as standard (the guide's or IANA), i.e. not vendor/unknown.
pub fn is_standard(code: u16) -> bool {
    matches!(find(code), Some(e) if e.kind != Vendor)
}

/// Every built-in code, in order (for generated docs and tests).
pub fn known_codes() -> impl Iterator<Item = u16> {
    TABLE.iter().map(|e| e.code)
}

/// The built-in catalogue as a Markdown document (`docs/status-codes.md` is generated from it;
/// a test fails when that file is stale).
pub fn catalogue_markdown() -> String {
    let cell = |s: &str| s.replace('|', "\\|");
    let mut out = String::from(
        "# Status codes runlog-lsp knows\n\n\
         <!-- Generated from server/src/core/status/mod.rs by `UPDATE_DOCS=1 cargo test -p runlog-lsp --test cli`; do not edit. -->\n\n\
         Source: **guide** = the wording of the project's debugging guide (how to debug an error), **IANA** = the IANA \
         HTTP status code registry (definitions written for this project), **vendor** = a well-known \
         non-standard code. Every 5xx definition starts with the guide's 500-series sentence. Any code \
         not listed gets the guide's guidance for other error codes: \"",
    );
    out.push_str(NON_STANDARD_CODE);
    out.push_str("\" Users add or override definitions with `runlog.statusCodes`.\n\n");
    out.push_str("| Code | Reason | Class | Source | Definition |\n|---|---|---|---|---|\n");
    for code in known_codes() {
        let info = builtin(code);
        let source = match info.source {
            StatusSource::Guide => "guide",
            StatusSource::Iana => "IANA",
            StatusSource::Vendor => "vendor",
            StatusSource::Unknown => "unknown",
            StatusSource::User => "user",
        };
        let code_cell = match &info.mdn {
            Some(mdn) => format!("[{code}]({mdn})"),
            None => code.to_string(),
        };
        out.push_str(&format!(
            "| {code_cell} | {} | {}xx {} | {source} | {} |\n",
            cell(&info.reason),
            info.class,
            class_name(info.class),
            cell(&info.definition)
        ));
    }
    out
}

fn header<'h>(headers: &'h [super::model::Header], name: &str) -> Option<&'h super::model::Header> {
    headers.iter().find(|h| h.name.eq_ignore_ascii_case(name))
}

fn squash(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// What the exchange shows that helps next: Retry-After / rate-limit headers for 429, the auth
/// scheme sent for 401/403 (value redacted), Location for 3xx. `(label, value)` pairs, plain text.
pub fn extras(exchange: &Exchange) -> Vec<(String, String)> {
    let mut out = Vec::new();
    match exchange.status {
        429 | 503 => {
            for h in exchange.response_headers.iter() {
                let n = squash(&h.name);
                if n == "retryafter" || n.contains("ratelimit") || n.contains("calllimit") {
                    out.push((h.name.clone(), h.value.clone()));
                }
            }
        }
        401 | 403 | 407 => {
            let auth_name = if exchange.status == 407 {
                "Proxy-Authorization"
            } else {
                "Authorization"
            };
            match header(&exchange.request.headers, auth_name) {
                Some(h) => {
                    let sent = match redact::auth_scheme(&h.value) {
                        Some(scheme) => format!("{scheme} (value redacted)"),
                        None => "a credential without an auth scheme (value redacted)".to_string(),
                    };
                    out.push(("Auth scheme sent".to_string(), sent));
                }
                None => {
                    // An API key header is the other common way to authenticate.
                    let key_header = exchange.request.headers.iter().find(|h| {
                        redact::is_secret_name(&h.name, &[]) && !squash(&h.name).contains("cookie")
                    });
                    let sent = match key_header {
                        Some(h) => format!(
                            "no {auth_name} header was sent; {} was sent (value redacted)",
                            h.name
                        ),
                        None => format!("no {auth_name} header was sent"),
                    };
                    out.push(("Auth scheme sent".to_string(), sent));
                }
            }
            for name in ["WWW-Authenticate", "Proxy-Authenticate"] {
                if let Some(h) = header(&exchange.response_headers, name) {
                    out.push((h.name.clone(), h.value.clone()));
                }
            }
        }
        300..=399 => {
            if let Some(h) = header(&exchange.response_headers, "Location") {
                out.push((h.name.clone(), redact::redact_url(&h.value, &[])));
            }
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests;
