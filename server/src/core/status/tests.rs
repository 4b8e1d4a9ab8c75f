use super::*;
use crate::core::model::{Header, RequestInfo, Span};

fn none() -> BTreeMap<u16, StatusOverride> {
    BTreeMap::new()
}

#[test]
fn table_is_sorted_and_unique() {
    assert!(TABLE.windows(2).all(|w| w[0].code < w[1].code));
    for entry in TABLE {
        assert!(
            !entry.reason.is_empty() && !entry.definition.is_empty(),
            "{}",
            entry.code
        );
        assert!(entry.definition.ends_with('.'), "{}", entry.code);
    }
}

#[test]
fn guide_codes_use_the_guides_words() {
    let cases = [
        (400, "Bad Request", "The request was unacceptable. This happens mostly when a required parameter is missing."),
        (401, "Unauthorized", "The request was not authorized because no valid API credentials were provided."),
        (402, "Payment Required", "The request failed even though the parameters provided were valid. There can be multiple reasons this happens."),
        (403, "Forbidden", "The access was forbidden because the API credentials provided don't have permission to perform the request."),
        (404, "Not Found", "The resource that was requested doesn't exist."),
        (409, "Conflict", "The request conflicts with another request. This can happen for a number of reasons, including using a key or parameter that already exists in the app where you want to create it."),
        (429, "Too Many Requests", "The API has received too many requests in a short time."),
    ];
    for (code, reason, definition) in cases {
        let info = lookup(code, &none());
        assert_eq!(info.reason, reason);
        assert_eq!(info.definition, definition);
        assert_eq!(info.source, StatusSource::Guide);
        assert_eq!(info.class, 4);
        assert_eq!(
            info.mdn.as_deref(),
            Some(format!("{MDN_BASE}{code}").as_str())
        );
    }
}

#[test]
fn every_5xx_starts_with_the_server_error_series_sentence() {
    for code in 500..=599 {
        let info = lookup(code, &none());
        assert!(info.definition.contains(SERVER_ERROR_SERIES), "{code}");
        assert_eq!(info.class, 5);
    }
    let info = lookup(503, &none());
    assert!(info.definition.starts_with(SERVER_ERROR_SERIES));
    assert!(info.definition.len() > SERVER_ERROR_SERIES.len() + 10);
    assert_eq!(info.source, StatusSource::Guide);
}

#[test]
fn iana_codes_are_all_there() {
    let iana = [
        100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303,
        304, 305, 306, 307, 308, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412,
        413, 414, 415, 416, 417, 418, 421, 422, 423, 424, 425, 426, 428, 429, 431, 451, 500, 501,
        502, 503, 504, 505, 506, 507, 508, 510, 511,
    ];
    for code in iana {
        let info = lookup(code, &none());
        assert!(
            matches!(info.source, StatusSource::Iana | StatusSource::Guide),
            "{code}"
        );
        assert!(is_standard(code));
        assert_ne!(info.reason, UNKNOWN_REASON);
    }
    assert_eq!(lookup(418, &none()).reason, "I'm a teapot");
    assert_eq!(
        lookup(422, &none()).mdn.as_deref(),
        Some("https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Status/422")
    );
    assert_eq!(lookup(305, &none()).mdn, None);
    assert_eq!(lookup(200, &none()).class, 2);
}

#[test]
fn vendor_codes_name_the_vendor() {
    for (code, vendor) in [
        (520, "Cloudflare"),
        (526, "Cloudflare"),
        (444, "nginx"),
        (499, "nginx"),
        (460, "AWS"),
        (463, "AWS"),
        (419, "Laravel"),
        (440, "IIS"),
    ] {
        let info = lookup(code, &none());
        assert_eq!(info.source, StatusSource::Vendor, "{code}");
        assert!(info.reason.contains(vendor), "{code}: {}", info.reason);
        assert_eq!(info.mdn, None);
        assert!(!is_standard(code));
    }
    assert!(lookup(520, &none())
        .reason
        .contains("Web server is returning an unknown error"));
    assert!(lookup(499, &none())
        .reason
        .contains("Client Closed Request"));
}

