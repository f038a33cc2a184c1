// createServer() options and the TCP options of server.listen(options), against Node's node:net.
import * as assert from 'uvu/assert';
import stream from 'node:stream';
import { net } from './net.mjs';
import { suite, listen, onceEvent, collect, lacks, assertUnsupported } from './lib.mjs';
import { scope, connectError, accepted, gone, within, roundTrip, tcpTimer, sleep } from './support.mjs';

const t = suite('server-options');

t('createServer allowHalfOpen: by default the server side ends as soon as the client ends', async () => {
  const sc = scope();
  try {
    const server = sc.server(() => { /* never calls end() */ });
    const { port } = await listen(server, 0, '127.0.0.1');
    const next = accepted(server);
    const c = await sc.connect(port, '127.0.0.1');
    const sock = await next;
    c.end();
    const got = await collect(c);
    assert.is(got.length, 0);
    await gone(sock);
    assert.is(sock.writable, false);
  } finally { await sc.dispose(); }
});

t('createServer allowHalfOpen: true keeps the server side writable after the client\'s FIN', async () => {
  const sc = scope();
  try {
    const server = sc.server({ allowHalfOpen: true });
    const { port } = await listen(server, 0, '127.0.0.1');
    const next = accepted(server);
    const c = await sc.connect(port, '127.0.0.1');
    const sock = await next;
    sock.resume();
    const ended = onceEvent(sock, 'end');
    c.end();
    await ended;
    assert.ok(sock.writable, 'server socket must stay writable after \'end\'');
    const reply = collect(c);
    // Written after the peer's FIN: only possible while half-open.
    await sleep(20);
    sock.end('late reply');
    assert.is((await reply).toString(), 'late reply');
  } finally { await sc.dispose(); }
});

t('createServer highWaterMark: applies to accepted sockets\' readable and writable sides', async () => {
  const sc = scope();
  try {
    const server = sc.server({ highWaterMark: 1234 });
    const { port } = await listen(server, 0, '127.0.0.1');
    const next = accepted(server);
    await sc.connect(port, '127.0.0.1');
    const sock = await next;
    assert.is(sock.readableHighWaterMark, 1234);
    assert.is(sock.writableHighWaterMark, 1234);
  } finally { await sc.dispose(); }
});

t('createServer highWaterMark: accepted sockets default to the stream default', async () => {
  const sc = scope();
  try {
    const server = sc.server();
    const { port } = await listen(server, 0, '127.0.0.1');
    const next = accepted(server);
    await sc.connect(port, '127.0.0.1');
    const sock = await next;
    const def = stream.getDefaultHighWaterMark(false);
    assert.is(sock.readableHighWaterMark, def);
    assert.is(sock.writableHighWaterMark, def);
  } finally { await sc.dispose(); }
});

t('createServer pauseOnConnect: nothing is read until resume(), then the bytes arrive', async () => {
  const sc = scope();
  try {
    const server = sc.server({ pauseOnConnect: true });
    const { port } = await listen(server, 0, '127.0.0.1');
    const next = accepted(server);
    const c = await sc.connect(port, '127.0.0.1');
    const sock = await next;
    await new Promise((resolve) => c.write('hello', resolve));
    let got = '';
    sock.on('data', (d) => { got += d; });
    // Give a reading implementation every chance to read what is in the kernel buffer.
    await sleep(100);
    assert.is(sock.bytesRead, 0);
    assert.is(got, '', 'a \'data\' listener alone must not start reading');
    assert.ok(sock.isPaused());
    const ended = onceEvent(sock, 'end');
    sock.resume();
    c.end();
    await ended;
    assert.is(got, 'hello');
    assert.is(sock.bytesRead, 5);
  } finally { await sc.dispose(); }
});

t('createServer pauseOnConnect: a paused socket can still write to the client', async () => {
  const sc = scope();
  try {
    const server = sc.server({ pauseOnConnect: true }, (s) => s.end('greeting'));
    const { port } = await listen(server, 0, '127.0.0.1');
    const c = await sc.connect(port, '127.0.0.1');
    assert.is((await collect(c)).toString(), 'greeting');
  } finally { await sc.dispose(); }
});

