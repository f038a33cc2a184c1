// Keep-alive initial delay: where the runtime cannot set it, crossnet turns keep-alive on with the
// OS default delay and says so once per process with a warning (code ERR_CROSSNET_UNSUPPORTED).
import * as assert from 'uvu/assert';
import { suite, runChild, lacks, limitedOn } from './lib.mjs';
import { net } from './net.mjs';

const t = suite('socket-keepalive');

const child = (call) => `
import { net } from './net.mjs';
const codes = [];
process.on('warning', (w) => codes.push(w.code ?? w.name));
const server = net.createServer((s) => s.on('error', () => {}));
server.listen(0, '127.0.0.1', () => {
  const c = net.connect(server.address().port, '127.0.0.1', () => {
    ${call}
    setTimeout(() => { console.log(JSON.stringify(codes)); c.destroy(); server.close(); }, 50);
  });
});
`;

t('socket.setKeepAlive: an initial delay is applied, or approximated with one warning', async () => {
  const { code, stdout, stderr } = await runChild(child('c.setKeepAlive(true, 5000); c.setKeepAlive(false); c.setKeepAlive(true, 9000);'));
  assert.is(code, 0, stderr);
  const codes = JSON.parse(stdout.trim().split('\n').pop());
  if (lacks('keepAliveDelay', 'keep-alive initial delay (keep-alive on with the OS default delay, and a warning)')) {
    assert.equal(codes, ['ERR_CROSSNET_UNSUPPORTED']);
  } else {
    assert.equal(codes, []);
  }
});

t('socket.setKeepAlive: without a delay no warning is emitted', async () => {
  const { code, stdout, stderr } = await runChild(child('c.setKeepAlive(true); c.setKeepAlive(true, 0);'));
  assert.is(code, 0, stderr);
  assert.equal(JSON.parse(stdout.trim().split('\n').pop()), []);
});

/** A connected client whose handle's setKeepAlive calls are recorded. */
async function spiedClient(fn) {
  const server = net.createServer((s) => s.on('error', () => {}));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const c = net.connect(server.address().port, '127.0.0.1');
  try {
    await new Promise((r, j) => c.once('connect', r).once('error', j));
    const calls = [];
    const real = c._handle.setKeepAlive;
    c._handle.setKeepAlive = function (...args) { calls.push(args); return real.apply(this, args); };
    await fn(c, calls);
  } finally {
    c.destroy();
    await new Promise((r) => server.close(r));
  }
}

// The options form is in Node 24.22.3 and 26.12.1, not in 20.20.2 (the first version not bisected).
t('socket.setKeepAlive({ enable, initialDelay }): the options form reaches the handle as the positional one', () => spiedClient((c, calls) => {
  assert.is(c.setKeepAlive({ enable: true, initialDelay: 5000 }), c);
  c.setKeepAlive({ enable: true, initialDelay: 5000 });
  c.setKeepAlive({ enable: false });
  assert.equal(calls.map((a) => a.slice(0, 2)), [[true, 5], [false, 0]]);
}), { since: '24.22.0' });

t('socket.setKeepAlive: interval and count (options form or arguments 3 and 4)', () => spiedClient((c, calls) => {
  if (limitedOn(['node', 'deno', 'bun'], 'socket.setKeepAlive() interval and count')) {
    for (const call of [() => c.setKeepAlive({ enable: true, initialDelay: 1000, interval: 2000, count: 3 }), () => c.setKeepAlive(true, 1000, 2000)]) {
      let err;
      try { call(); } catch (e) { err = e; }
      assert.is(err?.code, 'ERR_CROSSNET_UNSUPPORTED');
    }
    assert.equal(calls, []);
    return;
  }
  c.setKeepAlive({ enable: true, initialDelay: 1000, interval: 2000, count: 3 });
  assert.equal(calls, [[true, 1, 2, 3]]);
}), { since: '24.22.0' });

t.run();
