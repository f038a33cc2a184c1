// Contract test for adapters/deno.ts on loopback. Build first, then:
//   node_modules/.bin/deno run -A test/contract-deno.mjs
import { transport } from '../dist/adapters/deno.mjs';

const results = [];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const within = (p, ms, what) => Promise.race([p, sleep(ms).then(() => { throw new Error(`timed out: ${what}`); })]);
function check(cond, msg) {
  if (!cond) throw new Error(msg);
}
const eq = (a, b, msg) => check(a === b, `${msg}: expected ${JSON.stringify(b)}, got ${JSON.stringify(a)}`);

async function test(name, fn) {
  const cleanups = [];
  try {
    await within(fn((c) => cleanups.push(c)), 20000, name);
    results.push([name, null]);
    console.log(`ok   ${name}`);
  } catch (err) {
    results.push([name, err]);
    console.log(`FAIL ${name}\n     ${err?.stack ?? err}`);
  } finally {
    for (const c of cleanups.reverse()) {
      try { await c(); } catch { /* best effort */ }
    }
  }
}

// A contract Failure written as the assertions compare it: 'EADDRINUSE', or 'bind EADDRINUSE'.
const show = (f) => {
  if (f === null || f === undefined) return f;
  if (typeof f !== 'object' || typeof f.code !== 'string') throw new Error(`not a contract Failure: ${String(f)}`);
  return f.syscall ? `${f.syscall} ${f.code}` : f.code;
};
// ---- promise wrappers around the callback contract ------------------------------------------------

// transport.listen is synchronous: the listener, or a thrown Failure.
async function listen(target, onConnection = () => {}) {
  const errors = [];
  try {
    return transport.listen(target, { onConnection, onError: (err) => errors.push(show(err)) });
  } catch (err) {
    throw Object.assign(new Error(show(err)), { code: show(err) });
  }
}
const tcpTarget = (port = 0, address = '127.0.0.1', family = 4) =>
  ({ kind: 'tcp', address, port, family, backlog: 511, ipv6Only: false, reusePort: false });
const ipcTarget = (path, extra = {}) => ({ kind: 'ipc', path, backlog: 511, readableAll: false, writableAll: false, ...extra });

function connect(target) {
  return new Promise((resolve, reject) => {
    transport.connect(target, (err, conn) => {
      if (err) reject(Object.assign(new Error(show(err)), { code: show(err) }));
      else resolve(conn);
    });
  });
}
const connectTcp = (port, address = '127.0.0.1', family = 4) => connect({ kind: 'tcp', address, port, family });
const closeConn = (c) => new Promise((r) => c.close(r));
const closeListener = (l) => new Promise((r) => l.close(r));
const write = (c, chunks) => new Promise((r) => c.write(chunks, (err) => r(show(err))));
const shutdown = (c) => new Promise((r) => c.shutdown((err) => r(show(err))));

/** A receiver that records everything; `until(n)` waits for n bytes, `ended` for EOF. */
function recorder(conn, start = true) {
  const rec = { chunks: [], bytes: 0, ended: false, errors: [], events: [] };
  let wake = () => {};
  const changed = () => new Promise((r) => { wake = r; });
  conn.setReceiver({
    onData(chunk) { rec.chunks.push(chunk); rec.bytes += chunk.byteLength; rec.events.push('data'); wake(); },
    onEnd() { rec.ended = true; rec.events.push('end'); wake(); },
    onError(err) { const code = show(err); rec.errors.push(code); rec.events.push(`error ${code}`); wake(); },
  });
  rec.until = async (n) => { while (rec.bytes < n && !rec.ended && !rec.errors.length) await changed(); return rec; };
  rec.untilEnd = async () => { while (!rec.ended && !rec.errors.length) await changed(); return rec; };
  rec.data = () => concat(rec.chunks);
  if (start) conn.readStart();
  return rec;
}

