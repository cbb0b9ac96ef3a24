'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { loadNode, resolveParameters, REPO } = require('./helpers.cjs');
const { generate, MAX_DESCRIPTION_BYTES } = require('../scripts/generate.cjs');

const node = loadNode();
const d = node.description;
const manifest = JSON.parse(fs.readFileSync(process.env.CIO_MANIFEST || path.join(REPO, 'manifest.json'), 'utf8'));

test('description: identity, its own credential (testable, no Custom API Call), tool use', () => {
  assert.equal(d.displayName, 'Customer.io Connector');
  assert.equal(d.defaults.name, 'Customer.io');
  assert.equal(d.name, 'customerIoWasm');
  assert.equal(d.usableAsTool, true);
  assert.deepEqual(d.credentials.map((c) => c.name), ['customerIoConnectorApi']);
  assert.equal(d.credentials[0].testedBy, 'customerIoConnectionTest');
  assert.equal(typeof node.methods.credentialTest.customerIoConnectionTest, 'function');
  const { CustomerIoConnectorApi } = require('../dist/credentials/CustomerIoConnectorApi.credentials.js');
  const cred = new CustomerIoConnectorApi();
  assert.equal(cred.name, 'customerIoConnectorApi');
  // n8n injects "Custom API Call" only for credentials that can authenticate generic requests
  assert.equal(cred.authenticate, undefined);
  assert.deepEqual(cred.properties.map((p) => p.name), ['region', 'trackingSiteId', 'trackingApiKey', 'appApiKey']);
  for (const secret of ['trackingApiKey', 'appApiKey']) assert.equal(cred.properties.find((p) => p.name === secret).typeOptions.password, true);
  const pkg = require('../package.json');
  assert.deepEqual(pkg.n8n.credentials, ['dist/credentials/CustomerIoConnectorApi.credentials.js']);
});

test('description: the full catalog stays well under 300 KB', () => {
  const bytes = Buffer.byteLength(JSON.stringify(d));
  console.log(`# node description: ${bytes} bytes for ${manifest.operations.length} operations`);
  assert.ok(bytes < MAX_DESCRIPTION_BYTES, `${bytes} bytes`);
  // and it is what the generator makes from the manifest today (dist is not stale)
  assert.deepEqual(JSON.parse(JSON.stringify(generate(manifest).description)), JSON.parse(JSON.stringify(d)));
});

test('description: resource values are unique per API; every operation but the lookups is in exactly one dropdown, named with its API', () => {
  const resourceProps = d.properties.filter((p) => p.name === 'resource');
  assert.equal(resourceProps.length, 1);
  const [rp] = resourceProps;
  const values = rp.options.map((o) => o.value);
  assert.equal(new Set(values).size, values.length);
  const seen = new Set();
  for (const r of rp.options) {
    const [api] = r.value.split('.');
    assert.match(r.name, new RegExp(`\\((Track|App|Beta)\\)$`));
    assert.ok(r.name.endsWith(`(${api[0].toUpperCase()}${api.slice(1)})`), r.name);
    const ops = d.properties.filter((p) => p.name === 'operation' && p.displayOptions.show.resource.includes(r.value));
    assert.equal(ops.length, 1, r.value);
    assert.deepEqual(ops[0].displayOptions.show.resource, [r.value]);
    for (const o of ops[0].options) {
      assert.ok(!seen.has(o.value), `${o.value} twice`);
      seen.add(o.value);
      assert.equal(o.value.split('.').slice(0, 2).join('.'), r.value === `${api}.raw_http_request` ? `${api}.raw_http_request` : r.value);
      assert.ok(o.action.endsWith(r.name.slice(r.name.lastIndexOf('('))), `${o.value}: ${o.action}`);
      assert.ok(!/\((Track|App|Beta)\) \(\1\)$/.test(o.action), `${o.value}: ${o.action} names its API twice`);
    }
  }
  const actions = manifest.operations.filter((o) => o.kind !== 'lookup');
  assert.equal(seen.size, actions.length);
  for (const op of actions) assert.ok(seen.has(op.id), op.id);
  // n8n names a node after the action of the first operation list that shows for its resource
  const { NodeHelpers } = require('n8n-workflow');
  if (NodeHelpers.makeNodeName) {
    assert.equal(NodeHelpers.makeNodeName({ resource: 'app.segment', operation: 'app.segment.get' }, d), 'Get a segment (App)');
    assert.equal(NodeHelpers.makeNodeName({ resource: 'beta.segment', operation: 'beta.segment.get' }, d), 'Get a segment (Beta)');
  }
});

test('description: the canvas subtitle is the operation\'s title, and an output schema per action is built', () => {
  assert.match(d.subtitle, /^=\{\{ .*\$parameter\["operation"\].* \}\}$/);
  assert.ok(!d.subtitle.slice(3, -3).includes('}}'), 'no "}}" inside the expression');
  const titles = JSON.parse(d.subtitle.slice(d.subtitle.indexOf('(') + 1, d.subtitle.indexOf(')[')));
  assert.equal(titles['track.customer.identify'], 'Create or update a person (Track)');
  const dir = path.join(__dirname, '..', 'dist', 'nodes', 'CustomerIoWasm', '__schema__', 'v1.0.0');
  const identify = JSON.parse(fs.readFileSync(path.join(dir, 'track.customer', 'track.customer.identify.json'), 'utf8'));
  assert.equal(identify.properties.success.type, 'boolean');
  assert.ok(identify.properties.id);
  const seg = JSON.parse(fs.readFileSync(path.join(dir, 'app.segment', 'app.segment.get.json'), 'utf8'));
  assert.ok(seg.properties.segment);
});

