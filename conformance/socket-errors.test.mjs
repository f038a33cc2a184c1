// Errors a net.Socket reports: system errors with Node's shape (message, code, negative errno,
// syscall, address, port), the peer's view of a reset, and the stream state errors of writes
// after end() / destroy().
import * as assert from 'uvu/assert';
import os from 'node:os';
import process from 'node:process';
import { writeFileSync, unlinkSync } from 'node:fs';
import { net } from './net.mjs';
import { suite, once, sleep, ipcPath, lacks, assertUnsupported } from './lib.mjs';
import { startServer, closed, destroyAll, nextError, freePort, record } from './support.mjs';

const t = suite('socket-errors');
const errno = (name) => -os.constants.errno[name];

t("socket event 'error': a refused TCP connection reports Node's ECONNREFUSED shape", async () => {
  const port = await freePort();
  const c = net.connect(port, '127.0.0.1');
  const closeP = closed(c);
  const err = await nextError(c);
  assert.ok(err instanceof Error);
  assert.is(err.message, `connect ECONNREFUSED 127.0.0.1:${port}`);
  assert.is(err.code, 'ECONNREFUSED');
  assert.is(err.errno, errno('ECONNREFUSED'));
  if (process.platform === 'linux') assert.is(err.errno, -111);
  assert.is(err.syscall, 'connect');
  assert.is(err.address, '127.0.0.1');
  assert.is(err.port, port);
  assert.is(await closeP, true);
});

t("socket event 'error': ECONNREFUSED on ::1 names the IPv6 address", async () => {
  const port = await freePort('::1');
  const c = net.connect(port, '::1');
  const err = await nextError(c);
  assert.is(err.message, `connect ECONNREFUSED ::1:${port}`);
  assert.is(err.address, '::1');
  assert.is(err.port, port);
});

t("socket event 'error': with localAddress and localPort the message names the local end too", async () => {
  if (lacks('localAddress', 'connect({ localAddress, localPort })')) {
    assertUnsupported(() => net.connect({ port: 9, host: '127.0.0.1', localAddress: '127.0.0.1', localPort: 9 }));
    return;
  }
  const port = await freePort();
  const localPort = await freePort();
  const c = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.1', localPort });
  const err = await nextError(c);
  assert.is(err.code, 'ECONNREFUSED');
  assert.is(err.message, `connect ECONNREFUSED 127.0.0.1:${port} - Local (127.0.0.1:${localPort})`);
  assert.is(err.localAddress, '127.0.0.1');
  assert.is(err.localPort, localPort);
});

t("socket event 'error': the socket is destroyed and no longer connecting when the error is emitted", async () => {
  const port = await freePort();
  const c = net.connect(port, '127.0.0.1');
  let state;
  c.on('error', () => { state = { destroyed: c.destroyed, connecting: c.connecting, readyState: c.readyState }; });
  await closed(c);
  assert.equal(state, { destroyed: true, connecting: false, readyState: 'closed' });
});

t("socket event 'error': a missing IPC path reports connect ENOENT <path>", async () => {
  const path = ipcPath('sock-missing');
  const c = net.connect(path);
  const closeP = closed(c);
  const err = await nextError(c);
  assert.is(err.message, `connect ENOENT ${path}`);
  assert.is(err.code, 'ENOENT');
  assert.is(err.errno, errno('ENOENT'));
  assert.is(err.syscall, 'connect');
  assert.is(err.address, path);
  assert.is(err.port, undefined);
  assert.is(await closeP, true);
});

t("socket event 'error': an IPC path that is not a socket reports ECONNREFUSED", async () => {
  const path = ipcPath('sock-plainfile');
  writeFileSync(path, 'not a socket');
  try {
    const c = net.connect(path);
    const err = await nextError(c);
    assert.is(err.code, 'ECONNREFUSED');
    assert.is(err.message, `connect ECONNREFUSED ${path}`);
    assert.is(err.address, path);
  } finally {
    unlinkSync(path);
  }
});

t("socket event 'error': a localPort already in use fails with bind EADDRINUSE", async () => {
  if (lacks('localAddress', 'connect({ localAddress, localPort })')) {
    assertUnsupported(() => net.connect({ port: 9, host: '127.0.0.1', localAddress: '127.0.0.1', localPort: 9 }));
    return;
  }
  const srv = await startServer();
  const busy = await startServer();
  try {
    const c = net.connect({ port: srv.port, host: '127.0.0.1', localAddress: '127.0.0.1', localPort: busy.port });
    const err = await nextError(c);
    assert.is(err.code, 'EADDRINUSE');
    assert.is(err.errno, errno('EADDRINUSE'));
    assert.is(err.syscall, 'bind');
    assert.is(err.address, '127.0.0.1');
    assert.is(err.port, busy.port);
    assert.is(err.message, `bind EADDRINUSE 127.0.0.1:${busy.port}`);
  } finally {
    await busy.stop();
    await srv.stop();
  }
});

t("socket event 'error': the peer of resetAndDestroy() gets read ECONNRESET and closes with hadError", async () => {
  const srv = await startServer();
  const c = net.connect(srv.port, '127.0.0.1');
  try {
    await once(c, 'connect');
    if (lacks('reset', 'socket.resetAndDestroy() (RST)')) {
      assertUnsupported(() => c.resetAndDestroy());
      return;
    }
    const peer = await srv.accepted();
    const peerClose = closed(peer);
    const errP = nextError(peer);
    c.resetAndDestroy();
    const err = await errP;
    assert.is(err.code, 'ECONNRESET');
    assert.is(err.errno, errno('ECONNRESET'));
    assert.is(err.syscall, 'read');
    assert.is(err.message, 'read ECONNRESET');
    assert.is(await peerClose, true);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket.write: after end(), fails with ERR_STREAM_WRITE_AFTER_END through the callback and an error event', async () => {
  const srv = await startServer();
  const c = net.connect(srv.port, '127.0.0.1');
  try {
    await once(c, 'connect');
    c.end();
    const order = [];
    let cbErr;
    let evErr;
    c.on('error', (e) => { evErr = e; order.push('error'); });
    const ret = c.write('too late', (e) => { cbErr = e; order.push('cb'); });
    assert.is(ret, false);
    await sleep(50);
    assert.equal(order, ['cb', 'error']);
    assert.is(cbErr.code, 'ERR_STREAM_WRITE_AFTER_END');
    assert.is(cbErr.message, 'write after end');
    assert.is(evErr, cbErr);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket.write: after destroy(), fails with ERR_STREAM_DESTROYED through the callback only', async () => {
  const srv = await startServer();
  const c = net.connect(srv.port, '127.0.0.1');
  try {
    await once(c, 'connect');
    c.destroy();
    const seen = record(c, ['error']);
    let cbErr;
    const ret = c.write('too late', (e) => { cbErr = e; });
    assert.is(ret, false);
    await sleep(50);
    assert.is(cbErr && cbErr.code, 'ERR_STREAM_DESTROYED');
    assert.is(cbErr.message, 'Cannot call write after a stream was destroyed');
    assert.equal(seen, [], 'no error event');
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t.run();
