// Benchmarks crossnet against each runtime's own node:net and its raw socket API. Usage:
//   node bench/run.mjs [--quick] [--reps N] [--runtimes node,deno,bun] [--impls crossnet,node:net,raw,sockets]
//                      [--workloads throughput,pingpong,connect-seq,connect-c50,fanout,idle]
//                      [--startup-runs N]   (start-up, bench/startup.mjs: 20 runs, --quick 10, 0 skips it)
// Each measurement runs in its own child process (so peak RSS is per measurement), one at a time,
// interleaved: rep 1 of every combination, then rep 2, … Prints a Markdown table of medians and
// ratios, and writes JSON + Markdown to bench/results/ and the Markdown to bench/RESULTS.md.
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureStartup, startupMarkdown } from './startup.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

const RUNTIMES = {
  node: [process.execPath, []],
  deno: [bin('deno'), ['run', '-A', '--quiet']],
  bun: [bin('bun'), []],
};
const IMPLS = ['crossnet', 'node:net', 'raw', 'sockets', 'memory'];
// `memory`: crossnet over a simulated network (crossnet/testing), for reference: the core's own
// cost without syscalls. Not run by default (--impls …,memory).
const DEFAULT_IMPLS = IMPLS.filter((i) => i !== 'memory');
// `sockets`: crossnet/sockets (WinterTC Sockets API, Web Streams) clients against crossnet net
// servers, for the workloads below only; its ratio to `crossnet` is the Web-Streams layer's cost.
const SOCKETS_WORKLOADS = ['throughput', 'pingpong'];
// `idle` (bench/workloads-idle.mjs): memory per idle connection pair, net API only; lower is better.
const NET_ONLY = ['idle'];
const LOWER_IS_BETTER = new Set(['idle']);
const supports = (impl, workload) => (impl !== 'sockets' || SOCKETS_WORKLOADS.includes(workload))
  && (!NET_ONLY.includes(workload) || impl === 'crossnet' || impl === 'node:net');
const MiB = 1024 * 1024;

// Workload sizes. quick keeps all 51 combinations × 5 reps well under 2 minutes on 2 cores.
const PARAMS = {
  quick: {
    throughput: { bytes: 256 * MiB, warmupBytes: 16 * MiB, chunk: 64 * 1024 },
    pingpong: { size: 64, warmupMs: 50, durationMs: 200 },
    'connect-seq': { count: 1000, warmup: 50, concurrency: 1 },
    'connect-c50': { count: 1000, warmup: 100, concurrency: 50 },
    fanout: { size: 64, connections: 200, warmupMs: 50, durationMs: 200 },
    idle: { count: 8000, warmup: 200, concurrency: 64 },
  },
  full: {
    throughput: { bytes: 2048 * MiB, warmupBytes: 64 * MiB, chunk: 64 * 1024 },
    pingpong: { size: 64, warmupMs: 300, durationMs: 2000 },
    'connect-seq': { count: 2000, warmup: 200, concurrency: 1 },
    'connect-c50': { count: 2000, warmup: 200, concurrency: 50 },
    fanout: { size: 64, connections: 200, warmupMs: 300, durationMs: 2000 },
    idle: { count: 8000, warmup: 500, concurrency: 64 },
  },
};
const WORKLOADS = Object.keys(PARAMS.full);

// Targets crossnet must meet: ratio of medians against node:net and against raw; RSS against node:net.
const TARGET = {
  vsNodeNet: 1.0,
  vsRaw: { throughput: 0.85, pingpong: 0.85, fanout: 0.85, 'connect-seq': 0.7, 'connect-c50': 0.7 },
  rssVsNodeNet: 1.0,
};

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const list = (name, all) => {
  const picked = option(name, all.join(',')).split(',').filter(Boolean);
  const unknown = picked.filter((x) => !all.includes(x));
  if (unknown.length) {
    console.error(`unknown ${name.slice(2)}: ${unknown.join(', ')} (known: ${all.join(', ')})`);
    process.exit(2);
  }
  return picked;
};
const mode = args.includes('--quick') ? 'quick' : 'full';
const reps = Number(option('--reps', '5'));
if (!Number.isInteger(reps) || reps < 1 || reps > 100) {
  console.error('--reps must be an integer from 1 to 100');
  process.exit(2);
}
const startupRuns = Number(option('--startup-runs', mode === 'quick' ? '10' : '20'));
if (!Number.isInteger(startupRuns) || startupRuns < 0 || startupRuns > 200) {
  console.error('--startup-runs must be an integer from 0 to 200');
  process.exit(2);
}
const runtimes = list('--runtimes', Object.keys(RUNTIMES));
const impls = option('--impls') ? list('--impls', IMPLS) : DEFAULT_IMPLS;
const workloads = list('--workloads', WORKLOADS);
const params = PARAMS[mode];
// The watchdog kills a child that has not exited by then; the child reports itself a bit earlier.
const WATCHDOG_MS = mode === 'quick' ? 30_000 : 180_000;

