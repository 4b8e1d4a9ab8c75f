// The Failures view (`runlog.failures`, in the Explorer): the failing calls of every open and
// watched run log grouped by cause, as the server's `runlog/failures` answers them. Groups are
// ordered by count; each expands to its calls (file and line, run and step when the log names
// them); a click opens the call with the cursor on its status code. Refreshed when diagnostics
// change (debounced), when the server starts, and by the refresh command.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { RequestType } from 'vscode-languageclient/node';

export const VIEW_ID = 'runlog.failures';
export const OPEN_CALL = 'runlog.openFailingCall';

interface LspRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}
export interface FailureCall {
  uri: string;
  range: LspRange;
  name?: string;
  run?: string;
}
export interface FailureGroup {
  key: string;
  code: string;
  status: number | null;
  reason: string | null;
  explanation: string | null;
  method: string | null;
  endpoint: string | null;
  severity?: string;
  count: number;
  calls: FailureCall[];
}
export interface FailuresResult {
  groups: FailureGroup[];
}
interface FailuresParams {
  textDocument?: { uri: string };
}
export const failuresRequest = new RequestType<FailuresParams, FailuresResult, void>('runlog/failures');

/** "3 × 404 Not Found — Order <n> not found". */
export function groupLabel(g: FailureGroup): string {
  const head = [g.code, g.reason].filter((s) => s && s.length > 0).join(' ');
  return g.explanation ? `${g.count} × ${head} — ${g.explanation}` : `${g.count} × ${head}`;
}

/** "GET https://shop.example/orders/{id}". */
export function groupEndpoint(g: FailureGroup): string {
  return [g.method, g.endpoint].filter((s) => s && s.length > 0).join(' ');
}

/** "orders.jsonl:12". */
export function callLabel(c: FailureCall): string {
  const path = vscode.Uri.parse(c.uri).path;
  const file = path.slice(path.lastIndexOf('/') + 1) || c.uri;
  return `${file}:${c.range.start.line + 1}`;
}

/** "Nightly sync › Create member", when the log names them. */
export function callDescription(c: FailureCall): string {
  return [c.run, c.name].filter((s) => s && s.length > 0).join(' › ');
}

type Node = { kind: 'group'; group: FailureGroup } | { kind: 'call'; group: FailureGroup; call: FailureCall; index: number };

export class FailuresView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private groups: FailureGroup[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private view: vscode.TreeView<Node> | undefined;

  constructor(
    private readonly client: () => LanguageClient | undefined,
    private readonly log: (message: string) => void,
  ) {}

  register(): vscode.Disposable {
    this.view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: this, showCollapseAll: true });
    this.disposables.push(
      this.view,
      this.changed,
      vscode.commands.registerCommand('runlog.refreshFailures', () => this.refresh()),
      vscode.commands.registerCommand(OPEN_CALL, (call: FailureCall) => openCall(call)),
      vscode.languages.onDidChangeDiagnostics(() => this.refreshSoon()),
    );
    return this;
  }

  /** Refreshes after diagnostics settle (a burst of publishes is one request). */
  refreshSoon(delay = 300): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, delay);
  }

  async refresh(): Promise<FailureGroup[]> {
    const running = this.client();
    if (!running) {
      this.groups = [];
    } else {
      try {
        const result = await running.sendRequest(failuresRequest, {});
        this.groups = Array.isArray(result?.groups) ? result.groups : [];
      } catch (e) {
        this.log(`runlog/failures failed: ${e instanceof Error ? e.message : String(e)}`);
        return this.groups;
      }
    }
    if (this.view) {
      const calls = this.groups.reduce((n, g) => n + g.count, 0);
      this.view.description = calls > 0 ? `${calls} call${calls === 1 ? '' : 's'} · ${this.groups.length} cause${this.groups.length === 1 ? '' : 's'}` : undefined;
    }
    this.changed.fire();
    return this.groups;
  }

  /** Shows the view (the lens's `runlog.showFailures`) with fresh groups. */
  async show(): Promise<void> {
    await vscode.commands.executeCommand(`${VIEW_ID}.focus`);
    await this.refresh();
  }

  getChildren(node?: Node): Node[] {
    if (!node) {
      return this.groups.map((group) => ({ kind: 'group', group }));
    }
    if (node.kind === 'group') {
      return node.group.calls.map((call, index) => ({ kind: 'call', group: node.group, call, index }));
    }
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'group') {
      const g = node.group;
      const item = new vscode.TreeItem(groupLabel(g), vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `group:${g.key}`;
      item.description = groupEndpoint(g);
      item.tooltip = [groupLabel(g), groupEndpoint(g)].filter((s) => s).join('\n');
      item.iconPath = new vscode.ThemeIcon(g.severity === 'warning' ? 'warning' : 'error');
      item.contextValue = 'runlog.failureGroup';
      return item;
    }
    const c = node.call;
    const item = new vscode.TreeItem(callLabel(c), vscode.TreeItemCollapsibleState.None);
    item.id = `call:${node.group.key}:${c.uri}:${c.range.start.line}:${c.range.start.character}:${node.index}`;
    item.description = callDescription(c);
    item.tooltip = `${vscode.Uri.parse(c.uri).fsPath || c.uri}:${c.range.start.line + 1}:${c.range.start.character + 1}`;
    item.resourceUri = vscode.Uri.parse(c.uri);
    item.command = { command: OPEN_CALL, title: 'Open Call', arguments: [c] };
    return item;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.disposables.forEach((d) => d.dispose());
  }
}

/** Opens the log with the cursor on the call's status code. */
async function openCall(call: FailureCall): Promise<void> {
  const start = new vscode.Position(call.range.start.line, call.range.start.character);
  const end = new vscode.Position(call.range.end.line, call.range.end.character);
  const editor = await vscode.window.showTextDocument(vscode.Uri.parse(call.uri), {
    selection: new vscode.Range(start, start),
    preview: false,
  });
  editor.revealRange(new vscode.Range(start, end), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}
