// Paths through Node 26's lib/net.js that no other conformance file covers: option checks and
// their order, errors with Node's exact messages, and event orders (found by walking net.js path
// by path; the walk's table is in the change that added this file). Expected values are Node
// 26.12.1's own node:net; 24.22.3 and, where not marked `since`, 20.20.2 answer the same.
import * as assert from 'uvu/assert';
import { EventEmitter } from 'node:events';
import process from 'node:process';
import dns from 'node:dns';
import { getDefaultHighWaterMark } from 'node:stream';
import { net } from './net.mjs';
import { suite, listen, close, once, sleep, lacks } from './lib.mjs';
import { startServer, record, closed, destroyAll, freePort, nextError } from './support.mjs';

const t = suite('net-paths');
const TOS = { since: '24.21.0' };

function thrown(fn) {
  try {
    const ret = fn();
    if (ret && typeof ret.destroy === 'function') ret.destroy();
  } catch (err) {
    return err;
  }
  throw new Error('expected a synchronous throw');
}

function expectThrow(fn, Class, code, message) {
  const err = thrown(fn);
  assert.ok(err instanceof Class, `expected ${Class.name}, got ${err?.constructor?.name}: ${err?.message}`);
  assert.is(err.code, code);
  if (message !== undefined) assert.is(err.message, message);
  return err;
}

// ---- the Socket constructor ----

t('new net.Socket(n): a number is the legacy fd form, checked as an int32 >= 0', () => {
  expectThrow(() => new net.Socket(-1), RangeError, 'ERR_OUT_OF_RANGE',
    'The value of "fd" is out of range. It must be >= 0 && <= 2147483647. Received -1');
  expectThrow(() => new net.Socket(1.5), RangeError, 'ERR_OUT_OF_RANGE',
    'The value of "fd" is out of range. It must be an integer. Received 1.5');
});

t('new net.Socket: keepAliveInitialDelay is checked before the stream options', () => {
  expectThrow(() => new net.Socket({ keepAliveInitialDelay: 'x', highWaterMark: -1 }), TypeError, 'ERR_INVALID_ARG_TYPE',
    'The "options.keepAliveInitialDelay" property must be of type number. Received type string (\'x\')');
});

t('new net.Socket: highWaterMark applies to both sides of the stream', () => {
  const s = new net.Socket({ highWaterMark: 1234 });
  assert.is(s.readableHighWaterMark, 1234);
  assert.is(s.writableHighWaterMark, 1234);
  s.destroy();
  const r = new net.Socket({ readableHighWaterMark: 10, writableHighWaterMark: 20 });
  assert.is(r.readableHighWaterMark, 10);
  assert.is(r.writableHighWaterMark, 20);
  r.destroy();
});

t('new net.Socket: the typeOfService option is an int32 in 0..255, cached until connected', () => {
  expectThrow(() => new net.Socket({ typeOfService: 'x' }), TypeError, 'ERR_INVALID_ARG_TYPE',
    'The "options.typeOfService" property must be of type number. Received type string (\'x\')');
  expectThrow(() => new net.Socket({ typeOfService: 256 }), RangeError, 'ERR_OUT_OF_RANGE',
    'The value of "options.typeOfService" is out of range. It must be >= 0 && <= 255. Received 256');
  expectThrow(() => new net.Socket({ typeOfService: 1.5 }), RangeError, 'ERR_OUT_OF_RANGE',
    'The value of "options.typeOfService" is out of range. It must be an integer. Received 1.5');
  const s = new net.Socket({ typeOfService: 0x10 });
  assert.is(s.getTypeOfService(), 0x10);
  s.destroy();
}, TOS);

