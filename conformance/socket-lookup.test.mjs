// What net.connect and server.listen do with a host and with what a lookup answers: Node's errors
// for a host that is not a string, for a lookup result that is not an IP address of family 4 or 6
// (the process stays up: Node 20 aborted on some of these), for DNS failures (a plain Error with
// errno, code, syscall 'getaddrinfo' and hostname on every runtime) and for a lookup that answers
// twice. Expected values are Node 26.12.1's own node:net (24.22.3 answers the same).
import * as assert from 'uvu/assert';
import process from 'node:process';
import { net } from './net.mjs';
import { suite, listen, close, lacks, assertUnsupported, runChild } from './lib.mjs';

const t = suite('socket-lookup');
const SINCE_24 = { since: '24.0.0' };

/** Connect with `options` and resolve with the first 'error' (or 'connect'), recording events. */
function outcome(options, { events = ['lookup', 'connectionAttempt', 'connectionAttemptFailed', 'connect', 'error', 'close'] } = {}) {
  return new Promise((resolve, reject) => {
    const seen = [];
    let s;
    try {
      s = net.connect(options);
    } catch (err) {
      reject(err);
      return;
    }
    for (const name of events) {
      s.on(name, (...args) => {
        seen.push([name, ...args]);
        if (name === 'close') resolve({ socket: s, seen, error: seen.find((e) => e[0] === 'error')?.[1] });
      });
    }
    s.on('connect', () => s.destroy());
  });
}

const answer = (...result) => (host, opts, cb) => setImmediate(cb, ...result);

function assertShape(err, Class, code, message) {
  assert.ok(err instanceof Class, `expected ${Class.name}, got ${err?.constructor?.name}: ${err?.message}`);
  assert.is(err.code, code);
  if (message !== undefined) assert.is(err.message, message);
}

t('net.connect: a lookup answering family 100 fails with ERR_INVALID_ADDRESS_FAMILY carrying host and port', async () => {
  for (const autoSelectFamily of [false, true]) {
    const lookup = (host, opts, cb) => setImmediate(() => (opts.all
      ? cb(null, [{ address: '127.0.0.1', family: 100 }])
      : cb(null, '127.0.0.1', 100)));
    const { error, seen } = await outcome({ host: 'localhost', port: 0, autoSelectFamily, lookup });
    assertShape(error, RangeError, 'ERR_INVALID_ADDRESS_FAMILY', 'Invalid address family: 100 localhost:0');
    assert.is(error.host, 'localhost');
    assert.is(error.port, 0);
    assert.equal(seen.map((e) => e[0]), ['lookup', 'error', 'close']);
    assert.equal(seen[0].slice(1), [null, '127.0.0.1', 100, 'localhost']);
  }
});

t('net.connect: the family error names the options as given (a numeric string port stays a string)', async () => {
  const { error } = await outcome({ host: 'svc.example', port: '80', autoSelectFamily: false, lookup: answer(null, '127.0.0.1', '4') });
  assertShape(error, RangeError, 'ERR_INVALID_ADDRESS_FAMILY', 'Invalid address family: 4 svc.example:80');
  assert.is(error.host, 'svc.example');
  assert.is(error.port, '80');
});

// Node 20 handed such an address to its TCP handle and the process aborted (SIGABRT).
t('net.connect: a lookup answering an array as the address fails with ERR_INVALID_IP_ADDRESS; the process stays up', async () => {
  const child = await runChild(`
    import { net } from './net.mjs';
    const s = net.connect({ host: 'svc.example', port: 9, autoSelectFamily: false,
      lookup: (h, o, cb) => setImmediate(cb, null, ['127.0.0.1'], 4) });
    s.on('connect', () => { console.log('connected'); process.exit(3); });
    s.on('error', (err) => { console.log(JSON.stringify([err.constructor.name, err.code, err.message])); });
    s.on('close', () => console.log('closed'));
  `);
  assert.is(child.signal, null, `the child died of ${child.signal}: ${child.stderr.slice(0, 300)}`);
  assert.is(child.code, 0, child.stderr.slice(0, 500));
  assert.equal(child.stdout.trim().split('\n'), [JSON.stringify(['TypeError', 'ERR_INVALID_IP_ADDRESS', "Invalid IP address: [ '127.0.0.1' ]"]), 'closed']);
}, { ...SINCE_24, timeout: 15000 });

