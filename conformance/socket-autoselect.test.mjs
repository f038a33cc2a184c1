// Family autoselection (happy eyeballs): the module defaults, the autoSelectFamily and
// autoSelectFamilyAttemptTimeout options, the connectionAttempt* events and
// socket.autoSelectFamilyAttemptedAddresses. A custom lookup returns ::1 and 127.0.0.1 (answering
// asynchronously, as dns.lookup does) while the server listens on only one of them.
import * as assert from 'uvu/assert';
import { net } from './net.mjs';
import { suite, once, lacks, assertUnsupported } from './lib.mjs';
import { startServer, closed, destroyAll, nextError, freePort, stalledListener } from './support.mjs';

const t = suite('socket-autoselect');
const DUAL = [{ address: '::1', family: 6 }, { address: '127.0.0.1', family: 4 }];

/** A lookup answering `addresses` (all: true) or the first one, recording the options it got. */
function dualLookup(calls, addresses = DUAL) {
  return (host, options, cb) => {
    calls.push({ host, ...options });
    if (options.all) setImmediate(cb, null, addresses);
    else setImmediate(cb, null, addresses[0].address, addresses[0].family);
  };
}

/** Record the happy-eyeballs events with their arguments (errors as their code). */
function recordAttempts(socket) {
  const seen = [];
  for (const name of ['lookup', 'connectionAttempt', 'connectionAttemptFailed', 'connectionAttemptTimeout', 'connect', 'error']) {
    socket.on(name, (...args) => seen.push([name, ...args.map((a) => (a instanceof Error ? a.code : a))]));
  }
  return seen;
}

/** Run `fn` with the module defaults restored afterwards. */
async function withDefaults(fn) {
  const family = net.getDefaultAutoSelectFamily();
  const timeout = net.getDefaultAutoSelectFamilyAttemptTimeout();
  try {
    await fn();
  } finally {
    net.setDefaultAutoSelectFamily(family);
    net.setDefaultAutoSelectFamilyAttemptTimeout(timeout);
  }
}

// ---- module defaults -----------------------------------------------------------------------

t('net.setDefaultAutoSelectFamily: round-trips through getDefaultAutoSelectFamily', () => withDefaults(() => {
  assert.is(typeof net.getDefaultAutoSelectFamily(), 'boolean');
  assert.is(net.setDefaultAutoSelectFamily(false), undefined);
  assert.is(net.getDefaultAutoSelectFamily(), false);
  net.setDefaultAutoSelectFamily(true);
  assert.is(net.getDefaultAutoSelectFamily(), true);
}));

t('net.setDefaultAutoSelectFamily: a non-boolean throws ERR_INVALID_ARG_TYPE', () => withDefaults(() => {
  const before = net.getDefaultAutoSelectFamily();
  let err;
  try { net.setDefaultAutoSelectFamily(1); } catch (e) { err = e; }
  assert.ok(err instanceof TypeError);
  assert.is(err.code, 'ERR_INVALID_ARG_TYPE');
  assert.is(err.message, 'The "value" argument must be of type boolean. Received type number (1)');
  assert.is(net.getDefaultAutoSelectFamily(), before);
}));

t('net.setDefaultAutoSelectFamilyAttemptTimeout: round-trips through getDefaultAutoSelectFamilyAttemptTimeout', () => withDefaults(() => {
  const initial = net.getDefaultAutoSelectFamilyAttemptTimeout();
  assert.ok(Number.isInteger(initial) && initial >= 10, `default ${initial}`);
  assert.is(net.setDefaultAutoSelectFamilyAttemptTimeout(321), undefined);
  assert.is(net.getDefaultAutoSelectFamilyAttemptTimeout(), 321);
  net.setDefaultAutoSelectFamilyAttemptTimeout(11);
  assert.is(net.getDefaultAutoSelectFamilyAttemptTimeout(), 11);
}));

