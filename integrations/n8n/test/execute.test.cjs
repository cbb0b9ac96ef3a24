'use strict';
// The node against a running emulator, through the real @customerio-wasm/host and the component.
const test = require('node:test');
const assert = require('node:assert/strict');
const { startEmulator, loadNode, fakeExecuteFunctions, fakeLoadOptionsFunctions, DEMO_CREDENTIALS } = require('./helpers.cjs');

let emulator;
let node;
let rt;

test.before(async () => {
  emulator = await startEmulator();
  process.env.CIO_ROUTES = JSON.stringify(emulator.hosts);
  process.env.CIO_TEST_MODE = '1';
  node = loadNode();
  rt = require('../dist/nodes/CustomerIoWasm/runtime.cjs');
  await rt.resetHost();
});

test.after(async () => {
  if (rt) await rt.resetHost();
  if (emulator) await emulator.stop();
});

const IDENTIFY = {
  resource: 'track.customer',
  operation: 'track.customer.identify',
  inputs: { mappingMode: 'defineBelow', value: { id: 'jane+1@example.com', id_type: 'email', attributes: '{"plan":"pro"}' } },
};
const RAW_TRIGGER = {
  resource: 'app.raw_http_request',
  operation: 'app.raw_http_request',
  rawMethod: 'GET',
  rawEndpoint: '/campaigns/8/triggers/1',
};

test('execute: track.customer.identify (mapper values as text are converted)', async () => {
  const ctx = fakeExecuteFunctions(node, { parameters: IDENTIFY });
  const [items] = await node.execute.call(ctx);
  // Customer.io answers {}: the node outputs what it sent, so the next node has the person.
  assert.deepEqual(items, [{ json: { success: true, id: 'jane+1@example.com', id_type: 'email', attributes: { plan: 'pro' } }, pairedItem: { item: 0 } }]);
});

test('execute: raw GET /campaigns/8/triggers/1 on the App connector', async () => {
  const ctx = fakeExecuteFunctions(node, { parameters: RAW_TRIGGER });
  const [items] = await node.execute.call(ctx);
  assert.equal(items.length, 1);
  const out = items[0].json;
  assert.equal(out.status, 200);
  assert.equal(out.body_encoding, 'json');
  assert.equal(out.body.broadcast_id, 8);
  assert.equal(out.body.id, 1);
  assert.equal(out.url, 'https://api.customer.io/v1/campaigns/8/triggers/1');
});

test('execute: Input (JSON) overrides the fields', async () => {
  const ctx = fakeExecuteFunctions(node, {
    parameters: { ...RAW_TRIGGER, rawEndpoint: '/campaigns/999/triggers/1', options: { inputJson: '{"endpoint":"/campaigns/8/triggers/1","return_error_responses":true}' } },
  });
  const [items] = await node.execute.call(ctx);
  assert.equal(items[0].json.body.broadcast_id, 8);
});

test('execute: continueOnFail gives a typed error item per failing item, others succeed', async () => {
  const bad = { ...IDENTIFY, inputs: { mappingMode: 'defineBelow', value: { id_type: 'email' } } };
  const ctx = fakeExecuteFunctions(node, { parameters: [bad, IDENTIFY], items: [{ json: {} }, { json: {} }], continueOnFail: true });
  const [items] = await node.execute.call(ctx);
  assert.equal(items.length, 2);
  const { error } = items[0].json;
  assert.equal(error.kind, 'invalid-input');
  assert.equal(error.fixBy, 'user');
  assert.equal(error.retryable, false);
  assert.deepEqual(error.pointers, ['/id']);
  // in the words of the form: the field's label, not its JSON key
  assert.deepEqual(error.fields, ['Person identifier']);
  assert.match(error.message, /Person identifier/);
  assert.deepEqual(items[0].pairedItem, { item: 0 });
  assert.equal(items[1].json.success, true);
});

test('execute: values JSON cannot carry are typed error items, not data (NaN would name the person "NaN")', async () => {
  const cases = [
    { id: NaN },
    { id: '42', attributes: { score: Infinity } },
    { id: '42', attributes: { when: () => 1 } },
    // (a Map is already {} when the node reads it: n8n's own parameter resolution converts it)
    { id: '42', attributes: { list: [1, undefined] } },
  ];
  const params = cases.map((value) => ({ ...IDENTIFY, inputs: { mappingMode: 'defineBelow', value } }));
  const ctx = fakeExecuteFunctions(node, { parameters: params, items: cases.map(() => ({ json: {} })), continueOnFail: true });
  const [items] = await node.execute.call(ctx);
  assert.equal(items.length, cases.length);
  for (const [i, item] of items.entries()) {
    assert.ok(item.json.error, `case ${i} was sent: ${JSON.stringify(item.json)}`);
    assert.equal(item.json.error.kind, 'invalid-input', `case ${i}`);
    assert.match(item.json.error.message, /JSON cannot carry/, `case ${i}`);
  }
  assert.deepEqual(items[0].json.error.pointers, ['/id']);
  assert.deepEqual(items[1].json.error.pointers, ['/attributes/score']);
});

test('loadOptions: only text and number values become options', () => {
  const options = rt.lookupOptionsOf([
    { text: 'a', value: 1 },
    { text: 'b', value: { x: 1 } },
    { text: 'c', value: null },
    { text: 'd', value: 'x' },
    { text: 'e', value: NaN },
  ]);
  assert.deepEqual(options, [{ name: 'a', value: 1 }, { name: 'd', value: 'x' }]);
});

