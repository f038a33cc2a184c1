// Contract test for adapters/bun.ts, on loopback. Run after building:
//   node_modules/.bin/bun test/contract-bun.mjs
// Drives the transport directly (no core) and checks what the core relies on: bytes and order,
// backpressure, half-close, errors as Node codes, IPC files, cancel, endpoints, capabilities.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { transport } from '../dist/adapters/bun.mjs';

if (typeof globalThis.Bun === 'undefined') {
  console.error('run this with bun');
  process.exit(2);
}

const results = [];
const tests = [];
const test = (name, fn) => tests.push({ name, fn });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crossnet-bun-'));
let seq = 0;
const sockPath = () => path.join(tmp, `s${seq++}.sock`);

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}
function eq(actual, expected, msg) {
  if (actual !== expected) throw new Error(`${msg}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

/** Resolves when `pred()` holds; fails after `ms`. */
async function until(pred, ms, what) {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

/** A receiver that records everything. */
// A contract Failure written as the assertions compare it: 'EADDRINUSE', or 'bind EADDRINUSE'.
const show = (f) => {
  if (f === null || f === undefined) return f;
  if (typeof f !== 'object' || typeof f.code !== 'string') throw new Error(`not a contract Failure: ${String(f)}`);
  return f.syscall ? `${f.syscall} ${f.code}` : f.code;
};
function sink(conn, { start = true } = {}) {
  const s = { chunks: [], bytes: 0, ended: false, error: null, events: [] };
  conn.setReceiver({
    onData(c) { s.chunks.push(c); s.bytes += c.byteLength; s.events.push('data'); },
    onEnd() { s.ended = true; s.events.push('end'); },
    onError(err) { const code = show(err); s.error = code; s.events.push(`error:${code}`); },
  });
  if (start) conn.readStart();
  s.text = () => Buffer.concat(s.chunks).toString();
  return s;
}

// transport.listen is synchronous: the listener, or a thrown Failure.
const listen = async (target, onConnection = () => {}, onError = () => {}) => {
  try {
    return transport.listen({ backlog: 511, ...target }, { onConnection, onError });
  } catch (err) {
    throw Object.assign(new Error(show(err)), { code: show(err) });
  }
};
const tcpTarget = (port = 0, address = '127.0.0.1', family = 4, extra = {}) => ({ kind: 'tcp', address, port, family, ipv6Only: false, reusePort: false, ...extra });
const connect = (target) => new Promise((resolve, reject) => {
  transport.connect(target, (err, conn) => (err ? reject(Object.assign(new Error(show(err)), { code: show(err) })) : resolve(conn)));
});
const connectErr = (target) => connect(target).then((c) => { c.close(); return null; }, (e) => e.code);
const closeListener = (l) => new Promise((r) => l.close(r));
const closeConn = (c) => new Promise((r) => c.close(r));

/** A listener plus a connected pair (client, accepted). */
async function pair(target = tcpTarget(), connectTarget) {
  let accepted;
  const l = await listen(target, (c) => { accepted = c; });
  const ep = l.endpoint();
  const client = await connect(connectTarget ?? (typeof ep === 'string' ? { kind: 'ipc', path: ep } : { kind: 'tcp', address: ep.address, port: ep.port, family: ep.family === 'IPv6' ? 6 : 4 }));
  await until(() => accepted, 2000, 'accept');
  return { l, client, server: accepted };
}

function pattern(n, seed) {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed + (i >> 12)) & 255;
  return b;
}

const writeP = (conn, chunks) => new Promise((r) => conn.write(chunks, (err) => r(show(err))));

// ---------------------------------------------------------------------------------------------

test('capabilities and runtime', async () => {
  const c = transport.capabilities;
  for (const k of ['localAddress', 'keepAliveDelay', 'reset', 'backlog', 'ipv6Only', 'reusePort', 'ipcPermissions', 'abstractIpc', 'adoptFd', 'typeOfService']) {
    eq(typeof c[k], 'boolean', `capability ${k}`);
  }
  assert(transport.runtime.startsWith('Bun '), `runtime is ${transport.runtime}`);
});

test('tcp: endpoints on both ends', async () => {
  const { l, client, server } = await pair();
  const lep = l.endpoint();
  eq(lep.address, '127.0.0.1', 'listener address');
  eq(lep.family, 'IPv4', 'listener family');
  assert(lep.port > 0, 'listener port');
  const cl = client.localEndpoint(), cr = client.remoteEndpoint(), sl = server.localEndpoint(), sr = server.remoteEndpoint();
  eq(cr.port, lep.port, 'client remote port');
  eq(sl.port, lep.port, 'server local port');
  eq(sr.port, cl.port, 'server remote port = client local port');
  eq(sr.address, '127.0.0.1', 'server remote address');
  eq(client.kind, 'tcp', 'kind');
  assert(client.fd > 2 && server.fd > 2, 'fds');
  await closeConn(client); await closeConn(server); await closeListener(l);
});

test('tcp: 8 MiB each way, mixed single and vectored writes, bytes and order intact', async () => {
  const { l, client, server } = await pair();
  const N = 8 << 20;
  const up = pattern(N, 1), down = pattern(N, 7);
  const cs = sink(client), ss = sink(server);
  const pump = async (conn, data) => {
    let off = 0, k = 0, inflight = [];
    while (off < data.length) {
      // 1..5 chunks per write, sizes from 1 byte to 300 KiB; several writes before any callback.
      const parts = [];
      for (let j = (k % 5) + 1; j > 0 && off < data.length; j--) {
        const len = Math.min(data.length - off, [1, 100, 4096, 70000, 300000][(k + j) % 5]);
        parts.push(data.subarray(off, off + len)); off += len;
      }
      k++;
      inflight.push(writeP(conn, parts));
      if (inflight.length >= 8) { const errs = await Promise.all(inflight); assert(errs.every((e) => e === null), `write errors ${errs}`); inflight = []; }
    }
    const errs = await Promise.all(inflight);
    assert(errs.every((e) => e === null), `write errors ${errs}`);
    await new Promise((r) => conn.shutdown((e) => { eq(e, null, 'shutdown'); r(); }));
  };
  await Promise.all([pump(client, up), pump(server, down)]);
  await until(() => cs.ended && ss.ended, 10000, 'both ends');
  // Compare at the end: also proves no chunk handed over earlier was reused.
  assert(Buffer.concat(ss.chunks).equals(up), 'server received the exact client stream');
  assert(Buffer.concat(cs.chunks).equals(down), 'client received the exact server stream');
  assert(ss.chunks.every((c) => Buffer.isBuffer(c)), 'chunks are Buffers');
  await closeConn(client); await closeConn(server); await closeListener(l);
});

test('tcp: writes issued before earlier callbacks keep order, each callback once', async () => {
  const { l, client, server } = await pair();
  const ss = sink(server);
  const calls = new Array(200).fill(0);
  const expected = [];
  for (let i = 0; i < 200; i++) {
    const b = Buffer.from(`<${i}:${'x'.repeat(i * 97 % 5000)}>`);
    expected.push(b);
    client.write([b], (e) => { eq(e, null, 'write'); calls[i]++; });
  }
  client.shutdown(() => {});
  await until(() => ss.ended, 5000, 'end');
  assert(Buffer.concat(ss.chunks).equals(Buffer.concat(expected)), 'order');
  await until(() => calls.every((n) => n === 1), 2000, 'callbacks');
  await sleep(20);
  assert(calls.every((n) => n === 1), 'each callback exactly once');
  await closeConn(client); await closeConn(server); await closeListener(l);
});

test('tcp: readStop gives backpressure (writes stall), readStart resumes with nothing lost', async () => {
  const { l, client, server } = await pair();
  const ss = sink(server, { start: false }); // never started: same as stopped
  const total = 64 << 20;
  const data = pattern(1 << 20, 3);
  let done = 0, issued = 0;
  for (; issued < total / data.length; issued++) client.write([data], (e) => { eq(e, null, 'write'); done++; });
  await sleep(300);
  const stalledAt = done;
  await sleep(200);
  eq(done, stalledAt, 'no write completes while the reader is stopped');
  assert(done < issued, `writes stall (${done}/${issued} completed)`);
  assert(ss.bytes === 0, 'nothing delivered before readStart');
  server.readStart();
  await until(() => ss.bytes >= 4 << 20, 5000, 'some data');
  // Stop again mid-stream: delivery must stop too (one kept read at most may still arrive).
  server.readStop();
  await sleep(50);
  const stoppedBytes = ss.bytes;
  await sleep(200);
  eq(ss.bytes, stoppedBytes, 'no onData while stopped');
  server.readStart();
  await until(() => done === issued, 20000, 'all writes complete');
  await until(() => ss.bytes === total, 20000, 'all bytes');
  const all = Buffer.concat(ss.chunks);
  for (let i = 0; i < issued; i += 7) assert(all.subarray(i * data.length, (i + 1) * data.length).equals(data), `block ${i} intact`);
  await closeConn(client); await closeConn(server); await closeListener(l);
});

test('tcp: bytes and FIN that arrive before readStart are kept, in order', async () => {
  const { l, client, server } = await pair();
  await writeP(client, [Buffer.from('early bytes')]);
  await new Promise((r) => client.shutdown(r));
  await sleep(100);
  const ss = sink(server);
  await until(() => ss.ended, 2000, 'end');
  eq(ss.text(), 'early bytes', 'data');
  eq(ss.events.at(-1), 'end', 'end after data');
  await closeConn(client); await closeConn(server); await closeListener(l);
});

test('tcp: shutdown → peer onEnd while the other direction keeps working', async () => {
  const { l, client, server } = await pair();
  const cs = sink(client), ss = sink(server);
  await writeP(client, [Buffer.from('ping')]);
  let shutErr = 'unset';
  client.shutdown((e) => { shutErr = e; });
  await until(() => ss.ended, 2000, 'server onEnd');
  eq(shutErr, null, 'shutdown callback');
  eq(ss.text(), 'ping', 'server data');
  eq(await writeP(server, [Buffer.from('still '), Buffer.from('open')]), null, 'server writes after peer FIN');
  await until(() => cs.text() === 'still open', 2000, 'client got late data');
  assert(!cs.ended, 'client not ended yet');
  server.shutdown(() => {});
  await until(() => cs.ended, 2000, 'client onEnd');
  eq(cs.error, null, 'no error');
  await closeConn(client); await closeConn(server); await closeListener(l);
});

test('tcp: shutdown waits for queued writes', async () => {
  const { l, client, server } = await pair();
  const ss = sink(server, { start: false });
  const big = pattern(16 << 20, 9);
  let wrote = null, shut = null;
  client.write([big], (e) => { wrote = e; });
  client.shutdown((e) => { shut = e; });
  await sleep(50);
  server.readStart();
  await until(() => ss.ended, 10000, 'end');
  eq(wrote, null, 'write ok'); eq(shut, null, 'shutdown ok');
  assert(Buffer.concat(ss.chunks).equals(big), 'all bytes before FIN');
  await closeConn(client); await closeConn(server); await closeListener(l);
});

test('tcp: close is idempotent, peer sees end, late write fails', async () => {
  const { l, client, server } = await pair();
  const ss = sink(server);
  let n = 0;
  client.close(() => n++);
  client.close(() => n++);
  await until(() => n === 2, 1000, 'both close callbacks');
  eq(client.fd, -1, 'fd after close');
  await until(() => ss.ended || ss.error, 2000, 'peer end');
  eq(ss.error, null, 'peer error');
  const err = await writeP(client, [Buffer.from('x')]);
  assert(typeof err === 'string', 'write after close errors');
  await closeConn(server); await closeListener(l);
});

test('tcp: writing to a peer that closed fails with EPIPE/ECONNRESET', async () => {
  const { l, client, server } = await pair();
  const cs = sink(client);
  await closeConn(server);
  let err = null;
  for (let i = 0; i < 50 && err === null; i++) { err = await writeP(client, [pattern(256 << 10, i)]); if (!err) await sleep(5); }
  assert(err === 'EPIPE' || err === 'ECONNRESET', `write error ${err}`);
  await until(() => cs.ended || cs.error, 2000, 'read side ended');
  await closeConn(client); await closeListener(l);
});

test('tcp: reset → peer gets ECONNRESET', async () => {
  assert(transport.capabilities.reset, 'reset capability');
  const { l, client, server } = await pair();
  const ss = sink(server);
  let n = 0;
  client.reset(() => n++);
  await until(() => n === 1, 1000, 'reset callback');
  await until(() => ss.error || ss.ended, 2000, 'peer notices');
  eq(ss.error, 'ECONNRESET', 'peer error');
  await closeConn(server); await closeListener(l);
});

test('tcp: ECONNREFUSED', async () => {
  const l = await listen(tcpTarget());
  const port = l.endpoint().port;
  await closeListener(l);
  eq(await connectErr({ kind: 'tcp', address: '127.0.0.1', port, family: 4 }), 'ECONNREFUSED', 'v4');
  eq(await connectErr({ kind: 'tcp', address: '::1', port, family: 6 }), 'ECONNREFUSED', 'v6');
});

test('tcp: EADDRINUSE on a second listen; listener close frees the port', async () => {
  const l = await listen(tcpTarget());
  const port = l.endpoint().port;
  const err = await listen(tcpTarget(port)).then((x) => { x.close(); return null; }, (e) => e.code);
  eq(err, 'EADDRINUSE', 'second listen');
  await closeListener(l);
  const again = await listen(tcpTarget(port));
  eq(again.endpoint().port, port, 'relisten');
  await closeListener(again);
});

test('tcp: listener close keeps accepted connections working', async () => {
  const { l, client, server } = await pair();
  const cs = sink(client), ss = sink(server);
  await closeListener(l);
  eq(l.fd, -1, 'listener fd after close');
  await writeP(client, [Buffer.from('after listener close')]);
  await until(() => ss.text() === 'after listener close', 2000, 'server data');
  await writeP(server, [Buffer.from('back')]);
  await until(() => cs.text() === 'back', 2000, 'client data');
  await closeConn(client); await closeConn(server);
});

test('tcp: cancel of a pending connect: callback never runs, late connection closed', async () => {
  const accepted = [];
  const l = await listen(tcpTarget(), (c) => { accepted.push(sink(c)); });
  const { port } = l.endpoint();
  let called = 0;
  const p = transport.connect({ kind: 'tcp', address: '127.0.0.1', port, family: 4 }, () => called++);
  p.cancel();
  const p2 = transport.connect({ kind: 'tcp', address: '127.0.0.1', port: 1, family: 4 }, () => called++);
  p2.cancel();
  await until(() => accepted.length === 1 && (accepted[0].ended || accepted[0].error), 2000, 'server sees the late connection close');
  await sleep(50);
  eq(called, 0, 'connect callbacks after cancel');
  await closeListener(l);
});

test('tcp: IPv6 endpoints, ipv6Only, dual stack', async () => {
  const { l, client, server } = await pair(tcpTarget(0, '::1', 6));
  eq(l.endpoint().family, 'IPv6', 'listener family');
  eq(client.remoteEndpoint().address, '::1', 'client remote');
  eq(server.remoteEndpoint().family, 'IPv6', 'server remote family');
  await closeConn(client); await closeConn(server); await closeListener(l);
  const only = await listen(tcpTarget(0, '::', 6, { ipv6Only: true }));
  eq(await connectErr({ kind: 'tcp', address: '127.0.0.1', port: only.endpoint().port, family: 4 }), 'ECONNREFUSED', 'v4 to ipv6Only');
  await closeListener(only);
  // Dual stack: an IPv4 peer shows up IPv4-mapped, as on Node.
  let acc;
  const dual = await listen(tcpTarget(0, '::', 6), (c) => { acc = c; });
  const c = await connect({ kind: 'tcp', address: '127.0.0.1', port: dual.endpoint().port, family: 4 });
  await until(() => acc, 1000, 'accept');
  eq(acc.remoteEndpoint().address, '::ffff:127.0.0.1', 'mapped peer address');
  eq(acc.remoteEndpoint().family, 'IPv6', 'mapped peer family');
  await closeConn(c); await closeConn(acc); await closeListener(dual);
});

test('tcp: reusePort lets two listeners share a port', async () => {
  const a = await listen(tcpTarget(0, '127.0.0.1', 4, { reusePort: true }));
  const b = await listen(tcpTarget(a.endpoint().port, '127.0.0.1', 4, { reusePort: true }));
  eq(b.endpoint().port, a.endpoint().port, 'same port');
  await closeListener(a); await closeListener(b);
});

test('tcp: connect from localAddress/localPort', async () => {
  let accepted;
  const l = await listen(tcpTarget(), (c) => { accepted = c; });
  const { port } = l.endpoint();
  const c = await connect({ kind: 'tcp', address: '127.0.0.1', port, family: 4, localAddress: '127.0.0.2' });
  await until(() => accepted, 1000, 'accept');
  eq(accepted.remoteEndpoint().address, '127.0.0.2', 'server sees the local address');
  eq(c.localEndpoint().address, '127.0.0.2', 'client local address');
  const usedPort = c.localEndpoint().port;
  // As on Node: the same 4-tuple again is connect's EADDRNOTAVAIL; a port a listener holds is
  // bind's EADDRINUSE; an address that is not this host's is bind's EADDRNOTAVAIL (bind fails
  // locally, nothing is sent; 192.0.2.1 is a documentation address).
  eq(await connectErr({ kind: 'tcp', address: '127.0.0.1', port, family: 4, localAddress: '127.0.0.2', localPort: usedPort }), 'EADDRNOTAVAIL', 'same 4-tuple');
  const holder = await listen(tcpTarget(0, '127.0.0.2'));
  eq(await connectErr({ kind: 'tcp', address: '127.0.0.1', port, family: 4, localAddress: '127.0.0.2', localPort: holder.endpoint().port }), 'bind EADDRINUSE', 'port held by a listener');
  await closeListener(holder);
  eq(await connectErr({ kind: 'tcp', address: '127.0.0.1', port, family: 4, localAddress: '192.0.2.1' }), 'bind EADDRNOTAVAIL', 'foreign local address');
  await closeConn(c); await closeConn(accepted);
  // localPort alone
  const free = await listen(tcpTarget());
  const freePort = free.endpoint().port;
  await closeListener(free);
  accepted = null;
  const c2 = await connect({ kind: 'tcp', address: '127.0.0.1', port, family: 4, localPort: freePort });
  await until(() => accepted, 1000, 'accept 2');
  eq(accepted.remoteEndpoint().port, freePort, 'server sees the local port');
  await closeConn(c2); await closeConn(accepted); await closeListener(l);
});

test('tcp: setNoDelay/setKeepAlive/typeOfService', async () => {
  const { l, client, server } = await pair();
  client.setNoDelay(true); client.setNoDelay(false);
  client.setKeepAlive(true, 7); client.setKeepAlive(false, 0);
  client.setTypeOfService(0x10); // throws a Failure when the OS refuses
  eq(client.getTypeOfService(), 0x10, 'get TOS');
  const ffi = libc();
  if (ffi) {
    const get = (fd, level, opt) => { const v = new Int32Array(1), len = new Uint32Array([4]); return ffi.getsockopt(fd, level, opt, ffi.ptr(v), ffi.ptr(len)) === 0 ? v[0] : -1; };
    client.setKeepAlive(true, 7);
    eq(get(client.fd, 1, 9), 1, 'SO_KEEPALIVE');
    eq(get(client.fd, 6, 4), 7, 'TCP_KEEPIDLE seconds');
    client.setNoDelay(true);
    eq(get(client.fd, 6, 1), 1, 'TCP_NODELAY');
  }
  await closeConn(client); await closeConn(server); await closeListener(l);
});

test('tcp: backlog reaches listen(2)', async () => {
  if (!transport.capabilities.backlog) return;
  const l = await listen({ ...tcpTarget(), backlog: 7 });
  const { port } = l.endpoint();
  const ss = Bun.spawnSync(['ss', '-ltnH']);
  if (ss.exitCode === 0) {
    const line = ss.stdout.toString().split('\n').find((x) => x.includes(`:${port} `));
    assert(line && /LISTEN\s+0\s+7\s/.test(line), `ss line: ${line}`);
  }
  await closeListener(l);
});

test('ipc: listen/connect/exchange, endpoints, socket file removed on close', async () => {
  const p = sockPath();
  const { l, client, server } = await pair({ kind: 'ipc', path: p, readableAll: false, writableAll: false });
  eq(l.endpoint(), p, 'listener endpoint');
  eq(client.kind, 'ipc', 'kind');
  eq(server.localEndpoint(), p, 'server local endpoint');
  eq(client.remoteEndpoint(), p, 'client remote endpoint');
  const cs = sink(client), ss = sink(server);
  const data = pattern(3 << 20, 5);
  eq(await writeP(client, [data]), null, 'write');
  await new Promise((r) => client.shutdown(r));
  await until(() => ss.ended, 5000, 'server end');
  assert(Buffer.concat(ss.chunks).equals(data), 'bytes');
  assert(fs.existsSync(p), 'socket file exists while listening');
  await closeListener(l);
  assert(!fs.existsSync(p), 'socket file removed on close');
  eq(await writeP(server, [Buffer.from('bye')]), null, 'accepted conn still writable');
  await until(() => cs.text() === 'bye', 2000, 'client got bye');
  await closeConn(client); await closeConn(server);
});

test('ipc: ENOENT, EADDRINUSE, ECONNREFUSED on a stale file', async () => {
  eq(await connectErr({ kind: 'ipc', path: path.join(tmp, 'missing.sock') }), 'ENOENT', 'missing path');
  const p = sockPath();
  const l = await listen({ kind: 'ipc', path: p, readableAll: false, writableAll: false });
  const err = await listen({ kind: 'ipc', path: p, readableAll: false, writableAll: false }).then((x) => { x.close(); return null; }, (e) => e.code);
  eq(err, 'EADDRINUSE', 'second listen on the path');
  await closeListener(l);
  fs.writeFileSync(p, '');
  eq(await connectErr({ kind: 'ipc', path: p }), 'ECONNREFUSED', 'not a socket');
  fs.unlinkSync(p);
});

test('connect: outcomes never arrive before connect() returns', async () => {
  const outcomes = [];
  for (const target of [{ kind: 'ipc', path: path.join(tmp, 'missing.sock') }, { kind: 'tcp', address: '127.0.0.1', port: 1, family: 4 }]) {
    let returned = false;
    await new Promise((resolve) => {
      transport.connect(target, (err) => { outcomes.push([show(err), returned]); resolve(); });
      returned = true;
    });
  }
  eq(JSON.stringify(outcomes), JSON.stringify([['ENOENT', true], ['ECONNREFUSED', true]]), 'outcomes');
});

test('ipc: a path filling all 108 bytes of sun_path works, and is removed on close', async () => {
  const dir = tmp + '/';
  const p = dir + 'L'.repeat(108 - Buffer.byteLength(dir));
  eq(Buffer.byteLength(p), 108, 'length');
  const { l, client, server } = await pair({ kind: 'ipc', path: p, readableAll: false, writableAll: false });
  eq(l.endpoint(), p, 'endpoint');
  assert(fs.statSync(p).isSocket(), 'socket file at the full path');
  const ss = sink(server);
  await writeP(client, [Buffer.from('long path')]);
  await until(() => ss.text() === 'long path', 2000, 'data');
  const err = await listen({ kind: 'ipc', path: p, readableAll: false, writableAll: false }).then((x) => { x.close(); return null; }, (e) => e.code);
  eq(err, 'EADDRINUSE', 'second listen');
  await closeListener(l);
  assert(!fs.existsSync(p), 'removed on close');
  eq(await connectErr({ kind: 'ipc', path: p }), 'ENOENT', 'connect after close');
  await closeConn(client); await closeConn(server);
});

test('ipc: readableAll/writableAll', async () => {
  const p = sockPath();
  const old = process.umask(0o077);
  try {
    const l = await listen({ kind: 'ipc', path: p, readableAll: true, writableAll: true });
    // bind made it 0700 under umask 077; libuv ORs r/w for everyone into that.
    eq((fs.statSync(p).mode & 0o777).toString(8), '766', 'readable and writable');
    await closeListener(l);
    const l2 = await listen({ kind: 'ipc', path: p, readableAll: true, writableAll: false });
    eq((fs.statSync(p).mode & 0o777).toString(8), '744', 'readable only');
    await closeListener(l2);
  } finally {
    process.umask(old);
  }
});

test('ipc: abstract names', async () => {
  if (!transport.capabilities.abstractIpc) return;
  const name = `\0crossnet-contract-${process.pid}`;
  const { l, client, server } = await pair({ kind: 'ipc', path: name, readableAll: false, writableAll: false });
  const ss = sink(server);
  await writeP(client, [Buffer.from('abstract')]);
  await until(() => ss.text() === 'abstract', 2000, 'data');
  await closeConn(client); await closeConn(server); await closeListener(l);
});

test('adopt: a connected descriptor, and listen on a descriptor', async () => {
  const ffi = libc();
  if (!ffi || !transport.capabilities.adoptFd) return;
  let accepted;
  const l = await listen(tcpTarget(), (c) => { accepted = c; });
  const { port } = l.endpoint();
  const fd = ffi.socket(2, 1, 0);
  const sa = new Uint8Array(16); sa[0] = 2; sa[2] = port >> 8; sa[3] = port & 255; sa[4] = 127; sa[7] = 1;
  eq(ffi.connect(fd, ffi.ptr(sa), 16), 0, 'raw connect');
  const conn = transport.adopt(fd);
  eq(conn.kind, 'tcp', 'adopted kind');
  eq(conn.remoteEndpoint().port, port, 'adopted remote');
  await until(() => accepted, 1000, 'accept');
  const as = sink(accepted), cs = sink(conn);
  await writeP(conn, [Buffer.from('from adopted')]);
  await until(() => as.text() === 'from adopted', 1000, 'data');
  await writeP(accepted, [Buffer.from('to adopted')]);
  await until(() => cs.text() === 'to adopted', 1000, 'data back');
  await closeConn(conn); await closeConn(accepted);
  let threw;
  try { transport.adopt(987654); } catch (e) { threw = show(e); }
  eq(threw, 'EBADF', 'adopt of a bad descriptor');
  // listen on a duplicate of a listening descriptor
  const dupFd = ffi.dup(l.fd);
  await closeListener(l);
  let acc2;
  const l2 = await listen({ kind: 'fd', fd: dupFd, backlog: 511 }, (c) => { acc2 = c; });
  eq(l2.endpoint().port, port, 'fd listener endpoint');
  const c2 = await connect({ kind: 'tcp', address: '127.0.0.1', port, family: 4 });
  await until(() => acc2, 1000, 'accept on fd listener');
  await closeConn(c2); await closeConn(acc2); await closeListener(l2);
});

test('unref: an unref\'d listener and connection let the process exit', async () => {
  const script = path.join(tmp, 'unref.mjs');
  const mod = new URL('../dist/adapters/bun.mjs', import.meta.url).href;
  fs.writeFileSync(script, `
    import { transport } from ${JSON.stringify(mod)};
    const l = transport.listen({ kind: 'tcp', address: '127.0.0.1', port: 0, family: 4, backlog: 511, ipv6Only: false, reusePort: false },
      { onConnection(c) { c.setReceiver({ onData() {}, onEnd() {}, onError() {} }); c.readStart(); c.unref(); }, onError() {} });
    const { port } = l.endpoint();
    transport.connect({ kind: 'tcp', address: '127.0.0.1', port, family: 4 }, (e, c) => {
      c.setReceiver({ onData() {}, onEnd() {}, onError() {} }); c.readStart();
      c.unref(); l.unref();
      l.ref(); l.unref();
      console.log('ready');
    });
  `);
  const t0 = Date.now();
  const child = Bun.spawn([process.execPath, script], { stdout: 'pipe', stderr: 'pipe' });
  const timer = setTimeout(() => child.kill(), 5000);
  const code = await child.exited;
  clearTimeout(timer);
  const out = await new Response(child.stdout).text();
  eq(out.trim(), 'ready', 'child output');
  eq(code, 0, 'child exit code');
  assert(Date.now() - t0 < 4000, 'exited on its own');
});

// ---------------------------------------------------------------------------------------------

let ffiCache;
function libc() {
  if (ffiCache !== undefined) return ffiCache;
  ffiCache = null;
  try {
    const { dlopen, ptr } = process.getBuiltinModule('bun:ffi');
    const { symbols } = dlopen('libc.so.6', {
      socket: { args: ['i32', 'i32', 'i32'], returns: 'i32' },
      connect: { args: ['i32', 'ptr', 'u32'], returns: 'i32' },
      dup: { args: ['i32'], returns: 'i32' },
      getsockopt: { args: ['i32', 'i32', 'i32', 'ptr', 'ptr'], returns: 'i32' },
    });
    ffiCache = { ...symbols, ptr };
  } catch {
    // FFI-based checks are skipped
  }
  return ffiCache;
}

const only = process.argv[2];
for (const t of tests) {
  if (only && !t.name.includes(only)) continue;
  const t0 = Date.now();
  try {
    await Promise.race([t.fn(), sleep(60000).then(() => { throw new Error('test timed out'); })]);
    results.push(true);
    console.log(`ok   ${t.name} (${Date.now() - t0} ms)`);
  } catch (err) {
    results.push(false);
    console.log(`FAIL ${t.name}: ${err && err.stack || err}`);
  }
}
fs.rmSync(tmp, { recursive: true, force: true });
const passed = results.filter(Boolean).length;
const failed = results.length - passed;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
