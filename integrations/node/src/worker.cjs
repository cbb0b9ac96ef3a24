'use strict';
// Runs inside a worker_thread. Instantiates the transpiled component (jco --instantiation sync)
// with every import supplied here, so the host decides the guest's world:
//   - wasi:cli/environment: no variables, no arguments, no cwd
//   - wasi:cli/exit: throws GuestExit (ends the call, never the process)
//   - stdin empty, stdout/stderr discarded, no terminals
//   - wasi:http/outgoing-handler: preview2-shim's, behind the egress policy (./egress.cjs)
//   - clocks, random, io, http types: preview2-shim
// The shim's HTTP is synchronous and blocks this thread for the whole upstream call, which is why
// the component never runs on the main thread.

const { parentPort, workerData } = require('node:worker_threads');
const path = require('node:path');
const fs = require('node:fs');
const { pathToFileURL } = require('node:url');
const { decide } = require('./egress.cjs');

class GuestExit extends Error {
  constructor(code) {
    super(`the component called exit (${code})`);
    this.name = 'GuestExit';
    this.code = code;
  }
}

// The worker's own console (jco and shim diagnostics) goes to a short in-memory tail, not to the
// parent's stdout/stderr; the tail is attached to init failures. (Worker `stdout: true` would keep
// a ref'ed MessagePort and stop an idle host's process from exiting.)
const consoleTail = [];
for (const k of ['log', 'info', 'warn', 'error', 'debug', 'trace']) {
  console[k] = (...args) => {
    consoleTail.push(args.map((a) => (a && a.stack) || String(a)).join(' '));
    if (consoleTail.length > 20) consoleTail.shift();
  };
}

const policy = { routes: workerData.routes || null, allowHosts: workerData.allowHosts };
const hooks = workerData.testHooks || {};
let egressLog = [];
const memories = [];
let exited = null; // set once the guest called exit: the instance is unusable afterwards

