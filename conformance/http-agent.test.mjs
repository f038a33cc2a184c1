// node:http over the module's sockets: a keep-alive Agent whose createConnection returns
// net.connect() reuses the one socket for request after request. node:http reads
// socket._handle (getAsyncId() when a kept-alive socket goes back to the pool), so this holds only
// when the socket's handle has what node:net's has.
import * as assert from 'uvu/assert';
import http from 'node:http';
import { net } from './net.mjs';
import { suite, listen, close } from './lib.mjs';

const t = suite('http-agent');

t('node:http: a keep-alive Agent over net.connect() sockets sends three requests on one socket', async () => {
  const server = http.createServer((req, res) => res.end(`ok ${req.url}`));
  const { port } = await listen(server, 0, '127.0.0.1');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const made = [];
  agent.createConnection = (opts) => {
    const s = net.connect({ port: opts.port, host: opts.host });
    made.push(s);
    return s;
  };
  const get = (path) => new Promise((resolve, reject) => {
    http.get({ port, host: '127.0.0.1', path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
  try {
    assert.is(await get('/a'), 'ok /a');
    assert.is(await get('/b'), 'ok /b');
    assert.is(await get('/c'), 'ok /c');
    assert.is(made.length, 1, 'one socket for all three');
    assert.ok(made[0] instanceof net.Socket);
  } finally {
    agent.destroy();
    server.closeAllConnections?.();
    await close(server);
  }
});

t.run();
