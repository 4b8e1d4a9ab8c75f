//! The catalogue of network errors: what a call that got no HTTP response ran into, in plain
//! words, and what to check next. Like the status catalogue (`core::status`), one static table,
//! keyed by the codes producers write: Chromium's `net::ERR_*` (DevTools and Playwright HARs),
//! Firefox's `NS_*`, Node's errno and TLS codes (newman's `requestError`, axios, got).
//!
//! A producer's text is looked up by the first word in it that is a known code
//! (`"connect ECONNREFUSED 127.0.0.1:9"` is `ECONNREFUSED`); a text with no known code gets a
//! generic sentence quoting it.

use super::model::Severity;

/// What the catalogue says about one network error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkError {
    /// The code as the producer wrote it (`net::ERR_CONNECTION_REFUSED`, `ECONNREFUSED`), when
    /// the text holds a known one.
    pub code: Option<String>,
    /// What happened, one or two sentences (for an unknown code: a generic sentence quoting the
    /// producer's text).
    pub what: String,
    /// What to check next.
    pub next: String,
    /// Error, or Warning for a request the page itself cancelled.
    pub severity: Severity,
}

struct Entry {
    /// Codes without a `net::` prefix, as written (upper case).
    codes: &'static [&'static str],
    what: &'static str,
    next: &'static str,
    severity: Severity,
}

const fn e(codes: &'static [&'static str], what: &'static str, next: &'static str) -> Entry {
    Entry {
        codes,
        what,
        next,
        severity: Severity::Error,
    }
}