t('net.connect: lookup answers that are not IP strings fail with ERR_INVALID_IP_ADDRESS worded as Node does', async () => {
  const rows = [
    [[null, undefined, 4], 'Invalid IP address: undefined'],
    [[null, 5, 4], 'Invalid IP address: 5'],
    [[null, 'not-an-ip', 4], 'Invalid IP address: not-an-ip'],
    [[null, '127.0.0.1\0', 4], 'Invalid IP address: 127.0.0.1\0'],
    [[null, {}, 4], 'Invalid IP address: {}'],
  ];
  for (const [result, message] of rows) {
    const { error } = await outcome({ host: 'svc.example', port: 9, autoSelectFamily: false, lookup: answer(...result) });
    assertShape(error, TypeError, 'ERR_INVALID_IP_ADDRESS', message);
  }
}, SINCE_24);

t('net.connect: an all-addresses answer with no usable entry fails on the first entry', async () => {
  const rows = [
    [[{ address: '127.0.0.1', family: 'IPv4' }], RangeError, 'ERR_INVALID_ADDRESS_FAMILY', 'Invalid address family: IPv4 svc.example:9'],
    [[{ address: 5, family: 4 }, { address: '::1', family: 7 }], TypeError, 'ERR_INVALID_IP_ADDRESS', 'Invalid IP address: 5'],
    [[{ address: 'nope', family: 4 }], TypeError, 'ERR_INVALID_IP_ADDRESS', 'Invalid IP address: nope'],
  ];
  for (const [list, Class, code, message] of rows) {
    const { error, seen } = await outcome({ host: 'svc.example', port: 9, autoSelectFamily: true, lookup: answer(null, list) });
    assertShape(error, Class, code, message);
    // One 'lookup' per entry, each (null, address, family, host).
    assert.equal(seen.filter((e) => e[0] === 'lookup').map((e) => e.slice(1)), list.map((a) => [null, a.address, a.family, 'svc.example']));
  }
});

t('net.connect: an address of the other family fails with connect EINVAL after connectionAttempt', async () => {
  const { error, seen } = await outcome({ host: 'svc.example', port: 9, autoSelectFamily: false, lookup: answer(null, '::1', 4) });
  assertShape(error, Error, 'EINVAL', 'connect EINVAL ::1:9 - Local (undefined:undefined)');
  assert.is(error.syscall, 'connect');
  assert.is(error.address, '::1');
  assert.is(error.port, 9);
  assert.equal(seen.map((e) => e[0]), ['lookup', 'connectionAttempt', 'error', 'close']);
});

t('net.connect: with several addresses, a blocked one and one of the other family fail as attempts; the next one connects', async () => {
  const server = net.createServer((s) => s.end());
  const { port } = await listen(server, 0, '127.0.0.1');
  try {
    const blockList = new net.BlockList();
    blockList.addAddress('::1', 'ipv6');
    // Node keeps an entry whose address is of the other family; libuv refuses it at once (EINVAL).
    const list = [{ address: '::1', family: 6 }, { address: '::2', family: 4 }, { address: '127.0.0.1', family: 4 }];
    const { error, seen, socket } = await outcome({ host: 'svc.example', port, autoSelectFamily: true, blockList, lookup: answer(null, list) },
      { events: ['connectionAttempt', 'connectionAttemptFailed', 'connect', 'error', 'close'] });
    assert.is(error, undefined, error && error.message);
    const attempts = seen.filter((e) => e[0].startsWith('connectionAttempt')).map((e) => [e[0], e[1], e[4]?.code]);
    assert.equal(attempts, [
      ['connectionAttemptFailed', '::1', 'ERR_IP_BLOCKED'],
      ['connectionAttempt', '::2', undefined],
      ['connectionAttemptFailed', '::2', 'EINVAL'],
      ['connectionAttempt', '127.0.0.1', undefined],
    ]);
    assert.equal(socket.autoSelectFamilyAttemptedAddresses, [`::2:${port}`, `127.0.0.1:${port}`]);
    const einval = seen.find((e) => e[0] === 'connectionAttemptFailed' && e[1] === '::2')[4];
    assert.is(einval.message, `connect EINVAL ::2:${port} - Local (undefined:undefined)`);
  } finally {
    await close(server);
  }
}, { since: '23.4.0' });