function concat(chunks) {
  const total = chunks.reduce((n, c) => n + c.byteLength, 0);
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) { out.set(c, off); off += c.byteLength; }
  return out;
}
function pattern(n, seed = 7) {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) { x = (x * 1103515245 + 12345) >>> 0; out[i] = x >>> 24; }
  return out;
}
function sameBytes(a, b, what) {
  eq(a.byteLength, b.byteLength, `${what} length`);
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) throw new Error(`${what}: byte ${i} differs`);
}
const exists = (p) => { try { Deno.lstatSync(p); return true; } catch { return false; } };
const tmp = Deno.makeTempDirSync({ prefix: 'crossnet-contract-' });

/** A TCP server whose accepted connections echo everything and end after the peer ends. */
async function echoServer(target = tcpTarget()) {
  const conns = [];
  const l = await listen(target, (conn) => {
    conns.push(conn);
    conn.setReceiver({
      onData(chunk) { conn.write([chunk], () => {}); },
      onEnd() { conn.shutdown(() => {}); },
      onError() { conn.close(); },
    });
    conn.readStart();
  });
  return { l, conns, close: async () => { for (const c of conns) await closeConn(c); await closeListener(l); } };
}

// ---- tests ---------------------------------------------------------------------------------------

await test('capabilities and runtime name', async () => {
  const c = transport.capabilities;
  for (const k of ['localAddress', 'keepAliveDelay', 'reset', 'backlog', 'ipv6Only', 'reusePort', 'ipcPermissions',
    'abstractIpc', 'adoptFd', 'typeOfService']) eq(typeof c[k], 'boolean', k);
  check(transport.runtime.startsWith('Deno'), `runtime ${transport.runtime}`);
  eq(c.reusePort, typeof Deno.listenDatagram === 'function', 'reusePort follows --unstable-net');
});

await test('tcp: echo 8 MiB in mixed writes, bytes intact, ordered write callbacks', async (cleanup) => {
  const srv = await echoServer();
  cleanup(srv.close);
  const port = srv.l.endpoint().port;
  const client = await connectTcp(port);
  cleanup(() => closeConn(client));
  const rec = recorder(client);
  const data = pattern(8 * 1024 * 1024);
  const order = [];
  const pending = [];
  let off = 0;
  let i = 0;
  // Alternate: one large chunk per write, then a writev of many small chunks; all queued at once.
  while (off < data.length) {
    const id = i++;
    let chunks;
    if (id % 2 === 0) {
      chunks = [data.subarray(off, Math.min(off + 300 * 1024, data.length))];
    } else {
      chunks = [];
      for (let k = 0; k < 50 && off < data.length; k++) {
        const end = Math.min(off + 1 + ((k * 37) % 900), data.length);
        chunks.push(data.subarray(off, end));
        off = end;
      }
      chunks.push(new Uint8Array(0));
    }
    if (id % 2 === 0) off += chunks[0].byteLength;
    pending.push(new Promise((r) => client.write(chunks, (err) => { order.push(id); r(err); })));
  }
  const errs = await Promise.all(pending);
  check(errs.every((e) => e === null), `write errors ${errs.filter(Boolean)}`);
  for (let k = 0; k < order.length; k++) if (order[k] !== k) throw new Error(`write callbacks out of order at ${k}: ${order.slice(0, k + 2)}`);
  eq(await shutdown(client), null, 'shutdown');
  await rec.untilEnd();
  eq(rec.errors.length, 0, 'read errors');
  sameBytes(rec.data(), data, 'echoed data');
});

await test('write: an empty write completes, in order with others', async (cleanup) => {
  const srv = await echoServer();
  cleanup(srv.close);
  const client = await connectTcp(srv.l.endpoint().port);
  cleanup(() => closeConn(client));
  const rec = recorder(client);
  const order = [];
  const a = new Promise((r) => client.write([new Uint8Array([1, 2])], (e) => { order.push('a'); r(e); }));
  const b = new Promise((r) => client.write([], (e) => { order.push('b'); r(e); }));
  const c = new Promise((r) => client.write([new Uint8Array([3])], (e) => { order.push('c'); r(e); }));
  eq(JSON.stringify(await Promise.all([a, b, c])), '[null,null,null]', 'results');
  eq(order.join(''), 'abc', 'callback order');
  await rec.until(3);
  eq(Array.from(rec.data()).join(','), '1,2,3', 'bytes');
});

