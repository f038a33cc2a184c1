// socket.setTypeOfService()/getTypeOfService(): IP_TOS / IPv6 traffic class. Newer than Node 20:
// checked on the reference Node 24.21.0, the newest Node this suite runs.
import * as assert from 'uvu/assert';
import { net } from './net.mjs';
import { suite, listen, close, once, onceEvent, assertCode, lacks, assertUnsupported, ipcPath } from './lib.mjs';

const t = suite('socket-tos');
const SINCE = { since: '24.21.0' };

t('socket.setTypeOfService: before connect the value is cached and getTypeOfService() returns it', () => {
  const s = new net.Socket();
  assert.is(s.getTypeOfService(), 0);
  assert.is(s.setTypeOfService(0x20), s);
  assert.is(s.getTypeOfService(), 0x20);
  s.destroy();
}, SINCE);

t('socket.setTypeOfService: validates tos as an integer 0..255', () => {
  const s = new net.Socket();
  assertCode(() => s.setTypeOfService(256), 'ERR_OUT_OF_RANGE', RangeError);
  assertCode(() => s.setTypeOfService(-1), 'ERR_OUT_OF_RANGE', RangeError);
  assertCode(() => s.setTypeOfService(1.5), 'ERR_OUT_OF_RANGE', RangeError);
  assertCode(() => s.setTypeOfService(NaN), 'ERR_INVALID_ARG_TYPE', TypeError);
  assertCode(() => s.setTypeOfService('8'), 'ERR_INVALID_ARG_TYPE', TypeError);
  s.destroy();
}, SINCE);

t('socket.setTypeOfService: on a connected TCP socket the OS value changes', async () => {
  const server = net.createServer((peer) => peer.on('error', () => {}));
  const { port } = await listen(server, 0, '127.0.0.1');
  const c = net.connect(port, '127.0.0.1');
  try {
    await once(c, 'connect');
    if (lacks('typeOfService', 'socket.setTypeOfService()/getTypeOfService() on TCP')) {
      assertUnsupported(() => c.setTypeOfService(0x10));
      assertUnsupported(() => c.getTypeOfService());
      return;
    }
    assert.is(c.getTypeOfService(), 0);
    c.setTypeOfService(0x10);
    assert.is(c.getTypeOfService(), 0x10);
    c.setTypeOfService(0x08);
    assert.is(c.getTypeOfService(), 0x08);
  } finally {
    c.destroy();
    await close(server);
  }
}, SINCE);

t('socket.setTypeOfService: a value set before connect is applied once connected', async () => {
  const server = net.createServer((peer) => peer.on('error', () => {}));
  const { port } = await listen(server, 0, '127.0.0.1');
  const c = new net.Socket();
  try {
    c.setTypeOfService(0x10);
    c.connect(port, '127.0.0.1');
    if (lacks('typeOfService', 'socket.setTypeOfService()/getTypeOfService() on TCP')) {
      const [err] = await onceEvent(c, 'error');
      assert.is(err.code, 'ERR_CROSSNET_UNSUPPORTED');
      return;
    }
    await once(c, 'connect');
    assert.is(c.getTypeOfService(), 0x10);
  } finally {
    c.destroy();
    await close(server);
  }
}, SINCE);

t('socket.setTypeOfService: on an IPC socket the value is only cached', async () => {
  const path = ipcPath('tos');
  const server = net.createServer((peer) => peer.on('error', () => {}));
  await listen(server, path);
  const c = net.connect(path);
  try {
    await once(c, 'connect');
    assert.is(c.setTypeOfService(0x10), c);
    assert.is(c.getTypeOfService(), 0x10);
  } finally {
    c.destroy();
    await close(server);
  }
}, SINCE);

t.run();