const work = mkdtempSync(join(tmpdir(), 'crossnet-bench-'));

function measure(runtime, impl, workload) {
  const out = join(work, `${runtime}-${impl.replace(':', '_')}-${workload}.json`);
  rmSync(out, { force: true });
  const job = { impl, workload, params: params[workload], out, deadlineMs: WATCHDOG_MS - 5000 };
  const [cmd, pre] = RUNTIMES[runtime];
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, [...pre, join(here, 'child.mjs'), JSON.stringify(job)], {
      cwd: root,
      env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    const keep = (d) => { log = (log + d).slice(-2000); };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let killed = false;
    const timer = setTimeout(() => { killed = true; child.kill('SIGKILL'); }, WATCHDOG_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      let result;
      try {
        result = JSON.parse(readFileSync(out, 'utf8'));
      } catch {
        const why = killed ? `killed by the watchdog after ${WATCHDOG_MS / 1000} s` : `exit ${code ?? signal} without a result`;
        const tail = log.trim().split('\n').slice(-3).join(' | ');
        result = { ok: false, error: tail ? `${why}: ${tail}` : why };
      }
      resolve({ runtime, impl, workload, ...result, wallMs: Date.now() - started });
    });
  });
}

function version(runtime) {
  const [cmd] = RUNTIMES[runtime];
  try {
    const out = execFileSync(cmd, ['--version'], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, NO_COLOR: '1' } });
    // 'deno 2.9.6 (stable, …)' → '2.9.6'; node and bun print the bare version.
    return out.split('\n')[0].trim().replace(/^deno\s+/, '').replace(/\s*\(.*\)$/, '');
  } catch {
    return 'unknown';
  }
}

function machine() {
  let cpuModel = 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpuModel = m[1].trim();
  } catch { /* not Linux */ }
  return {
    cores: cpus().length,
    cpuModel,
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    kernel: release(),
    loadAverageAtStart: loadavg().map((x) => Number(x.toFixed(2))),
  };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

function summarize(measurements) {
  const rows = [];
  for (const runtime of runtimes) for (const workload of workloads) for (const impl of impls) {
    if (!supports(impl, workload)) continue;
    const mine = measurements.filter((m) => m.runtime === runtime && m.workload === workload && m.impl === impl);
    const ok = mine.filter((m) => m.ok);
    const values = ok.map((m) => m.value);
    const rss = ok.map((m) => m.peakRssMiB).filter((x) => typeof x === 'number');
    rows.push({
      runtime, workload, impl,
      reps: mine.length, okReps: ok.length,
      unit: ok[0]?.unit ?? null,
      median: values.length ? median(values) : null,
      min: values.length ? Math.min(...values) : null,
      max: values.length ? Math.max(...values) : null,
      peakRssMiB: rss.length ? median(rss) : null,
      openMs: ok.some((m) => typeof m.openMs === 'number') ? median(ok.map((m) => m.openMs)) : null,
      errors: [...new Set(mine.filter((m) => !m.ok).map((m) => m.error))],
    });
  }
  const find = (runtime, workload, impl) => rows.find((r) => r.runtime === runtime && r.workload === workload && r.impl === impl);
  const ratio = (a, b, key) => (a && b && a[key] != null && b[key] != null && b[key] > 0 ? a[key] / b[key] : null);
  const ratios = [];
  for (const runtime of runtimes) for (const workload of workloads) {
    const cn = find(runtime, workload, 'crossnet');
    const nn = find(runtime, workload, 'node:net');
    const raw = find(runtime, workload, 'raw');
    ratios.push({
      runtime, workload,
      crossnetFailed: Boolean(cn && cn.median == null && cn.errors.length),
      vsNodeNet: ratio(cn, nn, 'median'),
      vsRaw: ratio(cn, raw, 'median'),
      openVsNodeNet: ratio(cn, nn, 'openMs'),
      rssVsNodeNet: ratio(cn, nn, 'peakRssMiB'),
      targetVsNodeNet: TARGET.vsNodeNet,
      targetVsRaw: TARGET.vsRaw[workload],
      targetRssVsNodeNet: TARGET.rssVsNodeNet,
    });
  }
  const socketsRatios = [];
  if (impls.includes('sockets')) {
    for (const runtime of runtimes) for (const workload of workloads.filter((w) => supports('sockets', w))) {
      const ws = find(runtime, workload, 'sockets');
      const cn = find(runtime, workload, 'crossnet');
      socketsRatios.push({ runtime, workload, vsCrossnet: ratio(ws, cn, 'median'), rssVsCrossnet: ratio(ws, cn, 'peakRssMiB') });
    }
  }
  return { rows, ratios, socketsRatios };
}

