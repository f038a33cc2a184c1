// The runtime's network sandbox stays in charge, and a denial is a Node-shaped error. Deno grants
// network access per host and port (--allow-net=127.0.0.1:P): a child with such a grant listens and
// connects inside it, and everything outside it fails on every route with Node's EACCES system
// error on 'error' (never an uncaught exception: Deno's own node:net lets a NotCapable escape from
// listen). Node's permission model (--allow-net) and Bun have no per-port grant: there the child
// runs without a sandbox, and the same calls succeed.
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { writeFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { net, env } from './net.mjs';
import { suite, here } from './lib.mjs';

const t = suite('permissions');
const sandboxed = env.runtime === 'deno';

// Each step prints one JSON line: what happened, and the error's code/syscall/message if one came.
const CHILD = `
  import { net } from './net.mjs';
  import process from 'node:process';
  process.on('uncaughtException', (e) => { console.log(JSON.stringify({ step: 'uncaught', name: e?.name, message: String(e?.message) })); process.exit(3); });
  const [allowed, denied] = [Number(process.env.P_ALLOWED), Number(process.env.P_DENIED)];
  const report = (step, e) => console.log(JSON.stringify(e ? { step, code: e.code, syscall: e.syscall, errno: e.errno, message: e.message, isError: e instanceof Error } : { step, ok: true }));
  const listen = (port) => new Promise((resolve) => {
    const s = net.createServer((c) => c.end());
    s.once('error', (e) => resolve([s, e]));
    s.listen(port, '127.0.0.1', () => resolve([s, null]));
  });
  const connect = (port) => new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1');
    c.once('error', (e) => resolve(e));
    c.once('connect', () => { c.destroy(); resolve(null); });
  });
  const [inside, e1] = await listen(allowed);
  report('listen inside', e1);
  const [outside, e2] = await listen(denied);
  report('listen outside', e2);
  report('connect inside', await connect(allowed));
  report('connect outside', await connect(denied));
  inside.close();
  outside.close();
`;

function runSandboxed(allowed, denied) {
  const file = join(here, `.child-perm-${process.pid}-${Date.now() % 100000}.mjs`);
  writeFileSync(file, CHILD);
  const args = sandboxed
    ? ['run', `--allow-net=127.0.0.1:${allowed}`, '--allow-read', '--allow-env', file]
    : [file];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, P_ALLOWED: String(allowed), P_DENIED: String(denied) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
    child.on('close', (code) => {
      clearTimeout(timer);
      try { unlinkSync(file); } catch {}
      const steps = {};
      for (const line of stdout.trim().split('\n')) {
        try { const r = JSON.parse(line); steps[r.step] = r; } catch {}
      }
      resolve({ code, steps, stdout, stderr });
    });
  });
}

/** Two ports free right now (the child's grant and one outside it). */
async function freePorts() {
  const ports = [];
  for (let i = 0; i < 2; i++) {
    const s = net.createServer();
    await new Promise((resolve) => s.listen(0, '127.0.0.1', resolve));
    ports.push(s.address().port);
    await new Promise((resolve) => s.close(resolve));
  }
  return ports;
}

t('permissions: Deno --allow-net=host:port: listen and connect inside the grant work; outside it listen and connect emit EACCES errors (syscall listen/connect), never an uncaught exception (elsewhere no sandbox: all succeed)', async () => {
  const [allowed, denied] = await freePorts();
  const r = await runSandboxed(allowed, denied);
  const why = `stdout: ${r.stdout}\nstderr: ${r.stderr}`;
  assert.is(r.steps.uncaught, undefined, why);
  assert.is(r.code, 0, why);
  assert.equal(r.steps['listen inside'], { step: 'listen inside', ok: true }, why);
  assert.equal(r.steps['connect inside'], { step: 'connect inside', ok: true }, why);
  if (!sandboxed) {
    assert.equal(r.steps['listen outside'], { step: 'listen outside', ok: true }, why);
    assert.equal(r.steps['connect outside'], { step: 'connect outside', ok: true }, why);
    return;
  }
  const listenErr = r.steps['listen outside'];
  assert.ok(listenErr.isError, why);
  assert.is(listenErr.code, 'EACCES', why);
  assert.is(listenErr.syscall, 'listen', why);
  assert.is(listenErr.message, `listen EACCES: permission denied 127.0.0.1:${denied}`, why);
  assert.is(typeof listenErr.errno, 'number', why);
  const connectErr = r.steps['connect outside'];
  assert.ok(connectErr.isError, why);
  assert.is(connectErr.code, 'EACCES', why);
  assert.is(connectErr.syscall, 'connect', why);
  assert.is(connectErr.message, `connect EACCES 127.0.0.1:${denied}`, why);
}, { timeout: 15000 });

t.run();
