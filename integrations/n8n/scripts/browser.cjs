#!/usr/bin/env node
'use strict';
// The node as a person uses it: the real n8n 2.41.1 editor in headless Chromium (Debian's
// package, driven by playwright-core), the node installed as a community package, the emulator
// behind it. Run by scripts/browser.sh (`npm run browser`), which provides Node 24, n8n and
// Chromium. Checks, each with a screenshot in $CIO_ARTIFACTS (default target/n8n-browser):
//   1. the Actions panel lists, for every API and resource, exactly the manifest's operations
//      (lookups excluded: they fill dropdowns), each labelled with its API;
//   2. a credential with a wrong Track key fails its Test with the component's message; fixed, it
//      passes;
//   3. identify: fill the Person identifier, Execute step, the output shows what was sent; then
//      track an event for that person;
//   4. an invalid identifier: the error names the field's label;
//   5. Get a segment (App): the Segment field is a dropdown of the emulator's segments;
//   6. a raw request (App) with only the path.
// Prints "N passed, N failed"; exits 1 on any failure.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { n8nEnv, PKG } = require('./n8n-env.cjs');
const { REPO, freePort, startEmulator, waitFor, stopChildren } = require('./harness.cjs');

const N8N = process.env.CIO_N8N_BIN;
const N8N_MODULES = process.env.CIO_N8N_MODULES;
const CHROMIUM = process.env.CIO_CHROMIUM || '/usr/bin/chromium';
const ARTIFACTS = path.resolve(process.env.CIO_ARTIFACTS || path.join(REPO, 'target', 'n8n-browser'));
const EMAIL = 'owner@example.com';
const PASSWORD = 'E2e-owner-Pass1';

let passed = 0;
let failed = 0;
const children = [];
const timings = {};
let onFail = async () => {};