// Linux: /proc/net/tcp shows the keepalive timer (kind 2) of a connection that has SO_KEEPALIVE.
// Polls /proc/net/tcp until a timer shows (`tries` reads, 25 ms apart). The table can hold
// thousands of TIME_WAIT rows after the other suites, so a case expecting no timer reads it once.
async function serverSideTimer(options, tries = 20) {
  const sc = scope();
  try {
    const server = sc.server(options);
    const { port } = await listen(server, 0, '127.0.0.1');
    const next = accepted(server);
    const c = await sc.connect(port, '127.0.0.1');
    await next;
    let timer;
    for (let i = 0; i < tries; i++) {
      timer = tcpTimer(port, c.localPort);
      if (timer && timer.kind !== 0) break;
      await sleep(25);
    }
    return timer;
  } finally { await sc.dispose(); }
}

t('createServer keepAlive: accepted sockets get a keepalive timer of keepAliveInitialDelay', async () => {
  const timer = await serverSideTimer({ keepAlive: true, keepAliveInitialDelay: 7000 });
  assert.ok(timer, 'connection not found in /proc/net/tcp');
  assert.is(timer.kind, 2, 'expected the keepalive timer');
  if (lacks('keepAliveDelay', 'keep-alive initial delay (keep-alive on with the OS default delay, and a warning)')) {
    assert.ok(timer.seconds > 7.01, `keepalive due in ${timer.seconds}s, expected the OS default`);
    return;
  }
  assert.ok(timer.seconds > 4 && timer.seconds <= 7.01, `keepalive due in ${timer.seconds}s, expected about 7s`);
});

t('createServer keepAlive: off by default (no timer on an idle accepted socket)', async () => {
  const timer = await serverSideTimer({}, 1);
  assert.ok(timer, 'connection not found in /proc/net/tcp');
  assert.is(timer.kind, 0);
});

t('createServer noDelay: accepted sockets carry data both ways and keep setNoDelay()/setKeepAlive()', async () => {
  const sc = scope();
  try {
    const server = sc.server({ noDelay: true, keepAlive: true }, (s) => {
      assert.is(s.setNoDelay(true), s);
      assert.is(s.setKeepAlive(true, 1000), s);
      s.pipe(s);
    });
    const { port } = await listen(server, 0, '127.0.0.1');
    const c = await sc.connect(port, '127.0.0.1');
    assert.is(await roundTrip(c, 'ping'), 'ping');
  } finally { await sc.dispose(); }
});

t('createServer blockList: a blocked IPv4 peer is closed without \'connection\' or \'drop\'', async () => {
  const sc = scope();
  try {
    const blockList = new net.BlockList();
    blockList.addAddress('127.0.0.1');
    const server = sc.server({ blockList });
    const events = [];
    server.on('connection', () => events.push('connection'));
    server.on('drop', () => events.push('drop'));
    const { port } = await listen(server, 0, '127.0.0.1');
    const c = sc.socket(net.connect(port, '127.0.0.1'));
    c.resume();
    await within(gone(c), 2000, 'blocked client closed');
    assert.is(c.bytesRead, 0);
    await sleep(20);
    assert.equal(events, []);
  } finally { await sc.dispose(); }
}, { since: '22.13.0' });

t('createServer blockList: an IPv6 rule blocks ::1 while other peers are accepted', async () => {
  const sc = scope();
  try {
    const blockList = new net.BlockList();
    blockList.addAddress('::1', 'ipv6');
    const server = sc.server({ blockList }, (s) => s.end('ok'));
    let connections = 0;
    server.on('connection', () => { connections++; });
    const { port } = await listen(server, 0);
    const blocked = sc.socket(net.connect(port, '::1'));
    blocked.resume();
    await within(gone(blocked), 2000, 'blocked client closed');
    assert.is(connections, 0);
    const allowed = await sc.connect(port, '127.0.0.1');
    assert.is((await collect(allowed)).toString(), 'ok');
    assert.is(connections, 1);
  } finally { await sc.dispose(); }
}, { since: '22.13.0' });

