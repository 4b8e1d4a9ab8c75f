//! A tiny typed LSP client over the real binary's stdio: Content-Length framing, request ids,
//! timeouts, answers to the server's own requests, collected notifications, and a graceful
//! shutdown + exit in `Drop`.

use serde_json::{json, Value};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const TIMEOUT: Duration = Duration::from_secs(30);

pub fn fixture(path: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()))
}

pub fn file_uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// How the client presents itself at initialize.
pub struct Options {
    pub position_encodings: Option<Vec<&'static str>>,
    pub pull_diagnostics: bool,
    pub initialization_options: Value,
    /// What `workspace/configuration` answers (section "runlog"); `None`: capability not offered.
    pub configuration: Option<Value>,
    pub root: Option<PathBuf>,
    pub process_id: Option<u32>,
    pub show_document: bool,
    /// The server's log filter (`RUNLOG_LSP_LOG`); default `RUNLOG_LSP_TEST_LOG` or `info`.
    pub log_filter: Option<&'static str>,
    /// The client resolves code actions' edits (`codeAction.resolveSupport`), as VS Code does.
    pub resolve_edits: bool,
    /// `foldingRange.rangeLimit` (VS Code sends 5000).
    pub folding_range_limit: Option<u32>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            position_encodings: None,
            pull_diagnostics: false,
            initialization_options: Value::Null,
            configuration: None,
            root: None,
            process_id: None,
            show_document: true,
            log_filter: None,
            resolve_edits: false,
            folding_range_limit: None,
        }
    }
}

pub struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    rx: Receiver<Value>,
    next_id: i64,
    /// Notifications (and server requests) not consumed yet.
    pub inbox: VecDeque<Value>,
    /// Requests the server sent us, in order (answered automatically).
    pub server_requests: Vec<Value>,
    pub configuration: Arc<Mutex<Option<Value>>>,
    pub stderr: Arc<Mutex<String>>,
    pub initialize_result: Value,
    versions: std::collections::HashMap<String, i32>,
    shut_down: bool,
}

