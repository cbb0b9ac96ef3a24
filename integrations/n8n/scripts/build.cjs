#!/usr/bin/env node
'use strict';
// build: dist/nodes/CustomerIoWasm/{CustomerIoWasm.node.js, runtime.cjs, customerio.svg} copied
// from nodes/, dist/credentials/ from credentials/, plus description.json and operations.json generated from the manifest.
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
fs.rmSync(DIST, { recursive: true, force: true });
const src = path.join(ROOT, 'nodes', 'CustomerIoWasm');
const dst = path.join(DIST, 'nodes', 'CustomerIoWasm');
fs.mkdirSync(dst, { recursive: true });
for (const f of fs.readdirSync(src)) fs.copyFileSync(path.join(src, f), path.join(dst, f));
fs.cpSync(path.join(ROOT, 'credentials'), path.join(DIST, 'credentials'), { recursive: true });
const { execFileSync } = require('node:child_process');
execFileSync(process.execPath, [path.join(__dirname, 'generate.cjs')], { stdio: 'inherit' });
// Smoke: the node loads and has a description.
const { CustomerIoWasm } = require(path.join(dst, 'CustomerIoWasm.node.js'));
const node = new CustomerIoWasm();
console.log(`built ${path.relative(ROOT, dst)}: ${node.description.displayName}, ${Object.keys(node.methods.loadOptions).length} loadOptions methods`);