t('net.connect: a lookup answering twice fails with connect EALREADY instead of connecting twice', async () => {
  const server = net.createServer((s) => s.end());
  const { port } = await listen(server, 0, '127.0.0.1');
  try {
    const lookup = (host, opts, cb) => { cb(null, '127.0.0.1', 4); cb(null, '127.0.0.1', 4); };
    const { error, seen } = await outcome({ host: 'svc.example', port, autoSelectFamily: false, lookup });
    assert.ok(error, `expected an error, got ${seen.map((e) => e[0])}`);
    assert.is(error.code, 'EALREADY');
    assert.is(error.syscall, 'connect');
    assert.ok(!seen.some((e) => e[0] === 'connect'), 'never connected');
  } finally {
    await close(server);
  }
});

t('net.connect: a host that is not a string throws ERR_INVALID_ARG_TYPE naming options.host, before any lookup', () => {
  let looked = 0;
  const lookup = () => { looked++; };
  const rows = [
    [['svc.example'], 'an instance of Array'],
    [5, 'type number (5)'],
    [{}, 'an instance of Object'],
  ];
  for (const [host, received] of rows) {
    let err;
    try { net.connect({ host, port: 9, lookup }).destroy(); } catch (e) { err = e; }
    assertShape(err, TypeError, 'ERR_INVALID_ARG_TYPE', `The "options.host" property must be of type string. Received ${received}`);
  }
  assert.is(looked, 0);
}, SINCE_24);

t('net.connect: a host with a NUL byte throws ERR_INVALID_ARG_VALUE, IP literal or name alike', () => {
  for (const host of ['local\0host', '127.0.0.1\0']) {
    let err;
    try { net.connect({ host, port: 9, lookup: () => {} }).destroy(); } catch (e) { err = e; }
    assertShape(err, TypeError, 'ERR_INVALID_ARG_VALUE');
    assert.is(err.message, `The property 'options.host' must be a string without null bytes. Received '${host.replace('\0', '\\x00')}'`);
  }
}, SINCE_24);

t('net.connect: a falsy host means localhost', async () => {
  for (const host of ['', 0, null, false]) {
    const seen = [];
    const { error } = await outcome({ host, port: 9, autoSelectFamily: false, lookup: (h, o, cb) => { seen.push(h); setImmediate(cb, new Error('stop')); } });
    assert.is(error.message, 'stop');
    assert.equal(seen, ['localhost']);
  }
});

