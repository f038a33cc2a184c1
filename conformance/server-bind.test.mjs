// When server.listen() binds, and the server internals Node forms on the way: bind(2) and listen(2)
// are synchronous, so listen() with no host, or a path, is bound before it returns; 'listening' and
// bind errors come on the next tick. A host (even an IP literal: Node looks it up) makes it asynchronous.
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import process from 'node:process';
import { net } from './net.mjs';
import { suite, listen, onceEvent } from './lib.mjs';
import { scope, accepted, sleep } from './support.mjs';

const t = suite('server-bind');

/** Run `fn` and record, in order, `tick-before`/`tick-after` around it and the server's events. */
async function ticks(server, fn, events = ['listening', 'error']) {
  const order = [];
  for (const e of events) server.on(e, () => order.push(e));
  process.nextTick(() => order.push('tick-before'));
  const at = fn();
  process.nextTick(() => order.push(`tick-after${server.listening ? ' (listening)' : ''}`));
  await new Promise((r) => setTimeout(r, 30));
  return { order, at };
}

t('server.listen(0): bound before listen() returns (address(), listening, _handle); \'listening\' on the next tick', async () => {
  const sc = scope();
  try {
    const server = sc.server();
    let called = 0;
    const { order, at } = await ticks(server, () => {
      server.listen(0, () => { called++; });
      return { address: server.address(), listening: server.listening, handle: server._handle !== null, called };
    });
    assert.is(at.address.address, '::');
    assert.is(at.address.family, 'IPv6');
    assert.ok(at.address.port > 0, `port ${at.address.port}`);
    assert.is(at.listening, true);
    assert.is(at.handle, true);
    assert.is(at.called, 0, 'the callback waits for the next tick');
    assert.equal(order, ['tick-before', 'listening', 'tick-after (listening)']);
    assert.is(called, 1);
    await sc.connect(at.address.port, '127.0.0.1');
  } finally { await sc.dispose(); }
});

t('server.listen(path): the socket file exists and address() is the path when listen() returns', async () => {
  const sc = scope();
  try {
    const server = sc.server();
    const path = sc.path('bind');
    const { order, at } = await ticks(server, () => {
      server.listen(path);
      return { address: server.address(), listening: server.listening, exists: existsSync(path) };
    });
    assert.equal(at, { address: path, listening: true, exists: true });
    assert.equal(order, ['tick-before', 'listening', 'tick-after (listening)']);
    await sc.connect(path);
  } finally { await sc.dispose(); }
});

t('server.listen: EADDRINUSE leaves the server unbound at once and is emitted on the next tick', async () => {
  const sc = scope();
  try {
    const first = sc.server();
    const { port } = await listen(first, 0);
    const second = sc.server();
    let error;
    second.on('error', (e) => { error = e; });
    const { order, at } = await ticks(second, () => {
      second.listen(port);
      return { address: second.address(), listening: second.listening, handle: second._handle, error };
    });
    assert.equal(at, { address: null, listening: false, handle: null, error: undefined });
    assert.equal(order, ['tick-before', 'error', 'tick-after']);
    assert.is(error.code, 'EADDRINUSE');
    assert.is(error.syscall, 'listen');
    assert.is(error.message, `listen EADDRINUSE: address already in use :::${port}`);
  } finally { await sc.dispose(); }
});

t('server.listen(port, IP literal): bound on the next tick (Node looks even a literal up), \'listening\' one tick later', async () => {
  const sc = scope();
  try {
    const server = sc.server();
    const { order, at } = await ticks(server, () => {
      server.listen(0, '127.0.0.1');
      return { address: server.address(), listening: server.listening, handle: server._handle };
    });
    assert.equal(at, { address: null, listening: false, handle: null });
    // The lookup's tick runs between the two: bound by 'tick-after', 'listening' after it.
    assert.equal(order, ['tick-before', 'tick-after (listening)', 'listening']);
    assert.is(server.address().address, '127.0.0.1');
  } finally { await sc.dispose(); }
});

