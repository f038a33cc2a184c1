// net.Socket events and their order. Sequences are driven causally (the test only makes the next
// thing happen after it saw the previous event), so the recorded order does not depend on timing.
import * as assert from 'uvu/assert';
import process from 'node:process';
import { net } from './net.mjs';
import { suite, once, sleep, ipcPath } from './lib.mjs';
import { startServer, record, closed, destroyAll, freePort, nextError, saturate } from './support.mjs';

const t = suite('socket-events');
const ALL = ['lookup', 'connect', 'ready', 'data', 'drain', 'end', 'finish', 'timeout', 'error', 'close'];

t("socket events: a localhost connection the client ends: lookup, connectionAttempt, connect, ready, finish, end, close(false)", async () => {
  const srv = await startServer(() => {}, { options: { allowHalfOpen: true } });
  const c = new net.Socket();
  try {
    const seen = record(c, ['connectionAttempt', ...ALL]);
    c.connect(srv.port, 'localhost');
    c.resume();
    await once(c, 'connect');
    const peer = await srv.accepted();
    peer.resume();
    c.end();
    await once(c, 'finish');
    await once(peer, 'end');
    peer.end();
    await closed(c);
    assert.equal(seen, ['lookup', 'connectionAttempt', 'connect', 'ready', 'finish', 'end', 'close(false)']);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t("socket events: the server ends first: data, end, finish (automatic end), close(false)", async () => {
  const srv = await startServer((s) => { s.resume(); s.end('bye'); });
  const c = new net.Socket();
  try {
    const seen = record(c, ALL);
    c.connect(srv.port, '127.0.0.1');
    c.resume();
    await closed(c);
    assert.equal(seen, ['connect', 'ready', 'data', 'end', 'finish', 'close(false)']);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t("socket events: an IPC connection emits connect, ready, data, end, finish, close(false) and no lookup", async () => {
  const path = ipcPath('sock-events');
  const srv = await startServer((s) => { s.resume(); s.end('bye'); }, { path });
  const c = new net.Socket();
  try {
    const seen = record(c, ALL);
    c.connect(path);
    c.resume();
    await closed(c);
    assert.equal(seen, ['connect', 'ready', 'data', 'end', 'finish', 'close(false)']);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t("socket event 'ready': emitted right after 'connect', before queued ticks run", async () => {
  const srv = await startServer();
  const c = new net.Socket();
  try {
    const seen = [];
    c.on('connect', () => { seen.push('connect'); process.nextTick(() => seen.push('tick')); });
    c.on('ready', () => seen.push('ready'));
    c.connect(srv.port, '127.0.0.1');
    await once(c, 'ready');
    await sleep(0);
    assert.equal(seen, ['connect', 'ready', 'tick']);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t("socket event 'error': a refused connection emits error then close(true) and never connect", async () => {
  const port = await freePort();
  const c = new net.Socket();
  const seen = record(c, ALL);
  c.connect(port, '127.0.0.1');
  await closed(c);
  assert.equal(seen, ['error', 'close(true)']);
});

t("socket event 'close': destroy() without an error gives close(false) only", async () => {
  const srv = await startServer();
  const c = new net.Socket();
  try {
    c.connect(srv.port, '127.0.0.1');
    await once(c, 'connect');
    const seen = record(c, ALL);
    c.destroy();
    c.destroy();
    await closed(c);
    await sleep(20);
    assert.equal(seen, ['close(false)'], "'close' once, even after a second destroy()");
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t("socket event 'close': destroy(err) emits error with that object, then close(true)", async () => {
  const srv = await startServer();
  const c = new net.Socket();
  try {
    c.connect(srv.port, '127.0.0.1');
    await once(c, 'connect');
    const seen = record(c, ALL);
    const mine = new Error('mine');
    const errP = nextError(c);
    const closeP = closed(c);
    c.destroy(mine);
    assert.is(await errP, mine);
    assert.is(await closeP, true);
    assert.equal(seen, ['error', 'close(true)']);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t("socket event 'close': the peer sees end then close(false) when the client destroys", async () => {
  const srv = await startServer();
  const c = new net.Socket();
  try {
    c.connect(srv.port, '127.0.0.1');
    await once(c, 'connect');
    const peer = await srv.accepted();
    const seen = record(peer, ['data', 'end', 'finish', 'error', 'close']);
    c.destroy();
    await closed(peer);
    assert.equal(seen, ['end', 'finish', 'close(false)']);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t("socket event 'end': not emitted until buffered data is consumed", async () => {
  const srv = await startServer((s) => s.end('data then FIN'));
  const c = new net.Socket();
  try {
    let ended = false;
    c.on('end', () => { ended = true; });
    c.connect(srv.port, '127.0.0.1');
    await once(c, 'connect');
    await sleep(150);
    assert.is(ended, false, 'no end while the data sits unread');
    const chunks = [];
    c.on('data', (d) => chunks.push(d));
    await once(c, 'end');
    assert.is(Buffer.concat(chunks).toString(), 'data then FIN');
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t("socket event 'data': chunks are Buffers without setEncoding", async () => {
  const srv = await startServer((s) => s.end('abc'));
  const c = net.connect(srv.port, '127.0.0.1');
  try {
    const chunks = [];
    c.on('data', (d) => chunks.push(d));
    await once(c, 'end');
    assert.ok(chunks.length > 0 && chunks.every((d) => Buffer.isBuffer(d)));
    assert.is(Buffer.concat(chunks).toString(), 'abc');
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t("socket event 'drain': follows a write() that returned false, once the peer reads the backlog", async () => {
  const srv = await startServer((s) => s.pause());
  const c = net.connect(srv.port, '127.0.0.1');
  try {
    await once(c, 'connect');
    const peer = await srv.accepted();
    await saturate(c);
    let drained = 0;
    c.on('drain', () => { drained++; });
    assert.is(c.write('x'), false, 'write() returns false while data is queued');
    await sleep(50);
    assert.is(drained, 0, 'no drain while the peer does not read');
    peer.resume();
    await once(c, 'drain');
    assert.is(c.writableLength, 0);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t("socket event 'finish': after end(), once the write and end callbacks have run", async () => {
  const srv = await startServer();
  const c = net.connect(srv.port, '127.0.0.1');
  try {
    await once(c, 'connect');
    const seen = [];
    c.write('a', () => seen.push('write cb'));
    c.end('b', () => seen.push('end cb'));
    c.on('finish', () => seen.push('finish'));
    await once(c, 'finish');
    await sleep(0);
    assert.equal(seen, ['write cb', 'end cb', 'finish']);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t("socket event 'lookup': not emitted for an IP address host", async () => {
  const srv = await startServer();
  const c = new net.Socket();
  try {
    let lookups = 0;
    c.on('lookup', () => { lookups++; });
    c.connect(srv.port, '127.0.0.1');
    await once(c, 'connect');
    assert.is(lookups, 0);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t("socket event 'lookup': (err, address, family, host) for localhost, before connect", async () => {
  const srv = await startServer();
  const c = new net.Socket();
  try {
    const seen = [];
    c.on('lookup', (...args) => seen.push(['lookup', ...args]));
    c.on('connect', () => seen.push(['connect']));
    c.connect(srv.port, 'localhost');
    await once(c, 'connect');
    assert.equal(seen, [['lookup', null, '127.0.0.1', 4, 'localhost'], ['connect']]);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t("socket event 'lookup': a failed lookup gives (err, …, host), then error and close(true)", async () => {
  const c = new net.Socket();
  const seen = record(c, ALL);
  let args;
  c.on('lookup', (...a) => { args = a; });
  const failure = Object.assign(new Error('no such host'), { code: 'ENOTFOUND' });
  const closeP = closed(c);
  c.connect({ port: 80, host: 'nowhere.invalid', autoSelectFamily: false, lookup: (h, o, cb) => setImmediate(cb, failure) });
  const err = await nextError(c);
  await closeP;
  assert.is(err, failure);
  assert.is(args[0], failure);
  assert.is(args[3], 'nowhere.invalid');
  assert.equal(seen, ['lookup', 'error', 'close(true)']);
});

t("socket event 'timeout': emitted on an idle connection, which stays open", async () => {
  const srv = await startServer((s) => s.pipe(s));
  const c = net.connect(srv.port, '127.0.0.1');
  try {
    await once(c, 'connect');
    c.setTimeout(100);
    await once(c, 'timeout');
    assert.is(c.destroyed, false);
    assert.is(c.readyState, 'open');
    c.setTimeout(0);
    c.write('still works');
    const [d] = await once(c, 'data');
    assert.is(String(d), 'still works');
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t.run();
