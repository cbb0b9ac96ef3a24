'use strict';
const { test, describe, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const path = require('node:path');
const { ConnectorHost, ConnectorError, normalizeConfig } = require('../src/index.cjs');
const { decide, normalizeRoutes, CUSTOMERIO_HOSTS } = require('../src/egress.cjs');
const { startEmulator, control, fault, clearFaults, median, percentile } = require('./helpers.cjs');

const TRACK = { connector: 'track', region: 'us', credentials: { tag: 'track', val: { siteId: 'demo-site', apiKey: 'demo-track-key' } } };
const TRACK_FRIENDLY = { connector: 'track', region: 'us', siteId: 'demo-site', apiKey: 'demo-track-key' };
const APP = { connector: 'app', region: 'us', appApiKey: 'demo-app-key' };

const figures = {};
let emu;
let host;

before(async () => {
  emu = await startEmulator();
  host = new ConnectorHost({ routes: emu.hosts, poolSize: 2 });
});

after(async () => {
  if (host) await host.close();
  if (emu) await emu.stop();
  const lines = Object.entries(figures).map(([k, v]) => `  ${k}: ${v}`);
  console.log(`\nsummary (node ${process.version})\n${lines.join('\n')}\n`);
});

afterEach(async () => {
  if (emu) await clearFaults(emu);
});

describe('egress policy (pure)', () => {
  const routes = normalizeRoutes({ 'track.customer.io': 'http://127.0.0.1:1234' });
  test('allows HTTPS to the six hosts on 443 only', () => {
    for (const h of CUSTOMERIO_HOSTS) {
      assert.equal(decide({ tag: 'HTTPS' }, h).allow, true, h);
      assert.equal(decide({ tag: 'HTTPS' }, `${h}:443`).allow, true, h);
      assert.equal(decide({ tag: 'HTTPS' }, h.toUpperCase()).allow, true, h);
    }
  });
  test('fails closed on everything else', () => {
    const denied = [
      [{ tag: 'HTTP' }, 'track.customer.io'],
      [undefined, 'track.customer.io'],
      [{ tag: 'other', val: 'ftp' }, 'track.customer.io'],
      [{ tag: 'HTTPS' }, 'track.customer.io:8443'],
      [{ tag: 'HTTPS' }, 'track.customer.io:80'],
      [{ tag: 'HTTPS' }, '127.0.0.1'],
      [{ tag: 'HTTPS' }, '127.0.0.1:443'],
      [{ tag: 'HTTPS' }, 'localhost'],
      [{ tag: 'HTTPS' }, 'customer.io'],
      [{ tag: 'HTTPS' }, 'evil.track.customer.io'],
      [{ tag: 'HTTPS' }, 'track.customer.io.evil.com'],
      [{ tag: 'HTTPS' }, 'user@track.customer.io'],
      [{ tag: 'HTTPS' }, '[::1]:443'],
      [{ tag: 'HTTPS' }, ''],
      [{ tag: 'HTTPS' }, undefined],
    ];
    for (const [s, a] of denied) assert.equal(decide(s, a).allow, false, `${JSON.stringify(s)} ${a}`);
  });
  test('test mode rewrites only routed hosts; allowHosts restricts further', () => {
    assert.deepEqual(decide({ tag: 'HTTPS' }, 'track.customer.io', { routes }).rewrite, { scheme: 'HTTP', authority: '127.0.0.1:1234' });
    assert.equal(decide({ tag: 'HTTPS' }, 'api.customer.io', { routes }).allow, false);
    assert.equal(decide({ tag: 'HTTP' }, '127.0.0.1:1234', { routes }).allow, false);
    assert.equal(decide({ tag: 'HTTPS' }, 'api.customer.io', { allowHosts: ['track.customer.io'] }).allow, false);
    assert.throws(() => normalizeRoutes({ 'evil.com': 'http://127.0.0.1:1' }), TypeError);
    assert.throws(() => normalizeRoutes({ 'api.customer.io': 'http://10.0.0.1:1' }), TypeError);
    assert.throws(() => normalizeRoutes({ 'api.customer.io': 'http://[::1]:1' }), TypeError);
    assert.throws(() => normalizeRoutes({ 'api.customer.io': 'http://localhost:1' }), TypeError);
    assert.throws(() => normalizeRoutes({ 'api.customer.io': 'http://127.0.0.1:1/x' }), TypeError);
  });
});

describe('config', () => {
  test('friendly shapes convert to the WIT shape', () => {
    assert.deepEqual(normalizeConfig(TRACK_FRIENDLY), TRACK);
    assert.deepEqual(normalizeConfig({ siteId: 's', apiKey: 'k' }), { connector: 'track', region: 'us', credentials: { tag: 'track', val: { siteId: 's', apiKey: 'k' } } });
    assert.deepEqual(normalizeConfig({ connector: 'beta', region: 'eu', credentials: { appApiKey: 'a' } }), { connector: 'beta', region: 'eu', credentials: { tag: 'app', val: 'a' } });
    assert.deepEqual(normalizeConfig({ appApiKey: 'a' }).credentials, { tag: 'app', val: 'a' });
  });
  test('bad config is an invalid-config ConnectorError', async () => {
    await assert.rejects(host.execute({ operationId: 'track.customer.identify', config: { region: 'us' }, input: {} }), (e) => e instanceof ConnectorError && e.kind === 'invalid-config' && e.fixBy === 'user');
    await assert.rejects(host.authenticate({ ...TRACK_FRIENDLY, region: 'mars' }), { kind: 'invalid-config' });
  });
});

describe('component against the emulator', () => {
  test('list-operations', async () => {
    const fresh = new ConnectorHost({ routes: emu.hosts, poolSize: 1 });
    try {
      let t = performance.now();
      const ops = await fresh.listOperations();
      figures['listOperations, cold (worker start + instantiate + call + parse)'] = `${(performance.now() - t).toFixed(0)} ms`;
      t = performance.now();
      await fresh.listOperations();
      figures['listOperations, cached'] = `${(performance.now() - t).toFixed(1)} ms`;
      assert.ok(ops.length > 300, `only ${ops.length} operations`);
      figures['operations'] = ops.length;
      const identify = ops.find((o) => o.id === 'track.customer.identify');
      assert.ok(identify);
      assert.equal(identify.connector, 'track');
      assert.equal(identify.kind, 'action');
      assert.equal(typeof identify.hints.readOnly, 'boolean');
      assert.equal(identify.inputSchema.type, 'object');
      assert.ok(ops.some((o) => o.id === 'app.raw_http_request' && o.kind === 'raw-http'));
      assert.ok(ops.some((o) => o.kind === 'lookup'));
      assert.equal(new Set(ops.map((o) => o.id)).size, ops.length);
    } finally {
      await fresh.close();
    }
  });

  test('authenticate track and app', async () => {
    const t = await host.authenticate(TRACK);
    assert.equal(t.connector, 'track');
    assert.equal(t.region, 'us');
    assert.equal(t.baseUrl, 'https://track.customer.io/api');
    assert.equal(typeof t.details, 'object');
    const a = await host.authenticate(APP);
    assert.equal(a.connector, 'app');
    assert.equal(a.baseUrl, 'https://api.customer.io/v1');
    const auto = await host.authenticate({ ...TRACK_FRIENDLY, region: 'auto' });
    assert.equal(auto.region, 'us');
    await assert.rejects(host.authenticate({ ...TRACK_FRIENDLY, apiKey: 'wrong' }), (e) => e instanceof ConnectorError && e.kind === 'unauthorized' && e.fixBy === 'user');
  });

  test('identify, then read the person back', async () => {
    const id = `ada+${Date.now()}@example.com`;
    const r = await host.execute({ operationId: 'track.customer.identify', config: TRACK_FRIENDLY, input: { id, id_type: 'email', attributes: { plan: 'pro' } }, requestId: 'req-1' });
    assert.deepEqual(r, { output: {}, status: 200, requests: 1 });
    assert.equal(host.lastEgress.length, 1);
    assert.equal(host.lastEgress[0].allowed, true);
    assert.match(host.lastEgress[0].url, /^https:\/\/track\.customer\.io\/api\/v1\/customers\//);
    const state = await control(emu, 'GET', '/__emulator__/state?site=demo-site');
    const person = state.people.find((p) => p.email === id);
    assert.ok(person, 'person in emulator state');
    assert.equal(person.attributes.plan, 'pro');
    const attrs = await host.execute({ operationId: 'app.customer.get_attributes', config: APP, input: JSON.stringify({ id, id_type: 'email' }) });
    assert.equal(attrs.status, 200);
    assert.equal(JSON.stringify(attrs.output).includes('pro'), true);
  });

  test('raw HTTP request', async () => {
    const r = await host.execute({ operationId: 'app.raw_http_request', config: APP, input: { method: 'GET', endpoint: '/campaigns/8/triggers/1' } });
    assert.equal(r.status, 200);
    assert.equal(r.output.status, 200);
    assert.equal(r.output.body.broadcast_id, 8);
    assert.equal(r.output.url, 'https://api.customer.io/v1/campaigns/8/triggers/1');
  });

  test('typed errors: invalid input with pointers, unknown operation', async () => {
    await assert.rejects(
      host.execute({ operationId: 'track.customer.identify', config: TRACK, input: { id: 42, attributes: 'nope' } }),
      (e) => {
        assert.ok(e instanceof ConnectorError);
        assert.equal(e.kind, 'invalid-input');
        assert.equal(e.fixBy, 'user');
        assert.equal(e.retryable, false);
        assert.ok(e.pointers.includes('/id'), JSON.stringify(e.pointers));
        return true;
      },
    );
    await assert.rejects(host.execute({ operationId: 'app.raw_http_request', config: APP, input: { method: 'GET', endpoint: 'https://evil.example/x' } }), (e) => e.kind === 'invalid-input' && e.pointers.includes('/endpoint'));
    await assert.rejects(host.execute({ operationId: 'no.such.op', config: TRACK, input: {} }), { kind: 'unknown-operation' });
    await assert.rejects(host.execute({ operationId: 'track.customer.identify', config: TRACK, input: '{not json' }), { kind: 'invalid-input' });
    await assert.rejects(host.execute({ operationId: 'track.customer.identify', config: TRACK, input: { id: 'z' }, timeoutMs: 0 }), { kind: 'invalid-input' });
    await assert.rejects(host.execute({ operationId: 'track.customer.identify', config: TRACK, input: { id: 'z' }, timeoutMs: 1.5 }), { kind: 'invalid-input' });
    // the largest budget does not overflow the host timer
    assert.equal((await host.execute({ operationId: 'track.customer.identify', config: TRACK, input: { id: 'z' }, timeoutMs: 4294967295 })).status, 200);
  });

  test('upstream delay longer than timeoutMs -> timeout within timeoutMs + grace', async () => {
    await fault(emu, 'delay(3000):/api/v1/customers:1');
    const t = performance.now();
    await assert.rejects(host.execute({ operationId: 'track.customer.identify', config: TRACK, input: { id: 'slow-1' }, timeoutMs: 500 }), (e) => {
      assert.ok(e instanceof ConnectorError);
      assert.equal(e.kind, 'timeout');
      return true;
    });
    const ms = performance.now() - t;
    figures['timeout (timeoutMs 500, upstream delay 3 s) ended after'] = `${ms.toFixed(0)} ms`;
    assert.ok(ms < 500 + host.graceMs, `${ms} ms`);
    // the pool is still usable
    assert.equal((await host.execute({ operationId: 'track.customer.identify', config: TRACK, input: { id: 'after-slow' } })).status, 200);
  });

  test('main event loop stays responsive during a 2 s upstream delay', async () => {
    await fault(emu, 'delay(2000):/api/v1/customers:1');
    let last = performance.now();
    let maxGap = 0;
    const iv = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
    }, 10);
    const t = performance.now();
    try {
      const r = await host.execute({ operationId: 'track.customer.identify', config: TRACK, input: { id: 'slow-2' } });
      assert.equal(r.status, 200);
    } finally {
      clearInterval(iv);
    }
    const ms = performance.now() - t;
    assert.ok(ms >= 1900, `call took ${ms} ms, the delay was not applied`);
    figures['max setInterval(10 ms) gap during a 2 s upstream call'] = `${maxGap.toFixed(1)} ms`;
    assert.ok(maxGap < 100, `event loop blocked for ${maxGap} ms`);
  });

  test('execute latency: track.customer.identify x200', async () => {
    const bench = new ConnectorHost({ routes: emu.hosts, poolSize: 1 });
    try {
      await bench.execute({ operationId: 'track.customer.identify', config: TRACK, input: { id: 'warm' } });
      const xs = [];
      for (let i = 0; i < 200; i++) {
        const t = performance.now();
        await bench.execute({ operationId: 'track.customer.identify', config: TRACK, input: { id: `bench-${i}`, attributes: { n: i } } });
        xs.push(performance.now() - t);
      }
      figures['identify x200 sequential, median / p95 / max'] = `${median(xs).toFixed(2)} / ${percentile(xs, 95).toFixed(2)} / ${Math.max(...xs).toFixed(2)} ms`;
      // Node's own fetch to the same emulator, for comparison
      const ys = [];
      for (let i = 0; i < 200; i++) {
        const t = performance.now();
        const r = await fetch(`${emu.hosts['track.customer.io']}/api/v1/customers/fetch-${i}`, {
          method: 'PUT',
          headers: { authorization: `Basic ${Buffer.from('demo-site:demo-track-key').toString('base64')}`, 'content-type': 'application/json' },
          body: '{}',
        });
        await r.arrayBuffer();
        ys.push(performance.now() - t);
      }
      figures["Node fetch PUT to the emulator x200, median"] = `${median(ys).toFixed(2)} ms`;
      assert.ok(median(xs) < 50);
    } finally {
      await bench.close();
    }
  });
});