await test('readStop: backpressure stalls the writer; readStart drains everything', async (cleanup) => {
  let server;
  const accepted = new Promise((r) => { server = r; });
  const l = await listen(tcpTarget(), (c) => server(c));
  cleanup(() => closeListener(l));
  const client = await connectTcp(l.endpoint().port);
  cleanup(() => closeConn(client));
  const conn = await accepted;
  cleanup(() => closeConn(conn));
  const rec = recorder(conn, false); // not reading yet
  const chunk = pattern(1024 * 1024, 3);
  const total = 64;
  let completed = 0;
  const all = [];
  for (let k = 0; k < total; k++) all.push(new Promise((r) => client.write([chunk], (e) => { completed++; r(e); })));
  await sleep(300);
  const at300 = completed;
  await sleep(300);
  check(completed < total, `all ${total} MiB of writes completed although the peer never read`);
  eq(completed, at300, 'writes kept completing while the peer was not reading');
  eq(rec.bytes, 0, 'bytes delivered before readStart');
  conn.readStart();
  // Pause again mid-stream, then resume: nothing arrives while stopped, nothing is lost.
  await rec.until(4 * 1024 * 1024);
  conn.readStop();
  await sleep(50);
  const stoppedAt = rec.bytes;
  await sleep(150);
  eq(rec.bytes, stoppedAt, 'onData while stopped');
  conn.readStart();
  await rec.until(total * chunk.length);
  const errs = await Promise.all(all);
  check(errs.every((e) => e === null), 'write errors');
  eq(rec.bytes, total * chunk.length, 'bytes received');
  const got = rec.data();
  for (let k = 0; k < total; k++) sameBytes(got.subarray(k * chunk.length, (k + 1) * chunk.length), chunk, `chunk ${k}`);
});

await test('readStart: bytes sent before the receiver starts reading are not lost', async (cleanup) => {
  let server;
  const accepted = new Promise((r) => { server = r; });
  const l = await listen(tcpTarget(), (c) => server(c));
  cleanup(() => closeListener(l));
  const client = await connectTcp(l.endpoint().port);
  cleanup(() => closeConn(client));
  const conn = await accepted;
  cleanup(() => closeConn(conn));
  eq(await write(client, [new TextEncoder().encode('early bytes')]), null, 'write');
  eq(await shutdown(client), null, 'shutdown');
  await sleep(50);
  const rec = recorder(conn);
  await rec.untilEnd();
  eq(new TextDecoder().decode(rec.data()), 'early bytes', 'data');
  eq(rec.events.at(-1), 'end', 'end last');
});

await test('shutdown: peer sees onEnd while the other direction still works', async (cleanup) => {
  let server;
  const accepted = new Promise((r) => { server = r; });
  const l = await listen(tcpTarget(), (c) => server(c));
  cleanup(() => closeListener(l));
  const client = await connectTcp(l.endpoint().port);
  cleanup(() => closeConn(client));
  const conn = await accepted;
  cleanup(() => closeConn(conn));
  const srec = recorder(conn);
  const crec = recorder(client);
  client.write([new TextEncoder().encode('ping')], () => {});
  eq(await shutdown(client), null, 'client shutdown');
  await srec.untilEnd();
  eq(new TextDecoder().decode(srec.data()), 'ping', 'server got');
  eq(crec.ended, false, 'client ended early');
  eq(await write(conn, [new TextEncoder().encode('pong')]), null, 'server write after peer FIN');
  await crec.until(4);
  eq(new TextDecoder().decode(crec.data()), 'pong', 'client got');
  eq(await shutdown(conn), null, 'server shutdown');
  await crec.untilEnd();
  eq(crec.errors.length + srec.errors.length, 0, 'errors');
  // Writing after our own FIN fails with EPIPE, as the OS says.
  eq(await write(client, [new Uint8Array(1)]), 'EPIPE', 'write after shutdown');
});

