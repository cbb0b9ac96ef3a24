'use strict';
// The environment and the install of the node for a real n8n (shared by the e2e and the browser
// test). Quiet, offline and isolated as NODE-HOST.md §2 says, and the node installed the way a
// self-hosting user installs a community node: as a package in <user folder>/.n8n/nodes/
// node_modules, which n8n's community-packages module loads with its package loader. Only that
// loader links a package's credential to its nodes, so only then does n8n run the node's
// credential test (the Test button). CIO_E2E_INSTALL=custom-link (or custom-env) tries the other
// installs: a link in ~/.n8n/custom, or N8N_CUSTOM_EXTENSIONS (no Test button there; n8n limit).

const fs = require('node:fs');
const path = require('node:path');

const PKG = path.join(__dirname, '..');
const HOST_PKG = path.join(PKG, '..', 'node');

function n8nEnv({ work, routes, port, brokerPort, install = process.env.CIO_E2E_INSTALL || 'package' }) {
  const env = {
    PATH: process.env.PATH,
    HOME: work,
    N8N_USER_FOLDER: path.join(work, 'n8n'),
    N8N_ENCRYPTION_KEY: 'cio-wasm-e2e-test-key',
    N8N_DIAGNOSTICS_ENABLED: 'false',
    N8N_DISABLED_MODULES: 'mcp-registry',
    N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
    N8N_TEMPLATES_ENABLED: 'false',
    N8N_PERSONALIZATION_ENABLED: 'false',
    N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
    DB_TYPE: 'sqlite',
    N8N_LISTEN_ADDRESS: '127.0.0.1',
    N8N_PORT: String(port),
    N8N_RUNNERS_BROKER_PORT: String(brokerPort),
    N8N_LOG_LEVEL: 'info',
    N8N_SECURE_COOKIE: 'false',
    CIO_ROUTES: JSON.stringify(routes),
    CIO_TEST_MODE: '1',
  };
  const dotN8n = path.join(env.N8N_USER_FOLDER, '.n8n');
  fs.mkdirSync(dotN8n, { recursive: true });
  if (install === 'package') {
    // What `npm install n8n-nodes-customerio-wasm` in ~/.n8n/nodes leaves: the package (its
    // `files`: dist and README) and its dependency beside it.
    const modules = path.join(dotN8n, 'nodes', 'node_modules');
    const dest = path.join(modules, 'n8n-nodes-customerio-wasm');
    fs.mkdirSync(dest, { recursive: true });
    for (const f of ['package.json', 'README.md', 'dist']) fs.cpSync(path.join(PKG, f), path.join(dest, f), { recursive: true });
    fs.mkdirSync(path.join(modules, '@customerio-wasm'), { recursive: true });
    fs.symlinkSync(HOST_PKG, path.join(modules, '@customerio-wasm', 'host'));
  } else if (install === 'custom-link') {
    const custom = path.join(dotN8n, 'custom');
    fs.mkdirSync(custom, { recursive: true });
    fs.symlinkSync(path.join(PKG, 'dist'), path.join(custom, 'n8n-nodes-customerio-wasm'));
  } else if (install === 'custom-env') {
    env.N8N_CUSTOM_EXTENSIONS = path.join(PKG, 'dist');
  } else {
    throw new Error(`CIO_E2E_INSTALL=${install}: give package, custom-link or custom-env`);
  }
  return { env, install, nodeType: nodeTypeFor(install) };
}

/** The node's type name in n8n: `<package>.<node>` for a package, `CUSTOM.<node>` otherwise. */
function nodeTypeFor(install = process.env.CIO_E2E_INSTALL || 'package') {
  return install === 'package' ? 'n8n-nodes-customerio-wasm.customerIoWasm' : 'CUSTOM.customerIoWasm';
}

module.exports = { n8nEnv, nodeTypeFor, PKG };
