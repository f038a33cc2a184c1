// net.BoundSocket (Node 26.4, backported to 24.22): a socket bound synchronously in its constructor,
// neither listening nor connecting until one Server (server.listen(bound)) or Socket
// (new net.Socket({ handle: bound })) adopts it; afterwards it throws ERR_SOCKET_HANDLE_ADOPTED.
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { net, env } from './net.mjs';
import { suite, onceEvent, assertCode, assertUnsupported, lacks, limitedOn } from './lib.mjs';
import { scope, accepted, connectError, sleep } from './support.mjs';

const t = suite('boundsocket');
// crossnet's Deno.connect/listen adapter (the crossnet+deno column, or auto's fallback on a Deno without node-compat handles).
const overDenoListen = env.impl === 'crossnet' && env.runtime === 'deno'
  && net.getTransport() === (await import('../dist/adapters/deno.mjs')).transport;
const since = { since: '24.22.0' };

/** listen(bound, …) as a promise of 'listening' (the server is bound already when it returns). */
function listenOn(server, ...args) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(...args, () => { server.off('error', reject); resolve(server.address()); });
  });
}

/** A net.BoundSocket, unless this runtime cannot bind one (then its documented error is asserted). */
function bound(options) {
  if (lacks('bind', 'net.BoundSocket: the runtime cannot bind a socket')) {
    assertUnsupported(() => new net.BoundSocket(options));
    return null;
  }
  return new net.BoundSocket(options);
}

/** False, with the documented error asserted, where this runtime cannot bind a BoundSocket. */
function canBind() {
  const b = bound({ host: '127.0.0.1' });
  b?.close();
  return b !== null;
}

t('net.BoundSocket: the class as Node exports it', () => {
  assert.is(typeof net.BoundSocket, 'function');
  assert.is(net.BoundSocket.name, 'BoundSocket');
  assert.is(net.BoundSocket.length, 0);
  for (const name of ['address', 'fd', 'close']) assert.is(typeof net.BoundSocket.prototype[name], 'function', name);
  assert.is(typeof net.BoundSocket.prototype[Symbol.dispose], 'function');
  assert.ok('isPipe' in net.BoundSocket.prototype, 'isPipe on the prototype (the { path } capability signal)');
  assert.throws(() => net.BoundSocket(), (e) => e instanceof TypeError);
}, since);

t('net.BoundSocket: binds in the constructor; address() has the OS\'s port; 0.0.0.0 by default', () => {
  const b = bound();
  if (!b) return;
  try {
    const addr = b.address();
    assert.equal(Object.keys(addr).sort(), ['address', 'family', 'port']);
    assert.is(addr.address, '0.0.0.0');
    assert.is(addr.family, 'IPv4');
    assert.ok(addr.port > 0 && addr.port < 65536, `port ${addr.port}`);
    assert.is(b.isPipe, false);
    assert.equal(b.address(), addr, 'the same answer each time');
  } finally { b.close(); }
  const local = new net.BoundSocket({ host: '127.0.0.1' });
  assert.is(local.address().address, '127.0.0.1');
  local.close();
  const six = new net.BoundSocket({ host: '::1' });
  assert.equal([six.address().address, six.address().family], ['::1', 'IPv6']);
  six.close();
}, since);