t('net.connect: the typeOfService option is applied once connected', async () => {
  if (lacks('typeOfService', 'socket.setTypeOfService()')) return;
  const srv = await startServer();
  const c = net.connect({ port: srv.port, host: '127.0.0.1', typeOfService: 0x28 });
  try {
    await once(c, 'connect');
    assert.is(c.getTypeOfService(), 0x28);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
}, TOS);

// ---- setTimeout ----

t('socket.setTimeout: more than 2^31-1 ms warns and waits 2^31-1 ms, not 1 ms', async () => {
  const s = new net.Socket();
  const warnings = [];
  const onWarning = (w) => warnings.push(w);
  process.on('warning', onWarning);
  let fired = false;
  try {
    s.setTimeout(2 ** 31, () => { fired = true; });
    assert.is(s.timeout, 2 ** 31);
    await sleep(60);
    assert.is(fired, false, "'timeout' came at once");
    const w = warnings.find((x) => x.name === 'TimeoutOverflowWarning');
    assert.ok(w, 'a TimeoutOverflowWarning');
    assert.is(w.message, '2147483648 does not fit into a 32-bit signed integer.\nTimer duration was truncated to 2147483647.');
  } finally {
    process.off('warning', onWarning);
    s.destroy();
  }
});

// ---- connect: lookup, events ----

t('socket.connect: family \'IPv4\'/\'IPv6\' reach lookup as 4/6; no family asks for all addresses with ADDRCONFIG', async () => {
  const seen = [];
  const lookup = (host, options, cb) => { seen.push({ ...options }); setImmediate(cb, new Error('stop')); };
  for (const family of ['IPv4', 'IPv6', undefined]) {
    const c = net.connect({ host: 'svc.example', port: 9, family, lookup });
    await nextError(c);
  }
  assert.is(seen[0].family, 4);
  assert.is(seen[1].family, 6);
  assert.is(seen[0].hints, 0);
  assert.is(seen[2].all, true);
  if (process.platform !== 'win32') assert.is(seen[2].hints, dns.ADDRCONFIG);
});

t("socket event 'lookup': a failed all-addresses lookup gives (err, undefined, undefined, host), then error and close(true)", async () => {
  const failure = Object.assign(new Error('no such host'), { code: 'ENOTFOUND' });
  const c = net.connect({ host: 'svc.example', port: 9, autoSelectFamily: true, lookup: (h, o, cb) => setImmediate(cb, failure) });
  const lookups = [];
  c.on('lookup', (...args) => lookups.push(args));
  const seen = record(c, ['connectionAttempt', 'error', 'close']);
  const closing = closed(c);
  const err = await nextError(c);
  await closing;
  assert.is(err, failure);
  assert.equal(lookups, [[failure, undefined, undefined, 'svc.example']]);
  assert.equal(seen, ['error', 'close(true)']);
});

t('socket.connect: an all-addresses lookup with one usable address connects to it as a single attempt', async () => {
  const srv = await startServer();
  const c = net.connect({
    host: 'svc.example', port: srv.port, autoSelectFamily: true,
    lookup: (h, o, cb) => setImmediate(cb, null, [{ address: '127.0.0.1', family: 4 }, { address: 'bogus', family: 4 }]),
  });
  try {
    await once(c, 'connect');
    assert.is(c.remoteAddress, '127.0.0.1');
    assert.is(c.autoSelectFamilyAttemptedAddresses, undefined, 'no list for a single attempt');
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t("socket.connect: a blocked address still emits 'connectionAttempt' before ERR_IP_BLOCKED", async () => {
  const blockList = new net.BlockList();
  blockList.addAddress('127.0.0.1');
  const c = net.connect({ host: '127.0.0.1', port: 9, blockList });
  const seen = record(c, ['connectionAttempt', 'connect', 'error', 'close']);
  const closing = closed(c);
  const err = await nextError(c);
  await closing;
  assert.is(err.code, 'ERR_IP_BLOCKED');
  assert.is(err.message, 'IP(127.0.0.1) is blocked by net.BlockList');
  assert.equal(seen, ['connectionAttempt', 'error', 'close(true)']);
}, { since: '23.4.0' });

// Node emits 'close' from the handle's close callback, a later turn of the event loop than the
// 'error' it follows: code that awaits the error first still sees 'close'.
t("socket event 'close': follows 'error' in a later turn, so it can be awaited after the error", async () => {
  const cases = [
    ['refused', { port: await freePort(), host: '127.0.0.1' }],
    ['failed lookup', { host: 'svc.example', port: 9, lookup: (h, o, cb) => setImmediate(cb, new Error('stop')) }],
  ];
  const missed = [];
  for (const [what, options] of cases) {
    const s = net.connect(options);
    await nextError(s);
    const r = await Promise.race([once(s, 'close').then(() => 'seen'), sleep(500).then(() => 'missed')]);
    if (r !== 'seen') missed.push(what);
  }
  assert.equal(missed, []);
});

// ---- writes ----

t('socket.write: on a socket that never connected fails with ERR_SOCKET_CLOSED', async () => {
  const s = new net.Socket();
  let cbErr;
  const errP = nextError(s);
  s.write('x', (err) => { cbErr = err; });
  const err = await errP;
  assert.is(err.code, 'ERR_SOCKET_CLOSED');
  assert.is(err.message, 'Socket is closed');
  assert.is(cbErr, err);
});

t('socket.write: data queued while connecting gets ERR_SOCKET_CLOSED_BEFORE_CONNECTION when the socket is destroyed first', async () => {
  const c = net.connect({ host: 'svc.example', port: 9, lookup: () => {} });
  const got = new Promise((resolve) => c.write('queued', resolve));
  await sleep(5);
  c.destroy();
  const err = await got;
  assert.is(err?.code, 'ERR_SOCKET_CLOSED_BEFORE_CONNECTION');
  assert.is(err.message, 'Socket closed before the connection was established');
});

t("socket.write: after the peer's FIN and our own end(), fails with EPIPE 'This socket has been ended by the other party'", async () => {
  const srv = await startServer((s) => s.end());
  const c = net.connect(srv.port, '127.0.0.1');
  try {
    const closing = closed(c);
    const outcome = new Promise((resolve) => {
      c.on('end', () => {
        // In the 'end' listener: the peer has ended; end our side too, then write.
        c.end(() => {});
        let cbErr;
        const ret = c.write('late', (err) => { cbErr = err; });
        c.once('error', (err) => setImmediate(() => resolve({ ret, err, cbErr })));
      });
    });
    c.resume();
    const { ret, err, cbErr } = await outcome;
    assert.is(ret, false);
    assert.is(err.code, 'EPIPE');
    assert.is(err.message, 'This socket has been ended by the other party');
    assert.is(cbErr, err);
    assert.is(await closing, true);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket.bytesRead / bytesWritten: kept after destroy()', async () => {
  const srv = await startServer((s) => { s.end('hello'); });
  const c = net.connect(srv.port, '127.0.0.1');
  try {
    await once(c, 'connect');
    c.write('abc');
    c.resume();
    await once(c, 'end');
    c.destroy();
    await closed(c);
    assert.is(c.bytesRead, 5);
    assert.is(c.bytesWritten, 3);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

// ---- Server ----

t('createServer: a negative highWaterMark means the default one', () => {
  const server = net.createServer({ highWaterMark: -1 });
  assert.is(server.highWaterMark, getDefaultHighWaterMark(false));
  server.close();
});

t('createServer: keepAliveInitialDelay is checked before highWaterMark', () => {
  expectThrow(() => net.createServer({ keepAliveInitialDelay: 'x', highWaterMark: 'y' }), TypeError, 'ERR_INVALID_ARG_TYPE',
    'The "options.keepAliveInitialDelay" property must be of type number. Received type string (\'x\')');
});

t('server.listen: readableAll or writableAll with an abstract name throws ERR_INVALID_ARG_VALUE', () => {
  for (const extra of [{ readableAll: true }, { writableAll: 1 }]) {
    const server = net.createServer();
    const options = { path: '\0crossnet-abstract-mode', ...extra };
    const err = expectThrow(() => server.listen(options), TypeError, 'ERR_INVALID_ARG_VALUE');
    const key = Object.keys(extra)[0];
    assert.is(err.message, `The argument 'options' can not set readableAll or writableAllt to true when path is abstract unix socket. Received { path: '\\x00crossnet-abstract-mode', ${key}: ${extra[key]} }`);
    assert.is(server.listening, false);
  }
});

t("server.listen: close() right after listen() means no 'listening', then 'close'", async () => {
  const server = net.createServer();
  const seen = record(server, ['listening', 'close', 'error']);
  server.listen(0, '127.0.0.1');
  server.close();
  await sleep(50);
  assert.equal(seen, ['close(undefined)']);
});

t("server: with captureRejections, a rejected async 'connection' listener destroys that socket with the error", async () => {
  const boom = Object.assign(new Error('boom'), { code: 'EBOOM' });
  const errors = [];
  const before = EventEmitter.captureRejections;
  EventEmitter.captureRejections = true;
  let server;
  try {
    server = net.createServer(async (s) => {
      s.on('error', (e) => errors.push(['socket', e]));
      throw boom;
    });
  } finally {
    EventEmitter.captureRejections = before;
  }
  server.on('error', (e) => errors.push(['server', e]));
  const { port } = await listen(server, 0, '127.0.0.1');
  const c = net.connect(port, '127.0.0.1');
  const closing = closed(c);
  c.on('error', () => {});
  c.resume();
  await closing;
  await sleep(10);
  await close(server);
  assert.equal(errors.map(([where, e]) => [where, e.code]), [['socket', 'EBOOM']]);
});

t("server.maxConnections: the 'drop' data object has a null prototype", async () => {
  const server = net.createServer();
  server.maxConnections = 1;
  const { port } = await listen(server, 0, '127.0.0.1');
  const first = net.connect(port, '127.0.0.1');
  await once(server, 'connection');
  const drop = new Promise((resolve) => server.once('drop', resolve));
  const c = net.connect(port, '127.0.0.1');
  c.on('error', () => {});
  try {
    const data = await drop;
    assert.is(Object.getPrototypeOf(data), null);
    assert.is(data.localPort, port);
  } finally {
    destroyAll(c, first);
    await close(server);
  }
});

t.run();
