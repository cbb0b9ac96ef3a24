#!/usr/bin/env node
'use strict';
// Turns the connector manifest (CIO_MANIFEST or ../../manifest.json) into the n8n node description
// (dist/nodes/CustomerIoWasm/description.json) and the operation catalog the node reads at run time
// (dist/nodes/CustomerIoWasm/operations.json: input schemas for the resource mapper, lookups).
// The input fields are NOT part of the description: a resourceMapper field asks the node for the
// selected operation's fields (NODE-HOST.md §4: 33 KB instead of 520 KB of flat fields).

const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const MANIFEST = path.resolve(process.env.CIO_MANIFEST || path.join(ROOT, '..', '..', 'manifest.json'));
const OUT = path.resolve(process.env.CIO_N8N_OUT || path.join(ROOT, 'dist', 'nodes', 'CustomerIoWasm'));
const MAX_DESCRIPTION_BYTES = 300 * 1024;

const CONNECTORS = [
  { value: 'track', name: 'Track', description: 'Track API (site ID + Track API key): people, events, devices, objects' },
  { value: 'app', name: 'App', description: 'App API (App API key): messages, campaigns, segments, exports, …' },
  { value: 'beta', name: 'Beta', description: 'Beta API (App API key)' },
];
const ACRONYMS = { esp: 'ESP', ip: 'IP', http: 'HTTP', api: 'API', id: 'ID', sms: 'SMS' };

