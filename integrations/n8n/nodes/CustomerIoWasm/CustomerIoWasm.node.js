'use strict';
// n8n node "Customer.io Connector": every operation of the Customer.io connector component.
// The description is generated from the manifest at build (scripts/generate.cjs); this file is
// the glue between n8n and the component host (runtime.cjs).

const rt = require('./runtime.cjs');

// n8n appends "Custom API Call" to the resource/operation dropdowns of nodes whose credential can
// authenticate generic requests. This node's credential cannot (on purpose), so it should never
// be offered; a workflow that still names it gets a clear refusal instead of an odd failure.
const CUSTOM_API_CALL = '__CUSTOM_API_CALL__';
const CREDENTIAL = 'customerIoConnectorApi';

let workflow = null;
function n8nWorkflow() {
  if (workflow === null) {
    try {
      workflow = require('n8n-workflow');
    } catch {
      workflow = false;
    }
  }
  return workflow || null;
}

function operationError(node, err, itemIndex, operationId) {
  const f = rt.errorFields(err);
  const labels = rt.fieldLabels(operationId, f.pointers);
  if (operationId) f.message = rt.withLabels(operationId, f.message);
  if (labels.length) f.fields = labels;
  const detail = [
    labels.length ? `Check: ${labels.join(', ')}` : null,
    f.kind === 'invalid-input' ? null : `kind: ${f.kind}`,
    f.status !== undefined ? `status: ${f.status}` : null,
    f.kind === 'invalid-input' ? null : `retryable: ${f.retryable}`,
    f.pointers && f.pointers.length ? `(input ${f.pointers.join(', ')})` : null,
  ]
    .filter(Boolean)
    .join('; ');
  const wf = n8nWorkflow();
  let e;
  if (wf && wf.NodeOperationError) {
    e = new wf.NodeOperationError(node, f.message, { itemIndex, description: detail });
  } else {
    e = new Error(f.message);
    e.description = detail;
  }
  e.connectorError = f;
  return e;
}

async function credentialsFor(ctx) {
  return (await ctx.getCredentials(CREDENTIAL)) || {};
}

/** Calls a lookup operation (kind `lookup`) and returns n8n options [{name, value}]. */
async function runLookup(ctx, lookupId, nodeRegion, search) {
  const op = rt.operation(lookupId);
  if (!op || op.kind !== 'lookup') throw new Error(`${lookupId} is not a lookup operation`);
  const credentials = await credentialsFor(ctx);
  const input = {};
  if (search) input.search = search;
  const res = await rt.getHost().execute({ operationId: lookupId, config: rt.configFor(op.connector, credentials, nodeRegion), input });
  return rt.lookupOptionsOf(res.output && res.output.result);
}

function currentParam(ctx, name, fallback) {
  try {
    const v = ctx.getCurrentNodeParameter(name);
    return v === undefined ? fallback : v;
  } catch {
    try {
      return ctx.getNodeParameter(name, fallback);
    } catch {
      return fallback;
    }
  }
}

const loadOptions = {
  /** The operations of the selected API and resource (the same as the static dropdown; for REST/tools). */
  async getOperations() {
    return rt.operationOptions(currentParam(this, 'resource', ''));
  },
};
for (const id of rt.catalog.lookups) {
  loadOptions[rt.lookupMethodName(id)] = async function lookup() {
    try {
      return await runLookup(this, id, currentParam(this, 'region', 'credential'));
    } catch (err) {
      throw operationError(this.getNode(), err);
    }
  };
}

const resourceMapping = {
  async getInputFields() {
    const operationId = currentParam(this, 'operation', '');
    const region = currentParam(this, 'region', 'credential');
    const fields = await rt.inputFields(operationId, (lookupId) => runLookup(this, lookupId, region));
    return { fields };
  },
};

