// The diagnostics_channel messages a net.Server publishes, as Node does: `net.server.socket` for each
// accepted connection, and the `tracing:net.server.listen` channel of listen(): asyncStart when it is
// called, asyncEnd once listening, error when binding or listening fails (start and end never).
import * as assert from 'uvu/assert';
import process from 'node:process';
import dc from 'node:diagnostics_channel';
import { net } from './net.mjs';
import { suite, listen, onceEvent } from './lib.mjs';
import { scope, accepted, listenError } from './support.mjs';

const t = suite('server-diagnostics');

const PHASES = ['start', 'end', 'asyncStart', 'asyncEnd', 'error'];

/**
 * Record what tracing:net.server.listen publishes about `server` (messages about other servers,
 * such as a runtime's own, are not ours) until `stop()`.
 */
function traceListen(server) {
  const seen = [];
  const channel = dc.tracingChannel('net.server.listen');
  const handlers = {};
  for (const phase of PHASES) {
    handlers[phase] = (m) => {
      if (m && m.server === server) seen.push({ phase, keys: Object.keys(m).sort(), m, listening: server.listening });
    };
  }
  channel.subscribe(handlers);
  return { seen, stop: () => channel.unsubscribe(handlers) };
}

t('diagnostics_channel net.server.socket: { socket } for each accepted connection, after the \'connection\' listeners', async () => {
  const sc = scope();
  const seen = [];
  const onMessage = (m) => { if (m && m.socket instanceof net.Socket) seen.push(m); };
  dc.subscribe('net.server.socket', onMessage);
  try {
    const order = [];
    const server = sc.server((s) => order.push(['connection', s]));
    const { port } = await listen(server, 0, '127.0.0.1');
    dc.channel('net.server.socket').subscribe(() => order.push(['published']));
    const got = accepted(server);
    await sc.connect(port, '127.0.0.1');
    const socket = await got;
    await new Promise((r) => setImmediate(r));
    const ours = seen.filter((m) => m.socket === socket);
    assert.is(ours.length, 1);
    assert.equal(Object.keys(ours[0]), ['socket']);
    assert.equal(order.map((o) => o[0]), ['connection', 'published']);
    assert.is(order[0][1], socket);
  } finally {
    dc.unsubscribe('net.server.socket', onMessage);
    await sc.dispose();
  }
});

t('tracing:net.server.listen: asyncStart { server, options } as listen() is called, asyncEnd { server } before it returns', async () => {
  const sc = scope();
  const server = sc.server();
  const trace = traceListen(server);
  try {
    const options = { port: 0, host: undefined };
    server.listen(options);
    const atReturn = trace.seen.map((s) => s.phase);
    assert.equal(atReturn, ['asyncStart', 'asyncEnd']);
    const [start, end] = trace.seen;
    assert.equal(start.keys, ['options', 'server']);
    assert.is(start.m.options, options, 'the options object listen() was given');
    assert.is(start.listening, false);
    assert.equal(end.keys, ['server']);
    assert.is(end.listening, true);
    await onceEvent(server, 'listening');
    assert.is(trace.seen.length, 2, 'nothing more once listening');
  } finally {
    trace.stop();
    await sc.dispose();
  }
});

t('tracing:net.server.listen: listen(path) and listen(port, cb) normalize their arguments into options', async () => {
  const sc = scope();
  const server = sc.server();
  const trace = traceListen(server);
  try {
    const path = sc.path('trace');
    await listen(server, path);
    assert.equal(trace.seen.map((s) => s.phase), ['asyncStart', 'asyncEnd']);
    assert.equal({ ...trace.seen[0].m.options }, { path });
    await new Promise((r) => server.close(r));
    trace.seen.length = 0;
    await listen(server, 0);
    assert.equal(trace.seen.map((s) => s.phase), ['asyncStart', 'asyncEnd']);
    assert.equal({ ...trace.seen[0].m.options }, { port: 0 });
  } finally {
    trace.stop();
    await sc.dispose();
  }
});

t('tracing:net.server.listen: error { server, error } before listen() returns when the port is taken; the same error is emitted', async () => {
  const sc = scope();
  const first = sc.server();
  const { port } = await listen(first, 0);
  const server = sc.server();
  const trace = traceListen(server);
  try {
    const emitted = listenError(server, port);
    assert.equal(trace.seen.map((s) => s.phase), ['asyncStart', 'error']);
    const failure = trace.seen[1];
    assert.equal(failure.keys, ['error', 'server']);
    assert.is(failure.m.error.code, 'EADDRINUSE');
    assert.is(await emitted, failure.m.error);
  } finally {
    trace.stop();
    await sc.dispose();
  }
});

t('tracing:net.server.listen: with a host name, asyncEnd comes once the name is looked up, before \'listening\'', async () => {
  const sc = scope();
  const server = sc.server();
  const trace = traceListen(server);
  try {
    const order = [];
    server.on('listening', () => order.push('listening'));
    server.listen(0, 'localhost');
    assert.equal(trace.seen.map((s) => s.phase), ['asyncStart']);
    dc.tracingChannel('net.server.listen').asyncEnd.subscribe(function onEnd(m) {
      if (m.server !== server) return;
      order.push('asyncEnd');
      dc.tracingChannel('net.server.listen').asyncEnd.unsubscribe(onEnd);
    });
    await onceEvent(server, 'listening');
    assert.equal(trace.seen.map((s) => s.phase), ['asyncStart', 'asyncEnd']);
    assert.equal(order, ['asyncEnd', 'listening']);
  } finally {
    trace.stop();
    await sc.dispose();
  }
});

t('tracing:net.server.listen: a failed lookup publishes no error (only the \'error\' event says so)', async () => {
  const sc = scope();
  const server = sc.server();
  const trace = traceListen(server);
  try {
    const err = await listenError(server, 0, `nowhere-${process.pid}.invalid`);
    assert.is(err.code, 'ENOTFOUND');
    assert.equal(trace.seen.map((s) => s.phase), ['asyncStart']);
  } finally {
    trace.stop();
    await sc.dispose();
  }
});

t.run();
