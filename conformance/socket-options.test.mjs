// Options of new net.Socket() (allowHalfOpen, readable/writable, signal, onread) and of
// socket.connect()/net.connect() (localAddress, localPort, family, hints, lookup, noDelay,
// keepAlive, blockList).
import * as assert from 'uvu/assert';
import { net } from './net.mjs';
import { suite, once, sleep, collect, lacks, assertUnsupported } from './lib.mjs';
import { startServer, closed, destroyAll, nextError, freePort, until } from './support.mjs';

const t = suite('socket-options');

// ---- allowHalfOpen -------------------------------------------------------------------------

t("new net.Socket: allowHalfOpen false (default) ends the writable side when the peer's FIN arrives", async () => {
  const srv = await startServer((s) => s.end(), { options: { allowHalfOpen: true } });
  const c = new net.Socket();
  try {
    assert.is(c.allowHalfOpen, false);
    c.connect(srv.port, '127.0.0.1');
    const peer = await srv.accepted();
    const peerEnd = once(peer, 'end');
    peer.resume();
    c.resume();
    await once(c, 'end');
    await peerEnd;
    assert.is(c.writableEnded, true);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t("new net.Socket: allowHalfOpen true keeps the writable side open after the peer's FIN", async () => {
  const srv = await startServer((s) => s.end(), { options: { allowHalfOpen: true } });
  const c = new net.Socket({ allowHalfOpen: true });
  try {
    assert.is(c.allowHalfOpen, true);
    c.connect(srv.port, '127.0.0.1');
    const peer = await srv.accepted();
    const got = collect(peer);
    c.resume();
    await once(c, 'end');
    await sleep(30);
    assert.is(c.writable, true);
    assert.is(c.writableEnded, false);
    c.write('written after ');
    c.end('the peer ended');
    assert.is((await got).toString(), 'written after the peer ended');
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('net.createConnection: the allowHalfOpen option reaches the socket', async () => {
  const srv = await startServer((s) => s.end(), { options: { allowHalfOpen: true } });
  let c;
  try {
    c = net.createConnection({ port: srv.port, host: '127.0.0.1', allowHalfOpen: true });
    assert.is(c.allowHalfOpen, true);
    c.resume();
    await once(c, 'end');
    assert.is(c.writable, true);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('new net.Socket: readable/writable false without fd leave the socket unreadable and unwritable', async () => {
  const srv = await startServer();
  const c = new net.Socket({ readable: false, writable: false });
  try {
    assert.is(c.readable, false);
    assert.is(c.writable, false);
    c.connect(srv.port, '127.0.0.1');
    await once(c, 'connect');
    assert.is(c.readable, false);
    assert.is(c.writable, false);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

// ---- signal --------------------------------------------------------------------------------

function assertAbortError(err) {
  assert.ok(err instanceof Error);
  assert.is(err.name, 'AbortError');
  assert.is(err.code, 'ABORT_ERR');
}

t('new net.Socket: aborting the signal of a connected socket destroys it with an AbortError', async () => {
  const srv = await startServer();
  const ac = new AbortController();
  let c;
  try {
    c = net.connect({ port: srv.port, host: '127.0.0.1', signal: ac.signal });
    await once(c, 'connect');
    const peer = await srv.accepted();
    const errP = nextError(c);
    const closeP = closed(c);
    ac.abort();
    assertAbortError(await errP);
    assert.is(await closeP, true);
    assert.is(c.destroyed, true);
    await once(peer, 'close');
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('new net.Socket: aborting while connecting destroys the socket without a connect event', async () => {
  const srv = await startServer();
  const ac = new AbortController();
  let c;
  try {
    c = net.connect({ port: srv.port, host: '127.0.0.1', signal: ac.signal });
    let connected = false;
    c.on('connect', () => { connected = true; });
    const errP = nextError(c);
    const closeP = closed(c);
    ac.abort();
    assert.is(c.destroyed, true);
    assertAbortError(await errP);
    await closeP;
    await sleep(50);
    assert.is(connected, false);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

// Node's own handling of this case is odd (it still connects afterwards and `destroyed` stays
// false), so only the error and the single 'close' are asserted.
t('new net.Socket: an already aborted signal emits an AbortError, then close once', async () => {
  const srv = await startServer();
  let c;
  try {
    c = net.connect({ port: srv.port, host: '127.0.0.1', signal: AbortSignal.abort() });
    let closes = 0;
    c.on('close', () => { closes++; });
    assertAbortError(await nextError(c));
    await until(() => closes > 0, 2000, 'close');
    await sleep(50);
    assert.is(closes, 1);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t("new net.Socket: the AbortError's cause is the signal's reason", async () => {
  const ac = new AbortController();
  const c = new net.Socket({ signal: ac.signal });
  const errP = nextError(c);
  const reason = new Error('the reason');
  ac.abort(reason);
  const err = await errP;
  assertAbortError(err);
  assert.is(err.cause, reason);
  assert.is(c.destroyed, true);
});

// ---- onread --------------------------------------------------------------------------------

t('new net.Socket: onread with a static Buffer reuses it, calls back with (nread, buf) on the socket, no data events', async () => {
  const srv = await startServer((s) => s.end('hello from server'));
  const buf = Buffer.alloc(4);
  const reads = [];
  let self;
  let sameBuf = true;
  let dataEvents = 0;
  let c;
  try {
    c = net.connect({
      port: srv.port,
      host: '127.0.0.1',
      onread: {
        buffer: buf,
        callback(nread, b) {
          self = this;
          if (b !== buf) sameBuf = false;
          reads.push(b.toString('latin1', 0, nread));
        },
      },
    });
    c.on('data', () => { dataEvents++; });
    await once(c, 'end');
    assert.is(self, c);
    assert.ok(sameBuf, 'the callback gets the supplied buffer');
    assert.ok(reads.every((r) => r.length <= 4));
    assert.is(reads.join(''), 'hello from server');
    assert.is(dataEvents, 0);
    assert.is(c.bytesRead, 17);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('new net.Socket: onread accepts a Uint8Array as the buffer', async () => {
  const srv = await startServer((s) => s.end('abc'));
  const u8 = new Uint8Array(64);
  let got = '';
  let same = true;
  let c;
  try {
    c = net.connect({
      port: srv.port,
      host: '127.0.0.1',
      onread: {
        buffer: u8,
        callback(nread, b) {
          if (b !== u8) same = false;
          got += Buffer.from(b.buffer, b.byteOffset, nread).toString();
        },
      },
    });
    await once(c, 'end');
    assert.is(got, 'abc');
    assert.ok(same);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('new net.Socket: onread with a buffer function uses the buffer it returns for each read', async () => {
  const srv = await startServer((s) => s.end('0123456789abcdef'));
  const handed = new Set();
  let calls = 0;
  let foreign = 0;
  let got = '';
  let c;
  try {
    c = net.connect({
      port: srv.port,
      host: '127.0.0.1',
      onread: {
        buffer: () => { calls++; const b = Buffer.alloc(5); handed.add(b); return b; },
        callback(nread, b) {
          if (!handed.has(b)) foreign++;
          got += b.toString('latin1', 0, nread);
        },
      },
    });
    await once(c, 'end');
    assert.is(got, '0123456789abcdef');
    assert.is(foreign, 0);
    assert.ok(calls >= 4, `buffer() called ${calls} times for 16 bytes in 5-byte buffers`);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('new net.Socket: onread callback returning false stops reading until resume()', async () => {
  const srv = await startServer((s) => s.end('abcdefghijkl'));
  const reads = [];
  let c;
  try {
    c = net.connect({
      port: srv.port,
      host: '127.0.0.1',
      onread: { buffer: Buffer.alloc(4), callback(n, b) { reads.push(b.toString('latin1', 0, n)); return false; } },
    });
    await until(() => reads.length === 1, 3000, 'first read');
    await sleep(150);
    assert.equal(reads, ['abcd'], 'no further reads while paused');
    c.resume();
    await until(() => reads.length === 2, 3000, 'second read');
    await sleep(100);
    assert.equal(reads, ['abcd', 'efgh']);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t("new net.Socket: with onread, 'end' and 'close' are still emitted", async () => {
  const srv = await startServer((s) => s.end('x'));
  let c;
  try {
    c = net.connect({ port: srv.port, host: '127.0.0.1', onread: { buffer: Buffer.alloc(16), callback() {} } });
    const seen = [];
    c.on('end', () => seen.push('end'));
    c.on('close', (h) => seen.push(`close(${h})`));
    await closed(c);
    assert.equal(seen, ['end', 'close(false)']);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

// ---- local endpoint ------------------------------------------------------------------------

t('socket.connect: localAddress and localPort bind the local end', async () => {
  if (lacks('localAddress', 'connect({ localAddress, localPort })')) {
    assertUnsupported(() => net.connect({ port: 9, host: '127.0.0.1', localAddress: '127.0.0.1', localPort: 9 }));
    return;
  }
  const srv = await startServer();
  const localPort = await freePort();
  let c;
  try {
    c = net.connect({ port: srv.port, host: '127.0.0.1', localAddress: '127.0.0.1', localPort });
    await once(c, 'connect');
    const peer = await srv.accepted();
    assert.is(c.localAddress, '127.0.0.1');
    assert.is(c.localPort, localPort);
    assert.is(peer.remotePort, localPort);
    assert.is(peer.remoteAddress, '127.0.0.1');
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket.connect: localAddress ::1 connects to an IPv6 server from ::1', async () => {
  if (lacks('localAddress', 'connect({ localAddress, localPort })')) {
    assertUnsupported(() => net.connect({ port: 9, host: '::1', localAddress: '::1' }));
    return;
  }
  const srv = await startServer(undefined, { host: '::1' });
  let c;
  try {
    c = net.connect({ port: srv.port, host: '::1', localAddress: '::1' });
    await once(c, 'connect');
    assert.is(c.localAddress, '::1');
    assert.is(c.localFamily, 'IPv6');
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

// ---- resolution ----------------------------------------------------------------------------

t('socket.connect: lookup is called with (host, options, callback) and its address is used', async () => {
  const srv = await startServer();
  const calls = [];
  const c = new net.Socket();
  try {
    const lookups = [];
    c.on('lookup', (...a) => lookups.push(a));
    c.connect({
      port: srv.port,
      host: 'service.example',
      autoSelectFamily: false,
      lookup(host, options, cb) {
        calls.push([host, typeof options, typeof cb]);
        setImmediate(cb, null, '127.0.0.1', 4);
      },
    });
    await once(c, 'connect');
    assert.equal(calls, [['service.example', 'object', 'function']]);
    assert.equal(lookups, [[null, '127.0.0.1', 4, 'service.example']]);
    assert.is(c.remoteAddress, '127.0.0.1');
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket.connect: family and hints are passed to lookup', async () => {
  const srv = await startServer();
  let seen;
  let c;
  try {
    c = net.connect({
      port: srv.port,
      host: 'v4.example',
      family: 4,
      hints: 0,
      lookup(host, options, cb) { seen = options; setImmediate(cb, null, '127.0.0.1', 4); },
    });
    await once(c, 'connect');
    assert.is(seen.family, 4);
    assert.is(seen.hints, 0);
    assert.ok(!seen.all, 'a fixed family does not ask for all addresses');
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket.connect: family 6 reaches an IPv6 server through lookup', async () => {
  const srv = await startServer(undefined, { host: '::1' });
  let seen;
  let c;
  try {
    c = net.connect({
      port: srv.port,
      host: 'v6.example',
      family: 6,
      lookup(host, options, cb) { seen = options; setImmediate(cb, null, '::1', 6); },
    });
    await once(c, 'connect');
    assert.is(seen.family, 6);
    assert.is(c.remoteFamily, 'IPv6');
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket.connect: noDelay, keepAlive and keepAliveInitialDelay are accepted and the connection works', async () => {
  const srv = await startServer((s) => s.pipe(s));
  let c;
  try {
    c = net.connect({ port: srv.port, host: '127.0.0.1', noDelay: true, keepAlive: true, keepAliveInitialDelay: 1000 });
    await once(c, 'connect');
    const got = collect(c);
    c.end('ping');
    assert.is((await got).toString(), 'ping');
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

// ---- blockList (a Socket option read by net.connect / new net.Socket) -----------------------

/** The socket's first 'error', or a failure as soon as it connects instead. */
function blockedError(socket) {
  return new Promise((resolve, reject) => {
    socket.once('error', resolve);
    socket.once('connect', () => reject(new Error('connected although the address is blocked')));
  });
}

t('net.connect: a blockList that blocks the address fails with ERR_IP_BLOCKED and never reaches the server', async () => {
  const srv = await startServer();
  let c;
  try {
    const blockList = new net.BlockList();
    blockList.addAddress('127.0.0.1');
    c = net.connect({ port: srv.port, host: '127.0.0.1', blockList });
    let connected = false;
    c.on('connect', () => { connected = true; });
    const closeP = closed(c);
    const err = await blockedError(c);
    assert.is(err.code, 'ERR_IP_BLOCKED');
    assert.is(err.message, 'IP(127.0.0.1) is blocked by net.BlockList');
    assert.is(await closeP, true);
    await sleep(50);
    assert.is(connected, false);
    assert.is(srv.conns.size, 0, 'no connection reached the server');
  } finally {
    destroyAll(c);
    await srv.stop();
  }
}, { since: '23.4.0' });

t('net.connect: a blockList subnet rule also applies to an address from lookup', async () => {
  const srv = await startServer();
  let c;
  try {
    const blockList = new net.BlockList();
    blockList.addSubnet('127.0.0.0', 8);
    c = net.connect({
      port: srv.port,
      host: 'blocked.example',
      blockList,
      autoSelectFamily: false,
      lookup: (h, o, cb) => setImmediate(cb, null, '127.0.0.1', 4),
    });
    const err = await blockedError(c);
    assert.is(err.code, 'ERR_IP_BLOCKED');
    await sleep(50);
    assert.is(srv.conns.size, 0);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
}, { since: '23.4.0' });

t('new net.Socket: a blockList given to the constructor applies to socket.connect()', async () => {
  const srv = await startServer();
  const blockList = new net.BlockList();
  blockList.addAddress('127.0.0.1');
  const c = new net.Socket({ blockList });
  try {
    c.connect(srv.port, '127.0.0.1');
    const err = await blockedError(c);
    assert.is(err.code, 'ERR_IP_BLOCKED');
  } finally {
    destroyAll(c);
    await srv.stop();
  }
}, { since: '23.4.0' });

t('net.connect: a blockList without a matching rule lets the connection through', async () => {
  const srv = await startServer();
  let c;
  try {
    const blockList = new net.BlockList();
    blockList.addAddress('127.0.0.2');
    blockList.addAddress('::1', 'ipv6');
    c = net.connect({ port: srv.port, host: '127.0.0.1', blockList });
    await once(c, 'connect');
    assert.is(c.remoteAddress, '127.0.0.1');
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t.run();
