use super::*;

fn roots(text: &str) -> (Vec<(usize, usize, String)>, Parsed) {
    let mut out = Vec::new();
    let parsed = parse_with(text, |v, p| {
        let kind = match v {
            Value::Object(o) => format!("object {}", o.properties.len()),
            Value::Array(a) => format!("array {}", a.elements.len()),
            _ => "scalar".to_string(),
        };
        out.push((p.base, p.end, kind));
    });
    (out, parsed)
}

#[test]
fn plain_jsonc() {
    let (r, p) = roots("// c\n{\"a\": 1, /* x */ \"b\": [1,2,],}\n");
    assert_eq!(r, vec![(0, 36, "object 2".to_string())]);
    assert!(p.problems.is_empty());
    assert!(!p.json_lines);
}

#[test]
fn json_lines_with_broken_line() {
    let text = "{\"a\":1}\n{\"b\":\n{\"c\":3}\r\n\n[1]";
    let (r, p) = roots(text);
    assert!(p.json_lines);
    assert_eq!(r.len(), 4, "{r:?}");
    assert_eq!(r[0].0, 0);
    assert_eq!(r[2].0, 14);
    assert_eq!(p.problems.len(), 1);
    assert_eq!(p.problems[0].kind, ProblemKind::Invalid);
}

#[test]
fn truncated_keeps_prefix() {
    let text = "{\"a\": [{\"s\": 400}, {\"s\": 5";
    let mut seen = Vec::new();
    let p = parse_with(text, |v, piece| {
        if let Value::Object(o) = v {
            if let Some(Value::Array(a)) = o.get("a").map(|p| &p.value) {
                seen.push(a.elements.len());
            }
        }
        assert!(piece.end <= text.len());
    });
    assert_eq!(seen, vec![2]);
    assert_eq!(p.problems.len(), 1);
    assert!(p.problems[0].message.contains("unexpected end of text"));
    assert_eq!(p.problems[0].span, Span::new(text.len(), text.len()));
}

#[test]
fn repair_cuts_at_last_complete_value() {
    let (s, cut) = repair("{\"a\": 1, \"b\": \"xy", 17).unwrap_or_default();
    assert_eq!(cut, 7);
    assert_eq!(s, "{\"a\": 1}");
    let (s, _) = repair("[1, 2, tru", 10).unwrap_or_default();
    assert_eq!(s, "[1, 2]");
    let (s, _) = repair("{\"k\": {\"x\": ", 12).unwrap_or_default();
    assert_eq!(s, "{\"k\": {}}");
    assert!(repair("\"abc", 4).is_none());
}

#[test]
fn every_cut_never_panics() {
    let text =
        "{\"é😀\": [{\"status\": 400, \"body\": \"x\\\"y\"}, // c\n {\"s\": [true, null, 1.5e3]}]}";
    for cut in 0..=text.len() {
        if !text.is_char_boundary(cut) {
            continue;
        }
        let t = &text[..cut];
        let _ = parse_with(t, |_, piece| {
            assert!(piece.end <= t.len());
        });
    }
}

#[test]
fn deep_nesting_is_flattened() {
    let depth = 100_000;
    let text = format!(
        "{{\"a\": 1, \"deep\": {}{}, \"z\": 2}}",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let mut keys = 0;
    let p = parse_with(&text, |v, _| {
        if let Value::Object(o) = v {
            keys = o.properties.len();
        }
    });
    assert_eq!(keys, 3);
    assert_eq!(p.problems.len(), 1);
    assert_eq!(p.problems[0].kind, ProblemKind::TooDeep);
    // Unclosed deep nesting too.
    let text = format!("[{}", "{\"a\":[".repeat(depth));
    let _ = parse_with(&text, |_, _| {});
}

#[test]
fn bom_is_skipped() {
    let (r, p) = roots("\u{feff}{\"a\": 1}");
    assert_eq!(r, vec![(3, 11, "object 1".to_string())]);
    assert!(p.problems.is_empty());
}

#[test]
fn brackets_in_comments_do_not_nest() {
    // The bracket scan once counted these as containers: a JSONC log with a commented-out
    // array was "nested too deep" at a lowered limit, and its real values were blanked.
    let text = "[ // [[[[ old\n {\"a\": 1} /* ]]{{ */ ]";
    let limits = ParseLimits {
        max_nesting_depth: 2,
        ..ParseLimits::default()
    };
    let p = parse_with_limits(text, &limits, |_, _| {});
    assert!(p.problems.is_empty(), "{p:?}");
}

#[test]
fn a_lower_nesting_limit_blanks_deeper_values_once() {
    let text = r#"[{"a": {"b": {"c": 1}}}, {"d": [[2]]}, {"e": 3}]"#;
    let limits = ParseLimits {
        max_nesting_depth: 2,
        ..ParseLimits::default()
    };
    let mut seen = String::new();
    let p = parse_with_limits(text, &limits, |v, piece| {
        if let Value::Array(a) = v {
            seen = format!(
                "{} elements, {}..{}",
                a.elements.len(),
                piece.base,
                piece.end
            );
        }
    });
    assert_eq!(seen, format!("3 elements, 0..{}", text.len()));
    assert_eq!(p.problems.len(), 1, "{p:?}");
    assert_eq!(p.problems[0].kind, ProblemKind::TooDeep);
    let at = text.find("{\"b\"").unwrap();
    assert_eq!(p.problems[0].span, Span::new(at, at));
    assert_eq!(
        p.problems[0].message,
        "The JSON is nested more than 2 levels deep here; the deeper values were not analysed (runlog.limits.maxNestingDepth)."
    );
    // At the default limit nothing here is too deep.
    assert!(parse_with(text, |_, _| {}).problems.is_empty());
}

#[test]
fn json_lines_longer_than_the_limit_are_skipped_and_counted() {
    let long = format!("{{\"status\": 500, \"pad\": \"{}\"}}", "x".repeat(100));
    let text = format!("{{\"a\": 1}}\n{long}\n{{\"b\": 2}}\n{long}\n");
    let limits = ParseLimits {
        max_line_length: 50,
        ..ParseLimits::default()
    };
    let mut pieces = Vec::new();
    let p = parse_with_limits(&text, &limits, |_, piece| pieces.push(piece.line));
    assert!(p.json_lines);
    assert_eq!(pieces, vec![Some(0), Some(2)]);
    assert_eq!(p.problems.len(), 1, "{p:?}");
    assert_eq!(p.problems[0].kind, ProblemKind::TooLong);
    assert_eq!(p.problems[0].span, Span::new(9, 9));
    assert_eq!(
        p.problems[0].message,
        "2 lines longer than 50 bytes were not analysed (runlog.limits.maxLineLength), starting with line 2."
    );
}

#[test]
fn json_lines_stop_at_the_deadline() {
    let text = "{\"a\": 1}\n{\"b\": 2}\n";
    let limits = ParseLimits {
        deadline: Some(std::time::Instant::now()),
        ..ParseLimits::default()
    };
    let mut visited = 0;
    let p = parse_with_limits(text, &limits, |_, _| visited += 1);
    assert_eq!((visited, p.stopped_at), (0, Some(0)));
    assert_eq!(parse_with(text, |_, _| {}).stopped_at, None);
}
