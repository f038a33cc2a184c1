// Helpers shared by the socket-*.test.mjs files: servers that track (and on stop destroy) their
// connections, event recorders, a free port, and a listener that never accepts (for
// 'connectionAttemptTimeout'). Runs unchanged on Node, Deno and Bun.
import { spawn } from 'node:child_process';
import { writeFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import process from 'node:process';
import { net, env } from './net.mjs';
import { listen } from './lib.mjs';

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
    : env.runtime === 'bun' ? ['node', file] : [process.execPath, file];
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
