// server.listen() in its TCP signatures, its events and its state errors, against Node's node:net.
import * as assert from 'uvu/assert';
import { openSync, closeSync, fstatSync } from 'node:fs';
import { promises as dns } from 'node:dns';
import { net } from './net.mjs';
import { suite, listen, close, onceEvent, assertCode, ipcPath, lacks, assertUnsupported } from './lib.mjs';
import { scope, connect, listenError, accepted, roundTrip, errno, sleep } from './support.mjs';

const t = suite('server-listen');

t('server.listen: (port, host, cb) binds 127.0.0.1 and address() reports { address, family, port }', async () => {
  const sc = scope();
  try {
    const server = sc.server();
    let called = 0;
    server.listen(0, '127.0.0.1', () => { called++; });
    await onceEvent(server, 'listening');
    assert.is(called, 1);
    const addr = server.address();
    assert.equal(Object.keys(addr).sort(), ['address', 'family', 'port']);
    assert.is(addr.address, '127.0.0.1');
    assert.is(addr.family, 'IPv4');
    assert.ok(Number.isInteger(addr.port) && addr.port > 0 && addr.port < 65536, `port ${addr.port}`);
    const got = accepted(server);
    await sc.connect(addr.port, '127.0.0.1');
    assert.instance(await got, net.Socket);
  } finally { await sc.dispose(); }
});

t('server.listen: an explicit port number is bound as given', async () => {
  const sc = scope();
  try {
    // Find a free port, release it, then ask for it by number.
    const probe = net.createServer();
    const { port } = await listen(probe, 0, '127.0.0.1');
    await close(probe);
    const server = sc.server();
    const addr = await listen(server, port, '127.0.0.1');
    assert.is(addr.port, port);
    await sc.connect(port, '127.0.0.1');
  } finally { await sc.dispose(); }
});

t('server.listen: (cb) without port or host listens on :: and accepts IPv4 and IPv6 clients', async () => {
  const sc = scope();
  try {
    const server = sc.server();
    const addr = await listen(server);
    assert.is(addr.address, '::');
    assert.is(addr.family, 'IPv6');
    await sc.connect(addr.port, '127.0.0.1');
    await sc.connect(addr.port, '::1');
  } finally { await sc.dispose(); }
});

t('server.listen: () without a callback still emits \'listening\'', async () => {
  const sc = scope();
  try {
    const server = sc.server();
    const ev = onceEvent(server, 'listening');
    server.listen();
    await ev;
    assert.ok(server.listening);
    assert.is(server.address().address, '::');
  } finally { await sc.dispose(); }
});

t('server.listen: (port, cb) listens on :: with the callback as \'listening\' listener', async () => {
  const sc = scope();
  try {
    const server = sc.server();
    const addr = await new Promise((resolve) => server.listen(0, () => resolve(server.address())));
    assert.is(addr.address, '::');
    assert.ok(addr.port > 0);
  } finally { await sc.dispose(); }
});

t('server.listen: (port, host, backlog, cb) calls cb and accepts connections', async () => {
  const sc = scope();
  try {
    const server = sc.server((s) => s.end('hi'));
    const addr = await new Promise((resolve) => server.listen(0, '127.0.0.1', 5, () => resolve(server.address())));
    assert.is(addr.address, '127.0.0.1');
    const c = await sc.connect(addr.port, '127.0.0.1');
    assert.is(await roundTrip(c, ''), 'hi');
  } finally { await sc.dispose(); }
});

t('server.listen: a numeric string port (\'0\') is a TCP port, not a path', async () => {
  const sc = scope();
  try {
    const server = sc.server();
    const addr = await listen(server, '0', '127.0.0.1');
    assert.type(addr, 'object');
    assert.is(addr.family, 'IPv4');
    assert.ok(addr.port > 0);
  } finally { await sc.dispose(); }
});

t('server.listen: (options, cb) with port and host', async () => {
  const sc = scope();
  try {
    const server = sc.server();
    const addr = await new Promise((resolve) => server.listen({ port: 0, host: '127.0.0.1' }, () => resolve(server.address())));
    assert.is(addr.address, '127.0.0.1');
    await sc.connect(addr.port, '127.0.0.1');
  } finally { await sc.dispose(); }
});

