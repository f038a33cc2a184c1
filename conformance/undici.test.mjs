// A real client over `net` sockets: undici's Client with a custom connector.
import * as assert from 'uvu/assert';
// By file path: Bun maps the bare name 'undici' to a built-in stub without Client.close().
import { createRequire } from 'node:module';
const { Client } = createRequire(import.meta.url)('../node_modules/undici/index.js');
import { net } from './net.mjs';
import { suite, listen, close } from './lib.mjs';

const t = suite('undici');

/** A minimal HTTP/1.1 responder on a `net` server: answers each request with its path and body size. */
function httpServer() {
  return net.createServer((socket) => {
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        const headEnd = buffered.indexOf('\r\n\r\n');
        if (headEnd < 0) return;
        const head = buffered.subarray(0, headEnd).toString('latin1');
        const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buffered.length < headEnd + 4 + length) return;
        const path = head.split(' ')[1];
        buffered = buffered.subarray(headEnd + 4 + length);
        const body = JSON.stringify({ path, received: length });
        socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      }
    });
  });
}

function connector(opts, callback) {
  const socket = net.connect({ host: opts.hostname, port: Number(opts.port) });
  let done = false;
  socket.once('connect', () => { if (!done) { done = true; callback(null, socket); } });
  socket.once('error', (err) => { if (!done) { done = true; callback(err, null); } });
  return socket;
}

t('undici Client: keep-alive requests over net sockets', async () => {
  const server = httpServer();
  const { port } = await listen(server, 0, '127.0.0.1');
  const client = new Client(`http://127.0.0.1:${port}`, { connect: connector });
  try {
    for (let i = 0; i < 5; i++) {
      const res = await client.request({ path: `/item/${i}`, method: 'POST', body: 'x'.repeat(1000 * i) });
      assert.is(res.statusCode, 200);
      assert.equal(await res.body.json(), { path: `/item/${i}`, received: 1000 * i });
    }
    const count = await new Promise((resolve) => server.getConnections((_, n) => resolve(n)));
    assert.is(count, 1, 'all requests reused one connection');
  } finally {
    await client.close();
    await close(server);
  }
});

t('undici Client: a refused connection surfaces ECONNREFUSED', async () => {
  const server = net.createServer();
  const { port } = await listen(server, 0, '127.0.0.1');
  await close(server);
  const client = new Client(`http://127.0.0.1:${port}`, { connect: connector });
  try {
    const err = await client.request({ path: '/', method: 'GET' }).then(() => null, (e) => e);
    assert.ok(err, 'request failed');
    assert.is(err.code, 'ECONNREFUSED');
  } finally {
    await client.close();
  }
});

t.run();