t('server.listen: ipv6Only makes :: refuse IPv4 clients and leaves the IPv4 port free', async () => {
  const sc = scope();
  try {
    const server = sc.server();
    if (lacks('ipv6Only', 'server.listen({ ipv6Only })')) {
      assertUnsupported(() => server.listen({ port: 0, host: '::', ipv6Only: true }));
      return;
    }
    const addr = await listen(server, { port: 0, host: '::', ipv6Only: true });
    assert.is(addr.address, '::');
    const err = await connectError(addr.port, '127.0.0.1');
    assert.is(err.code, 'ECONNREFUSED');
    await sc.connect(addr.port, '::1');
    // 0.0.0.0 was not bound, so an IPv4 server can take the same port number.
    const v4 = await listen(sc.server(), addr.port, '127.0.0.1');
    assert.is(v4.port, addr.port);
  } finally { await sc.dispose(); }
});

t('server.listen: reusePort lets two servers listen on the same port', async () => {
  const sc = scope();
  try {
    if (lacks('reusePort', 'server.listen({ reusePort })')) {
      assertUnsupported(() => sc.server().listen({ port: 0, host: '127.0.0.1', reusePort: true }));
      return;
    }
    const a = sc.server((s) => s.end('x'));
    const b = sc.server((s) => s.end('x'));
    const first = await listen(a, { port: 0, host: '127.0.0.1', reusePort: true });
    const second = await listen(b, { port: first.port, host: '127.0.0.1', reusePort: true });
    assert.is(second.port, first.port);
    for (let i = 0; i < 4; i++) {
      const c = await sc.connect(first.port, '127.0.0.1');
      assert.is((await collect(c)).toString(), 'x');
    }
  } finally { await sc.dispose(); }
}, { since: '23.1.0' });

t('server.listen: exclusive: true listens and accepts outside cluster mode', async () => {
  const sc = scope();
  try {
    const server = sc.server((s) => s.end('ex'));
    const { port } = await listen(server, { port: 0, host: '127.0.0.1', exclusive: true });
    const c = await sc.connect(port, '127.0.0.1');
    assert.is((await collect(c)).toString(), 'ex');
  } finally { await sc.dispose(); }
});

t('server.listen: options.backlog is accepted and the server serves more clients than it', async () => {
  const sc = scope();
  try {
    const server = sc.server((s) => s.end('b'));
    const { port } = await listen(server, { port: 0, host: '127.0.0.1', backlog: 1 });
    for (let i = 0; i < 3; i++) {
      const c = await sc.connect(port, '127.0.0.1');
      assert.is((await collect(c)).toString(), 'b');
    }
  } finally { await sc.dispose(); }
});

t('server.listen: aborting options.signal closes the server', async () => {
  const sc = scope();
  try {
    const ac = new AbortController();
    const server = sc.server();
    const { port } = await listen(server, { port: 0, host: '127.0.0.1', signal: ac.signal });
    const closing = onceEvent(server, 'close');
    ac.abort();
    assert.is(server.listening, false);
    assert.is(server.address(), null);
    await closing;
    const err = await connectError(port, '127.0.0.1');
    assert.is(err.code, 'ECONNREFUSED');
  } finally { await sc.dispose(); }
});

t('server.listen: an already aborted signal never listens and emits \'close\'', async () => {
  const sc = scope();
  try {
    const server = sc.server();
    const events = [];
    server.on('listening', () => events.push('listening'));
    server.on('error', (e) => events.push(`error ${e.code}`));
    const closing = onceEvent(server, 'close').then(() => events.push('close'));
    server.listen({ port: 0, host: '127.0.0.1', signal: AbortSignal.abort() });
    await closing;
    await sleep(20);
    assert.equal(events, ['close']);
    assert.is(server.listening, false);
    assert.is(server.address(), null);
  } finally { await sc.dispose(); }
});

t('server.listen: aborting the signal keeps open connections until they end', async () => {
  const sc = scope();
  try {
    const ac = new AbortController();
    const server = sc.server((s) => s.pipe(s));
    const { port } = await listen(server, { port: 0, host: '127.0.0.1', signal: ac.signal });
    const c = await sc.connect(port, '127.0.0.1');
    let closedEvent = false;
    server.on('close', () => { closedEvent = true; });
    ac.abort();
    c.write('still');
    const got = await new Promise((resolve) => c.once('data', (d) => resolve(String(d))));
    assert.is(got, 'still');
    assert.is(closedEvent, false);
    const closing = onceEvent(server, 'close');
    c.end();
    await closing;
  } finally { await sc.dispose(); }
});

t.run();