t('net.BoundSocket: options are validated as Node does', () => {
  if (!canBind()) return;
  const check = (options, code, Class, message) => {
    const err = assertCode(() => new net.BoundSocket(options), code, Class);
    if (message) assert.is(err.message, message);
  };
  check(null, 'ERR_INVALID_ARG_TYPE', TypeError, 'The "options" argument must be of type object. Received null');
  check([], 'ERR_INVALID_ARG_TYPE', TypeError, 'The "options" argument must be of type object. Received an instance of Array');
  check('x', 'ERR_INVALID_ARG_TYPE', TypeError);
  check({ port: -1 }, 'ERR_SOCKET_BAD_PORT', RangeError, 'options.port should be >= 0 and < 65536. Received type number (-1).');
  check({ port: 65536 }, 'ERR_SOCKET_BAD_PORT', RangeError);
  check({ port: 1.5 }, 'ERR_SOCKET_BAD_PORT', RangeError);
  check({ ipv6Only: 1 }, 'ERR_INVALID_ARG_TYPE', TypeError, 'The "options.ipv6Only" property must be of type boolean. Received type number (1)');
  check({ reusePort: 'x' }, 'ERR_INVALID_ARG_TYPE', TypeError, 'The "options.reusePort" property must be of type boolean. Received type string (\'x\')');
  check({ host: 5 }, 'ERR_INVALID_ARG_TYPE', TypeError, 'The "options.host" property must be of type string. Received type number (5)');
  check({ host: 'localhost' }, 'ERR_INVALID_ARG_VALUE', TypeError,
    'The property \'options.host\' must be a numeric IP address; net.BoundSocket does not perform DNS resolution. Received \'localhost\'');
  check({ host: '' }, 'ERR_INVALID_ARG_VALUE', TypeError);
  check({ path: '/tmp/x.sock', port: 1 }, 'ERR_INVALID_ARG_VALUE', TypeError,
    'The argument \'options\' path is mutually exclusive with host, port, ipv6Only, and reusePort. Received { path: \'/tmp/x.sock\', port: 1 }');
  check({ path: 5 }, 'ERR_INVALID_ARG_TYPE', TypeError, 'The "options.path" property must be of type string. Received type number (5)');
  // The port is checked first, then ipv6Only, reusePort and the host.
  check({ port: -1, ipv6Only: 1, host: 5 }, 'ERR_SOCKET_BAD_PORT', RangeError);
  check({ ipv6Only: 1, host: 5 }, 'ERR_INVALID_ARG_TYPE', TypeError, 'The "options.ipv6Only" property must be of type boolean. Received type number (1)');
}, since);

t('net.BoundSocket: a bind failure throws from the constructor, with Node\'s message and fields', () => {
  if (!canBind()) return;
  const err = assertCode(() => new net.BoundSocket({ host: '192.0.2.1' }), 'EADDRNOTAVAIL', Error);
  assert.is(err.message, 'bind EADDRNOTAVAIL 192.0.2.1');
  assert.is(err.syscall, 'bind');
  assert.is(err.address, '192.0.2.1');
  assert.is(err.port, undefined);
  assert.is(typeof err.errno, 'number');
}, since);

t('net.BoundSocket: fd(); close() releases it; then address(), fd() and close() throw ERR_SOCKET_HANDLE_ADOPTED; dispose is idempotent', async () => {
  const b = bound({ host: '127.0.0.1' });
  if (!b) return;
  const fd = b.fd();
  if (limitedOn(['deno'], 'Deno hides descriptors: fd() is -1')) assert.is(fd, -1);
  else assert.ok(Number.isInteger(fd) && fd >= 0, `fd ${fd}`);
  const { port } = b.address();
  b.close();
  for (const call of [() => b.address(), () => b.fd(), () => b.close()]) {
    const err = assertCode(call, 'ERR_SOCKET_HANDLE_ADOPTED', Error);
    assert.is(err.message, 'The bound socket has already been adopted by a server or socket');
  }
  b[Symbol.dispose]();
  // The port is free again: a server can listen on it.
  const server = net.createServer();
  try {
    await new Promise((resolve, reject) => { server.once('error', reject); server.listen(port, '127.0.0.1', resolve); });
  } finally { server.close(); }
  const d = new net.BoundSocket({ host: '127.0.0.1' });
  d[Symbol.dispose]();
  d[Symbol.dispose]();
  assertCode(() => d.address(), 'ERR_SOCKET_HANDLE_ADOPTED');
}, since);

t('net.BoundSocket: a connection to it is refused until a server adopts it', async () => {
  const b = bound({ host: '127.0.0.1' });
  if (!b) return;
  const sc = scope();
  try {
    const { port } = b.address();
    if (overDenoListen && limitedOn(['deno'], 'Deno.listen binds and listens at once: connections to an un-adopted BoundSocket wait in its queue')) {
      b.close();
      return;
    }
    const err = await connectError(port, '127.0.0.1');
    assert.is(err.code, 'ECONNREFUSED');
    const server = sc.server();
    server.listen(b);
    await sc.connect(port, '127.0.0.1');
  } finally { await sc.dispose(); }
}, since);

