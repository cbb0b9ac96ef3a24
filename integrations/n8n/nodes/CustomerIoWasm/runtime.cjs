'use strict';
// Everything the n8n node needs besides the n8n glue: the one ConnectorHost per process, the
// credential mapping, the resource-mapper fields built from the manifest, and value coercion.

const path = require('node:path');
const description = require('./description.json');
const catalog = require('./operations.json');

const REGION_FROM_CREDENTIAL = {
  'track.customer.io': 'us',
  'track-eu.customer.io': 'eu',
  us: 'us',
  eu: 'eu',
  auto: 'auto',
};

// ---------------------------------------------------------------------------------------------
// The host: one per process, created on first use, never closed (n8n keeps the process; the
// host's idle workers are unref'd so they do not keep a CLI run such as `n8n execute` alive).

let hostModule = null;
let host = null;

function loadHostModule() {
  if (hostModule) return hostModule;
  const candidates = [];
  if (process.env.CIO_NODE_HOST) candidates.push(path.resolve(process.env.CIO_NODE_HOST));
  candidates.push('@customerio-wasm/host');
  // This repository's layout: integrations/n8n/dist/nodes/CustomerIoWasm -> integrations/node
  candidates.push(path.join(__dirname, '..', '..', '..', '..', 'node', 'src', 'index.cjs'));
  const errors = [];
  for (const c of candidates) {
    try {
      hostModule = require(c);
      return hostModule;
    } catch (e) {
      errors.push(`${c}: ${e.message.split('\n')[0]}`);
    }
  }
  throw new Error(`cannot load @customerio-wasm/host (${errors.join('; ')})`);
}

/**
 * Test mode only: CIO_ROUTES holds a JSON map Customer.io host -> http://127.0.0.1:PORT (an
 * emulator). Absent in production, so egress goes only to the six Customer.io hosts over HTTPS
 * (the host's allow-list; n8n's own SSRF/proxy settings do not apply to the component's HTTP).
 * A malformed value fails closed: the node refuses to run rather than guess.
 */
function routesFromEnv(env = process.env) {
  const text = env.CIO_ROUTES;
  if (text === undefined || text === '') return undefined;
  // A second, explicit opt-in: routes send the real keys to a loopback port, which a stray
  // variable in production must not do.
  if (env.CIO_TEST_MODE !== '1') {
    throw new Error('CIO_ROUTES is set but CIO_TEST_MODE is not 1: test routes are refused (unset CIO_ROUTES in production)');
  }
  console.warn('[customerio-wasm] test mode: Customer.io requests go to the loopback routes in CIO_ROUTES');
  let routes;
  try {
    routes = JSON.parse(text);
  } catch (e) {
    throw new Error(`CIO_ROUTES is not JSON: ${e.message}`);
  }
  if (routes && typeof routes === 'object' && routes.hosts && typeof routes.hosts === 'object') routes = routes.hosts; // the emulator's startup line
  return routes; // validated by the host (six hosts, loopback http only)
}

function getHost() {
  if (!host) {
    const { ConnectorHost } = loadHostModule();
    const options = { routes: routesFromEnv() };
    if (process.env.CIO_N8N_COMPONENT) options.component = process.env.CIO_N8N_COMPONENT;
    if (process.env.CIO_N8N_POOL_SIZE) options.poolSize = Number(process.env.CIO_N8N_POOL_SIZE);
    host = new ConnectorHost(options);
  }
  return host;
}

/** Tests only: drops the process host (closing it) so the next call builds one from the env again. */
async function resetHost() {
  const h = host;
  host = null;
  if (h) await h.close();
}

// ---------------------------------------------------------------------------------------------
// Credentials: the node's own `customerIoConnectorApi` (trackingSiteId, trackingApiKey, appApiKey,
// region us | eu | auto); the built-in `customerIoApi`'s region values are understood too.

function regionOf(nodeRegion, credentials) {
  if (nodeRegion && nodeRegion !== 'credential') return nodeRegion;
  return REGION_FROM_CREDENTIAL[credentials && credentials.region] || 'us';
}

function configFor(connector, credentials, nodeRegion) {
  const c = credentials || {};
  const region = regionOf(nodeRegion, c);
  if (connector === 'track') {
    return { connector, region, credentials: { siteId: String(c.trackingSiteId ?? ''), apiKey: String(c.trackingApiKey ?? '') } };
  }
  return { connector, region, credentials: { appApiKey: String(c.appApiKey ?? '') } };
}

// ---------------------------------------------------------------------------------------------
// Operations and their inputs.

function operation(id) {
  return catalog.operations[id];
}

function isRaw(id) {
  const op = operation(id);
  return Boolean(op && op.kind === 'raw-http');
}

function typesOf(schema) {
  if (schema.anyOf) return [...new Set(schema.anyOf.map((a) => a.type).filter(Boolean))];
  if (Array.isArray(schema.type)) return schema.type;
  return schema.type ? [schema.type] : [];
}