await test('close: during a pending read reports nothing; done runs; close is idempotent', async (cleanup) => {
  const srv = await echoServer();
  cleanup(srv.close);
  const client = await connectTcp(srv.l.endpoint().port);
  const rec = recorder(client);
  await sleep(20); // a read is pending now
  let dones = 0;
  await new Promise((r) => client.close(() => { dones++; r(); }));
  await new Promise((r) => client.close(() => { dones++; r(); }));
  await sleep(50);
  eq(dones, 2, 'close callbacks');
  eq(rec.events.length, 0, `events after close: ${rec.events}`);
  const err = await write(client, [new Uint8Array(1)]);
  check(typeof err === 'string', 'write after close must fail');
  client.readStart(); // no-op after close
  await sleep(20);
  eq(rec.events.length, 0, 'events after readStart on a closed connection');
});

await test('close: pending writes are cancelled with an error, each callback once', async (cleanup) => {
  let server;
  const accepted = new Promise((r) => { server = r; });
  const l = await listen(tcpTarget(), (c) => server(c));
  cleanup(() => closeListener(l));
  const client = await connectTcp(l.endpoint().port);
  const conn = await accepted;
  cleanup(() => closeConn(conn));
  const big = new Uint8Array(32 * 1024 * 1024);
  const calls = [];
  client.write([big], (e) => calls.push(e));
  client.write([big], (e) => calls.push(e));
  await sleep(100);
  await closeConn(client);
  await sleep(50);
  eq(calls.length, 2, 'callbacks');
  check(calls.every((e) => typeof show(e) === 'string'), `results ${calls.map(show)}`);
});

await test('connect: ECONNREFUSED on a closed port', async () => {
  const l = await listen(tcpTarget());
  const port = l.endpoint().port;
  await closeListener(l);
  const err = await connectTcp(port).then(() => null, (e) => e.code);
  eq(err, 'ECONNREFUSED', 'code');
});

await test('listen: EADDRINUSE on a second listen; the port is free again once close() is done', async (cleanup) => {
  const l = await listen(tcpTarget());
  const port = l.endpoint().port;
  const err = await listen(tcpTarget(port)).then((x) => { x.close(); return null; }, (e) => e.code);
  eq(err, 'EADDRINUSE', 'code');
  await closeListener(l); // an accept is pending here
  const again = await listen(tcpTarget(port));
  cleanup(() => closeListener(again));
  eq(again.endpoint().port, port, 'relisten port');
});

await test('listener.close: a connect or listen issued right after close() sees the socket gone, as on Node', async (cleanup) => {
  const l = await listen(tcpTarget());
  const port = l.endpoint().port;
  await sleep(10); // an accept is pending
  l.close(); // no waiting for the callback
  eq(await connectTcp(port).then((c) => { c.close(); return null; }, (e) => e.code), 'ECONNREFUSED', 'connect after close()');
  const path = `${tmp}/reuse.sock`;
  const li = await listen(ipcTarget(path));
  await sleep(10);
  li.close();
  const again = await listen(ipcTarget(path)); // the old file is gone and the name free
  cleanup(() => closeListener(again));
  const l2 = await listen(tcpTarget(port));
  cleanup(() => closeListener(l2));
  l2.close();
  const l3 = await listen(tcpTarget(port));
  cleanup(() => closeListener(l3));
  eq(l3.endpoint().port, port, 'relisten right after close()');
});

await test('listen: EADDRNOTAVAIL for an address that is not local', async () => {
  const err = await listen(tcpTarget(0, '192.0.2.1')).then((x) => { x.close(); return null; }, (e) => e.code);
  eq(err, 'EADDRNOTAVAIL', 'code');
});

