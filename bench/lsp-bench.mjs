// Side-by-side LSP benchmark: runlog-lsp against vscode-json-language-server on the same files and
// the same requests. Run through `cargo xtask bench-lsp` (which builds the server, generates the
// inputs and runs `npm ci` here); by hand:
//
//   node bench/lsp-bench.mjs --data target/bench-data --sizes 1,10,50 \
//     --runlog target/release/runlog-lsp --out target/bench-data/lsp-results.md
//
// Every server runs over stdio only, one fresh process per session (so VmHWM is that file's peak).
// Sessions alternate between the two servers. Each request has a timeout; a session that exceeds
// it is reported as such and the process group is killed.
//
// Two session kinds per file and server:
//   pull  — as VS Code does: client declares pull diagnostics (textDocument.diagnostic), sends
//           textDocument/diagnostic right after didOpen and after each didChange. Measures open →
//           diagnostics, hover p50/p99, document symbols, folding ranges, edit → fresh diagnostics,
//           peak RSS. For the peer this is its parse + validation time without any delay.
//   push  — client without pull support: open → first publishDiagnostics and edit → next
//           publishDiagnostics. For the peer this includes its fixed 500 ms validation delay.
//
// The peer gets the JSON files (HAR, run log) as languageId "json"; JSON Lines is not JSON (the
// peer reports "End of file expected" on line 2 and stops), so JSONL is measured for runlog-lsp
// alone.

import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { resolve, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
  const args = {
    data: resolve(here, '../target/bench-data'),
    sizes: [1, 10, 50],
    formats: ['har', 'runlog', 'jsonl'],
    runlog: resolve(here, '../target/release/runlog-lsp'),
    peer: resolve(here, 'node_modules/vscode-langservers-extracted/bin/vscode-json-language-server'),
    out: null,
    json: null,
    rounds: null,
    hovers: 200,
    edits: 5,
    timeoutMs: 120000,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    switch (a) {
      case '--data': args.data = resolve(next()); break;
      case '--sizes': args.sizes = next().split(',').map(Number).filter((n) => n > 0); break;
      case '--formats': args.formats = next().split(','); break;
      case '--runlog': args.runlog = resolve(next()); break;
      case '--peer': args.peer = resolve(next()); break;
      case '--out': args.out = resolve(next()); break;
      case '--json': args.json = resolve(next()); break;
      case '--rounds': args.rounds = Number(next()); break;
      case '--hovers': args.hovers = Number(next()); break;
      case '--edits': args.edits = Number(next()); break;
      case '--timeout-ms': args.timeoutMs = Number(next()); break;
      default: throw new Error(`unknown argument ${a}`);
    }
  }
  return args;
}

const EXT = { har: 'har', runlog: 'json', jsonl: 'jsonl' };
// Where the generator writes each call's status value (see server/benches/gen/mod.rs).
const STATUS_RE = { har: /"status": (\d{3})/g, runlog: /"network_code": (\d{3})/g, jsonl: /"statusCode":(\d{3})/g };

/** A JSON-RPC client over a child's stdio with Content-Length framing. */
class Client {
  constructor(name, cmd, args, timeoutMs) {
    this.name = name;
    this.timeoutMs = timeoutMs;
    this.proc = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = [];
    this.buf = Buffer.alloc(0);
    this.stderr = '';
    this.exited = new Promise((res) => this.proc.on('exit', (code, sig) => res({ code, sig })));
    this.proc.stdout.on('data', (chunk) => this.onData(chunk));
    this.proc.stderr.on('data', (d) => {
      if (this.stderr.length < 20000) this.stderr += d.toString();
    });
    this.proc.stdin.on('error', () => {});
    this.serverRequestHandler = () => null;
  }

