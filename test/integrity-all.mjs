// test/integrity.mjs in every column: node, deno and bun, each against crossnet and its own
// node:net, plus crossnet over the node:net fallback adapter on node; each column in its own child
// process with a fresh random seed (printed; a failing column prints its replay command).
//   node test/integrity-all.mjs [--seeds a,b,c] [--long] [--columns node/crossnet,bun/builtin]
// --seeds: run every column once per listed seed (replays a failure, or several seeds in a row).
// The last line is the total over all columns: "N passed, N failed" (cases; a column that crashes,
// times out or exits non-zero without a failed case counts as one failure). Exit 1 on any failure.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const argv = process.argv.slice(2);
const option = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const LONG = argv.includes('--long');
const seeds = option('--seeds')?.split(',').filter(Boolean).map((s) => {
  if (!/^\d+$/.test(s)) {
    console.log(`--seeds wants non-negative integers, got ${JSON.stringify(s)}`);
    process.exit(2);
  }
  return Number(s) >>> 0;
});
const only = option('--columns')?.split(',');
const TIMEOUT = LONG ? 20 * 60_000 : 3 * 60_000;

// GC flags: the suite refuses to run without a collector it can call.
const commands = {
  node: [process.execPath, ['--expose-gc']],
  deno: [bin('deno'), ['run', '-A', '--quiet', '--v8-flags=--expose-gc']],
  bun: [bin('bun'), []],
};
const columns = [
  ['node', 'crossnet'], ['node', 'builtin'], ['node', 'crossnet+node-net'],
  ['deno', 'crossnet'], ['deno', 'builtin'],
  ['bun', 'crossnet'], ['bun', 'builtin'],
  // crossnet over a simulated network (crossnet/testing): random latency and read chunking from the seed.
  ['node', 'crossnet+memory'], ['deno', 'crossnet+memory'], ['bun', 'crossnet+memory'],
].filter(([rt, impl]) => !only || only.includes(`${rt}/${impl}`));
if (columns.length === 0) {
  console.log(`--columns matched none of node|deno|bun / crossnet|builtin|crossnet+node-net|crossnet+memory`);
  process.exit(2);
}

function runColumn(runtime, impl, seed) {
  const [cmd, pre] = commands[runtime];
  const args = [...pre, join(root, 'test', 'integrity.mjs'), '--seed', String(seed), ...(LONG ? ['--long'] : [])];
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: root,
      env: { ...process.env, CROSSNET_IMPL: impl, NO_COLOR: '1', FORCE_COLOR: '0',
        ...(impl.endsWith('+memory') ? { CROSSNET_MEMORY: JSON.stringify({ seed, latency: [0, 2], chunkSize: [1, 16384] }) } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout.on('data', (d) => { log += d; });
    child.stderr.on('data', (d) => { log += d; });
    const timer = setTimeout(() => {
      log += `\n[integrity-all] killed after ${TIMEOUT / 1000} s\n`;
      child.kill('SIGKILL');
    }, TIMEOUT);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const secs = (Date.now() - started) / 1000;
      const counts = [...log.matchAll(/^(\d+) passed, (\d+) failed$/gm)].at(-1);
      let passed = counts ? Number(counts[1]) : 0;
      let failed = counts ? Number(counts[2]) : 0;
      // A crash, a timeout or a hang after the last case fails the column even when no case did.
      if ((code !== 0 || !counts) && failed === 0) failed = 1;
      resolve({ runtime, impl, seed, code: code ?? signal, secs, passed, failed, log });
    });
  });
}

const runs = [];
for (const [runtime, impl] of columns) {
  for (const seed of seeds ?? [(Math.random() * 2 ** 32) >>> 0]) {
    const r = await runColumn(runtime, impl, seed);
    runs.push(r);
    const name = `${runtime}/${impl}`.padEnd(22);
    console.log(`${r.failed ? 'FAIL' : 'ok  '} ${name} seed ${String(seed).padEnd(10)} ${r.passed} passed, ${r.failed} failed in ${r.secs.toFixed(1)} s`);
    if (r.failed) {
      // The child's failures and its replay line (it prints the seed with each failure).
      const lines = r.log.split('\n').filter((l) => !l.startsWith('ok ') && l.trim());
      for (const l of lines.slice(0, 60)) console.log(`       ${l}`);
      if (r.code !== 0 && !/replay:/.test(r.log)) console.log(`       exit ${r.code}`);
    }
  }
}

const passed = runs.reduce((n, r) => n + r.passed, 0);
const failed = runs.reduce((n, r) => n + r.failed, 0);
console.log(`# seeds: ${runs.map((r) => `${r.runtime}/${r.impl}=${r.seed}`).join(' ')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
