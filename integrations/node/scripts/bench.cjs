'use strict';
// npm run bench: execute latency of track.customer.identify against a local cio-emulator, and
// list-operations timings. Prints JSON. N from BENCH_N (default 200).
const { ConnectorHost } = require('../src/index.cjs');
const { startEmulator, median, percentile } = require('../test/helpers.cjs');

const N = Number(process.env.BENCH_N || 200);
const TRACK = { connector: 'track', region: 'us', siteId: 'demo-site', apiKey: 'demo-track-key' };
const r2 = (x) => Math.round(x * 100) / 100;
const stats = (xs) => ({ median: r2(median(xs)), p95: r2(percentile(xs, 95)), max: r2(Math.max(...xs)) });

(async () => {
  const emu = await startEmulator();
  const host = new ConnectorHost({ routes: emu.hosts, poolSize: 1 });
  try {
    let t = performance.now();
    await host.listOperations();
    const listCold = performance.now() - t;
    const listWarm = [];
    for (let i = 0; i < 10; i++) {
      host._operations = null;
      t = performance.now();
      await host.listOperations();
      listWarm.push(performance.now() - t);
    }
    t = performance.now();
    await host.listOperations();
    const listCached = performance.now() - t;
    for (let i = 0; i < 20; i++) await host.execute({ operationId: 'track.customer.identify', config: TRACK, input: { id: `warm-${i}` } });
    const total = [];
    const guest = [];
    for (let i = 0; i < N; i++) {
      t = performance.now();
      await host.execute({ operationId: 'track.customer.identify', config: TRACK, input: { id: `bench-${i}`, attributes: { n: i } } });
      total.push(performance.now() - t);
      guest.push(host._lastGuestMs);
    }
    const fetchMs = [];
    const auth = `Basic ${Buffer.from('demo-site:demo-track-key').toString('base64')}`;
    for (let i = 0; i < N; i++) {
      t = performance.now();
      const r = await fetch(`${emu.hosts['track.customer.io']}/api/v1/customers/fetch-${i}`, { method: 'PUT', headers: { authorization: auth, 'content-type': 'application/json' }, body: '{"n":1}' });
      await r.arrayBuffer();
      fetchMs.push(performance.now() - t);
    }
    console.log(JSON.stringify({
      node: process.version,
      n: N,
      identifyMs: stats(total),
      identifyInsideWorkerMs: stats(guest),
      nodeFetchToEmulatorMs: stats(fetchMs),
      listOperations: { coldMs: r2(listCold), uncachedWarmWorkerMs: stats(listWarm), cachedMs: r2(listCached) },
    }, null, 2));
  } finally {
    await host.close();
    await emu.stop();
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