  onData(chunk) {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      const headerEnd = this.buf.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const header = this.buf.subarray(0, headerEnd).toString('ascii');
      const m = /Content-Length: *(\d+)/i.exec(header);
      if (!m) throw new Error(`${this.name}: bad header ${header}`);
      const len = Number(m[1]);
      if (this.buf.length < headerEnd + 4 + len) return;
      const body = this.buf.subarray(headerEnd + 4, headerEnd + 4 + len).toString('utf8');
      this.buf = this.buf.subarray(headerEnd + 4 + len);
      this.onMessage(JSON.parse(body));
    }
  }

  onMessage(msg) {
    const now = performance.now();
    if (msg.id !== undefined && msg.method === undefined) {
      const p = this.pending.get(msg.id);
      if (p) {
        this.pending.delete(msg.id);
        clearTimeout(p.timer);
        if (msg.error) p.reject(new Error(`${p.method}: ${msg.error.message}`));
        else p.resolve({ result: msg.result, at: now });
      }
    } else if (msg.id !== undefined) {
      // A request from the server (configuration, registerCapability, progress, refresh).
      let result = null;
      try {
        result = this.serverRequestHandler(msg);
      } catch {
        result = null;
      }
      this.send({ jsonrpc: '2.0', id: msg.id, result });
    } else {
      for (const l of [...this.listeners]) l(msg, now);
    }
  }

  send(msg) {
    const body = Buffer.from(JSON.stringify(msg), 'utf8');
    this.proc.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.proc.stdin.write(body);
  }

  request(method, params) {
    const id = this.nextId++;
    const sent = performance.now();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: timed out after ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(id, { resolve: (r) => resolve({ ...r, ms: r.at - sent }), reject, timer, method });
      this.send({ jsonrpc: '2.0', id, method, params });
    });
  }

  notify(method, params) {
    this.send({ jsonrpc: '2.0', method, params });
  }

  /** Resolves with the first notification matching `pred` (after now), or rejects on timeout. */
  waitFor(pred, what) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners = this.listeners.filter((l) => l !== listener);
        reject(new Error(`${what}: timed out after ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      const listener = (msg, at) => {
        if (pred(msg)) {
          clearTimeout(timer);
          this.listeners = this.listeners.filter((l) => l !== listener);
          resolve({ msg, at });
        }
      };
      this.listeners.push(listener);
    });
  }

  peakRssKb() {
    try {
      const status = readFileSync(`/proc/${this.proc.pid}/status`, 'utf8');
      const m = /VmHWM:\s+(\d+) kB/.exec(status);
      return m ? Number(m[1]) : null;
    } catch {
      return null;
    }
  }

  async close() {
    try {
      await Promise.race([this.request('shutdown', null), sleep(5000)]);
      this.notify('exit', null);
    } catch {
      /* timed out or died: killed below */
    }
    const exited = await Promise.race([this.exited, sleep(5000).then(() => null)]);
    if (!exited) {
      try {
        process.kill(-this.proc.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    for (const p of this.pending.values()) clearTimeout(p.timer);
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function lineStarts(text) {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** Offset → LSP position (UTF-16 columns; the generated text is ASCII, so they equal bytes). */
function position(starts, offset) {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, character: offset - starts[lo] };
}

function percentile(values, p) {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}
const median = (v) => percentile(v, 50);

function capabilities(pull) {
  const caps = {
    general: { positionEncodings: ['utf-16'] },
    workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true }, workspaceFolders: true },
    window: { workDoneProgress: true },
    textDocument: {
      synchronization: { dynamicRegistration: true, didSave: true },
      publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true, dataSupport: true },
      hover: { dynamicRegistration: true, contentFormat: ['markdown', 'plaintext'] },
      documentSymbol: { dynamicRegistration: true, hierarchicalDocumentSymbolSupport: true },
      foldingRange: { dynamicRegistration: true, rangeLimit: 5000, lineFoldingOnly: true },
      codeAction: { dynamicRegistration: true },
      definition: { dynamicRegistration: true },
    },
  };
  if (pull) {
    caps.textDocument.diagnostic = { dynamicRegistration: true, relatedDocumentSupport: false };
    caps.workspace.diagnostics = { refreshSupport: true };
  }
  return caps;
}

// What VS Code's JSON extension sends (json.validate.enable, json.resultLimit 5001,
// json.jsonFoldingLimit 5001; folding rangeLimit 5000 in the capabilities as VS Code's
// editor.foldingMaximumRegions default).
const PEER_SETTINGS = {
  http: { proxy: '', proxyStrictSSL: true },
  json: {
    validate: { enable: true },
    format: { enable: true },
    keepLines: { enable: false },
    schemas: [],
    resultLimit: 5001,
    jsonFoldingLimit: 5001,
    jsoncFoldingLimit: 5001,
    jsonColorDecoratorLimit: 5001,
    jsoncColorDecoratorLimit: 5001,
  },
};

function serverSpec(args, which) {
  if (which === 'runlog') {
    return { cmd: args.runlog, argv: ['--stdio'], initOptions: {}, settings: { runlog: {} } };
  }
  return {
    cmd: process.execPath,
    argv: [args.peer, '--stdio'],
    initOptions: { provideFormatter: false, handledSchemaProtocols: ['file'], customCapabilities: { rangeFormatting: { editLimit: 10000 } } },
    settings: PEER_SETTINGS,
  };
}

async function session(args, which, mode, file) {
  const spec = serverSpec(args, which);
  const client = new Client(which, spec.cmd, spec.argv, args.timeoutMs);
  let pullRegistered = false;
  client.serverRequestHandler = (msg) => {
    if (msg.method === 'workspace/configuration') {
      return (msg.params.items || []).map((it) => (it.section ? spec.settings[it.section.split('.')[0]] ?? null : spec.settings));
    }
    if (msg.method === 'client/registerCapability') {
      for (const r of msg.params.registrations || []) if (r.method === 'textDocument/diagnostic') pullRegistered = true;
    }
    return null;
  };
  const result = { server: which, mode, file: file.name, ok: true };
  const uri = pathToFileURL(file.path).href;
  try {
    const init = await client.request('initialize', {
      processId: process.pid,
      clientInfo: { name: 'runlog-bench', version: '1' },
      rootUri: pathToFileURL(dirname(file.path)).href,
      workspaceFolders: [{ uri: pathToFileURL(dirname(file.path)).href, name: 'bench' }],
      capabilities: capabilities(mode === 'pull'),
      initializationOptions: spec.initOptions,
    });
    client.notify('initialized', {});
    client.notify('workspace/didChangeConfiguration', { settings: spec.settings });
    await sleep(50);
    const pull = mode === 'pull' && (init.result.capabilities.diagnosticProvider !== undefined || pullRegistered);
    result.pull = pull;

    const diagnostics = async (version) => {
      if (pull) {
        const r = await client.request('textDocument/diagnostic', { textDocument: { uri } });
        return { ms: r.ms, count: (r.result.items || []).length };
      }
      const start = performance.now();
      const { msg, at } = await client.waitFor(
        (m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri && (m.params.version === undefined || m.params.version === version),
        'publishDiagnostics',
      );
      return { ms: at - start, count: msg.params.diagnostics.length };
    };

    // open → diagnostics
    let version = 1;
    const t0 = performance.now();
    const waitPush = pull ? null : diagnostics(version);
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: file.languageId, version, text: file.text } });
    const open = pull ? await diagnostics(version) : await waitPush;
    result.openMs = pull ? performance.now() - t0 : open.ms;
    result.diagnostics = open.count;

    if (mode === 'pull') {
      // hovers over status codes spread through the file
      const hoverMs = [];
      let answered = 0;
      for (const pos of file.hoverPositions) {
        const r = await client.request('textDocument/hover', { textDocument: { uri }, position: pos });
        hoverMs.push(r.ms);
        if (r.result) answered++;
      }
      result.hoverP50 = median(hoverMs);
      result.hoverP99 = percentile(hoverMs, 99);
      result.hoversAnswered = `${answered}/${hoverMs.length}`;
      const repeat = async (method) => {
        const ms = [];
        let count = 0;
        for (let i = 0; i < 3; i++) {
          const r = await client.request(method, { textDocument: { uri } });
          ms.push(r.ms);
          count = Array.isArray(r.result) ? r.result.length : 0;
        }
        return { ms: median(ms), count };
      };
      const sym = await repeat('textDocument/documentSymbol');
      result.symbolsMs = sym.ms;
      result.symbols = sym.count;
      const fold = await repeat('textDocument/foldingRange');
      result.foldingMs = fold.ms;
      result.folding = fold.count;
    }

    // edit → fresh diagnostics: flip a successful call's 200 to 404 and back
    const editMs = [];
    const e = file.editPosition;
    for (let i = 0; i < args.edits; i++) {
      version++;
      const text = i % 2 === 0 ? '404' : '200';
      const start = performance.now();
      const waitPush2 = pull ? null : diagnostics(version);
      client.notify('textDocument/didChange', {
        textDocument: { uri, version },
        contentChanges: [{ range: { start: e, end: { line: e.line, character: e.character + 3 } }, text }],
      });
      const d = pull ? await diagnostics(version) : await waitPush2;
      editMs.push(pull ? performance.now() - start : d.ms);
      result.diagnosticsAfterEdit = d.count;
    }
    result.editMs = median(editMs);
    result.peakRssKb = client.peakRssKb();
  } catch (err) {
    result.ok = false;
    result.error = String(err.message || err).slice(0, 200);
    result.peakRssKb = client.peakRssKb();
  } finally {
    await client.close();
  }
  if (!result.ok && client.stderr) result.stderrTail = client.stderr.slice(-300);
  return result;
}

function loadFile(args, format, mb) {
  const path = join(args.data, `${format}-${mb}mb.${EXT[format]}`);
  if (!existsSync(path)) throw new Error(`missing ${path}: run \`cargo xtask bench-lsp\` (it generates the inputs)`);
  const text = readFileSync(path, 'utf8');
  const starts = lineStarts(text);
  const offsets = [];
  for (const m of text.matchAll(STATUS_RE[format])) offsets.push({ at: m.index + m[0].length - 3, code: m[1] });
  const step = Math.max(1, Math.floor(offsets.length / args.hovers));
  const hoverPositions = [];
  for (let i = 0; i < offsets.length && hoverPositions.length < args.hovers; i += step) {
    hoverPositions.push(position(starts, offsets[i].at + 1));
  }
  const ok = offsets.filter((o) => o.code === '200');
  const middle = ok[Math.floor(ok.length / 2)] || offsets[0];
  return {
    name: `${format}-${mb}mb`,
    format,
    mb,
    path,
    text,
    bytes: Buffer.byteLength(text),
    languageId: format === 'jsonl' ? 'jsonl' : 'json',
    hoverPositions,
    editPosition: position(starts, middle.at),
  };
}