#[test]
fn unknown_codes_get_the_non_standard_code_guidance() {
    for code in [0, 99, 299, 432, 590, 600, 999, 65535] {
        let info = lookup(code, &none());
        assert_eq!(info.source, StatusSource::Unknown);
        assert_eq!(info.reason, UNKNOWN_REASON);
        assert!(info.definition.contains("non-standard"));
        assert!(info.definition.contains("support team"));
        assert_eq!(info.mdn, None);
    }
    assert_eq!(lookup(600, &none()).class, 0);
    assert_eq!(lookup(432, &none()).class, 4);
}

#[test]
fn overrides_win() {
    let mut o = BTreeMap::new();
    o.insert(
        499,
        StatusOverride {
            title: "Upstream gave up".into(),
            description: Some("Our gateway's timeout.".into()),
        },
    );
    o.insert(
        400,
        StatusOverride {
            title: "Nope".into(),
            description: None,
        },
    );
    let info = lookup(499, &o);
    assert_eq!(
        (info.reason.as_str(), info.definition.as_str(), info.source),
        (
            "Upstream gave up",
            "Our gateway's timeout.",
            StatusSource::User
        )
    );
    let info = lookup(400, &o);
    assert_eq!(info.reason, "Nope");
    assert!(info.definition.starts_with("The request was unacceptable."));
    assert_eq!(info.source, StatusSource::User);
    assert!(info.mdn.is_some());
}

#[test]
fn class_names() {
    assert_eq!(class_name(4), "client error");
    assert_eq!(class_name(5), "server error");
    assert_eq!(class_name(1), "informational");
    assert_eq!(class_name(0), "non-standard");
}

fn exchange(status: u16, req: &[(&str, &str)], resp: &[(&str, &str)]) -> Exchange {
    let h = |v: &[(&str, &str)]| {
        v.iter()
            .map(|(n, v)| Header {
                name: n.to_string(),
                value: v.to_string(),
            })
            .collect()
    };
    Exchange {
        status,
        status_span: Span::new(0, 3),
        status_key_span: Span::new(0, 0),
        no_response: None,
        span: Span::new(0, 3),
        response_span: None,
        status_text: None,
        request: RequestInfo {
            headers: h(req),
            ..RequestInfo::default()
        },
        response_headers: h(resp),
        body: None,
        body_truncated: None,
        name: None,
        run: None,
    }
}

#[test]
fn extras_for_rate_limits_auth_and_redirects() {
    let x = exchange(
        429,
        &[],
        &[
            ("Retry-After", "2.0"),
            ("X-RateLimit-Remaining", "0"),
            ("RateLimit-Reset", "30"),
            ("Content-Type", "x"),
        ],
    );
    assert_eq!(
        extras(&x),
        vec![
            ("Retry-After".into(), "2.0".into()),
            ("X-RateLimit-Remaining".into(), "0".into()),
            ("RateLimit-Reset".into(), "30".into())
        ]
    );
    let x = exchange(401, &[("Authorization", "Bearer [redacted]")], &[]);
    assert_eq!(
        extras(&x),
        vec![("Auth scheme sent".into(), "Bearer (value redacted)".into())]
    );
    // Even an unredacted value never comes out.
    let x = exchange(403, &[("authorization", "Basic dXNlcjpzZWtyZXQ=")], &[]);
    let out = format!("{:?}", extras(&x));
    assert!(out.contains("Basic") && !out.contains("dXNlcjpzZWtyZXQ"));
    let x = exchange(401, &[("Accept", "*/*")], &[]);
    assert_eq!(
        extras(&x),
        vec![(
            "Auth scheme sent".into(),
            "no Authorization header was sent".into()
        )]
    );
    let x = exchange(
        302,
        &[],
        &[("location", "https://u:p@example.com/next?token=abc")],
    );
    assert_eq!(
        extras(&x),
        vec![(
            "location".into(),
            "https://[redacted]@example.com/next?token=[redacted]".into()
        )]
    );
    assert!(extras(&exchange(400, &[("Authorization", "Bearer x")], &[])).is_empty());
}
