// Behaviour seen from a whole process: whether a socket keeps the process alive (ref/unref) and
// how exceptions thrown in socket listeners reach the process. Each case runs in a child process
// of the same runtime and implementation (runChild), connecting to a server in this process.
import * as assert from 'uvu/assert';
import { suite, runChild } from './lib.mjs';
import { startServer, freePort } from './support.mjs';

const t = suite('socket-child');
const HEAD = "import process from 'node:process';\nimport { net } from './net.mjs';\n";

t('socket.unref: a connected, unref()ed socket does not keep the process alive', async () => {
  const srv = await startServer();
  try {
    const r = await runChild(`${HEAD}
const c = net.connect(${srv.port}, '127.0.0.1', () => {
  c.unref();
  console.log('connected');
});
process.on('exit', () => console.log('exit'));
`, { timeout: 4000 });
    assert.is(r.timedOut, false, 'the child was still running after 4 s');
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout, 'connected\nexit\n');
  } finally {
    await srv.stop();
  }
}, { timeout: 10000 });

t('socket.unref: called before connect, it applies once the socket connects', async () => {
  const srv = await startServer();
  try {
    const r = await runChild(`${HEAD}
const c = new net.Socket();
c.unref();
c.connect(${srv.port}, '127.0.0.1', () => console.log('connected'));
process.on('exit', () => console.log('exit'));
`, { timeout: 4000 });
    assert.is(r.timedOut, false, 'the child was still running after 4 s');
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout, 'connected\nexit\n');
  } finally {
    await srv.stop();
  }
}, { timeout: 10000 });

// A paused socket reads nothing, so the peer's bytes wait in the OS (or in the runtime) for it;
// unref()ed, it still lets the process exit, whenever the bytes arrive.
for (const [what, server, client] of [
  ['paused before connecting, bytes already waiting', (s) => s.write('x'.repeat(1000)),
    "c.pause();\nc.on('connect', () => { c.unref(); console.log('connected'); });"],
  ['paused and unref()ed in the connect listener, bytes arriving later', (s) => setTimeout(() => s.write('late'), 100),
    "c.on('connect', () => { c.pause(); c.unref(); console.log('connected'); setTimeout(() => {}, 300); });"],
  ['paused after reading, more bytes (1 MiB) arriving', (s) => { s.write('first'); setTimeout(() => s.write(Buffer.alloc(1 << 20)), 100); },
    "c.once('data', () => { c.pause(); c.unref(); console.log('connected'); });"],
  ['unref()ed and paused at once, resumed and paused again', (s) => s.write('x'),
    "c.unref();\nc.pause();\nc.on('connect', () => { c.resume(); c.pause(); console.log('connected'); });"],
]) {
  t(`socket.unref: a connected, paused, unref()ed socket lets the process exit (${what})`, async () => {
    const srv = await startServer((s) => { s.resume(); server(s); });
    try {
      const r = await runChild(`${HEAD}
const c = net.connect(${srv.port}, '127.0.0.1');
${client}
process.on('exit', () => console.log('exit'));
`, { timeout: 4000 });
      assert.is(r.timedOut, false, 'the child was still running after 4 s');
      assert.is(r.code, 0, r.stderr);
      assert.is(r.stdout, 'connected\nexit\n');
    } finally {
      await srv.stop();
    }
  }, { timeout: 10000 });
}

t('socket.ref: a connected socket (ref()ed again after unref()) keeps the process alive until it closes', async () => {
  // The server closes each connection 300 ms after accepting it; the child must still be there.
  const srv = await startServer((s) => { s.resume(); setTimeout(() => s.end(), 300); });
  try {
    const r = await runChild(`${HEAD}
const c = net.connect(${srv.port}, '127.0.0.1', () => {
  c.unref();
  c.ref();
  console.log('connected');
});
c.resume();
c.on('close', () => console.log('closed by peer'));
`, { timeout: 4000 });
    assert.is(r.timedOut, false);
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout, 'connected\nclosed by peer\n');
  } finally {
    await srv.stop();
  }
}, { timeout: 10000 });

for (const [event, serverAction, register] of [
  ['connect', () => {}, "c.on('connect', () => { throw new Error('boom in connect'); });"],
  ['data', (s) => s.write('x'), "c.on('data', () => { throw new Error('boom in data'); });"],
  ['end', (s) => s.end(), "c.resume(); c.on('end', () => { throw new Error('boom in end'); });"],
]) {
  t(`socket event '${event}': an exception thrown in a listener reaches process 'uncaughtException'`, async () => {
    const srv = await startServer((s) => { s.resume(); serverAction(s); });
    try {
      const r = await runChild(`${HEAD}
process.on('uncaughtException', (err) => {
  console.log('uncaught: ' + err.message);
  process.exit(0);
});
const c = net.connect(${srv.port}, '127.0.0.1');
${register}
`, { timeout: 4000 });
      assert.is(r.timedOut, false);
      assert.is(r.stdout, `uncaught: boom in ${event}\n`, r.stderr);
      assert.is(r.code, 0);
    } finally {
      await srv.stop();
    }
  }, { timeout: 10000 });
}

t("socket event 'connect': an uncaught exception in a listener ends the process with code 1", async () => {
  const srv = await startServer();
  try {
    const r = await runChild(`${HEAD}
net.connect(${srv.port}, '127.0.0.1', () => { throw new Error('boom-unhandled-connect'); });
setTimeout(() => console.log('still running'), 2000);
`, { timeout: 4000 });
    assert.is(r.timedOut, false);
    assert.is(r.code, 1);
    assert.ok(r.stderr.includes('boom-unhandled-connect'), r.stderr);
    assert.is(r.stdout, '');
  } finally {
    await srv.stop();
  }
}, { timeout: 10000 });

t("socket event 'error': an error with no 'error' listener is thrown as an uncaught exception", async () => {
  const port = await freePort();
  const r = await runChild(`${HEAD}
process.on('uncaughtException', (err) => {
  console.log('uncaught: ' + err.code + ' ' + err.message);
  process.exit(0);
});
net.connect(${port}, '127.0.0.1');
`, { timeout: 4000 });
  assert.is(r.timedOut, false);
  assert.is(r.stdout, `uncaught: ECONNREFUSED connect ECONNREFUSED 127.0.0.1:${port}\n`, r.stderr);
});

t.run();