function titleCase(snake) {
  return snake
    .split('_')
    .map((w) => ACRONYMS[w] || w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
}

/** `app.customer.get_attributes` -> { connector: 'app', resource: 'customer' }; `app.raw_http_request` -> resource `raw_http_request`. */
function splitId(id) {
  const parts = id.split('.');
  if (parts.length === 3) return { connector: parts[0], resource: parts[1], action: parts[2] };
  if (parts.length === 2) return { connector: parts[0], resource: parts[1], action: parts[1] };
  throw new Error(`unexpected operation id ${id}`);
}

function sentence(text, max = 220) {
  const t = String(text || '').replace(/\s+/g, ' ').trim();
  return t.length <= max ? t : `${t.slice(0, max - 1).trimEnd()}…`;
}

/** Only what the node needs at run time from each input schema (no examples, no $schema). */
function compactSchema(schema) {
  const props = {};
  for (const [k, v] of Object.entries(schema.properties || {})) {
    const p = {};
    for (const key of ['title', 'description', 'type', 'enum', 'default', 'format', 'anyOf', 'x-lookup', 'minimum', 'maximum', 'items']) {
      if (v[key] !== undefined) p[key] = v[key];
    }
    if (p.anyOf) p.anyOf = p.anyOf.map((a) => ({ type: a.type, format: a.format }));
    if (p.items) p.items = { type: p.items.type };
    props[k] = p;
  }
  return { properties: props, required: schema.required || [] };
}

function generate(manifest) {
  const ops = manifest.operations;
  if (!Array.isArray(ops) || ops.length === 0) throw new Error('manifest has no operations');
  const rawIds = ops.filter((o) => o.kind === 'raw-http').map((o) => o.id);

  const byConnector = new Map(CONNECTORS.map((c) => [c.value, new Map()]));
  for (const op of ops) {
    const { connector, resource } = splitId(op.id);
    if (op.connector !== connector) throw new Error(`${op.id}: connector ${op.connector} does not match the id`);
    const resources = byConnector.get(connector);
    if (!resources) throw new Error(`${op.id}: unknown connector ${connector}`);
    if (!resources.has(resource)) resources.set(resource, []);
    resources.get(resource).push(op);
  }

  const properties = [
    {
      displayName: 'API',
      name: 'connector',
      type: 'options',
      noDataExpression: true,
      options: CONNECTORS,
      default: 'track',
      description: 'Which Customer.io API to call. Track uses the credential’s Site ID and Tracking API key; App and Beta its App API key.',
    },
  ];

  for (const c of CONNECTORS) {
    const resources = [...byConnector.get(c.value).entries()].sort(([a], [b]) =>
      a === 'raw_http_request' ? 1 : b === 'raw_http_request' ? -1 : a.localeCompare(b),
    );
    properties.push({
      displayName: 'Resource',
      name: 'resource',
      type: 'options',
      noDataExpression: true,
      displayOptions: { show: { connector: [c.value] } },
      options: resources.map(([r]) => ({ name: titleCase(r), value: r })),
      default: resources[0][0],
    });
  }
  for (const c of CONNECTORS) {
    for (const [resource, list] of [...byConnector.get(c.value).entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const sorted = [...list].sort((a, b) => a.title.localeCompare(b.title));
      properties.push({
        displayName: 'Operation',
        name: 'operation',
        type: 'options',
        noDataExpression: true,
        displayOptions: { show: { connector: [c.value], resource: [resource] } },
        options: sorted.map((o) => ({ name: o.title, value: o.id, description: sentence(o.description), action: o.title })),
        default: sorted[0].id,
      });
    }
  }

  properties.push({
    displayName: 'Region',
    name: 'region',
    type: 'options',
    options: [
      { name: 'From Credential', value: 'credential', description: 'The region chosen in the Customer.io credential' },
      { name: 'Auto-Detect', value: 'auto', description: 'Ask Customer.io which region the workspace is in (one extra request per process)' },
      { name: 'US', value: 'us' },
      { name: 'EU', value: 'eu' },
    ],
    default: 'credential',
  });

  const showRaw = { show: { operation: rawIds } };
  properties.push(
    {
      displayName: 'Method',
      name: 'rawMethod',
      type: 'options',
      displayOptions: showRaw,
      options: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'].map((m) => ({ name: m, value: m })),
      default: 'GET',
    },
    {
      displayName: 'Endpoint',
      name: 'rawEndpoint',
      type: 'string',
      displayOptions: showRaw,
      default: '',
      required: true,
      placeholder: '/campaigns/8/triggers/1',
      description: 'Path after the API’s base URL (Track https://track.customer.io/api, App https://api.customer.io/v1, Beta https://beta-api.customer.io/v1/api; EU hosts follow the region). Never a full URL.',
    },
    { displayName: 'Query (JSON)', name: 'rawQuery', type: 'json', displayOptions: showRaw, default: '{}', description: 'Query parameters; an array value repeats the key' },
    { displayName: 'Headers (JSON)', name: 'rawHeaders', type: 'json', displayOptions: showRaw, default: '{}', description: 'Extra headers; Authorization, Host and hop-by-hop headers are refused' },
    { displayName: 'Body (JSON)', name: 'rawBody', type: 'json', displayOptions: showRaw, default: '', description: 'JSON body; leave empty for none' },
  );

  properties.push({
    displayName: 'Inputs',
    name: 'inputs',
    type: 'resourceMapper',
    noDataExpression: true,
    default: { mappingMode: 'defineBelow', value: null },
    displayOptions: { hide: { operation: rawIds } },
    typeOptions: {
      loadOptionsDependsOn: ['connector', 'resource', 'operation'],
      resourceMapper: {
        resourceMapperMethod: 'getInputFields',
        mode: 'add',
        fieldWords: { singular: 'input', plural: 'inputs' },
        addAllFields: false,
        multiKeyMatch: false,
        supportAutoMap: false,
        noFieldsError: 'This operation takes no inputs',
      },
    },
  });

  properties.push(
    {
      displayName: 'Input (JSON)',
      name: 'inputJson',
      type: 'json',
      default: '{}',
      description: 'For power users: the operation’s input as JSON (see the manifest’s input schema). Merged over the fields above; its keys win.',
    },
    {
      displayName: 'Options',
      name: 'options',
      type: 'collection',
      placeholder: 'Add option',
      default: {},
      options: [
        { displayName: 'Timeout (Ms)', name: 'timeoutMs', type: 'number', typeOptions: { minValue: 1, maxValue: 300000, numberPrecision: 0 }, default: 30000, description: 'Budget for the whole step, retries included' },
      ],
    },
  );

  const description = {
    displayName: 'Customer.io (WASM)',
    name: 'customerIoWasm',
    icon: 'file:customerio.svg',
    group: ['output'],
    version: 1,
    subtitle: '={{$parameter["operation"]}}',
    description: `Customer.io Track, App and Beta APIs (${ops.length} operations) through the Customer.io connector WebAssembly component`,
    defaults: { name: 'Customer.io (WASM)' },
    inputs: ['main'],
    outputs: ['main'],
    usableAsTool: true,
    credentials: [{ name: 'customerIoApi', required: true, testedBy: 'customerIoWasmConnectionTest' }],
    properties,
  };

  const catalog = {
    manifest: { name: manifest.name, version: manifest.version },
    operations: Object.fromEntries(
      ops.map((o) => [o.id, { connector: o.connector, kind: o.kind, title: o.title, input: compactSchema(o.input_schema) }]),
    ),
    lookups: ops.filter((o) => o.kind === 'lookup').map((o) => o.id),
  };
  return { description, catalog };
}

function lookupMethodName(id) {
  // app.segment.lookup -> app_segment_lookup (a valid, stable loadOptions method name)
  return id.replace(/\./g, '_');
}

function main() {
  const manifest = JSON.parse(fs.readFileSync(MANIFEST, 'utf8'));
  const { description, catalog } = generate(manifest);
  const text = JSON.stringify(description);
  const bytes = Buffer.byteLength(text);
  if (bytes >= MAX_DESCRIPTION_BYTES) throw new Error(`node description is ${bytes} bytes, over ${MAX_DESCRIPTION_BYTES}`);
  fs.mkdirSync(OUT, { recursive: true });
  fs.writeFileSync(path.join(OUT, 'description.json'), text);
  fs.writeFileSync(path.join(OUT, 'operations.json'), JSON.stringify(catalog));
  const nOps = Object.keys(catalog.operations).length;
  console.log(`generated ${path.relative(process.cwd(), OUT)}/description.json: ${bytes} bytes, ${nOps} operations, ${catalog.lookups.length} lookups (from ${MANIFEST})`);
}

module.exports = { generate, splitId, titleCase, lookupMethodName, MAX_DESCRIPTION_BYTES };
if (require.main === module) main();