t('net.setDefaultAutoSelectFamilyAttemptTimeout: values under 10 become 10', () => withDefaults(() => {
  for (const v of [1, 5, 9, 10]) {
    net.setDefaultAutoSelectFamilyAttemptTimeout(v);
    assert.is(net.getDefaultAutoSelectFamilyAttemptTimeout(), 10, `set ${v}`);
  }
}));

t('net.setDefaultAutoSelectFamilyAttemptTimeout: invalid values throw and leave the default unchanged', () => withDefaults(() => {
  net.setDefaultAutoSelectFamilyAttemptTimeout(123);
  const check = (value, Class, code, message) => {
    let err;
    try { net.setDefaultAutoSelectFamilyAttemptTimeout(value); } catch (e) { err = e; }
    assert.ok(err instanceof Class, `${String(value)}: ${err && err.constructor.name}`);
    assert.is(err.code, code, String(value));
    if (message) assert.is(err.message, message);
    assert.is(net.getDefaultAutoSelectFamilyAttemptTimeout(), 123);
  };
  check('x', TypeError, 'ERR_INVALID_ARG_TYPE', 'The "value" argument must be of type number. Received type string (\'x\')');
  check(0, RangeError, 'ERR_OUT_OF_RANGE', 'The value of "value" is out of range. It must be >= 1 && <= 2147483647. Received 0');
  check(-1, RangeError, 'ERR_OUT_OF_RANGE');
  check(1.5, RangeError, 'ERR_OUT_OF_RANGE', 'The value of "value" is out of range. It must be an integer. Received 1.5');
  check(Infinity, RangeError, 'ERR_OUT_OF_RANGE');
  check(2 ** 31, RangeError, 'ERR_OUT_OF_RANGE');
}));

