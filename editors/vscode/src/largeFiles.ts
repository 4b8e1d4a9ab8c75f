// Logs over 50 MB: VS Code shows them in a tab but never hands them to extensions (no
// TextDocument, so no didOpen reaches the server). For each such tab the server is asked to
// analyse the file from disk (`runlog/analyzeFile`), which puts its failing calls in Problems,
// and told when the last tab closes (`runlog/forgetFile`). The user is told once per file why
// hover and quick fixes are not offered there.
import * as path from 'path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { RequestType } from 'vscode-languageclient/node';

/** VS Code's limit for syncing a file to extensions (its `_MODEL_SYNC_LIMIT`). */
export const SYNC_LIMIT = 50 * 1024 * 1024;
/** The extensions of the files the client's document selector would cover (json, jsonc, jsonl). */
const LOG_EXTENSIONS = new Set(['.json', '.jsonc', '.jsonl', '.ndjson', '.har']);

interface FileParams {
  textDocument: { uri: string };
}
const analyzeFileRequest = new RequestType<FileParams, null, void>('runlog/analyzeFile');
const forgetFileRequest = new RequestType<FileParams, null, void>('runlog/forgetFile');

/** A file tab that may be a log: a `file:` URI with a log's extension. */
export function mayBeLog(uri: vscode.Uri): boolean {
  return uri.scheme === 'file' && LOG_EXTENSIONS.has(path.extname(uri.path).toLowerCase());
}

export class LargeFiles implements vscode.Disposable {
  /** URIs (as strings) the running server analyses from disk. */
  private analysed = new Set<string>();
  private readonly told = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [];
  /** Syncs run one at a time: tab events come in bursts. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: () => LanguageClient | undefined,
    private readonly log: (message: string) => void,
    private readonly name: string,
  ) {}

  register(): vscode.Disposable {
    this.disposables.push(vscode.window.tabGroups.onDidChangeTabs(() => this.syncSoon()));
    return this;
  }

  /** A new server knows nothing of the files the last one analysed. */
  serverStarted(): void {
    this.analysed = new Set();
    this.syncSoon();
  }

  syncSoon(): void {
    this.queue = this.queue.then(() => this.sync()).catch((e) => this.log(`large files: ${String(e)}`));
  }

  private async sync(): Promise<void> {
    const running = this.client();
    if (!running) {
      this.analysed.clear();
      return;
    }
    const shown = await this.largeTabs();
    for (const uri of shown) {
      if (this.analysed.has(uri.toString())) continue;
      this.analysed.add(uri.toString());
      this.tellOnce(uri);
      this.log(`${uri.fsPath} is over 50 MB: VS Code does not hand it to extensions; the server analyses it from disk`);
      await running.sendRequest(analyzeFileRequest, { textDocument: { uri: uri.toString() } });
    }
    const still = new Set(shown.map((u) => u.toString()));
    for (const uri of [...this.analysed]) {
      if (still.has(uri)) continue;
      this.analysed.delete(uri);
      await running.sendRequest(forgetFileRequest, { textDocument: { uri } });
    }
  }

  /** The file tabs of logs over the limit that have no TextDocument (VS Code kept them back). */
  private async largeTabs(): Promise<vscode.Uri[]> {
    const synced = new Set(vscode.workspace.textDocuments.map((d) => d.uri.toString()));
    const candidates = new Map<string, vscode.Uri>();
    for (const group of vscode.window.tabGroups.all) {
      for (const tab of group.tabs) {
        const input = tab.input;
        if (input instanceof vscode.TabInputText && mayBeLog(input.uri) && !synced.has(input.uri.toString())) {
          candidates.set(input.uri.toString(), input.uri);
        }
      }
    }
    const large: vscode.Uri[] = [];
    for (const uri of candidates.values()) {
      try {
        if ((await vscode.workspace.fs.stat(uri)).size > SYNC_LIMIT) large.push(uri);
      } catch {
        // Deleted or unreadable: nothing to analyse.
      }
    }
    return large;
  }

  private tellOnce(uri: vscode.Uri): void {
    if (this.told.has(uri.toString())) return;
    this.told.add(uri.toString());
    const file = path.basename(uri.fsPath);
    void vscode.window.showInformationMessage(
      `${this.name}: ${file} is over 50 MB, and VS Code does not hand files that big to extensions. ` +
        'Its failing calls are analysed from disk and listed in Problems, but hover and quick fixes are not available in it. ' +
        `In a terminal, \`runlog-lsp check ${file}\` prints the same findings.`,
    );
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }
}
