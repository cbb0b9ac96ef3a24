'use strict';
// ConnectorHost: runs the Customer.io connector component in a small pool of worker threads.

const { Worker } = require('node:worker_threads');
const path = require('node:path');
const fs = require('node:fs');
const { CUSTOMERIO_HOSTS, normalizeRoutes, normalizeAllowHosts } = require('./egress.cjs');

const DEFAULT_COMPONENT = path.join(__dirname, '..', 'dist', 'component');
const WORKER = path.join(__dirname, 'worker.cjs');
const U32_MAX = 0xffffffff;
const INIT_TIMEOUT_MS = 15000;
const MAX_TIMER_MS = 2 ** 31 - 1; // setTimeout fires at once beyond this

const ERROR_KINDS = [
  'invalid-config', 'invalid-input', 'unknown-operation', 'unauthorized', 'forbidden',
  'wrong-region', 'not-found', 'rate-limited', 'upstream', 'transport', 'timeout', 'internal',
];

/** Mirrors the WIT `connector-error` record; host-side failures use fixBy 'host'. */
class ConnectorError extends Error {
  constructor({ kind, message, fixBy, retryable = false, status, retryAfterMs, pointers = [], body } = {}, options) {
    super(message || kind, options);
    this.name = 'ConnectorError';
    this.kind = kind;
    this.fixBy = fixBy;
    this.retryable = Boolean(retryable);
    this.status = status ?? undefined;
    this.retryAfterMs = retryAfterMs ?? undefined;
    this.pointers = Array.isArray(pointers) ? pointers : [];
    this.body = body ?? undefined;
  }

  toJSON() {
    const { kind, message, fixBy, retryable, status, retryAfterMs, pointers, body } = this;
    return { kind, message, fixBy, retryable, status, retryAfterMs, pointers, body };
  }
}

function hostError(kind, message, extra = {}) {
  return new ConnectorError({ kind, message, fixBy: 'host', retryable: false, pointers: [], ...extra });
}

function configError(message) {
  return new ConnectorError({ kind: 'invalid-config', message, fixBy: 'user', retryable: false, pointers: [] });
}

/**
 * Accepts the WIT shape `{ connector, region, credentials: {tag:'track', val:{siteId, apiKey}} | {tag:'app', val} }`
 * or a friendlier one: `{ connector?, region?, siteId, apiKey }`, `{ connector?, region?, appApiKey }`,
 * or `credentials: { siteId, apiKey } | { appApiKey } | 'app-key'`. Region defaults to 'us';
 * connector defaults to 'track' for Track credentials and 'app' for an App key.
 */
function normalizeConfig(config) {
  if (!config || typeof config !== 'object') throw configError('config must be an object');
  let { connector, region = 'us', credentials } = config;
  let creds;
  if (credentials && typeof credentials === 'object' && (credentials.tag === 'track' || credentials.tag === 'app')) {
    creds = credentials;
  } else {
    const src = credentials && typeof credentials === 'object' ? credentials : config;
    if (typeof credentials === 'string') {
      creds = { tag: 'app', val: credentials };
    } else if (src.siteId !== undefined || src.apiKey !== undefined || src.trackApiKey !== undefined) {
      creds = { tag: 'track', val: { siteId: src.siteId, apiKey: src.apiKey ?? src.trackApiKey } };
    } else if (src.appApiKey !== undefined) {
      creds = { tag: 'app', val: src.appApiKey };
    } else {
      throw configError('config has no credentials: give { siteId, apiKey } (Track) or { appApiKey } (App/Beta)');
    }
  }
  if (creds.tag === 'track') {
    const v = creds.val || {};
    if (typeof v.siteId !== 'string' || typeof v.apiKey !== 'string') {
      throw configError('Track credentials need siteId and apiKey as strings');
    }
    creds = { tag: 'track', val: { siteId: v.siteId, apiKey: v.apiKey } };
  } else if (typeof creds.val !== 'string') {
    throw configError('the App API key must be a string');
  }
  if (connector === undefined) connector = creds.tag === 'track' ? 'track' : 'app';
  if (!['track', 'app', 'beta'].includes(connector)) throw configError(`connector must be track, app or beta, not ${connector}`);
  if (!['us', 'eu', 'auto'].includes(region)) throw configError(`region must be us, eu or auto, not ${region}`);
  return { connector, region, credentials: creds };
}

