// Run Log Inspector: starts runlog-lsp over stdio through vscode-languageclient, and adds what a
// language client alone does not give: the payload view (a read-only virtual document beside the
// log), Copy as cURL onto the clipboard, the language status (the server's state and the active
// log's failing calls), the Failures view (failing calls grouped by cause, `failures.ts`), logs
// over 50 MB analysed from disk (`largeFiles.ts`), and the server lookup with clear errors. In
// Restricted Mode (an untrusted workspace) the bundled server runs and the settings that name an
// executable or set its environment are ignored: the server runs nothing from a log.
import * as vscode from 'vscode';
import {
  DefinitionRequest,
  LanguageClient,
  LanguageClientOptions,
  RequestType,
  ServerOptions,
  State,
} from 'vscode-languageclient/node';
import { FailuresView } from './failures';
import { LargeFiles } from './largeFiles';
import { candidates, findServer, isFound } from './server';

const NAME = 'Run Log Inspector';
const PAYLOAD_SCHEME = 'runlog-payload';
const LANGUAGES = ['json', 'jsonc', 'jsonl'];
/** Server commands (its executeCommandProvider) that the client intercepts through middleware. */
const VIEW_PAYLOAD = 'runlog.viewPayload';
const REVEAL_BODY = 'runlog.revealBody';
const COPY_AS_CURL = 'runlog.copyAsCurl';
/** The summary lens's command: the client shows the Failures view. */
const SHOW_FAILURES = 'runlog.showFailures';

interface PayloadParams {
  textDocument: { uri: string };
  position: { line: number; character: number };
}
interface PayloadResult {
  title: string;
  language: string;
  content: string;
}
const payloadRequest = new RequestType<PayloadParams, PayloadResult | null, void>('runlog/payload');
interface CurlResult {
  command: string;
  /** The shell variables standing for the call's secrets. */
  variables?: string[];
}
const curlRequest = new RequestType<PayloadParams, CurlResult | null, void>('runlog/curl');

/** A call in a log: the document and an LSP position (0-based, UTF-16 as VS Code negotiates). */
interface Target {
  uri: string;
  position: { line: number; character: number };
}

/** Settings whose change needs a new server process. */
const RESTART_SETTINGS = ['runlog.server.path', 'runlog.server.extraEnv', 'runlog.server.logLevel'];

/** What the language status says about the server. */
type ServerState =
  | { kind: 'disabled' }
  | { kind: 'starting' }
  | { kind: 'running'; version: string }
  | { kind: 'failed'; why: string };

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel;
let traceOutput: vscode.LogOutputChannel;
let payloads: PayloadProvider;
let languageStatus: vscode.LanguageStatusItem;
let serverState: ServerState = { kind: 'starting' };
let failures: FailuresView;
let largeFiles: LargeFiles;
/** Commands registered by the client only when the server does not advertise them. */
let fallbackCommands: vscode.Disposable[] = [];
/** Start/stop/restart run one at a time, in order. */
let lifecycle: Promise<void> = Promise.resolve();
let extensionPath = '';

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  extensionPath = context.extensionPath;
  output = vscode.window.createOutputChannel(NAME, { log: true });
  traceOutput = vscode.window.createOutputChannel(`${NAME} Trace`, { log: true });
  payloads = new PayloadProvider();
  languageStatus = vscode.languages.createLanguageStatusItem(
    'runlog.status',
    LANGUAGES.map((language) => ({ language })),
  );
  languageStatus.name = NAME;
  failures = new FailuresView(() => client, (m) => output.info(m));
  largeFiles = new LargeFiles(() => client, (m) => output.info(m), NAME);

  context.subscriptions.push(
    output,
    traceOutput,
    languageStatus,
    vscode.workspace.registerTextDocumentContentProvider(PAYLOAD_SCHEME, payloads),
    vscode.commands.registerCommand('runlog.restartServer', () => restart()),
    vscode.commands.registerCommand('runlog.showOutput', () => output.show(true)),
    failures.register(),
    largeFiles.register(),
    vscode.window.onDidChangeActiveTextEditor(() => updateStatus()),
    vscode.languages.onDidChangeDiagnostics((e) => {
      const active = vscode.window.activeTextEditor?.document.uri.toString();
      if (active && e.uris.some((u) => u.toString() === active)) {
        updateStatus();
      }
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      // Every other runlog.* setting reaches the running server live (synchronize below).
      if (e.affectsConfiguration('runlog.enable')) {
        void (enabled() ? restart() : stop());
        return;
      }
      const changed = RESTART_SETTINGS.find((key) => e.affectsConfiguration(key));
      if (changed && enabled()) {
        output.info(`${changed} changed: restarting the server`);
        void restart();
      }
    }),
    // The restricted settings apply once the workspace is trusted.
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      if (enabled() && RESTART_SETTINGS.some((key) => configured(key))) {
        output.info('the workspace is trusted now: restarting the server with runlog.server.* settings');
        void restart();
      }
    }),
    { dispose: () => void stop() },
  );
  await enqueue(start);
  updateStatus();
  failures.refreshSoon(0);
}

