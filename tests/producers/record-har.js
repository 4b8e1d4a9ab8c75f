// Records tests/fixtures/har/chromium-recorded.har: Chromium (through Playwright, recordHar) opens
// the test server's page, whose script calls every endpoint.
// usage: node record-har.js BASE_URL OUTPUT.har [PRETTY.har [PAGE]]
// PAGE is the page's path on the test server (default `/`; `/failures.html` makes calls that
// get no response).
// Playwright writes the HAR on one line, as produced; PRETTY.har gets the same document indented
// by two spaces, the way browser devtools export HAR files, so tests can point at lines.
'use strict';
const fs = require('fs');
const { chromium } = require('playwright-core');

async function main() {
  const [base, output, pretty, pagePath = '/'] = process.argv.slice(2);
  if (!base || !output) throw new Error('usage: node record-har.js BASE_URL OUTPUT.har');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const context = await browser.newContext({ recordHar: { path: output, content: 'embed' } });
    const page = await context.newPage();
    await page.goto(base + pagePath);
    await page.waitForFunction(() => window.recordingDone === true, null, { timeout: 30000 });
    process.stdout.write(await page.textContent('#log'));
    await context.close(); // writes the HAR
  } finally {
    await browser.close();
  }
  if (pretty) {
    const har = JSON.parse(fs.readFileSync(output, 'utf8'));
    fs.writeFileSync(pretty, JSON.stringify(har, null, 2) + '\n');
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
