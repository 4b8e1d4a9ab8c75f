// The real VS Code test: code-server (started by `cargo xtask` with the VSIX installed) driven by
// Playwright in Debian's Chromium. It opens a copy of the seed log and checks what a user sees:
// the Problems count, the language status item, the hover, the "View payload" quick fix (payload
// editor beside the log, secrets absent), "Go to response body" (the selection moves there) and
// Copy as cURL, from the palette and the quick fix (a curl command on the clipboard, no secret),
// and the Failures view across the seed log, a second open log and a watched file on disk (groups
// with counts; a click on a call lands on its status code), the inlay hint going away when
// runlog.inlayHints.enable is turned off, and a log over 50 MB (which VS Code keeps from
// extensions) listed in Problems from disk with its one notice.
// E2E_TRUST=untrusted runs the same journey in Restricted Mode (workspace trust on, the folder
// not trusted), with a workspace setting pointing runlog.server.path at a binary that does not
// exist: the extension must ignore it there and run the bundled server.
// Every wait is on a condition; screenshots go to $E2E_ARTIFACTS.
import { createRequire } from 'node:module';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, basename } from 'node:path';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (run through \`cargo xtask test\`)`);
  return v;
};
const url = env('CODE_SERVER_URL');
const workspace = env('E2E_WORKSPACE');
const artifacts = env('E2E_ARTIFACTS');
const fixture = env('E2E_FIXTURE');
const untrusted = env('E2E_TRUST') === 'untrusted';
const require = createRequire(join(env('PLAYWRIGHT_CORE'), 'package.json'));
const { chromium } = require(env('PLAYWRIGHT_CORE'));

const started = Date.now();
const log = (msg) => console.log(`[e2e ${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}`);
const LONG = 120_000;
const MEDIUM = 45_000;

// The seed log, copied so that the run never touches the fixture.
const fileName = basename(fixture);
const logPath = join(workspace, fileName);
copyFileSync(fixture, logPath);
const lines = readFileSync(logPath, 'utf8').split('\n');
const statusLine = lines.findIndex((l) => l.includes('"network_code": 400')) + 1;
const statusColumn = lines[statusLine - 1].indexOf('400') + 1;
// The failing step's response body: the first Response "Body" after the 400.
const bodyLine =
  lines.findIndex((l, i) => i >= statusLine && l.includes('"Body": "{\\"type\\"')) + 1;
if (statusLine <= 0 || bodyLine <= 0) throw new Error('the seed fixture does not have the expected shape');
log(`log ${logPath}: status 400 at ${statusLine}:${statusColumn}, response body at line ${bodyLine}`);

// The Failures view's logs: orders.jsonl (opened) and watched/nightly.jsonl (never opened,
// analysed from disk through runlog.files.watch, set in the workspace settings from the start; the
// file is written when the view is checked, so that the Problems count above is the seed log's
// alone, and reaches the server as a created watched file).
const jsonlCall = (method, url, status, message) =>
  `${JSON.stringify({ method, url, statusCode: status, body: { message } })}\n`;
const ordersName = 'orders.jsonl';
const ordersText =
  jsonlCall('GET', 'https://shop.example/orders/1001', 404, 'Order 1001 not found') +
  jsonlCall('GET', 'https://shop.example/orders/1002', 404, 'Order 1002 not found') +
  jsonlCall('POST', 'https://shop.example/orders', 500, 'Database timeout after 3000 ms');
const nightlyText =
  jsonlCall('GET', 'https://shop.example/health', 200, 'ok') +
  jsonlCall('GET', 'https://shop.example/orders/2001', 404, 'Order 2001 not found') +
  jsonlCall('GET', 'https://shop.example/stock', 503, 'Inventory is being rebuilt, retry in a minute');
writeFileSync(join(workspace, ordersName), ordersText);
mkdirSync(join(workspace, 'watched'), { recursive: true });
mkdirSync(join(workspace, '.vscode'), { recursive: true });
const workspaceSettings = {
  'runlog.files.watch': ['watched/*.jsonl'],
  // A workspace may not choose what runs: in Restricted Mode this must be ignored.
  ...(untrusted ? { 'runlog.server.path': join(workspace, 'no-such-runlog-lsp') } : {}),
};
const writeWorkspaceSettings = (extra = {}) =>
  writeFileSync(
    join(workspace, '.vscode', 'settings.json'),
    JSON.stringify({ ...workspaceSettings, ...extra }, null, 2),
  );
writeWorkspaceSettings();

