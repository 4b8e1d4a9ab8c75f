use super::*;
use crate::core::model::Span;
use std::sync::Arc;

fn body(text: &str, encoding: BodyEncoding, mime: Option<&str>) -> DecodedBody {
    let r = BodyRef {
        span: Span::new(0, text.len()),
        encoding,
        mime_type: mime.map(Arc::from),
    };
    decode(text, &r)
}

#[test]
fn inline_jsonc_bodies_are_read() {
    let t = "{\n  // why\n  \"error\": \"a // not a comment\", /* gone */\n  \"list\": [1, 2,],\n}";
    assert_eq!(
        body(t, BodyEncoding::Inline, None),
        DecodedBody::Json(serde_json::json!({"error": "a // not a comment", "list": [1, 2]}))
    );
    assert!(matches!(
        body("{\"a\": /* open", BodyEncoding::Inline, None),
        DecodedBody::Text(_)
    ));
}

#[test]
fn inline_object_is_json() {
    let d = body(r#"{"a": 1, "b": [true]}"#, BodyEncoding::Inline, None);
    assert_eq!(
        d,
        DecodedBody::Json(serde_json::json!({"a": 1, "b": [true]}))
    );
}

#[test]
fn escaped_and_double_escaped_strings_are_json() {
    let once = r#""{\"title\":\"Member Exists\",\"status\":400}""#;
    let twice = r#""\"{\\\"title\\\":\\\"Member Exists\\\"}\"""#;
    let expect = |d: DecodedBody| match d {
        DecodedBody::Json(v) => assert_eq!(v["title"], "Member Exists"),
        other => panic!("not json: {other:?}"),
    };
    expect(body(once, BodyEncoding::String, None));
    expect(body(twice, BodyEncoding::String, None));
}

#[test]
fn big_numbers_keep_their_text() {
    let d = body(
        r#""{\"id\":123456789012345678901234567890,\"x\":1.50}""#,
        BodyEncoding::String,
        None,
    );
    let DecodedBody::Json(v) = d else {
        panic!("not json")
    };
    assert_eq!(
        serde_json::to_string(&v).unwrap(),
        r#"{"id":123456789012345678901234567890,"x":1.50}"#
    );
}

#[test]
fn empty_and_plain_text() {
    assert_eq!(
        body(r#""   ""#, BodyEncoding::String, None),
        DecodedBody::Empty
    );
    assert_eq!(
        body(r#""""#, BodyEncoding::String, None),
        DecodedBody::Empty
    );
    assert_eq!(
        body(r#""Rate limit exceeded\n""#, BodyEncoding::String, None),
        DecodedBody::Text("Rate limit exceeded".into())
    );
    // Looks like JSON, is not: text.
    assert_eq!(
        body(r#""{not json""#, BodyEncoding::String, None),
        DecodedBody::Text("{not json".into())
    );
}

#[test]
fn html_error_page() {
    let html = "<html>\r\n<head><title>502 Bad Gateway</title><style>p{}</style></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.25.3 &amp; co</center>\r\n</body>\r\n</html>\r\n";
    let token = serde_json::to_string(html).unwrap();
    match body(&token, BodyEncoding::String, Some("text/html")) {
        DecodedBody::Html { title, text } => {
            assert_eq!(title.as_deref(), Some("502 Bad Gateway"));
            assert_eq!(text, "502 Bad Gateway nginx/1.25.3 & co");
        }
        other => panic!("not html: {other:?}"),
    }
}

#[test]
fn html_without_title_uses_h1() {
    let html = "<!DOCTYPE html><html><body><script>var x='<h1>no</h1>';</script><h1>Access &#x44;enied</h1><p>You don&#39;t have permission.</p></body></html>";
    let token = serde_json::to_string(html).unwrap();
    match body(&token, BodyEncoding::String, None) {
        DecodedBody::Html { title, text } => {
            assert_eq!(title.as_deref(), Some("Access Denied"));
            assert_eq!(text, "Access Denied You don't have permission.");
        }
        other => panic!("not html: {other:?}"),
    }
}

#[test]
fn html_found_behind_a_comment_or_prolog() {
    for page in [
        "<!-- error page --><html><head><title>Down</title></head></html>",
        "<?xml version=\"1.0\"?><!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\"><html><title>Down</title></html>",
    ] {
        let token = serde_json::to_string(page).unwrap();
        assert!(
            matches!(body(&token, BodyEncoding::String, None), DecodedBody::Html { title: Some(t), .. } if t == "Down"),
            "{page}"
        );
    }
    // "<3 this API" is text, not markup.
    assert_eq!(
        body("\"<3 u\"", BodyEncoding::String, None),
        DecodedBody::Text("<3 u".into())
    );
}

#[test]
fn xml_body() {
    let xml =
        r#""<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code></Error>""#;
    assert!(
        matches!(body(xml, BodyEncoding::String, None), DecodedBody::Xml(x) if x.contains("NoSuchKey"))
    );
    let bare = r#""<Error><Code>AccessDenied</Code></Error>""#;
    assert!(matches!(
        body(bare, BodyEncoding::String, None),
        DecodedBody::Xml(_)
    ));
}

#[test]
fn base64_with_and_without_padding() {
    // {"error":"invalid_grant"}
    let padded = r#""eyJlcnJvciI6ImludmFsaWRfZ3JhbnQifQ==""#;
    let unpadded = "\"eyJlcnJvciI6Imlu\\ndmFsaWRfZ3JhbnQifQ\"";
    for t in [padded, unpadded] {
        match body(t, BodyEncoding::Base64, None) {
            DecodedBody::Json(v) => assert_eq!(v["error"], "invalid_grant"),
            other => panic!("not json: {other:?}"),
        }
    }
    // Not UTF-8 → binary.
    assert_eq!(
        body(r#""/w==""#, BodyEncoding::Base64, None),
        DecodedBody::Binary { len: 1 }
    );
}

#[test]
fn byte_arrays() {
    let t = "[123,34,111,107,34,58,102,97,108,115,101,125]";
    match body(t, BodyEncoding::ByteArray, None) {
        DecodedBody::Json(v) => assert_eq!(v["ok"], false),
        other => panic!("not json: {other:?}"),
    }
    assert_eq!(
        body("[255, 0]", BodyEncoding::ByteArray, None),
        DecodedBody::Binary { len: 2 }
    );
    // Out of range values: not bytes, shown as the JSON it is.
    assert!(matches!(
        body("[256]", BodyEncoding::ByteArray, None),
        DecodedBody::Json(_)
    ));
    let buffer = r#"{"type":"Buffer","data":[104,105]}"#;
    assert_eq!(
        body(buffer, BodyEncoding::ByteArray, None),
        DecodedBody::Text("hi".into())
    );
}

#[test]
fn hostile_inputs_do_not_panic() {
    let deep = format!("\"{}\"", "[".repeat(100_000));
    assert!(matches!(
        body(&deep, BodyEncoding::String, None),
        DecodedBody::Text(_)
    ));
    let deep_inline = "[".repeat(100_000);
    assert!(matches!(
        body(&deep_inline, BodyEncoding::Inline, None),
        DecodedBody::Xml(_) | DecodedBody::Text(_)
    ));
    for t in [
        "\"",
        "\"\\u12",
        "é",
        "\"<",
        "\"<html",
        "\"<title>&#xFFFFFFFF;&#55296;&",
        "<h1>é</h1",
    ] {
        for enc in [
            BodyEncoding::Inline,
            BodyEncoding::String,
            BodyEncoding::Base64,
            BodyEncoding::ByteArray,
        ] {
            let _ = body(t, enc, Some("text/html"));
        }
    }
    // Span outside the text or inside a char.
    let r = BodyRef {
        span: Span::new(1, 2),
        encoding: BodyEncoding::String,
        mime_type: None,
    };
    assert_eq!(decode("é", &r), DecodedBody::Empty);
}

#[test]
fn pretty_prints() {
    assert_eq!(
        pretty(&DecodedBody::Json(serde_json::json!({"a": 1}))),
        "{\n  \"a\": 1\n}"
    );
    assert_eq!(
        pretty(&DecodedBody::Binary { len: 3 }),
        "(3 bytes of binary data)"
    );
}

#[test]
fn the_decoded_size_limit_cuts_and_says_so() {
    let limited = |text: &str, encoding: BodyEncoding, max: usize| {
        let r = BodyRef {
            span: Span::new(0, text.len()),
            encoding,
            mime_type: None,
        };
        decode_limited(text, &r, max)
    };
    let token = serde_json::to_string("abcdefghij").unwrap();
    assert_eq!(
        limited(&token, BodyEncoding::String, 4),
        (DecodedBody::Text("abcd".into()), true)
    );
    assert_eq!(
        limited(&token, BodyEncoding::String, 10),
        (DecodedBody::Text("abcdefghij".into()), false)
    );
    // "aGVsbG8gd29ybGQ=" is "hello world".
    assert_eq!(
        limited("\"aGVsbG8gd29ybGQ=\"", BodyEncoding::Base64, 5),
        (DecodedBody::Text("hello".into()), true)
    );
    assert_eq!(
        limited("[104, 105, 33]", BodyEncoding::ByteArray, 2),
        (DecodedBody::Text("hi".into()), true)
    );
    assert_eq!(
        limited("[104, 105, 33]", BodyEncoding::ByteArray, 3),
        (DecodedBody::Text("hi!".into()), false)
    );
    // A cut inside a multi-byte character keeps whole characters only.
    let token = serde_json::to_string("日本語").unwrap();
    assert_eq!(
        limited(&token, BodyEncoding::String, 4),
        (DecodedBody::Text("日".into()), true)
    );
    // Inline JSON is already in the text: read whole.
    assert!(!limited("{\"error\": \"long enough\"}", BodyEncoding::Inline, 3).1);
}

proptest::proptest! {
    #[test]
    fn any_bytes_decode_without_panicking(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200), mime in proptest::sample::select(vec![None, Some("text/html"), Some("application/json"), Some("application/xml")])) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let token = serde_json::to_string(&text).unwrap();
        let array = serde_json::to_string(&bytes).unwrap();
        for (t, enc) in [
            (&text, BodyEncoding::Inline),
            (&token, BodyEncoding::String),
            (&token, BodyEncoding::Base64),
            (&array, BodyEncoding::ByteArray),
        ] {
            let d = body(t, enc, mime);
            let _ = pretty(&d);
        }
        let _ = decode_bytes(bytes, mime);
    }
}

#[test]
fn gzip_bytes_are_inflated() {
    use std::io::Write as _;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(br#"{"error": {"message": "down for maintenance"}}"#)
        .unwrap();
    let gz = gz.finish().unwrap();
    let b64 = format!(
        "\"{}\"",
        base64::engine::general_purpose::STANDARD.encode(&gz)
    );
    assert_eq!(
        body(&b64, BodyEncoding::Base64, None),
        DecodedBody::Json(serde_json::json!({"error": {"message": "down for maintenance"}}))
    );
    // Cut at the cap: the first bytes, flagged.
    let r = BodyRef {
        span: Span::new(0, b64.len()),
        encoding: BodyEncoding::Base64,
        mime_type: None,
    };
    let (d, cut) = decode_limited(&b64, &r, 10);
    assert!(cut);
    assert_eq!(d, DecodedBody::Text("{\"error\":".to_string()));
    // The magic alone, not a gzip stream: the bytes as they are.
    let bad = format!(
        "\"{}\"",
        base64::engine::general_purpose::STANDARD.encode([0x1f, 0x8b, 0xff, 0x00])
    );
    assert_eq!(
        body(&bad, BodyEncoding::Base64, None),
        DecodedBody::Binary { len: 4 }
    );
}
