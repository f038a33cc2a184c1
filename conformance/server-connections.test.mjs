// server.maxConnections, 'drop', server.dropMaxConnection, server.getConnections() and the
// addresses of accepted sockets, against Node's node:net.
import * as assert from 'uvu/assert';
import { net } from './net.mjs';
import { suite, listen, onceEvent } from './lib.mjs';
import { scope, accepted, gone, within, sleep } from './support.mjs';

const t = suite('server-connections');

const count = (server) => new Promise((resolve, reject) => {
  server.getConnections((err, n) => (err ? reject(err) : resolve(n)));
});

/** A client that must be turned away: resolves with what it saw once it has closed. */
async function turnedAway(sc, port, host) {
  const c = sc.socket(net.connect(port, host));
  const seen = { connected: false, localPort: undefined, localAddress: undefined, data: '' };
  c.on('connect', () => { seen.connected = true; seen.localPort = c.localPort; seen.localAddress = c.localAddress; });
  c.on('data', (d) => { seen.data += d; });
  await within(gone(c), 3000, 'dropped client closed');
  return seen;
}

t('server.maxConnections: a connection over the limit is closed without \'connection\'', async () => {
  const sc = scope();
  try {
    const server = sc.server((s) => s.write('welcome'));
    server.maxConnections = 1;
    let connections = 0;
    server.on('connection', () => { connections++; });
    const { port } = await listen(server, 0, '127.0.0.1');
    const next = accepted(server);
    const first = await sc.connect(port, '127.0.0.1');
    await next;
    const seen = await turnedAway(sc, port, '127.0.0.1');
    assert.is(seen.data, '');
    assert.is(connections, 1);
    assert.is(await count(server), 1);
    assert.ok(!first.destroyed, 'the accepted connection must stay open');
  } finally { await sc.dispose(); }
});

// The loopback of each family, as the tests below name it.
const LOOPBACKS = [['IPv4', '127.0.0.1', 'an IPv4'], ['IPv6', '::1', 'an IPv6 (::1)']];

for (const [family, host, what] of LOOPBACKS) {
  t(`server.maxConnections: 'drop' reports both ends of ${what} connection`, async () => {
    const sc = scope();
    try {
      const server = sc.server();
      server.maxConnections = 1;
      const { port } = await listen(server, 0, host);
      const next = accepted(server);
      await sc.connect(port, host);
      await next;
      const drop = onceEvent(server, 'drop');
      const seen = await turnedAway(sc, port, host);
      const [data] = await within(drop, 2000, "'drop'");
      assert.ok(seen.connected, 'the dropped client did connect before it was closed');
      assert.equal({ ...data }, {
        localAddress: host, localPort: port, localFamily: family,
        remoteAddress: host, remotePort: seen.localPort, remoteFamily: family,
      });
    } finally { await sc.dispose(); }
  });
}

t('server.maxConnections: a slot freed by a closed connection is given to the next client', async () => {
  const sc = scope();
  try {
    const server = sc.server((s) => s.write('in'));
    server.maxConnections = 1;
    let drops = 0;
    server.on('drop', () => { drops++; });
    const { port } = await listen(server, 0, '127.0.0.1');
    const next = accepted(server);
    const first = await sc.connect(port, '127.0.0.1');
    const s1 = await next;
    await turnedAway(sc, port, '127.0.0.1');
    assert.is(drops, 1);
    first.destroy();
    await gone(s1);
    // Wait until the server no longer counts the closed connection.
    for (let i = 0; i < 40 && (await count(server)) !== 0; i++) await sleep(25);
    const again = accepted(server);
    const c = await sc.connect(port, '127.0.0.1');
    await again;
    const greeting = await new Promise((resolve) => c.once('data', (d) => resolve(String(d))));
    assert.is(greeting, 'in');
    assert.is(drops, 1);
  } finally { await sc.dispose(); }
});

t('server.maxConnections: raising the limit at run time admits new clients', async () => {
  const sc = scope();
  try {
    const server = sc.server();
    server.maxConnections = 1;
    const { port } = await listen(server, 0, '127.0.0.1');
    const next = accepted(server);
    await sc.connect(port, '127.0.0.1');
    await next;
    await turnedAway(sc, port, '127.0.0.1');
    server.maxConnections = 2;
    const again = accepted(server);
    await sc.connect(port, '127.0.0.1');
    await again;
    assert.is(await count(server), 2);
  } finally { await sc.dispose(); }
});

