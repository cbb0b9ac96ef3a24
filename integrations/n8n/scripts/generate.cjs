#!/usr/bin/env node
'use strict';
// Turns the connector manifest (CIO_MANIFEST or ../../manifest.json) into the n8n node description
// (dist/nodes/CustomerIoWasm/description.json) and the operation catalog the node reads at run time
// (dist/nodes/CustomerIoWasm/operations.json: input schemas for the resource mapper, lookups).
// Resource values are unique per API (`track.customer`, `app.customer`): n8n's Actions panel and
// node names look operations up by resource value alone. Output schemas go to __schema__/.
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
    if (Array.isArray(p.enum)) p.enumLabels = p.enum.map(optionLabel);
    props[k] = p;
  }
  return { properties: props, required: schema.required || [] };
}

const API_NAMES = Object.fromEntries(CONNECTORS.map((c) => [c.value, c.name]));

/** Enum values as people read them (`cio_id` -> "cio_id", `email` -> "Email", `sms` -> "SMS"). */
function optionLabel(value) {
  if (typeof value !== 'string') return String(value);
  if (value.startsWith('cio_')) return value;
  return titleCase(value);
}

/**
 * The resource value of an operation: unique per API (`track.customer`, `app.customer`), because
 * n8n's Actions panel and its node naming take the first `operation` list whose
 * `displayOptions.show.resource` holds the value: shared values across APIs hid every Beta
 * operation and named App ones after Track's.
 */
function resourceOf(id) {
  const { connector, resource } = splitId(id);
  return `${connector}.${resource}`;
}

/** What a node named after this operation reads like: "Get a segment (App)". */
function actionOf(op) {
  const api = `(${API_NAMES[op.connector]})`;
  return op.title.endsWith(api) ? op.title : `${op.title} ${api}`;
}

/**
 * Operations whose answer is an empty object ("accepted"): the node outputs what it sent instead,
 * so the next node has the identifier and the data to work with.
 */
function answersEmpty(op) {
  const s = op.output_schema || {};
  return s.type === 'object' && !s.properties && /empty JSON object/.test(s.description || '');
}

/** The output schema n8n shows before a run (`__schema__/v1.0.0/<resource>/<operation>.json`). */
function outputSchemaFor(op) {
  if (!answersEmpty(op)) return op.output_schema;
  const props = { success: { type: 'boolean', description: 'Customer.io accepted the request' } };
  for (const [k, v] of Object.entries((op.input_schema && op.input_schema.properties) || {})) props[k] = v;
  return {
    $schema: op.output_schema.$schema,
    type: 'object',
    title: 'What was sent',
    description: 'Customer.io answers an empty object; the node outputs success and the inputs it sent.',
    properties: props,
  };
}