/** What a DNS failure looks like on Node: errno, code, syscall, hostname, and no own name. */
function assertGetaddrinfoError(err, hostname) {
  assert.ok(err instanceof Error, `an Error, got ${err}`);
  assert.is(err.constructor, Error);
  assert.is(err.name, 'Error');
  assert.ok(!Object.prototype.hasOwnProperty.call(err, 'name'), 'no own name property');
  assert.ok(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL'].includes(err.code), `code ${err.code}`);
  assert.type(err.errno, 'number');
  assert.ok(err.errno < 0, `libuv's negative errno, got ${err.errno}`);
  assert.is(err.syscall, 'getaddrinfo');
  assert.is(err.hostname, hostname);
  assert.is(err.message, `getaddrinfo ${err.code} ${hostname}`);
  assert.equal(Object.keys(err), ['errno', 'code', 'syscall', 'hostname']);
}

// `.invalid` never resolves (RFC 6761), so the resolver answers at once, even offline.
t('net.connect: a DNS failure is a plain Error with errno, code, syscall getaddrinfo and hostname', async () => {
  for (const autoSelectFamily of [false, true]) {
    const host = `nowhere-${process.pid}.invalid`;
    const { error, seen } = await outcome({ host, port: 9, autoSelectFamily });
    assertGetaddrinfoError(error, host);
    const lookupEvent = seen.find((e) => e[0] === 'lookup');
    assert.is(lookupEvent[1], error, "the 'lookup' event carries the same error");
    assert.is(lookupEvent[4], host);
  }
});

t('server.listen: a host DNS cannot resolve emits the same getaddrinfo Error and leaves the server free', async () => {
  const host = `nowhere-${process.pid}.invalid`;
  const server = net.createServer();
  const err = await new Promise((resolve) => {
    server.once('error', resolve);
    server.listen(0, host);
  });
  assertGetaddrinfoError(err, host);
  assert.is(server.listening, false);
  await listen(server, 0, '127.0.0.1');
  await close(server);
});

t('server.listen: a host that is not a string, or has a NUL byte, throws as dns.lookup does', () => {
  const server = net.createServer();
  // Where listen() takes the host (Node 20), its lookup failure must not escape the test.
  server.on('error', () => {});
  let err;
  try { server.listen({ port: 0, host: ['localhost'] }); } catch (e) { err = e; }
  assertShape(err, TypeError, 'ERR_INVALID_ARG_TYPE', 'The "hostname" argument must be of type string. Received an instance of Array');
  err = undefined;
  try { server.listen({ port: 0, host: 'local\0host' }); } catch (e) { err = e; }
  assertShape(err, TypeError, 'ERR_INVALID_ARG_VALUE', "The argument 'hostname' must be a string without null bytes. Received 'local\\x00host'");
  assert.is(server.listening, false);
  server.close();
}, SINCE_24);

t('new net.Socket: objectMode, readableObjectMode and writableObjectMode throw ERR_INVALID_ARG_VALUE', () => {
  const rows = [
    [{ objectMode: true }, "The property 'options.objectMode' is not supported. Received true"],
    [{ readableObjectMode: 1 }, "The property 'options.readableObjectMode' is not supported. Received 1"],
    [{ writableObjectMode: 'yes' }, "The property 'options.writableObjectMode' is not supported. Received 'yes'"],
    // objectMode is checked first, then readable before writable.
    [{ objectMode: true, readableObjectMode: true }, "The property 'options.objectMode' is not supported. Received true"],
    [{ readableObjectMode: true, writableObjectMode: true }, "The property 'options.readableObjectMode' is not supported. Received true"],
  ];
  for (const [options, message] of rows) {
    for (const make of [() => new net.Socket(options), () => net.connect({ port: 9, host: '127.0.0.1', ...options })]) {
      let err;
      try { make().destroy(); } catch (e) { err = e; }
      assertShape(err, TypeError, 'ERR_INVALID_ARG_VALUE', message);
    }
  }
  // Falsy values are no object mode, and servers take no such options.
  new net.Socket({ objectMode: false, readableObjectMode: 0, writableObjectMode: '' }).destroy();
  net.createServer({ objectMode: true }).close();
});

t('net.connect: a localAddress of the other family fails with bind EINVAL, an out-of-range localPort with bind EADDRINUSE', async () => {
  if (lacks('localAddress', 'connecting from a localAddress/localPort')) {
    assertUnsupported(() => net.connect({ host: '127.0.0.1', port: 9, localAddress: '::1' }));
    return;
  }
  let { error } = await outcome({ host: '127.0.0.1', port: 9, localAddress: '::1' });
  assertShape(error, Error, 'EINVAL', 'bind EINVAL ::1');
  assert.is(error.syscall, 'bind');
  ({ error } = await outcome({ host: '127.0.0.1', port: 9, localPort: 70000 }));
  assertShape(error, Error, 'EADDRINUSE', 'bind EADDRINUSE 0.0.0.0:70000');
  assert.is(error.syscall, 'bind');
  assert.is(error.port, 70000);
});

t.run();
