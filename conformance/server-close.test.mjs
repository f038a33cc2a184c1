// server.close(), 'close', server[Symbol.asyncDispose](), server.listening and server.address()
// across a server's life, against Node's node:net.
import * as assert from 'uvu/assert';
import { net } from './net.mjs';
import { suite, listen, onceEvent, assertCode } from './lib.mjs';
import { scope, connectError, accepted, gone, roundTrip, sleep } from './support.mjs';

const t = suite('server-close');

t('server.close: stops accepting new connections but keeps the open ones working', async () => {
  const sc = scope();
  try {
    const server = sc.server((s) => s.pipe(s));
    const { port } = await listen(server, 0, '127.0.0.1');
    const c = await sc.connect(port, '127.0.0.1');
    server.close();
    const err = await connectError(port, '127.0.0.1');
    assert.is(err.code, 'ECONNREFUSED');
    const echoed = new Promise((resolve) => c.once('data', (d) => resolve(String(d))));
    c.write('after close');
    assert.is(await echoed, 'after close');
  } finally { await sc.dispose(); }
});

t('server.close: \'close\' and the callback come only after the last connection has closed', async () => {
  const sc = scope();
  try {
    const order = [];
    const server = sc.server();
    const { port } = await listen(server, 0, '127.0.0.1');
    const n1 = accepted(server);
    const c1 = await sc.connect(port, '127.0.0.1');
    const s1 = await n1;
    const n2 = accepted(server);
    const c2 = await sc.connect(port, '127.0.0.1');
    const s2 = await n2;
    s1.on('close', () => order.push('conn1 close'));
    const s2Closed = new Promise((resolve) => s2.on('close', () => { order.push('conn2 close'); resolve(); }));
    server.on('close', () => order.push('server close'));
    const cb = new Promise((resolve) => server.close((err) => { order.push('callback'); resolve(err); }));
    await sleep(30);
    assert.equal(order, [], 'nothing may close while both connections are open');
    c1.end();
    await gone(s1);
    await sleep(30);
    assert.equal(order, ['conn1 close']);
    c2.end();
    const err = await cb;
    assert.is(err, undefined);
    // Node counts the connection gone when it starts closing, so the server's 'close' may come
    // before the last socket's own 'close' event.
    await s2Closed;
    assert.equal(order.filter((e) => e !== 'conn2 close'), ['conn1 close', 'server close', 'callback']);
    assert.ok(order.includes('conn2 close'));
  } finally { await sc.dispose(); }
});

t('server.close: listening is false and address() null at once, even with open connections', async () => {
  const sc = scope();
  try {
    const server = sc.server();
    const { port } = await listen(server, 0, '127.0.0.1');
    const next = accepted(server);
    await sc.connect(port, '127.0.0.1');
    await next;
    assert.is(server.close(), server);
    assert.is(server.listening, false);
    assert.is(server.address(), null);
  } finally { await sc.dispose(); }
});

t('server.close: with no connections \'close\' is emitted asynchronously, after close() returns', async () => {
  const sc = scope();
  try {
    const server = sc.server();
    await listen(server, 0, '127.0.0.1');
    let returned = false;
    const seen = new Promise((resolve) => server.once('close', () => resolve(returned)));
    server.close();
    returned = true;
    assert.ok(await seen, '\'close\' was emitted synchronously inside close()');
  } finally { await sc.dispose(); }
});

t('server.close: on a server that never listened, cb gets ERR_SERVER_NOT_RUNNING and \'close\' is emitted', async () => {
  const server = net.createServer();
  const closing = onceEvent(server, 'close');
  const err = await new Promise((resolve) => server.close(resolve));
  assertCode(err, 'ERR_SERVER_NOT_RUNNING', Error);
  assert.is(err.message, 'Server is not running.');
  await closing;
});

t('server.close: a second close() passes ERR_SERVER_NOT_RUNNING to its callback only', async () => {
  const sc = scope();
  try {
    const server = sc.server();
    await listen(server, 0, '127.0.0.1');
    const first = new Promise((resolve) => server.close(resolve));
    const second = new Promise((resolve) => server.close(resolve));
    assert.is(await first, undefined);
    assertCode(await second, 'ERR_SERVER_NOT_RUNNING', Error);
  } finally { await sc.dispose(); }
});