function generate(manifest) {
  const ops = manifest.operations;
  if (!Array.isArray(ops) || ops.length === 0) throw new Error('manifest has no operations');
  const rawIds = ops.filter((o) => o.kind === 'raw-http').map((o) => o.id);
  // Lookups fill dropdowns (loadOptions); they are not steps a person adds.
  const actions = ops.filter((o) => o.kind !== 'lookup');

  const byResource = new Map();
  for (const op of actions) {
    const { connector } = splitId(op.id);
    if (op.connector !== connector) throw new Error(`${op.id}: connector ${op.connector} does not match the id`);
    if (!API_NAMES[connector]) throw new Error(`${op.id}: unknown connector ${connector}`);
    const r = resourceOf(op.id);
    if (!byResource.has(r)) byResource.set(r, []);
    byResource.get(r).push(op);
  }
  const order = (r) => {
    const [c, name] = r.split('.');
    return [CONNECTORS.findIndex((x) => x.value === c), name === 'raw_http_request' ? 1 : 0, name];
  };
  const resources = [...byResource.keys()].sort((a, b) => {
    const [x, y] = [order(a), order(b)];
    return x[0] - y[0] || x[1] - y[1] || x[2].localeCompare(y[2]);
  });

  const properties = [
    {
      displayName: 'Resource',
      name: 'resource',
      type: 'options',
      noDataExpression: true,
      options: resources.map((r) => {
        const [c, name] = r.split('.');
        return { name: `${titleCase(name)} (${API_NAMES[c]})`, value: r };
      }),
      default: 'track.customer',
      description: 'What to work with, and on which Customer.io API: Track uses the credential’s Site ID and Track API key, App and Beta its App API key',
    },
  ];
  for (const r of resources) {
    const sorted = [...byResource.get(r)].sort((a, b) => a.title.localeCompare(b.title));
    properties.push({
      displayName: 'Operation',
      name: 'operation',
      type: 'options',
      noDataExpression: true,
      displayOptions: { show: { resource: [r] } },
      options: sorted.map((o) => ({ name: o.title, value: o.id, description: sentence(o.description), action: actionOf(o) })),
      default: sorted[0].id,
    });
  }
  properties.push({
    displayName: 'Region',
    name: 'region',
    type: 'options',
    options: [
      { name: 'From Credential', value: 'credential', description: 'The region chosen in the credential' },
      { name: 'Auto-Detect', value: 'auto', description: 'Ask Customer.io which region the workspace is in (one extra request per process)' },
      { name: 'US', value: 'us' },
      { name: 'EU', value: 'eu' },
    ],
    default: 'credential',
    description: 'The data centre of the workspace; normally the credential’s',
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
      description: 'The HTTP method',
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
    {
      displayName: 'Body (JSON)',
      name: 'rawBody',
      type: 'json',
      displayOptions: showRaw,
      default: '{}',
      description: 'JSON body. GET, HEAD, DELETE and OPTIONS send none when it is {} (or empty); POST, PUT and PATCH send it as it is.',
    },
  );

  properties.push({
    displayName: 'Inputs',
    name: 'inputs',
    type: 'resourceMapper',
    noDataExpression: true,
    default: { mappingMode: 'defineBelow', value: null },
    displayOptions: { hide: { operation: rawIds } },
    typeOptions: {
      loadOptionsDependsOn: ['resource', 'operation', 'region'],
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

  properties.push({
    displayName: 'Options',
    name: 'options',
    type: 'collection',
    placeholder: 'Add option',
    default: {},
    options: [
      { displayName: 'Timeout (Milliseconds)', name: 'timeoutMs', type: 'number', typeOptions: { minValue: 1, maxValue: 300000, numberPrecision: 0 }, default: 30000, description: 'Budget for the whole step, retries included' },
      {
        displayName: 'Input (JSON)',
        name: 'inputJson',
        type: 'json',
        default: '{}',
        description: 'The operation’s whole input as JSON (see its input schema in the connector’s manifest). Merged over the inputs above; its keys win.',
      },
    ],
  });

  // The canvas subtitle: the operation's title, not its id.
  const titles = Object.fromEntries(actions.map((o) => [o.id, actionOf(o)]));
  const description = {
    displayName: 'Customer.io Connector',
    name: 'customerIoWasm',
    icon: 'file:customerio.svg',
    group: ['output'],
    version: 1,
    subtitle: `={{ (${JSON.stringify(titles)})[$parameter["operation"]] || $parameter["operation"] }}`,
    description: `Customer.io’s Track, App and Beta APIs, US and EU: people, events, messages, broadcasts, campaigns, segments and ${ops.length - 3} more operations, plus raw requests`,
    defaults: { name: 'Customer.io' },
    // Customer.io's own API reference (the package has no public home page yet).
    documentationUrl: 'https://docs.customer.io/api/app/',
    inputs: ['main'],
    outputs: ['main'],
    usableAsTool: true,
    credentials: [{ name: 'customerIoConnectorApi', required: true, testedBy: 'customerIoConnectionTest' }],
    properties,
  };

  const catalog = {
    manifest: { name: manifest.name, version: manifest.version },
    operations: Object.fromEntries(
      ops.map((o) => [o.id, { connector: o.connector, kind: o.kind, title: o.title, echo: answersEmpty(o), input: compactSchema(o.input_schema) }]),
    ),
    lookups: ops.filter((o) => o.kind === 'lookup').map((o) => o.id),
  };
  const schemas = Object.fromEntries(actions.map((o) => [`${resourceOf(o.id)}/${o.id}`, outputSchemaFor(o)]));
  return { description, catalog, schemas };
}

function lookupMethodName(id) {
  // app.segment.lookup -> app_segment_lookup (a valid, stable loadOptions method name)
  return id.replace(/\./g, '_');
}

function main() {
  const manifest = JSON.parse(fs.readFileSync(MANIFEST, 'utf8'));
  const { description, catalog, schemas } = generate(manifest);
  const text = JSON.stringify(description);
  const bytes = Buffer.byteLength(text);
  if (bytes >= MAX_DESCRIPTION_BYTES) throw new Error(`node description is ${bytes} bytes, over ${MAX_DESCRIPTION_BYTES}`);
  fs.mkdirSync(OUT, { recursive: true });
  fs.writeFileSync(path.join(OUT, 'description.json'), text);
  fs.writeFileSync(path.join(OUT, 'operations.json'), JSON.stringify(catalog));
  // Output schemas where n8n looks for them (n8n-core's output-schema-resolver): the editor shows
  // the output's shape before a run instead of asking for a file that is not there.
  const schemaDir = path.join(OUT, '__schema__', 'v1.0.0');
  fs.rmSync(path.join(OUT, '__schema__'), { recursive: true, force: true });
  for (const [rel, schema] of Object.entries(schemas)) {
    const file = path.join(schemaDir, `${rel}.json`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(schema));
  }
  const nOps = Object.keys(catalog.operations).length;
  console.log(`generated ${path.relative(process.cwd(), OUT)}/description.json: ${bytes} bytes, ${nOps} operations, ${catalog.lookups.length} lookups (from ${MANIFEST})`);
}

module.exports = { generate, splitId, titleCase, optionLabel, resourceOf, lookupMethodName, MAX_DESCRIPTION_BYTES };
if (require.main === module) main();
