// Start-up cost of crossnet: whole-process wall time and peak RSS of a one-line script,
// `import 'crossnet'` against `import 'node:net'` (and `require` of each), on each runtime.
//   node bench/startup.mjs [--runs N] [--runtimes node,deno,bun] [--loaders import,require]
//                          [--packages label=DIR,…]   (other builds of the package, e.g. main's, side by side)
// Each run starts a fresh process; runs are interleaved (crossnet, node:net, node:net, crossnet, …
// for every runtime and loader in turn) so drift of a shared machine hits both sides alike. The
// scripts sit in a temporary project whose node_modules/crossnet links to this checkout, so
// 'crossnet' resolves through package.json "exports" to the built dist/ as a user's would (build
// first: `npm run build`). Peak RSS is the child's maximum resident set, from GNU time
// (/usr/bin/time); without it only times are shown.
// Also used by bench/run.mjs (`npm run bench`), which appends the table to bench/RESULTS.md.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

export const RUNTIMES = {
  node: [process.execPath, []],
  deno: [bin('deno'), ['run', '-A', '--quiet']],
  bun: [bin('bun'), []],
};
export const LOADERS = ['import', 'require'];
/** The issue's budget: crossnet may cost this much more than node:net (medians). */
export const TARGET = { ms: 5, MiB: 2 };

const SCRIPTS = {
  import: { crossnet: ['crossnet.mjs', "import 'crossnet';\n"], 'node:net': ['node-net.mjs', "import 'node:net';\n"] },
  require: { crossnet: ['crossnet.cjs', "require('crossnet');\n"], 'node:net': ['node-net.cjs', "require('node:net');\n"] },
};
const BASE = 'node:net';
const TIME = '/usr/bin/time';
const MARK = 'crossnet-startup-peak-kib=';

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length ? (s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2) : null;
};

/** One whole-process run: wall ms (spawn to exit) and peak RSS MiB (null without GNU time). */
function once(cmd, args, cwd, withTime) {
  const [file, argv] = withTime ? [TIME, ['-f', `${MARK}%M`, cmd, ...args]] : [cmd, args];
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn(file, argv, { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' } });
    let err = '';
    child.stderr.on('data', (d) => { err = (err + d).slice(-4000); });
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const m = err.match(new RegExp(`${MARK}(\\d+)`));
      const rest = err.replace(new RegExp(`.*${MARK}\\d+\\s*`), '').trim();
      if (code !== 0 || rest) resolve({ ok: false, error: `exit ${code}: ${rest.split('\n').slice(-3).join(' | ')}` });
      else resolve({ ok: true, ms, MiB: m ? Number(m[1]) / 1024 : null });
    });
    child.on('error', (e) => resolve({ ok: false, error: e.message }));
  });
}

/**
 * Measure. `packages`: [label, directory of a built crossnet package] pairs (default: this
 * checkout as 'crossnet'). Returns { runs, rows: [{ runtime, loader, impl, n, ms, msMin, msMax,
 * MiB }], deltas: [{ runtime, loader, impl, ms, MiB, pairMs, ok }] (each package against
 * node:net), errors, peakRss }. `log` gets one line per finished round.
 */
