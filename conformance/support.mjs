// The conformance suite's fixture library: servers that track (and on stop destroy) their
// connections, a per-test scope that closes everything it saw, promise wrappers for connects and
// for listens expected to fail, event recorders, bounded waits, and OS fixtures (a stalled listener,
// saturated buffers, kernel TCP timers). Runs unchanged on Node, Deno and Bun.
import { spawn } from 'node:child_process';
import { writeFileSync, unlinkSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir, constants } from 'node:os';
import process from 'node:process';
import { net, env } from './net.mjs';
import { listen, ipcPath, sleep, nodeBinary } from './lib.mjs';

export { sleep };

/**
 * A TCP (or IPC, with `{ path }`) server whose accepted sockets are tracked.
 * `onConnection(socket)` runs for each; `accepted()` resolves with the next accepted socket;
 * `stop()` destroys every tracked socket and closes the server.
 */
export async function startServer(onConnection = (s) => s.resume(), { host = '127.0.0.1', port = 0, path, options = {} } = {}) {
  const conns = new Set();
  const waiting = [];
  const queue = [];
  const server = net.createServer(options, (s) => {
    conns.add(s);
    s.on('close', () => conns.delete(s));
    // A reset from a test's client must not become an uncaught error on the server side.
    if (!s.listenerCount('error')) s.on('error', () => {});
    onConnection(s);
    if (waiting.length) waiting.shift()(s); else queue.push(s);
  });
  const addr = path ? await listen(server, path) : await listen(server, port, host);
  return {
    server,
    port: typeof addr === 'object' && addr ? addr.port : undefined,
    path,
    conns,
    accepted: () => (queue.length ? Promise.resolve(queue.shift()) : new Promise((r) => waiting.push(r))),
    stop: () => new Promise((resolve) => {
      for (const s of conns) s.destroy();
      if (!server.listening) return resolve();
      server.close(() => resolve());
    }),
  };
}

/** A loopback port with nothing listening on it (listen on 0, read the port, close). */
export async function freePort(host = '127.0.0.1') {
  const server = net.createServer();
  const { port } = await listen(server, 0, host);
  await new Promise((r) => server.close(r));
  return port;
}

/**
 * Record `events` on `emitter` into an array of names; 'close' is recorded as `close(<hadError>)`.
 * Consecutive 'data' events collapse into one entry so chunking does not change the sequence.
 */
export function record(emitter, events) {
  const seen = [];
  for (const name of events) {
    emitter.on(name, (...args) => {
      const entry = name === 'close' ? `close(${args[0]})` : name;
      if (entry === 'data' && seen[seen.length - 1] === 'data') return;
      seen.push(entry);
    });
  }
  return seen;
}

/** Resolve with hadError when the socket next emits 'close' (call it before the close happens). */
export function closed(socket) {
  return new Promise((resolve) => socket.once('close', (hadError) => resolve(hadError)));
}

/** Resolve with the first 'error' the emitter emits. */
export function nextError(emitter) {
  return new Promise((resolve) => emitter.once('error', resolve));
}

/** Destroy sockets, ignoring ones already gone. */
export function destroyAll(...sockets) {
  for (const s of sockets) if (s && !s.destroyed) s.destroy();
}

/** Bytes `n` long with a position-dependent pattern, so reordering or loss changes them. */
export function pattern(n) {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + (i >> 8)) & 0xff;
  return b;
}

