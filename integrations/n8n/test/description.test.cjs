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

test('description: identity, credentials, tool use', () => {
  assert.equal(d.displayName, 'Customer.io (WASM)');
  assert.equal(d.name, 'customerIoWasm');
  assert.equal(d.usableAsTool, true);
  assert.deepEqual(d.credentials.map((c) => c.name), ['customerIoApi']);
  assert.equal(d.credentials[0].testedBy, 'customerIoWasmConnectionTest');
  assert.equal(typeof node.methods.credentialTest.customerIoWasmConnectionTest, 'function');
});

test('description: the full catalog stays well under 300 KB', () => {
  const bytes = Buffer.byteLength(JSON.stringify(d));
  console.log(`# node description: ${bytes} bytes for ${manifest.operations.length} operations`);
  assert.ok(bytes < MAX_DESCRIPTION_BYTES, `${bytes} bytes`);
  // and it is what the generator makes from the manifest today (dist is not stale)
  assert.deepEqual(JSON.parse(JSON.stringify(generate(manifest).description)), JSON.parse(JSON.stringify(d)));
});

test('description: every connector has resources, every resource has operations, every operation is in exactly one dropdown', () => {
  const seen = new Map();
  const resourceProps = d.properties.filter((p) => p.name === 'resource');
  assert.deepEqual(resourceProps.map((p) => p.displayOptions.show.connector[0]).sort(), ['app', 'beta', 'track']);
  for (const rp of resourceProps) {
    const connector = rp.displayOptions.show.connector[0];
    assert.ok(rp.options.length > 0);
    assert.ok(rp.options.some((o) => o.value === rp.default));
    for (const r of rp.options) {
      const ops = d.properties.filter(
        (p) => p.name === 'operation' && p.displayOptions.show.connector[0] === connector && p.displayOptions.show.resource[0] === r.value,
      );
      assert.equal(ops.length, 1, `${connector}/${r.value}`);
      assert.ok(ops[0].options.length > 0, `${connector}/${r.value} has no operations`);
      assert.ok(ops[0].options.some((o) => o.value === ops[0].default));
      for (const o of ops[0].options) {
        assert.ok(!seen.has(o.value), `${o.value} twice`);
        seen.set(o.value, true);
        assert.ok(o.name && o.action, o.value);
        const [c, res] = o.value.split('.');
        assert.equal(c, connector);
        assert.equal(o.value.split('.').length === 3 ? res : o.value.split('.')[1], r.value);
      }
    }
  }
  assert.equal(seen.size, manifest.operations.length);
  for (const op of manifest.operations) assert.ok(seen.has(op.id), op.id);
});

test('description: n8n-workflow resolves the parameters (resource mapper shown, raw fields only for raw HTTP)', () => {
  const identify = resolveParameters(d, { connector: 'track', resource: 'customer', operation: 'track.customer.identify' });
  assert.equal(identify.operation, 'track.customer.identify');
  assert.ok('inputs' in identify && !('rawEndpoint' in identify));
  const raw = resolveParameters(d, { connector: 'app', resource: 'raw_http_request', operation: 'app.raw_http_request' });
  assert.ok('rawEndpoint' in raw && 'rawMethod' in raw && !('inputs' in raw));
  const mapper = d.properties.find((p) => p.type === 'resourceMapper');
  assert.deepEqual(mapper.typeOptions.loadOptionsDependsOn, ['connector', 'resource', 'operation']);
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
  const c = { trackingSiteId: 's', trackingApiKey: 'k', appApiKey: 'a', region: 'track-eu.customer.io' };
  assert.deepEqual(rt.configFor('track', c, 'credential'), { connector: 'track', region: 'eu', credentials: { siteId: 's', apiKey: 'k' } });
  assert.deepEqual(rt.configFor('beta', c, 'auto'), { connector: 'beta', region: 'auto', credentials: { appApiKey: 'a' } });
  assert.equal(rt.configFor('app', { ...c, region: 'track.customer.io' }, 'credential').region, 'us');
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
  const r = await node.methods.credentialTest.customerIoWasmConnectionTest({ data: { trackingApiKey: 'placeholder' } });
  assert.equal(r.status, 'Error');
  assert.match(r.message, /Give the Tracking Site ID and API key, the App API key, or both/);
});
