'use strict';
const { spawn } = require('node:child_process');
const path = require('node:path');
const fs = require('node:fs');
const readline = require('node:readline');

const EMULATOR = path.resolve(process.env.CIO_EMULATOR || path.join(__dirname, '..', '..', '..', 'target', 'debug', 'cio-emulator'));

/** Starts `cio-emulator --per-host-ports 0 [...args]`; resolves { control, hosts, child, stop() }. */
function startEmulator(args = []) {
  if (!fs.existsSync(EMULATOR)) {
    throw new Error(`cio-emulator not found at ${EMULATOR} (cargo build -p cio-emulator, or set CIO_EMULATOR)`);
  }
  const child = spawn(EMULATOR, ['--per-host-ports', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  // Never leave an emulator behind, even when the test process ends early.
  const killOnExit = () => child.kill('SIGKILL');
  const onSignal = (sig) => {
    killOnExit();
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  process.once('exit', killOnExit);
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  child.once('exit', () => {
    process.removeListener('exit', killOnExit);
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`cio-emulator did not start: ${stderr}`));
    }, 10000);
    child.once('exit', (code) => reject(new Error(`cio-emulator exited (${code}): ${stderr}`)));
    const rl = readline.createInterface({ input: child.stdout });
    rl.on('line', (line) => {
      if (!line.startsWith('{')) return;
      clearTimeout(timer);
      const { control, hosts } = JSON.parse(line);
      rl.close();
      child.stdout.resume();
      resolve({
        control,
        hosts,
        child,
        stop() {
          return new Promise((res) => {
            if (child.exitCode !== null || child.signalCode !== null) return res();
            child.once('exit', () => res());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 2000).unref();
          });
        },
      });
    });
  });
}

async function control(emu, method, p, body) {
  const res = await fetch(emu.control + p, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

const fault = (emu, spec) => control(emu, 'POST', '/__emulator__/faults', { spec });
const clearFaults = (emu) => control(emu, 'DELETE', '/__emulator__/faults');

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

module.exports = { startEmulator, control, fault, clearFaults, median, percentile, EMULATOR };