await test('endpoints: tcp IPv4 and IPv6', async (cleanup) => {
  const srv4 = await echoServer();
  cleanup(srv4.close);
  const ep = srv4.l.endpoint();
  eq(JSON.stringify({ ...ep, port: 0 }), JSON.stringify({ address: '127.0.0.1', port: 0, family: 'IPv4' }), 'listener endpoint');
  const c4 = await connectTcp(ep.port);
  cleanup(() => closeConn(c4));
  const r = c4.remoteEndpoint();
  const lo = c4.localEndpoint();
  eq(r.address, '127.0.0.1', 'remote address');
  eq(r.port, ep.port, 'remote port');
  eq(r.family, 'IPv4', 'remote family');
  check(lo.port > 0 && lo.address === '127.0.0.1' && lo.family === 'IPv4', `local ${JSON.stringify(lo)}`);
  eq(c4.kind, 'tcp', 'kind');
  eq(c4.fd, -1, 'fd');
  await sleep(20);
  const sc = srv4.conns[0];
  eq(sc.remoteEndpoint().port, lo.port, 'server-side remote port');
  eq(sc.localEndpoint().port, ep.port, 'server-side local port');

  const srv6 = await echoServer(tcpTarget(0, '::1', 6));
  cleanup(srv6.close);
  const ep6 = srv6.l.endpoint();
  eq(ep6.address, '::1', 'v6 listener address (no brackets)');
  eq(ep6.family, 'IPv6', 'v6 listener family');
  const c6 = await connectTcp(ep6.port, '::1', 6);
  cleanup(() => closeConn(c6));
  eq(JSON.stringify(c6.remoteEndpoint()), JSON.stringify({ address: '::1', port: ep6.port, family: 'IPv6' }), 'v6 remote');
  eq(c6.localEndpoint().family, 'IPv6', 'v6 local family');
  const rec = recorder(c6);
  c6.write([new Uint8Array([9, 9])], () => {});
  await rec.until(2);
  eq(rec.bytes, 2, 'v6 echo');
});

await test('listen ::  is dual-stack; an IPv4 client shows as ::ffff:127.0.0.1', async (cleanup) => {
  const srv = await echoServer(tcpTarget(0, '::', 6));
  cleanup(srv.close);
  const ep = srv.l.endpoint();
  eq(ep.address, '::', 'address');
  const c = await connectTcp(ep.port);
  cleanup(() => closeConn(c));
  await sleep(20);
  eq(srv.conns[0].remoteEndpoint().address, '::ffff:127.0.0.1', 'mapped remote');
  eq(srv.conns[0].remoteEndpoint().family, 'IPv6', 'mapped family');
});

await test('ipc: listen/connect/echo; endpoints; socket file removed on close', async (cleanup) => {
  const path = `${tmp}/echo.sock`;
  const srv = await echoServer(ipcTarget(path));
  let closed = false;
  cleanup(() => (closed ? undefined : srv.close()));
  eq(srv.l.endpoint(), path, 'listener endpoint');
  check(exists(path), 'socket file exists while listening');
  const c = await connect({ kind: 'ipc', path });
  eq(c.kind, 'ipc', 'kind');
  const rec = recorder(c);
  const data = pattern(3 * 1024 * 1024, 11);
  eq(await write(c, [data]), null, 'write');
  eq(await shutdown(c), null, 'shutdown');
  await rec.untilEnd();
  sameBytes(rec.data(), data, 'ipc echo');
  eq(c.remoteEndpoint(), path, 'client remote');
  eq(c.localEndpoint(), '', 'client local (unnamed)');
  eq(srv.conns[0].localEndpoint(), path, 'server-side local');
  await closeConn(c);
  await srv.close();
  closed = true;
  check(!exists(path), 'socket file still exists after close');
});

await test('ipc: socket file removed on close while an accept is pending', async () => {
  const path = `${tmp}/pending.sock`;
  const l = await listen(ipcTarget(path));
  await sleep(10);
  await closeListener(l);
  check(!exists(path), 'socket file still exists after close');
  // and the path can be listened on again
  const l2 = await listen(ipcTarget(path));
  await closeListener(l2);
});