t('server.maxConnections: 0 drops every connection', async () => {
  const sc = scope();
  try {
    const server = sc.server();
    server.maxConnections = 0;
    let connections = 0;
    server.on('connection', () => { connections++; });
    const drops = [];
    server.on('drop', (d) => drops.push(d));
    const { port } = await listen(server, 0, '127.0.0.1');
    await turnedAway(sc, port, '127.0.0.1');
    await turnedAway(sc, port, '127.0.0.1');
    for (let i = 0; i < 40 && drops.length < 2; i++) await sleep(25);
    assert.is(connections, 0);
    assert.is(drops.length, 2);
  } finally { await sc.dispose(); }
}, { since: '21.0.0' });

t('server.dropMaxConnection: outside cluster mode the limit drops connections whether it is true or false', async () => {
  const sc = scope();
  try {
    for (const flag of [true, false]) {
      const server = sc.server();
      server.maxConnections = 1;
      server.dropMaxConnection = flag;
      assert.is(server.dropMaxConnection, flag);
      const { port } = await listen(server, 0, '127.0.0.1');
      const next = accepted(server);
      await sc.connect(port, '127.0.0.1');
      await next;
      const drop = onceEvent(server, 'drop');
      await turnedAway(sc, port, '127.0.0.1');
      await within(drop, 2000, `'drop' with dropMaxConnection ${flag}`);
    }
  } finally { await sc.dispose(); }
});

t('server.getConnections: counts open connections through an asynchronous (null, count) callback', async () => {
  const sc = scope();
  try {
    const server = sc.server();
    const { port } = await listen(server, 0, '127.0.0.1');
    assert.is(await count(server), 0);
    for (let i = 0; i < 3; i++) {
      const next = accepted(server);
      await sc.connect(port, '127.0.0.1');
      await next;
    }
    let returned = false;
    let ret;
    const args = await new Promise((resolve) => {
      ret = server.getConnections((...a) => resolve({ a, returned }));
      returned = true;
    });
    assert.is(ret, server);
    assert.is(args.returned, true, 'callback was called synchronously');
    assert.equal(args.a, [null, 3]);
  } finally { await sc.dispose(); }
});

t('server.getConnections: a connection stops counting once it has closed', async () => {
  const sc = scope();
  try {
    const server = sc.server();
    const { port } = await listen(server, 0, '127.0.0.1');
    const n1 = accepted(server);
    const c1 = await sc.connect(port, '127.0.0.1');
    const s1 = await n1;
    const n2 = accepted(server);
    await sc.connect(port, '127.0.0.1');
    await n2;
    assert.is(await count(server), 2);
    c1.end();
    await gone(s1);
    await sleep(10);
    assert.is(await count(server), 1);
  } finally { await sc.dispose(); }
});

for (const [family, host, what] of LOOPBACKS) {
  t(`server 'connection': ${what} accepted socket reports both ends`, async () => {
    const sc = scope();
    try {
      const server = sc.server();
      const { port } = await listen(server, 0, host);
      const next = accepted(server);
      const c = await sc.connect(port, host);
      const s = await next;
      assert.is(s.remoteAddress, host);
      assert.is(s.remotePort, c.localPort);
      assert.is(s.remoteFamily, family);
      assert.is(s.localAddress, host);
      assert.is(s.localPort, port);
      assert.is(s.localFamily, family);
      assert.equal(s.address(), { address: host, family, port });
    } finally { await sc.dispose(); }
  });
}

t('server \'connection\': an IPv4 client of a dual-stack :: server appears as ::ffff:127.0.0.1', async () => {
  const sc = scope();
  try {
    const server = sc.server();
    const { port } = await listen(server, 0);
    const next = accepted(server);
    const c = await sc.connect(port, '127.0.0.1');
    const s = await next;
    assert.is(s.remoteAddress, '::ffff:127.0.0.1');
    assert.is(s.remoteFamily, 'IPv6');
    assert.is(s.remotePort, c.localPort);
    assert.is(s.localAddress, '::ffff:127.0.0.1');
    assert.is(s.localPort, port);
    // The client itself sees plain IPv4.
    assert.is(c.remoteAddress, '127.0.0.1');
    assert.is(c.remoteFamily, 'IPv4');
  } finally { await sc.dispose(); }
});

t('server \'connection\': the accepted socket is already open', async () => {
  const sc = scope();
  try {
    const server = sc.server();
    const { port } = await listen(server, 0, '127.0.0.1');
    const state = new Promise((resolve) => server.once('connection', (s) => resolve({
      readyState: s.readyState, connecting: s.connecting, pending: s.pending, destroyed: s.destroyed,
    })));
    await sc.connect(port, '127.0.0.1');
    assert.equal(await state, { readyState: 'open', connecting: false, pending: false, destroyed: false });
  } finally { await sc.dispose(); }
});

t.run();