t('server.listen: options.port as a numeric string is accepted', async () => {
  const sc = scope();
  try {
    const addr = await listen(sc.server(), { port: '0', host: '127.0.0.1' });
    assert.is(addr.address, '127.0.0.1');
    assert.ok(addr.port > 0);
  } finally { await sc.dispose(); }
});

t('server.listen: options.port null or undefined means an OS-assigned port', async () => {
  const sc = scope();
  try {
    const a = await listen(sc.server(), { port: undefined, host: '127.0.0.1' });
    assert.is(a.address, '127.0.0.1');
    assert.ok(a.port > 0);
    const b = await listen(sc.server(), { port: null });
    assert.is(b.address, '::');
    assert.ok(b.port > 0);
  } finally { await sc.dispose(); }
});

t('server.listen: host \'localhost\' binds the address dns.lookup gives for it', async () => {
  const sc = scope();
  try {
    const { address, family } = await dns.lookup('localhost');
    const addr = await listen(sc.server(), 0, 'localhost');
    assert.is(addr.address, address);
    assert.is(addr.family, `IPv${family}`);
    await sc.connect(addr.port, address);
  } finally { await sc.dispose(); }
});

t('server.listen: host \'::1\' binds the IPv6 loopback only', async () => {
  const sc = scope();
  try {
    const addr = await listen(sc.server(), 0, '::1');
    assert.equal(addr, { address: '::1', family: 'IPv6', port: addr.port });
    await sc.connect(addr.port, '::1');
  } finally { await sc.dispose(); }
});

t('server.listen: returns the server', async () => {
  const sc = scope();
  try {
    const server = sc.server();
    const ev = onceEvent(server, 'listening');
    assert.is(server.listen(0, '127.0.0.1'), server);
    await ev;
  } finally { await sc.dispose(); }
});

t('server.listen: \'listening\' is emitted after listen() returns, with this === server', async () => {
  const sc = scope();
  try {
    const server = sc.server();
    let returned = false;
    const seen = new Promise((resolve) => server.listen(0, function () { resolve({ returned, self: this }); }));
    returned = true;
    const r = await seen;
    assert.ok(r.returned, '\'listening\' fired synchronously inside listen()');
    assert.is(r.self, server);
  } finally { await sc.dispose(); }
});

t('server.listen: the \'connection\' listener given to createServer gets each accepted net.Socket', async () => {
  const sc = scope();
  try {
    const got = [];
    const server = sc.server((s) => got.push(s));
    const { port } = await listen(server, 0, '127.0.0.1');
    for (let i = 0; i < 3; i++) {
      const next = accepted(server);
      await sc.connect(port, '127.0.0.1');
      await next;
    }
    assert.is(got.length, 3);
    for (const s of got) assert.instance(s, net.Socket);
    assert.is(new Set(got).size, 3);
  } finally { await sc.dispose(); }
});

t('net.Server: new net.Server(listener) and net.Server() without new both make servers', async () => {
  const sc = scope();
  try {
    let hits = 0;
    const a = sc.watch(new net.Server(() => { hits++; }));
    const b = sc.watch(net.Server());
    assert.instance(a, net.Server);
    assert.instance(b, net.Server);
    const { port } = await listen(a, 0, '127.0.0.1');
    const next = accepted(a);
    await sc.connect(port, '127.0.0.1');
    await next;
    assert.is(hits, 1);
  } finally { await sc.dispose(); }
});

t('server.listen: listen() while listening throws ERR_SERVER_ALREADY_LISTEN and keeps the server', async () => {
  const sc = scope();
  try {
    const server = sc.server();
    const addr = await listen(server, 0, '127.0.0.1');
    const err = assertCode(() => server.listen(0, '127.0.0.1'), 'ERR_SERVER_ALREADY_LISTEN', Error);
    assert.is(err.message, 'Listen method has been called more than once without closing.');
    assert.ok(server.listening);
    assert.equal(server.address(), addr);
    await sc.connect(addr.port, '127.0.0.1');
  } finally { await sc.dispose(); }
});