/** Wait until `predicate()` is true, checking every few ms; fail after `limit` ms. */
export async function until(predicate, limit = 3000, what = 'condition') {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > limit) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * A listener on `host`:`port` whose process is stopped (SIGSTOP), so once its small accept queue
 * is full, further SYNs get no answer and a connection attempt hangs (no RST, no accept). Used to
 * make an autoSelectFamily attempt time out on loopback. Bun ignores the listen backlog, so under
 * Bun the fixture runs on `node` from PATH; the fixture's runtime is not what is under test.
 * The process runs under `timeout -s KILL 60` so it cannot outlive a crashed test run, and signals
 * go straight to its pid (some runtimes' ChildProcess.kill() sends nothing after a first signal).
 * Resolves with { stop() }, which destroys the filler sockets and kills the process.
 */
export async function stalledListener(host, port) {
  // The memory column: the network black-holes connects to host:port instead (no process to stop).
  if (env.adapter === 'memory') {
    const fault = (await import('./memory.mjs')).network.fault({ kind: 'blackhole', host, port });
    return { stop: () => fault.remove() };
  }
  // Outside the repo: the fixture needs only node:net, and a run killed mid-test leaves no litter.
  const file = join(tmpdir(), `crossnet-stall-${process.pid}-${Date.now() % 100000}.mjs`);
  writeFileSync(file, [
    "import net from 'node:net';",
    "import process from 'node:process';",
    'const s = net.createServer();',
    `s.listen({ port: ${port}, host: ${JSON.stringify(host)}, backlog: 1 }, () => console.log(String(process.pid)));`,
  ].join('\n'));
  const runtimeArgs = env.runtime === 'deno' ? [process.execPath, 'run', '-A', file]
    : env.runtime === 'bun' ? [nodeBinary(), file] : [process.execPath, file];
  const child = spawn('timeout', ['-s', 'KILL', '60', ...runtimeArgs], { stdio: ['ignore', 'pipe', 'ignore'] });
  const fillers = [];
  let pid;
  const signal = (sig) => { try { process.kill(pid, sig); } catch {} };
  const stop = () => {
    for (const s of fillers) s.destroy();
    if (pid) signal('SIGKILL');
    try { unlinkSync(file); } catch {}
  };
  try {
    pid = await new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`stall fixture exited with ${code}`)));
      child.stdout.once('data', (d) => resolve(Number(String(d).trim())));
    });
    signal('SIGSTOP');
    // Fill the accept queue: the kernel completes handshakes until the backlog is full, then
    // leaves new SYNs unanswered. Stop at the first connection that does not complete.
    for (let i = 0; i < 8; i++) {
      const c = net.connect({ port, host, autoSelectFamily: false });
      c.on('error', () => {});
      fillers.push(c);
      const ok = await Promise.race([
        new Promise((r) => c.once('connect', () => r(true))),
        new Promise((r) => setTimeout(() => r(false), 400)),
      ]);
      if (!ok) return { stop };
    }
    throw new Error('stall fixture: the accept queue never filled');
  } catch (err) {
    stop();
    throw err;
  }
}

/**
 * Write to `socket` (whose peer does not read) until the kernel buffers are full and data stays
 * queued in the socket: writableLength > 0 and unchanged over four samples 25 ms apart (each after
 * an I/O poll, so a busy machine is not mistaken for a full buffer). Resolves with the number of
 * bytes written; each byte is `fill`.
 */
export async function saturate(socket, fill = 0x61) {
  const chunk = Buffer.alloc(1 << 20, fill);
  const tick = () => new Promise((r) => setTimeout(() => setImmediate(r), 25));
  let total = 0;
  for (let i = 0; i < 256; i++) {
    socket.write(chunk);
    total += chunk.length;
    await tick();
    let stable = 0;
    let last = socket.writableLength;
    while (last > 0 && stable < 3) {
      await tick();
      const now = socket.writableLength;
      if (now !== last) break;
      stable++;
      last = now;
    }
    if (stable === 3) return total;
  }
  throw new Error('saturate: the socket never kept data queued');
}

