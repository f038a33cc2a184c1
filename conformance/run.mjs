// The conformance matrix: every conformance file on node, deno and bun, each against crossnet and
// against the runtime's own node:net, and on the reference Nodes (conformance/runtimes.mjs, installed
// on first use; runtimes `node-26`, `node-24`, …, included with `node`). Usage:
//   node conformance/run.mjs [--check] [--matrix] [--runtimes node,deno] [--impls crossnet] [--jobs N] [files…]
// --check  exit non-zero when a required cell fails (crossnet anywhere, node:net on Node).
// --matrix write conformance/MATRIX.md and the generated tables in README.md, and print the table.
// --versions also run the older and newer runtime versions of conformance/versions.mjs (installed on
//          first use); --matrix then adds them to MATRIX.md and conformance/report.html.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderMatrix, renderApiTable, renderLimits, judge } from './report.mjs';
import { REFERENCE_NODES, referenceName, referenceNodes } from './runtimes.mjs';
import { versionRuntimes, versionOf, minimums } from './versions.mjs';
import { checkLimits, inRange } from './limits.mjs';
import { judgeVersions } from './versions-report.mjs';
import { publish } from './publish.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const files = args.filter((a, i) => a.endsWith('.mjs') && !['--runtimes', '--impls', '--jobs', '--columns'].includes(args[i - 1]));
const runtimes = option('--runtimes', 'node,deno,bun').split(',');
const impls = option('--impls', 'crossnet,builtin').split(',');
const jobs = Number(option('--jobs', '2'));
const COLUMN_TIMEOUT = 6 * 60_000;

const commands = {
  node: [process.execPath, []],
  deno: [bin('deno'), ['run', '-A', '--quiet']],
  bun: [bin('bun'), []],
};
// Reference Nodes: all of them with `node`, or the ones named (`--runtimes node-26`).
const refNames = REFERENCE_NODES.map(referenceName).filter((n) => runtimes.includes('node') || runtimes.includes(n));
const refs = refNames.length ? referenceNodes({ names: refNames }) : [];
for (const ref of refs) commands[ref.name] = [ref.bin, []];
// --versions: the other runtime versions, skipping those the columns above run anyway.
const withVersions = flag('--versions') || flag('--versions-only');
const own = withVersions ? { node: [process.versions.node, ...refs.map((r) => r.version)], deno: [versionOf(bin('deno'))], bun: [versionOf(bin('bun'))] } : {};
const versionRts = withVersions ? versionRuntimes({ skip: (rt, v) => !runtimes.includes(rt) || own[rt].includes(v) }) : [];
for (const v of versionRts) commands[v.name] = [v.cmd, v.args];

const columns = [];
// --versions-only: just the version columns (publish.mjs keeps the stored others).
const onlyVersions = flag('--versions-only');
if (!onlyVersions) for (const runtime of runtimes) if (!refNames.includes(runtime)) for (const impl of impls) columns.push({ runtime, impl });
// crossnet over the node:net fallback adapter (used where Node has no process.binding) is required too.
if (!onlyVersions && runtimes.includes('node') && impls.includes('crossnet')) columns.push({ runtime: 'node', impl: 'crossnet+node-net' });
// On Deno crossnet runs over Deno's node-compat handles; its Deno.connect/listen adapter (the public API) is kept and required too.
if (!onlyVersions && runtimes.includes('deno') && impls.includes('crossnet')) columns.push({ runtime: 'deno', impl: 'crossnet+deno' });
// crossnet over a simulated network (crossnet/testing's createNetwork().net), on each runtime.
if (!onlyVersions && impls.includes('crossnet')) for (const runtime of runtimes) if (!refNames.includes(runtime)) columns.push({ runtime, impl: 'crossnet+memory' });
// Behaviour newer than the machine's Node is checked against newer Nodes' own node:net, and
// crossnet must hold on those Nodes too (its adapter then uses libuv features Node 20 lacks).
if (!onlyVersions) for (const ref of refs) for (const impl of impls) columns.push({ runtime: ref.name, impl, ref: true });
// Below the package's minimum, crossnet is measured with its runtime check off (recorded, not
// required), and a `refusal` column checks that it refuses to load when the check is on.
const minimum = minimums(root);
const versionAtLeast = (v, min) => inRange(v, `>=${min}`);
for (const v of versionRts) {
  const old = versionAtLeast(v.version, minimum[v.runtime]) ? {} : { below: true };
  for (const impl of impls) columns.push({ runtime: v.name, impl, versions: v.runtime, version: v.version, ...old, ...(impl === 'builtin' ? { perFile: true } : {}) });
  if (old.below && impls.includes('crossnet')) columns.push({ runtime: v.name, impl: 'refusal', versions: v.runtime, version: v.version, files: [join(here, 'echo.test.mjs')] });
}

// --columns deno-2.1.0/builtin,…: only those columns.
if (option('--columns')) {
  const keep = option('--columns').split(',');
  columns.splice(0, columns.length, ...columns.filter((c) => keep.includes(`${c.runtime}/${c.impl}`)));
}

const work = mkdtempSync(join(tmpdir(), 'crossnet-matrix-'));

