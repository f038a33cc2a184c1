// captureRejections on a socket: a rejected async listener of a Socket event destroys the socket
// with the rejection, as node:stream's Stream.prototype[Symbol.for('nodejs.rejection')] does, both
// with new net.Socket({ captureRejections: true }) (node:net hands its options on to EventEmitter)
// and with events.captureRejections = true for every emitter made after it.
import * as assert from 'uvu/assert';
import events from 'node:events';
import { net } from './net.mjs';
import { suite } from './lib.mjs';
import { startServer, closed, destroyAll, nextError } from './support.mjs';

const t = suite('socket-rejections');

async function rejectInDataListener(connect) {
  const srv = await startServer((s) => s.write('x'));
  let c;
  try {
    c = connect(srv.port);
    const boom = new Error('boom in an async data listener');
    c.on('data', async () => { throw boom; });
    const errP = nextError(c);
    const closeP = closed(c);
    assert.is(await errP, boom);
    assert.is(c.destroyed, true);
    assert.is(await closeP, true);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
}

t('new net.Socket({ captureRejections: true }): a rejected async listener destroys the socket with the rejection', async () => {
  await rejectInDataListener((port) => {
    const c = new net.Socket({ captureRejections: true });
    return c.connect(port, '127.0.0.1');
  });
});

t('net.connect({ captureRejections: true }): the option reaches the socket too', async () => {
  await rejectInDataListener((port) => net.connect({ port, host: '127.0.0.1', captureRejections: true }));
});

t('events.captureRejections = true: a rejected async listener destroys the socket with the rejection', async () => {
  const before = events.captureRejections;
  events.captureRejections = true;
  try {
    await rejectInDataListener((port) => net.connect(port, '127.0.0.1'));
  } finally {
    events.captureRejections = before;
  }
});

t("captureRejections: a rejected async 'connect' listener destroys the connected socket", async () => {
  const srv = await startServer();
  let c;
  try {
    c = net.connect({ port: srv.port, host: '127.0.0.1', captureRejections: true });
    const boom = new Error('boom in connect');
    c.on('connect', async () => { throw boom; });
    const closeP = closed(c);
    assert.is(await nextError(c), boom);
    assert.is(await closeP, true);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t.run();