export async function measureStartup({ runs = 20, runtimes = Object.keys(RUNTIMES), loaders = LOADERS, commands = RUNTIMES,
  packages = [['crossnet', root]], log = () => {} } = {}) {
  for (const [label, dir] of packages) {
    if (!existsSync(join(dir, 'dist', 'index.mjs'))) throw new Error(`${label}: no ${join(dir, 'dist')}: run \`npm run build\` first`);
  }
  const work = mkdtempSync(join(tmpdir(), 'crossnet-startup-'));
  const withTime = existsSync(TIME);
  const samples = new Map();
  const errors = new Set();
  try {
    // One project per package, each with node_modules/crossnet linking to it; node:net's scripts
    // sit in the first.
    const where = new Map();
    packages.forEach(([label, dir], i) => {
      const project = join(work, `p${i}`);
      mkdirSync(join(project, 'node_modules'), { recursive: true });
      symlinkSync(dir, join(project, 'node_modules', 'crossnet'), 'dir');
      writeFileSync(join(project, 'package.json'), JSON.stringify({ name: `startup-probe-${i}`, private: true, dependencies: { crossnet: '*' } }));
      for (const loader of loaders) for (const [file, text] of Object.values(SCRIPTS[loader])) writeFileSync(join(project, file), text);
      where.set(label, [project, 'crossnet']);
      if (!i) where.set(BASE, [project, BASE]);
    });
    const impls = [...packages.map(([label]) => label), BASE];
    const cells = runtimes.flatMap((runtime) => loaders.map((loader) => ({ runtime, loader })));
    // One unmeasured round first: the OS file cache, Deno's and Bun's code caches.
    for (let round = 0; round <= runs; round++) {
      for (const { runtime, loader } of cells) {
        for (const impl of round % 2 ? [...impls].reverse() : impls) {
          const [cmd, pre] = commands[runtime];
          const [cwd, script] = where.get(impl);
          const r = await once(cmd, [...pre, SCRIPTS[loader][script][0]], cwd, withTime);
          if (!round) continue;
          const key = `${runtime} ${loader} ${impl}`;
          if (!samples.has(key)) samples.set(key, []);
          if (r.ok) samples.get(key).push({ round, ms: r.ms, MiB: r.MiB });
          else errors.add(`${key}: ${r.error}`);
        }
      }
      if (round) log(`start-up round ${round}/${runs}`);
    }
    const rows = [];
    const deltas = [];
    for (const { runtime, loader } of cells) {
      const get = (impl) => samples.get(`${runtime} ${loader} ${impl}`) ?? [];
      const row = (impl) => {
        const s = get(impl);
        const mib = s.map((x) => x.MiB).filter((x) => x != null);
        const ms = s.map((x) => x.ms);
        return { runtime, loader, impl, n: s.length, ms: median(ms), msMin: s.length ? Math.min(...ms) : null, msMax: s.length ? Math.max(...ms) : null, MiB: median(mib) };
      };
      const base = row(BASE);
      for (const impl of impls.slice(0, -1)) {
        const cn = row(impl);
        rows.push(cn);
        // Per-round differences as well: pairing cancels drift of the machine's speed.
        const byRound = new Map(get(BASE).map((x) => [x.round, x]));
        const pairs = get(impl).filter((x) => byRound.has(x.round)).map((x) => x.ms - byRound.get(x.round).ms);
        const ms = cn.ms != null && base.ms != null ? cn.ms - base.ms : null;
        const MiB = cn.MiB != null && base.MiB != null ? cn.MiB - base.MiB : null;
        deltas.push({ runtime, loader, impl, ms, MiB, pairMs: median(pairs), ok: ms != null && ms <= TARGET.ms && (MiB == null || MiB <= TARGET.MiB) });
      }
      rows.push(base);
    }
    return { runs, rows, deltas, errors: [...errors], peakRss: withTime };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const f1 = (x) => (x == null ? '—' : x.toFixed(1));
const signed = (x) => (x == null ? '—' : `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(1)}`);

/** The results as Markdown lines (a table per the issue's budget). */
export function startupMarkdown(result) {
  const lines = ['## Start-up (`import \'crossnet\'` against `import \'node:net\'`)', ''];
  lines.push(`A one-line script, each run a fresh process, ${result.runs} runs per cell interleaved (crossnet and node:net in turn); ` +
    `medians of whole-process wall time${result.peakRss ? ' and peak RSS (GNU time)' : ''}. ` +
    `Budget: crossnet at most ${TARGET.ms} ms and ${TARGET.MiB} MiB above node:net. Δ pairs is the median of per-round differences.`, '');
  const several = new Set(result.deltas.map((d) => d.impl)).size > 1;
  lines.push(`| runtime | loader |${several ? ' build |' : ''} crossnet ms | node:net ms | Δ ms | Δ pairs ms | crossnet MiB | node:net MiB | Δ MiB | within budget |`);
  lines.push(`| --- | --- |${several ? ' --- |' : ''} ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: |`);
  for (const d of result.deltas) {
    const find = (impl) => result.rows.find((r) => r.runtime === d.runtime && r.loader === d.loader && r.impl === impl);
    const [cn, nn] = [find(d.impl), find(BASE)];
    lines.push(`| ${d.runtime} | ${d.loader} |${several ? ` ${d.impl} |` : ''} ${f1(cn.ms)} | ${f1(nn.ms)} | ${signed(d.ms)} | ${signed(d.pairMs)} | ` +
      `${f1(cn.MiB)} | ${f1(nn.MiB)} | ${signed(d.MiB)} | ${d.ms == null ? '—' : d.ok ? '✓' : '✗'} |`);
  }
  if (result.errors.length) lines.push('', ...result.errors.map((e) => `- error: \`${e.replace(/`/g, "'").slice(0, 300)}\``));
  return lines;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  if (args.includes('--help')) {
    console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(0, 10).join('\n'));
    process.exit(0);
  }
  const option = (name, fallback) => {
    const i = args.indexOf(name);
    return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
  };
  const pick = (name, all) => {
    const picked = option(name, all.join(',')).split(',').filter(Boolean);
    const unknown = picked.filter((x) => !all.includes(x));
    if (unknown.length) {
      console.error(`unknown ${name.slice(2)}: ${unknown.join(', ')} (known: ${all.join(', ')})`);
      process.exit(2);
    }
    return picked;
  };
  const runs = Number(option('--runs', '20'));
  if (!Number.isInteger(runs) || runs < 1 || runs > 200) {
    console.error('--runs must be an integer from 1 to 200');
    process.exit(2);
  }
  const packages = option('--packages', `crossnet=${root}`).split(',').filter(Boolean).map((x) => {
    const i = x.indexOf('=');
    return i > 0 ? [x.slice(0, i), x.slice(i + 1)] : [x, x];
  });
  const result = await measureStartup({
    runs, packages, runtimes: pick('--runtimes', Object.keys(RUNTIMES)), loaders: pick('--loaders', LOADERS),
    log: (line) => process.stderr.write(`${line}\r`),
  });
  process.stderr.write('\n');
  console.log(startupMarkdown(result).join('\n'));
  const json = option('--json');
  if (json) writeFileSync(json, JSON.stringify(result, null, 1));
}
