// new net.Socket({ fd }): adopting a connected TCP descriptor inherited from a parent process.
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { writeFileSync, unlinkSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { net, env } from './net.mjs';
import { suite, here, lacks, assertUnsupported, assertCode, nodeBinary } from './lib.mjs';

const t = suite('socket-fd');

// Runs under Node: accepts one connection, hands the accepted socket to the child as fd 3, closes
// its own copy, then talks to the child through the client end.
const LAUNCHER = `
import net from 'node:net';
import { spawn } from 'node:child_process';
const [cmd, ...args] = JSON.parse(process.argv[2]);
const server = net.createServer((accepted) => {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe', accepted._handle.fd], env: process.env });
  accepted.destroy();
  server.close();
  let stdout = '', stderr = '', got = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  client.on('data', (d) => { got += d; });
  client.write('ping');
  const timer = setTimeout(() => child.kill('SIGKILL'), 6000);
  child.on('close', (code) => {
    clearTimeout(timer);
    setTimeout(() => { client.destroy(); console.log(JSON.stringify({ code, got, stdout, stderr: stderr.slice(-1500) })); }, 100);
  });
});
let client;
server.listen(0, '127.0.0.1', () => { client = net.connect(server.address().port, '127.0.0.1'); });
`;

t('new net.Socket: ({ fd }) adopts an inherited connected TCP socket', async () => {
  if (lacks('adoptFd', 'new net.Socket({ fd })')) {
    assertUnsupported(() => new net.Socket({ fd: 3 }));
    return;
  }
  const tag = `${process.pid}-${Date.now() % 100000}`;
  const launcher = join(tmpdir(), `crossnet-fd-launcher-${tag}.mjs`);
  const childFile = join(here, `.child-sockfd-${tag}.mjs`);
  writeFileSync(launcher, LAUNCHER);
  writeFileSync(childFile, `
    import { net } from './net.mjs';
    const s = new net.Socket({ fd: 3, readable: true, writable: true });
    s.on('data', (d) => s.end('pong:' + d));
    s.on('error', (e) => { console.log('error ' + e.code); });
    s.on('close', () => console.log('closed ' + s.remoteAddress));
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
    assert.is(out.got, 'pong:ping', `child stdout: ${out.stdout} stderr: ${out.stderr}`);
    assert.is(out.code, 0, out.stderr);
  } finally {
    for (const f of [launcher, childFile]) { try { unlinkSync(f); } catch {} }
  }
}, { timeout: 15000 });

t('new net.Socket: ({ fd }) of a regular file or a closed descriptor throws ERR_INVALID_FD_TYPE', () => {
  if (lacks('adoptFd', 'new net.Socket({ fd })')) {
    assertUnsupported(() => new net.Socket({ fd: 3 }));
    return;
  }
  const file = join(tmpdir(), `crossnet-fd-file-${process.pid}`);
  const fd = openSync(file, 'w');
  try {
    const err = assertCode(() => new net.Socket({ fd }), 'ERR_INVALID_FD_TYPE', TypeError);
    assert.is(err.message, 'Unsupported fd type: FILE');
  } finally {
    closeSync(fd);
    unlinkSync(file);
  }
  const closed = openSync(file, 'w');
  closeSync(closed);
  unlinkSync(file);
  const err = assertCode(() => new net.Socket({ fd: closed }), 'ERR_INVALID_FD_TYPE', TypeError);
  assert.is(err.message, 'Unsupported fd type: UNKNOWN');
});

t.run();
