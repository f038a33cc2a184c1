// net.Socket and net.Server as classes: callable without `new` (as Node's are) and subclassable.
import * as assert from 'uvu/assert';
import { net } from './net.mjs';
import { suite, listen, close, once, collect } from './lib.mjs';

const t = suite('classes');

t('net.Socket: a subclass keeps its prototype and works as a socket', async () => {
  class Tagged extends net.Socket {
    tag() { return 'tagged'; }
  }
  const server = net.createServer((s) => s.end('sub'));
  const { port } = await listen(server, 0, '127.0.0.1');
  const c = new Tagged();
  try {
    assert.ok(c instanceof Tagged);
    assert.ok(c instanceof net.Socket);
    assert.is(c.tag(), 'tagged');
    c.connect(port, '127.0.0.1');
    await once(c, 'connect');
    assert.is((await collect(c)).toString(), 'sub');
  } finally {
    c.destroy();
    await close(server);
  }
});

t('net.Server: a subclass keeps its prototype and accepts connections', async () => {
  class Counting extends net.Server {
    constructor() { super((s) => { this.count++; s.end(); }); this.count = 0; }
  }
  const server = new Counting();
  const { port } = await listen(server, 0, '127.0.0.1');
  try {
    assert.ok(server instanceof net.Server);
    const c = net.connect(port, '127.0.0.1');
    await collect(c);
    assert.is(server.count, 1);
  } finally {
    await close(server);
  }
});

t('net.Socket: calling without new returns a Socket', () => {
  const s = net.Socket();
  assert.ok(s instanceof net.Socket);
  assert.is(s.readyState, 'open', 'a fresh socket is readable and writable');
  s.destroy();
});

t.run();
