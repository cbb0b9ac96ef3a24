// customerio-node as a benchmark contender: reads commands on stdin, one JSON answer per line.
//   {"cmd":"lat","n":N}          -> {"us":[...]}   N sequential identify calls, microseconds each
//   {"cmd":"thr","c":C,"n":N}    -> {"secs":S}     N calls with C in flight
//   {"cmd":"rss"}                -> {"rss":BYTES}
// The client talks to the emulator through its documented `url` option and custom headers
// (X-Forwarded-Host names the API the emulator should answer as).
import { createRequire } from 'node:module';
import readline from 'node:readline';

const require = createRequire(process.env.CIO_BENCH_NODE_MODULES + '/');
const { TrackClient, RegionUS } = require('customerio-node');
const [site, key, base] = process.argv.slice(2);
const cio = new TrackClient(site, key, {
  region: RegionUS,
  url: `${base}/api/v1`,
  headers: { 'X-Forwarded-Host': 'track.customer.io' },
});
const identify = () => cio.identify('jane+1@example.com', { plan: 'pro' });

async function lat(n) {
  const us = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await identify();
    us.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  return { us };
}

async function thr(c, n) {
  let left = n;
  const t = process.hrtime.bigint();
  await Promise.all(Array.from({ length: c }, async () => {
    while (left > 0) { left--; await identify(); }
  }));
  return { secs: Number(process.hrtime.bigint() - t) / 1e9 };
}

const rl = readline.createInterface({ input: process.stdin });
for await (const line of rl) {
  const m = JSON.parse(line);
  let out;
  if (m.cmd === 'lat') out = await lat(m.n);
  else if (m.cmd === 'thr') out = await thr(m.c, m.n);
  else if (m.cmd === 'rss') out = { rss: process.memoryUsage().rss };
  else out = { error: `unknown ${m.cmd}` };
  process.stdout.write(JSON.stringify(out) + '\n');
}