describe('isolation and failure handling', () => {
  test('egress outside test mode fails closed without a network attempt', async () => {
    const before = (await control(emu, 'GET', '/__emulator__/requests')).length;
    // No routes, and an allow-list that admits nothing: the request must be refused in the host.
    const h = new ConnectorHost({ allowHosts: [] });
    try {
      const t = performance.now();
      await assert.rejects(h.execute({ operationId: 'track.customer.identify', config: TRACK, input: { id: 'nope' }, timeoutMs: 5000 }), (e) => {
        assert.ok(e instanceof ConnectorError);
        assert.equal(e.kind, 'transport');
        return true;
      });
      const ms = performance.now() - t;
      figures['denied egress fails after'] = `${ms.toFixed(0)} ms (incl. worker start)`;
      assert.ok(ms < 2000, `${ms} ms`);
      assert.ok(h.lastEgress.length >= 1);
      assert.ok(h.lastEgress.every((x) => x.allowed === false && !x.routedTo), JSON.stringify(h.lastEgress));
      assert.equal(h.lastEgress[0].url.startsWith('https://track.customer.io/'), true);
    } finally {
      await h.close();
    }
    assert.equal((await control(emu, 'GET', '/__emulator__/requests')).length, before, 'nothing reached the emulator');
  });

  test('a guest exit fails only its call; Node lives on and the next call gets a fresh worker', async () => {
    const h = new ConnectorHost({ routes: emu.hosts, poolSize: 1, _testHooks: { exitOnPath: 'exit-me' } });
    try {
      await h.execute({ operationId: 'track.customer.identify', config: TRACK, input: { id: 'before-exit' } });
      const first = h._slots[0];
      await assert.rejects(h.execute({ operationId: 'track.customer.identify', config: TRACK, input: { id: 'exit-me' } }), (e) => {
        assert.ok(e instanceof ConnectorError);
        assert.equal(e.kind, 'internal');
        assert.equal(e.fixBy, 'host');
        assert.match(e.message, /exit/);
        return true;
      });
      const r = await h.execute({ operationId: 'track.customer.identify', config: TRACK, input: { id: 'after-exit' } });
      assert.equal(r.status, 200);
      assert.notEqual(h._slots[0], first, 'a new worker served the next call');
    } finally {
      await h.close();
    }
  });

  test('a worker killed mid-call fails that call; the next call works', async () => {
    const h = new ConnectorHost({ routes: emu.hosts, poolSize: 1 });
    try {
      await h.listOperations();
      await fault(emu, 'delay(1500):/api/v1/customers:1');
      const p = h.execute({ operationId: 'track.customer.identify', config: TRACK, input: { id: 'killed' } });
      setTimeout(() => h._slots[0].worker.terminate(), 200);
      await assert.rejects(p, (e) => e instanceof ConnectorError && e.kind === 'internal' && e.fixBy === 'host');
      await clearFaults(emu);
      assert.equal((await h.execute({ operationId: 'track.customer.identify', config: TRACK, input: { id: 'after-kill' } })).status, 200);
    } finally {
      await h.close();
    }
  });

  test('a hung guest is terminated at timeoutMs + grace and replaced', async () => {
    const h = new ConnectorHost({ routes: emu.hosts, poolSize: 1, graceMs: 300, _testHooks: { stallOnPath: 'hang-me', stallMs: 20000 } });
    try {
      await h.listOperations(); // learn the hints (identify is idempotent -> retryable)
      const t = performance.now();
      await assert.rejects(h.execute({ operationId: 'track.customer.identify', config: TRACK, input: { id: 'hang-me' }, timeoutMs: 400 }), (e) => {
        assert.equal(e.kind, 'timeout');
        assert.equal(e.fixBy, 'host');
        assert.equal(e.retryable, true);
        return true;
      });
      const ms = performance.now() - t;
      figures['hung guest (timeoutMs 400 + grace 300) rejected after'] = `${ms.toFixed(0)} ms`;
      assert.ok(ms >= 650 && ms < 1500, `${ms} ms`);
      assert.equal((await h.execute({ operationId: 'track.customer.identify', config: TRACK, input: { id: 'after-hang' } })).status, 200);
    } finally {
      await h.close();
    }
  });

  test('a queued call\'s budget starts at execute(): behind a hung call it fails in time as rate-limited', async () => {
    const h = new ConnectorHost({ routes: emu.hosts, poolSize: 1, graceMs: 300, _testHooks: { stallOnPath: 'hang-me', stallMs: 20000 } });
    try {
      await h.listOperations();
      const hung = h.execute({ operationId: 'track.customer.identify', config: TRACK, input: { id: 'hang-me' }, timeoutMs: 3000 }).catch((e) => e);
      const t = performance.now();
      await assert.rejects(h.execute({ operationId: 'track.customer.identify', config: TRACK, input: { id: 'queued' }, timeoutMs: 300 }), (e) => {
        assert.equal(e.kind, 'rate-limited');
        assert.equal(e.fixBy, 'host');
        assert.equal(e.retryable, true);
        assert.match(e.message, /poolSize/);
        return true;
      });
      const ms = performance.now() - t;
      figures['call queued behind a hung one (timeoutMs 300 + grace 300) rejected after'] = `${ms.toFixed(0)} ms`;
      assert.ok(ms < 1500, `${ms} ms: the budget must start at execute(), not when a worker takes the call`);
      assert.equal((await hung).kind, 'timeout');
    } finally {
      await h.close();
    }
  });

  test('each call gets its own egress records, also when calls overlap', async () => {
    const h = new ConnectorHost({ routes: emu.hosts, poolSize: 2 });
    try {
      const [a, b] = await Promise.all(
        ['tenant-a', 'tenant-b'].map((id) => h.execute({ operationId: 'track.customer.identify', config: TRACK, input: { id } })),
      );
      assert.equal(a.egress.length, 1);
      assert.match(a.egress[0].url, /tenant-a/);
      assert.match(b.egress[0].url, /tenant-b/);
      await assert.rejects(h.execute({ operationId: 'track.customer.identify', config: { ...TRACK, credentials: { tag: 'track', val: { siteId: 'demo-site', apiKey: 'wrong' } } }, input: { id: 'tenant-c' } }), (e) => {
        assert.match(e.egress[0].url, /tenant-c/);
        return true;
      });
    } finally {
      await h.close();
    }
  });

  test('the pool runs calls in parallel, one per worker', async () => {
    const h = new ConnectorHost({ routes: emu.hosts, poolSize: 2 });
    try {
      await Promise.all([h.listOperations(), h.authenticate(TRACK)]); // start both workers
      await fault(emu, 'delay(1000):/api/v1/customers:2');
      const t = performance.now();
      const rs = await Promise.all(['p-1', 'p-2'].map((id) => h.execute({ operationId: 'track.customer.identify', config: TRACK, input: { id } })));
      const ms = performance.now() - t;
      assert.ok(rs.every((r) => r.status === 200));
      figures['two 1 s upstream calls on poolSize 2 took'] = `${ms.toFixed(0)} ms`;
      assert.ok(ms < 1800, `${ms} ms: not parallel`);
    } finally {
      await h.close();
    }
  });

  test('calls beyond the pool size queue and all complete', async () => {
    const h = new ConnectorHost({ routes: emu.hosts, poolSize: 2 });
    try {
      const rs = await Promise.all(Array.from({ length: 8 }, (_, i) => h.execute({ operationId: 'track.customer.identify', config: TRACK, input: { id: `q-${i}` } })));
      assert.ok(rs.every((r) => r.status === 200));
      assert.ok(h.workerCount <= 2);
    } finally {
      await h.close();
    }
    await assert.rejects(h.execute({ operationId: 'track.customer.identify', config: TRACK, input: { id: 'x' } }), { kind: 'internal' });
  });

  test('a worker whose wasm memory grew past memoryLimitMb is replaced after its call', async () => {
    const h = new ConnectorHost({ routes: emu.hosts, poolSize: 1, memoryLimitMb: 1 });
    try {
      const r = await h.execute({ operationId: 'track.customer.identify', config: TRACK, input: { id: 'mem' } });
      assert.equal(r.status, 200, 'the call itself succeeds');
      assert.ok(h._lastWasmMemoryBytes > 1048576);
      assert.equal(h.workerCount, 0, 'the worker was recycled');
      assert.equal((await h.execute({ operationId: 'track.customer.identify', config: TRACK, input: { id: 'mem-2' } })).status, 200);
    } finally {
      await h.close();
    }
  });

  test('an idle host does not keep the process alive', async () => {
    const script = `
      const { ConnectorHost } = require(${JSON.stringify(path.join(__dirname, '..', 'src', 'index.cjs'))});
      const h = new ConnectorHost({ routes: ${JSON.stringify(emu.hosts)} });
      h.execute({ operationId: 'track.customer.identify', config: ${JSON.stringify(TRACK)}, input: { id: 'child' } })
        .then((r) => console.log('status', r.status));`;
    const t = performance.now();
    const code = await new Promise((resolve) => {
      const c = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      c.stdout.on('data', (d) => (out += d));
      const timer = setTimeout(() => c.kill('SIGKILL'), 10000);
      c.on('exit', (code) => {
        clearTimeout(timer);
        assert.match(out, /status 200/);
        resolve(code);
      });
    });
    assert.equal(code, 0);
    figures['child process: require + one identify + exit (host never closed)'] = `${(performance.now() - t).toFixed(0)} ms`;
  });
});
