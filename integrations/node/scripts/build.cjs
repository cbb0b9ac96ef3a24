'use strict';
// Transpiles the connector component with jco into dist/component (sync instantiation, CommonJS-loadable).
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const wasm = path.resolve(
  process.env.CIO_COMPONENT ||
    path.join(root, '..', '..', 'target', 'wasm32-wasip2', 'release', 'customerio_connector.wasm'),
);
if (!fs.existsSync(wasm)) {
  console.error(`component not found: ${wasm}\nbuild it with: cargo build --release --target wasm32-wasip2 -p customerio-connector (or set CIO_COMPONENT)`);
  process.exit(1);
}
const out = path.join(root, 'dist', 'component');
if (process.argv.includes('--if-stale')) {
  // Used by `pretest`: skip when dist/component was built from this .wasm and is newer than it.
  try {
    const source = fs.readFileSync(path.join(out, 'SOURCE'), 'utf8').trim();
    if (source === wasm && fs.statSync(path.join(out, 'connector.js')).mtimeMs >= fs.statSync(wasm).mtimeMs) {
      process.exit(0);
    }
  } catch {
    // not built yet
  }
}
fs.rmSync(out, { recursive: true, force: true });
const jco = path.join(root, 'node_modules', '@bytecodealliance', 'jco', 'dist', 'jco.js');
execFileSync(process.execPath, [jco, 'transpile', wasm, '--instantiation', 'sync', '-o', out, '--name', 'connector'], {
  stdio: 'inherit',
});
// jco emits ES module syntax (no top-level await with --instantiation sync): mark the folder as ESM so
// the worker can import() it on any Node >= 20 (and require() it where require(esm) exists).
const js = path.join(out, 'connector.js');
fs.writeFileSync(path.join(out, 'package.json'), JSON.stringify({ type: 'module' }) + '\n');
fs.writeFileSync(path.join(out, 'SOURCE'), `${wasm}\n`);
console.log(`built ${path.relative(root, js)} from ${wasm}`);
