// crossnet/sockets: the WinterTC Sockets API (connect() with Web Streams) against local servers.
// The API exists only in crossnet: the crossnet columns test the package entry (over crossnet's
// net), the builtin columns the same layer built over the runtime's own node:net with
// createSocketsApi(net). Servers are the implementation under test on 127.0.0.1, except the
// STARTTLS server, whose server-side TLS runs over the runtime's own node:net (a fixture).
import * as assert from 'uvu/assert';
import tls from 'node:tls';
import nodeNet from 'node:net';
import process from 'node:process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { net, env } from './net.mjs';
import { spawn } from 'node:child_process';
import { suite, here, listen, close, sleep, once, nodeBinary } from './lib.mjs';
import { startServer, freePort, pattern, saturate, within } from './support.mjs';
import * as sockets from '../dist/sockets.mjs';

const t = suite('sockets');
// The memory column's net is a network's own, which the package entry's connect() does not use.
const { connect } = env.impl === 'builtin' || env.adapter === 'memory' ? sockets.createSocketsApi(net) : sockets;
const { SocketError } = sockets;
// Self-signed, CN=localhost, SAN localhost, 127.0.0.1 and ::1 (see fixtures/README.md).
const key = readFileSync(join(here, 'fixtures', 'tls-key.pem'));
const cert = readFileSync(join(here, 'fixtures', 'tls-cert.pem'));
const sha = (b) => createHash('sha256').update(b).digest('hex');
const text = (b) => Buffer.from(b).toString();
const KiB = 1024;
const MiB = 1024 * KiB;

/** Everything the readable delivers until done, as one Buffer. */
async function readAll(readable) {
  const chunks = [];
  for await (const chunk of readable) chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  return Buffer.concat(chunks);
}

/** Read from `reader` until `n` bytes came (or the stream ended). */
async function readBytes(reader, n) {
  const chunks = [];
  let got = 0;
  while (got < n) {
    const { value, done } = await reader.read();
    if (done) break;
    chunks.push(Buffer.from(value));
    got += value.byteLength;
  }
  return Buffer.concat(chunks);
}