t('server.listen(port, host name): no handle while the name is looked up; a second listen() then replaces the first', async () => {
  const sc = scope();
  try {
    const server = sc.server();
    let listening = 0;
    server.on('listening', () => { listening++; });
    server.listen(0, 'localhost');
    assert.is(server._handle, null);
    assert.is(server.listening, false);
    assert.is(server.address(), null);
    // Not ERR_SERVER_ALREADY_LISTEN: Node has no handle yet; the first lookup's answer is dropped.
    server.listen(0, '127.0.0.1');
    await onceEvent(server, 'listening');
    await sleep(200);
    assert.is(listening, 1);
    assert.is(server.address().address, '127.0.0.1');
    assert.is(server._connectionKey, '4:127.0.0.1:0');
  } finally { await sc.dispose(); }
});

t('server._handle: null before listen(), set while listening, null once close() is called', async () => {
  const sc = scope();
  try {
    const server = sc.server();
    assert.is(server._handle, null);
    server.listen(0);
    assert.ok(server._handle !== null && typeof server._handle === 'object');
    await onceEvent(server, 'listening');
    const closed = onceEvent(server, 'close');
    server.close();
    assert.is(server._handle, null);
    assert.is(server.listening, false);
    assert.is(server.address(), null);
    await closed;
  } finally { await sc.dispose(); }
});

t('server._connectionKey: address type, address and the port asked for, as Node forms it', async () => {
  const sc = scope();
  try {
    const key = async (...args) => {
      const server = sc.server();
      await listen(server, ...args);
      return server._connectionKey;
    };
    assert.is(await key(0), '6::::0');
    assert.is(await key('0'), '6::::0');
    assert.is(await key(0, '127.0.0.1'), '4:127.0.0.1:0');
    assert.is(await key({ port: 0, host: '::1' }), '6:::1:0');
    const probe = sc.server();
    const { port } = await listen(probe, 0, '127.0.0.1');
    await new Promise((r) => probe.close(r));
    assert.is(await key(port, '127.0.0.1'), `4:127.0.0.1:${port}`);
    const path = sc.path('key');
    assert.is(await key(path), `-1:${path}:-1`);
    // Before 'listening' too: the key is set when the handle is.
    const now = sc.server();
    now.listen(0);
    assert.is(now._connectionKey, '6::::0');
    // Another server's handle taken over.
    const other = sc.server();
    await listen(other, 0, '127.0.0.1');
    assert.is(await key({ handle: other._handle }), '-1:null:-1');
  } finally { await sc.dispose(); }
});

t('server noDelay/keepAlive: set on each accepted socket through its _handle, as Node does (setNoDelay(true), setKeepAlive(true, seconds))', async () => {
  const sc = scope();
  try {
    const server = sc.server({ noDelay: true, keepAlive: true, keepAliveInitialDelay: 3000 });
    const { port } = await listen(server, 0, '127.0.0.1');
    // The first connection gives the handle's prototype; wrap its methods for the second.
    const first = accepted(server);
    await sc.connect(port, '127.0.0.1');
    const proto = Object.getPrototypeOf((await first)._handle);
    const calls = [];
    const { setNoDelay, setKeepAlive } = proto;
    proto.setNoDelay = function (...args) { calls.push(['setNoDelay', ...args]); return setNoDelay.apply(this, args); };
    proto.setKeepAlive = function (...args) { calls.push(['setKeepAlive', ...args]); return setKeepAlive.apply(this, args); };
    try {
      const second = accepted(server);
      await sc.connect(port, '127.0.0.1');
      await second;
    } finally {
      proto.setNoDelay = setNoDelay;
      proto.setKeepAlive = setKeepAlive;
    }
    assert.equal(calls, [['setNoDelay', true], ['setKeepAlive', true, 3]]);
  } finally { await sc.dispose(); }
});

t.run();
