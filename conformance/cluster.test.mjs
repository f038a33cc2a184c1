// Servers in node:cluster workers (#17): a primary forks workers that each listen on the same
// port; the primary owns the port and hands connections to them (Node, Deno and Bun all do this
// through the cluster module's worker protocol). Each case runs conformance/fixtures/cluster.mjs
// (one script for primary and workers, as PM2 runs one) and checks the JSON line it prints.
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { env } from './net.mjs';
import { suite, here, sleep, runFixture } from './lib.mjs';

const t = suite('cluster');
const slow = { timeout: 40000 };
const fixture = join(here, 'fixtures', 'cluster.mjs');

const run = (name, extra = {}) => runFixture(fixture, { CLUSTER_CASE: name, ...extra }, 35000);

const LOOPBACK = { address: '127.0.0.1', family: 'IPv4' };

t('cluster: two workers listen on one port and connections reach both', async () => {
  const out = await run('share');
  const [a, b] = out.listening;
  assert.equal(a.listening, { ...LOOPBACK, port: a.listening.port }, 'worker address()');
  assert.ok(a.listening.port > 0);
  assert.ok(out.samePort, `both workers report the port: ${JSON.stringify(out.listening)}`);
  assert.equal(out.first.errors, []);
  const served = Object.keys(out.first.byPid).map(Number).sort();
  assert.equal(served, [...out.pids].sort(), `served by ${JSON.stringify(out.first.byPid)}`);
  // Each accepted socket is the implementation's own Socket.
  assert.is(out.first.crossnetSockets, 20);
  assert.is(b.impl, env.impl);
  assert.is(out.connections.err, null);
  assert.type(out.connections.connections, 'number');
}, slow);

t('cluster: two workers listen on one IPC path and connections reach both', async () => {
  const out = await run('ipc');
  assert.equal(out.listening.map((m) => m.listening), [out.path, out.path]);
  assert.equal(out.first.errors, []);
  assert.equal(Object.keys(out.first.byPid).map(Number).sort(), [...out.pids].sort(), JSON.stringify(out.first.byPid));
  assert.is(out.first.crossnetSockets, 10);
}, slow);

// SCHED_NONE: the primary hands each worker its listening handle itself (Node: the libuv handle;
// Deno: its compat handle; Bun: the descriptor) and the workers accept from it.
const SCHED_NONE = { NODE_CLUSTER_SCHED_POLICY: 'none' };

t('cluster: SCHED_NONE — two workers accept from the primary\'s shared handle', async () => {
  const out = await run('share', SCHED_NONE);
  assert.ok(out.samePort, JSON.stringify(out.listening));
  assert.equal(out.listening[0].listening, { ...LOOPBACK, port: out.listening[0].listening.port });
  assert.equal(out.first.errors, []);
  // The kernel picks the acceptor: every connection is served, by either worker.
  assert.is(Object.values(out.first.byPid).reduce((a, b) => a + b, 0), 20);
  for (const pid of Object.keys(out.first.byPid).map(Number)) assert.ok(out.pids.includes(pid));
  assert.is(out.first.crossnetSockets, 20);
}, slow);

t('cluster: SCHED_NONE — server.close() in a worker leaves the other accepting', async () => {
  const out = await run('close', SCHED_NONE);
  assert.equal(out.closed, { pid: out.pids[0], closed: true, err: null, listening: false });
  assert.equal(out.after.errors, []);
  assert.equal(Object.keys(out.after.byPid).map(Number), [out.pids[1]]);
}, slow);

t('cluster: a worker dying does not stop the others', async () => {
  const out = await run('die');
  assert.equal(out.after.errors, []);
  assert.equal(Object.keys(out.after.byPid).map(Number), [out.pids[1]]);
  assert.is(out.after.byPid[out.pids[1]], 10);
}, slow);

t('cluster: server.close() in a worker stops only that worker\'s share', async () => {
  const out = await run('close');
  assert.equal(out.closed, { pid: out.pids[0], closed: true, err: null, listening: false });
  assert.equal(out.after.errors, []);
  assert.equal(Object.keys(out.after.byPid).map(Number), [out.pids[1]]);
  assert.ok(out.closedAlive, 'the worker that closed its server is still running');
}, slow);

t('cluster: worker.disconnect() closes the worker\'s server and the worker exits; the other serves on', async () => {
  const out = await run('disconnect');
  assert.equal(out.exit, { code: 0, signal: null });
  assert.is(out.exitedAfterDisconnect, true);
  assert.equal(out.after.errors, []);
  assert.equal(Object.keys(out.after.byPid).map(Number), [out.pids[1]]);
}, slow);

t('cluster: exclusive: true binds in the worker (a second bind of the port fails; a shared one too)', async () => {
  const out = await run('exclusive');
  assert.ok(out.a.listening && out.a.listening.port > 0, JSON.stringify(out.a));
  // The second exclusive worker binds by itself: the OS refuses, from listen() as Node's libuv does.
  assert.equal(out.b.error && [out.b.error.code, out.b.error.syscall], ['EADDRINUSE', 'listen'], JSON.stringify(out.b));
  // A shared listen: the primary's bind fails and the worker reports it as bind EADDRINUSE.
  assert.equal(out.c.error && [out.c.error.code, out.c.error.syscall], ['EADDRINUSE', 'bind'], JSON.stringify(out.c));
  assert.ok(out.c.error.message.startsWith('bind EADDRINUSE'), out.c.error.message);
  assert.ok(out.c.error.message.endsWith(`127.0.0.1:${out.a.listening.port}`), out.c.error.message);
  assert.equal(out.served.byPid, { [out.pidA]: 4 });
}, slow);

t('cluster: over a transport without adoptHandle, listen() in a worker fails with ERR_CROSSNET_UNSUPPORTED', async () => {
  // crossnet only: a custom transport (setTransport) that cannot take the primary's handles.
  if (env.impl !== 'crossnet') return;
  const out = await run('bare');
  assert.is(out.shared.error && out.shared.error.code, 'ERR_CROSSNET_UNSUPPORTED', JSON.stringify(out.shared));
  assert.ok(/exclusive: true/.test(out.shared.error.message), out.shared.error.message);
  // exclusive: true binds in the worker, which needs nothing from the primary.
  assert.ok(out.exclusive.listening && out.exclusive.listening.port > 0, JSON.stringify(out.exclusive));
}, slow);

t('cluster: maxConnections in a worker routes a connection it refuses to another worker', async () => {
  // Both workers hold one connection with maxConnections 1: the third waits at the primary.
  const out = await run('max');
  assert.ok(out.seen[0].pid && out.seen[1].pid && out.seen[0].pid !== out.seen[1].pid, JSON.stringify(out.seen));
  assert.equal(out.seen[2], { none: true, text: '' });
  assert.equal(out.drops, [0, 0]);
}, slow);

t('cluster: dropMaxConnection closes it in the worker instead, with \'drop\'', async () => {
  const out = await run('max', { CLUSTER_DROP: '1' });
  assert.ok(out.seen[0].pid && out.seen[1].pid, JSON.stringify(out.seen));
  assert.equal(out.seen[2], { closed: true });
  await sleep(0);
  assert.is(out.drops[0] + out.drops[1], 1, `one 'drop' in the workers: ${JSON.stringify(out.drops)}`);
}, { ...slow, since: '22.12.0' });

t.run();
