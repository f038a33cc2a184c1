// The signal option of net.connect()/new net.Socket(), with Node's listener bookkeeping: node:stream
// adds one 'abort' listener at once (removed once the stream is done), node:net another a tick
// later (removed only when the signal fires); an already aborted signal adds none and destroys the
// socket with an AbortError; aborting at any time destroys it with an AbortError whose cause is the
// signal's reason.
import * as assert from 'uvu/assert';
import { getEventListeners } from 'node:events';
import { net } from './net.mjs';
import { suite, once, sleep } from './lib.mjs';
import { startServer, closed, destroyAll, nextError } from './support.mjs';

const t = suite('socket-signal');

const listeners = (signal) => getEventListeners(signal, 'abort').length;
const tick = () => new Promise((r) => process.nextTick(r));

function assertAbortError(err, cause) {
  assert.ok(err instanceof Error);
  assert.is(err.name, 'AbortError');
  assert.is(err.code, 'ABORT_ERR');
  assert.is(err.message, 'The operation was aborted');
  assert.is(err.cause, cause);
}

t('signal: one abort listener as connect() returns, two from the next tick on, none once aborted after connect', async () => {
  const srv = await startServer();
  const ac = new AbortController();
  let c;
  try {
    c = net.connect({ port: srv.port, host: '127.0.0.1', signal: ac.signal });
    assert.is(listeners(ac.signal), 1);
    await tick();
    assert.is(listeners(ac.signal), 2);
    await once(c, 'connect');
    assert.is(listeners(ac.signal), 2);
    const errP = nextError(c);
    const closeP = closed(c);
    const reason = new Error('stop now');
    ac.abort(reason);
    assert.is(c.destroyed, true);
    assert.is(listeners(ac.signal), 0);
    assertAbortError(await errP, reason);
    assert.is(await closeP, true);
    assert.is(c._aborted, true);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('signal: aborted in the tick of connect(), the socket is destroyed at once, no listener remains', async () => {
  const srv = await startServer();
  const ac = new AbortController();
  let c;
  try {
    c = net.connect({ port: srv.port, host: '127.0.0.1', signal: ac.signal });
    let connected = false;
    c.on('connect', () => { connected = true; });
    const errP = nextError(c);
    const closeP = closed(c);
    ac.abort();
    assert.is(c.destroyed, true);
    assert.is(c._handle, null);
    assert.is(listeners(ac.signal), 0);
    assertAbortError(await errP, ac.signal.reason);
    assert.is(await closeP, true);
    await sleep(50);
    assert.is(listeners(ac.signal), 0);
    assert.is(connected, false);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('signal: an already aborted signal gets no listener; AbortError (cause: the reason), then close without hadError', async () => {
  const srv = await startServer();
  const reason = new Error('too late');
  const signal = AbortSignal.abort(reason);
  let c;
  try {
    c = net.connect({ port: srv.port, host: '127.0.0.1', signal });
    assert.is(listeners(signal), 0);
    const seen = [];
    c.on('error', (err) => seen.push(err));
    c.on('close', (...args) => seen.push(['close', ...args]));
    await tick();
    assert.is(listeners(signal), 0);
    await sleep(50);
    assert.is(seen.length, 2, `events: ${seen.map(String)}`);
    assertAbortError(seen[0], reason);
    assert.equal(seen[1], ['close']);
    assert.is(c._aborted, true);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t("signal: destroyed without an abort, node:net's listener stays on the signal (node:stream's goes)", async () => {
  const srv = await startServer();
  const ac = new AbortController();
  let c;
  try {
    c = net.connect({ port: srv.port, host: '127.0.0.1', signal: ac.signal });
    await once(c, 'connect');
    const closeP = closed(c);
    c.destroy();
    assert.is(await closeP, false);
    await sleep(10);
    assert.is(listeners(ac.signal), 1);
    ac.abort();
    assert.is(listeners(ac.signal), 0);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('signal: new net.Socket({ signal }) not connected: aborting destroys it, close without hadError', async () => {
  const ac = new AbortController();
  const c = new net.Socket({ signal: ac.signal });
  assert.is(listeners(ac.signal), 1);
  await tick();
  assert.is(listeners(ac.signal), 2);
  const errP = nextError(c);
  const closeP = new Promise((r) => c.once('close', (...args) => r(args)));
  ac.abort();
  assertAbortError(await errP, ac.signal.reason);
  assert.equal(await closeP, []);
  assert.is(listeners(ac.signal), 0);
});

t('signal: a falsy signal option is ignored; anything else must be an AbortSignal ("signal" argument)', () => {
  for (const signal of [null, 0, false, '']) new net.Socket({ signal }).destroy();
  for (const [signal, received] of [[1, 'type number (1)'], [{}, 'an instance of Object'], ['x', "type string ('x')"]]) {
    let err;
    try { new net.Socket({ signal }); } catch (e) { err = e; }
    assert.ok(err instanceof TypeError);
    assert.is(err.code, 'ERR_INVALID_ARG_TYPE');
    assert.is(err.message, `The "signal" argument must be an instance of AbortSignal. Received ${received}`);
  }
});

t.run();
