// socket.setTimeout(): the idle timer fires once per idle period and is armed again by activity.
import * as assert from 'uvu/assert';
import { net } from './net.mjs';
import { suite, listen, close, once, sleep } from './lib.mjs';

const t = suite('socket-timeout');

t("socket.setTimeout: 'timeout' fires once while idle, and again only after new activity", async () => {
  const server = net.createServer((peer) => { peer.on('data', () => {}); peer.on('error', () => {}); });
  const { port } = await listen(server, 0, '127.0.0.1');
  const c = net.connect(port, '127.0.0.1');
  try {
    await once(c, 'connect');
    let fired = 0;
    c.on('timeout', () => { fired++; });
    c.setTimeout(40);
    await sleep(300);
    assert.is(fired, 1, 'one timeout for one idle period');
    c.write('x');
    await sleep(300);
    assert.is(fired, 2, 'activity armed the timer again');
    assert.is(c.destroyed, false, "'timeout' does not close the socket");
  } finally {
    c.destroy();
    await close(server);
  }
});

t.run();