await test('ipc: ENOENT for a missing path; EADDRINUSE for a path in use', async (cleanup) => {
  eq(await connect({ kind: 'ipc', path: `${tmp}/missing.sock` }).then(() => null, (e) => e.code), 'ENOENT', 'connect');
  const path = `${tmp}/inuse.sock`;
  const l = await listen(ipcTarget(path));
  cleanup(() => closeListener(l));
  eq(await listen(ipcTarget(path)).then((x) => { x.close(); return null; }, (e) => e.code), 'EADDRINUSE', 'listen');
  eq(await listen(ipcTarget(`${tmp}/no/such/dir.sock`)).then((x) => { x.close(); return null; }, (e) => e.code), 'ENOENT', 'listen in missing dir');
});

await test('ipc: connect to a socket file nobody listens on is ECONNREFUSED', async () => {
  // A bound-but-closed socket file: listen, then remove our listener's file handling by copying the inode.
  const path = `${tmp}/stale.sock`;
  const l = Deno.listen({ transport: 'unix', path });
  const keep = `${tmp}/stale-link.sock`;
  Deno.linkSync(path, keep); // a second name survives Deno's unlink on close
  l.close();
  await sleep(10);
  try {
    eq(await connect({ kind: 'ipc', path: keep }).then(() => null, (e) => e.code), 'ECONNREFUSED', 'code');
  } finally {
    Deno.removeSync(keep);
  }
});

await test('ipc: a path of exactly 108 bytes works (no NUL), 109 bytes is EINVAL', async (cleanup) => {
  // A long file name (not only a long directory), so no shorter directory alias could help.
  const pathOf = (n) => `${tmp}/` + 'q'.repeat(n - tmp.length - 1);
  const path = pathOf(108);
  eq(new TextEncoder().encode(path).byteLength, 108, 'length');
  const links = () => [...Deno.readDirSync('/tmp')].filter((e) => e.name.startsWith(`.crossnet-${Deno.pid}-`)).length;
  const srv = await echoServer(ipcTarget(path));
  let closed = false;
  cleanup(() => (closed ? undefined : srv.close()));
  eq(srv.l.endpoint(), path, 'listener endpoint');
  check(Deno.lstatSync(path).isSocket, 'the socket file is at the full path');
  eq(await listen(ipcTarget(path)).then((x) => { x.close(); return null; }, (e) => e.code), 'EADDRINUSE', 'second listen');
  const c = await connect({ kind: 'ipc', path });
  const rec = recorder(c);
  c.write([new Uint8Array([4, 5, 6])], () => {});
  await rec.until(3);
  eq(rec.bytes, 3, 'echo');
  eq(c.remoteEndpoint(), path, 'client remote endpoint');
  eq(srv.conns[0].localEndpoint(), path, 'server-side local endpoint');
  await closeConn(c);
  await srv.close();
  closed = true;
  check(!exists(path), 'socket file removed on close');
  eq(links(), 0, 'helper symlinks left behind');
  const long = pathOf(109);
  eq(await listen(ipcTarget(long)).then((x) => { x.close(); return null; }, (e) => e.code), 'EINVAL', 'listen 109');
  eq(await connect({ kind: 'ipc', path: long }).then((x) => { x.close(); return null; }, (e) => e.code), 'EINVAL', 'connect 109');
  check(!exists(long) && !exists(long.slice(0, 108)), 'nothing created for a 109-byte path');
});

await test('ipc: readableAll/writableAll set the socket file mode', async (cleanup) => {
  check(transport.capabilities.ipcPermissions, 'capability');
  const path = `${tmp}/perm.sock`;
  const l = await listen(ipcTarget(path, { readableAll: true, writableAll: true }));
  cleanup(() => closeListener(l));
  const mode = Deno.statSync(path).mode & 0o777;
  eq(mode & 0o666, 0o666, `mode ${mode.toString(8)}`);
  const path2 = `${tmp}/perm2.sock`;
  const l2 = await listen(ipcTarget(path2, { readableAll: true }));
  cleanup(() => closeListener(l2));
  eq(Deno.statSync(path2).mode & 0o444, 0o444, 'readable');
});