const credentialTest = {
  /** "Test" on the credential: authenticate each API whose keys are filled in. */
  async customerIoConnectionTest(credential) {
    const data = (credential && credential.data) || {};
    const checks = [];
    // App-only users leave the Track fields empty (and Track-only users the App key).
    if (data.trackingSiteId && data.trackingApiKey) checks.push('track');
    if (data.appApiKey) checks.push('app');
    if (!checks.length) return { status: 'Error', message: 'Give the Track API Site ID and Track API Key, the App API Key, or both' };
    const done = [];
    for (const connector of checks) {
      try {
        const info = await rt.getHost().authenticate(rt.configFor(connector, data, 'credential'));
        done.push(`${connector === 'track' ? 'Track' : 'App'}: ${info.region.toUpperCase()}`);
      } catch (err) {
        const f = rt.errorFields(err);
        return { status: 'Error', message: `${connector === 'track' ? 'Track' : 'App'} API: ${f.message}` };
      }
    }
    return { status: 'OK', message: `Connection tested (${done.join(', ')})` };
  },
};

class CustomerIoWasm {
  constructor() {
    this.description = rt.description;
    this.methods = { loadOptions, resourceMapping, credentialTest };
  }

  async execute() {
    const items = this.getInputData();
    const out = [];
    let credentials = null;
    for (let i = 0; i < items.length; i++) {
      let operationId;
      try {
        // The custom call is checked first: such a workflow has no operation of ours to read.
        if (this.getNodeParameter('resource', i, '') === CUSTOM_API_CALL || this.getNodeParameter('operation', i, '') === CUSTOM_API_CALL) {
          throw Object.assign(
            new Error('"Custom API Call" is not available in this node: choose the resource "Raw HTTP Request" of the API you need (Track, App or Beta) and give only the path; the connector adds base URL, region and auth'),
            { kind: 'invalid-config', fixBy: 'user', pointers: [] },
          );
        }
        operationId = this.getNodeParameter('operation', i);
        const op = rt.operation(operationId);
        if (!op) throw Object.assign(new Error(`This node version has no operation ${operationId}: pick the operation again`), { kind: 'unknown-operation', fixBy: 'user' });
        let input;
        if (op.kind === 'raw-http') {
          input = rt.rawInput({
            method: this.getNodeParameter('rawMethod', i, 'GET'),
            endpoint: this.getNodeParameter('rawEndpoint', i, ''),
            query: this.getNodeParameter('rawQuery', i, '{}'),
            headers: this.getNodeParameter('rawHeaders', i, '{}'),
            body: this.getNodeParameter('rawBody', i, ''),
          });
        } else {
          const mapped = this.getNodeParameter('inputs', i, { value: null });
          input = rt.inputFromMapper(operationId, (mapped && mapped.value) || {});
        }
        const options = this.getNodeParameter('options', i, {}) || {};
        const override = rt.jsonParam(options.inputJson, 'Input (JSON)');
        if (override !== undefined) {
          if (!override || typeof override !== 'object' || Array.isArray(override)) {
            throw Object.assign(new Error('Input (JSON) must be a JSON object'), { kind: 'invalid-input', fixBy: 'user', pointers: [''] });
          }
          Object.assign(input, override);
        }
        rt.checkJsonSafe(input, '', 'The input');
        if (!credentials) credentials = await credentialsFor(this);
        const region = this.getNodeParameter('region', i, 'credential');
        const res = await rt.getHost().execute({
          operationId,
          config: rt.configFor(op.connector, credentials, region),
          input,
          timeoutMs: options.timeoutMs ? Math.trunc(Number(options.timeoutMs)) : undefined,
        });
        out.push({ json: rt.outputOf(operationId, input, res.output), pairedItem: { item: i } });
      } catch (err) {
        if (this.continueOnFail()) {
          const f = rt.errorFields(err);
          if (operationId) {
            f.message = rt.withLabels(operationId, f.message);
            const labels = rt.fieldLabels(operationId, f.pointers);
            if (labels.length) f.fields = labels;
          }
          out.push({ json: { error: f }, pairedItem: { item: i } });
          continue;
        }
        throw operationError(this.getNode(), err, i, operationId);
      }
    }
    return [out];
  }
}

module.exports = { CustomerIoWasm };