// A log over VS Code's 50 MB sync limit: successful calls, one failing call in the middle.
const bigName = 'big.jsonl';
{
  const ok = jsonlCall('GET', 'https://shop.example/health', 200, 'ok');
  const half = Math.ceil((26 * 1024 * 1024) / ok.length);
  const block = ok.repeat(half);
  writeFileSync(
    join(workspace, bigName),
    block + jsonlCall('PUT', 'https://shop.example/stock/9', 409, 'Stock 9 was changed by another request') + block,
  );
}
const watchNightly = () => writeFileSync(join(workspace, 'watched', 'nightly.jsonl'), nightlyText);
// The 404 of the watched file: line 2, at its status code.
const nightlyStatusColumn = nightlyText.split('\n')[1].indexOf('404') + 1;

/** Polls `check` until it returns a truthy value; the error names what was awaited. */
async function waitFor(what, check, timeout = MEDIUM, interval = 250) {
  const deadline = Date.now() + timeout;
  let lastError;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (e) {
      lastError = e;
    }
    await new Promise((r) => setTimeout(r, interval));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? ` (last error: ${lastError.message})` : ''}`);
}

async function waitForHealth() {
  await waitFor(
    'code-server to answer /healthz',
    async () => (await fetch(`${url}/healthz`)).ok,
    LONG,
    500,
  );
}

let browser;
let page;
let shot = 0;
async function screenshot(name) {
  if (!page) return;
  shot += 1;
  const file = join(artifacts, `${String(shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file }).catch(() => {});
  log(`screenshot ${file}`);
  return file;
}

async function step(name, fn) {
  log(`step: ${name}`);
  try {
    const result = await fn();
    log(`ok: ${name}`);
    return result;
  } catch (e) {
    log(`FAILED: ${name}: ${e.message}`);
    await screenshot(`failed-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`);
    throw e;
  }
}

const logEditor = () => page.locator(`.editor-group-container .editor-instance:has(.monaco-editor[data-uri$="${fileName}"])`);

/** The text shown in the status bar "Ln X, Col Y" item. */
async function cursorText() {
  return (await page.locator('#status\\.editor\\.selection').first().innerText().catch(() => '')).trim();
}

async function runCommand(label) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible', timeout: MEDIUM });
  await input.fill(`>${label}`);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
  await row.waitFor({ state: 'visible', timeout: MEDIUM });
  await page.keyboard.press('Enter');
}

async function goTo(line, column) {
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible', timeout: MEDIUM });
  await input.fill(`:${line}:${column}`);
  await page.keyboard.press('Enter');
  await waitFor(`the cursor at Ln ${line}`, async () => (await cursorText()).includes(`Ln ${line},`));
}

/** The span of the 400 on the status line of the log editor. */
function statusToken() {
  return logEditor()
    .locator('.view-line', { hasText: '"network_code": 400' })
    .locator('span span', { hasText: /^400$/ })
    .first();
}

