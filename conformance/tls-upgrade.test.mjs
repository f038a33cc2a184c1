// A `net` socket upgraded in place with tls.connect({ socket }) against a local TLS server: the
// session runs over the socket under test, and however it closes (close_notify then FIN, or a FIN
// alone; the server first or the client first) both the TLS socket and the plain one end and
// close without an 'error'. node:tls drives Node's own net.Socket through its native handle; any
// other stream, crossnet's socket included, it drives as a JS stream (JSStreamSocket), whose own
// end() after the peer's FIN must not come before TLS has answered that FIN.
import * as assert from 'uvu/assert';
import tls from 'node:tls';
import nodeNet from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { net } from './net.mjs';
import { suite, here, listen, close, once, onceEvent, sleep } from './lib.mjs';
import { pattern } from './support.mjs';

const t = suite('tls-upgrade');
// Self-signed, CN=localhost, SAN localhost, 127.0.0.1 and ::1 (see fixtures/README.md).
const key = readFileSync(join(here, 'fixtures', 'tls-key.pem'));
const cert = readFileSync(join(here, 'fixtures', 'tls-cert.pem'));
const sha = (b) => createHash('sha256').update(b).digest('hex');
const MiB = 1024 * 1024;

const describe = (where, err) => `${where}: ${err.code ?? ''} ${err.message}`;

/** A tls.createServer on 127.0.0.1 whose sessions run `onSecure(tlsSocket)`; errors are kept. */
async function tlsServer(onSecure) {
  const errors = [];
  const sockets = new Set();
  const server = tls.createServer({ key, cert }, (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', (err) => errors.push(describe('server', err)));
    onSecure(s);
  });
  server.on('tlsClientError', (err) => errors.push(describe('server tlsClientError', err)));
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

/**
 * A plain socket from the implementation under test (`rawOptions` for net.connect), connected
 * and then upgraded with tls.connect({ socket }). 'error' and 'close' are recorded on both.
 */
async function upgrade(port, rawOptions = {}) {
  const raw = net.connect({ port, host: '127.0.0.1', ...rawOptions });
  await once(raw, 'connect');
  const errors = [];
  raw.on('error', (err) => errors.push(describe('raw', err)));
  const rawClosed = onceEvent(raw, 'close');
  const secure = tls.connect({ socket: raw, ca: cert, servername: 'localhost' });
  secure.on('error', (err) => errors.push(describe('tls', err)));
  const secureClosed = onceEvent(secure, 'close');
  await once(secure, 'secureConnect');
  assert.is(secure.authorized, true, String(secure.authorizationError));
  return { raw, secure, errors, rawClosed, secureClosed };
}

/** Everything `socket` sends until 'end'; rejects on 'error'. */
function readAll(socket) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    socket.on('data', (c) => chunks.push(c));
    socket.once('end', () => resolve(Buffer.concat(chunks)));
    socket.once('error', reject);
  });
}

/** Both client sockets closed with hadError false, and no 'error' on them or on the server. */
async function assertCleanClose(c, serverErrors) {
  const [[rawHadError], [secureHadError]] = await Promise.all([c.rawClosed, c.secureClosed]);
  await sleep(20);
  assert.equal(c.errors, []);
  assert.equal(serverErrors, []);
  assert.is(rawHadError, false, "the plain socket's 'close' says hadError");
  assert.is(secureHadError, false, "the TLS socket's 'close' says hadError");
  assert.is(c.raw.destroyed, true);
  assert.is(c.secure.destroyed, true);
}

function destroyAll(...sockets) {
  for (const s of sockets) if (s && !s.destroyed) s.destroy();
}

t('tls.connect({ socket }): the server answers a request and ends; the client reads to the end, no error', async () => {
  const srv = await tlsServer((s) => {
    s.once('data', (req) => s.end(`response to ${req}`));
  });
  let c;
  try {
    c = await upgrade(srv.port);
    assert.is(c.secure.encrypted, true);
    const got = readAll(c.secure);
    c.secure.write('request');
    assert.is((await got).toString(), 'response to request');
    await assertCleanClose(c, srv.errors);
  } finally {
    destroyAll(c?.secure, c?.raw);
    await srv.stop();
  }
});