/** One harness process over `list`; resolves with its exit code, output and written outcomes. */
function runHarness(col, list, out, limit) {
  const [cmd, pre] = commands[col.runtime];
  return new Promise((resolve) => {
    const child = spawn(cmd, [...pre, join(here, 'harness.mjs'), ...list], {
      cwd: root,
      env: { ...process.env, CROSSNET_IMPL: col.impl === 'refusal' ? 'crossnet' : col.impl, CROSSNET_RESULTS: out, NO_COLOR: '1', FORCE_COLOR: '0',
        // Below the minimum the check is off, except in the column that checks it (builtin columns load crossnet/sockets).
        ...(col.below && col.impl !== 'refusal' ? { CROSSNET_ALLOW_UNSUPPORTED_RUNTIME: '1' } : {}),
        // An older runtime's own node:net (recorded, not required) hangs in many tests: 3 s each, not 8.
        ...(col.perFile ? { CROSSNET_TEST_TIMEOUT: '3000' } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout.on('data', (d) => { log += d; });
    child.stderr.on('data', (d) => { log += d; });
    // SIGTERM first: the harness then writes the outcomes it has (a busy loop never sees it).
    const timer = setTimeout(() => {
      log += '\n[runner] timed out\n';
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    }, limit);
    child.on('close', (code) => {
      clearTimeout(timer);
      let data = { results: [] };
      try { data = JSON.parse(readFileSync(out, 'utf8')); } catch {
        log += '\n[runner] no results written';
      }
      resolve({ code, log, data });
    });
  });
}

async function runColumn(col) {
  const out = join(work, `${col.runtime}-${col.impl}.json`);
  const started = Date.now();
  let run;
  if (col.perFile) {
    // An older runtime's own node:net may hang a whole file (Deno 2.0-2.9.0's BlockList spins): one
    // process per file, so the others still run; the column's time is bounded as ever.
    const list = files.length ? files : readdirSync(here).filter((f) => f.endsWith('.test.mjs')).sort().map((f) => join(here, f));
    run = { code: 0, log: '', data: { results: [] } };
    for (const file of list) {
      const left = COLUMN_TIMEOUT - (Date.now() - started);
      if (left < 5000) { run.log += `\n[runner] column out of time before ${file}`; run.code = 1; break; }
      const one = await runHarness(col, [file], out, Math.min(left, 60_000));
      run.code ||= one.code;
      run.log += one.log;
      run.data.env ??= one.data.env;
      run.data.results.push(...one.data.results);
      rmSync(out, { force: true });
    }
  } else {
    run = await runHarness(col, col.files ?? files, out, COLUMN_TIMEOUT);
  }
  const { code, log, data } = run;
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`[${col.runtime}/${col.impl}] exit ${code} in ${secs}s: ${data.results.filter((r) => r.status === 'pass').length}/${data.results.length} passed`);
  return { ...col, code, log, env: data.env ?? (col.versions && { runtime: col.versions, version: col.version }), results: data.results };
}

async function runAll() {
  const queue = [...columns];
  const done = [];
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, async () => {
    while (queue.length) done.push(await runColumn(queue.shift()));
  }));
  return columns.map((c) => done.find((d) => d.runtime === c.runtime && d.impl === c.impl));
}

const ran = await runAll();
rmSync(work, { recursive: true, force: true });

const verdict = judge(ran.filter((c) => !c.versions));
// Required too: each adapter's capabilities as conformance/limits.mjs pins them, and the version columns.
const versionVerdict = judgeVersions(ran.filter((c) => c.versions), minimum);
const limitFailures = checkLimits(ran);
verdict.failures.push(...limitFailures, ...versionVerdict.failures);
verdict.failed = verdict.failures.length;
verdict.passed += versionVerdict.passed;
for (const f of verdict.failures) {
  console.log(`\nFAIL [${f.column}] ${f.suite} › ${f.name}\n${(f.error || '').replace(/^/gm, '    ')}`);
}
for (const col of ran) {
  if (col.code !== 0 && !col.results.length) console.log(`\n[${col.runtime}/${col.impl}] output:\n${col.log.slice(-4000)}`);
}

if (flag('--slow')) {
  for (const col of ran) {
    const slow = col.results.filter((r) => r.ms > 2000).sort((a, b) => b.ms - a.ms).slice(0, 15);
    for (const r of slow) console.log(`slow [${col.runtime}/${col.impl}] ${r.ms} ms ${r.status} ${r.suite} › ${r.name}`);
  }
}

if (flag('--matrix')) {
  const md = renderMatrix(ran.filter((c) => !c.versions), verdict);
  writeFileSync(join(here, 'MATRIX.md'), md);
  // The version section and report.html, from this run and the stored columns it did not run.
  if (!files.length) publish(ran);
  const readme = join(root, 'README.md');
  if (existsSync(readme) && !files.length) {
    let text = readFileSync(readme, 'utf8');
    const api = renderApiTable(ran.filter((c) => !c.versions));
    text = text.replace(/(<!-- api-status:start -->)[\s\S]*?(<!-- api-status:end -->)/, `$1\n${api}\n$2`);
    text = text.replace(/(<!-- limits:start -->)[\s\S]*?(<!-- limits:end -->)/, `$1\n${renderLimits(ran.filter((c) => !c.versions))}\n$2`);
    writeFileSync(readme, text);
  }
  console.log(`\n${md}`);
} else if (flag('--versions-only') && !files.length) {
  publish(ran);
}

console.log(`\nRequired cells (crossnet on every runtime, node:net on every Node): ${verdict.passed} passed, ${verdict.failed} failed`);
console.log(`Recorded differences of Deno's and Bun's own node:net: ${verdict.builtinDiffs} failing cells`);
console.log(`${verdict.passed} passed, ${verdict.failed} failed`);
if (flag('--check') && (verdict.failed > 0 || ran.some((c) => !c.ref && !c.versions && !c.results.length))) process.exit(1);
