// IPC paths the OS cannot take whole, as the newest Node handles them: a path longer than
// sockaddr_un.sun_path (108 bytes on Linux, 104 on macOS and the BSDs), 120 and 300 bytes here,
// and a NUL inside a path. Node 23+ (libuv 1.48) refuses them with EINVAL on listen and connect;
// Node 20 cut them at sun_path, listening on (or connecting to) another path. The connect error
// comes synchronously, as libuv refuses the name before any system call: the socket is already
// destroyed when connect() returns, and Node's message names the unbound local end.
import * as assert from 'uvu/assert';
import { existsSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { net } from './net.mjs';
import { suite, listen, close, lacks, assertUnsupported } from './lib.mjs';
import { listenError, errno } from './support.mjs';

const t = suite('ipc-long');
const SINCE = { since: '23.0.0' };
const LINUX = process.platform === 'linux';

let count = 0;
/** An absolute path under the temp dir that is exactly `bytes` bytes long. */
function pathOfLength(bytes) {
  const head = join(tmpdir(), `crossnet-long-${process.pid}-${count++}-`);
  return head + 'q'.repeat(bytes - head.length);
}

function removeQuietly(p) {
  try { unlinkSync(p); } catch {}
}

/** net.connect(path): the socket right after connect() returns, and its 'error' and 'close'. */
async function connectFails(path) {
  const s = net.connect(path);
  const sync = { destroyed: s.destroyed, connecting: s.connecting };
  const order = [];
  let err;
  await new Promise((resolve) => {
    s.once('connect', () => { order.push('connect'); s.destroy(); });
    s.once('error', (e) => { order.push('error'); err = e; });
    s.once('close', (hadError) => { order.push(`close(${hadError})`); resolve(); });
  });
  return { err, sync, order };
}

function assertConnectEinval({ err, sync, order }, path) {
  assert.instance(err, Error);
  assert.is(err.code, 'EINVAL');
  assert.is(err.errno, errno('EINVAL'));
  assert.is(err.syscall, 'connect');
  assert.is(err.address, path);
  assert.is(err.message, `connect EINVAL ${path} - Local (undefined:undefined)`);
  assert.equal(sync, { destroyed: true, connecting: false }, 'destroyed before connect() returned');
  assert.equal(order, ['error', 'close(true)']);
}

for (const bytes of [120, 300]) {
  t(`ipc: listen on a ${bytes}-byte path fails with EINVAL and creates no file, not even a truncated one`, async () => {
    const path = pathOfLength(bytes);
    const server = net.createServer();
    try {
      const err = await listenError(server, path);
      assert.is(err.code, 'EINVAL');
      assert.is(err.errno, errno('EINVAL'));
      assert.is(err.syscall, 'listen');
      assert.is(err.address, path);
      assert.is(err.message, `listen EINVAL: invalid argument ${path}`);
      assert.is(server.listening, false);
      assert.is(existsSync(path.slice(0, 108)), false);
      assert.is(existsSync(path.slice(0, 104)), false);
    } finally {
      removeQuietly(path.slice(0, 108));
      removeQuietly(path.slice(0, 104));
      await close(server);
    }
  }, SINCE);

  t(`ipc: connect to a ${bytes}-byte path fails at once with connect EINVAL, never reaching the truncated path`, async () => {
    const path = pathOfLength(bytes);
    // A server on what the path would be cut to: a truncating connect would reach it.
    const cut = path.slice(0, LINUX ? 108 : 104);
    const server = net.createServer((s) => s.end('truncated'));
    await listen(server, cut);
    let reached = 0;
    server.on('connection', () => { reached++; });
    try {
      assertConnectEinval(await connectFails(path), path);
      assert.is(reached, 0);
    } finally {
      await close(server);
    }
  }, SINCE);
}

t('ipc: a NUL inside a path fails with EINVAL on listen and on connect', async () => {
  // pid and a random part: the runtimes' own node:net on Deno/Bun leave the cut name behind, and pids repeat.
  const path = join(tmpdir(), `crossnet-nul-${process.pid}-${Math.random().toString(36).slice(2, 10)}\0tail`);
  const server = net.createServer();
  const err = await listenError(server, path);
  assert.is(err.code, 'EINVAL');
  assert.is(err.syscall, 'listen');
  assert.is(err.message, `listen EINVAL: invalid argument ${path}`);
  assert.is(existsSync(path.slice(0, path.indexOf('\0'))), false);
  assertConnectEinval(await connectFails(path), path);
}, SINCE);

t('ipc: an abstract name longer than sun_path fails with EINVAL on listen and on connect (Linux)', async () => {
  if (!LINUX) return;
  const name = `\0crossnet-long-abstract-${process.pid}-`.padEnd(120, 'z');
  if (lacks('abstractIpc', 'abstract IPC socket names')) {
    assertUnsupported(() => net.createServer().listen(name));
    return;
  }
  const err = await listenError(net.createServer(), name);
  assert.is(err.code, 'EINVAL');
  assert.is(err.syscall, 'listen');
  assertConnectEinval(await connectFails(name), name);
}, SINCE);

// A path of exactly sun_path bytes works: ipc.test.mjs ('a path of 108 bytes ...').

t.run();