export function deactivate(): Thenable<void> | undefined {
  return stop();
}

function enqueue(step: () => Promise<void>): Promise<void> {
  lifecycle = lifecycle.then(step, step);
  return lifecycle;
}

function restart(): Promise<void> {
  return enqueue(async () => {
    await stopNow();
    await start();
  });
}

function stop(): Promise<void> {
  return enqueue(stopNow);
}

async function stopNow(): Promise<void> {
  fallbackCommands.forEach((d) => d.dispose());
  fallbackCommands = [];
  const running = client;
  client = undefined;
  failures?.refreshSoon(0);
  if (running) {
    try {
      await running.stop();
    } catch (e) {
      output.error(`stopping the server: ${describe(e)}`);
    }
  }
  if (!enabled()) {
    serverState = { kind: 'disabled' };
  } else if (serverState.kind !== 'failed') {
    serverState = { kind: 'starting' };
  }
  updateStatus();
}

function enabled(): boolean {
  return vscode.workspace.getConfiguration('runlog').get<boolean>('enable', true);
}

/** True when the user or the workspace set `key` away from its default. */
function configured(key: string): boolean {
  const inspected = vscode.workspace.getConfiguration().inspect(key);
  return [inspected?.globalValue, inspected?.workspaceValue, inspected?.workspaceFolderValue].some(
    (v) => v !== undefined,
  );
}

/** The server's environment: `runlog.server.logLevel` as its log filter, `runlog.server.extraEnv`
 * over it (trusted workspaces only). */
function serverEnv(config: vscode.WorkspaceConfiguration, trusted: boolean): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    RUST_BACKTRACE: '1',
    RUNLOG_LSP_LOG: config.get<string>('server.logLevel', 'info'),
  };
  const extra = trusted ? config.get<Record<string, unknown>>('server.extraEnv', {}) : {};
  for (const [name, value] of Object.entries(extra ?? {})) {
    if (typeof value === 'string') {
      env[name] = value;
    } else {
      output.warn(`runlog.server.extraEnv: ${name} is not a string; left out`);
    }
  }
  return env;
}

