'use strict';
// Test helpers: the Customer.io emulator (one loopback port per Customer.io host) and fakes of
// n8n's IExecuteFunctions / ILoadOptionsFunctions, with n8n-workflow@2.41.0's real error classes.

const { spawn } = require('node:child_process');
const path = require('node:path');
const fs = require('node:fs');
const { NodeHelpers } = require('n8n-workflow');

const REPO = path.resolve(__dirname, '..', '..', '..');
const EMULATOR = process.env.CIO_EMULATOR || path.join(REPO, 'target', 'debug', 'cio-emulator');
const DIST_NODE = path.join(__dirname, '..', 'dist', 'nodes', 'CustomerIoWasm', 'CustomerIoWasm.node.js');

const DEMO_CREDENTIALS = {
  trackingSiteId: 'demo-site',
  trackingApiKey: 'demo-track-key',
  appApiKey: 'demo-app-key',
  region: 'us',
};

/** Starts `cio-emulator --per-host-ports 0`; resolves { control, hosts, stop() }. */
function startEmulator() {
  if (!fs.existsSync(EMULATOR)) throw new Error(`no emulator at ${EMULATOR} (set CIO_EMULATOR)`);
  return new Promise((resolve, reject) => {
    const child = spawn(EMULATOR, ['--per-host-ports', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`emulator did not start: ${out} ${err}`));
    }, 10000);
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.trim().startsWith('{'));
      if (!line || !out.includes('\n', out.indexOf(line))) return;
      clearTimeout(timer);
      const info = JSON.parse(line);
      child.stdout.removeAllListeners('data');
      child.stdout.resume();
      resolve({
        control: info.control,
        hosts: info.hosts,
        stop: () =>
          new Promise((r) => {
            if (child.exitCode !== null) return r();
            child.once('exit', () => r());
            child.kill();
          }),
      });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited (${code}): ${err}`));
    });
  });
}

function loadNode() {
  delete require.cache[DIST_NODE];
  const { CustomerIoWasm } = require(DIST_NODE);
  return new CustomerIoWasm();
}

const fakeNode = (parameters) => ({
  id: 'test-node',
  name: 'Customer.io (WASM)',
  type: 'CUSTOM.customerIoWasm',
  typeVersion: 1,
  position: [0, 0],
  parameters,
});

/** The node's parameters resolved like n8n does (defaults filled in for what is displayed). */
function resolveParameters(description, parameters) {
  return NodeHelpers.getNodeParameters(description.properties, parameters, true, false, fakeNode(parameters), description) || {};
}

function getPath(obj, p) {
  return p.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj);
}

/**
 * A fake IExecuteFunctions: `parameters` per item (one object for every item, or an array),
 * `credentials` for customerIoConnectorApi, `continueOnFail` flag.
 */
function fakeExecuteFunctions(node, { parameters, items = [{ json: {} }], credentials = DEMO_CREDENTIALS, continueOnFail = false }) {
  const perItem = Array.isArray(parameters) ? parameters : items.map(() => parameters);
  const resolved = perItem.map((p) => resolveParameters(node.description, p));
  return {
    getInputData: () => items,
    getNode: () => fakeNode(perItem[0]),
    getNodeParameter(name, i, fallback) {
      const v = getPath(resolved[i], name);
      if (v === undefined) {
        if (arguments.length >= 3) return fallback;
        throw new Error(`no parameter ${name}`);
      }
      return v;
    },
    getCredentials: async (type) => {
      if (type !== 'customerIoConnectorApi') throw new Error(`unexpected credential type ${type}`);
      return credentials;
    },
    continueOnFail: () => continueOnFail,
    helpers: {
      returnJsonArray: (data) => (Array.isArray(data) ? data : [data]).map((json) => ({ json })),
      constructExecutionMetaData: (items_, { itemData }) => items_.map((it) => ({ ...it, pairedItem: itemData })),
    },
  };
}

function fakeLoadOptionsFunctions(node, { parameters, credentials = DEMO_CREDENTIALS }) {
  const resolved = resolveParameters(node.description, parameters);
  return {
    getNode: () => fakeNode(parameters),
    getCurrentNodeParameter: (name) => getPath(resolved, name),
    getNodeParameter: (name, fallback) => getPath(resolved, name) ?? fallback,
    getCredentials: async () => credentials,
  };
}

module.exports = { startEmulator, loadNode, fakeExecuteFunctions, fakeLoadOptionsFunctions, resolveParameters, DEMO_CREDENTIALS, REPO };