t('server.close: without a callback on a server that never listened does not throw', async () => {
  const server = net.createServer();
  const closing = onceEvent(server, 'close');
  assert.is(server.close(), server);
  await closing;
});

t('server.close: a server that still holds connections keeps counting them', async () => {
  const sc = scope();
  try {
    const server = sc.server();
    const { port } = await listen(server, 0, '127.0.0.1');
    const next = accepted(server);
    const c = await sc.connect(port, '127.0.0.1');
    await next;
    server.close();
    const count = await new Promise((resolve, reject) => server.getConnections((e, n) => (e ? reject(e) : resolve(n))));
    assert.is(count, 1);
    c.destroy();
    await onceEvent(server, 'close');
    const after = await new Promise((resolve, reject) => server.getConnections((e, n) => (e ? reject(e) : resolve(n))));
    assert.is(after, 0);
  } finally { await sc.dispose(); }
});

t('server[Symbol.asyncDispose]: closes the server and resolves once it has closed', async () => {
  const sc = scope();
  try {
    const server = sc.server();
    const { port } = await listen(server, 0, '127.0.0.1');
    let closedEvent = false;
    server.on('close', () => { closedEvent = true; });
    const p = server[Symbol.asyncDispose]();
    assert.instance(p, Promise);
    assert.is(server.listening, false);
    assert.is(await p, undefined);
    assert.ok(closedEvent, 'resolved before \'close\'');
    const err = await connectError(port, '127.0.0.1');
    assert.is(err.code, 'ECONNREFUSED');
  } finally { await sc.dispose(); }
});

t('server[Symbol.asyncDispose]: waits for open connections to end', async () => {
  const sc = scope();
  try {
    const server = sc.server((s) => s.pipe(s));
    const { port } = await listen(server, 0, '127.0.0.1');
    const c = await sc.connect(port, '127.0.0.1');
    let settled = false;
    const p = server[Symbol.asyncDispose]().then(() => { settled = true; });
    assert.is(await roundTrip(c, 'x'), 'x');
    assert.is(settled, false);
    c.end();
    await p;
    assert.ok(settled);
  } finally { await sc.dispose(); }
});

t('server[Symbol.asyncDispose]: on a server that is not listening resolves without error', async () => {
  const server = net.createServer();
  const p = server[Symbol.asyncDispose]();
  assert.instance(p, Promise);
  assert.is(await p, undefined);
});

t('server.listening: false before listen(), true from \'listening\', false after close()', async () => {
  const sc = scope();
  try {
    const server = sc.server();
    assert.is(server.listening, false);
    const inEvent = new Promise((resolve) => server.once('listening', () => resolve(server.listening)));
    server.listen(0, '127.0.0.1');
    assert.is(await inEvent, true);
    const closing = onceEvent(server, 'close');
    server.close();
    assert.is(server.listening, false);
    await closing;
    assert.is(server.listening, false);
  } finally { await sc.dispose(); }
});

t('server.address: null before \'listening\' and after close()', async () => {
  const sc = scope();
  try {
    const server = sc.server();
    assert.is(server.address(), null);
    const inEvent = new Promise((resolve) => server.once('listening', () => resolve(server.address())));
    server.listen(0, '127.0.0.1');
    const addr = await inEvent;
    assert.is(addr.address, '127.0.0.1');
    await new Promise((resolve) => server.close(resolve));
    assert.is(server.address(), null);
  } finally { await sc.dispose(); }
});

t('server.address: returns a fresh object each call with the same values', async () => {
  const sc = scope();
  try {
    const server = sc.server();
    await listen(server, 0, '127.0.0.1');
    const a = server.address();
    const b = server.address();
    assert.equal(a, b);
    a.port = 1;
    assert.is.not(server.address().port, 1);
  } finally { await sc.dispose(); }
});

t.run();