/** The one start path (activation and restart). Never throws: failures are shown to the user. */
async function start(): Promise<void> {
  if (!enabled()) {
    output.info('runlog.enable is false: the server is not started');
    serverState = { kind: 'disabled' };
    updateStatus();
    return;
  }
  serverState = { kind: 'starting' };
  updateStatus();
  const config = vscode.workspace.getConfiguration('runlog');
  const trusted = vscode.workspace.isTrusted;
  if (!trusted) {
    output.info('Restricted Mode: runlog.server.path and runlog.server.extraEnv are ignored; the bundled server runs');
  }
  const settingPath = trusted ? config.get<string | null>('server.path') : undefined;
  const list = candidates(process.env, settingPath, extensionPath);
  const found = await findServer(list);
  if (!isFound(found)) {
    for (const t of found.tried) {
      output.error(`not usable: ${t.candidate.command} (${t.candidate.source}): ${t.error}`);
    }
    const last = found.tried[found.tried.length - 1];
    const why = found.configuredFailed && last
      ? `${last.candidate.command} from ${last.candidate.source} does not run: ${last.error}.`
      : 'no runlog-lsp binary was found (none bundled, none on PATH).';
    fail(why);
    void showStartError(`${NAME}: ${why} Set \`runlog.server.path\` to the runlog-lsp binary.`);
    return;
  }
  output.info(`using ${found.candidate.command} (${found.candidate.source}): ${found.version}`);

  const serverOptions: ServerOptions = {
    command: found.candidate.command,
    args: ['--stdio'],
    options: { env: serverEnv(config, trusted) },
  };
  const documentSelector = LANGUAGES.flatMap((language) => [
    { scheme: 'file', language },
    { scheme: 'untitled', language },
  ]);
  const clientOptions: LanguageClientOptions = {
    documentSelector,
    outputChannel: output,
    traceOutputChannel: traceOutput,
    initializationOptions: settingsObject(),
    synchronize: { configurationSection: 'runlog' },
    middleware: {
      executeCommand: async (command, args, next) => {
        if (command === VIEW_PAYLOAD) {
          return viewPayload(args);
        }
        if (command === REVEAL_BODY) {
          return revealBody(args, () => next(command, args));
        }
        if (command === SHOW_FAILURES) {
          return failures.show();
        }
        if (command === COPY_AS_CURL) {
          // The server only answers `{ command }`: the client puts it on the clipboard.
          return copyAsCurl(args);
        }
        return next(command, args);
      },
    },
  };
  const next = new LanguageClient('runlog', NAME, serverOptions, clientOptions);
  next.onDidChangeState((e) => {
    // Stopped while it is still ours: it crashed and the client gave up restarting it.
    if (e.newState === State.Stopped && client === next) {
      fail('the server stopped; see the output');
    }
  });
  try {
    await next.start();
  } catch (e) {
    output.error(`the server did not start: ${describe(e)}`);
    fail(`did not start: ${describe(e)}`);
    void showStartError(`${NAME}: runlog-lsp (${found.candidate.command}) did not start: ${describe(e)}`);
    return;
  }
  client = next;
  serverState = { kind: 'running', version: found.version };
  updateStatus();
  await registerFallbackCommands();
  failures?.refreshSoon(0);
  largeFiles.serverStarted();
}

function fail(why: string): void {
  serverState = { kind: 'failed', why };
  updateStatus();
}

/**
 * The server normally advertises runlog.viewPayload/runlog.revealBody, which makes the client
 * register them (and route them through the middleware). If it does not, the palette entries
 * would do nothing, so the client registers them itself.
 */
async function registerFallbackCommands(): Promise<void> {
  const known = new Set(await vscode.commands.getCommands(true));
  if (!known.has(VIEW_PAYLOAD)) {
    fallbackCommands.push(vscode.commands.registerCommand(VIEW_PAYLOAD, (...args: unknown[]) => viewPayload(args)));
  }
  if (!known.has(REVEAL_BODY)) {
    fallbackCommands.push(vscode.commands.registerCommand(REVEAL_BODY, (...args: unknown[]) => revealBody(args)));
  }
  if (!known.has(SHOW_FAILURES)) {
    fallbackCommands.push(vscode.commands.registerCommand(SHOW_FAILURES, () => failures.show()));
  }
  if (!known.has(COPY_AS_CURL)) {
    fallbackCommands.push(vscode.commands.registerCommand(COPY_AS_CURL, (...args: unknown[]) => copyAsCurl(args)));
  }
}

async function showStartError(message: string): Promise<void> {
  const choice = await vscode.window.showErrorMessage(message, 'Open Settings', 'Show Output');
  if (choice === 'Open Settings') {
    await vscode.commands.executeCommand('workbench.action.openSettings', 'runlog.server.path');
  } else if (choice === 'Show Output') {
    output.show(true);
  }
}

/** The runlog.* settings as plain JSON (the shape `synchronize.configurationSection` sends too). */
function settingsObject(): unknown {
  return JSON.parse(JSON.stringify(vscode.workspace.getConfiguration('runlog')));
}

/**
 * The call a command is about: from the code action's arguments (`{uri, position}`, or
 * `uri, position`), else the cursor of the active editor.
 */
