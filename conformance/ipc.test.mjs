// IPC servers on Unix domain sockets (file paths and Linux abstract names), against Node's
// node:net: listen signatures, echo, unlinking, stale files, errors, long paths, file modes.
import * as assert from 'uvu/assert';
import { existsSync, statSync, linkSync, unlinkSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { net } from './net.mjs';
import { suite, listen, onceEvent, collect, runChild, lacks, assertUnsupported } from './lib.mjs';
import { scope, connectError, listenError, accepted, gone, within, roundTrip, errno, sleep } from './support.mjs';

const t = suite('ipc');

const echo = (s) => s.pipe(s);

t('ipc: listen(path, cb) creates a socket file and address() is the path', async () => {
  const sc = scope();
  try {
    const path = sc.path('addr');
    const server = sc.server();
    const addr = await new Promise((resolve) => server.listen(path, () => resolve(server.address())));
    assert.is(addr, path);
    assert.ok(statSync(path).isSocket(), 'the path must be a socket file');
    assert.ok(server.listening);
  } finally { await sc.dispose(); }
});

t('ipc: echo over a Unix socket with connect(path) and connect({ path })', async () => {
  const sc = scope();
  try {
    const path = sc.path('echo');
    await listen(sc.server(echo), path);
    const a = await sc.connect(path);
    assert.is(await roundTrip(a, 'over ipc'), 'over ipc');
    const b = await sc.connect({ path });
    assert.is(await roundTrip(b, 'again'), 'again');
  } finally { await sc.dispose(); }
});

t('ipc: listen(path, backlog, cb) calls cb and serves clients', async () => {
  const sc = scope();
  try {
    const path = sc.path('backlog');
    const server = sc.server((s) => s.end('bk'));
    if (lacks('ipcBacklog', 'server.listen(path, backlog) (IPC backlog)')) {
      assertUnsupported(() => server.listen(path, 8));
      return;
    }
    await new Promise((resolve) => server.listen(path, 8, resolve));
    const c = await sc.connect(path);
    assert.is((await collect(c)).toString(), 'bk');
  } finally { await sc.dispose(); }
});

t('ipc: listen({ path }, cb) listens on the path', async () => {
  const sc = scope();
  try {
    const path = sc.path('opts');
    const server = sc.server((s) => s.end('opt'));
    await new Promise((resolve) => server.listen({ path }, resolve));
    assert.is(server.address(), path);
    const c = await sc.connect(path);
    assert.is((await collect(c)).toString(), 'opt');
  } finally { await sc.dispose(); }
});

t('ipc: options with both port and path listen on the port and ignore the path', async () => {
  const sc = scope();
  try {
    const path = sc.path('ignored');
    const addr = await listen(sc.server(), { port: 0, host: '127.0.0.1', path });
    assert.is(addr.address, '127.0.0.1');
    assert.is(existsSync(path), false);
  } finally { await sc.dispose(); }
});

t('ipc: close() unlinks the socket file', async () => {
  const sc = scope();
  try {
    const path = sc.path('unlink');
    const server = sc.server();
    await listen(server, path);
    assert.ok(existsSync(path));
    await new Promise((resolve) => server.close(resolve));
    assert.is(existsSync(path), false);
  } finally { await sc.dispose(); }
});

t('ipc: close() removes the file at once while an open connection keeps working', async () => {
  const sc = scope();
  try {
    const path = sc.path('unlink-open');
    const server = sc.server(echo);
    await listen(server, path);
    const c = await sc.connect(path);
    server.close();
    for (let i = 0; i < 40 && existsSync(path); i++) await sleep(10);
    assert.is(existsSync(path), false);
    const err = await connectError(path);
    assert.is(err.code, 'ENOENT');
    const echoed = new Promise((resolve) => c.once('data', (d) => resolve(String(d))));
    c.write('still here');
    assert.is(await echoed, 'still here');
  } finally { await sc.dispose(); }
});

t('ipc: a Linux abstract socket (\\0name) works, has no file, and address() keeps the NUL', async () => {
  const sc = scope();
  try {
    const fsName = join(tmpdir(), `crossnet-abstract-${process.pid}-${Date.now() % 100000}`);
    const name = `\0${fsName}`;
    const server = sc.server(echo);
    const addr = await listen(server, name);
    assert.is(addr, name);
    assert.is(existsSync(fsName), false);
    const c = await sc.connect(name);
    assert.is(await roundTrip(c, 'abstract'), 'abstract');
  } finally { await sc.dispose(); }
});

t('ipc: an abstract name in use gives EADDRINUSE and is free again after close()', async () => {
  const sc = scope();
  try {
    const name = `\0crossnet-abstract-busy-${process.pid}-${Date.now() % 100000}`;
    const first = sc.server();
    await listen(first, name);
    const err = await listenError(sc.server(), name);
    assert.is(err.code, 'EADDRINUSE');
    assert.is(err.syscall, 'listen');
    await new Promise((resolve) => first.close(resolve));
    const again = sc.server((s) => s.end('reused'));
    await listen(again, name);
    const c = await sc.connect(name);
    assert.is((await collect(c)).toString(), 'reused');
  } finally { await sc.dispose(); }
});

t('ipc: a path another server listens on gives EADDRINUSE with Node\'s message and fields', async () => {
  const sc = scope();
  try {
    const path = sc.path('inuse');
    await listen(sc.server(), path);
    const server = sc.server();
    const err = await listenError(server, path);
    assert.is(err.message, `listen EADDRINUSE: address already in use ${path}`);
    assert.is(err.code, 'EADDRINUSE');
    assert.is(err.errno, errno('EADDRINUSE'));
    assert.is(err.syscall, 'listen');
    assert.is(err.address, path);
    // Node records IPC listens with port -1, which shows through on the error.
    assert.is(err.port, -1);
    assert.is(server.listening, false);
  } finally { await sc.dispose(); }
});

t('ipc: a stale socket file nobody listens on gives EADDRINUSE to listen and ECONNREFUSED to connect', async () => {
  const sc = scope();
  try {
    const live = sc.path('live');
    const stale = sc.path('stale');
    const donor = sc.server();
    await listen(donor, live);
    // A second name for the socket outlives the server's own unlink on close().
    linkSync(live, stale);
    await new Promise((resolve) => donor.close(resolve));
    assert.ok(statSync(stale).isSocket());
    const err = await listenError(sc.server(), stale);
    assert.is(err.code, 'EADDRINUSE');
    assert.is(err.message, `listen EADDRINUSE: address already in use ${stale}`);
    const cerr = await connectError(stale);
    assert.is(cerr.code, 'ECONNREFUSED');
    assert.is(cerr.syscall, 'connect');
    assert.is(cerr.address, stale);
    assert.is(cerr.message, `connect ECONNREFUSED ${stale}`);
    unlinkSync(stale);
    await listen(sc.server(), stale);
  } finally { await sc.dispose(); }
});

t('ipc: the socket file of a process that exited without close() stays and blocks listen', async () => {
  const sc = scope();
  try {
    const path = sc.path('orphan');
    const child = await runChild(`
      import { net } from './net.mjs';
      import process from 'node:process';
      const server = net.createServer();
      server.listen(${JSON.stringify(path)}, () => { console.log('listening'); process.exit(0); });
    `);
    assert.ok(child.stdout.includes('listening'), `child: ${child.stdout} ${child.stderr}`);
    assert.ok(statSync(path).isSocket(), 'the exited process left its socket file');
    const err = await listenError(sc.server(), path);
    assert.is(err.code, 'EADDRINUSE');
  } finally { await sc.dispose(); }
}, { timeout: 15000 });

t('ipc: listen on a path where a regular file exists gives EADDRINUSE and keeps the file', async () => {
  const sc = scope();
  try {
    const path = sc.path('regular');
    writeFileSync(path, 'keep me');
    const err = await listenError(sc.server(), path);
    assert.is(err.code, 'EADDRINUSE');
    assert.is(readFileSync(path, 'utf8'), 'keep me');
  } finally { await sc.dispose(); }
});

t('ipc: connecting to a missing path fails with ENOENT', async () => {
  const path = join(tmpdir(), `crossnet-missing-${process.pid}-${Date.now() % 100000}.sock`);
  const err = await connectError(path);
  assert.instance(err, Error);
  assert.is(err.code, 'ENOENT');
  assert.is(err.errno, errno('ENOENT'));
  assert.is(err.syscall, 'connect');
  assert.is(err.address, path);
  assert.is(err.message, `connect ENOENT ${path}`);
});

/** An absolute path under the temp dir that is exactly `bytes` long. */
function pathOfLength(bytes, tag) {
  const head = join(tmpdir(), `crossnet-${tag}-${process.pid}-`);
  const tail = '.sock';
  return head + 'p'.repeat(bytes - head.length - tail.length) + tail;
}

// sun_path has 108 bytes; Linux takes a path that fills it with no NUL (unix(7)), and so does Node.
t('ipc: a path of 108 bytes (all of sun_path) is used in full', async () => {
  const sc = scope();
  try {
    const path = sc.own(pathOfLength(108, 'len'));
    assert.is(Buffer.byteLength(path), 108);
    const server = sc.server((s) => s.end('long'));
    await listen(server, path);
    assert.is(server.address(), path);
    assert.ok(statSync(path).isSocket());
    const c = await sc.connect(path);
    assert.is((await collect(c)).toString(), 'long');
  } finally { await sc.dispose(); }
});

// Node 20 silently truncated such paths; Node 23 made bind refuse them (nodejs/node#52347).
t('ipc: a path of 109 bytes (longer than sun_path) fails with EINVAL instead of being truncated', async () => {
  const sc = scope();
  try {
    const path = sc.own(pathOfLength(109, 'toolong'));
    // What a truncating implementation would create (sun_path holds 108 bytes).
    const truncated = sc.own(path.slice(0, 108));
    const server = sc.server();
    const err = await listenError(server, path);
    assert.is(err.code, 'EINVAL');
    assert.is(err.errno, errno('EINVAL'));
    assert.is(err.syscall, 'listen');
    assert.is(err.address, path);
    assert.is(err.message, `listen EINVAL: invalid argument ${path}`);
    assert.is(server.listening, false);
    assert.is(existsSync(path), false);
    assert.is(existsSync(truncated), false);
  } finally { await sc.dispose(); }
}, { since: '23.0.0' });

t('ipc: sockets on both ends have no IP address or port; address() is {}', async () => {
  const sc = scope();
  try {
    const path = sc.path('props');
    const server = sc.server();
    await listen(server, path);
    const next = accepted(server);
    const c = await sc.connect(path);
    const s = await next;
    for (const sock of [s, c]) {
      assert.is(sock.remoteAddress, undefined);
      assert.is(sock.remotePort, undefined);
      assert.is(sock.remoteFamily, undefined);
      assert.is(sock.localAddress, undefined);
      assert.is(sock.localPort, undefined);
      assert.equal({ ...sock.address() }, {});
    }
  } finally { await sc.dispose(); }
});

t('ipc: \'drop\' over maxConnections is emitted with no address data', async () => {
  const sc = scope();
  try {
    const path = sc.path('drop');
    const server = sc.server();
    server.maxConnections = 1;
    await listen(server, path);
    const next = accepted(server);
    await sc.connect(path);
    await next;
    const drop = onceEvent(server, 'drop');
    const extra = sc.socket(net.connect(path));
    extra.resume();
    await within(gone(extra), 3000, 'dropped IPC client closed');
    const args = await within(drop, 2000, '\'drop\'');
    assert.is(args[0], undefined);
  } finally { await sc.dispose(); }
});

t('server.listen: readableAll/writableAll add read/write permission for all users on the socket file', async () => {
  const sc = scope();
  const old = process.umask(0o077);
  try {
    const modes = {};
    for (const [tag, options] of [['none', {}], ['r', { readableAll: true }], ['w', { writableAll: true }], ['rw', { readableAll: true, writableAll: true }]]) {
      const path = sc.path(`mode-${tag}`);
      const server = sc.server();
      await listen(server, { path, ...options });
      modes[tag] = statSync(path).mode & 0o777;
      await new Promise((resolve) => server.close(resolve));
    }
    const others = (m) => m & 0o066;
    assert.is(others(modes.none), 0, `umask 077 leaves no group/other bits, got ${modes.none.toString(8)}`);
    assert.is(others(modes.r), 0o044, `readableAll: ${modes.r.toString(8)}`);
    assert.is(others(modes.w), 0o022, `writableAll: ${modes.w.toString(8)}`);
    assert.is(others(modes.rw), 0o066, `both: ${modes.rw.toString(8)}`);
  } finally { process.umask(old); await sc.dispose(); }
});

t.run();
