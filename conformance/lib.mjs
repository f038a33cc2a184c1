// Shared helpers for conformance files: a uvu suite that records each test's outcome for the
// matrix, plus small promise helpers for servers and sockets. Runs unchanged on Node, Deno, Bun.
import { suite as uvuSuite } from 'uvu';
import { once as eventsOnce } from 'node:events';
import { spawn } from 'node:child_process';
import { writeFileSync, unlinkSync, existsSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, delimiter } from 'node:path';
import { fileURLToPath } from 'node:url';
import process from 'node:process';
import { env, net } from './net.mjs';
import { notApplicable } from './memory.mjs';

export { env };
export const here = dirname(fileURLToPath(import.meta.url));

/** Outcomes collected by the harness: one entry per test run in this process. */
export const results = (globalThis.__crossnetResults ??= []);
let current = null;
let failCurrent = null;

/** Fail the running test with an error that escaped it (the harness routes uncaught errors here). */
export function escaped(err) {
  if (failCurrent) failCurrent(err);
  else results.push({ suite: '(harness)', name: 'error outside any test', status: 'fail', notes: [], error: String(err && err.stack || err) });
}

/**
 * A uvu suite whose tests record pass/fail for the matrix and fail after a time limit.
 * Options per test: `since` (the Node version that introduced the behaviour, for the reference
 * column when the machine's Node is older) and `timeout` in ms (default 8000).
 */
export function suite(name) {
  const s = uvuSuite(name);
  const t = (title, fn, opts = {}) => {
    s(title, async () => {
      const rec = { suite: name, name: title, status: 'fail', since: opts.since, notes: [], ms: 0 };
      const started = Date.now();
      results.push(rec);
      // The memory column: a test needing what a simulated network has not (files, descriptors, …).
      const na = env.adapter === 'memory' ? notApplicable(name, title) : undefined;
      if (na) {
        rec.status = 'pass';
        rec.notes.push(`n/a: ${na}`);
        return;
      }
      current = rec;
      let timer;
      // CROSSNET_TEST_TIMEOUT: a shorter default for recorded-only columns (run.mjs), where hangs abound.
      const limit = opts.timeout ?? (Number(process.env.CROSSNET_TEST_TIMEOUT) || 8000);
      try {
        await Promise.race([
          Promise.resolve().then(fn),
          new Promise((_, reject) => {
            failCurrent = reject;
            timer = setTimeout(() => reject(new Error(`test timed out after ${limit} ms`)), limit);
          }),
        ]);
        rec.status = 'pass';
      } catch (err) {
        // uvu's assertion errors keep the compared values in `details`.
        const details = err && err.details ? `\n${String(err.details).replace(/\x1b\[[0-9;]*m/g, '')}` : '';
        rec.error = `${String(err && err.stack || err).split('\n').slice(0, 4).join('\n')}${details}`.slice(0, 2000);
        throw err;
      } finally {
        clearTimeout(timer);
        rec.ms = Date.now() - started;
        current = null;
        failCurrent = null;
        globalThis.__crossnetProgress?.();
      }
    });
  };
  t.run = () => s.run();
  return t;
}

/**
 * True when crossnet runs on one of `runtimes`, where the runtime's API cannot do `what`: the
 * test then asserts crossnet's documented ERR_CROSSNET_UNSUPPORTED error instead of the behaviour.
 * The matrix shows the cell as a documented limit.
 */
export function limitedOn(runtimes, what) {
  if (env.impl !== 'crossnet' || !runtimes.includes(env.runtime)) return false;
  // The memory column runs no runtime's adapter: only a limit of every runtime (the core's own) is its.
  if (env.adapter === 'memory' && !['node', 'deno', 'bun'].every((r) => runtimes.includes(r))) return false;
  current?.notes.push(`limit: ${what}`);
  return true;
}

/**
 * True when crossnet's transport on this runtime declares it cannot do `capability` (see
 * src/transport.ts Capabilities): the test then asserts crossnet's documented
 * ERR_CROSSNET_UNSUPPORTED error instead of the behaviour, and the matrix shows a limit.
 */
export function lacks(capability, what) {
  if (env.impl !== 'crossnet') return false;
  const caps = net.getTransport().capabilities;
  if (caps[capability] !== false) return false;
  // A simulated network lacks only what is the OS's own (files, descriptors, IP headers): not applicable.
  current?.notes.push(env.adapter === 'memory' ? `n/a: ${capability}: ${what} (no such thing in a simulated network)` : `limit: ${what}`);
  return true;
}