function targetOf(args: unknown[] | undefined): Target | undefined {
  const [first, second] = args ?? [];
  const asPos = (p: unknown) =>
    p && typeof p === 'object' && typeof (p as any).line === 'number' && typeof (p as any).character === 'number'
      ? { line: (p as any).line as number, character: (p as any).character as number }
      : undefined;
  if (first && typeof first === 'object') {
    const o = first as any;
    const uri = typeof o.uri === 'string' ? o.uri : typeof o.textDocument?.uri === 'string' ? o.textDocument.uri : undefined;
    const position = asPos(o.position);
    if (uri && position) {
      return { uri, position };
    }
  }
  if (typeof first === 'string' && asPos(second)) {
    return { uri: first, position: asPos(second)! };
  }
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.uri.scheme === PAYLOAD_SCHEME) {
    return undefined;
  }
  const p = editor.selection.active;
  return { uri: editor.document.uri.toString(), position: { line: p.line, character: p.character } };
}

async function viewPayload(args: unknown[] | undefined): Promise<void> {
  const target = targetOf(args);
  const running = client;
  if (!target || !running) {
    void vscode.window.showInformationMessage(`${NAME}: put the cursor on a status code in a run log first.`);
    return;
  }
  let result: PayloadResult | null;
  try {
    result = await running.sendRequest(payloadRequest, { textDocument: { uri: target.uri }, position: target.position });
  } catch (e) {
    output.info(`runlog/payload failed: ${describe(e)}`);
    void vscode.window.showErrorMessage(`${NAME}: could not get the payload: ${describe(e)}`);
    return;
  }
  if (!result) {
    void vscode.window.showInformationMessage(`${NAME}: no HTTP call at the cursor.`);
    return;
  }
  const uri = payloads.put(target, result);
  const doc = await vscode.workspace.openTextDocument(uri);
  const language = result.language || 'json';
  const shown = doc.languageId === language ? doc : await vscode.languages.setTextDocumentLanguage(doc, language).then(
    (d) => d,
    () => doc,
  );
  await vscode.window.showTextDocument(shown, { viewColumn: vscode.ViewColumn.Beside, preview: false, preserveFocus: false });
}

/**
 * Copy as cURL, from the palette (the call at the cursor) or the code action (its arguments):
 * asks the server for the command line, puts it on the clipboard and says which shell variables
 * stand for the secrets. Returns what the server answered (tests and other callers can read it).
 */
async function copyAsCurl(args: unknown[] | undefined): Promise<CurlResult | undefined> {
  const target = targetOf(args);
  const running = client;
  if (!target || !running) {
    void vscode.window.showInformationMessage(`${NAME}: put the cursor on a status code in a run log first.`);
    return undefined;
  }
  let result: CurlResult | null;
  try {
    result = await running.sendRequest(curlRequest, { textDocument: { uri: target.uri }, position: target.position });
  } catch (e) {
    output.info(`runlog/curl failed: ${describe(e)}`);
    void vscode.window.showErrorMessage(`${NAME}: could not build the cURL command: ${describe(e)}`);
    return undefined;
  }
  if (!result || typeof result.command !== 'string') {
    void vscode.window.showInformationMessage(`${NAME}: no HTTP call with a URL at the cursor.`);
    return undefined;
  }
  await vscode.env.clipboard.writeText(result.command);
  const variables = result.variables ?? [];
  void vscode.window.showInformationMessage(
    variables.length > 0
      ? `Copied the request as cURL (secrets as shell variables: ${variables.join(', ')}).`
      : 'Copied the request as cURL.',
  );
  return result;
}

/**
 * With arguments (the code action), the server command runs and the server answers with
 * window/showDocument. From the palette (no arguments), or if the command fails, the client asks
 * for the definition of the status code, which is the response body, and selects it.
 */
