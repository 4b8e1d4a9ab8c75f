//! The fake secrets the fixtures README lists (between its `secrets:begin`/`end` markers): no
//! output of any front end may contain them. Shared by the cli tests and the fixture snapshots.

/// Every secret the README lists, one per line of its block.
pub fn secrets() -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/README.md");
    let readme = std::fs::read_to_string(path).expect("fixtures README");
    let start = readme
        .find("<!-- secrets:begin -->")
        .expect("secrets block");
    let end = readme
        .find("<!-- secrets:end -->")
        .expect("secrets block end");
    let list: Vec<String> = readme[start..end]
        .lines()
        .skip(1)
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("```"))
        .map(str::to_string)
        .collect();
    assert!(list.len() >= 10, "secrets list parsed: {list:?}");
    list
}
