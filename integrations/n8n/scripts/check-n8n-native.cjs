'use strict';
// Run with the Node n8n runs under: loads n8n's SQLite driver the way n8n's database layer does
// (resolved from n8n's own package) and opens a database file, as `n8n start` would. Exits 1 with
// one line saying what is wrong: an install made with scripts disabled has the JavaScript but no
// compiled binding, and n8n then fails every command after half a minute of retries.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { createRequire } = require('node:module');

const modules = process.argv[2];
function fail(msg) {
  console.log(msg);
  process.exit(1);
}
if (!modules || !fs.existsSync(path.join(modules, 'n8n', 'package.json'))) fail(`no n8n package under ${modules}`);
let sqlite3;
try {
  sqlite3 = createRequire(path.join(modules, 'n8n', 'package.json'))('sqlite3');
} catch (e) {
  fail(`n8n's SQLite driver (sqlite3) does not load under Node ${process.version}: ${String(e.message).split('\n')[0]}`);
}
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cio-n8n-check-'));
const db = new sqlite3.Database(path.join(dir, 'database.sqlite'), (err) => {
  if (err) fail(`sqlite3 loads but cannot open a database: ${err.message}`);
  db.run('CREATE TABLE t (x INTEGER)', (err2) => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
    if (err2) fail(`sqlite3 opens a database but cannot write to it: ${err2.message}`);
  });
});