function parseJson(text) {
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

let nextCallId = 1;

class Slot {
  constructor(host) {
    this.host = host;
    this.call = null;
    this.dead = false;
    this.readyAt = null;
    this.worker = new Worker(WORKER, {
      workerData: {
        componentDir: host.componentDir,
        modules: host._modules,
        routes: host.routes,
        allowHosts: host.allowHosts,
        testHooks: host._testHooks,
      },
      env: {},
      argv: [],
      execArgv: [],
      stdin: false,
      stdout: false,
      stderr: false,
      resourceLimits: host.resourceLimits,
    });
    this.ready = new Promise((resolve, reject) => {
      this._readyResolve = resolve;
      this._readyReject = reject;
    });
    this.ready.catch(() => {});
    this.initTimer = setTimeout(() => {
      this._fail(hostError('internal', `the component did not start within ${INIT_TIMEOUT_MS} ms`));
    }, INIT_TIMEOUT_MS);
    this.initTimer.unref();
    // Listeners first, then unref: unref() before a 'message' listener exists has no effect.
    this.worker.on('message', (m) => this._onMessage(m));
    this.worker.on('error', (e) => this._fail(hostError('internal', `the worker failed: ${e && e.message ? e.message : e}`, { cause: e })));
    this.worker.on('exit', (code) => this._fail(hostError('internal', `the worker exited (code ${code})`)));
    this.worker.unref();
  }

  _onMessage(m) {
    if (m && m.ready !== undefined) {
      clearTimeout(this.initTimer);
      if (m.ready) {
        this.readyAt = Date.now();
        this._readyResolve();
      } else {
        this._fail(hostError('internal', `the component could not be instantiated: ${m.message}`));
      }
      return;
    }
    const call = this.call;
    if (!call || m.id !== call.id) return;
    this._finish();
    this.host._lastEgress = m.egress || [];
    this.host._lastGuestMs = m.guestMs;
    // Each call gets its own egress records: concurrent calls never see each other's URLs.
    const egress = m.egress || [];
    if (m.ok) call.resolve({ value: m.value, guestMs: m.guestMs, egress });
    else {
      const err = new ConnectorError(m.error);
      Object.defineProperty(err, 'egress', { value: egress, enumerable: false });
      call.reject(err);
    }
    this.host._lastWasmMemoryBytes = m.wasmMemoryBytes;
    if (m.fatal || m.wasmMemoryBytes > this.host.memoryLimitMb * 1048576) this.kill();
    this.host._pump();
  }

  /** Runs one call; resolves { value } or rejects ConnectorError. */
  run(method, args, budgetMs, opId) {
    return new Promise((resolve, reject) => {
      const id = nextCallId++;
      this.call = { id, resolve, reject, opId };
      this.worker.ref();
      this.ready.then(
        () => {
          if (!this.call || this.call.id !== id) return;
          this.timer = setTimeout(() => {
            const call = this.call;
            if (!call || call.id !== id) return;
            const hints = this.host._hints && this.host._hints.get(opId);
            this._finish();
            this.kill();
            call.reject(
              new ConnectorError({
                kind: 'timeout',
                fixBy: 'host',
                // The upstream may have applied the request: only reads and idempotent writes are safe to repeat.
                retryable: Boolean(hints && (hints.readOnly || hints.idempotent)),
                message: `the call did not finish within ${budgetMs} ms (timeout plus grace); the worker was terminated`,
                pointers: [],
              }),
            );
            this.host._pump();
          }, Math.min(budgetMs, MAX_TIMER_MS));
          this.worker.postMessage({ id, method, args });
        },
        () => {},
      );
    });
  }

  _finish() {
    clearTimeout(this.timer);
    this.timer = null;
    this.call = null;
    if (!this.dead) this.worker.unref();
  }

  _fail(err) {
    clearTimeout(this.initTimer);
    const wasDead = this.dead;
    this.dead = true;
    this._readyReject(err);
    const call = this.call;
    if (call) {
      this._finish();
      call.reject(err);
    }
    if (!wasDead) {
      this.worker.terminate().catch(() => {});
      this.host._remove(this);
      this.host._pump();
    }
  }

  kill() {
    if (this.dead) return;
    this.dead = true;
    clearTimeout(this.initTimer);
    this.worker.terminate().catch(() => {});
    this.host._remove(this);
  }
}

class ConnectorHost {
  /**
   * @param {object} [options]
   * @param {string} [options.component] the jco output directory (holding connector.js), default dist/component
   * @param {Record<string,string>} [options.routes] test mode: Customer.io host -> 'http://127.0.0.1:PORT'
   * @param {string[]} [options.allowHosts] restrict egress further (a subset of the six Customer.io hosts)
   * @param {number} [options.poolSize=2]
   * @param {number} [options.defaultTimeoutMs=30000]
   * @param {number} [options.graceMs=2000]
   * @param {import('node:worker_threads').ResourceLimits} [options.resourceLimits] JS heap limits of each worker
   * @param {number} [options.memoryLimitMb=512] a worker whose wasm linear memory exceeds this after a call is replaced
   */
  constructor({
    component,
    routes,
    allowHosts,
    poolSize = 2,
    defaultTimeoutMs = 30000,
    graceMs = 2000,
    resourceLimits = { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 32 },
    memoryLimitMb = 512,
    _testHooks,
  } = {}) {
    let dir = path.resolve(component || DEFAULT_COMPONENT);
    if (dir.endsWith('.wasm')) {
      throw new TypeError(`component is the jco output directory, not the .wasm: transpile it first (CIO_COMPONENT=${dir} npm run build)`);
    }
    if (dir.endsWith('.js')) dir = path.dirname(dir);
    if (!fs.existsSync(path.join(dir, 'connector.js'))) {
      throw new Error(`no transpiled component at ${dir} (run \`npm run build\`, or pass component: <jco output dir>)`);
    }
    if (!Number.isInteger(poolSize) || poolSize < 1) throw new TypeError('poolSize must be a positive integer');
    if (!Number.isInteger(defaultTimeoutMs) || defaultTimeoutMs < 1 || defaultTimeoutMs > U32_MAX) {
      throw new TypeError('defaultTimeoutMs must be an integer in 1..4294967295');
    }
    if (!Number.isInteger(graceMs) || graceMs < 0) throw new TypeError('graceMs must be a non-negative integer');
    this.componentDir = dir;
    this.routes = normalizeRoutes(routes);
    this.allowHosts = normalizeAllowHosts(allowHosts);
    this.poolSize = poolSize;
    this.defaultTimeoutMs = defaultTimeoutMs;
    this.graceMs = graceMs;
    this.resourceLimits = resourceLimits;
    if (!Number.isInteger(memoryLimitMb) || memoryLimitMb < 1) throw new TypeError('memoryLimitMb must be a positive integer');
    this.memoryLimitMb = memoryLimitMb;
    this._testHooks = _testHooks || null;
    this._slots = [];
    this._queue = [];
    this._closed = false;
    this._modules = null;
    this._operations = null;
    this._hints = null;
    this._lastEgress = [];
  }

  /** Compiles the core modules once, so workers (and respawns) only instantiate. */
  _compile() {
    if (!this._compiling) {
      const names = fs.readdirSync(this.componentDir).filter((f) => f.endsWith('.wasm'));
      this._compiling = Promise.all(
        names.map(async (n) => [n, await WebAssembly.compile(await fs.promises.readFile(path.join(this.componentDir, n)))]),
      ).then(
        (entries) => {
          this._modules = Object.fromEntries(entries);
        },
        (e) => {
          this._compiling = null;
          throw hostError('internal', `the component in ${this.componentDir} could not be compiled: ${e.message}`, { cause: e });
        },
      );
    }
    return this._compiling;
  }

  _remove(slot) {
    this._slots = this._slots.filter((s) => s !== slot);
  }

  _pump() {
    while (this._queue.length && !this._closed) {
      let slot = this._slots.find((s) => !s.dead && !s.call);
      if (!slot && this._slots.length < this.poolSize) {
        slot = new Slot(this);
        this._slots.push(slot);
      }
      if (!slot) return;
      const job = this._queue.shift();
      clearTimeout(job.timer);
      // The budget started when the call was made: what the queue took is gone.
      const remaining = Math.max(1, job.deadline - Date.now());
      if (job.method === 'execute' && job.args[0].timeoutMs !== 0) {
        job.args[0] = { ...job.args[0], timeoutMs: Math.max(1, remaining - this.graceMs) };
      }
      slot.run(job.method, job.args, remaining, job.opId).then(job.resolve, job.reject);
    }
  }

  async _call(method, args, budgetMs, opId) {
    const deadline = Date.now() + budgetMs;
    if (this._closed) throw hostError('internal', 'the host is closed');
    await this._compile();
    if (this._closed) throw hostError('internal', 'the host is closed');
    return new Promise((resolve, reject) => {
      const job = { method, args, budgetMs, opId, resolve, reject, deadline };
      // A call still waiting for a worker when its budget ends fails then, typed: the host was
      // busy, the call never started, and it may be made again.
      job.timer = setTimeout(() => {
        const at = this._queue.indexOf(job);
        if (at < 0) return;
        this._queue.splice(at, 1);
        reject(
          new ConnectorError({
            kind: 'rate-limited',
            fixBy: 'host',
            retryable: true,
            message: `the host was busy: all ${this.poolSize} workers stayed in use for this call's whole budget of ${budgetMs} ms, so it never started; run fewer calls at once, give it a longer budget, or raise poolSize`,
            pointers: [],
          }),
        );
      }, Math.min(Math.max(0, deadline - Date.now()), MAX_TIMER_MS));
      this._queue.push(job);
      this._pump();
    });
  }

  /** Every operation; schemas are parsed to objects. Cached (the list is deterministic). */
  async listOperations() {
    if (!this._operations) {
      this._operations = this._call('listOperations', [], this.defaultTimeoutMs + this.graceMs).then(
        ({ value }) => {
          const ops = value.map((d) => ({ ...d, inputSchema: parseJson(d.inputSchema), outputSchema: parseJson(d.outputSchema) }));
          this._hints = new Map(ops.map((d) => [d.id, d.hints]));
          return ops;
        },
        (e) => {
          this._operations = null;
          throw e;
        },
      );
    }
    return structuredClone(await this._operations);
  }

  /** Tests a connection; resolves { connector, region ('us'|'eu'), baseUrl, details (object) }. */
  async authenticate(config) {
    const cfg = normalizeConfig(config);
    const { value } = await this._call('authenticate', [cfg], this.defaultTimeoutMs + this.graceMs, null);
    return { ...value, details: parseJson(value.details) };
  }

  /** Runs one operation; resolves { output (parsed JSON), status, requests }. */
  async execute({ operationId, config, input, timeoutMs, requestId } = {}) {
    if (typeof operationId !== 'string' || !operationId) {
      throw new ConnectorError({ kind: 'unknown-operation', fixBy: 'user', message: 'operationId must be a non-empty string', pointers: [] });
    }
    const cfg = normalizeConfig(config);
    let inputText;
    if (input === undefined || input === null) inputText = '{}';
    else if (typeof input === 'string') inputText = input;
    else {
      try {
        inputText = JSON.stringify(input);
      } catch (e) {
        throw new ConnectorError({ kind: 'invalid-input', fixBy: 'user', message: `input is not JSON-serialisable: ${e.message}`, pointers: [''] });
      }
    }
    // 0 is passed on: the component refuses it with its own invalid-input error.
    if (timeoutMs !== undefined && timeoutMs !== null && (!Number.isInteger(timeoutMs) || timeoutMs < 0 || timeoutMs > U32_MAX)) {
      throw new ConnectorError({ kind: 'invalid-input', fixBy: 'user', message: 'timeoutMs must be an integer number of milliseconds, at least 1 (at most 4294967295)', pointers: [] });
    }
    if (requestId !== undefined && requestId !== null && typeof requestId !== 'string') {
      throw new ConnectorError({ kind: 'invalid-input', fixBy: 'user', message: 'requestId must be a string', pointers: [] });
    }
    // Always pass the budget the host enforces, so guest and host agree on it. Budgets beyond
    // 2^31-1 ms (24.8 days) are clamped: Node timers (the host's and the shim's) overflow there.
    const guestMs = timeoutMs === 0 ? 0 : Math.min(timeoutMs ?? this.defaultTimeoutMs, MAX_TIMER_MS);
    const budget = guestMs + this.graceMs;
    const request = {
      operationId,
      config: cfg,
      input: inputText,
      timeoutMs: guestMs,
      requestId: requestId ?? undefined,
    };
    const { value, egress } = await this._call('execute', [request], budget, operationId);
    const result = { output: parseJson(value.output), status: value.status, requests: value.requests };
    // Diagnostics, not output: kept off JSON and equality checks.
    Object.defineProperty(result, 'egress', { value: egress, enumerable: false });
    return result;
  }

  /**
   * The egress decisions of the last call to finish, whichever it was (diagnostics: url, allowed,
   * reason, routedTo). With calls in flight at once this may be another call's: read a call's own
   * from its result's `egress` (or its error's `egress`).
   */
  get lastEgress() {
    return this._lastEgress;
  }

  /** Number of live workers (diagnostics). */
  get workerCount() {
    return this._slots.length;
  }

  /** Terminates every worker; pending and queued calls reject with kind 'internal'. Idempotent. */
  async close() {
    this._closed = true;
    const err = hostError('internal', 'the host was closed');
    for (const job of this._queue.splice(0)) {
      clearTimeout(job.timer);
      job.reject(err);
    }
    const slots = this._slots.splice(0);
    await Promise.all(
      slots.map((s) => {
        s._fail(err);
        return s.worker.terminate().catch(() => {});
      }),
    );
  }
}

if (typeof Symbol.asyncDispose === 'symbol') {
  ConnectorHost.prototype[Symbol.asyncDispose] = function asyncDispose() {
    return this.close();
  };
}

module.exports = { ConnectorHost, ConnectorError, normalizeConfig, CUSTOMERIO_HOSTS, ERROR_KINDS };