test('execute: wrong key -> unauthorized; without continueOnFail a NodeOperationError is thrown', async () => {
  const creds = { ...DEMO_CREDENTIALS, trackingApiKey: 'wrong' };
  let ctx = fakeExecuteFunctions(node, { parameters: IDENTIFY, credentials: creds, continueOnFail: true });
  const [items] = await node.execute.call(ctx);
  assert.equal(items[0].json.error.kind, 'unauthorized');
  assert.equal(items[0].json.error.status, 401);
  ctx = fakeExecuteFunctions(node, { parameters: IDENTIFY, credentials: creds });
  await assert.rejects(node.execute.call(ctx), (e) => {
    assert.equal(e.name, 'NodeOperationError');
    assert.equal(e.connectorError.kind, 'unauthorized');
    assert.match(e.description, /kind: unauthorized; status: 401/);
    return true;
  });
  // invalid input: the error names the field's label
  ctx = fakeExecuteFunctions(node, { parameters: { ...IDENTIFY, inputs: { mappingMode: 'defineBelow', value: { id_type: 'email' } } } });
  await assert.rejects(node.execute.call(ctx), (e) => {
    assert.match(e.message, /Person identifier/);
    assert.match(e.description, /^Check: Person identifier/);
    return true;
  });
});

test('execute: a workflow naming n8n\'s "Custom API Call" gets a clear error, before any operation is read', async () => {
  for (const parameters of [{ resource: 'app.segment', operation: '__CUSTOM_API_CALL__' }, { resource: '__CUSTOM_API_CALL__' }]) {
  const ctx = fakeExecuteFunctions(node, { parameters, continueOnFail: true });
  const [items] = await node.execute.call(ctx);
  assert.equal(items[0].json.error.kind, 'invalid-config');
  assert.match(items[0].json.error.message, /Raw HTTP Request/);
  }
});

test('loadOptions: app.segment.lookup returns "VIP customers"', async () => {
  const ctx = fakeLoadOptionsFunctions(node, { parameters: { resource: 'app.segment', operation: 'app.segment.get' } });
  const options = await node.methods.loadOptions.app_segment_lookup.call(ctx);
  assert.ok(options.some((o) => o.name === 'VIP customers' && o.value === 7), JSON.stringify(options));
  for (const o of options) assert.deepEqual(Object.keys(o).sort(), ['name', 'value']);
});

test('loadOptions: getOperations lists the dropdown of the selected resource', async () => {
  const ctx = fakeLoadOptionsFunctions(node, { parameters: { resource: 'app.segment' } });
  const options = await node.methods.loadOptions.getOperations.call(ctx);
  assert.ok(options.some((o) => o.value === 'app.segment.get'));
  assert.ok(!options.some((o) => o.value === 'app.segment.lookup'), 'lookups fill dropdowns, they are not actions');
  assert.ok(options.every((o) => o.value.startsWith('app.segment.')));
});

test('resourceMapping: fields from the manifest; x-lookup fields become dropdowns', async () => {
  let ctx = fakeLoadOptionsFunctions(node, { parameters: { resource: 'track.customer', operation: 'track.customer.identify' } });
  let { fields } = await node.methods.resourceMapping.getInputFields.call(ctx);
  const byId = Object.fromEntries(fields.map((f) => [f.id, f]));
  assert.equal(byId.id.required, true);
  assert.equal(byId.id.type, 'string');
  assert.equal(byId.id_type.type, 'options');
  assert.deepEqual(byId.id_type.options.map((o) => o.name), ['ID', 'Email', 'cio_id']);
  assert.equal(byId.id.displayName, 'Person identifier');
  assert.equal(byId.attributes.type, 'object');
  assert.equal(byId.created_at.type, 'string');
  ctx = fakeLoadOptionsFunctions(node, { parameters: { resource: 'app.segment', operation: 'app.segment.get' } });
  ({ fields } = await node.methods.resourceMapping.getInputFields.call(ctx));
  const seg = fields.find((f) => f.id === 'segment_id');
  assert.equal(seg.type, 'options');
  assert.ok(seg.options.some((o) => o.name === 'VIP customers' && o.value === 7));
});

test('credential test: authenticate through the component', async () => {
  const ok = await node.methods.credentialTest.customerIoConnectionTest.call({}, { data: DEMO_CREDENTIALS });
  assert.equal(ok.status, 'OK', ok.message);
  assert.equal(ok.message, 'Connection tested (Track: US, App: US)');
  const bad = await node.methods.credentialTest.customerIoConnectionTest.call({}, { data: { ...DEMO_CREDENTIALS, appApiKey: 'nope' } });
  assert.equal(bad.status, 'Error');
});

test('routes: a non-loopback CIO_ROUTES fails closed', async () => {
  const saved = process.env.CIO_ROUTES;
  await rt.resetHost();
  process.env.CIO_ROUTES = JSON.stringify({ 'api.customer.io': 'http://example.com:80' });
  try {
    const ctx = fakeExecuteFunctions(node, { parameters: RAW_TRIGGER, continueOnFail: true });
    const [items] = await node.execute.call(ctx);
    assert.match(items[0].json.error.message, /loopback/);
    process.env.CIO_ROUTES = '{not json';
    await rt.resetHost();
    const [items2] = await node.execute.call(ctx);
    assert.match(items2[0].json.error.message, /CIO_ROUTES is not JSON/);
  } finally {
    process.env.CIO_ROUTES = saved;
    await rt.resetHost();
  }
});

test('drift: the component lists exactly the operations the description was generated from', async () => {
  const ops = await rt.getHost().listOperations();
  assert.deepEqual(ops.map((o) => o.id).sort(), Object.keys(rt.catalog.operations).sort());
  for (const o of ops) assert.equal(o.kind, rt.catalog.operations[o.id].kind, o.id);
});
