// socket._handle as node:net shows it: there from connect() on (before any lookup), the way
// setNoDelay()/setKeepAlive() reach the OS (each call, with Node's arguments, so a wrapper or spy
// on the handle sees what it sees on Node), libuv's getsockname(out)/getpeername(out), fd, and
// null once destroyed. And new net.Socket({ handle }) with a handle object as Node's own tests fake
// one: the socket drives it as node:net drives a libuv handle.
import * as assert from 'uvu/assert';
import { net } from './net.mjs';
import { suite, once, ipcPath } from './lib.mjs';
import { startServer, closed, destroyAll } from './support.mjs';

const t = suite('socket-handle');

/** Record calls of `names` on `handle` (then call through), as [name, ...args]. */
function spy(handle, names) {
  const calls = [];
  for (const name of names) {
    const orig = handle[name];
    handle[name] = function (...args) {
      calls.push([name, ...args]);
      return orig.apply(this, args);
    };
  }
  return calls;
}

t('net.connect: socket._handle exists as connect() returns, before the lookup, with no descriptor yet', async () => {
  const srv = await startServer();
  let c;
  try {
    c = net.connect(srv.port, '127.0.0.1');
    const h = c._handle;
    assert.ok(h && typeof h === 'object', 'a handle while connecting');
    assert.is(c.connecting, true);
    assert.is(h.fd, -1);
    assert.is(h.reading, false);
    assert.is(typeof h.onread, 'function');
    assert.is(typeof h.getAsyncId(), 'number');
    const out = {};
    const ret = h.getsockname(out);
    assert.ok(ret < 0, `getsockname while connecting returns an errno, got ${ret}`);
    assert.equal(out, {});
    await once(c, 'connect');
    assert.is(c._handle, h, 'the same handle once connected');
    assert.is(typeof h.fd, 'number');
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t("socket._handle: getsockname(out)/getpeername(out) fill `out` as libuv's handle does and return 0", async () => {
  const srv = await startServer();
  let c;
  try {
    c = net.connect(srv.port, '127.0.0.1');
    await once(c, 'connect');
    const local = {};
    const remote = {};
    assert.is(c._handle.getsockname(local), 0);
    assert.is(c._handle.getpeername(remote), 0);
    assert.equal(local, { address: '127.0.0.1', family: 'IPv4', port: c.localPort });
    assert.equal(remote, { address: '127.0.0.1', family: 'IPv4', port: srv.port });
    assert.equal(Object.keys(local), ['address', 'family', 'port']);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket._handle: null once the socket is destroyed, already when close is emitted', async () => {
  const srv = await startServer();
  let c;
  try {
    c = net.connect(srv.port, '127.0.0.1');
    await once(c, 'connect');
    const closeP = new Promise((resolve) => c.once('close', () => resolve(c._handle)));
    c.destroy();
    assert.is(c._handle, null);
    assert.is(await closeP, null);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket._handle: destroyed while connecting, the handle is dropped and close carries hadError', async () => {
  const srv = await startServer();
  const c = net.connect(srv.port, '127.0.0.1');
  assert.ok(c._handle);
  const closeP = closed(c);
  c.destroy();
  assert.is(c._handle, null);
  assert.is(await closeP, false);
  await srv.stop();
});

t('setNoDelay/setKeepAlive: each call reaches socket._handle as on Node (only changes; the connect options once connected)', async () => {
  const srv = await startServer();
  let c;
  try {
    c = net.connect({ port: srv.port, host: '127.0.0.1', noDelay: true, keepAlive: true, keepAliveInitialDelay: 3000 });
    const calls = spy(c._handle, ['setNoDelay', 'setKeepAlive']);
    const log = [];
    const mark = (what) => log.push(...calls.splice(0).map(([n, a, b]) => (n === 'setNoDelay' ? `${n}(${a})` : `${n}(${a},${b})`)), what);
    c.setNoDelay(true); // already the option's value: no call
    mark('noDelay true');
    c.setNoDelay(false);
    mark('noDelay false');
    c.setKeepAlive(true, 3000); // the option's value: no call
    mark('keepAlive true 3000');
    await once(c, 'connect');
    mark('connect');
    c.setNoDelay(true);
    c.setNoDelay(true);
    c.setNoDelay();
    mark('noDelay true x3');
    c.setKeepAlive(true, 3000);
    c.setKeepAlive(true, 4000);
    c.setKeepAlive(false);
    c.setKeepAlive(false, 1000);
    mark('keepAlive');
    assert.equal(log, [
      'noDelay true',
      'setNoDelay(false)', 'noDelay false',
      'keepAlive true 3000',
      // Once connected: keep-alive as the options (and the call above) asked; no-delay was turned off.
      'setKeepAlive(true,3)', 'connect',
      'setNoDelay(true)', 'noDelay true x3',
      'setKeepAlive(true,4)', 'setKeepAlive(false,0)', 'keepAlive',
    ]);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('setNoDelay/setKeepAlive before connect(): no handle yet, applied through the handle once connected', async () => {
  const srv = await startServer();
  const c = new net.Socket();
  try {
    assert.is(c._handle, null);
    c.setNoDelay(true);
    c.setKeepAlive(true, 2000);
    c.connect(srv.port, '127.0.0.1');
    const calls = spy(c._handle, ['setNoDelay', 'setKeepAlive']);
    await once(c, 'connect');
    assert.equal(calls.map(([n, a, b]) => [n, a, b]), [['setNoDelay', true, undefined], ['setKeepAlive', true, 2]]);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t("IPC: the socket's handle is a pipe's: no TCP options, no getsockname; setNoDelay() is a no-op", async () => {
  const path = ipcPath('handle');
  const srv = await startServer(undefined, { path });
  let c;
  try {
    c = net.connect(path);
    assert.ok(c._handle);
    assert.is(c._handle.setNoDelay, undefined);
    assert.is(c._handle.setKeepAlive, undefined);
    assert.is(c._handle.getsockname, undefined);
    await once(c, 'connect');
    assert.is(c.setNoDelay(true), c);
    assert.is(c.setKeepAlive(true), c);
    assert.equal(c.address(), {});
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

// ---- new net.Socket({ handle }) ------------------------------------------------------------

/** A handle as Node's tests fake one: records every call, returns 0 (libuv's success). */
function fakeHandle(extra = {}) {
  const calls = [];
  const rec = (name) => function (...args) { calls.push([name, ...args]); return 0; };
  const handle = {
    readStart: rec('readStart'), readStop: rec('readStop'),
    writeBuffer: rec('writeBuffer'), writeUtf8String: rec('writeUtf8String'), writeLatin1String: rec('writeLatin1String'),
    writev: rec('writev'), shutdown: rec('shutdown'),
    setNoDelay: rec('setNoDelay'), setKeepAlive: rec('setKeepAlive'), ref: rec('ref'), unref: rec('unref'),
    close(cb) { calls.push(['close', typeof cb]); setImmediate(cb); },
    ...extra,
  };
  return { handle, calls };
}

t('new net.Socket({ handle }): the handle becomes socket._handle and reading starts on it', () => {
  const { handle, calls } = fakeHandle();
  const s = new net.Socket({ handle });
  assert.is(s._handle, handle);
  assert.equal(calls, [['readStart']]);
  assert.is(handle.reading, true);
  assert.is(typeof handle.onread, 'function');
  assert.is(s.pending, false);
  assert.is(s.readyState, 'open');
  assert.is(s.connecting, false);
  s.destroy();
});

t("new net.Socket({ handle }): setNoDelay reaches the handle as in Node's test-net-socket-setnodelay", () => {
  const args = [];
  const mk = () => {
    const { handle } = fakeHandle({ setNoDelay(enable) { args.push(enable); } });
    return new net.Socket({ handle });
  };
  let s = mk();
  s.setNoDelay();
  assert.equal(args.splice(0), [true], 'setNoDelay() means true');
  s.destroy();
  s = mk();
  for (const v of [true, 1, 'true', {}, []]) s.setNoDelay(v);
  assert.equal(args.splice(0), [true], 'truthy values after the first change nothing');
  s.destroy();
  s = mk();
  for (const v of [false, 0, '']) s.setNoDelay(v);
  assert.equal(args.splice(0), [], 'falsy values on a socket without no-delay change nothing');
  s.destroy();
  s = mk();
  for (const v of [true, 1, 'true', {}, [], false, 0, '', true, 1, 'true', {}, []]) s.setNoDelay(v);
  assert.equal(args.splice(0), [true, false, true]);
  s.destroy();
  const { handle } = fakeHandle({ setNoDelay: null });
  s = new net.Socket({ handle });
  assert.is(s.setNoDelay(true), s, 'a handle without setNoDelay is left alone');
  s.destroy();
});

t('new net.Socket({ handle }): setKeepAlive, ref, unref, addresses and destroy go to the handle', async () => {
  const { handle, calls } = fakeHandle({
    getsockname(out) { calls.push(['getsockname']); Object.assign(out, { address: '10.0.0.1', family: 'IPv4', port: 1234 }); return 0; },
    getpeername(out) { calls.push(['getpeername']); Object.assign(out, { address: '10.0.0.2', family: 'IPv4', port: 80 }); return 0; },
  });
  const s = new net.Socket({ handle });
  calls.length = 0;
  s.setKeepAlive(true, 5000);
  s.setKeepAlive(true, 5000);
  s.unref();
  s.ref();
  assert.is(s.remoteAddress, '10.0.0.2');
  assert.is(s.remotePort, 80);
  assert.is(s.localAddress, '10.0.0.1');
  assert.is(s.localPort, 1234);
  assert.equal(s.address(), { address: '10.0.0.1', family: 'IPv4', port: 1234 });
  assert.equal(calls.map((c) => c.slice(0, 3)), [['setKeepAlive', true, 5], ['unref'], ['ref'], ['getpeername'], ['getsockname']]);
  calls.length = 0;
  let code;
  try { s.resetAndDestroy(); } catch (err) { code = err.code; }
  assert.is(code, 'ERR_INVALID_HANDLE_TYPE', 'not a TCP handle');
  const closeP = closed(s);
  s.destroy();
  assert.is(s._handle, null);
  assert.equal(calls, [['close', 'function']]);
  assert.is(await closeP, false);
});

// Node 20 hands the handle write requests of its own; Node 24 asks the handle for them (null).
t('new net.Socket({ handle }): writes reach the handle as node:net makes them (strings by encoding, writev when corked)', async () => {
  const { handle, calls } = fakeHandle();
  const s = new net.Socket({ handle });
  calls.length = 0;
  const done = [];
  s.write('abc', () => done.push('abc'));
  s.write(Buffer.from('xyz'), () => done.push('xyz'));
  s.write('\u00e9', 'latin1', () => done.push('latin1'));
  s.cork();
  s.write('a');
  s.write('b');
  s.uncork();
  await new Promise((r) => setImmediate(r));
  const shown = calls.map(([name, , data, all]) => [name, Buffer.isBuffer(data) ? `<${data}>` : Array.isArray(data) ? data.length : data, all]);
  assert.equal(shown, [
    ['writeUtf8String', 'abc', undefined],
    ['writeBuffer', '<xyz>', undefined],
    ['writeLatin1String', '\u00e9', undefined],
    ['writev', 4, false],
  ]);
  assert.equal(done, ['abc', 'xyz', 'latin1'], 'a write the handle took at once (0) is done');
  calls.length = 0;
  s.end();
  await new Promise((r) => setImmediate(r));
  assert.equal(calls.map((c) => [c[0], typeof c[1]]), [['shutdown', 'object']]);
  s.destroy();
}, { since: '24.0.0' });

t.run();