const fmtMs = (v) => (v == null ? '–' : v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0));
const fmtMb = (kb) => (kb == null ? '–' : (kb / 1024).toFixed(0));

function summarize(results) {
  const key = (r) => `${r.file}|${r.server}|${r.mode}`;
  const groups = new Map();
  for (const r of results) {
    if (!groups.has(key(r))) groups.set(key(r), []);
    groups.get(key(r)).push(r);
  }
  const agg = (file, server, mode) => {
    const rs = groups.get(`${file}|${server}|${mode}`) || [];
    const ok = rs.filter((r) => r.ok);
    const pick = (f) => median(ok.map((r) => r[f]).filter((v) => v != null));
    return {
      n: ok.length,
      failed: rs.length - ok.length,
      error: rs.find((r) => !r.ok)?.error,
      openMs: pick('openMs'),
      hoverP50: pick('hoverP50'),
      hoverP99: pick('hoverP99'),
      symbolsMs: pick('symbolsMs'),
      foldingMs: pick('foldingMs'),
      editMs: pick('editMs'),
      peakRssKb: pick('peakRssKb'),
      diagnostics: ok[0]?.diagnostics,
      symbols: ok[0]?.symbols,
      folding: ok[0]?.folding,
      hovers: ok[0]?.hoversAnswered,
    };
  };
  return agg;
}