t('server.listen(bound): bound at once (listening, address(), _connectionKey -1:null:-1); accepts; the BoundSocket is spent', async () => {
  const b = bound({ host: '127.0.0.1' });
  if (!b) return;
  const sc = scope();
  try {
    const want = b.address();
    const server = sc.server();
    const order = [];
    server.on('listening', () => order.push('listening'));
    server.listen(b);
    order.push('returned');
    assert.is(server.listening, true);
    assert.equal(server.address(), want);
    assert.is(server._connectionKey, '-1:null:-1');
    assertCode(() => b.address(), 'ERR_SOCKET_HANDLE_ADOPTED');
    assertCode(() => net.createServer().listen(b), 'ERR_SOCKET_HANDLE_ADOPTED');
    await onceEvent(server, 'listening');
    assert.equal(order, ['returned', 'listening']);
    const got = accepted(server);
    await sc.connect(want.port, '127.0.0.1');
    assert.instance(await got, net.Socket);
  } finally { await sc.dispose(); }
}, since);

t('server.listen({ handle: bound }, cb) and listen(bound, backlog, cb) adopt it too', async () => {
  const first = bound({ host: '127.0.0.1' });
  if (!first) return;
  const sc = scope();
  try {
    const a = sc.server();
    const addrA = await listenOn(a, { handle: first });
    assert.is(addrA.port, a.address().port);
    const b = sc.server();
    const second = new net.BoundSocket({ host: '127.0.0.1' });
    const port = second.address().port;
    const addrB = await listenOn(b, second, 16);
    assert.is(addrB.port, port);
    (await sc.connect(addrA.port, '127.0.0.1')).destroy();
    (await sc.connect(port, '127.0.0.1')).destroy();
    // Closing the server releases the port.
    await new Promise((r) => b.close(r));
    const again = new net.BoundSocket({ host: '127.0.0.1', port });
    again.close();
  } finally { await sc.dispose(); }
}, since);

t('net.BoundSocket({ path }): isPipe, address() is the path; server.listen(bound) serves it and unlinks it on close', async () => {
  const sc = scope();
  const path = sc.path('bound');
  const b = bound({ path });
  if (!b) return;
  try {
    assert.is(b.isPipe, true);
    assert.is(b.address(), path);
    assert.ok(existsSync(path), 'bind(2) made the socket file');
    const server = sc.server();
    server.listen(b);
    assert.is(server.address(), path);
    assert.is(server._connectionKey, '-1:null:-1');
    await onceEvent(server, 'listening');
    (await sc.connect(path)).destroy();
    await new Promise((r) => server.close(r));
    assert.not.ok(existsSync(path), 'the socket file is gone');
  } finally { await sc.dispose(); }
}, since);

t('net.BoundSocket({ path }): a path in use throws bind EADDRINUSE; close() of an un-adopted one unlinks it', () => {
  const sc = scope();
  const path = sc.path('bound-inuse');
  const b = bound({ path });
  if (!b) return;
  try {
    const err = assertCode(() => new net.BoundSocket({ path }), 'EADDRINUSE', Error);
    assert.is(err.message, 'bind EADDRINUSE');
    assert.is(err.syscall, 'bind');
  } finally { b.close(); sc.dispose(); }
  assert.not.ok(existsSync(path), 'closed: the socket file is gone');
}, since);

t('net.BoundSocket({ ipv6Only }): :: by default, IPv6 only; a server on it refuses IPv4 clients', async () => {
  if (!canBind()) return;
  if (lacks('ipv6Only', 'IPV6_V6ONLY')) {
    assertUnsupported(() => new net.BoundSocket({ ipv6Only: true }));
    return;
  }
  const sc = scope();
  try {
    const b = new net.BoundSocket({ ipv6Only: true });
    const { address, family, port } = b.address();
    assert.equal([address, family], ['::', 'IPv6']);
    const server = sc.server();
    await listenOn(server, b);
    await sc.connect(port, '::1');
    const err = await connectError(port, '127.0.0.1');
    assert.is(err.code, 'ECONNREFUSED');
  } finally { await sc.dispose(); }
}, since);