t('server.listen: EADDRINUSE is emitted as \'error\' with Node\'s message and fields, no \'close\'', async () => {
  const sc = scope();
  try {
    const { port } = await listen(sc.server(), 0, '127.0.0.1');
    const second = sc.server();
    let closes = 0;
    second.on('close', () => { closes++; });
    const err = await listenError(second, port, '127.0.0.1');
    assert.instance(err, Error);
    assert.is(err.message, `listen EADDRINUSE: address already in use 127.0.0.1:${port}`);
    assert.is(err.code, 'EADDRINUSE');
    assert.is(err.errno, errno('EADDRINUSE'));
    assert.is(err.syscall, 'listen');
    assert.is(err.address, '127.0.0.1');
    assert.is(err.port, port);
    assert.is(second.listening, false);
    assert.is(second.address(), null);
    await sleep(30);
    assert.is(closes, 0, '\'error\' must not be followed by \'close\'');
  } finally { await sc.dispose(); }
});

t('server.listen: after EADDRINUSE the same server can listen() again without close()', async () => {
  const sc = scope();
  try {
    const { port } = await listen(sc.server(), 0, '127.0.0.1');
    const server = sc.server();
    await listenError(server, port, '127.0.0.1');
    const addr = await listen(server, 0, '127.0.0.1');
    assert.ok(addr.port > 0 && addr.port !== port);
    await sc.connect(addr.port, '127.0.0.1');
  } finally { await sc.dispose(); }
});

t('server.listen: after EADDRINUSE, close(cb) reports ERR_SERVER_NOT_RUNNING and listen() works again', async () => {
  const sc = scope();
  try {
    const { port } = await listen(sc.server(), 0, '127.0.0.1');
    const server = sc.server();
    await listenError(server, port, '127.0.0.1');
    const err = await new Promise((resolve) => server.close(resolve));
    assertCode(err, 'ERR_SERVER_NOT_RUNNING', Error);
    const addr = await listen(server, 0, '127.0.0.1');
    await sc.connect(addr.port, '127.0.0.1');
  } finally { await sc.dispose(); }
});

t('server.listen: a closed server can listen again and accept connections', async () => {
  const sc = scope();
  try {
    const server = sc.server((s) => s.end('again'));
    const first = await listen(server, 0, '127.0.0.1');
    await close(server);
    const second = await listen(server, 0, '127.0.0.1');
    assert.ok(server.listening);
    assert.ok(second.port > 0);
    const c = await sc.connect(second.port, '127.0.0.1');
    assert.is(await roundTrip(c, ''), 'again');
    assert.ok(first.port > 0);
  } finally { await sc.dispose(); }
});

t('server.listen: (handle) with another listening server takes over its listening socket', async () => {
  const sc = scope();
  try {
    const donor = sc.server(() => { throw new Error('the donor must not get connections'); });
    const { port } = await listen(donor, 0, '127.0.0.1');
    const server = sc.server((s) => s.end('taker'));
    const addr = await new Promise((resolve) => server.listen(donor, () => resolve(server.address())));
    assert.equal(addr, { address: '127.0.0.1', family: 'IPv4', port });
    const c = await sc.connect(port, '127.0.0.1');
    assert.is(await roundTrip(c, ''), 'taker');
  } finally { await sc.dispose(); }
});

t('server.listen: ({ fd }) with a descriptor that is not a socket emits EINVAL and leaves it open', async () => {
  if (lacks('adoptFd', 'server.listen({ fd })')) {
    assertUnsupported(() => net.createServer().listen({ fd: 0 }));
    return;
  }
  const sc = scope();
  const file = ipcPath('notsock');
  sc.own(file);
  const fd = openSync(file, 'w');
  try {
    const server = sc.server();
    const err = await listenError(server, { fd });
    assert.is(err.code, 'EINVAL');
    assert.is(err.syscall, 'listen');
    assert.is(err.errno, errno('EINVAL'));
    assert.is(server.listening, false);
    // The descriptor still belongs to the caller: a failed listen must not close it.
    assert.ok(fstatSync(fd).isFile());
  } finally { try { closeSync(fd); } catch {} await sc.dispose(); }
});

t.run();
