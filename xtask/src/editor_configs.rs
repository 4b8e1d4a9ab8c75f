//! Tests of the editor configurations no tier runs (no Helix or Zed on the test machines): they
//! parse as TOML and say what the READMEs say — the server command, the languages and file types.

#[cfg(test)]
mod tests {
    use crate::util;
    use toml::{Table, Value};

    fn load(rel: &str) -> Table {
        let path = util::root().join(rel);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        text.parse::<Table>()
            .unwrap_or_else(|e| panic!("{} is not valid TOML: {e}", path.display()))
    }

    fn strings(value: Option<&Value>) -> Vec<String> {
        value
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn helix_languages_toml_starts_runlog_lsp_for_json_har_and_jsonl() {
        let config = load("editors/helix/languages.toml");
        let server = &config["language-server"]["runlog-lsp"];
        assert_eq!(server["command"].as_str(), Some("runlog-lsp"));
        assert!(
            server.get("args").is_none(),
            "runlog-lsp needs no arguments"
        );
        assert!(
            server["config"]["runlog"].is_table(),
            "config holds the runlog section"
        );

        let languages = config["language"].as_array().cloned().unwrap_or_default();
        let language = |name: &str| {
            languages
                .iter()
                .find(|l| l["name"].as_str() == Some(name))
                .unwrap_or_else(|| panic!("no [[language]] named {name}"))
                .clone()
        };
        for name in ["json", "jsonc", "har", "jsonl"] {
            let servers = strings(language(name).get("language-servers"));
            assert!(
                servers.iter().any(|s| s == "runlog-lsp"),
                "{name}: {servers:?}"
            );
        }
        let har = language("har");
        assert_eq!(strings(har.get("file-types")), ["har"]);
        assert_eq!(har["grammar"].as_str(), Some("json"));
        let jsonl = language("jsonl");
        assert_eq!(strings(jsonl.get("file-types")), ["jsonl", "ndjson"]);
        assert_eq!(jsonl["language-id"].as_str(), Some("jsonl"));
        // A new language needs what Helix requires of one.
        for l in [&har, &jsonl] {
            for key in ["scope", "roots"] {
                assert!(l.get(key).is_some(), "{}: no {key}", l["name"]);
            }
        }
    }

    #[test]
    fn zed_extension_serves_json_har_and_jsonl() {
        let manifest = load("editors/zed/extension.toml");
        let server = &manifest["language_servers"]["runlog-lsp"];
        let languages = strings(server.get("languages"));
        assert_eq!(languages, ["JSON", "JSONC", "HAR", "JSON Lines"]);
        let ids = server["language_ids"]
            .as_table()
            .cloned()
            .unwrap_or_default();
        for l in &languages {
            assert!(ids.contains_key(l), "no language id for {l}");
        }
        // HAR and JSON Lines are this extension's languages, with the file suffixes.
        let mut suffixes = Vec::new();
        for dir in ["har", "jsonl"] {
            let config = load(&format!("editors/zed/languages/{dir}/config.toml"));
            let name = config["name"].as_str().unwrap_or_default().to_string();
            assert!(languages.contains(&name), "{name} is not served");
            assert_eq!(config["grammar"].as_str(), Some("json"));
            suffixes.extend(strings(config.get("path_suffixes")));
            assert!(util::root()
                .join(format!("editors/zed/languages/{dir}/highlights.scm"))
                .is_file());
        }
        assert_eq!(suffixes, ["har", "jsonl", "ndjson"]);
    }
}