async function revealBody(args: unknown[] | undefined, serverCommand?: () => unknown): Promise<void> {
  if (serverCommand && args && args.length > 0) {
    try {
      await serverCommand();
      return;
    } catch (e) {
      output.info(`runlog.revealBody on the server failed (${describe(e)}); using the definition instead`);
    }
  }
  const target = targetOf(args);
  const running = client;
  if (!target || !running) {
    void vscode.window.showInformationMessage(`${NAME}: put the cursor on a status code in a run log first.`);
    return;
  }
  const result = await running.sendRequest(DefinitionRequest.type, {
    textDocument: { uri: target.uri },
    position: target.position,
  });
  const converted = await running.protocol2CodeConverter.asDefinitionResult(result ?? null);
  const first = Array.isArray(converted) ? converted[0] : converted;
  if (!first) {
    void vscode.window.showInformationMessage(`${NAME}: this call has no response body in the log.`);
    return;
  }
  const uri = 'targetUri' in first ? first.targetUri : first.uri;
  const range = 'targetUri' in first ? first.targetSelectionRange ?? first.targetRange : first.range;
  const editor = await vscode.window.showTextDocument(uri, { selection: range, preview: false });
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

/**
 * The language status: the server's state, and while it runs the active log's failing calls
 * (a click opens Problems). A failed server says why, and a click shows the output.
 */
function updateStatus(): void {
  const item = languageStatus;
  item.busy = serverState.kind === 'starting';
  item.severity = vscode.LanguageStatusSeverity.Information;
  switch (serverState.kind) {
    case 'disabled':
      item.text = 'Run Log: off';
      item.detail = 'runlog.enable is false';
      item.command = { title: 'Settings', command: 'workbench.action.openSettings', arguments: ['runlog.enable'] };
      return;
    case 'starting':
      item.text = 'Run Log: starting';
      item.detail = 'runlog-lsp';
      item.command = { title: 'Output', command: 'runlog.showOutput' };
      return;
    case 'failed':
      item.text = 'Run Log: stopped';
      item.detail = serverState.why;
      item.severity = vscode.LanguageStatusSeverity.Error;
      item.command = { title: 'Output', command: 'runlog.showOutput' };
      return;
    case 'running': {
      const editor = vscode.window.activeTextEditor;
      const failing = editor ? failingCalls(editor.document.uri) : 0;
      item.text =
        failing === 0 ? '$(check) No failing calls' : `$(error) ${failing} failing call${failing === 1 ? '' : 's'}`;
      item.detail = serverState.version;
      item.command = { title: 'Problems', command: 'workbench.actions.view.problems' };
      return;
    }
  }
}

/** The failing calls among the diagnostics of `uri`: errors and warnings with a status code. */
function failingCalls(uri: vscode.Uri): number {
  return vscode.languages
    .getDiagnostics(uri)
    .filter(
      (d) =>
        d.source === 'runlog' &&
        (d.severity === vscode.DiagnosticSeverity.Error || d.severity === vscode.DiagnosticSeverity.Warning) &&
        (/^\d{3}$/.test(codeOf(d)) || codeOf(d) === 'no-response'),
    ).length;
}

function codeOf(d: vscode.Diagnostic): string {
  const code = d.code;
  if (code === undefined) {
    return '';
  }
  if (typeof code === 'object') {
    return String(code.value);
  }
  return String(code);
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Read-only documents holding payload views; one per call, the most recent few kept. */
class PayloadProvider implements vscode.TextDocumentContentProvider {
  private readonly docs = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  put(target: Target, result: PayloadResult): vscode.Uri {
    const name = (result.title || 'Payload').replace(/[\\/:*?"<>|#?%\u0000-\u001f]+/g, ' ').trim().slice(0, 120) || 'Payload';
    const ext = result.language === 'json' || !result.language ? '.json' : '';
    const uri = vscode.Uri.from({
      scheme: PAYLOAD_SCHEME,
      path: `/${name}${ext}`,
      query: `${target.uri}#${target.position.line}:${target.position.character}`,
    });
    const key = uri.toString();
    this.docs.delete(key);
    this.docs.set(key, result.content);
    while (this.docs.size > 20) {
      const oldest = this.docs.keys().next().value;
      if (oldest === undefined) break;
      this.docs.delete(oldest);
    }
    this.changed.fire(uri);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.docs.get(uri.toString()) ?? '';
  }
}