/// Checked in order; a code appears once (a test checks it).
static TABLE: &[Entry] = &[
    e(
        &["ERR_CONNECTION_REFUSED", "ECONNREFUSED", "NS_ERROR_CONNECTION_REFUSED"],
        "The connection was refused: nothing was listening on that host and port, or a firewall rejected the connection.",
        "Check that the service is running and listening on the port in the URL, and that the host and port are the ones it runs on.",
    ),
    e(
        &["ERR_CONNECTION_RESET", "ECONNRESET", "NS_ERROR_NET_RESET", "EPIPE"],
        "The connection was cut by the other side (or something in between) before the response arrived.",
        "Look in the server's and any proxy's logs for a crash or a dropped connection; an idle timeout of a load balancer or firewall does this too.",
    ),
    e(
        &["ERR_EMPTY_RESPONSE", "ERR_CONNECTION_CLOSED", "ECONNABORTED", "NS_ERROR_NET_INTERRUPT"],
        "The server closed the connection without sending any response.",
        "Look in the server's logs for a crash or a killed worker while it handled this request; a proxy in front of it may have dropped the request.",
    ),
    e(
        &["ERR_NAME_NOT_RESOLVED", "ENOTFOUND", "EAI_AGAIN", "NS_ERROR_UNKNOWN_HOST", "ERR_NAME_RESOLUTION_FAILED"],
        "The host name could not be resolved: DNS does not know it, or DNS could not be reached.",
        "Check the host name in the URL for typos, and that it resolves from where the call ran (DNS, VPN, /etc/hosts).",
    ),
    e(
        &["ERR_TIMED_OUT", "ERR_CONNECTION_TIMED_OUT", "ETIMEDOUT", "NS_ERROR_NET_TIMEOUT"],
        "The call timed out: the server could not be reached or did not answer in time.",
        "Check that the host is reachable from where the call ran (firewall, VPN, security group) and whether the server is overloaded; a slow endpoint may need a longer timeout.",
    ),
    e(
        &["ESOCKETTIMEDOUT"],
        "The connection was made but no response arrived before the client's timeout.",
        "Find out why the server is slow on this request (its logs, a slow query, a stuck dependency), or raise the client's request timeout.",
    ),
    e(
        &["ERR_FAILED"],
        "The browser stopped the request without a response it would let the page read, most often a CORS block: the server did not answer with the Access-Control-Allow-Origin header (or preflight) this page's origin needs.",
        "Read the browser console's message for this URL; if it is CORS, make the server answer the OPTIONS preflight and send Access-Control-Allow-Origin for the page's origin.",
    ),
    Entry {
        codes: &["ERR_ABORTED", "NS_BINDING_ABORTED"],
        what: "The request was cancelled before it finished: by the page itself, by a navigation away from it, or by a timeout in the page's code.",
        next: "Usually harmless; if the page needed this response, look at what cancels it (an AbortController, a navigation or a redirect).",
        severity: Severity::Warning,
    },
    e(
        &["ERR_CERT_DATE_INVALID", "CERT_HAS_EXPIRED", "CERT_NOT_YET_VALID"],
        "The server's TLS certificate has expired (or is not valid yet), so the connection was refused by the client.",
        "Renew the server's certificate, or check the clock of the machine that made the call.",
    ),
    e(
        &["ERR_CERT_AUTHORITY_INVALID", "DEPTH_ZERO_SELF_SIGNED_CERT", "SELF_SIGNED_CERT_IN_CHAIN", "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "SEC_ERROR_UNKNOWN_ISSUER"],
        "The server's TLS certificate is not signed by an authority the client trusts (self-signed, a private CA, or an incomplete chain).",
        "Serve the full certificate chain from a trusted CA, or add the private CA to the client's trust store (a TLS-intercepting proxy needs its CA trusted).",
    ),
    e(
        &["ERR_CERT_COMMON_NAME_INVALID", "ERR_TLS_CERT_ALTNAME_INVALID", "SSL_ERROR_BAD_CERT_DOMAIN"],
        "The server's TLS certificate is for another host name than the one in the URL.",
        "Call the host name the certificate names, or get a certificate that includes this host name.",
    ),
    e(
        &["ERR_SSL_PROTOCOL_ERROR", "EPROTO", "ERR_SSL_VERSION_OR_CIPHER_MISMATCH"],
        "The TLS handshake failed: the client and the server could not agree on a secure connection (often plain HTTP on an HTTPS port, or no common TLS version).",
        "Check the URL's scheme and port (https on a plain-HTTP port fails like this) and the TLS versions the server accepts.",
    ),
    e(
        &["ERR_INTERNET_DISCONNECTED", "ERR_NETWORK_CHANGED"],
        "The machine that made the call had no network connection (or it changed) at that moment.",
        "Retry once the network is back; check the VPN or Wi-Fi of the machine that ran the call.",
    ),
    e(
        &["ERR_ADDRESS_UNREACHABLE", "EHOSTUNREACH", "ENETUNREACH", "ERR_NETWORK_ACCESS_DENIED"],
        "The server's address could not be reached from the machine that made the call (no route to it).",
        "Check the network path to the host: VPN, routing, firewall rules, or a private address called from outside its network.",
    ),
    e(
        &["ERR_PROXY_CONNECTION_FAILED", "ERR_TUNNEL_CONNECTION_FAILED"],
        "The proxy the client is configured to use could not be reached or refused to connect to the host.",
        "Check the proxy settings (HTTP_PROXY, HTTPS_PROXY, the browser's proxy) and that the proxy is running and allows this host.",
    ),
    e(
        &["ERR_BLOCKED_BY_CLIENT", "ERR_BLOCKED_BY_RESPONSE", "ERR_BLOCKED_BY_ORB"],
        "The browser blocked the request itself (an extension such as an ad blocker, or a browser security policy), so it was never answered.",
        "Retry with extensions disabled; for a policy block, read the browser console's message for this URL.",
    ),
    e(
        &["ERR_TOO_MANY_REDIRECTS"],
        "The server kept redirecting, and the client gave up following the redirects.",
        "Follow the Location headers by hand (curl -I -L) to find the loop, often between http and https or two hosts.",
    ),
    e(
        &["ERR_HTTP2_PROTOCOL_ERROR", "ERR_QUIC_PROTOCOL_ERROR"],
        "The connection broke with a protocol error before a complete response arrived (often a server or proxy that failed mid-response).",
        "Look in the server's and proxy's logs for an error while it answered this request; a response header too large for the proxy does this too.",
    ),
];

/// The generic answer for a text that holds no known code.
const UNKNOWN_NEXT: &str = "Check that the host is reachable from where the call ran, and look the error up in the documentation of the tool that made the call.";

/// What the catalogue says about a producer's error text (`net::ERR_CONNECTION_REFUSED`,
/// `ECONNREFUSED`, `connect ECONNREFUSED 127.0.0.1:9`, `CERT_HAS_EXPIRED`).
pub fn lookup(text: &str) -> NetworkError {
    for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':')) {
        let code = word.trim_matches(':');
        let bare = code.strip_prefix("net::").unwrap_or(code);
        if bare.len() < 4 {
            continue;
        }
        let entry = TABLE.iter().find(|e| e.codes.contains(&bare)).or_else(|| {
            // Every other Chromium certificate error.
            bare.starts_with("ERR_CERT_")
                .then(|| {
                    TABLE
                        .iter()
                        .find(|e| e.codes.contains(&"ERR_CERT_AUTHORITY_INVALID"))
                })
                .flatten()
        });
        if let Some(entry) = entry {
            return NetworkError {
                code: Some(code.to_string()),
                what: entry.what.to_string(),
                next: entry.next.to_string(),
                severity: entry.severity,
            };
        }
    }
    let quoted: String = text.trim().chars().take(200).collect();
    NetworkError {
        code: None,
        what: if quoted.is_empty() {
            "The call failed before any response arrived.".to_string()
        } else {
            format!("The call failed before any response arrived; the tool that made it says: “{quoted}”.")
        },
        next: UNKNOWN_NEXT.to_string(),
        severity: Severity::Error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_once_and_every_sentence_ends() {
        let mut seen = std::collections::HashSet::new();
        for entry in TABLE {
            for code in entry.codes {
                assert!(seen.insert(*code), "{code} twice");
                assert_eq!(code.to_ascii_uppercase(), *code);
            }
            assert!(entry.what.ends_with('.') && entry.next.ends_with('.'));
        }
    }

    #[test]
    fn producers_codes_are_found_in_their_text() {
        let cases = [
            (
                "net::ERR_CONNECTION_REFUSED",
                "net::ERR_CONNECTION_REFUSED",
                "refused",
            ),
            (
                "net::ERR_EMPTY_RESPONSE",
                "net::ERR_EMPTY_RESPONSE",
                "without sending",
            ),
            (
                "net::ERR_NAME_NOT_RESOLVED",
                "net::ERR_NAME_NOT_RESOLVED",
                "host name",
            ),
            ("net::ERR_TIMED_OUT", "net::ERR_TIMED_OUT", "timed out"),
            ("net::ERR_FAILED", "net::ERR_FAILED", "CORS"),
            (
                "net::ERR_CERT_REVOKED",
                "net::ERR_CERT_REVOKED",
                "certificate",
            ),
            (
                "connect ECONNREFUSED 127.0.0.1:9",
                "ECONNREFUSED",
                "refused",
            ),
            (
                "getaddrinfo ENOTFOUND api.invalid",
                "ENOTFOUND",
                "host name",
            ),
            ("ESOCKETTIMEDOUT", "ESOCKETTIMEDOUT", "timeout"),
            (
                "certificate has expired (CERT_HAS_EXPIRED)",
                "CERT_HAS_EXPIRED",
                "expired",
            ),
            (
                "DEPTH_ZERO_SELF_SIGNED_CERT",
                "DEPTH_ZERO_SELF_SIGNED_CERT",
                "self-signed",
            ),
            (
                "NS_ERROR_CONNECTION_REFUSED",
                "NS_ERROR_CONNECTION_REFUSED",
                "refused",
            ),
        ];
        for (text, code, word) in cases {
            let e = lookup(text);
            assert_eq!(e.code.as_deref(), Some(code), "{text}");
            assert!(e.what.contains(word), "{text}: {}", e.what);
            assert_eq!(e.severity, Severity::Error, "{text}");
        }
    }

    #[test]
    fn a_request_the_page_cancelled_is_a_warning() {
        assert_eq!(lookup("net::ERR_ABORTED").severity, Severity::Warning);
        assert_eq!(lookup("NS_BINDING_ABORTED").severity, Severity::Warning);
    }

    #[test]
    fn unknown_text_is_quoted() {
        let e = lookup("socket hang up");
        assert_eq!(e.code, None);
        assert!(e
            .what
            .starts_with("The call failed before any response arrived"));
        assert!(e.what.contains("“socket hang up”"), "{}", e.what);
        assert_eq!(
            lookup("").what,
            "The call failed before any response arrived."
        );
    }
}
