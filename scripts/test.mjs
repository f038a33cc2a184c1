// `npm test`: every check, in order, each in its own process. A step passes when it exits 0; its
// own closing "N passed, N failed" line is added to the total. The last line is the total.
// Usage: node scripts/test.mjs [step-name-substring …]   (e.g. `node scripts/test.mjs contract`)
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const node = process.execPath;
const deno = [bin('deno'), 'run', '-A', '--quiet'];
const bun = [bin('bun')];

/** [name, command…]. GC flags where a test forces collections to prove buffer ownership. */
const steps = [
  ['build', node, 'scripts/build.mjs'],
  ['typecheck: sources', bin('tsc'), '-p', 'tsconfig.json', '--noEmit'],
  ['typecheck: node:net types accept crossnet', bin('tsc'), '-p', 'test/tsconfig.json'],
  ['typecheck: Bun API slice', bin('tsc'), '-p', 'test/tsconfig.bun.json'],
  ['property: addresses', node, 'test/addresses.property.mjs'],
  ['errno table and platform limits: node', node, 'test/errno.mjs'],
  ['errno table and platform limits: deno', ...deno, 'test/errno.mjs'],
  ['errno table and platform limits: bun', ...bun, 'test/errno.mjs'],
  ['property: wrong input through every entry point (node)', node, 'test/inputs.property.mjs'],
  ['property: wrong input through every entry point (node-net)', node, 'test/inputs.property.mjs', { CROSSNET_ADAPTER: 'node-net' }],
  ['property: wrong input through every entry point (memory)', node, 'test/inputs.property.mjs', { CROSSNET_ADAPTER: 'memory' }],
  ['property: wrong input through every entry point (deno)', ...deno, 'test/inputs.property.mjs'],
  ['property: wrong input through every entry point (bun)', ...bun, 'test/inputs.property.mjs'],
  // One contract file (test/contract.mjs), run once per adapter: another adapter is one more line.
  ['contract: node', node, '--expose-gc', 'test/contract.mjs', { CROSSNET_ADAPTER: 'node' }],
  ['contract: node-net', node, '--expose-gc', 'test/contract.mjs', { CROSSNET_ADAPTER: 'node-net' }],
  ['contract: deno-compat', ...deno, '--v8-flags=--expose-gc', 'test/contract.mjs', { CROSSNET_ADAPTER: 'deno-compat' }],
  ['contract: deno (Deno.connect adapter)', ...deno, '--v8-flags=--expose-gc', 'test/contract.mjs', { CROSSNET_ADAPTER: 'deno' }],
  ['contract: bun', ...bun, 'test/contract.mjs', { CROSSNET_ADAPTER: 'bun' }],
  ['contract: memory (node)', node, '--expose-gc', 'test/contract.mjs', { CROSSNET_ADAPTER: 'memory' }],
  ['contract: memory (deno)', ...deno, '--v8-flags=--expose-gc', 'test/contract.mjs', { CROSSNET_ADAPTER: 'memory' }],
  ['contract: memory (bun)', ...bun, 'test/contract.mjs', { CROSSNET_ADAPTER: 'memory' }],
  ['stream layer (adapters/stream.ts) over a scripted runtime', node, 'test/stream.mjs'],
  ['node without process.binding', node, 'test/node-binding.mjs'],
  ['synchronous adapter callbacks', node, 'test/sync-transport.mjs'],
  ['README example on node, deno, bun', node, 'test/example.mjs'],
  ['testing (in-memory network): node', node, 'test/memory.mjs'],
  ['testing (in-memory network): deno', ...deno, 'test/memory.mjs'],
  ['testing (in-memory network): bun', ...bun, 'test/memory.mjs'],
  ['testing (in-memory network) under fake timers: node', node, 'test/memory-timers.mjs'],
  ['testing (in-memory network) under fake timers: deno', ...deno, 'test/memory-timers.mjs'],
  ['testing (in-memory network) under fake timers: bun', ...bun, 'test/memory-timers.mjs'],
  ['testing (in-memory network): docs example on node', node, 'examples/testing-retry.mjs'],
  ['testing (in-memory network): docs example on deno', ...deno, 'examples/testing-retry.mjs'],
  ['testing (in-memory network): docs example on bun', ...bun, 'examples/testing-retry.mjs'],
  ['integrity: every byte on node, deno, bun × crossnet, builtin (GC pressure)', node, 'test/integrity-all.mjs'],
  ['packed package in a fresh project', node, 'test/consumer.mjs'],
  ['conformance/report.html in headless Chromium', node, 'test/report-browser.mjs'],
  ['JSR: deno publish --dry-run (slow types, file list)', bin('deno'), 'publish', '--dry-run', '--allow-dirty', '--quiet'],
  ['workflow lint (.github/workflows/ci.yml)', bin('action-validator'), '.github/workflows/ci.yml'],
  ['conformance matrix', node, 'conformance/run.mjs', '--check'],
];

const only = process.argv.slice(2);
const chosen = only.length ? steps.filter(([name]) => only.some((o) => name.includes(o))) : steps;

function run([name, cmd, ...rest]) {
  const env = { ...process.env, ...(typeof rest.at(-1) === 'object' ? rest.pop() : {}) };
  return new Promise((resolve) => {
    console.log(`\n=== ${name}`);
    const child = spawn(cmd, rest, { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let tail = '';
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      tail = (tail + d).slice(-4096);
    });
    child.on('close', (code, signal) => {
      const counts = [...tail.matchAll(/^(?:\w+: )?(\d+) passed, (\d+) failed/gm)].at(-1);
      resolve({ name, ok: code === 0, code: code ?? signal, passed: counts ? Number(counts[1]) : 0, failed: counts ? Number(counts[2]) : 0 });
    });
  });
}

const started = Date.now();
const outcomes = [];
for (const step of chosen) outcomes.push(await run(step));

console.log('\n=== summary');
for (const o of outcomes) {
  const counts = o.passed || o.failed ? ` (${o.passed} passed, ${o.failed} failed)` : '';
  console.log(`${o.ok ? 'ok  ' : 'FAIL'} ${o.name}${counts}${o.ok ? '' : `: exit ${o.code}`}`);
}
const failedSteps = outcomes.filter((o) => !o.ok);
const passed = outcomes.reduce((n, o) => n + o.passed, 0) + outcomes.filter((o) => o.ok && !o.passed && !o.failed).length;
const failed = outcomes.reduce((n, o) => n + o.failed, 0) + failedSteps.filter((o) => !o.failed).length;
console.log(`${failedSteps.length} of ${outcomes.length} steps failed, in ${((Date.now() - started) / 1000).toFixed(0)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failedSteps.length ? 1 : 0);