/** `promise`, or a rejection naming `what` after `ms` milliseconds. */
export function within(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

// ---- servers and sockets scoped to one test ----------------------------------------------------

/** Node's negative errno for a code name, e.g. errno('EADDRINUSE') === -98 on Linux. */
export const errno = (code) => -constants.errno[code];

/** Connect with net.connect(...args); resolve with the socket on 'connect', reject on 'error'. */
export function connect(...args) {
  return new Promise((resolve, reject) => {
    const s = net.connect(...args);
    s.once('connect', () => { s.off('error', reject); resolve(s); });
    s.once('error', reject);
  });
}

/** A connection attempt that must fail: resolves with its error, rejects if it connects. */
export function connectError(...args) {
  return new Promise((resolve, reject) => {
    const s = net.connect(...args);
    s.once('connect', () => { s.destroy(); reject(new Error('connected, expected an error')); });
    s.once('error', (err) => { s.destroy(); resolve(err); });
  });
}

/** server.listen(...args) that must fail: resolves with the 'error', rejects on 'listening'. */
export function listenError(server, ...args) {
  return new Promise((resolve, reject) => {
    const onListening = () => { server.off('error', onError); reject(new Error(`listening on ${JSON.stringify(server.address())}, expected an error`)); };
    const onError = (err) => { server.off('listening', onListening); resolve(err); };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(...args);
  });
}

/** Resolve with the next accepted socket of `server`. */
export function accepted(server) {
  return new Promise((resolve) => server.once('connection', resolve));
}

/** Wait for a socket to close, whatever the reason (end, reset, destroy), also if it already has. */
export function gone(socket) {
  return new Promise((resolve) => {
    if (socket.closed) return resolve();
    socket.on('error', () => {});
    socket.once('close', () => resolve());
  });
}

/** Write `data` and read until the peer ends; resolves with the text received. */
export function roundTrip(socket, data) {
  return new Promise((resolve, reject) => {
    let got = '';
    socket.setEncoding('utf8');
    socket.on('data', (d) => { got += d; if (got.length >= data.length) resolve(got); });
    socket.once('error', reject);
    socket.once('end', () => resolve(got));
    socket.write(data);
  });
}

/**
 * Everything one test opens, closed in `dispose()`: servers (and every socket they accept),
 * client sockets and IPC paths. Use `try { … } finally { await sc.dispose(); }`.
 */
export function scope() {
  const servers = new Set();
  const sockets = new Set();
  const paths = new Set();
  return {
    /** net.createServer(options, listener), watched. */
    server(options, listener) {
      return this.watch(typeof options === 'function' || options === undefined
        ? net.createServer(options) : net.createServer(options, listener));
    },
    /** Watch an existing server: it and its accepted sockets are closed on dispose. */
    watch(server) {
      servers.add(server);
      server.on('connection', (s) => sockets.add(s));
      return server;
    },
    /** Watch a socket (client or accepted). */
    socket(s) { sockets.add(s); return s; },
    /** net.connect(...args) resolved on 'connect', watched. */
    async connect(...args) { return this.socket(await connect(...args)); },
    /** A fresh IPC path that is unlinked on dispose. */
    path(tag) { const p = ipcPath(tag); paths.add(p); return p; },
    /** Unlink `p` on dispose. */
    own(p) { paths.add(p); return p; },
    async dispose() {
      for (const s of sockets) { s.on('error', () => {}); s.destroy(); }
      await Promise.all([...servers].map((server) => new Promise((resolve) => {
        // Bounded: a server whose 'close' never comes must not hang the column.
        const timer = setTimeout(resolve, 2000);
        const done = () => { clearTimeout(timer); resolve(); };
        if (!server.listening) return done();
        try { server.close(() => done()); } catch { done(); }
      })));
      for (const p of paths) { try { unlinkSync(p); } catch {} }
    },
  };
}

/**
 * Linux only: the kernel's timer for the TCP connection from 127.0.0.1:`localPort` to
 * 127.0.0.1:`remotePort`, read from /proc/net/tcp: { kind, seconds } where kind 2 is the
 * keepalive timer and 0 none. Undefined when the connection is not listed.
 */
export function tcpTimer(localPort, remotePort) {
  const hex = (p) => p.toString(16).toUpperCase().padStart(4, '0');
  const local = `0100007F:${hex(localPort)}`;
  const remote = `0100007F:${hex(remotePort)}`;
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[1] === local && f[2] === remote) {
      const [kind, when] = f[5].split(':');
      // The field counts clock ticks (USER_HZ, 100 on Linux).
      return { kind: parseInt(kind, 16), seconds: parseInt(when, 16) / 100 };
    }
  }
  return undefined;
}