const fmt = (x) => {
  if (x == null) return '—';
  if (x >= 100) return Math.round(x).toLocaleString('en-US');
  return x.toFixed(x >= 10 ? 1 : 2);
};
const judged = (x, target, higherIsBetter = true) => {
  if (x == null) return '—';
  const ok = higherIsBetter ? x >= target : x <= target;
  return `${x.toFixed(2)} ${ok ? '✓' : '✗'}`;
};

function markdown(meta, summary) {
  const lines = [];
  lines.push('# crossnet benchmarks', '');
  lines.push(`Generated by \`${meta.command}\` on ${meta.date} (${meta.mode} mode, ${meta.reps} repetition${meta.reps === 1 ? '' : 's'} per cell, each in its own process, interleaved).`, '');
  lines.push(`Machine: ${meta.machine.cores} cores, ${meta.machine.cpuModel}, ${meta.machine.memoryGiB} GiB RAM, Linux ${meta.machine.kernel}; ` +
    `load average at start ${meta.machine.loadAverageAtStart.join(' / ')} (the machine is shared, so expect noise).`, '');
  lines.push(`Runtimes: ${Object.entries(meta.versions).map(([r, v]) => `${r} ${v}`).join(', ')}.`, '');
  lines.push('Workloads (server and client in one process, 127.0.0.1, `setNoDelay(true)`):', '');
  const p = meta.params;
  const desc = {
    throughput: () => `one connection, the client writes ${p.throughput.bytes / MiB} MiB (after ${p.throughput.warmupBytes / MiB} MiB warmup) in ${p.throughput.chunk / 1024} KiB chunks honouring backpressure; MiB/s at the receiver`,
    pingpong: () => `one connection, ${p.pingpong.size}-byte request/echo round trips for ${p.pingpong.durationMs} ms after ${p.pingpong.warmupMs} ms warmup`,
    'connect-seq': () => `${p['connect-seq'].count} connections one at a time (after ${p['connect-seq'].warmup} warmup on another port), each client end → server end → close`,
    'connect-c50': () => `${p['connect-c50'].count} connections, ${p['connect-c50'].concurrency} in flight (after ${p['connect-c50'].warmup} warmup on another port), same close sequence`,
    fanout: () => `${p.fanout.connections} connections each doing ${p.fanout.size}-byte round trips concurrently for ${p.fanout.durationMs} ms after ${p.fanout.warmupMs} ms warmup; total round trips/s`,
    idle: () => `${p.idle.count} connection pairs held open (client and server end, one 1-byte ping echoed each), opened ${p.idle.concurrency} at a time after ${p.idle.warmup} warmup pairs; resident memory per pair after forced GCs (lower is better), and the time to open them`,
  };
  for (const w of meta.workloads) lines.push(`- **${w}**: ${desc[w]()}.`);
  lines.push('', 'Implementations: `crossnet` (dist/index.mjs), `node:net` (the runtime\'s own, same workload code), ' +
    '`raw` (Node: tcp_wrap handles; Deno: Deno.listen/Deno.connect read/write loops; Bun: Bun.listen/Bun.connect handlers), ' +
    '`sockets` (throughput and pingpong only: the client is crossnet/sockets, the WinterTC Sockets API over crossnet, reading ' +
    'socket.readable and writing socket.writable; the server is crossnet net; in throughput the server sends and the client reads). ' +
    'Peak RSS is the child\'s VmHWM just before exit (median over reps).', '');

  lines.push('## Results (median [min – max] over reps)', '');
  lines.push('| runtime | workload | impl | median | min – max | unit | peak RSS MiB |');
  lines.push('| --- | --- | --- | ---: | --- | --- | ---: |');
  for (const r of summary.rows) {
    const partial = r.okReps < r.reps ? ` (${r.okReps}/${r.reps} ok)` : '';
    const med = r.median == null ? 'error' : `${fmt(r.median)}${partial}`;
    const range = r.median == null ? '' : `${fmt(r.min)} – ${fmt(r.max)}`;
    const unit = r.openMs == null ? r.unit ?? '' : `${r.unit} (open: ${fmt(r.openMs)} ms)`;
    lines.push(`| ${r.runtime} | ${r.workload} | ${r.impl} | ${med} | ${range} | ${unit} | ${fmt(r.peakRssMiB)} |`);
  }
  if (impls.includes('crossnet')) {
    lines.push('', '## crossnet against the targets (ratios of medians; ✓ target met, ✗ not met)', '');
    lines.push('| runtime | workload | crossnet / node:net (≥ 1.00) | crossnet / raw (target) | peak RSS crossnet / node:net (≤ 1.00) |');
    lines.push('| --- | --- | ---: | ---: | ---: |');
    for (const q of summary.ratios) {
      const cell = (x, target, higher) => (x == null && q.crossnetFailed ? 'error' : judged(x, target, higher));
      if (LOWER_IS_BETTER.has(q.workload)) {
        lines.push(`| ${q.runtime} | ${q.workload} | memory per pair ${cell(q.vsNodeNet, 1, false)} (≤ 1.00); time to open ${cell(q.openVsNodeNet, 1, false)} (≤ 1.00) | — | ${cell(q.rssVsNodeNet, q.targetRssVsNodeNet, false)} |`);
        continue;
      }
      lines.push(`| ${q.runtime} | ${q.workload} | ${cell(q.vsNodeNet, q.targetVsNodeNet)} | ` +
        `${cell(q.vsRaw, q.targetVsRaw)} (≥ ${q.targetVsRaw.toFixed(2)}) | ${cell(q.rssVsNodeNet, q.targetRssVsNodeNet, false)} |`);
    }
  }
  if (summary.socketsRatios.length) {
    lines.push('', '## crossnet/sockets (Web Streams) against crossnet net (ratios of medians: the cost of the Web-Streams layer)', '');
    lines.push('| runtime | workload | sockets / crossnet | peak RSS sockets / crossnet |');
    lines.push('| --- | --- | ---: | ---: |');
    for (const q of summary.socketsRatios) {
      lines.push(`| ${q.runtime} | ${q.workload} | ${q.vsCrossnet == null ? '—' : q.vsCrossnet.toFixed(2)} | ${q.rssVsCrossnet == null ? '—' : q.rssVsCrossnet.toFixed(2)} |`);
    }
  }
  // One line per distinct error of a runtime × impl, naming the workloads it hit.
  const errors = new Map();
  for (const r of summary.rows) for (const e of r.errors) {
    const key = `${r.runtime} ${r.impl}\0${e}`;
    if (!errors.has(key)) errors.set(key, []);
    errors.get(key).push(r.workload);
  }
  if (errors.size) {
    lines.push('', '## Errors', '');
    for (const [key, ws] of errors) {
      const [who, e] = key.split('\0');
      lines.push(`- ${who} (${ws.join(', ')}): \`${e.replace(/`/g, "'").slice(0, 300)}\``);
    }
  }
  return lines.join('\n') + '\n';
}