t('tls.connect({ socket }): the server sends a greeting and ends right after the handshake; no error', async () => {
  // Node 20's TLS server sends no close_notify here: the client's TLS socket ends on the FIN.
  const srv = await tlsServer((s) => s.end('greeting'));
  let c;
  try {
    c = await upgrade(srv.port);
    assert.is((await readAll(c.secure)).toString(), 'greeting');
    await assertCleanClose(c, srv.errors);
  } finally {
    destroyAll(c?.secure, c?.raw);
    await srv.stop();
  }
});

t('tls.connect({ socket }): the server closes TCP without close_notify after its response; no error', async () => {
  const secureContext = tls.createSecureContext({ key, cert });
  const errors = [];
  const server = nodeNet.createServer((raw) => {
    raw.on('error', (err) => errors.push(describe('server raw', err)));
    const s = new tls.TLSSocket(raw, { isServer: true, secureContext });
    s.on('error', (err) => errors.push(describe('server', err)));
    // Only a FIN after the response: no TLS close_notify.
    s.once('data', (req) => s.write(`response to ${req}`, () => raw.end()));
  });
  const { port } = await listen(server, 0, '127.0.0.1');
  let c;
  try {
    c = await upgrade(port);
    const got = readAll(c.secure);
    c.secure.write('request');
    assert.is((await got).toString(), 'response to request');
    await assertCleanClose(c, errors);
  } finally {
    destroyAll(c?.secure, c?.raw);
    await close(server);
  }
});

t('tls.connect({ socket }): the client ends first; the server reads to the end and closes; no error', async () => {
  let serverGot = null;
  const srv = await tlsServer((s) => {
    const chunks = [];
    s.on('data', (d) => chunks.push(d));
    s.on('end', () => { serverGot = Buffer.concat(chunks).toString(); });
  });
  let c;
  try {
    c = await upgrade(srv.port);
    const got = readAll(c.secure);
    c.secure.end('bye');
    assert.is((await got).length, 0);
    await assertCleanClose(c, srv.errors);
    assert.is(serverGot, 'bye');
  } finally {
    destroyAll(c?.secure, c?.raw);
    await srv.stop();
  }
});

t('tls.connect({ socket }): allowHalfOpen socket, the client ends first and still reads the answer; no error', async () => {
  const srv = await tlsServer((s) => {
    const chunks = [];
    s.on('data', (d) => chunks.push(d));
    s.on('end', () => s.end(`got ${Buffer.concat(chunks)}`));
  });
  let c;
  try {
    c = await upgrade(srv.port, { allowHalfOpen: true });
    assert.is(c.secure.allowHalfOpen, true, 'the TLS socket takes the plain socket\'s allowHalfOpen');
    const got = readAll(c.secure);
    c.secure.end('question');
    assert.is((await got).toString(), 'got question');
    await assertCleanClose(c, srv.errors);
  } finally {
    destroyAll(c?.secure, c?.raw);
    await srv.stop();
  }
});

t('tls.connect({ socket }): 1 MiB each way arrives intact, then the server ends; no error', async () => {
  const upload = pattern(MiB);
  const download = Buffer.from(pattern(MiB + 7).subarray(7));
  let serverGot = null;
  const srv = await tlsServer((s) => {
    const chunks = [];
    let n = 0;
    s.on('data', (d) => {
      chunks.push(d);
      n += d.length;
      if (n === MiB) {
        serverGot = Buffer.concat(chunks);
        s.end(download);
      }
    });
  });
  let c;
  try {
    c = await upgrade(srv.port);
    const got = readAll(c.secure);
    c.secure.write(upload);
    const bytes = await got;
    assert.is(bytes.length, MiB);
    assert.is(sha(bytes), sha(download));
    assert.is(sha(serverGot), sha(upload));
    await assertCleanClose(c, srv.errors);
  } finally {
    destroyAll(c?.secure, c?.raw);
    await srv.stop();
  }
}, { timeout: 20000 });

t.run();
