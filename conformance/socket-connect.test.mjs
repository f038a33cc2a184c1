// net.connect / net.createConnection / socket.connect: the call signatures, what each connects
// to, and the connection-state properties (connecting, pending, readyState, addresses).
import * as assert from 'uvu/assert';
import { net } from './net.mjs';
import { suite, once, ipcPath } from './lib.mjs';
import { startServer, record, closed, destroyAll } from './support.mjs';

const t = suite('socket-connect');

t('net.connect: is the same function as net.createConnection, and net.Stream is net.Socket', () => {
  assert.is(net.connect, net.createConnection);
  assert.is(net.Stream, net.Socket);
});

t('net.createConnection: (port, host) returns a net.Socket that emits connect then ready', async () => {
  const srv = await startServer();
  let c;
  try {
    c = net.createConnection(srv.port, '127.0.0.1');
    assert.ok(c instanceof net.Socket);
    const seen = record(c, ['connect', 'ready']);
    await once(c, 'ready');
    assert.equal(seen, ['connect', 'ready']);
    assert.is(c.remotePort, srv.port);
    assert.is(c.remoteAddress, '127.0.0.1');
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('net.connect: (port, host, listener) adds the listener for connect, called once', async () => {
  const srv = await startServer();
  let c;
  try {
    let calls = 0;
    let self;
    await new Promise((resolve) => {
      c = net.connect(srv.port, '127.0.0.1', function () { calls++; self = this; resolve(); });
    });
    assert.is(calls, 1);
    assert.is(self, c);
    assert.is(c.listenerCount('connect'), 0);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('net.connect: (options, listener) connects to options.port/options.host', async () => {
  const srv = await startServer();
  let c;
  try {
    await new Promise((resolve) => { c = net.connect({ port: srv.port, host: '127.0.0.1' }, resolve); });
    assert.is(c.remotePort, srv.port);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('net.connect: a numeric string port is accepted', async () => {
  const srv = await startServer();
  let c;
  try {
    c = net.connect(String(srv.port), '127.0.0.1');
    await once(c, 'connect');
    assert.is(c.remotePort, srv.port);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t("net.connect: host defaults to 'localhost', which resolves to 127.0.0.1", async () => {
  const srv = await startServer();
  const c = new net.Socket();
  try {
    const lookups = [];
    c.on('lookup', (...args) => lookups.push(args));
    c.connect({ port: srv.port });
    await once(c, 'connect');
    assert.is(c.remoteAddress, '127.0.0.1');
    assert.is(c.remoteFamily, 'IPv4');
    assert.equal(lookups, [[null, '127.0.0.1', 4, 'localhost']]);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t("net.connect: (port, 'localhost') connects over IPv4 loopback", async () => {
  const srv = await startServer();
  let c;
  try {
    c = net.connect(srv.port, 'localhost');
    await once(c, 'connect');
    assert.is(c.remoteAddress, '127.0.0.1');
    const peer = await srv.accepted();
    assert.is(peer.remotePort, c.localPort);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('net.connect: an IPv6 literal host connects over ::1', async () => {
  const srv = await startServer(undefined, { host: '::1' });
  let c;
  try {
    c = net.connect(srv.port, '::1');
    await once(c, 'connect');
    assert.is(c.remoteAddress, '::1');
    assert.is(c.remoteFamily, 'IPv6');
    assert.is(c.localAddress, '::1');
    assert.is(c.localFamily, 'IPv6');
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('net.connect: (path) opens an IPC connection and carries data both ways', async () => {
  const path = ipcPath('sock-connect');
  const srv = await startServer((s) => s.pipe(s), { path });
  let c;
  try {
    c = net.connect(path);
    const lookups = [];
    c.on('lookup', () => lookups.push(1));
    await once(c, 'connect');
    c.end('over ipc');
    const chunks = [];
    c.on('data', (d) => chunks.push(d));
    await once(c, 'end');
    assert.is(Buffer.concat(chunks).toString(), 'over ipc');
    assert.equal(lookups, [], 'no lookup for an IPC path');
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('net.connect: ({ path }) IPC socket has no IP addresses', async () => {
  const path = ipcPath('sock-connect-opts');
  const srv = await startServer(undefined, { path });
  let c;
  try {
    c = net.connect({ path });
    await once(c, 'connect');
    assert.is(c.remoteAddress, undefined);
    assert.is(c.remotePort, undefined);
    assert.is(c.remoteFamily, undefined);
    assert.is(c.localPort, undefined);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket.connect: returns the socket and accepts (port, host, listener)', async () => {
  const srv = await startServer();
  const c = new net.Socket();
  try {
    let called = 0;
    const ret = c.connect(srv.port, '127.0.0.1', () => { called++; });
    assert.is(ret, c);
    await once(c, 'connect');
    assert.is(called, 1);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket.connect: connecting again after close reconnects and emits connect again', async () => {
  const srv = await startServer((s) => s.end('hi'));
  const c = new net.Socket();
  try {
    const got = [];
    c.on('data', (d) => got.push(String(d)));
    c.connect(srv.port, '127.0.0.1');
    await once(c, 'connect');
    await closed(c);
    assert.is(c.bytesRead, 2);
    assert.ok(c.destroyed);
    c.connect(srv.port, '127.0.0.1');
    await once(c, 'connect');
    assert.is(c.destroyed, false);
    assert.is(c.bytesRead, 0, 'bytesRead starts over on the new connection');
    await closed(c);
    assert.equal(got, ['hi', 'hi']);
    assert.is(c.bytesRead, 2);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket.connecting: true after connect() until the connect event, then false', async () => {
  const srv = await startServer();
  const c = new net.Socket();
  try {
    assert.is(c.connecting, false);
    c.connect(srv.port, '127.0.0.1');
    assert.is(c.connecting, true);
    let atConnect;
    c.on('connect', () => { atConnect = c.connecting; });
    await once(c, 'connect');
    assert.is(atConnect, false);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket.pending: true before and while connecting, false once connected, true after close', async () => {
  const srv = await startServer();
  const c = new net.Socket();
  try {
    assert.is(c.pending, true);
    c.connect(srv.port, '127.0.0.1');
    assert.is(c.pending, true);
    await once(c, 'connect');
    assert.is(c.pending, false);
    c.destroy();
    await closed(c);
    assert.is(c.pending, true);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket.readyState: opening, open, readOnly after end(), closed after destroy', async () => {
  const srv = await startServer();
  const c = new net.Socket();
  try {
    c.connect(srv.port, '127.0.0.1');
    assert.is(c.readyState, 'opening');
    await once(c, 'connect');
    assert.is(c.readyState, 'open');
    c.end();
    assert.is(c.readyState, 'readOnly');
    c.destroy();
    assert.is(c.readyState, 'closed');
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t("socket.readyState: writeOnly after the peer's FIN with allowHalfOpen", async () => {
  const srv = await startServer((s) => s.end());
  let c;
  try {
    c = net.connect({ port: srv.port, host: '127.0.0.1', allowHalfOpen: true });
    c.resume();
    await once(c, 'end');
    assert.is(c.readyState, 'writeOnly');
    assert.is(c.writable, true);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket.remotePort: remote and local endpoints match what the server sees', async () => {
  const srv = await startServer();
  let c;
  try {
    c = net.connect(srv.port, '127.0.0.1');
    await once(c, 'connect');
    const peer = await srv.accepted();
    assert.is(c.remoteAddress, '127.0.0.1');
    assert.is(c.remoteFamily, 'IPv4');
    assert.is(c.remotePort, srv.port);
    assert.is(c.localAddress, '127.0.0.1');
    assert.is(c.localFamily, 'IPv4');
    assert.is(typeof c.localPort, 'number');
    assert.is(peer.remotePort, c.localPort);
    assert.is(peer.localPort, c.remotePort);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket.address: {} before connecting, { address, family, port } of the local end when connected', async () => {
  const srv = await startServer();
  const c = new net.Socket();
  try {
    assert.equal(c.address(), {});
    c.connect(srv.port, '127.0.0.1');
    await once(c, 'connect');
    const a = c.address();
    assert.equal({ address: a.address, family: a.family, port: a.port }, { address: '127.0.0.1', family: 'IPv4', port: c.localPort });
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket.localAddress: undefined (and address() {}) once the socket is destroyed', async () => {
  const srv = await startServer();
  let c;
  try {
    c = net.connect(srv.port, '127.0.0.1');
    await once(c, 'connect');
    c.destroy();
    await closed(c);
    assert.is(c.localAddress, undefined);
    assert.is(c.localPort, undefined);
    assert.is(c.localFamily, undefined);
    assert.equal(c.address(), {});
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket.remoteAddress: undefined after destroy when it was never read while connected', async () => {
  const srv = await startServer();
  let c;
  try {
    c = net.connect(srv.port, '127.0.0.1');
    await once(c, 'connect');
    c.destroy();
    await closed(c);
    assert.is(c.remoteAddress, undefined);
    assert.is(c.remotePort, undefined);
    assert.is(c.remoteFamily, undefined);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket.remoteAddress: a value read while connected is still reported after close', async () => {
  const srv = await startServer();
  let c;
  try {
    c = net.connect(srv.port, '127.0.0.1');
    await once(c, 'connect');
    assert.is(c.remoteAddress, '127.0.0.1');
    c.destroy();
    await closed(c);
    assert.is(c.remoteAddress, '127.0.0.1');
    assert.is(c.remotePort, srv.port);
    assert.is(c.remoteFamily, 'IPv4');
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('new net.Socket: a fresh socket has no addresses, zero counters and is not destroyed', () => {
  const c = new net.Socket();
  assert.is(c.remoteAddress, undefined);
  assert.is(c.localAddress, undefined);
  assert.is(c.bytesRead, 0);
  assert.is(c.bytesWritten, 0);
  assert.is(c.destroyed, false);
  assert.is(c.connecting, false);
  assert.is(c.timeout, undefined);
  assert.is(c.bufferSize, undefined);
  c.destroy();
});

t('net.createConnection: the timeout option sets socket.timeout and emits timeout when idle', async () => {
  const srv = await startServer();
  let c;
  try {
    c = net.createConnection({ port: srv.port, host: '127.0.0.1', timeout: 150 });
    assert.is(c.timeout, 150);
    await once(c, 'connect');
    await once(c, 'timeout');
    assert.is(c.destroyed, false, "'timeout' does not close the socket");
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t.run();
