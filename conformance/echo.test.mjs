import * as assert from 'uvu/assert';
import { net } from './net.mjs';
import { suite, echoServer, close, once, collect } from './lib.mjs';

const t = suite('echo');

t('createServer: echoes bytes over loopback and ends cleanly', async () => {
  const { server, port } = await echoServer(net);
  const client = net.createConnection(port, '127.0.0.1');
  await once(client, 'connect');
  client.end('hello');
  const got = await collect(client);
  assert.is(got.toString(), 'hello');
  await close(server);
});

t.run();
