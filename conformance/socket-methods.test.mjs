// net.Socket methods: setTimeout, setNoDelay, setKeepAlive, ref/unref, pause/resume,
// destroySoon, resetAndDestroy, end, destroy. (ref/unref's effect on process exit is in
// socket-child.test.mjs.)
import * as assert from 'uvu/assert';
import { net } from './net.mjs';
import { suite, once, sleep, collect, ipcPath, lacks, assertUnsupported } from './lib.mjs';
import { startServer, closed, destroyAll, nextError, record, until, within } from './support.mjs';

const t = suite('socket-methods');

// ---- setTimeout ----------------------------------------------------------------------------

t('socket.setTimeout: returns the socket, sets socket.timeout and adds the callback for timeout once', async () => {
  const srv = await startServer();
  const c = net.connect(srv.port, '127.0.0.1');
  try {
    await once(c, 'connect');
    let calls = 0;
    const ret = c.setTimeout(60, () => { calls++; });
    assert.is(ret, c);
    assert.is(c.timeout, 60);
    await until(() => calls === 1, 3000, 'timeout callback');
    assert.is(c.listenerCount('timeout'), 0, 'the callback was a once listener');
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket.setTimeout: activity on the socket restarts the idle timer', async () => {
  const srv = await startServer((s) => s.pipe(s));
  const c = net.connect(srv.port, '127.0.0.1');
  try {
    await once(c, 'connect');
    c.resume();
    let timeouts = 0;
    c.on('timeout', () => { timeouts++; });
    const start = Date.now();
    c.setTimeout(600);
    // Keep the socket busy well inside the timeout for 2.5 × the timeout.
    while (Date.now() - start < 1500) {
      c.write('tick');
      await sleep(60);
    }
    assert.is(timeouts, 0, 'no timeout while writing every 60 ms');
    await once(c, 'timeout');
    assert.is(timeouts, 1);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket.setTimeout: 0 disables the idle timeout', async () => {
  const srv = await startServer();
  const c = net.connect(srv.port, '127.0.0.1');
  try {
    await once(c, 'connect');
    let timeouts = 0;
    c.on('timeout', () => { timeouts++; });
    c.setTimeout(50);
    c.setTimeout(0);
    assert.is(c.timeout, 0);
    await sleep(250);
    assert.is(timeouts, 0);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket.setTimeout: (0, callback) removes that callback', () => {
  const c = new net.Socket();
  const cb = () => {};
  c.setTimeout(1000, cb);
  assert.is(c.listenerCount('timeout'), 1);
  c.setTimeout(0, cb);
  assert.is(c.listenerCount('timeout'), 0);
  c.destroy();
});

t('socket.setTimeout: set before connect, the timer runs from the call', async () => {
  const srv = await startServer();
  const c = new net.Socket();
  try {
    let fired = 0;
    c.setTimeout(100, () => { fired++; });
    c.connect(srv.port, '127.0.0.1');
    await until(() => fired === 1, 3000, 'timeout');
    assert.is(c.destroyed, false);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t("socket.setTimeout: 'timeout' does not end or destroy the socket", async () => {
  const srv = await startServer((s) => s.pipe(s));
  const c = net.connect(srv.port, '127.0.0.1');
  try {
    await once(c, 'connect');
    const seen = record(c, ['end', 'finish', 'error', 'close']);
    c.setTimeout(50);
    await once(c, 'timeout');
    await sleep(50);
    assert.equal(seen, []);
    c.setTimeout(0);
    const got = collect(c);
    c.end('alive');
    assert.is((await got).toString(), 'alive');
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

// ---- setNoDelay / setKeepAlive / ref / unref / pause / resume ------------------------------

t('socket.setNoDelay: returns the socket before and after connect, with or without an argument', async () => {
  const srv = await startServer();
  const c = new net.Socket();
  try {
    assert.is(c.setNoDelay(), c);
    assert.is(c.setNoDelay(true), c);
    c.connect(srv.port, '127.0.0.1');
    await once(c, 'connect');
    assert.is(c.setNoDelay(), c);
    assert.is(c.setNoDelay(false), c);
    assert.is(c.setNoDelay(true), c);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket.setKeepAlive: (enable, initialDelay) returns the socket before and after connect', async () => {
  const srv = await startServer((s) => s.pipe(s));
  const c = new net.Socket();
  try {
    assert.is(c.setKeepAlive(true, 1000), c);
    c.connect(srv.port, '127.0.0.1');
    await once(c, 'connect');
    assert.is(c.setKeepAlive(true, 5000), c);
    assert.is(c.setKeepAlive(false), c);
    assert.is(c.setKeepAlive(), c);
    const got = collect(c);
    c.end('still fine');
    assert.is((await got).toString(), 'still fine');
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket.ref: ref() and unref() return the socket, before and after connect', async () => {
  const srv = await startServer();
  const c = new net.Socket();
  try {
    assert.is(c.unref(), c);
    assert.is(c.ref(), c);
    c.connect(srv.port, '127.0.0.1');
    await once(c, 'connect');
    assert.is(c.unref(), c);
    assert.is(c.ref(), c);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket.pause: pause() and resume() return the socket and toggle isPaused()', async () => {
  const srv = await startServer();
  const c = net.connect(srv.port, '127.0.0.1');
  try {
    await once(c, 'connect');
    assert.is(c.pause(), c);
    assert.is(c.isPaused(), true);
    assert.is(c.resume(), c);
    assert.is(c.isPaused(), false);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

// ---- destroySoon ---------------------------------------------------------------------------

t('socket.destroySoon: queued data is sent, then the socket ends and is destroyed', async () => {
  const srv = await startServer();
  const c = net.connect(srv.port, '127.0.0.1');
  try {
    await once(c, 'connect');
    const peer = await srv.accepted();
    const got = collect(peer);
    const seen = record(c, ['end', 'finish', 'error', 'close']);
    c.write(Buffer.alloc(256 * 1024, 0x41));
    c.write('tail');
    const closeP = closed(c);
    c.destroySoon();
    assert.is(c.destroyed, false, 'not destroyed while data is queued');
    assert.is(c.writable, false);
    const bytes = await got;
    assert.is(bytes.length, 256 * 1024 + 4);
    assert.is(bytes.subarray(-4).toString(), 'tail');
    assert.is(await closeP, false);
    assert.equal(seen, ['finish', 'close(false)']);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket.destroySoon: destroys at once when the writable side already finished', async () => {
  const srv = await startServer();
  const c = net.connect(srv.port, '127.0.0.1');
  try {
    await once(c, 'connect');
    c.end();
    await once(c, 'finish');
    c.destroySoon();
    assert.is(c.destroyed, true);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

// ---- resetAndDestroy -----------------------------------------------------------------------

t('socket.resetAndDestroy: the peer gets ECONNRESET; the socket closes without error', async () => {
  const srv = await startServer();
  const c = net.connect(srv.port, '127.0.0.1');
  try {
    await once(c, 'connect');
    if (lacks('reset', 'socket.resetAndDestroy() (RST)')) {
      assertUnsupported(() => c.resetAndDestroy());
      return;
    }
    const peer = await srv.accepted();
    const peerErr = nextError(peer);
    const seen = record(c, ['end', 'finish', 'error', 'close']);
    const closeP = closed(c);
    assert.is(c.resetAndDestroy(), c);
    assert.is(c.destroyed, true);
    assert.is(await closeP, false);
    const err = await peerErr;
    assert.is(err.code, 'ECONNRESET');
    assert.is(err.syscall, 'read');
    assert.equal(seen, ['close(false)']);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket.resetAndDestroy: called while connecting, resets the connection once it is established', async () => {
  const srv = await startServer();
  const c = net.connect(srv.port, '127.0.0.1');
  try {
    if (lacks('reset', 'socket.resetAndDestroy() (RST)')) {
      assertUnsupported(() => c.resetAndDestroy());
      return;
    }
    const closeP = closed(c);
    c.resetAndDestroy();
    const peer = await within(srv.accepted(), 2000, 'the connection to reach the server');
    const err = await within(nextError(peer), 2000, "the peer's ECONNRESET");
    assert.is(err.code, 'ECONNRESET');
    assert.is(await closeP, false);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket.resetAndDestroy: on a socket that never connected, destroys it with ERR_SOCKET_CLOSED', async () => {
  const c = new net.Socket();
  const errP = nextError(c);
  assert.is(c.resetAndDestroy(), c);
  const err = await errP;
  assert.is(err.code, 'ERR_SOCKET_CLOSED');
  assert.is(err.message, 'Socket is closed');
  assert.is(c.destroyed, true);
});

t('socket.resetAndDestroy: on an IPC socket throws ERR_INVALID_HANDLE_TYPE', async () => {
  const path = ipcPath('sock-rad');
  const srv = await startServer(undefined, { path });
  const c = net.connect(path);
  try {
    await once(c, 'connect');
    let err;
    try { c.resetAndDestroy(); } catch (e) { err = e; }
    assert.ok(err, 'resetAndDestroy() threw');
    assert.ok(err instanceof TypeError);
    assert.is(err.code, 'ERR_INVALID_HANDLE_TYPE');
    assert.is(err.message, 'This handle type cannot be sent');
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

// ---- end / destroy -------------------------------------------------------------------------

t('socket.end: returns the socket; the callback runs with null, before finish is emitted', async () => {
  const srv = await startServer();
  const c = net.connect(srv.port, '127.0.0.1');
  try {
    await once(c, 'connect');
    const order = [];
    c.on('finish', () => order.push('finish'));
    let args;
    const ret = c.end((...a) => { args = a; order.push('cb'); });
    assert.is(ret, c);
    await until(() => order.length === 2, 3000, 'end callback and finish');
    assert.equal(args, [null]);
    assert.equal(order, ['cb', 'finish']);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket.end: on a socket that never connected, calls back and emits finish', async () => {
  const c = new net.Socket();
  const seen = record(c, ['finish', 'error']);
  let args;
  c.end((...a) => { args = a; });
  await until(() => args !== undefined, 2000, 'end callback');
  await sleep(0);
  assert.equal(args, [null]);
  assert.equal(seen, ['finish']);
  c.destroy();
}, { since: '21.0.0' });

t('socket.destroy: returns the socket, sets destroyed, and a second call changes nothing', async () => {
  const srv = await startServer();
  const c = net.connect(srv.port, '127.0.0.1');
  try {
    await once(c, 'connect');
    let closes = 0;
    c.on('close', () => { closes++; });
    assert.is(c.destroy(), c);
    assert.is(c.destroyed, true);
    assert.is(c.destroy(), c);
    await until(() => closes === 1, 2000, 'close');
    await sleep(30);
    assert.is(closes, 1);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket.destroy: while connecting, the socket closes without error and never connects', async () => {
  const srv = await startServer();
  const c = net.connect(srv.port, '127.0.0.1');
  try {
    const seen = record(c, ['connect', 'error', 'close']);
    c.destroy();
    assert.is(c.connecting, false);
    await closed(c);
    await sleep(50);
    assert.equal(seen, ['close(false)']);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t.run();