/** Read until the text read so far contains `marker`. */
async function readUntil(reader, marker) {
  let s = '';
  while (!s.includes(marker)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the stream ended before ${JSON.stringify(marker)}; got ${JSON.stringify(s)}`);
    s += text(value);
  }
  return s;
}

/** `promise` rejects; resolves with the reason. */
async function rejection(promise, what) {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error(`${what} did not reject`);
}

/** Still pending after `ms`? */
async function pending(promise, ms = 50) {
  const marker = {};
  return (await Promise.race([promise.then(() => 'resolved', () => 'rejected'), sleep(ms).then(() => marker)])) === marker;
}

function assertSocketError(err, what) {
  assert.ok(err instanceof SocketError, `${what}: expected a SocketError, got ${err && err.constructor && err.constructor.name}: ${err && err.message}`);
  assert.ok(err instanceof TypeError, `${what}: a SocketError is a TypeError`);
  assert.ok(String(err.message).startsWith('SocketError: '), `${what}: the message starts with "SocketError: " (${err.message})`);
}

/**
 * A server that answers a connection's first bytes with a RST (resetAndDestroy()). It runs on
 * Node from PATH in a child process: the fixture is not what is under test, and not every
 * implementation here can send a RST. Resolves with { port, stop() }.
 */
async function resetServer() {
  const source = [
    "const net = require('node:net');",
    "const s = net.createServer((c) => c.once('data', () => c.resetAndDestroy()));",
    "s.listen(0, '127.0.0.1', () => console.log(`${process.pid} ${s.address().port}`));",
  ].join('\n');
  // Under `timeout` so it cannot outlive a crashed run; no stdio shared with this process.
  const child = spawn('timeout', ['-s', 'KILL', '60', nodeBinary(), '-e', source], { stdio: ['ignore', 'pipe', 'ignore'] });
  let pid;
  const stop = () => {
    if (pid) { try { process.kill(pid, 'SIGKILL'); } catch {} }
    child.stdout.destroy();
  };
  try {
    const [p, port] = await new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`reset fixture exited with ${code}`)));
      child.stdout.once('data', (d) => resolve(String(d).trim().split(' ').map(Number)));
    });
    pid = p;
    return { port, stop };
  } catch (err) {
    stop();
    throw err;
  }
}

/** A tls.createServer on 127.0.0.1 whose sessions run `onSecure(tlsSocket)`. */
async function tlsServer(onSecure, options = {}) {
  const sockets = new Set();
  const errors = [];
  const server = tls.createServer({ key, cert, ...options }, (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', (err) => errors.push(err));
    onSecure(s);
  });
  server.on('tlsClientError', (err) => errors.push(err));
  const { port } = await listen(server, 0, '127.0.0.1');
  return {
    port,
    errors,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await close(server);
    },
  };
}

// ---- connect() -------------------------------------------------------------------------------

t('crossnet/sockets connect(): echoes 1 B, 1 KB, 64 KiB + 1, 1 MiB and 10 MiB intact; closed resolves after both ends close', async () => {
  const srv = await startServer((s) => s.pipe(s));
  try {
    for (const size of [1, 1000, 64 * KiB + 1, MiB, 10 * MiB]) {
      const socket = connect({ hostname: '127.0.0.1', port: srv.port });
      const data = pattern(size);
      const got = readAll(socket.readable);
      const writer = socket.writable.getWriter();
      // Written before `opened`: the streams work at once and send once connected.
      for (let off = 0, n = 1; off < size; off += n, n = Math.min(n * 4, 256 * KiB)) {
        await writer.write(data.subarray(off, off + n));
      }
      await writer.close();
      const back = await got;
      assert.is(back.length, size, `${size} bytes echoed`);
      assert.is(sha(back), sha(data), `${size} bytes intact`);
      await within(socket.closed, 3000, 'closed');
    }
  } finally {
    await srv.stop();
  }
}, { timeout: 60000 });

t('crossnet/sockets connect(): returns a pending socket at once; opened resolves with remoteAddress, localAddress and alpn null', async () => {
  const srv = await startServer();
  try {
    const socket = connect(`127.0.0.1:${srv.port}`);
    assert.ok(socket.readable instanceof ReadableStream);
    assert.ok(socket.writable instanceof WritableStream);
    assert.ok(socket.opened instanceof Promise);
    assert.ok(socket.closed instanceof Promise);
    assert.is(socket.upgraded, false);
    assert.is(socket.secureTransport, 'off');
    const info = await socket.opened;
    const peer = await srv.accepted();
    assert.equal(info, {
      remoteAddress: `127.0.0.1:${srv.port}`,
      localAddress: `127.0.0.1:${peer.remotePort}`,
      alpn: null,
    });
    await socket.close();
  } finally {
    await srv.stop();
  }
});

t('crossnet/sockets connect(): "host:port", { hostname, port } with a numeric string port, and a name that needs DNS (localhost)', async () => {
  const srv = await startServer((s) => s.end('hi'));
  try {
    for (const address of [`127.0.0.1:${srv.port}`, { hostname: '127.0.0.1', port: String(srv.port) }, `localhost:${srv.port}`]) {
      const socket = connect(address);
      assert.is(text(await readAll(socket.readable)), 'hi', JSON.stringify(address));
      await within(socket.closed, 3000, 'closed');
    }
  } finally {
    await srv.stop();
  }
});

t('crossnet/sockets connect(): a malformed address or option throws a SocketError at once', () => {
  const cases = [
    ['localhost'], ['localhost:'], ['localhost:http'], ['localhost:70000'], [':80'], [''], ['::1:80'],
    ['bad host:80'], ['[not-v6]:80'], [{ hostname: 'localhost' }], [{ port: 80 }], [{ hostname: '', port: 80 }],
    [{ hostname: 'localhost', port: 1.5 }], [{ hostname: 'localhost', port: -1 }], [{ hostname: 'localhost', port: 65536 }],
    [42], [null], [undefined],
    ['localhost:80', { secureTransport: 'tls' }],
    ['localhost:80', { sni: 'localhost' }],
    ['localhost:80', { alpn: ['h2'] }],
    ['localhost:80', { secureTransport: 'on', alpn: 'h2' }],
    ['localhost:80', { tls: { rejectUnauthorized: false } }],
    ['localhost:80', { readableType: 'byob' }],
    ['localhost:80', { highWaterMark: -1 }],
    ['localhost:80', 'options'],
  ];
  for (const args of cases) {
    let err;
    try {
      connect(...args);
    } catch (e) {
      err = e;
    }
    assertSocketError(err, `connect(${args.map((a) => JSON.stringify(a)).join(', ')})`);
  }
});

t('crossnet/sockets SocketError: a TypeError named TypeError whose message starts with "SocketError: "; cause and code from the failure below', () => {
  const err = new SocketError('connection failed');
  assert.ok(err instanceof TypeError);
  assert.ok(err instanceof Error);
  assert.is(err.name, 'TypeError');
  assert.is(err.constructor.name, 'SocketError');
  assert.is(err.message, 'SocketError: connection failed');
  const cause = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
  const wrapped = new SocketError('read ECONNRESET', { cause });
  assert.is(wrapped.cause, cause);
  assert.is(wrapped.code, 'ECONNRESET');
});

t('crossnet/sockets socket.opened: a refused connect rejects opened and closed with one SocketError (ECONNREFUSED); the streams error with it', async () => {
  const port = await freePort();
  const socket = connect({ hostname: '127.0.0.1', port });
  const reader = socket.readable.getReader();
  const writer = socket.writable.getWriter();
  const err = await rejection(socket.opened, 'opened');
  assertSocketError(err, 'opened');
  assert.is(err.code, 'ECONNREFUSED');
  assert.is(err.cause.code, 'ECONNREFUSED');
  assert.is(await rejection(socket.closed, 'closed'), err, 'closed rejects with the same error');
  assert.is(await rejection(reader.read(), 'read()'), err, 'a read rejects with it');
  assert.is(await rejection(writer.write(new Uint8Array([1])), 'write()'), err, 'a write rejects with it');
  assert.is(await socket.close().catch((e) => e), err, 'close() returns the closed promise');
});

t('crossnet/sockets socket.opened: opened and closed are marked handled: a failed socket nobody watches is no unhandled rejection', async () => {
  const unhandled = [];
  const onUnhandled = (reason) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const port = await freePort();
    const socket = connect({ hostname: '127.0.0.1', port });
    void socket;
    await sleep(300);
    assert.equal(unhandled.map(String), []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

// ---- close() ---------------------------------------------------------------------------------

t('crossnet/sockets socket.close(): while a read is pending, the read ends (done) and closed resolves; the peer sees the connection go', async () => {
  const srv = await startServer();
  try {
    const socket = connect({ hostname: '127.0.0.1', port: srv.port });
    await socket.opened;
    const peer = await srv.accepted();
    const peerClosed = once(peer, 'close');
    const reader = socket.readable.getReader();
    const writer = socket.writable.getWriter();
    const read = reader.read();
    assert.ok(await pending(read), 'the read waits for data');
    const closing = socket.close();
    assert.is(closing, socket.closed, 'close() returns the closed promise');
    assert.equal(await read, { value: undefined, done: true });
    await within(socket.closed, 3000, 'closed');
    const err = await rejection(writer.write(new Uint8Array([1])), 'a write after close()');
    assertSocketError(err, 'a write after close()');
    await within(peerClosed, 3000, "the peer's close");
  } finally {
    await srv.stop();
  }
});

t('crossnet/sockets socket.close(reason): a pending opened rejects with the reason, writes reject with it; closed resolves', async () => {
  const srv = await startServer();
  try {
    const socket = connect({ hostname: '127.0.0.1', port: srv.port });
    const writer = socket.writable.getWriter();
    const reason = new Error('changed my mind');
    const closing = socket.close(reason);
    assert.is(await rejection(socket.opened, 'opened'), reason);
    assert.is(await rejection(writer.write(new Uint8Array([1])), 'write()'), reason);
    await within(closing, 3000, 'closed');
    assert.is(socket.close(), closing, 'a second close() returns the same promise');
  } finally {
    await srv.stop();
  }
});

// ---- readable --------------------------------------------------------------------------------

t("crossnet/sockets socket.readable: the peer's reset (RST) errors a pending read with a SocketError (ECONNRESET); closed resolves, as the draft says for a RST", async () => {
  const srv = await resetServer();
  try {
    const socket = connect({ hostname: '127.0.0.1', port: srv.port });
    await socket.opened;
    const reader = socket.readable.getReader();
    const read = reader.read();
    const writer = socket.writable.getWriter();
    await writer.write(new TextEncoder().encode('reset me'));
    const err = await within(rejection(read, 'the pending read'), 3000, 'the read to fail');
    assertSocketError(err, 'the pending read');
    assert.is(err.code, 'ECONNRESET');
    assert.is(err.cause.code, 'ECONNRESET');
    await within(socket.closed, 3000, 'closed');
    assertSocketError(await rejection(writer.write(new Uint8Array([1])), 'a write after the reset'), 'a write after the reset');
  } finally {
    srv.stop();
  }
});

t("crossnet/sockets socket.readable: a slow reader stalls the peer: its write() returns false and its writableLength stops growing; then every byte arrives", async () => {
  const srv = await startServer();
  try {
    const socket = connect({ hostname: '127.0.0.1', port: srv.port });
    await socket.opened;
    const peer = await srv.accepted();
    // Nobody reads the readable: the layer's queue fills, the socket stops reading, the kernel
    // buffers fill, and the peer's data stays queued in the peer (saturate checks it stays put).
    const total = await saturate(peer, 0x73);
    assert.is(peer.write('!'), false, "the peer's write() returns false");
    assert.ok(peer.writableLength > 0);
    peer.end();
    const got = await readAll(socket.readable);
    assert.is(got.length, total + 1);
    assert.is(got[0], 0x73);
    assert.is(got[got.length - 1], 0x21);
    await within(socket.closed, 3000, 'closed');
  } finally {
    await srv.stop();
  }
}, { timeout: 30000 });

t("crossnet/sockets socket.readable: the draft's non-byte stream of Uint8Array chunks; readableType 'bytes' (extension) gives BYOB reads", async () => {
  const srv = await startServer((s) => s.end('abcdefgh'));
  try {
    const plain = connect({ hostname: '127.0.0.1', port: srv.port });
    assert.throws(() => plain.readable.getReader({ mode: 'byob' }), TypeError);
    const reader = plain.readable.getReader();
    const { value } = await reader.read();
    assert.is(value.constructor, Uint8Array);
    await plain.close();

    const bytes = connect({ hostname: '127.0.0.1', port: srv.port }, { readableType: 'bytes' });
    const byob = bytes.readable.getReader({ mode: 'byob' });
    await bytes.opened;
    await sleep(50);
    const first = await byob.read(new Uint8Array(3));
    assert.is(text(first.value), 'abc');
    const rest = await byob.read(new Uint8Array(16));
    assert.is(text(rest.value), 'defgh');
    const end = await byob.read(new Uint8Array(4));
    assert.is(end.done, true);
    await within(bytes.closed, 3000, 'closed');
  } finally {
    await srv.stop();
  }
});

t('crossnet/sockets socket.readable: cancelling it does not close the socket; the writable still reaches the peer', async () => {
  const srv = await startServer();
  try {
    const socket = connect({ hostname: '127.0.0.1', port: srv.port });
    await socket.opened;
    const peer = await srv.accepted();
    const received = [];
    peer.on('data', (d) => received.push(d));
    await socket.readable.cancel('not interested');
    peer.write('ignored');
    const writer = socket.writable.getWriter();
    await writer.write(new TextEncoder().encode('still here'));
    await sleep(50);
    assert.ok(await pending(socket.closed), 'closed stays pending');
    assert.is(Buffer.concat(received).toString(), 'still here');
    await socket.close();
  } finally {
    await srv.stop();
  }
});

// ---- writable --------------------------------------------------------------------------------

t('crossnet/sockets socket.writable: takes Uint8Array, other ArrayBuffer views, ArrayBuffer and strings (UTF-8); another value rejects with a TypeError', async () => {
  const srv = await startServer();
  try {
    const socket = connect({ hostname: '127.0.0.1', port: srv.port });
    const peer = await srv.accepted();
    const received = [];
    peer.on('data', (d) => received.push(d));
    const writer = socket.writable.getWriter();
    await writer.write(new Uint8Array([1, 2]));
    await writer.write(new Uint16Array([0x0403]));
    await writer.write(new DataView(new Uint8Array([9, 5, 6, 9]).buffer, 1, 2));
    await writer.write(new Uint8Array([7]).buffer);
    await writer.write('é');
    await writer.write(new Uint8Array(0));
    await sleep(50);
    assert.equal([...Buffer.concat(received)], [1, 2, 3, 4, 5, 6, 7, 0xc3, 0xa9]);
    const err = await rejection(writer.write(42), 'write(42)');
    assert.ok(err instanceof TypeError, String(err));
    await socket.close();
  } finally {
    await srv.stop();
  }
});

t('crossnet/sockets socket.writable: a peer that does not read stalls the writer: writer.ready stays pending, nothing piles up; then every byte arrives', async () => {
  const srv = await startServer(() => {}, { options: { pauseOnConnect: true } });
  try {
    const socket = connect({ hostname: '127.0.0.1', port: srv.port });
    await socket.opened;
    const peer = await srv.accepted();
    const writer = socket.writable.getWriter();
    const chunk = new Uint8Array(256 * KiB).fill(0x77);
    let written = 0;
    let stalled = false;
    // Each write settles once the socket below took it: with the peer not reading, the kernel
    // buffers fill, a write stays unsettled, and writer.ready with it.
    while (written < 256 * MiB) {
      if (!(await Promise.race([writer.ready.then(() => true), sleep(300).then(() => false)]))) {
        stalled = true;
        break;
      }
      writer.write(chunk).catch(() => {});
      written += chunk.length;
    }
    assert.ok(stalled, `writer.ready never stayed pending (${written} bytes written)`);
    assert.ok(written < 64 * MiB, `the writer stalled only after ${written} bytes`);
    assert.ok(writer.desiredSize <= 0);
    let received = 0;
    const allIn = new Promise((resolve) => peer.on('data', (d) => { received += d.length; if (received >= written) resolve(); }));
    peer.resume();
    await within(allIn, 10000, 'every byte at the peer');
    assert.is(received, written);
    await writer.ready;
    await socket.close();
  } finally {
    await srv.stop();
  }
}, { timeout: 30000 });

// ---- allowHalfOpen ---------------------------------------------------------------------------

t("crossnet/sockets allowHalfOpen: false (the default): the peer's FIN ends the readable, closes the writable after what it holds, and closes the socket", async () => {
  let peerGot = '';
  let peerEnded = false;
  const srv = await startServer((s) => {
    s.setEncoding('utf8');
    s.on('data', (d) => { peerGot += d; if (peerGot.includes('ping')) s.end('pong'); });
    s.on('end', () => { peerEnded = true; });
  });
  try {
    const socket = connect({ hostname: '127.0.0.1', port: srv.port });
    const writer = socket.writable.getWriter();
    writer.write(new TextEncoder().encode('ping'));
    assert.is(text(await readAll(socket.readable)), 'pong');
    await within(socket.closed, 3000, 'closed');
    assert.is(peerGot, 'ping');
    await sleep(20);
    assert.is(peerEnded, true, 'the peer got our FIN');
    assertSocketError(await rejection(writer.write(new Uint8Array([1])), 'a write after the FIN'), 'a write after the FIN');
  } finally {
    await srv.stop();
  }
});

t("crossnet/sockets allowHalfOpen: true: after the peer's FIN the readable ends and the writable still works; closing it closes the socket", async () => {
  let peerGot = '';
  let peerEnded;
  const ended = new Promise((r) => { peerEnded = r; });
  const srv = await startServer((s) => {
    s.setEncoding('utf8');
    s.once('data', () => s.end('answer'));
    s.on('data', (d) => { peerGot += d; });
    s.on('end', () => peerEnded());
  }, { options: { allowHalfOpen: true } });
  try {
    const socket = connect({ hostname: '127.0.0.1', port: srv.port }, { allowHalfOpen: true });
    const writer = socket.writable.getWriter();
    await writer.write(new TextEncoder().encode('question;'));
    assert.is(text(await readAll(socket.readable)), 'answer');
    await sleep(50);
    assert.ok(await pending(socket.closed), 'half-open: closed stays pending');
    await writer.write(new TextEncoder().encode('more after the FIN'));
    await writer.close();
    await within(ended, 3000, "the peer's 'end'");
    await within(socket.closed, 3000, 'closed');
    assert.is(peerGot, 'question;more after the FIN');
  } finally {
    await srv.stop();
  }
});

t("crossnet/sockets socket.writable: closing it half-closes (FIN); the readable still gets the peer's answer; closed resolves once both ends closed", async () => {
  const srv = await startServer((s) => {
    const chunks = [];
    s.on('data', (d) => chunks.push(d));
    s.on('end', () => setTimeout(() => s.end(`got ${Buffer.concat(chunks)}`), 50));
  }, { options: { allowHalfOpen: true } });
  try {
    const socket = connect({ hostname: '127.0.0.1', port: srv.port });
    const writer = socket.writable.getWriter();
    await writer.write(new TextEncoder().encode('question'));
    await writer.close();
    assert.ok(await pending(socket.closed, 20), 'closing the writable does not resolve closed');
    assert.is(text(await readAll(socket.readable)), 'got question');
    await within(socket.closed, 3000, 'closed');
  } finally {
    await srv.stop();
  }
});

// ---- TLS -------------------------------------------------------------------------------------

t("crossnet/sockets secureTransport: 'on': TLS to a local tls.createServer trusted through tls.ca (extension); opened after the handshake; 1 MiB each way", async () => {
  // The server reads 1 MiB, answers with 1 MiB and ends (Deno 2.9's node:tls can lose the
  // close_notify of a client that ends right after a large write: the next test ends first, small).
  const srv = await tlsServer((s) => {
    const chunks = [];
    let n = 0;
    s.on('data', (d) => {
      chunks.push(d);
      n += d.length;
      if (n === MiB) s.end(Buffer.concat(chunks).reverse());
    });
  });
  try {
    const socket = connect({ hostname: '127.0.0.1', port: srv.port }, { secureTransport: 'on', tls: { ca: cert } });
    assert.is(socket.secureTransport, 'on');
    const data = pattern(MiB);
    const got = readAll(socket.readable);
    const writer = socket.writable.getWriter();
    // Written before the handshake is done: held until the socket is open.
    const first = writer.write(data.subarray(0, 1000));
    const info = await socket.opened;
    await first;
    assert.is(info.remoteAddress, `127.0.0.1:${srv.port}`);
    assert.is(info.alpn, null);
    await writer.write(data.subarray(1000));
    const back = await got;
    assert.is(back.length, data.length);
    assert.is(sha(back), sha(Buffer.from(data).reverse()));
    await within(socket.closed, 3000, 'closed');
    assert.equal(srv.errors.map(String), []);
  } finally {
    await srv.stop();
  }
}, { timeout: 20000 });

t("crossnet/sockets secureTransport: 'on': closing the writable first sends close_notify and FIN; the answer still arrives; closed resolves", async () => {
  const srv = await tlsServer((s) => {
    const chunks = [];
    s.on('data', (d) => chunks.push(d));
    s.on('end', () => s.end(`got ${Buffer.concat(chunks)}`));
  }, { allowHalfOpen: true });
  try {
    const socket = connect({ hostname: '127.0.0.1', port: srv.port }, { secureTransport: 'on', tls: { ca: cert } });
    const writer = socket.writable.getWriter();
    await writer.write(new TextEncoder().encode('question'));
    await writer.close();
    assert.is(text(await readAll(socket.readable)), 'got question');
    await within(socket.closed, 3000, 'closed');
    assert.equal(srv.errors.map(String), []);
  } finally {
    await srv.stop();
  }
});

t("crossnet/sockets secureTransport: 'on': a certificate the runtime does not trust rejects opened and closed with a SocketError; tls.rejectUnauthorized false accepts it", async () => {
  const srv = await tlsServer((s) => s.end('trusted?'));
  try {
    const socket = connect({ hostname: '127.0.0.1', port: srv.port }, { secureTransport: 'on' });
    const err = await within(rejection(socket.opened, 'opened'), 5000, 'the handshake to fail');
    assertSocketError(err, 'opened');
    assert.ok(err.cause, 'the TLS error is the cause');
    assert.is(await rejection(socket.closed, 'closed'), err);

    const lax = connect({ hostname: '127.0.0.1', port: srv.port }, { secureTransport: 'on', tls: { rejectUnauthorized: false } });
    assert.is(text(await readAll(lax.readable)), 'trusted?');
    await within(lax.closed, 3000, 'closed');
  } finally {
    await srv.stop();
  }
});

t("crossnet/sockets secureTransport: 'on': sni and alpn reach the server; opened.alpn is the protocol it chose; a name the certificate lacks is a SocketError", async () => {
  const seen = [];
  const srv = await tlsServer((s) => {
    seen.push({ servername: s.servername, alpn: s.alpnProtocol });
    s.end('ok');
  }, { ALPNProtocols: ['h2', 'x-crossnet'] });
  try {
    const socket = connect({ hostname: '127.0.0.1', port: srv.port },
      { secureTransport: 'on', sni: 'localhost', alpn: ['x-crossnet', 'x-other'], tls: { ca: cert } });
    const info = await socket.opened;
    assert.is(info.alpn, 'x-crossnet');
    assert.is(text(await readAll(socket.readable)), 'ok');
    assert.equal(seen, [{ servername: 'localhost', alpn: 'x-crossnet' }]);
    await within(socket.closed, 3000, 'closed');

    const wrong = connect({ hostname: '127.0.0.1', port: srv.port }, { secureTransport: 'on', sni: 'example.com', tls: { ca: cert } });
    const err = await within(rejection(wrong.opened, 'opened'), 5000, 'the handshake to fail');
    assertSocketError(err, 'opened with sni example.com');
    assert.is(err.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
  } finally {
    await srv.stop();
  }
});

t("crossnet/sockets startTls(): plain greeting, STARTTLS, then TLS over the same connection; the old socket's streams stop working and its closed resolves", async () => {
  // A line protocol: "220 ready", then "STARTTLS" → "220 go ahead" and the server starts TLS.
  const secureContext = tls.createSecureContext({ key, cert });
  const errors = [];
  const conns = new Set();
  const server = nodeNet.createServer((raw) => {
    conns.add(raw);
    raw.on('error', (err) => errors.push(`raw: ${err.message}`));
    raw.write('220 ready\r\n');
    let line = '';
    const onData = (d) => {
      line += d;
      if (!line.includes('STARTTLS\r\n')) return;
      raw.off('data', onData);
      raw.write('220 go ahead\r\n', () => {
        const s = new tls.TLSSocket(raw, { isServer: true, secureContext });
        s.on('error', (err) => errors.push(`tls: ${err.message}`));
        s.setEncoding('utf8');
        s.on('data', (d) => s.end(d.toUpperCase()));
      });
    };
    raw.setEncoding('utf8');
    raw.on('data', onData);
  });
  const { port } = await listen(server, 0, '127.0.0.1');
  try {
    const socket = connect(`127.0.0.1:${port}`, { secureTransport: 'starttls', sni: 'localhost', tls: { ca: cert } });
    assert.is(socket.secureTransport, 'starttls');
    await socket.opened;
    const reader = socket.readable.getReader();
    const writer = socket.writable.getWriter();
    assert.match(await readUntil(reader, '\r\n'), /^220 ready/);
    await writer.write(new TextEncoder().encode('STARTTLS\r\n'));
    assert.match(await readUntil(reader, '\r\n'), /^220 go ahead/);
    const secure = socket.startTls();
    assert.is(socket.upgraded, true);
    assert.is(secure.upgraded, false);
    await within(socket.closed, 3000, "the old socket's closed");
    assert.equal(await reader.read(), { value: undefined, done: true }, 'the old readable is done');
    assertSocketError(await rejection(writer.write(new Uint8Array([1])), 'a write to the old writable'), 'a write to the old writable');
    const info = await within(secure.opened, 5000, "the new socket's opened");
    assert.is(info.remoteAddress, `127.0.0.1:${port}`);
    const secureWriter = secure.writable.getWriter();
    await secureWriter.write(new TextEncoder().encode('over tls'));
    assert.is(text(await readAll(secure.readable)), 'OVER TLS');
    await within(secure.closed, 3000, "the new socket's closed");
    assert.equal(errors, []);
  } finally {
    for (const c of conns) c.destroy();
    await close(server);
  }
});

t("crossnet/sockets startTls(): against a local tls.createServer right after connecting; expectedServerHostname (workerd's option) is the name verified", async () => {
  const srv = await tlsServer((s) => s.end(`hello ${s.servername}`));
  try {
    const plain = connect({ hostname: '127.0.0.1', port: srv.port }, { secureTransport: 'starttls', tls: { ca: cert } });
    const secure = plain.startTls({ expectedServerHostname: 'localhost' });
    await within(secure.opened, 5000, 'opened');
    assert.is(text(await readAll(secure.readable)), 'hello localhost');
    await within(secure.closed, 3000, 'closed');
    await within(plain.closed, 3000, "the plain socket's closed");

    const other = connect({ hostname: '127.0.0.1', port: srv.port }, { secureTransport: 'starttls', tls: { ca: cert } });
    const wrong = other.startTls({ expectedServerHostname: 'example.com' });
    const err = await within(rejection(wrong.opened, 'opened'), 5000, 'the handshake to fail');
    assertSocketError(err, 'startTls with another name');
    assert.is(err.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
  } finally {
    await srv.stop();
  }
});

t("crossnet/sockets startTls(): only with secureTransport 'starttls', only once, never on a TLS socket: a SocketError otherwise", async () => {
  const srv = await startServer();
  const made = [];
  try {
    const off = connect({ hostname: '127.0.0.1', port: srv.port });
    const on = connect({ hostname: '127.0.0.1', port: srv.port }, { secureTransport: 'on', tls: { rejectUnauthorized: false } });
    const starttls = connect({ hostname: '127.0.0.1', port: srv.port }, { secureTransport: 'starttls' });
    made.push(off, on, starttls);
    const attempt = (socket, what) => {
      let err;
      try { made.push(socket.startTls()); } catch (e) { err = e; }
      assertSocketError(err, what);
    };
    attempt(off, "startTls() with secureTransport 'off'");
    attempt(on, "startTls() with secureTransport 'on'");
    const secure = starttls.startTls();
    made.push(secure);
    attempt(starttls, 'a second startTls()');
    attempt(secure, 'startTls() on the socket startTls() returned');
  } finally {
    for (const s of made) s.close().catch(() => {});
    await srv.stop();
  }
});

t.run();
