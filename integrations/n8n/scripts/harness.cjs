'use strict';
// What the real-n8n tests (e2e.cjs, browser.cjs) share: free ports, the emulator with one port per
// Customer.io host, waiting for a URL, and stopping what they started.

const { spawn } = require('node:child_process');
const net = require('node:net');
const path = require('node:path');

const REPO = path.resolve(__dirname, '..', '..', '..');
const EMULATOR = process.env.CIO_EMULATOR || path.join(REPO, 'target', 'debug', 'cio-emulator');

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** Starts `cio-emulator --per-host-ports 0` and resolves to its startup line ({control, hosts}). */
function startEmulator(children) {
  return new Promise((resolve, reject) => {
    const child = spawn(EMULATOR, ['--per-host-ports', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    const timer = setTimeout(() => reject(new Error(`emulator did not start: ${out}`)), 10000);
    child.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.trim().startsWith('{') && out.includes('\n', out.indexOf(l)));
      if (!line) return;
      clearTimeout(timer);
      child.stdout.removeAllListeners('data');
      child.stdout.resume();
      resolve(JSON.parse(line));
    });
    child.stderr.resume();
    child.on('error', (e) => reject(new Error(`cannot start the emulator ${EMULATOR}: ${e.message} (set CIO_EMULATOR)`)));
    child.on('exit', (code) => reject(new Error(`emulator exited (${code})`)));
  });
}

/** Polls `url` until it answers 2xx or `ms` pass. */
async function waitFor(url, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      const r = await fetch(url);
      if (r.ok) return true;
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

/** Stops child processes newest first: SIGTERM, then SIGKILL after 10 s. */
async function stopChildren(children) {
  for (const c of children.reverse()) {
    if (c.exitCode !== null || c.signalCode !== null) continue;
    await new Promise((resolve) => {
      const t = setTimeout(() => {
        try {
          c.kill('SIGKILL');
        } catch {}
        resolve();
      }, 10000);
      c.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      c.kill('SIGTERM');
    });
  }
}

module.exports = { REPO, freePort, startEmulator, waitFor, stopChildren };
