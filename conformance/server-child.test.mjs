// Server behaviour that needs its own process, against Node's node:net: ref()/unref() and the
// event loop, exceptions thrown by server listeners, and listen({ fd }) on an inherited socket.
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { writeFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { net, env } from './net.mjs';
import { suite, runChild, here, lacks, assertUnsupported, nodeBinary } from './lib.mjs';

const t = suite('server-child');
const slow = { timeout: 15000 };

t('server.ref: ref() and unref() return the server', () => {
  const server = net.createServer();
  assert.is(server.unref(), server);
  assert.is(server.ref(), server);
});

t('server.listen: a listening server keeps the process alive until it is closed', async () => {
  const r = await runChild(`
    import { net } from './net.mjs';
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      console.log('listening');
      // An unref'd timer cannot keep the process alive by itself: only the server can.
      setTimeout(() => { console.log('alive'); server.close(); }, 300).unref();
    });
  `, { timeout: 6000 });
  assert.is(r.timedOut, false, 'the child did not exit after close()');
  assert.is(r.stdout.trim().split('\n').join(','), 'listening,alive', r.stderr);
  assert.is(r.code, 0);
}, slow);

t('server.unref: an unref\'d listening server lets the process exit', async () => {
  const r = await runChild(`
    import { net } from './net.mjs';
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => { console.log('listening'); server.unref(); });
    setTimeout(() => console.log('still running'), 3000).unref();
  `, { timeout: 6000 });
  assert.is(r.timedOut, false, 'the unref\'d server kept the process alive');
  assert.is(r.stdout.trim(), 'listening', r.stderr);
  assert.is(r.code, 0);
}, slow);

t('server.unref: unref() before listen() applies once it listens', async () => {
  const r = await runChild(`
    import { net } from './net.mjs';
    const server = net.createServer();
    server.unref();
    server.listen(0, '127.0.0.1', () => console.log('listening'));
  `, { timeout: 6000 });
  assert.is(r.timedOut, false, 'the unref\'d server kept the process alive');
  assert.is(r.stdout.trim(), 'listening', r.stderr);
  assert.is(r.code, 0);
}, slow);

t('server.ref: ref() after unref() keeps the process alive again', async () => {
  const r = await runChild(`
    import { net } from './net.mjs';
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      server.unref();
      server.ref();
      console.log('listening');
      setTimeout(() => { console.log('alive'); server.close(); }, 300).unref();
    });
  `, { timeout: 6000 });
  assert.is(r.timedOut, false);
  assert.is(r.stdout.trim().split('\n').join(','), 'listening,alive', r.stderr);
  assert.is(r.code, 0);
}, slow);

t('server \'connection\': an exception thrown by the listener is an uncaught exception', async () => {
  const r = await runChild(`
    import { net } from './net.mjs';
    import process from 'node:process';
    let client;
    const server = net.createServer(() => { throw new Error('boom in connection'); });
    process.on('uncaughtException', (err) => {
      console.log('caught: ' + err.message);
      client.destroy();
      server.close();
    });
    server.listen(0, '127.0.0.1', () => {
      client = net.connect(server.address().port, '127.0.0.1');
      client.on('error', () => {});
    });
  `, { timeout: 6000 });
  assert.is(r.timedOut, false);
  assert.is(r.stdout.trim(), 'caught: boom in connection', r.stderr);
  assert.is(r.code, 0);
}, slow);

t('server \'listening\': an exception thrown by the listener crashes the process', async () => {
  const r = await runChild(`
    import { net } from './net.mjs';
    const server = net.createServer();
    server.on('listening', () => { throw new Error('boom in listening'); });
    server.listen(0, '127.0.0.1');
  `, { timeout: 6000 });
  assert.is(r.timedOut, false);
  assert.is(r.code, 1);
  assert.ok(r.stderr.includes('boom in listening'), r.stderr);
}, slow);

t('server \'error\': EADDRINUSE without an \'error\' listener crashes the process', async () => {
  const r = await runChild(`
    import { net } from './net.mjs';
    const a = net.createServer();
    a.listen(0, '127.0.0.1', () => {
      const b = net.createServer();
      b.listen(a.address().port, '127.0.0.1', () => console.log('second server listened'));
    });
  `, { timeout: 6000 });
  assert.is(r.timedOut, false);
  assert.is(r.code, 1);
  assert.ok(r.stderr.includes('EADDRINUSE'), r.stderr);
  assert.is(r.stdout, '');
}, slow);

// Runs under Node: binds a listening socket, hands its descriptor to the child as fd 3, closes
// its own copy, then connects once the child says it listens.
const LAUNCHER = `
import net from 'node:net';
import { spawn } from 'node:child_process';
const [cmd, ...args] = JSON.parse(process.argv[2]);
const server = net.createServer();
server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe', server._handle.fd], env: process.env });
  server.close();
  let stdout = '';
  let stderr = '';
  let asked = false;
  let client;
  const got = new Promise((resolve) => {
    child.stdout.on('data', (d) => {
      stdout += d;
      if (asked || !stdout.includes('listening')) return;
      asked = true;
      client = net.connect(port, '127.0.0.1');
      let text = '';
      client.on('data', (b) => { text += b; });
      client.on('error', (e) => resolve('error ' + e.code));
      client.on('close', () => resolve(text));
    });
  });
  child.stderr.on('data', (d) => { stderr += d; });
  const timer = setTimeout(() => child.kill('SIGKILL'), 6000);
  const exited = new Promise((resolve) => child.on('close', (code) => { clearTimeout(timer); resolve(code); }));
  exited.then(async (code) => {
    const text = asked ? await Promise.race([got, new Promise((r) => setTimeout(() => r('no reply'), 1000))]) : 'never asked';
    if (client) client.destroy();
    console.log(JSON.stringify({ port, code, got: text, stdout, stderr: stderr.slice(-1500) }));
  });
});
`;

t('server.listen: ({ fd }) listens on an inherited listening socket', async () => {
  if (lacks('adoptFd', 'server.listen({ fd })')) {
    assertUnsupported(() => net.createServer().listen({ fd: 3 }));
    return;
  }
  const tag = `${process.pid}-${Date.now() % 100000}`;
  const launcher = join(tmpdir(), `crossnet-launcher-${tag}.mjs`);
  const childFile = join(here, `.child-fd-${tag}.mjs`);
  writeFileSync(launcher, LAUNCHER);
  writeFileSync(childFile, `
    import { net } from './net.mjs';
    import process from 'node:process';
    const server = net.createServer((s) => { s.end('from child'); server.close(); });
    server.on('error', (e) => { console.log('error ' + e.code); process.exit(1); });
    server.listen({ fd: 3 }, () => console.log('listening ' + JSON.stringify(server.address())));
  `);
  try {
    const cmd = env.runtime === 'deno' ? [process.execPath, 'run', '-A', childFile] : [process.execPath, childFile];
    const out = await new Promise((resolve, reject) => {
      const p = spawn(nodeBinary(), [launcher, JSON.stringify(cmd)], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      let errText = '';
      p.stdout.on('data', (d) => { text += d; });
      p.stderr.on('data', (d) => { errText += d; });
      p.on('error', reject);
      p.on('close', () => {
        try { resolve(JSON.parse(text)); } catch { reject(new Error(`launcher: ${text} ${errText}`)); }
      });
    });
    assert.is(out.got, 'from child', `child stdout: ${out.stdout} stderr: ${out.stderr}`);
    const addr = JSON.parse(out.stdout.trim().split('\n')[0].replace(/^listening /, ''));
    assert.equal(addr, { address: '127.0.0.1', family: 'IPv4', port: out.port });
    assert.is(out.code, 0);
  } finally {
    for (const f of [launcher, childFile]) { try { unlinkSync(f); } catch {} }
  }
}, slow);

t.run();