t('net.setDefaultAutoSelectFamily: false makes new connections resolve and try a single address', () => withDefaults(async () => {
  const srv = await startServer();
  const calls = [];
  const c = new net.Socket();
  try {
    net.setDefaultAutoSelectFamily(false);
    c.connect({ port: srv.port, host: 'dual.example', lookup: dualLookup(calls) });
    const err = await nextError(c);
    assert.is(err.code, 'ECONNREFUSED', 'only ::1 was tried');
    assert.is(err.address, '::1');
    assert.ok(!calls[0].all);
    assert.is(c.autoSelectFamilyAttemptedAddresses, undefined);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
}));

t('net.setDefaultAutoSelectFamily: true makes new connections ask lookup for all addresses', () => withDefaults(async () => {
  const srv = await startServer();
  const calls = [];
  const c = new net.Socket();
  try {
    net.setDefaultAutoSelectFamily(true);
    c.connect({ port: srv.port, host: 'dual.example', lookup: dualLookup(calls) });
    await once(c, 'connect');
    assert.is(calls[0].all, true);
    assert.is(c.remoteAddress, '127.0.0.1');
  } finally {
    destroyAll(c);
    await srv.stop();
  }
}));

// ---- events for a single address -----------------------------------------------------------

t("socket event 'connectionAttempt': (ip, port, family) once before connect for a single address", async () => {
  const srv = await startServer();
  const c = new net.Socket();
  try {
    const seen = recordAttempts(c);
    c.connect(srv.port, '127.0.0.1');
    await once(c, 'connect');
    assert.equal(seen, [['connectionAttempt', '127.0.0.1', srv.port, 4], ['connect']]);
    assert.is(c.autoSelectFamilyAttemptedAddresses, undefined);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t("socket event 'connectionAttemptFailed': (ip, port, family, error) before error for a refused address", async () => {
  const port = await freePort();
  const c = new net.Socket();
  const seen = recordAttempts(c);
  const closeP = closed(c);
  c.connect(port, '127.0.0.1');
  await closeP;
  assert.equal(seen, [
    ['connectionAttempt', '127.0.0.1', port, 4],
    ['connectionAttemptFailed', '127.0.0.1', port, 4, 'ECONNREFUSED'],
    ['error', 'ECONNREFUSED'],
  ]);
});

// ---- autoselection -------------------------------------------------------------------------

t("socket.connect: autoSelectFamily falls back from a refused ::1 to 127.0.0.1, with Node's events", async () => {
  const srv = await startServer();
  const calls = [];
  const c = new net.Socket();
  try {
    const seen = recordAttempts(c);
    c.connect({ port: srv.port, host: 'dual.example', autoSelectFamily: true, autoSelectFamilyAttemptTimeout: 5000, lookup: dualLookup(calls) });
    await once(c, 'connect');
    const p = srv.port;
    assert.equal(seen, [
      ['lookup', null, '::1', 6, 'dual.example'],
      ['lookup', null, '127.0.0.1', 4, 'dual.example'],
      ['connectionAttempt', '::1', p, 6],
      ['connectionAttemptFailed', '::1', p, 6, 'ECONNREFUSED'],
      ['connectionAttempt', '127.0.0.1', p, 4],
      ['connect'],
    ]);
    assert.is(calls.length, 1);
    assert.is(calls[0].all, true);
    assert.is(c.remoteAddress, '127.0.0.1');
    assert.is(c.remoteFamily, 'IPv4');
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket.autoSelectFamilyAttemptedAddresses: lists each tried ip:port, the connected one last', async () => {
  const srv = await startServer();
  const c = new net.Socket();
  try {
    c.connect({ port: srv.port, host: 'dual.example', autoSelectFamily: true, lookup: dualLookup([]) });
    await once(c, 'connect');
    assert.equal(c.autoSelectFamilyAttemptedAddresses, [`::1:${srv.port}`, `127.0.0.1:${srv.port}`]);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket.connect: autoSelectFamily starts with the family lookup lists first and tries each address once', async () => {
  const srv = await startServer(undefined, { host: '::1' });
  const c = new net.Socket();
  try {
    const seen = recordAttempts(c);
    c.connect({ port: srv.port, host: 'dual.example', autoSelectFamily: true, lookup: dualLookup([], [DUAL[1], DUAL[1], DUAL[0]]) });
    await once(c, 'connect');
    const p = srv.port;
    assert.equal(seen.filter((e) => e[0].startsWith('connectionAttempt')), [
      ['connectionAttempt', '127.0.0.1', p, 4],
      ['connectionAttemptFailed', '127.0.0.1', p, 4, 'ECONNREFUSED'],
      ['connectionAttempt', '::1', p, 6],
    ]);
    assert.equal(c.autoSelectFamilyAttemptedAddresses, [`127.0.0.1:${p}`, `::1:${p}`]);
    assert.is(c.remoteAddress, '::1');
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket.connect: autoSelectFamily with every address refused fails with an AggregateError', async () => {
  const port = await freePort();
  const c = new net.Socket();
  const seen = recordAttempts(c);
  const closeP = closed(c);
  c.connect({ port, host: 'dual.example', autoSelectFamily: true, lookup: dualLookup([]) });
  const err = await nextError(c);
  assert.is(await closeP, true);
  assert.ok(err instanceof AggregateError, `got ${err.constructor.name}`);
  assert.is(err.code, 'ECONNREFUSED');
  assert.equal(err.errors.map((e) => e.message), [`connect ECONNREFUSED ::1:${port}`, `connect ECONNREFUSED 127.0.0.1:${port}`]);
  assert.equal(seen.map((e) => e[0]), ['lookup', 'lookup', 'connectionAttempt', 'connectionAttemptFailed', 'connectionAttempt', 'connectionAttemptFailed', 'error']);
  assert.equal(c.autoSelectFamilyAttemptedAddresses, [`::1:${port}`, `127.0.0.1:${port}`]);
});

t('socket.connect: autoSelectFamily false tries only the first address lookup gives', async () => {
  const srv = await startServer();
  const calls = [];
  const c = new net.Socket();
  const seen = recordAttempts(c);
  try {
    c.connect({ port: srv.port, host: 'dual.example', autoSelectFamily: false, lookup: dualLookup(calls) });
    const err = await nextError(c);
    assert.is(err.message, `connect ECONNREFUSED ::1:${srv.port}`);
    assert.ok(!calls[0].all);
    assert.equal(seen.filter((e) => e[0] === 'connectionAttempt').length, 1);
    assert.is(c.autoSelectFamilyAttemptedAddresses, undefined);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket.connect: autoSelectFamily is ignored when family is 4 or 6', async () => {
  const srv = await startServer();
  const calls = [];
  const c = new net.Socket();
  try {
    c.connect({ port: srv.port, host: 'v4.example', family: 4, autoSelectFamily: true, lookup: dualLookup(calls, [DUAL[1]]) });
    await once(c, 'connect');
    assert.ok(!calls[0].all, 'lookup was not asked for all addresses');
    assert.is(calls[0].family, 4);
    assert.is(c.autoSelectFamilyAttemptedAddresses, undefined);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket.connect: autoSelectFamily is ignored when localAddress is set', async () => {
  if (lacks('localAddress', 'connect({ localAddress, localPort })')) {
    assertUnsupported(() => new net.Socket().connect({ port: 9, host: 'v4.example', localAddress: '127.0.0.1', autoSelectFamily: true }));
    return;
  }
  const srv = await startServer();
  const calls = [];
  const c = new net.Socket();
  try {
    c.connect({ port: srv.port, host: 'v4.example', localAddress: '127.0.0.1', autoSelectFamily: true, lookup: dualLookup(calls, [DUAL[1]]) });
    await once(c, 'connect');
    assert.ok(!calls[0].all);
    assert.is(c.autoSelectFamilyAttemptedAddresses, undefined);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

// ---- attempt timeouts (an unanswered ::1 listener) -----------------------------------------

t("socket event 'connectionAttemptTimeout': an unanswered attempt times out and the next address connects", async () => {
  const srv = await startServer();
  const stall = await stalledListener('::1', srv.port);
  const c = new net.Socket();
  try {
    const seen = recordAttempts(c);
    c.connect({ port: srv.port, host: 'dual.example', autoSelectFamily: true, autoSelectFamilyAttemptTimeout: 100, lookup: dualLookup([]) });
    await once(c, 'connect');
    const p = srv.port;
    assert.equal(seen.filter((e) => e[0] !== 'lookup'), [
      ['connectionAttempt', '::1', p, 6],
      ['connectionAttemptTimeout', '::1', p, 6],
      ['connectionAttempt', '127.0.0.1', p, 4],
      ['connect'],
    ]);
    assert.equal(c.autoSelectFamilyAttemptedAddresses, [`::1:${p}`, `127.0.0.1:${p}`]);
    assert.is(c.remoteAddress, '127.0.0.1');
  } finally {
    destroyAll(c);
    stall.stop();
    await srv.stop();
  }
}, { timeout: 15000 });

t('socket.connect: autoSelectFamilyAttemptTimeout waits that long before the next address (under 10 counts as 10)', async () => {
  const srv = await startServer();
  const stall = await stalledListener('::1', srv.port);
  try {
    for (const [asked, atLeast] of [[1, 9], [150, 145]]) {
      const c = new net.Socket();
      const at = {};
      c.on('connectionAttempt', (ip) => { if (ip === '::1') at.start = performance.now(); });
      c.on('connectionAttemptTimeout', () => { at.timeout = performance.now(); });
      c.connect({ port: srv.port, host: 'dual.example', autoSelectFamily: true, autoSelectFamilyAttemptTimeout: asked, lookup: dualLookup([]) });
      try {
        await once(c, 'connect');
        const waited = at.timeout - at.start;
        assert.ok(waited >= atLeast, `asked ${asked} ms, waited ${waited.toFixed(1)} ms`);
      } finally {
        destroyAll(c);
      }
    }
  } finally {
    stall.stop();
    await srv.stop();
  }
}, { timeout: 15000 });

t.run();
