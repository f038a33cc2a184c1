// Helpers shared by the server-*.test.mjs and ipc-*.test.mjs conformance files: a per-test scope
// that closes every server and socket it saw and unlinks its IPC paths, plus promise wrappers for
// connecting and for the outcome of a listen() that is expected to fail.
import { unlinkSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { net } from './net.mjs';
import { ipcPath, sleep } from './lib.mjs';

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

/** Resolve when `emitter` emits `event`, or reject after `ms` (bounds waits that may never end). */
export function within(emitter, event, ms = 3000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { emitter.off(event, on); reject(new Error(`no '${event}' within ${ms} ms`)); }, ms);
    const on = (...args) => { clearTimeout(timer); resolve(args); };
    emitter.once(event, on);
  });
}

/** `promise`, or a rejection after `ms`: keeps waits that may never end short. */
export function bounded(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms); }),
  ]);
}

/** Wait for a socket to close, whatever the reason (end, reset, destroy). */
export function closed(socket) {
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

export { sleep };
