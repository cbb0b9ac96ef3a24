#!/usr/bin/env node
'use strict';
// Driven by scripts/e2e.sh (needs CIO_N8N_BIN, CIO_N8N_MODULES, Node 24 on PATH).
// 1. cio-emulator --per-host-ports 0; its host map becomes CIO_ROUTES for n8n (test mode).
// 2. isolated N8N_USER_FOLDER; n8n import:credentials + import:workflow; n8n execute --rawOutput:
//    Manual Trigger -> identify -> raw GET /campaigns/8/triggers/1 (App) -> segment.get (expression
//    text converted to a number) -> identify with a bad id (continueOnFail: typed error item) ->
//    workspace list -> raw GET /v1/accounts/region (Track).
// 3. n8n start with an env-managed owner; POST /rest/login; node type served; operation dropdown
//    and a lookup via /rest/dynamic-node-parameters/options; resource-mapper fields; credential test.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const { n8nEnv } = require('./n8n-env.cjs');
const { freePort, startEmulator, waitFor, stopChildren } = require('./harness.cjs');

const PKG = path.join(__dirname, '..');
const N8N = process.env.CIO_N8N_BIN;
const N8N_MODULES = process.env.CIO_N8N_MODULES;
const KEEP = process.env.CIO_E2E_KEEP === '1';
const NODE_TYPE = require('./n8n-env.cjs').nodeTypeFor();
const CRED = { id: 'cioWasmDemoCred1', name: 'Customer.io demo (emulator)' };
const WORKFLOW_ID = 'cioWasmE2eWf0001';

let passed = 0;
let failed = 0;
const timings = {};
const children = [];

function check(name, fn) {
  try {
    const r = fn();
    if (r === false) throw new Error('returned false');
    passed++;
    console.log(`ok - ${name}`);
  } catch (e) {
    failed++;
    console.log(`not ok - ${name}: ${e && e.message ? e.message : e}`);
  }
}
function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

function run(cmd, args, env, { timeoutMs = 120000 } = {}) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => (stderr += `spawn failed: ${e.message}`));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Number(process.hrtime.bigint() - t0) / 1e6 });
    });
  });
}

// The mapper's stored schema, as the editor saves it: the node's own fields for the operation.
const rt = require(path.join(PKG, 'dist', 'nodes', 'CustomerIoWasm', 'runtime.cjs'));
async function mapper(operationId, values) {
  const fields = await rt.inputFields(operationId, null);
  return {
    mappingMode: 'defineBelow',
    value: values,
    matchingColumns: [],
    schema: fields.map((f) => ({ ...f, removed: !(f.required || f.id in values) })),
    attemptToConvertTypes: false,
    convertFieldsToString: false,
  };
}