impl Client {
    pub fn start(options: Options) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_runlog-lsp"))
            .env("RUNLOG_LSP_DEBUG_REQUESTS", "1")
            .env(
                "RUNLOG_LSP_LOG",
                options.log_filter.map(str::to_string).unwrap_or_else(|| {
                    std::env::var("RUNLOG_LSP_TEST_LOG").unwrap_or_else(|_| "info".into())
                }),
            )
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start runlog-lsp");
        let stdout = child.stdout.take().expect("stdout");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(msg) = read_message(&mut reader) {
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        let stderr_text = Arc::new(Mutex::new(String::new()));
        let sink = stderr_text.clone();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stderr);
            let mut line = String::new();
            while reader.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
                sink.lock().expect("stderr lock").push_str(&line);
                line.clear();
            }
        });
        let mut client = Client {
            stdin: child.stdin.take(),
            child,
            rx,
            next_id: 1,
            inbox: VecDeque::new(),
            server_requests: Vec::new(),
            configuration: Arc::new(Mutex::new(options.configuration.clone())),
            stderr: stderr_text,
            initialize_result: Value::Null,
            versions: Default::default(),
            shut_down: false,
        };
        let mut general = json!({});
        if let Some(encodings) = &options.position_encodings {
            general = json!({"positionEncodings": encodings});
        }
        let mut text_document = json!({
            "hover": {"contentFormat": ["markdown", "plaintext"]},
            "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix"]}}},
            "publishDiagnostics": {"relatedInformation": true, "versionSupport": true},
            "synchronization": {"dynamicRegistration": false}
        });
        if options.pull_diagnostics {
            text_document["diagnostic"] = json!({"dynamicRegistration": false});
        }
        if options.resolve_edits {
            text_document["codeAction"]["resolveSupport"] = json!({"properties": ["edit"]});
            text_document["codeAction"]["dataSupport"] = json!(true);
        }
        if let Some(limit) = options.folding_range_limit {
            text_document["foldingRange"] = json!({"rangeLimit": limit});
        }
        let capabilities = json!({
            "general": general,
            "textDocument": text_document,
            "workspace": {
                "configuration": options.configuration.is_some(),
                "didChangeWatchedFiles": {"dynamicRegistration": true, "relativePatternSupport": true},
                "workspaceFolders": true,
                "diagnostics": {"refreshSupport": true},
                "inlayHint": {"refreshSupport": true},
                "codeLens": {"refreshSupport": true}
            },
            "window": {"showDocument": {"support": options.show_document}, "workDoneProgress": true}
        });
        let root = options.root.as_ref().map(|r| file_uri(r));
        let folders = root
            .as_ref()
            .map(|r| json!([{"uri": r, "name": "root"}]))
            .unwrap_or(Value::Null);
        let result = client
            .request(
                "initialize",
                json!({
                    "processId": options.process_id,
                    "rootUri": root,
                    "workspaceFolders": folders,
                    "capabilities": capabilities,
                    "initializationOptions": options.initialization_options,
                }),
            )
            .expect("initialize succeeds");
        client.initialize_result = result;
        client.notify("initialized", json!({}));
        client
    }

    fn send(&mut self, msg: &Value) {
        let body = serde_json::to_string(msg).expect("serialise");
        self.send_raw(format!("Content-Length: {}\r\n\r\n{}", body.len(), body).as_bytes());
    }

    /// Writes bytes to the server's stdin as they are (malformed framing, broken JSON).
    pub fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).expect("write to server");
        stdin.flush().expect("flush");
    }

    /// The server's process id (to read its memory use from /proc).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The server's text of an open document and its version (debug request).
    pub fn document_text(&mut self, uri: &str) -> Value {
        self.request(
            "runlog/debugDocumentText",
            json!({"textDocument": {"uri": uri}}),
        )
        .expect("debug text")
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and waits for its response: `Ok(result)` or `Err(error)`.
    pub fn request(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        let id = self.send_request(method, params);
        let msg = self.response(id);
        if let Some(err) = msg.get("error") {
            return Err(err.clone());
        }
        Ok(msg.get("result").cloned().unwrap_or(Value::Null))
    }

    /// Sends a request without waiting; returns its id.
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// Waits for the response (the whole message) to request `id`.
    pub fn response(&mut self, id: i64) -> Value {
        self.try_response_to(&json!(id), TIMEOUT)
            .unwrap_or_else(|| panic!("no response to request {id} within {TIMEOUT:?}"))
    }

    /// The response (the whole message) to the request with this id (any JSON value), if it
    /// comes within `timeout`.
    pub fn try_response_to(&mut self, id: &Value, timeout: Duration) -> Option<Value> {
        let is_it = |m: &Value| m.get("method").is_none() && m.get("id") == Some(id);
        if let Some(i) = self.inbox.iter().position(is_it) {
            return self.inbox.remove(i);
        }
        let deadline = Instant::now() + timeout;
        while let Some(msg) = self.recv(deadline) {
            if is_it(&msg) {
                return Some(msg);
            }
            self.inbox.push_back(msg);
        }
        None
    }

    /// The next message, answering server requests on the way. `None` at the deadline or EOF.
    fn recv(&mut self, deadline: Instant) -> Option<Value> {
        let now = Instant::now();
        if now >= deadline {
            return None;
        }
        match self.rx.recv_timeout(deadline - now) {
            Ok(msg) => {
                if msg.get("method").is_some() && msg.get("id").is_some() {
                    self.answer(&msg);
                }
                Some(msg)
            }
            Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => None,
        }
    }

    fn answer(&mut self, req: &Value) {
        self.server_requests.push(req.clone());
        let method = req["method"].as_str().unwrap_or_default();
        let result = match method {
            "workspace/configuration" => {
                let conf = self
                    .configuration
                    .lock()
                    .expect("lock")
                    .clone()
                    .unwrap_or(Value::Null);
                let n = req["params"]["items"].as_array().map_or(1, Vec::len);
                Value::Array(vec![conf; n])
            }
            "window/showDocument" => json!({"success": true}),
            _ => Value::Null,
        };
        let id = req["id"].clone();
        self.send(&json!({"jsonrpc": "2.0", "id": id, "result": result}));
    }

    /// Waits for a notification (or server request) matching `method` and `pred`, consuming it.
    pub fn wait_for(&mut self, method: &str, pred: impl Fn(&Value) -> bool) -> Value {
        self.try_wait_for(method, TIMEOUT, pred)
            .unwrap_or_else(|| panic!("no {method} within {TIMEOUT:?}"))
    }

    pub fn try_wait_for(
        &mut self,
        method: &str,
        timeout: Duration,
        pred: impl Fn(&Value) -> bool,
    ) -> Option<Value> {
        if let Some(i) = self
            .inbox
            .iter()
            .position(|m| m["method"] == method && pred(&m["params"]))
        {
            return self.inbox.remove(i).map(|m| m["params"].clone());
        }
        let deadline = Instant::now() + timeout;
        while let Some(msg) = self.recv(deadline) {
            if msg["method"] == method && pred(&msg["params"]) {
                return Some(msg["params"].clone());
            }
            self.inbox.push_back(msg);
        }
        None
    }

    pub fn open(&mut self, uri: &str, text: &str) {
        self.versions.insert(uri.to_string(), 1);
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "json", "version": 1, "text": text}}),
        );
    }

    /// A full-text change with the next version.
    pub fn replace(&mut self, uri: &str, text: &str) -> i32 {
        let v = self.versions.entry(uri.to_string()).or_insert(1);
        *v += 1;
        let version = *v;
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
        );
        version
    }

    pub fn version(&self, uri: &str) -> i32 {
        self.versions.get(uri).copied().unwrap_or(0)
    }

    pub fn set_version(&mut self, uri: &str, version: i32) {
        self.versions.insert(uri.to_string(), version);
    }

    /// The diagnostics published for `uri` at its current version.
    pub fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let version = self.version(uri);
        let params = self.wait_for("textDocument/publishDiagnostics", |p| {
            p["uri"] == uri && (version == 0 || p["version"] == json!(version))
        });
        params["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// The diagnostics published for a file that is not open (no version), the next time.
    pub fn disk_diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let params = self.wait_for("textDocument/publishDiagnostics", |p| p["uri"] == uri);
        params["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    pub fn at(uri: &str, line: u64, character: u64) -> Value {
        json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}})
    }

    /// Closes stdin without shutdown and waits for the process to end.
    pub fn close_stdin_and_wait(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        self.stdin = None;
        self.shut_down = true;
        self.wait_exit(timeout)
    }

    pub fn wait_exit(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                self.shut_down = true;
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    /// shutdown + exit; returns the exit status.
    pub fn shutdown(&mut self) -> Option<std::process::ExitStatus> {
        self.shut_down = true;
        let _ = self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        self.stdin = None;
        self.wait_exit(Duration::from_secs(10))
    }

    pub fn stderr_text(&self) -> String {
        self.stderr.lock().expect("lock").clone()
    }

    /// Waits until the server's stderr (read by a thread, behind the messages) holds `needle`.
    pub fn stderr_eventually_has(&self, needle: &str) -> bool {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self.stderr_text().contains(needle) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        if !self.shut_down && !std::thread::panicking() {
            let status = self.shutdown();
            assert!(
                status.is_some_and(|s| s.success()),
                "server did not exit cleanly: {status:?}"
            );
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length:") {
            length = v.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0u8; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// Applies LSP TextEdits (line/character in `encoding`) to `text`; used to check edits.
pub fn apply_edits(text: &str, edits: &[Value], encoding: &str) -> String {
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            let start = offset_of(text, &e["range"]["start"], encoding);
            let end = offset_of(text, &e["range"]["end"], encoding);
            (
                start,
                end,
                e["newText"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (s, e, t) in spans {
        out.replace_range(s..e, &t);
    }
    out
}

/// Byte offset of an LSP position (test-side reference implementation).
pub fn offset_of(text: &str, pos: &Value, encoding: &str) -> usize {
    let line = pos["line"].as_u64().unwrap_or(0) as usize;
    let character = pos["character"].as_u64().unwrap_or(0) as usize;
    let mut start = 0;
    for _ in 0..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let line_text = &text[start..text[start..].find('\n').map_or(text.len(), |i| start + i)];
    let mut units = 0;
    for (i, ch) in line_text.char_indices() {
        if units >= character {
            return start + i;
        }
        units += match encoding {
            "utf-8" => ch.len_utf8(),
            "utf-32" => 1,
            _ => ch.len_utf16(),
        };
    }
    start + line_text.len()
}

/// The LSP position of a byte offset (test-side reference implementation).
pub fn position_of(text: &str, offset: usize, encoding: &str) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let seg = &text[line_start..offset];
    let character: usize = match encoding {
        "utf-8" => seg.len(),
        "utf-32" => seg.chars().count(),
        _ => seg.chars().map(char::len_utf16).sum(),
    };
    json!({"line": line, "character": character})
}

/// `(code, severity)` of each diagnostic.
pub fn codes_and_severities(diags: &[Value]) -> Vec<(&str, i64)> {
    diags
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or(""),
                d["severity"].as_i64().unwrap_or(0),
            )
        })
        .collect()
}
