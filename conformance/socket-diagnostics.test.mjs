// diagnostics_channel 'net.client.socket': published from Socket.prototype.connect (Node 24+;
// nodejs/node#58349, before it only net.connect() published), so for net.connect(),
// net.createConnection() and new net.Socket().connect() alike: one message { socket }, at the
// start of connect(), before its checks can throw and before anything is under way.
import * as assert from 'uvu/assert';
import dc from 'node:diagnostics_channel';
import { net } from './net.mjs';
import { suite, once, ipcPath } from './lib.mjs';
import { startServer, destroyAll } from './support.mjs';

const t = suite('socket-diagnostics');

/**
 * Subscribe to 'net.client.socket' for the duration of fn(messages). Only messages about the
 * module's own sockets count: crossnet's node:net fallback adapter connects through a node:net
 * socket of its own, which node:net publishes as well.
 */
async function withMessages(fn) {
  const messages = [];
  const onMessage = (message, name) => {
    const s = message.socket;
    if (!(s instanceof net.Socket)) return;
    messages.push({
      name, keys: Object.keys(message), socket: s,
      state: { connecting: s.connecting, handle: s._handle !== null, pending: s.pending, connectListeners: s.listenerCount('connect') },
    });
  };
  dc.subscribe('net.client.socket', onMessage);
  try {
    await fn(messages);
  } finally {
    dc.unsubscribe('net.client.socket', onMessage);
  }
}

const atStart = { connecting: false, handle: false, pending: true, connectListeners: 0 };

t("net.client.socket: net.connect() publishes { socket } once, at the start of connect()", async () => {
  const srv = await startServer();
  let c;
  try {
    await withMessages(async (messages) => {
      c = net.connect(srv.port, '127.0.0.1', () => {});
      assert.is(messages.length, 1);
      assert.is(messages[0].name, 'net.client.socket');
      assert.equal(messages[0].keys, ['socket']);
      assert.is(messages[0].socket, c);
      assert.ok(c instanceof net.Socket);
      assert.equal(messages[0].state, atStart);
      await once(c, 'connect');
      assert.is(messages.length, 1);
    });
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('net.client.socket: new net.Socket().connect() publishes too, also when connect() then throws', async () => {
  const srv = await startServer();
  let c;
  try {
    await withMessages(async (messages) => {
      c = new net.Socket();
      assert.is(messages.length, 0, 'nothing for the constructor');
      c.connect({ port: srv.port, host: '127.0.0.1' });
      assert.is(messages.length, 1);
      assert.is(messages[0].socket, c);
      assert.equal(messages[0].state, atStart);
      await once(c, 'connect');
      const s = new net.Socket();
      let code;
      try { s.connect({}); } catch (err) { code = err.code; }
      assert.is(code, 'ERR_MISSING_ARGS');
      assert.is(messages.length, 2);
      assert.is(messages[1].socket, s);
      s.destroy();
    });
  } finally {
    destroyAll(c);
    await srv.stop();
  }
}, { since: '24.0.0' });

t('net.client.socket: net.createConnection() to an IPC path publishes once as well', async () => {
  const path = ipcPath('dc');
  const srv = await startServer(undefined, { path });
  let c;
  try {
    await withMessages(async (messages) => {
      c = net.createConnection(path);
      assert.is(messages.length, 1);
      assert.is(messages[0].socket, c);
      await once(c, 'connect');
      assert.is(messages.length, 1);
    });
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t.run();