/** JSON Schema property -> n8n resource-mapper field type (NODE-HOST.md §4). */
function fieldType(schema) {
  if (Array.isArray(schema.enum)) return 'options';
  const types = typesOf(schema);
  if (types.length === 1) {
    switch (types[0]) {
      case 'integer':
      case 'number':
        return 'number';
      case 'boolean':
        return 'boolean';
      case 'object':
        return 'object';
      case 'array':
        return 'array';
      case 'string':
        return schema.format === 'date-time' ? 'dateTime' : 'string';
      default:
        return 'string';
    }
  }
  // Several forms ("id or name", "unix seconds or ISO-8601"): offered as text, converted by coerce().
  if (types.length === 0) return 'object'; // any JSON value
  return 'string';
}

function displayNameOf(name, schema, required) {
  return schema.title || name;
}

/**
 * The resource-mapper fields of one operation. `lookupOptions(lookupId)` may return
 * [{name, value}] for fields marked `x-lookup` (they become dropdowns), or null to keep the
 * field's own type (no credential, lookup failed, …).
 */
async function inputFields(operationId, lookupOptions) {
  const op = operation(operationId);
  if (!op) return [];
  const required = new Set(op.input.required);
  const cache = new Map();
  const fields = [];
  for (const [name, schema] of Object.entries(op.input.properties)) {
    const field = {
      id: name,
      displayName: displayNameOf(name, schema),
      required: required.has(name),
      defaultMatch: false,
      canBeUsedToMatch: false,
      display: true,
      type: fieldType(schema),
    };
    if (field.type === 'options') {
      field.options = schema.enum.map((v, i) => ({ name: (schema.enumLabels && schema.enumLabels[i]) || String(v), value: v }));
    }
    if (schema['x-lookup'] && lookupOptions) {
      const id = schema['x-lookup'];
      if (!cache.has(id)) cache.set(id, await lookupOptions(id).catch(() => null));
      const opts = cache.get(id);
      if (Array.isArray(opts) && opts.length) {
        field.type = 'options';
        field.options = opts;
      }
    }
    if (schema.default !== undefined && ['string', 'number', 'boolean'].includes(typeof schema.default)) {
      field.defaultValue = schema.default;
    }
    fields.push(field);
  }
  return fields;
}

function isEmpty(v) {
  return v === undefined || v === null || v === '';
}

function parseJsonText(text, where) {
  try {
    return JSON.parse(text);
  } catch (e) {
    const err = new Error(`${where} is not valid JSON: ${e.message}`);
    err.kind = 'invalid-input';
    err.fixBy = 'user';
    err.pointers = [];
    throw err;
  }
}

/** A value from the mapper (often text, from an expression or the UI) -> what the schema wants. */
function coerce(value, schema, name) {
  if (value && typeof value === 'object' && typeof value.toISO === 'function') value = value.toISO(); // luxon DateTime
  if (value instanceof Date) value = value.toISOString();
  const types = typesOf(schema || {});
  if (typeof value === 'string') {
    const t = value.trim();
    if (types.length === 1 && (types[0] === 'integer' || types[0] === 'number') && /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t) && Number.isFinite(Number(t))) return Number(t);
    if (types.length === 1 && types[0] === 'boolean' && (t === 'true' || t === 'false')) return t === 'true';
    if ((types.length === 1 && (types[0] === 'object' || types[0] === 'array')) || types.length === 0) {
      if (t.startsWith('{') || t.startsWith('[') || types.length === 1) return parseJsonText(t, `Input "${name}"`);
    }
    // "string or integer" ids (e.g. transactional_message_id): digits are an id — but only digits
    // that survive as a number ("007" and 20-digit ids stay text, or they would name another record)
    if (!schema.anyOf && types.includes('integer') && types.includes('string') && /^(0|[1-9]\d*)$/.test(t) && Number.isSafeInteger(Number(t))) return Number(t);
  }
  if (typeof value === 'number' && types.length === 1 && types[0] === 'string') return String(value);
  return value;
}

/**
 * Refuses values that do not survive JSON, which would otherwise change the data silently:
 * `NaN`/`Infinity` (JSON makes them null; as text, "NaN" names a person), functions, symbols,
 * bigints, `undefined` inside objects and arrays, and objects other than plain ones, arrays and
 * dates (a Map or Set becomes {}). Throws an invalid-input error naming the place.
 */