await test('ipc: abstract socket names', async (cleanup) => {
  check(transport.capabilities.abstractIpc, 'capability');
  const name = `\0crossnet-contract-${Deno.pid}`;
  const srv = await echoServer(ipcTarget(name));
  cleanup(srv.close);
  eq(srv.l.endpoint(), name, 'endpoint');
  const c = await connect({ kind: 'ipc', path: name });
  cleanup(() => closeConn(c));
  const rec = recorder(c);
  c.write([new Uint8Array([1, 2, 3])], () => {});
  await rec.until(3);
  eq(rec.bytes, 3, 'echo');
});

await test('connect: cancel means done never runs and the late connection is closed', async (cleanup) => {
  const accepted = [];
  const conns = [];
  const l = await listen(tcpTarget(), (c) => { conns.push(c); accepted.push(recorder(c)); });
  cleanup(async () => { for (const c of conns) await closeConn(c); await closeListener(l); });
  let called = 0;
  const pending = transport.connect({ kind: 'tcp', address: '127.0.0.1', port: l.endpoint().port, family: 4 }, () => { called++; });
  pending.cancel();
  pending.cancel();
  const p2 = transport.connect({ kind: 'ipc', path: `${tmp}/missing.sock` }, () => { called++; });
  p2.cancel();
  await sleep(200);
  eq(called, 0, 'done calls');
  // If the connect got through before the abort, the server must see it closed.
  for (const rec of accepted) {
    await rec.untilEnd();
    check(rec.ended || rec.errors.length, 'late connection left open');
  }
  // A Unix connect cannot be aborted, so it completes after cancel(): the adapter must close it.
  const path = `${tmp}/cancel.sock`;
  const ipcAccepted = [];
  const ipcConns = [];
  const li = await listen(ipcTarget(path), (c) => { ipcConns.push(c); ipcAccepted.push(recorder(c)); });
  cleanup(async () => { for (const c of ipcConns) await closeConn(c); await closeListener(li); });
  let called2 = 0;
  transport.connect({ kind: 'ipc', path }, () => { called2++; }).cancel();
  while (ipcAccepted.length === 0) await sleep(5);
  await ipcAccepted[0].untilEnd();
  eq(ipcAccepted[0].ended, true, 'the late connection was closed');
  await sleep(50);
  eq(called2, 0, 'done calls after cancel');
});

await test('setNoDelay / setKeepAlive / ref / unref do not throw, also after close', async (cleanup) => {
  const srv = await echoServer();
  cleanup(srv.close);
  const c = await connectTcp(srv.l.endpoint().port);
  c.setNoDelay(true);
  c.setNoDelay(false);
  c.setKeepAlive(true, 0);
  c.setKeepAlive(false, 0);
  c.unref();
  c.ref();
  await closeConn(c);
  c.setNoDelay(true);
  c.setKeepAlive(true, 0);
  c.unref();
  c.ref();
});

async function runChild(code, flags = []) {
  const file = `${tmp}/child-${Math.random().toString(36).slice(2)}.mjs`;
  Deno.writeTextFileSync(file, code);
  const child = new Deno.Command(Deno.execPath(), { args: ['run', '-A', '--quiet', ...flags, file], stdout: 'piped', stderr: 'piped' }).spawn();
  const timer = setTimeout(() => { try { child.kill('SIGKILL'); } catch { /* gone */ } }, 5000);
  const out = await child.output();
  clearTimeout(timer);
  return { code: out.code, signal: out.signal, stdout: new TextDecoder().decode(out.stdout), stderr: new TextDecoder().decode(out.stderr) };
}
const adapterUrl = new URL('../dist/adapters/deno.mjs', import.meta.url).href;