function table(args, files, results) {
  const agg = summarize(results);
  const lines = [];
  const ratio = (a, b) => (a == null || b == null || a === 0 ? '–' : `${(b / a).toFixed(1)}×`);
  lines.push('| file | server | open → diagnostics (ms) | hover p50 / p99 (ms) | document symbols (ms) | folding ranges (ms) | edit → diagnostics (ms) | peak RSS (MB) | push: open / edit → publish (ms) |');
  lines.push('|---|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const f of files) {
    const servers = f.format === 'jsonl' ? ['runlog'] : ['runlog', 'peer'];
    for (const s of servers) {
      const a = agg(f.name, s, 'pull');
      const p = agg(f.name, s, 'push');
      const name = s === 'runlog' ? 'runlog-lsp' : 'vscode-json-language-server';
      if (!a.n) {
        lines.push(`| ${f.name} | ${name} | failed: ${a.error ?? 'no run'} | | | | | | |`);
        continue;
      }
      lines.push(
        `| ${f.name} | ${name} | ${fmtMs(a.openMs)} (${a.diagnostics} diag.) | ${fmtMs(a.hoverP50)} / ${fmtMs(a.hoverP99)} | ${fmtMs(a.symbolsMs)} (${a.symbols}) | ${fmtMs(a.foldingMs)} (${a.folding}) | ${fmtMs(a.editMs)} | ${fmtMb(a.peakRssKb)} | ${p.n ? `${fmtMs(p.openMs)} / ${fmtMs(p.editMs)}` : `failed: ${p.error ?? 'no run'}`} |`,
      );
    }
    if (f.format !== 'jsonl') {
      const r = agg(f.name, 'runlog', 'pull');
      const q = agg(f.name, 'peer', 'pull');
      const rp = agg(f.name, 'runlog', 'push');
      const qp = agg(f.name, 'peer', 'push');
      lines.push(
        `| ${f.name} | **peer ÷ runlog** | ${ratio(r.openMs, q.openMs)} | ${ratio(r.hoverP50, q.hoverP50)} / ${ratio(r.hoverP99, q.hoverP99)} | ${ratio(r.symbolsMs, q.symbolsMs)} | ${ratio(r.foldingMs, q.foldingMs)} | ${ratio(r.editMs, q.editMs)} | ${ratio(r.peakRssKb, q.peakRssKb)} | ${ratio(rp.openMs, qp.openMs)} / ${ratio(rp.editMs, qp.editMs)} |`,
      );
    }
  }
  return lines.join('\n');
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const files = [];
  for (const mb of args.sizes) for (const format of args.formats) files.push(loadFile(args, format, mb));
  const results = [];
  for (const f of files) {
    const rounds = args.rounds ?? (f.mb >= 50 ? 1 : 3);
    const servers = f.format === 'jsonl' ? ['runlog'] : ['runlog', 'peer'];
    for (let round = 0; round < rounds; round++) {
      for (const mode of ['pull', 'push']) {
        // alternate which server goes first, so neither always runs on a warmer machine
        const order = round % 2 === 0 ? servers : [...servers].reverse();
        for (const s of order) {
          const r = await session(args, s, mode, f);
          results.push(r);
          const line = r.ok
            ? `open ${fmtMs(r.openMs)} ms${r.hoverP50 != null ? `, hover ${fmtMs(r.hoverP50)}/${fmtMs(r.hoverP99)}` : ''}, edit ${fmtMs(r.editMs)} ms, rss ${fmtMb(r.peakRssKb)} MB, ${r.diagnostics} diag.`
            : `FAILED: ${r.error}`;
          console.error(`[${f.name} ${s} ${mode} #${round + 1}] ${line}`);
        }
      }
    }
    f.text = null; // free the big string before the next file
  }
  const md = table(args, files, results);
  console.log(md);
  if (args.out) writeFileSync(args.out, md + '\n');
  if (args.json) writeFileSync(args.json, JSON.stringify(results, null, 1));
}

main().catch((e) => {
  console.error(e.stack || String(e));
  process.exit(1);
});