function checkJsonSafe(value, pointer, label) {
  const refuse = (what) => {
    const err = new Error(`${label}${pointer ? ` at ${pointer}` : ''} is ${what}, which JSON cannot carry: give a number, text, true/false, a list or an object`);
    err.kind = 'invalid-input';
    err.fixBy = 'user';
    err.pointers = [pointer];
    throw err;
  };
  switch (typeof value) {
    case 'number':
      if (!Number.isFinite(value)) refuse(String(value));
      return;
    case 'function':
      refuse('a function');
      return;
    case 'symbol':
    case 'bigint':
      refuse(`a ${typeof value}`);
      return;
    case 'undefined':
      refuse('undefined');
      return;
    case 'object': {
      if (value === null || value instanceof Date || typeof value.toISO === 'function') return;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) checkJsonSafe(value[i], `${pointer}/${i}`, label);
        return;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) refuse(`a ${(value.constructor && value.constructor.name) || 'non-plain object'}`);
      for (const [k, v] of Object.entries(value)) {
        checkJsonSafe(v, `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, label);
      }
      return;
    }
    default:
  }
}

/** Builds an operation's input from the mapper's values (unknown keys are passed on untouched). */
function inputFromMapper(operationId, values) {
  const op = operation(operationId);
  const props = (op && op.input.properties) || {};
  const input = {};
  for (const [k, v] of Object.entries(values || {})) {
    if (isEmpty(v)) continue;
    const schema = props[k] || {};
    checkJsonSafe(v, `/${k}`, `Input "${schema.title || k}"`);
    input[k] = coerce(v, schema, k);
  }
  return input;
}

/** Dropdown options whose values a field can hold: text or finite numbers only. */
function lookupOptionsOf(result) {
  return (result || [])
    .filter((o) => o && (typeof o.value === 'string' || (typeof o.value === 'number' && Number.isFinite(o.value))))
    .map((o) => ({ name: String(o.text), value: o.value }));
}

function jsonParam(value, where, { allowEmpty = true } = {}) {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') {
    if (value.trim() === '') return allowEmpty ? undefined : parseJsonText(value, where);
    return parseJsonText(value, where);
  }
  return value;
}

function emptyObject(v) {
  return v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0;
}

function rawInput({ method, endpoint, query, headers, body }) {
  const input = { method: method || 'GET', endpoint };
  const q = jsonParam(query, 'Query (JSON)');
  const h = jsonParam(headers, 'Headers (JSON)');
  const b = jsonParam(body, 'Body (JSON)');
  if (q !== undefined && !emptyObject(q)) input.query = q;
  if (h !== undefined && !emptyObject(h)) input.headers = h;
  // The form's default body is {}: a method without a body sends none then.
  const bodiless = ['GET', 'HEAD', 'DELETE', 'OPTIONS'].includes(String(input.method).toUpperCase());
  if (b !== undefined && !(bodiless && emptyObject(b))) input.body = b;
  return input;
}

/** The ConnectorError fields as a plain object (for error items and error descriptions). */
function errorFields(e) {
  if (e && typeof e.toJSON === 'function' && e.name === 'ConnectorError') {
    const j = e.toJSON();
    return Object.fromEntries(Object.entries(j).filter(([, v]) => v !== undefined));
  }
  const out = {
    kind: (e && e.kind) || 'internal',
    message: (e && e.message) || String(e),
    fixBy: (e && e.fixBy) || 'host',
    retryable: Boolean(e && e.retryable),
    pointers: (e && e.pointers) || [],
  };
  if (e && e.status !== undefined) out.status = e.status;
  if (e && e.body !== undefined) out.body = e.body;
  return out;
}

/**
 * The labels a person sees for an error's JSON Pointers: `/id` of identify -> "Person identifier",
 * `/attributes/plan` -> "Attributes → plan", `` (the whole input) -> "Inputs".
 */
function fieldLabels(operationId, pointers) {
  const op = operation(operationId);
  const props = (op && op.input.properties) || {};
  return (pointers || []).map((p) => {
    const parts = String(p).split('/').slice(1).map((x) => x.replace(/~1/g, '/').replace(/~0/g, '~'));
    if (parts.length === 0 || parts[0] === '') return 'Inputs';
    const head = props[parts[0]] ? props[parts[0]].title || parts[0] : parts[0];
    return [head, ...parts.slice(1)].join(' → ');
  });
}

/** A JSON key in a message (`\`id\``, `"id"`) written as its label (`Person identifier`). */
function withLabels(operationId, message) {
  const op = operation(operationId);
  const props = (op && op.input.properties) || {};
  return String(message).replace(/[`"]([a-z][a-z0-9_]*)[`"]/g, (m, key) => (props[key] && props[key].title ? `"${props[key].title}"` : m));
}

/**
 * What a step outputs: the operation's answer, or — where Customer.io answers only `{}` — success
 * and the inputs that were sent, so the next node has the identifier and data to work with.
 */
function outputOf(operationId, input, output) {
  const op = operation(operationId);
  const empty = output && typeof output === 'object' && !Array.isArray(output) && Object.keys(output).length === 0;
  if (op && op.echo && empty) return { success: true, ...input };
  return output && typeof output === 'object' && !Array.isArray(output) ? output : { result: output };
}

function lookupMethodName(id) {
  return id.replace(/\./g, '_');
}

function operationOptions(resource) {
  const prop = description.properties.find((p) => p.name === 'operation' && p.displayOptions.show.resource[0] === resource);
  return prop ? prop.options.map(({ name, value, description: d }) => ({ name, value, description: d })) : [];
}

module.exports = {
  description,
  catalog,
  getHost,
  resetHost,
  routesFromEnv,
  configFor,
  regionOf,
  operation,
  isRaw,
  fieldType,
  inputFields,
  inputFromMapper,
  coerce,
  rawInput,
  jsonParam,
  errorFields,
  lookupMethodName,
  operationOptions,
  fieldLabels,
  withLabels,
  outputOf,
  checkJsonSafe,
  lookupOptionsOf,
};