async function workflow() {
  const credentials = { customerIoConnectorApi: CRED };
  const node = (name, x, parameters, extra = {}) => ({
    id: crypto.randomUUID(),
    name,
    type: NODE_TYPE,
    typeVersion: 1,
    position: [x, 0],
    parameters,
    credentials,
    ...extra,
  });
  const nodes = [
    { id: crypto.randomUUID(), name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
    node('Identify', 220, {
      resource: 'track.customer',
      operation: 'track.customer.identify',
      inputs: await mapper('track.customer.identify', { id: "={{ 'jane+' + (1) + '@example.com' }}", id_type: 'email', attributes: '{"plan":"pro"}' }),
    }),
    node('Trigger status', 440, {
      resource: 'app.raw_http_request',
      operation: 'app.raw_http_request',
      rawMethod: 'GET',
      rawEndpoint: '/campaigns/8/triggers/1',
    }),
    node('Get segment', 660, {
      resource: 'app.segment',
      operation: 'app.segment.get',
      inputs: await mapper('app.segment.get', { segment_id: "={{ '7' }}" }),
    }),
    node(
      'Identify with a bad id',
      880,
      {
        resource: 'track.customer',
        operation: 'track.customer.identify',
        // n8n itself refuses to start a workflow whose required mapper field is empty, so the
        // runtime error comes from the component: ".." would change the request path.
        inputs: await mapper('track.customer.identify', { id: '..', id_type: 'id' }),
      },
      { onError: 'continueRegularOutput' },
    ),
    // an operation without inputs, mapper left untouched (the property's default)
    node('List workspaces', 1100, { resource: 'app.workspace', operation: 'app.workspace.list', inputs: { mappingMode: 'defineBelow', value: null } }),
    // a raw step on Track too: only the path, the connector adds base URL, region and auth
    node('Track region', 1320, {
      resource: 'track.raw_http_request',
      operation: 'track.raw_http_request',
      rawMethod: 'GET',
      rawEndpoint: '/v1/accounts/region',
    }),
  ];
  const connections = {};
  for (let i = 0; i + 1 < nodes.length; i++) {
    connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
  }
  return [{ id: WORKFLOW_ID, name: 'Customer.io WASM e2e', active: false, nodes, connections, settings: { executionOrder: 'v1' }, pinData: {}, versionId: crypto.randomUUID() }];
}

function firstJson(text) {
  const i = text.indexOf('{');
  assert(i >= 0, `no JSON in output: ${text.slice(0, 300)}`);
  return JSON.parse(text.slice(i));
}

function nodeOutput(run, name) {
  const r = run.data.resultData.runData[name];
  assert(r && r[0], `no run data for ${name}`);
  assert(!r[0].error, `${name} failed: ${r[0].error && r[0].error.message}`);
  return r[0].data.main[0].map((it) => it.json);
}

async function main() {
  assert(N8N && fs.existsSync(N8N), 'CIO_N8N_BIN is not set or missing (run scripts/e2e.sh)');
  // Before anything else: can n8n open its database under this Node? A broken install (the SQLite
  // binding never compiled) otherwise shows as six failures, each after half a minute of retries.
  const pre = require('node:child_process').spawnSync(process.execPath, [path.join(__dirname, 'check-n8n-native.cjs'), N8N_MODULES], { encoding: 'utf8', timeout: 60000 });
  if (pre.status !== 0) {
    console.log(`Bail out! n8n cannot open its database: ${(pre.stdout || pre.stderr || `exit ${pre.status}`).trim()} (n8n in ${N8N_MODULES}; run scripts/ensure-n8n.sh to verify and reinstall it)`);
    process.exit(1);
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cio-n8n-e2e-'));
  console.log(`# work dir ${work}`);
  const emulator = await startEmulator(children);
  const [port, brokerPort] = [await freePort(), await freePort()];
  const { env, install } = n8nEnv({ work, routes: emulator.hosts, port, brokerPort });
  console.log(`# node installed as: ${install}`);
  fs.writeFileSync(
    path.join(work, 'credentials.json'),
    JSON.stringify([{ ...CRED, type: 'customerIoConnectorApi', data: { trackingSiteId: 'demo-site', trackingApiKey: 'demo-track-key', appApiKey: 'demo-app-key', region: 'us' } }]),
  );
  fs.writeFileSync(path.join(work, 'workflow.json'), JSON.stringify(await workflow()));

  const ic = await run(N8N, ['import:credentials', `--input=${path.join(work, 'credentials.json')}`], env);
  timings.importCredentialsMs = Math.round(ic.ms);
  check('n8n import:credentials', () => assert(ic.code === 0, `exit ${ic.code}: ${ic.stderr.slice(-800)}${ic.stdout.slice(-400)}`));
  const iw = await run(N8N, ['import:workflow', `--input=${path.join(work, 'workflow.json')}`], env);
  timings.importWorkflowMs = Math.round(iw.ms);
  check('n8n import:workflow', () => assert(iw.code === 0, `exit ${iw.code}: ${iw.stderr.slice(-800)}${iw.stdout.slice(-400)}`));

  const ex = await run(N8N, ['execute', `--id=${WORKFLOW_ID}`, '--rawOutput'], env);
  timings.executeMs = Math.round(ex.ms);
  fs.writeFileSync(path.join(work, 'execute.out'), ex.stdout + '\n--- stderr ---\n' + ex.stderr);
  console.log(`# n8n execute: ${timings.executeMs} ms wall, exit ${ex.code}`);
  check('n8n execute exits 0', () => assert(ex.code === 0, `exit ${ex.code}: ${(ex.stdout + ex.stderr).slice(-1500)}`));
  let result = null;
  check('n8n execute prints the run as JSON', () => {
    result = firstJson(ex.stdout);
  });
  if (result) {
    check('identify (track.customer.identify): Customer.io answered {}, the node outputs what it sent', () => {
      const out = nodeOutput(result, 'Identify');
      assert(out.length === 1 && out[0].success === true && out[0].id === 'jane+1@example.com' && out[0].attributes.plan === 'pro', JSON.stringify(out));
    });
    check('raw GET /campaigns/8/triggers/1 on App: status 200, broadcast 8 trigger 1', () => {
      const [o] = nodeOutput(result, 'Trigger status');
      assert(o.status === 200 && o.body && o.body.broadcast_id === 8 && o.body.id === 1, JSON.stringify(o).slice(0, 400));
      assert(o.url === 'https://api.customer.io/v1/campaigns/8/triggers/1', o.url);
    });
    check('app.segment.get with an expression (text "7" -> number): VIP customers', () => {
      const [o] = nodeOutput(result, 'Get segment');
      assert(o.segment && o.segment.name === 'VIP customers', JSON.stringify(o).slice(0, 300));
    });
    check('continueOnFail in n8n: identify with id ".." -> typed error item', () => {
      const [o] = nodeOutput(result, 'Identify with a bad id');
      assert(o.error && o.error.kind === 'invalid-input' && o.error.pointers[0] === '/id' && o.error.fixBy === 'user', JSON.stringify(o));
    });
    check('raw GET /v1/accounts/region on Track: status 200, region us', () => {
      const [o] = nodeOutput(result, 'Track region');
      assert(o.status === 200 && o.body && o.body.region === 'us', JSON.stringify(o).slice(0, 400));
      assert(o.url === 'https://track.customer.io/api/v1/accounts/region', o.url);
    });
    check('an operation without inputs (app.workspace.list, mapper untouched) runs', () => {
      const [o] = nodeOutput(result, 'List workspaces');
      assert(o && Array.isArray(o.workspaces) && o.workspaces.length > 0, JSON.stringify(o).slice(0, 300));
    });
  }
  const emuLog = await fetch(`${emulator.control}/__emulator__/requests`).then((r) => r.json()).catch(() => null);
  check('the emulator saw the identify (PUT, expression resolved, attributes parsed) and the raw GET', () => {
    assert(Array.isArray(emuLog), `no request log: ${JSON.stringify(emuLog)}`);
    const put = emuLog.find((r) => r.method === 'PUT' && r.host === 'track.customer.io' && r.path === '/api/v1/customers/jane%2B1%40example.com');
    assert(put, JSON.stringify(emuLog.map((r) => `${r.method} ${r.host}${r.path}`)));
    const body = JSON.parse(Buffer.from(put.body_base64 || '', 'base64').toString() || '{}');
    assert(JSON.stringify(body).includes('"plan":"pro"'), JSON.stringify(body));
    assert(emuLog.some((r) => r.method === 'GET' && r.host === 'api.customer.io' && r.path === '/v1/campaigns/8/triggers/1'), 'no raw GET');
    assert(!emuLog.some((r) => r.path.includes('/customers/..')), 'the bad id reached the emulator');
  });

  // ---- n8n start + REST ----
  const email = 'owner@example.com';
  const password = 'E2e-owner-Pass1';
  const bcrypt = require(path.join(N8N_MODULES, 'bcryptjs'));
  const startEnv = {
    ...env,
    N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
    N8N_INSTANCE_OWNER_EMAIL: email,
    N8N_INSTANCE_OWNER_FIRST_NAME: 'E2e',
    N8N_INSTANCE_OWNER_LAST_NAME: 'Owner',
    N8N_INSTANCE_OWNER_PASSWORD_HASH: bcrypt.hashSync(password, 10),
  };
  const t0 = Date.now();
  const server = spawn(N8N, ['start'], { env: startEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  server.on('error', (e) => (serverLog += `spawn failed: ${e.message}`));
  children.push(server);
  let serverLog = '';
  server.stdout.on('data', (d) => (serverLog += d));
  server.stderr.on('data', (d) => (serverLog += d));
  const base = `http://127.0.0.1:${port}`;
  const up = await waitFor(`${base}/healthz/readiness`, 90000);
  timings.startToReadyMs = Date.now() - t0;
  console.log(`# n8n start -> ready: ${timings.startToReadyMs} ms`);
  check('n8n start becomes ready', () => assert(up, `not ready: ${serverLog.slice(-1500)}`));
  if (up) {
    const browserId = crypto.randomUUID();
    let cookie = '';
    const rest = async (method, p, body) => {
      const r = await fetch(`${base}${p}`, {
        method,
        headers: { 'content-type': 'application/json', 'browser-id': browserId, cookie },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await r.text();
      let json = null;
      try {
        json = JSON.parse(text);
      } catch {}
      return { status: r.status, json, text, headers: r.headers };
    };
    const login = await rest('POST', '/rest/login', { emailOrLdapLoginId: email, password });
    const setCookie = login.headers.getSetCookie ? login.headers.getSetCookie() : [login.headers.get('set-cookie')];
    cookie = setCookie.filter(Boolean).map((c) => c.split(';')[0]).join('; ');
    check('POST /rest/login as the env-managed owner', () => assert(login.status === 200 && cookie.includes('n8n-auth'), `${login.status} ${login.text.slice(0, 300)}`));

    const types = await rest('GET', '/types/nodes.json');
    check('the node type is served (description size with the full catalog)', () => {
      assert(types.status === 200 && Array.isArray(types.json), `${types.status}`);
      const mine = types.json.find((t) => t.name === NODE_TYPE);
      assert(mine, `${NODE_TYPE} not in /types/nodes.json`);
      timings.servedDescriptionBytes = Buffer.byteLength(JSON.stringify(mine));
      const tool = types.json.find((t) => t.name === `${NODE_TYPE}Tool`);
      timings.servedToolDescriptionBytes = tool ? Buffer.byteLength(JSON.stringify(tool)) : null;
      const seg = mine.properties.find((p) => p.name === 'operation' && p.displayOptions.show.resource[0] === 'app.segment');
      assert(seg && seg.options.some((o) => o.value === 'app.segment.get'), 'no app/segment operation dropdown');
    });

    check('no "Custom API Call" is injected (the credential cannot authenticate generic requests)', () => {
      const mine = types.json.find((t) => t.name === NODE_TYPE);
      const injected = mine.properties.filter((p) => Array.isArray(p.options) && p.options.some((o) => o.value === '__CUSTOM_API_CALL__'));
      assert(injected.length === 0, injected.map((p) => p.name).join(' '));
    });
    const common = { nodeTypeAndVersion: { name: NODE_TYPE, version: 1 }, credentials: { customerIoConnectorApi: CRED } };
    const ops = await rest('POST', '/rest/dynamic-node-parameters/options', {
      ...common,
      path: 'parameters.operation',
      methodName: 'getOperations',
      currentNodeParameters: { resource: 'app.segment' },
    });
    check('options: operation dropdown (getOperations) for App / Segment', () => {
      const list = ops.json && ops.json.data;
      assert(Array.isArray(list), `${ops.status} ${ops.text.slice(0, 300)}`);
      const values = list.map((o) => o.value);
      assert(values.includes('app.segment.get') && values.every((v) => v.startsWith('app.segment.')), values.join(' '));
    });
    const t1 = Date.now();
    const lookup = await rest('POST', '/rest/dynamic-node-parameters/options', {
      ...common,
      path: 'parameters.inputs',
      methodName: 'app_segment_lookup',
      currentNodeParameters: { resource: 'app.segment', operation: 'app.segment.get' },
    });
    timings.lookupRestMs = Date.now() - t1;
    check('options: lookup app.segment.lookup through the component -> "VIP customers"', () => {
      const list = lookup.json && lookup.json.data;
      assert(Array.isArray(list) && list.some((o) => o.name === 'VIP customers' && o.value === 7), `${lookup.status} ${lookup.text.slice(0, 400)}`);
    });
    const fields = await rest('POST', '/rest/dynamic-node-parameters/resource-mapper-fields', {
      ...common,
      path: 'parameters.inputs',
      methodName: 'getInputFields',
      currentNodeParameters: { resource: 'app.segment', operation: 'app.segment.get' },
    });
    check('resource-mapper-fields: app.segment.get -> segment_id as a dropdown of segments', () => {
      const list = fields.json && fields.json.data && fields.json.data.fields;
      const f = Array.isArray(list) && list.find((x) => x.id === 'segment_id');
      assert(f && f.required && f.type === 'options' && f.options.some((o) => o.name === 'VIP customers'), `${fields.status} ${fields.text.slice(0, 400)}`);
    });
    const ctest = await rest('POST', '/rest/credentials/test', {
      credentials: { ...CRED, type: 'customerIoConnectorApi', data: { trackingSiteId: 'demo-site', trackingApiKey: 'demo-track-key', appApiKey: 'demo-app-key', region: 'us' } },
    });
    // n8n links a credential to its node's test only for packages (the community-package install).
    if (install === 'package') {
    check('credential test: n8n runs the node\'s test -> "Connection tested (Track: US, App: US)"', () => {
      const d = ctest.json && ctest.json.data;
      assert(d && d.status === 'OK' && d.message === 'Connection tested (Track: US, App: US)', `${ctest.status} ${ctest.text.slice(0, 400)}`);
    });
    const cbad = await rest('POST', '/rest/credentials/test', {
      credentials: { ...CRED, type: 'customerIoConnectorApi', data: { trackingSiteId: 'demo-site', trackingApiKey: 'wrong', appApiKey: 'demo-app-key', region: 'us' } },
    });
    check('credential test: a wrong Track key is named', () => {
      const d = cbad.json && cbad.json.data;
      assert(d && d.status === 'Error' && /^Track API: /.test(d.message), `${cbad.status} ${cbad.text.slice(0, 400)}`);
    });
    }
  }
  fs.writeFileSync(path.join(work, 'n8n-start.log'), serverLog);
  console.log(`# timings ${JSON.stringify(timings)}`);
  if (!KEEP && failed === 0) fs.rmSync(work, { recursive: true, force: true });
  else console.log(`# kept ${work}`);
}

main()
  .catch((e) => {
    failed++;
    console.log(`not ok - e2e aborted: ${e && e.stack ? e.stack : e}`);
  })
  .finally(async () => {
    await stopChildren(children);
    console.log(`${passed} passed, ${failed} failed`);
    process.exit(failed ? 1 : 0);
  });
