// The extension's package.json against the names users and other editors rely on: identity,
// commands and their titles, settings, activation and the languages it contributes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

test('identity is runlog.runlog-lsp, "Run Log Inspector"', () => {
  assert.equal(pkg.publisher, 'runlog');
  assert.equal(pkg.name, 'runlog-lsp');
  assert.equal(pkg.displayName, 'Run Log Inspector');
  // vscode-languageclient 11 needs VS Code 1.91 (its own engines field).
  const client = JSON.parse(
    readFileSync(join(root, 'node_modules/vscode-languageclient/package.json'), 'utf8'),
  );
  assert.equal(pkg.engines.vscode, client.engines.vscode);
  assert.equal(pkg.dependencies['vscode-languageclient'], client.version, 'pinned to the installed version');
  assert.match(client.version, /^11\./);
  assert.equal(pkg.main, './out/extension.js');
});

test('the commands, titled "Run Log: ..."', () => {
  const titles = Object.fromEntries(
    pkg.contributes.commands.map((c) => [c.command, `${c.category}: ${c.title}`]),
  );
  assert.deepEqual(titles, {
    'runlog.viewPayload': 'Run Log: View Payload',
    'runlog.revealBody': 'Run Log: Go to Response Body',
    'runlog.copyAsCurl': 'Run Log: Copy as cURL',
    'runlog.restartServer': 'Run Log: Restart Server',
    'runlog.showOutput': 'Run Log: Show Output',
    'runlog.showFailures': 'Run Log: Show Failures',
    'runlog.refreshFailures': 'Run Log: Refresh Failures',
  });
});

test('the Failures view in the Explorer, with its empty state and refresh button', () => {
  const views = pkg.contributes.views.explorer;
  assert.deepEqual(
    views.map((v) => [v.id, v.name]),
    [['runlog.failures', 'Failures']],
  );
  const welcome = pkg.contributes.viewsWelcome.find((w) => w.view === 'runlog.failures');
  assert.equal(
    welcome.contents,
    'Open a run log (HAR, Newman report, integration run log, JSON Lines) to see its failing calls grouped by cause.',
  );
  const refresh = pkg.contributes.menus['view/title'].find((m) => m.command === 'runlog.refreshFailures');
  assert.equal(refresh.when, 'view == runlog.failures');
});

test('every documented setting (and only runlog.* ones)', () => {
  const keys = Object.keys(pkg.contributes.configuration.properties);
  for (const key of keys) {
    assert.match(key, /^runlog\./);
  }
  const documented = [
    'runlog.diagnostics.minimumStatus',
    'runlog.diagnostics.severity',
    'runlog.files.watch',
    'runlog.maxFileSize',
    'runlog.redact',
    'runlog.server.path',
    'runlog.statusCodes',
    'runlog.trace.server',
    'runlog.enable',
    'runlog.inlayHints.enable',
    'runlog.codeLens.enable',
    'runlog.server.extraEnv',
    'runlog.server.logLevel',
  ];
  for (const key of documented) {
    assert.ok(keys.includes(key), `${key} is contributed`);
  }
  for (const [key, schema] of Object.entries(pkg.contributes.configuration.properties)) {
    assert.ok(schema.description || schema.markdownDescription, `${key} has a description`);
    assert.ok('default' in schema, `${key} has a default`);
  }
  assert.deepEqual(pkg.contributes.configuration.properties['runlog.trace.server'].enum, [
    'off',
    'messages',
    'verbose',
  ]);
  assert.deepEqual(pkg.contributes.configuration.properties['runlog.server.logLevel'].enum, [
    'error',
    'warn',
    'info',
    'debug',
    'trace',
  ]);
});

test('works in Restricted Mode, the settings naming an executable or its environment restricted', () => {
  const untrusted = pkg.capabilities.untrustedWorkspaces;
  assert.equal(untrusted.supported, 'limited');
  assert.ok(untrusted.description);
  assert.deepEqual(untrusted.restrictedConfigurations, ['runlog.server.path', 'runlog.server.extraEnv']);
  assert.equal(pkg.capabilities.virtualWorkspaces.supported, false);
  assert.ok(pkg.capabilities.virtualWorkspaces.description);
});

test('categories and activation events as VS Code expects them', () => {
  assert.deepEqual(pkg.categories, ['Programming Languages', 'Linters']);
  // Commands and views activate the extension by themselves since VS Code 1.74.
  assert.deepEqual(pkg.activationEvents, ['onLanguage:json', 'onLanguage:jsonc', 'onLanguage:jsonl']);
});

test('activates on JSON, JSONC and JSON Lines; .har is JSON; .jsonl/.ndjson are jsonl', () => {
  for (const lang of ['json', 'jsonc', 'jsonl']) {
    assert.ok(pkg.activationEvents.includes(`onLanguage:${lang}`), lang);
  }
  const langs = pkg.contributes.languages;
  assert.ok(langs.some((l) => l.id === 'json' && l.extensions.includes('.har')));
  const jsonl = langs.find((l) => l.id === 'jsonl');
  assert.ok(jsonl && jsonl.extensions.includes('.jsonl') && jsonl.extensions.includes('.ndjson'));
  assert.ok(existsSync(join(root, jsonl.configuration)));
});

test('the source uses the client id `runlog` and the contributed names', () => {
  const src = ['extension.ts', 'failures.ts', 'largeFiles.ts']
    .map((f) => readFileSync(join(root, 'src', f), 'utf8'))
    .join('\n');
  assert.match(src, /new LanguageClient\('runlog', NAME/);
  assert.match(src, /const NAME = 'Run Log Inspector'/);
  assert.match(src, /'runlog\/payload'/);
  assert.match(src, /'runlog\/curl'/);
  assert.match(src, /configurationSection: 'runlog'/);
  for (const c of pkg.contributes.commands) {
    assert.ok(src.includes(`'${c.command}'`), `${c.command} is handled in extension.ts or failures.ts`);
  }
  assert.match(src, /'runlog\/failures'/);
  assert.match(src, /'runlog\/analyzeFile'/);
  assert.match(src, /'runlog\/forgetFile'/);
  assert.match(src, /createOutputChannel\(NAME, \{ log: true \}\)/);
  assert.match(src, /createLanguageStatusItem\(/);
  for (const v of pkg.contributes.views.explorer) {
    assert.ok(src.includes(`'${v.id}'`), `the ${v.id} view is created in the source`);
  }
});

test('the VSIX keeps the bundle, the server and the marketplace files', () => {
  const ignore = readFileSync(join(root, '.vscodeignore'), 'utf8');
  for (const kept of ['out/extension.js', 'server/runlog-lsp', 'README.md', 'LICENSE', 'CHANGELOG.md']) {
    assert.ok(ignore.includes(`!${kept}`), kept);
  }
  for (const file of ['README.md', 'CHANGELOG.md', 'LICENSE', pkg.icon]) {
    assert.ok(existsSync(join(root, file)), file);
  }
});