async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok - ${name}`);
  } catch (e) {
    failed++;
    console.log(`not ok - ${name}: ${e && e.message ? e.message.split('\n').slice(0, 12).join('\n  ') : e}`);
    await onFail(`failed-${failed}.png`).catch(() => {});
  }
}
function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

/**
 * What the Actions panel must show, from the manifest alone: one group per API and resource,
 * "<Resource> (<API>) actions", holding every operation of it except lookups (they fill
 * dropdowns), each labelled "<title> (<API>)".
 */
function expectedPanel() {
  const manifest = JSON.parse(fs.readFileSync(process.env.CIO_MANIFEST || path.join(REPO, 'manifest.json'), 'utf8'));
  const API = { track: 'Track', app: 'App', beta: 'Beta' };
  const ACRONYMS = { esp: 'ESP', ip: 'IP', http: 'HTTP', api: 'API', id: 'ID', sms: 'SMS' };
  const title = (snake) => snake.split('_').map((w) => ACRONYMS[w] || w[0].toUpperCase() + w.slice(1)).join(' ');
  const groups = new Map();
  for (const o of manifest.operations.filter((x) => x.kind !== 'lookup')) {
    const [api, resource] = o.id.split('.');
    const label = `(${API[api]})`;
    const group = `${title(resource)} ${label} actions`.toLowerCase();
    if (!groups.has(group)) groups.set(group, []);
    groups.get(group).push(o.title.endsWith(label) ? o.title : `${o.title} ${label}`);
  }
  for (const list of groups.values()) list.sort();
  return groups;
}

async function main() {
  assert(N8N && fs.existsSync(N8N), 'CIO_N8N_BIN is not set or missing (run scripts/browser.sh)');
  const { chromium, selectors } = require('playwright-core');
  selectors.setTestIdAttribute('data-test-id');
  fs.rmSync(ARTIFACTS, { recursive: true, force: true });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cio-n8n-browser-'));
  const emulator = await startEmulator(children);
  const [port, brokerPort] = [await freePort(), await freePort()];
  const { env } = n8nEnv({ work, routes: emulator.hosts, port, brokerPort, install: 'package' });
  const bcrypt = require(path.join(N8N_MODULES, 'bcryptjs'));
  Object.assign(env, {
    N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
    N8N_INSTANCE_OWNER_EMAIL: EMAIL,
    N8N_INSTANCE_OWNER_FIRST_NAME: 'Browser',
    N8N_INSTANCE_OWNER_LAST_NAME: 'Test',
    N8N_INSTANCE_OWNER_PASSWORD_HASH: bcrypt.hashSync(PASSWORD, 10),
  });
  let serverLog = '';
  const server = spawn(N8N, ['start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(server);
  server.stdout.on('data', (d) => (serverLog += d));
  server.stderr.on('data', (d) => (serverLog += d));
  const base = `http://127.0.0.1:${port}`;
  if (!(await waitFor(`${base}/healthz/readiness`, 120000))) throw new Error(`n8n did not become ready: ${serverLog.slice(-1500)}`);

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  children.push({ kill: () => browser.close().catch(() => {}), exitCode: null, signalCode: null, browser: true });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(20000);
  const consoleErrors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('response', (r) => {
    if (r.status() === 404 && /\/schemas\//.test(r.url())) consoleErrors.push(`404 ${r.url()}`);
  });
  const shot = async (name) => {
    const file = path.join(ARTIFACTS, name);
    await page.screenshot({ path: file });
    return file;
  };
  onFail = shot;
  // A dropdown value as a person picks it: open the field, type to filter, click the match.
  const option = (text) => page.locator('.el-select-dropdown__item:visible').filter({ hasText: text }).first();
  const choose = async (param, typed, match) => {
    await page.getByTestId(`parameter-input-${param}`).click();
    await page.keyboard.type(typed);
    await option(match).click();
  };

  await page.goto(`${base}/signin`);
  await page.fill('input[type=email]', EMAIL);
  await page.fill('input[type=password]', PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForURL(/home|workflow/);
  await page.goto(`${base}/workflow/new`);
  await page.getByTestId('canvas-plus-button').click();
  await page.getByTestId('node-creator-search-bar').fill('Customer.io');
  const item = page.getByTestId('node-creator-item-name').filter({ hasText: /^Customer\.io Connector$/ });
  await check('the node is found as "Customer.io Connector" beside the built-in Customer.io', async () => {
    await item.waitFor();
    await shot('01-node-search.png');
  });
  const actionItems = page.locator('[data-keyboard-nav-type="action"]');
  // Side by side, for the timing only: n8n's built-in Customer.io node's Actions panel first.
  const builtIn = page.getByTestId('node-creator-item-name').filter({ hasText: /^Customer\.io$/ });
  let t0 = Date.now();
  await builtIn.click();
  await actionItems.first().waitFor();
  timings.builtInActionsPanelMs = Date.now() - t0;
  await shot('02a-builtin-actions-panel.png');
  await page.keyboard.press('Escape');
  await page.getByTestId('canvas-plus-button').click();
  await page.getByTestId('node-creator-search-bar').fill('Customer.io');
  await item.waitFor();
  t0 = Date.now();
  await item.click();
  await actionItems.first().waitFor();
  timings.actionsPanelMs = Date.now() - t0;
  await shot('02-actions-panel.png');

  await check('Actions panel: every API and resource lists exactly its operations, labelled with the API', async () => {
    // The panel renders as it scrolls: scroll until nothing new appears.
    let count = -1;
    for (let i = 0; i < 60 && count !== (await actionItems.count()); i++) {
      count = await actionItems.count();
      await actionItems.last().scrollIntoViewIfNeeded();
      await page.waitForTimeout(250);
    }
    const seen = await page.getByTestId('item-iterator-item').evaluateAll((els) => {
      const out = [];
      let cur = null;
      for (const e of els) {
        const text = e.innerText.trim();
        if (e.getAttribute('data-keyboard-nav-type') === 'action') {
          if (cur) cur.actions.push(text);
        } else {
          cur = { group: text.toLowerCase(), actions: [] };
          out.push(cur);
        }
      }
      return out.filter((g) => g.group.endsWith(' actions'));
    });
    const want = expectedPanel();
    const problems = [];
    const got = new Map(seen.map((g) => [g.group, g.actions.sort()]));
    for (const [group, actions] of want) {
      const have = got.get(group);
      if (!have) problems.push(`missing group "${group}"`);
      else if (JSON.stringify(have) !== JSON.stringify(actions)) {
        const missing = actions.filter((a) => !have.includes(a));
        const extra = have.filter((a) => !actions.includes(a));
        problems.push(`${group}: missing [${missing.join(', ')}] extra [${extra.join(', ')}]`);
      }
    }
    for (const g of got.keys()) if (!want.has(g)) problems.push(`unexpected group "${g}"`);
    const total = [...got.values()].reduce((n, a) => n + a.length, 0);
    timings.panelGroups = got.size;
    timings.panelActions = total;
    assert(problems.length === 0, `${problems.length} differences:\n${problems.slice(0, 20).join('\n')}`);
  });

  await check('an action adds the node named after it ("Create or update a person (Track)")', async () => {
    await actionItems.filter({ hasText: /^Create or update a person \(Track\)$/ }).click();
    await page.getByTestId('ndv').waitFor();
    const title = await page.getByTestId('node-title-container').innerText();
    assert(title.includes('Create or update a person (Track)'), title);
    await shot('03-identify-form.png');
  });

  await check('credential: a wrong Track key fails Test with the connector\'s message; corrected, it passes', async () => {
    await page.getByText('Connect to Customer.io Connector').click();
    const dialog = page.getByTestId('credential-edit-dialog');
    await dialog.waitFor();
    await page.getByTestId('parameter-input-trackingSiteId').locator('input').fill('demo-site');
    await page.getByTestId('parameter-input-trackingApiKey').locator('input').fill('not-the-key');
    await page.getByTestId('parameter-input-appApiKey').locator('input').fill('demo-app-key');
    await page.waitForTimeout(1000); // the form commits typed values after a short debounce
    await page.getByTestId('credential-save-button').click();
    await dialog.getByText(/Couldn.t connect with these settings/).waitFor();
    await dialog.getByText('More details').click();
    await dialog.getByText(/Track API: /).waitFor();
    await shot('04-credential-test-failed.png');
    await page.getByTestId('parameter-input-trackingApiKey').locator('input').fill('demo-track-key');
    await page.waitForTimeout(1000);
    await page.getByTestId('credential-save-button').click();
    // A passing Test shows n8n's success tag and closes the dialog.
    await page.getByTestId('credentials-config-container-test-success').waitFor({ state: 'attached' });
    await dialog.waitFor({ state: 'hidden' });
    await shot('05-credential-saved.png');
  });

  const personInput = page.getByTestId('parameter-input-id').locator('input');
  await check('identify: fill the Person identifier, Execute step, the output shows what was sent', async () => {
    await personInput.fill('jane+browser@example.com');
    await page.getByTestId('node-execute-button').click();
    const out = page.getByTestId('output-panel');
    await out.getByText('jane+browser@example.com').first().waitFor();
    const text = await out.innerText();
    assert(/success/i.test(text), text.slice(0, 400));
    await shot('06-identify-output.png');
    const log = await fetch(`${emulator.control}/__emulator__/requests`).then((r) => r.json());
    assert(log.some((r) => r.method === 'PUT' && r.path === '/api/v1/customers/jane%2Bbrowser%40example.com'), 'the emulator did not see the PUT');
  });

  await check('Track an event for a person (Track): the person and the event name, Execute step', async () => {
    await choose('resource', 'Event (Track)', /^\s*Event \(Track\)/);
    await choose('operation', 'Track an event for a person', 'Track an event for a person');
    await page.getByTestId('parameter-input-id').locator('input').fill('jane+browser@example.com');
    await page.getByTestId('parameter-input-name').locator('input').fill('browser_test_event');
    await page.getByTestId('node-execute-button').click();
    await page.getByTestId('output-panel').getByText('browser_test_event').first().waitFor();
    await shot('06b-track-event-output.png');
    const log = await fetch(`${emulator.control}/__emulator__/requests`).then((r) => r.json());
    assert(log.some((r) => r.method === 'POST' && r.path === '/api/v1/customers/jane%2Bbrowser%40example.com/events'), 'the emulator did not see the event');
    // back to identify for the next check
    await choose('resource', 'Customer (Track)', /^\s*Customer \(Track\)/);
    await choose('operation', 'Create or update a person', 'Create or update a person');
  });

  await check('an invalid identifier: the error names the field\'s label', async () => {
    await personInput.fill('..');
    await page.getByTestId('node-execute-button').click();
    const out = page.getByTestId('output-panel');
    await out.getByText(/Person identifier/).first().waitFor();
    await shot('07-identify-error.png');
    await personInput.fill('jane+browser@example.com');
  });

  await check('Get a segment (App): the Segment field is a dropdown of the workspace\'s segments', async () => {
    await choose('resource', 'Segment (App)', /^\s*Segment \(App\)/);
    await choose('operation', 'Get a segment', 'Get a segment');
    const field = page.getByTestId('parameter-input-segment_id');
    await field.waitFor();
    await field.click();
    await option('VIP customers').waitFor();
    await shot('08-segment-lookup.png');
    await option('VIP customers').click();
    await page.getByTestId('node-execute-button').click();
    await page.getByTestId('output-panel').getByText('VIP customers').first().waitFor();
    await shot('09-segment-output.png');
  });

  await check('Raw HTTP Request (App): only the path; the connector adds base URL, region and auth', async () => {
    await choose('resource', 'Raw HTTP Request (App)', /^\s*Raw HTTP Request \(App\)/);
    await page.getByTestId('parameter-input-rawEndpoint').locator('input, textarea').first().fill('/campaigns/8/triggers/1');
    await page.getByTestId('node-execute-button').click();
    const out = page.getByTestId('output-panel');
    await out.getByText('https://api.customer.io/v1/campaigns/8/triggers/1').first().waitFor();
    await shot('10-raw-request-output.png');
  });

  await check('no output-schema file is missing (404 /schemas/…)', async () => {
    const missing = consoleErrors.filter((e) => e.startsWith('404 '));
    assert(missing.length === 0, missing.join('\n'));
  });
  fs.writeFileSync(path.join(ARTIFACTS, 'n8n-start.log'), serverLog);
  fs.writeFileSync(path.join(ARTIFACTS, 'console-errors.txt'), consoleErrors.join('\n'));
  console.log(`# screenshots in ${ARTIFACTS}: ${fs.readdirSync(ARTIFACTS).filter((f) => f.endsWith('.png')).join(' ')}`);
  console.log(`# timings ${JSON.stringify(timings)}`);
  await browser.close();
  if (failed === 0) fs.rmSync(work, { recursive: true, force: true });
  else console.log(`# kept ${work}`);
}

async function stopAll() {
  const browsers = children.filter((c) => c.browser);
  for (const b of browsers) await b.kill();
  await stopChildren(children.filter((c) => !c.browser));
}

main()
  .catch((e) => {
    failed++;
    console.log(`not ok - browser test aborted: ${e && e.stack ? e.stack : e}`);
  })
  .finally(async () => {
    await stopAll();
    console.log(`${passed} passed, ${failed} failed`);
    process.exit(failed ? 1 : 0);
  });