async function main() {
  await step('code-server is up', waitForHealth);
  browser = await chromium.launch({
    executablePath: env('CHROMIUM'),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
  page = await context.newPage();

  await step('the workbench loads', async () => {
    await page.goto(`${url}/?folder=${encodeURIComponent(workspace)}`, { timeout: LONG });
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: LONG });
    await page.locator('.explorer-folders-view, .explorer-viewlet').first().waitFor({ timeout: LONG });
  });

  await step('open the seed log', async () => {
    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: fileName }).first();
    await row.waitFor({ state: 'visible', timeout: LONG });
    await row.dblclick();
    await logEditor().locator('.view-line').first().waitFor({ state: 'visible', timeout: LONG });
  });

  await step('Problems count shows 1 error', async () => {
    await waitFor(
      'the status bar problems item to show 1 error',
      async () => {
        const label = await page.locator('#status\\.problems').first().getAttribute('aria-label');
        return label && /Errors?: 1\b/.test(label) ? label : '';
      },
      LONG,
      500,
    );
  });

  await step(untrusted ? 'the window is in Restricted Mode' : 'the window is trusted', async () => {
    const restricted = page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first();
    if (untrusted) {
      await restricted.waitFor({ state: 'visible', timeout: MEDIUM });
    } else if (await restricted.isVisible()) {
      throw new Error('the trusted run shows "Restricted Mode"');
    }
  });

  await step('the language status shows "1 failing call"', async () => {
    const indicator = page.locator('#status\\.languageStatus').first();
    await indicator.waitFor({ state: 'visible', timeout: LONG });
    // The hover of the language status lists the items of the active editor's language; an
    // item's text runs into its detail ("1 failing callrunlog-lsp 0.1.0").
    const item = page.locator('.hover-language-status', { hasText: /\b1 failing call(?!s)/ }).first();
    await waitFor(
      'the language status hover with "1 failing call"',
      async () => {
        await page.mouse.move(5, 5);
        await indicator.hover();
        return item
          .waitFor({ state: 'visible', timeout: 5_000 })
          .then(() => true)
          .catch(() => false);
      },
      LONG,
    );
    await screenshot('language-status');
    await page.mouse.move(5, 5);
    await page.keyboard.press('Escape');
  });

  await step('hover on the 400 shows definition and explanation', async () => {
    await goTo(statusLine, statusColumn);
    const token = statusToken();
    await token.waitFor({ state: 'visible', timeout: MEDIUM });
    const hover = page.locator('.monaco-hover:visible', { hasText: 'The request was unacceptable' });
    await waitFor(
      'a hover with "The request was unacceptable" and "already a list member"',
      async () => {
        const box = await token.boundingBox();
        if (!box) return false;
        // Move off and back on, so each attempt starts a fresh hover.
        await page.mouse.move(box.x + box.width / 2, box.y - 40);
        await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 4 });
        await hover.first().waitFor({ state: 'visible', timeout: 8_000 });
        const text = await hover.first().innerText();
        return text.includes('already a list member');
      },
      LONG,
    );
    const file = await screenshot('hover');
    if (process.env.E2E_UPDATE_SCREENSHOT && file) {
      copyFileSync(file, process.env.E2E_UPDATE_SCREENSHOT);
      log(`copied the hover screenshot to ${process.env.E2E_UPDATE_SCREENSHOT}`);
    }
  });

  /**
   * Opens the quick fix menu at the 400 and picks `title`. Puts the cursor in the diagnostic's
   * range by clicking the token, dismisses the hover, waits for the lightbulb, presses Ctrl+.
   * and retries; only a retry falls back to the "Quick Fix..." command from the palette.
   */
  async function quickFix(title) {
    const menuItem = page.locator('.action-widget .monaco-list-row', { hasText: title }).first();
    for (let attempt = 1; attempt <= 4; attempt += 1) {
      await goTo(statusLine, statusColumn);
      const token = statusToken();
      await token.click();
      await page.keyboard.press('Escape');
      await page.mouse.move(5, 5);
      await page
        .locator('.lightBulbWidget:visible, .codicon-light-bulb:visible, .codicon-lightbulb-autofix:visible')
        .first()
        .waitFor({ state: 'visible', timeout: 15_000 })
        .catch(() => log('no lightbulb seen (continuing)'));
      const viaPalette = attempt > 2;
      if (viaPalette) {
        await runCommand('Quick Fix...');
      } else {
        await page.keyboard.press('Control+.');
      }
      const shown = await menuItem
        .waitFor({ state: 'visible', timeout: 15_000 })
        .then(() => true)
        .catch(() => false);
      if (shown) {
        log(`quick fix menu opened with ${viaPalette ? 'the "Quick Fix..." command' : 'Ctrl+.'} (attempt ${attempt})`);
        await screenshot(`quick-fix-${title.replace(/\s+/g, '-').toLowerCase()}`);
        // By keyboard, as a user picks from the list: the list is re-rendered while code actions
        // arrive, and a click aimed at one row once ran the row drawn there a moment later.
        const focused = page.locator('.action-widget .monaco-list-row.focused').first();
        for (let step = 0; step < 8; step += 1) {
          const text = (await focused.textContent({ timeout: 2_000 }).catch(() => '')) ?? '';
          if (text.includes(title)) {
            await page.keyboard.press('Enter');
            return;
          }
          await page.keyboard.press('ArrowDown');
        }
        log(`"${title}" never got the keyboard focus; clicking it`);
        await menuItem.click();
        return;
      }
      log(`attempt ${attempt}: no "${title}" in the quick fix menu; retrying`);
      await screenshot(`no-quick-fix-menu-attempt-${attempt}`);
      await page.keyboard.press('Escape');
    }
    throw new Error(`timed out waiting for the quick fix menu with "${title}"`);
  }

  const payloadEditor = () =>
    page.locator('.editor-instance:has(.monaco-editor[data-uri^="runlog-payload:"])').first();

  const payloadText = await step('"View payload" opens the payload beside the log', async () => {
    await quickFix('View payload');
    await payloadEditor().waitFor({ state: 'visible', timeout: MEDIUM });
    await payloadEditor().locator('.view-line').first().waitFor({ state: 'visible', timeout: MEDIUM });
    const groups = await page.locator('.editor-group-container').count();
    if (groups < 2) throw new Error(`the payload did not open beside the log (${groups} editor group)`);
    // The whole text, through the clipboard (the DOM holds only the visible lines).
    await payloadEditor().locator('.view-lines').first().click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Control+C');
    const text = await waitFor(
      'the payload text on the clipboard',
      async () => {
        const t = await page.evaluate(() => navigator.clipboard.readText());
        return t && /response/i.test(t) && /request/i.test(t) ? t : '';
      },
      MEDIUM,
    );
    writeFileSync(join(artifacts, 'payload.txt'), text);
    await screenshot('payload');
    return text;
  });

  await step('the payload has request, response and decoded body, and no secrets', async () => {
    for (const section of [/\brequest\b/i, /\bresponse\b/i]) {
      if (!section.test(payloadText)) throw new Error(`the payload lacks a ${section} section`);
    }
    const must = [
      'POST',
      'https://us21.api.mailchimp.com/3.0/lists/4ca5becb8d/members',
      'Member Exists',
      'is already a list member',
    ];
    for (const s of must) {
      if (!payloadText.includes(s)) throw new Error(`the payload lacks ${JSON.stringify(s)}`);
    }
    if (payloadText.includes('\\"detail\\"')) throw new Error('the body is still an escaped string');
    const secrets = [
      'YW55c3RyaW5nOjVmM2E5YzFkMmU4YjRhN2M5ZDBlMWYyYTNiNGM1ZDZlLXVzMjE=',
      'YW55c3RyaW5n',
      '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',
    ];
    for (const s of secrets) {
      if (payloadText.includes(s)) throw new Error(`the payload shows a secret: ${s.slice(0, 12)}...`);
    }
  });

  await step('"Go to response body" selects the body', async () => {
    await logEditor().locator('.view-lines').first().click();
    await quickFix('Go to response body');
    const text = await waitFor(
      `the cursor on line ${bodyLine} (the response body)`,
      async () => {
        const t = await cursorText();
        return t.includes(`Ln ${bodyLine},`) ? t : '';
      },
      MEDIUM,
    );
    log(`cursor: ${text}`);
    await screenshot('response-body');
  });

  /** Waits for a curl command of the 400 call on the clipboard and checks it hides the secret. */
  async function curlOnClipboard() {
    const text = await waitFor(
      'a curl command on the clipboard',
      async () => {
        const t = await page.evaluate(() => navigator.clipboard.readText());
        return t && t.includes('curl ') ? t : '';
      },
      MEDIUM,
    );
    const must = [
      '# set AUTHORIZATION before running',
      'https://us21.api.mailchimp.com/3.0/lists/4ca5becb8d/members',
      '-H "Authorization: Basic $AUTHORIZATION"',
      '--data-raw \'{"email_address":"lena.fischer@example.com"',
    ];
    for (const m of must) {
      if (!text.includes(m)) throw new Error(`the copied command lacks ${JSON.stringify(m)}:\n${text}`);
    }
    if (text.includes('YW55c3RyaW5n')) throw new Error('the copied command holds the secret');
    return text;
  }

  const clearClipboard = () => page.evaluate(() => navigator.clipboard.writeText('nothing copied yet'));

  await step('"Run Log: Copy as cURL" puts the request on the clipboard', async () => {
    await clearClipboard();
    await logEditor().locator('.view-lines').first().click();
    await goTo(statusLine, statusColumn);
    await runCommand('Run Log: Copy as cURL');
    const text = await curlOnClipboard();
    writeFileSync(join(artifacts, 'curl.txt'), text);
    await page
      .locator('.notifications-toasts', { hasText: 'Copied the request as cURL (secrets as shell variables: AUTHORIZATION)' })
      .first()
      .waitFor({ state: 'visible', timeout: MEDIUM });
    await screenshot('copy-as-curl');
  });

  await step('the "Copy as cURL" quick fix copies it too', async () => {
    await clearClipboard();
    await logEditor().locator('.view-lines').first().click();
    await quickFix('Copy as cURL');
    await curlOnClipboard();
  });

  const failuresPane = () =>
    page.locator('.pane', { has: page.locator('.pane-header', { hasText: /^\s*Failures/i }) }).first();
  const failureRows = () => failuresPane().locator('.monaco-list-row');

  /** The labels of the Failures view's rows, as shown. */
  async function failureLabels() {
    return (await failureRows().allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
  }

  await step('open a second log and watch a third on disk', async () => {
    watchNightly();
    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: ordersName }).first();
    await row.waitFor({ state: 'visible', timeout: LONG });
    await row.dblclick();
    await page
      .locator(`.editor-instance:has(.monaco-editor[data-uri$="${ordersName}"]) .view-line`)
      .first()
      .waitFor({ state: 'visible', timeout: LONG });
  });

  await step('the Failures view lists the groups of the open and watched logs with counts', async () => {
    const header = failuresPane().locator('.pane-header').first();
    await header.waitFor({ state: 'visible', timeout: LONG });
    if ((await header.getAttribute('aria-expanded')) !== 'true') {
      await header.click();
    }
    const expected = [
      '3 × 404 Not Found — Order <n> not found',
      '1 × 500 Internal Server Error — Database timeout after <n> ms',
      '1 × 400 Bad Request — Member Exists: <email> is already a list member.',
      '1 × 503 Service Unavailable — Inventory is being rebuilt, retry in a minute',
    ];
    const labels = await waitFor(
      'the four groups in the Failures view',
      async () => {
        const shown = await failureLabels();
        return expected.every((e) => shown.some((l) => l.includes(e))) ? shown : '';
      },
      LONG,
      500,
    ).catch(async (e) => {
      throw new Error(`${e.message}; shown: ${JSON.stringify(await failureLabels())}`);
    });
    log(`groups: ${JSON.stringify(labels)}`);
    // Ordered by count: the 404 cause (two open calls and the watched file's) comes first.
    if (!labels[0].startsWith('3 × 404')) throw new Error(`the largest group is not first: ${labels[0]}`);
    if (!labels[0].includes('GET https://shop.example/orders/{id}')) {
      throw new Error(`the 404 group does not show its endpoint: ${labels[0]}`);
    }
  });

  await step('a group expands to its calls; a click lands on the status code', async () => {
    await failureRows().filter({ hasText: '3 × 404' }).first().click();
    const call = failureRows().filter({ hasText: 'nightly.jsonl:2' }).first();
    await call.waitFor({ state: 'visible', timeout: MEDIUM });
    for (const name of ['orders.jsonl:1', 'orders.jsonl:2']) {
      await failureRows().filter({ hasText: name }).first().waitFor({ state: 'visible', timeout: MEDIUM });
    }
    await page.mouse.move(5, 5);
    const file = await screenshot('failures-view');
    if (process.env.E2E_FAILURES_SCREENSHOT && file) {
      copyFileSync(file, process.env.E2E_FAILURES_SCREENSHOT);
      log(`copied the Failures view screenshot to ${process.env.E2E_FAILURES_SCREENSHOT}`);
    }
    await call.click();
    await page
      .locator('.editor-instance:has(.monaco-editor[data-uri$="nightly.jsonl"]) .view-line')
      .first()
      .waitFor({ state: 'visible', timeout: LONG });
    const text = await waitFor(
      `the cursor at Ln 2, Col ${nightlyStatusColumn} (the watched file's 404)`,
      async () => {
        const t = await cursorText();
        return t.includes(`Ln 2, Col ${nightlyStatusColumn}`) ? t : '';
      },
      MEDIUM,
    );
    log(`cursor: ${text}`);
    await screenshot('failures-call-opened');
  });

  await step('turning runlog.inlayHints.enable off removes the hint after the 400', async () => {
    const row = page.locator(`.explorer-folders-view .monaco-list-row`, { hasText: fileName }).first();
    await row.dblclick();
    await goTo(statusLine, statusColumn);
    // The editor renders spaces as no-break spaces.
    const statusRow = async () =>
      (await logEditor().locator('.view-line', { hasText: '"network_code": 400' }).first().innerText()).replace(/\s+/g, ' ');
    await waitFor('the "Bad Request" inlay hint after the 400', async () => (await statusRow()).includes('Bad Request'));
    writeWorkspaceSettings({ 'runlog.inlayHints.enable': false });
    await waitFor('the inlay hint to go away', async () => !(await statusRow()).includes('Bad Request'), LONG);
    await screenshot('inlay-hints-off');
  });

  await step('a log over 50 MB: its failing call in Problems, and one notice', async () => {
    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: bigName }).first();
    await row.waitFor({ state: 'visible', timeout: LONG });
    await row.dblclick();
    await page
      .locator('.notifications-toasts', { hasText: `${bigName} is over 50 MB` })
      .first()
      .waitFor({ state: 'visible', timeout: LONG });
    // The status bar's problems item opens the Problems panel.
    await page.locator('#status\\.problems').first().click();
    await page
      .locator('.markers-panel .monaco-list-row', { hasText: 'Stock 9 was changed by another request' })
      .first()
      .waitFor({ state: 'visible', timeout: LONG });
    await screenshot('large-log');
  });
}

try {
  await main();
  log('PASSED');
  await browser?.close();
  process.exit(0);
} catch (e) {
  log(`FAILED: ${e.stack || e.message}`);
  await browser?.close().catch(() => {});
  process.exit(1);
}
