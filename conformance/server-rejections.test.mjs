// events.captureRejections on a net.Server, as Node's Server[EventEmitter.captureRejectionSymbol]:
// a rejected async 'connection' listener destroys that socket with the rejection; a rejection in any
// other event's listener becomes the server's 'error'. createServer()'s options do not reach EventEmitter.
import * as assert from 'uvu/assert';
import events from 'node:events';
import { net } from './net.mjs';
import { suite, listen, onceEvent, runChild } from './lib.mjs';
import { scope, gone } from './support.mjs';

const t = suite('server-rejections');

/** A server made while events.captureRejections is on (the flag is read by the constructor). */
function capturing(sc, ...args) {
  events.captureRejections = true;
  try {
    return sc.server(...args);
  } finally {
    events.captureRejections = false;
  }
}

t('captureRejections: a rejected async \'connection\' listener destroys that socket with the rejection; the client sees the close', async () => {
  const sc = scope();
  try {
    const boom = new Error('boom');
    let serverError;
    let sockError;
    let sockClosed;
    const server = capturing(sc, async (socket) => {
      socket.on('error', (e) => { sockError = e; });
      sockClosed = onceEvent(socket, 'close');
      throw boom;
    });
    server.on('error', (e) => { serverError = e; });
    assert.is(typeof net.Server.prototype[events.captureRejectionSymbol], 'function');
    const { port } = await listen(server, 0, '127.0.0.1');
    const client = sc.socket(net.connect(port, '127.0.0.1'));
    client.on('error', () => {});
    client.resume();
    await gone(client);
    const [hadError] = await sockClosed;
    assert.is(sockError, boom);
    assert.is(hadError, true);
    assert.is(serverError, undefined, 'the server itself has no error');
    assert.ok(server.listening, 'the server keeps listening');
  } finally { await sc.dispose(); }
});

t('captureRejections: a rejection in another event\'s listener (\'listening\', \'close\') is the server\'s \'error\'', async () => {
  const sc = scope();
  try {
    const server = capturing(sc);
    const errors = [];
    server.on('error', (e) => errors.push(e.message));
    server.on('listening', async () => { throw new Error('in listening'); });
    server.on('close', async () => { throw new Error('in close'); });
    await listen(server, 0, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(errors, ['in listening']);
    await new Promise((r) => server.close(r));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(errors, ['in listening', 'in close']);
  } finally { await sc.dispose(); }
});

t('captureRejections: createServer({ captureRejections: true }) is not EventEmitter\'s option: the rejection stays unhandled', async () => {
  const r = await runChild(`
    import process from 'node:process';
    import { net } from './net.mjs';
    const seen = [];
    process.on('unhandledRejection', (e) => { seen.push('unhandled ' + e.message); });
    const server = net.createServer({ captureRejections: true });
    server.on('error', (e) => { seen.push('error ' + e.message); });
    server.on('listening', async () => { throw new Error('L'); });
    server.listen(0, '127.0.0.1');
    setTimeout(() => { console.log(JSON.stringify(seen)); server.close(); }, 100);
  `);
  assert.is(r.stdout.trim(), JSON.stringify(['unhandled L']), `stderr: ${r.stderr}`);
});

t.run();