const combos = [];
for (const runtime of runtimes) for (const workload of workloads) for (const impl of impls) {
  if (supports(impl, workload)) combos.push({ runtime, impl, workload });
}

const startedAt = Date.now();
const versions = Object.fromEntries(runtimes.map((r) => [r, version(r)]));
const meta = {
  date: new Date().toISOString(),
  command: `node bench/run.mjs ${args.join(' ')}`.trim(),
  mode, reps, runtimes, impls, workloads,
  params: Object.fromEntries(workloads.map((w) => [w, params[w]])),
  versions,
  machine: machine(),
};
console.log(`${combos.length} combinations × ${reps} reps, ${mode} mode; runtimes: ${Object.entries(versions).map(([r, v]) => `${r} ${v}`).join(', ')}`);

const measurements = [];
try {
  for (let rep = 1; rep <= reps; rep++) {
    for (const { runtime, impl, workload } of combos) {
      const m = await measure(runtime, impl, workload);
      measurements.push({ rep, ...m });
      const what = m.ok ? `${fmt(m.value)} ${m.unit}, peak RSS ${fmt(m.peakRssMiB)} MiB` : `error: ${m.error.slice(0, 160)}`;
      console.log(`[rep ${rep}/${reps}] ${runtime} ${impl} ${workload}: ${what}`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
// Start-up: `import 'crossnet'` against `import 'node:net'` on each runtime (bench/startup.mjs).
const startup = startupRuns ? await measureStartup({ runs: startupRuns, runtimes, commands: RUNTIMES, log: console.log }) : null;
meta.elapsedSeconds = Math.round((Date.now() - startedAt) / 1000);

const summary = summarize(measurements);
const md = markdown(meta, summary) + (startup ? `\n${startupMarkdown(startup).join('\n')}\n` : '');
const resultsDir = join(here, 'results');
if (!existsSync(resultsDir)) mkdirSync(resultsDir, { recursive: true });
const stamp = meta.date.replace(/[:.]/g, '-');
writeFileSync(join(resultsDir, `${stamp}.json`), JSON.stringify({ meta, summary, measurements, startup }, null, 1));
writeFileSync(join(resultsDir, `${stamp}.md`), md);
writeFileSync(join(here, 'RESULTS.md'), md);
console.log('\n' + md);
console.log(`done in ${meta.elapsedSeconds} s; wrote bench/results/${stamp}.{json,md} and bench/RESULTS.md`);