test('description: n8n-workflow resolves the parameters (resource mapper shown, raw fields only for raw HTTP)', () => {
  const identify = resolveParameters(d, { resource: 'track.customer', operation: 'track.customer.identify' });
  assert.equal(identify.operation, 'track.customer.identify');
  assert.ok('inputs' in identify && !('rawEndpoint' in identify));
  const raw = resolveParameters(d, { resource: 'app.raw_http_request', operation: 'app.raw_http_request' });
  assert.ok('rawEndpoint' in raw && 'rawMethod' in raw && !('inputs' in raw));
  const mapper = d.properties.find((p) => p.type === 'resourceMapper');
  assert.deepEqual(mapper.typeOptions.loadOptionsDependsOn, ['resource', 'operation', 'region']);
  assert.equal(typeof node.methods.resourceMapping[mapper.typeOptions.resourceMapper.resourceMapperMethod], 'function');
});

test('description: a loadOptions method per lookup operation', () => {
  const lookups = manifest.operations.filter((o) => o.kind === 'lookup');
  assert.ok(lookups.length > 0);
  for (const l of lookups) assert.equal(typeof node.methods.loadOptions[l.id.replace(/\./g, '_')], 'function', l.id);
});

test('routes: only from CIO_ROUTES; absent means production (no routes)', () => {
  const rt = require('../dist/nodes/CustomerIoWasm/runtime.cjs');
  assert.equal(rt.routesFromEnv({}), undefined);
  assert.equal(rt.routesFromEnv({ CIO_ROUTES: '' }), undefined);
  const hosts = { 'api.customer.io': 'http://127.0.0.1:1' };
  assert.deepEqual(rt.routesFromEnv({ CIO_ROUTES: JSON.stringify(hosts), CIO_TEST_MODE: '1' }), hosts);
  // the emulator's whole startup line is accepted too
  assert.deepEqual(rt.routesFromEnv({ CIO_ROUTES: JSON.stringify({ control: 'x', hosts }), CIO_TEST_MODE: '1' }), hosts);
  assert.throws(() => rt.routesFromEnv({ CIO_ROUTES: 'nope', CIO_TEST_MODE: '1' }), /not JSON/);
  assert.throws(() => rt.routesFromEnv({ CIO_ROUTES: JSON.stringify(hosts) }), /CIO_TEST_MODE/);
});

test('credentials: Track ops use the tracking pair, App/Beta the App key; region from the credential unless overridden', () => {
  const rt = require('../dist/nodes/CustomerIoWasm/runtime.cjs');
  const c = { trackingSiteId: 's', trackingApiKey: 'k', appApiKey: 'a', region: 'eu' };
  assert.deepEqual(rt.configFor('track', c, 'credential'), { connector: 'track', region: 'eu', credentials: { siteId: 's', apiKey: 'k' } });
  assert.deepEqual(rt.configFor('beta', c, 'auto'), { connector: 'beta', region: 'auto', credentials: { appApiKey: 'a' } });
  assert.equal(rt.configFor('app', { ...c, region: 'us' }, 'credential').region, 'us');
  assert.equal(rt.configFor('app', { ...c, region: 'auto' }, 'credential').region, 'auto');
});

test('raw input: the form\'s default {} body is sent only by methods that carry one', () => {
  const rt = require('../dist/nodes/CustomerIoWasm/runtime.cjs');
  assert.deepEqual(rt.rawInput({ method: 'GET', endpoint: '/x', query: '{}', headers: '{}', body: '{}' }), { method: 'GET', endpoint: '/x' });
  assert.deepEqual(rt.rawInput({ method: 'POST', endpoint: '/x', query: '{}', headers: '{}', body: '{}' }), { method: 'POST', endpoint: '/x', body: {} });
  assert.deepEqual(rt.rawInput({ method: 'PUT', endpoint: '/x', body: '{"a":1}' }).body, { a: 1 });
  assert.equal(rt.rawInput({ method: 'GET', endpoint: '/x', body: '' }).body, undefined);
});

test('coercion: mapper text -> schema types', () => {
  const rt = require('../dist/nodes/CustomerIoWasm/runtime.cjs');
  assert.deepEqual(rt.inputFromMapper('app.segment.get', { segment_id: '7' }), { segment_id: 7 });
  assert.deepEqual(rt.inputFromMapper('track.customer.identify', { id: 42, attributes: '{"a":1}', email: '', created_at: '1700000000' }), {
    id: '42',
    attributes: { a: 1 },
    created_at: '1700000000',
  });
  assert.deepEqual(rt.inputFromMapper('app.transactional.send_email', { transactional_message_id: '3' }).transactional_message_id, 3);
  assert.throws(() => rt.inputFromMapper('track.customer.identify', { attributes: '{bad' }), /not valid JSON/);
  // Ids that would name another record as a number stay text.
  for (const id of ['007', '123456789012345678901']) {
    assert.equal(rt.inputFromMapper('track.object.delete', { object_type_id: '1', object_id: id }).object_id, id);
  }
  assert.equal(rt.inputFromMapper('app.segment.get', { segment_id: '0x10' }).segment_id, '0x10');
});

test('credential test: Track is tested only when both Track fields are given', async () => {
  const node = new (require('../dist/nodes/CustomerIoWasm/CustomerIoWasm.node.js').CustomerIoWasm)();
  const r = await node.methods.credentialTest.customerIoConnectionTest({ data: { trackingApiKey: 'placeholder' } });
  assert.equal(r.status, 'Error');
  assert.match(r.message, /Give the Track API Site ID and Track API Key, the App API Key, or both/);
});
