// Keep-alive initial delay: where the runtime cannot set it, crossnet turns keep-alive on with the
// OS default delay and says so once per process with a warning (code ERR_CROSSNET_UNSUPPORTED).
import * as assert from 'uvu/assert';
import { suite, runChild, lacks } from './lib.mjs';

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

t.run();