await test('unref: an unref\'d listener and connection let the process exit', async () => {
  const r = await runChild(`
    import { transport } from ${JSON.stringify(adapterUrl)};
    const l = transport.listen({ kind: 'tcp', address: '127.0.0.1', port: 0, family: 4, backlog: 511, ipv6Only: false, reusePort: false },
      { onConnection(c) { c.setReceiver({ onData() {}, onEnd() {}, onError() {} }); c.readStart(); c.unref(); }, onError() {} });
    l.unref();
    transport.connect({ kind: 'tcp', address: '127.0.0.1', port: l.endpoint().port, family: 4 }, (err, c) => {
      c.setReceiver({ onData() {}, onEnd() {}, onError() {} });
      c.readStart();
      c.unref();
      console.log('ready');
    });
  `);
  eq(r.signal, null, `child was killed (did not exit by itself); stderr ${r.stderr}`);
  eq(r.stdout.trim(), 'ready', 'child output');
  // And the control: a ref'd listener keeps it alive (so the check above can fail).
  const r2 = await runChild(`
    import { transport } from ${JSON.stringify(adapterUrl)};
    const l = transport.listen({ kind: 'tcp', address: '127.0.0.1', port: 0, family: 4, backlog: 511, ipv6Only: false, reusePort: false },
      { onConnection() {}, onError() {} });
    l.unref(); l.ref(); console.log('ready');
  `);
  eq(r2.signal, 'SIGKILL', 'a ref\'d listener should keep the child alive until killed');
});

await test('reusePort: available under --unstable-net, two listeners share a port', async () => {
  const code = `
    import { transport } from ${JSON.stringify(adapterUrl)};
    const t = (port) => ({ kind: 'tcp', address: '127.0.0.1', port, family: 4, backlog: 511, ipv6Only: false, reusePort: true });
    const ev = { onConnection(c) { c.close(); }, onError() {} };
    console.log(transport.capabilities.reusePort);
    try {
      const l1 = transport.listen(t(0), ev);
      try {
        const l2 = transport.listen(t(l1.endpoint().port), ev);
        console.log('shared');
        l2.close();
      } catch (e2) { console.log(e2); }
      l1.close();
    } catch (e) { console.log(e); }
  `;
  const on = await runChild(code, ['--unstable-net']);
  eq(on.stdout.trim().split('\n').join(' '), 'true shared', `with the flag (stderr ${on.stderr})`);
  const off = await runChild(code);
  eq(off.stdout.trim().split('\n')[0], 'false', 'capability without the flag');
});

await test('read: a reset from the peer is onError(ECONNRESET)', async (cleanup) => {
  // Deno cannot send RST itself, so a Node child does (socket.resetAndDestroy).
  let node;
  try {
    node = new Deno.Command('node', { args: ['-e', `
      const net = require('node:net');
      const s = net.createServer((c) => { c.on('data', () => { c.resetAndDestroy(); s.close(); }); })
        .listen(0, '127.0.0.1', () => console.log(s.address().port));
    `], stdout: 'piped', stderr: 'inherit' }).spawn();
  } catch {
    console.log('     (node not found: skipped)');
    return;
  }
  cleanup(async () => { try { node.kill(); } catch { /* exited */ } await node.status; });
  const reader = node.stdout.getReader();
  let text = '';
  while (!text.includes('\n')) { const { value, done } = await reader.read(); if (done) break; text += new TextDecoder().decode(value); }
  reader.releaseLock();
  const c = await connectTcp(Number(text.trim()));
  cleanup(() => closeConn(c));
  const rec = recorder(c);
  c.write([new Uint8Array([1])], () => {});
  await rec.untilEnd();
  eq(rec.errors.join(), 'ECONNRESET', `events ${rec.events}`);
});

await test('listener: close with and without done; ref/unref after close are harmless', async () => {
  const l = await listen(tcpTarget());
  let n = 0;
  l.close();
  await new Promise((r) => l.close(() => { n++; r(); }));
  eq(n, 1, 'done');
  l.ref();
  l.unref();
  eq(l.fd, -1, 'fd');
});

Deno.removeSync(tmp, { recursive: true });
const failed = results.filter(([, e]) => e).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
if (failed) Deno.exit(1);
