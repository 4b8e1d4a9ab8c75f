// Finding the runlog-lsp binary: env override (tests) → `runlog.server.path` → the binary bundled
// in the VSIX → `runlog-lsp` on PATH. Each candidate is validated with `--version`, so a wrong
// platform or a broken file is reported before the language client tries to talk to it.
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export interface Candidate {
  /** Where the path came from, named so that the user can fix it (e.g. the setting's name). */
  source: string;
  command: string;
}

export interface Found {
  candidate: Candidate;
  version: string;
}

export interface NotFound {
  tried: { candidate: Candidate; error: string }[];
  /** True when the user configured a path (env or setting) and that path failed. */
  configuredFailed: boolean;
}

const exe = process.platform === 'win32' ? 'runlog-lsp.exe' : 'runlog-lsp';

/** The candidates in the order they are tried. */
export function candidates(
  env: NodeJS.ProcessEnv,
  settingPath: string | null | undefined,
  extensionPath: string,
): Candidate[] {
  const list: Candidate[] = [];
  const fromEnv = env.RUNLOG_LSP_SERVER?.trim();
  if (fromEnv) {
    list.push({ source: 'the RUNLOG_LSP_SERVER environment variable', command: fromEnv });
  }
  const fromSetting = settingPath?.trim();
  if (fromSetting) {
    list.push({ source: 'the `runlog.server.path` setting', command: expandHome(fromSetting, env) });
  }
  list.push({ source: 'the binary bundled with the extension', command: path.join(extensionPath, 'server', exe) });
  list.push({ source: '`runlog-lsp` on PATH', command: exe });
  return list;
}

function expandHome(p: string, env: NodeJS.ProcessEnv): string {
  const home = env.HOME ?? env.USERPROFILE;
  if (home && (p === '~' || p.startsWith('~/'))) {
    return path.join(home, p.slice(1));
  }
  return p;
}

/** Runs `command --version`; resolves with its first output line. */
export function probe(command: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    ensureExecutable(command);
    execFile(command, ['--version'], { timeout: timeoutMs, windowsHide: true }, (err, stdout, stderr) => {
      if (err) {
        const detail = (stderr || '').trim().split('\n')[0];
        reject(new Error(detail ? `${err.message}: ${detail}` : err.message));
        return;
      }
      const line = stdout.trim().split('\n')[0] ?? '';
      if (!/runlog-lsp/i.test(line)) {
        reject(new Error(`\`--version\` printed ${JSON.stringify(line)}, not runlog-lsp's version`));
        return;
      }
      resolve(line);
    });
  });
}

/** A VSIX is a zip, and unzipping may drop the executable bit of the bundled binary. */
function ensureExecutable(command: string): void {
  if (process.platform === 'win32' || !path.isAbsolute(command)) {
    return;
  }
  try {
    const st = fs.statSync(command);
    if (st.isFile() && (st.mode & 0o111) === 0) {
      fs.chmodSync(command, st.mode | 0o755);
    }
  } catch {
    // A missing file is reported by the probe itself.
  }
}

/**
 * Tries the candidates in order. A configured path (env or setting) that fails is not silently
 * skipped: the user asked for it, so the error names it.
 */
export async function findServer(list: Candidate[]): Promise<Found | NotFound> {
  const tried: NotFound['tried'] = [];
  for (const candidate of list) {
    try {
      const version = await probe(candidate.command);
      return { candidate, version };
    } catch (e) {
      tried.push({ candidate, error: e instanceof Error ? e.message : String(e) });
      const configured = candidate.source.includes('RUNLOG_LSP_SERVER') || candidate.source.includes('runlog.server.path');
      if (configured) {
        return { tried, configuredFailed: true };
      }
    }
  }
  return { tried, configuredFailed: false };
}

export function isFound(r: Found | NotFound): r is Found {
  return (r as Found).candidate !== undefined;
}