/** Assert that fn throws crossnet's documented ERR_CROSSNET_UNSUPPORTED error. */
export function assertUnsupported(fn) {
  return assertCode(fn, 'ERR_CROSSNET_UNSUPPORTED');
}

/** Assert an error (or a function's throw) carries Node's code and optionally class. */
export function assertCode(errOrFn, code, Class) {
  let err = errOrFn;
  if (typeof errOrFn === 'function') {
    err = undefined;
    try { errOrFn(); } catch (e) { err = e; }
    if (err === undefined) throw new Error(`expected a throw with code ${code}, nothing was thrown`);
  }
  if (!err || err.code !== code) {
    throw new Error(`expected code ${code}, got ${err && err.code} (${err && err.message})`);
  }
  if (Class && !(err instanceof Class)) {
    throw new Error(`expected ${Class.name}, got ${err && err.constructor && err.constructor.name}: ${err.message}`);
  }
  return err;
}

/** Resolve with the event's arguments; reject on 'error' (node:events.once semantics). */
export function once(emitter, event) {
  return eventsOnce(emitter, event);
}

/** Resolve on `event` without treating 'error' as a rejection. */
export function onceEvent(emitter, event) {
  return new Promise((resolve) => emitter.once(event, (...args) => resolve(args)));
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** server.listen(...args) as a promise of server.address(). */
export function listen(server, ...args) {
  return new Promise((resolve, reject) => {
    const onError = (err) => reject(err);
    server.once('error', onError);
    server.listen(...args, () => {
      server.off('error', onError);
      resolve(server.address());
    });
  });
}

/** Close a server (if listening) and wait for 'close'. */
export function close(server) {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
  });
}

/** Read a socket to its end, resolving with all bytes as one Buffer. */
export function collect(socket) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    socket.on('data', (c) => chunks.push(typeof c === 'string' ? Buffer.from(c) : c));
    socket.once('end', () => resolve(Buffer.concat(chunks)));
    socket.once('error', reject);
  });
}

/** A TCP echo server on 127.0.0.1:0; resolves with { server, port }. */
export async function echoServer(net, options = {}) {
  const server = net.createServer(options, (s) => s.pipe(s));
  const { port } = await listen(server, 0, '127.0.0.1');
  return { server, port };
}

let pathCount = 0;
/** A fresh IPC path under the OS temp dir. */
export function ipcPath(tag = 'ipc') {
  return join(tmpdir(), `crossnet-${tag}-${process.pid}-${Date.now() % 100000}-${pathCount++}.sock`);
}

/**
 * Run `source` (an ES module; it may `import { net, env } from './net.mjs'`) in a child process of
 * the same runtime and implementation. Resolves with { code, signal, stdout, stderr }.
 */
export function runChild(source, { timeout = 8000 } = {}) {
  const file = join(here, `.child-${process.pid}-${pathCount++}.mjs`);
  writeFileSync(file, source);
  const args = env.runtime === 'deno' ? ['run', '-A', file] : [file];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      try { unlinkSync(file); } catch {}
      resolve({ code, signal, stdout, stderr, timedOut: signal === 'SIGKILL' });
    });
  });
}

/**
 * Run a fixture script (conformance/fixtures/) on this runtime with `env`, and resolve with the
 * JSON line it prints (`{"case":…}`); reject when there is none, or it reports an `error`, or the
 * fixture outlives `timeout` ms (then it is killed).
 */
export function runFixture(fixture, vars = {}, timeout = 30000) {
  const args = env.runtime === 'deno' ? ['run', '-A', fixture] : [fixture];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...vars }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      const line = stdout.trim().split('\n').find((l) => l.startsWith('{"case"'));
      if (!line) return reject(new Error(`no result: ${stdout} ${stderr.slice(-1500)}`));
      const out = JSON.parse(line);
      if (out.error) return reject(new Error(`${out.error}: ${JSON.stringify(out)} ${stderr.slice(-1500)}`));
      resolve(out);
    });
  });
}

/** Node's own binary, for launchers that must not depend on the implementation under test. */
export function nodeBinary() {
  if (env.runtime === 'node') return process.execPath;
  for (const dir of (process.env.PATH || '').split(delimiter)) {
    const candidate = join(dir, 'node');
    // `bun --bun` (and `bunx --bun`) put a `node` on PATH that is Bun itself: skip it.
    if (dir && existsSync(candidate) && !/bunx?(\.exe)?$/.test(realpathSync(candidate))) return candidate;
  }
  throw new Error('no node binary on PATH for the launcher');
}