function sleepSync(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

async function init() {
  const [cli, clocks, http, io, random] = await Promise.all([
    import('@bytecodealliance/preview2-shim/cli'),
    import('@bytecodealliance/preview2-shim/clocks'),
    import('@bytecodealliance/preview2-shim/http'),
    import('@bytecodealliance/preview2-shim/io'),
    import('@bytecodealliance/preview2-shim/random'),
  ]);
  const { InputStream, OutputStream } = io.streams;
  const ready = () => clocks.monotonicClock.subscribeDuration(0n);

  // Streams that are instances of the shim's classes (jco checks instanceof) but touch nothing.
  class NullOutputStream extends OutputStream {
    checkWrite() { return 1048576n; }
    write() {}
    blockingWriteAndFlush() {}
    flush() {}
    blockingFlush() {}
    writeZeroes() {}
    blockingWriteZeroesAndFlush() {}
    splice() { return 0n; }
    blockingSplice() { return 0n; }
    subscribe() { return ready(); }
  }
  class EmptyInputStream extends InputStream {
    read() { throw { tag: 'closed' }; }
    blockingRead() { throw { tag: 'closed' }; }
    skip() { throw { tag: 'closed' }; }
    blockingSkip() { throw { tag: 'closed' }; }
    subscribe() { return ready(); }
  }
  const stdin = new EmptyInputStream();
  const stdout = new NullOutputStream();
  const stderr = new NullOutputStream();

  const exit = {
    exit(status) {
      exited = new GuestExit(status && status.tag === 'err' ? 1 : 0);
      throw exited;
    },
    exitWithCode(code) {
      exited = new GuestExit(code);
      throw exited;
    },
  };

  const outgoingHandler = {
    handle(request, options) {
      const scheme = request.scheme();
      const authority = request.authority();
      const d = decide(scheme, authority, policy);
      const entry = {
        method: (request.method() || {}).tag,
        url: `${scheme && scheme.tag === 'HTTPS' ? 'https' : scheme ? String(scheme.val || scheme.tag).toLowerCase() : '?'}://${authority}${request.pathWithQuery() || ''}`,
        allowed: d.allow,
      };
      if (!d.allow) entry.reason = d.reason;
      if (egressLog.length < 100) egressLog.push(entry);
      if (!d.allow) return { tag: 'err', val: { tag: 'HTTP-request-denied' } };
      // Test hooks (off unless the host was built with _testHooks): act like a guest that calls exit,
      // or like one that hangs, when the request path contains the marker.
      const p = request.pathWithQuery() || '';
      if (hooks.exitOnPath && p.includes(hooks.exitOnPath)) exit.exit({ tag: 'err' });
      if (hooks.stallOnPath && p.includes(hooks.stallOnPath)) sleepSync(hooks.stallMs || 60000);
      if (d.rewrite) {
        request.setScheme({ tag: d.rewrite.scheme });
        request.setAuthority(d.rewrite.authority);
        entry.routedTo = `${d.rewrite.scheme.toLowerCase()}://${d.rewrite.authority}`;
      }
      return http.outgoingHandler.handle(request, options);
    },
  };

  const imports = {
    'wasi:cli/environment': {
      getEnvironment: () => [],
      getArguments: () => [],
      initialCwd: () => undefined,
    },
    'wasi:cli/exit': exit,
    'wasi:cli/stdin': { getStdin: () => stdin },
    'wasi:cli/stdout': { getStdout: () => stdout },
    'wasi:cli/stderr': { getStderr: () => stderr },
    'wasi:cli/terminal-input': cli.terminalInput,
    'wasi:cli/terminal-output': cli.terminalOutput,
    'wasi:cli/terminal-stdin': { getTerminalStdin: () => undefined },
    'wasi:cli/terminal-stdout': { getTerminalStdout: () => undefined },
    'wasi:cli/terminal-stderr': { getTerminalStderr: () => undefined },
    'wasi:clocks/monotonic-clock': clocks.monotonicClock,
    'wasi:clocks/wall-clock': clocks.wallClock,
    'wasi:http/outgoing-handler': outgoingHandler,
    'wasi:http/types': http.types,
    'wasi:io/error': io.error,
    'wasi:io/poll': io.poll,
    'wasi:io/streams': io.streams,
    'wasi:random/insecure-seed': random.insecureSeed,
    'wasi:random/random': random.random,
  };

  const dir = workerData.componentDir;
  const { instantiate } = await import(pathToFileURL(path.join(dir, 'connector.js')).href);
  const modules = workerData.modules || {};
  const getCoreModule = (name) => modules[name] || new WebAssembly.Module(fs.readFileSync(path.join(dir, name)));
  // Keep the core instances' memories to report their size after each call (the host replaces a
  // worker whose memory grew past its limit; wasm memory never shrinks).
  const instantiateCore = (module, importObject) => {
    const instance = new WebAssembly.Instance(module, importObject);
    for (const v of Object.values(instance.exports)) if (v instanceof WebAssembly.Memory) memories.push(v);
    return instance;
  };
  const root = await instantiate(getCoreModule, imports, instantiateCore);
  return root.connector;
}

function errorRecord(e) {
  if (e && Object.prototype.hasOwnProperty.call(e, 'payload') && e.payload && typeof e.payload.kind === 'string') {
    return { error: e.payload, fatal: false };
  }
  if (e instanceof GuestExit || exited) {
    return {
      error: { kind: 'internal', fixBy: 'host', retryable: false, message: `${(exited || e).message}; the worker is replaced`, pointers: [] },
      fatal: true,
    };
  }
  // A trap (panic, unreachable, out of memory) leaves the instance unusable.
  return {
    error: {
      kind: 'internal',
      fixBy: 'connector',
      retryable: false,
      message: `the component failed: ${e && e.message ? e.message : String(e)}; the worker is replaced`,
      pointers: [],
    },
    fatal: true,
  };
}

init().then(
  (connector) => {
    parentPort.on('message', (msg) => {
      const { id, method, args } = msg;
      egressLog = [];
      const started = process.hrtime.bigint();
      let reply;
      if (exited) {
        reply = { id, ok: false, ...errorRecord(exited) };
      } else {
        try {
          let value;
          if (method === 'listOperations') value = connector.listOperations();
          else if (method === 'authenticate') value = connector.authenticate(args[0]);
          else if (method === 'execute') value = connector.execute(args[0]);
          else throw Object.assign(new Error(`unknown method ${method}`), { payload: { kind: 'internal', fixBy: 'host', retryable: false, message: `unknown worker method ${method}`, pointers: [] } });
          reply = { id, ok: true, value };
        } catch (e) {
          reply = { id, ok: false, ...errorRecord(e) };
        }
      }
      reply.egress = egressLog;
      reply.guestMs = Number(process.hrtime.bigint() - started) / 1e6;
      reply.wasmMemoryBytes = memories.reduce((n, m) => n + m.buffer.byteLength, 0);
      parentPort.postMessage(reply);
    });
    parentPort.postMessage({ ready: true });
  },
  (e) => {
    const tail = consoleTail.length ? ` (console: ${consoleTail.join(' | ').slice(-1000)})` : '';
    parentPort.postMessage({ ready: false, message: (e && e.stack ? e.stack : String(e)) + tail });
  },
);