t('net.BoundSocket({ reusePort }): two servers listen on the same port', async () => {
  if (!canBind()) return;
  if (lacks('reusePort', 'SO_REUSEPORT')) {
    assertUnsupported(() => new net.BoundSocket({ host: '127.0.0.1', reusePort: true }));
    return;
  }
  const sc = scope();
  try {
    const a = new net.BoundSocket({ host: '127.0.0.1', reusePort: true });
    const { port } = a.address();
    const b = new net.BoundSocket({ host: '127.0.0.1', port, reusePort: true });
    const s1 = sc.server();
    const s2 = sc.server();
    await listenOn(s1, a);
    await listenOn(s2, b);
    assert.is(s1.address().port, port);
    assert.is(s2.address().port, port);
    await sc.connect(port, '127.0.0.1');
  } finally { await sc.dispose(); }
}, since);

/** new net.Socket({ handle }), unless this runtime cannot connect from a bound socket. */
function adopting(b) {
  if (lacks('bindConnect', 'connecting from a BoundSocket: the runtime\'s connect cannot start from a bound socket')) {
    assertUnsupported(() => new net.Socket({ handle: b }));
    b.close();
    return null;
  }
  return new net.Socket({ handle: b });
}

t('new net.Socket({ handle: bound }): connects from the bound address and port', async () => {
  const b = bound({ host: '127.0.0.1' });
  if (!b) return;
  const sc = scope();
  try {
    const { port: localPort } = b.address();
    const socket = adopting(b);
    if (!socket) return;
    sc.socket(socket);
    assertCode(() => b.address(), 'ERR_SOCKET_HANDLE_ADOPTED');
    assert.is(socket.connecting, false);
    assert.is(socket.localPort, localPort, 'where it is bound, before connecting');
    const server = sc.server();
    const { port } = await listenOn(server, 0, '127.0.0.1');
    const got = accepted(server);
    socket.connect(port, '127.0.0.1');
    await onceEvent(socket, 'connect');
    assert.is(socket.localPort, localPort);
    assert.is(socket.localAddress, '127.0.0.1');
    const peer = await got;
    assert.is(peer.remotePort, localPort);
    socket.end('hi');
    peer.setEncoding('utf8');
    let text = '';
    peer.on('data', (d) => { text += d; });
    await onceEvent(peer, 'end');
    assert.is(text, 'hi');
  } finally { await sc.dispose(); }
}, since);

t('new net.Socket({ handle: bound }): localAddress/localPort are refused; destroy() before connecting releases the port', async () => {
  const b = bound({ host: '127.0.0.1' });
  if (!b) return;
  const { port } = b.address();
  const socket = adopting(b);
  if (!socket) return;
  const err = assertCode(() => socket.connect({ port: 1, host: '127.0.0.1', localPort: 5 }), 'ERR_INVALID_ARG_VALUE', TypeError);
  assert.ok(err.message.startsWith('The argument \'options\' localAddress and localPort cannot be used with an adopted bound socket.'), err.message);
  socket.destroy();
  await onceEvent(socket, 'close');
  await sleep(10);
  const server = net.createServer();
  try {
    await new Promise((resolve, reject) => { server.once('error', reject); server.listen(port, '127.0.0.1', resolve); });
  } finally { server.close(); }
}, since);

t('new net.Socket({ handle: bound }): a refused connect is an \'error\' with Node\'s message', async () => {
  const b = bound({ host: '127.0.0.1' });
  if (!b) return;
  const socket = adopting(b);
  if (!socket) return;
  const probe = net.createServer();
  await new Promise((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address();
  await new Promise((r) => probe.close(r));
  socket.connect(port, '127.0.0.1');
  const [err] = await onceEvent(socket, 'error');
  assert.is(err.code, 'ECONNREFUSED');
  assert.is(err.message, `connect ECONNREFUSED 127.0.0.1:${port}`);
}, since);

t.run();
