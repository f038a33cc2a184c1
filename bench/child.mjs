// One measurement in its own process: <runtime> bench/child.mjs '<json>' where json is
// { impl, workload, params, out, deadlineMs }. Writes { ok, value, unit, peakRssMiB } or
// { ok: false, error } as JSON to `out`, then exits by itself.
const runtime = globalThis.Deno ? 'deno' : globalThis.Bun ? 'bun' : 'node';
const argv = runtime === 'deno' ? globalThis.Deno.args : globalThis.process.argv.slice(2);
const job = JSON.parse(argv[argv.length - 1]);

function writeFile(path, text) {
  if (runtime === 'deno') globalThis.Deno.writeTextFileSync(path, text);
  else fs.writeFileSync(path, text);
}

function readFile(path) {
  return runtime === 'deno' ? globalThis.Deno.readTextFileSync(path) : fs.readFileSync(path, 'utf8');
}

function exit(code) {
  if (runtime === 'deno') globalThis.Deno.exit(code);
  else globalThis.process.exit(code);
}

// The kernel's high-water mark of this process's resident set, over its whole life.
function peakRssMiB() {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFile('/proc/self/status'));
  return m ? Number(m[1]) / 1024 : null;
}

function finish(result, code) {
  writeFile(job.out, JSON.stringify({ ...result, peakRssMiB: peakRssMiB() }));
  exit(code);
}

// Deno's raw path must not pull in its node compatibility layer, so node:fs is loaded elsewhere only.
const fs = runtime === 'deno' ? null : await import('node:fs');

async function loadWorkloads() {
  if (job.impl === 'raw') {
    const mod = await import(`./raw-${runtime}.mjs`);
    return mod.workloads;
  }
  if (job.impl === 'sockets') {
    // crossnet/sockets (Web Streams) clients against crossnet net servers: throughput and pingpong.
    const [{ workloads }, net, sockets] = await Promise.all([
      import('./workloads-sockets.mjs'), import('../dist/index.mjs'), import('../dist/sockets.mjs'),
    ]);
    return workloads(net.default, sockets);
  }
  const { workloads: netWorkloads } = await import('./workloads-net.mjs');
  // The idle-connections workload (bench/workloads-idle.mjs) next to the five.
  const workloads = async (net) => ({ ...netWorkloads(net), idle: (await import('./workloads-idle.mjs')).idleWorkload(net) });
  if (job.impl === 'node:net') return workloads((await import('node:net')).default);
  if (job.impl === 'memory') return workloads((await import('../dist/testing.mjs')).createNetwork().net);
  if (job.impl === 'crossnet') {
    const mod = await import('../dist/index.mjs');
    if (!mod.default || typeof mod.default.createServer !== 'function') {
      throw new Error('dist/index.mjs has no default export with createServer');
    }
    return workloads(mod.default);
  }
  throw new Error(`unknown impl ${job.impl}`);
}

// The message plus the first stack frame: enough to tell where a failing implementation broke.
const fail = (err) => finish({ ok: false, error: String(err && err.stack || err).split('\n').slice(0, 2).map((l) => l.trim()).join(' ') }, 1);
if (runtime === 'deno') {
  globalThis.addEventListener('unhandledrejection', (e) => { e.preventDefault(); fail(e.reason); });
  globalThis.addEventListener('error', (e) => { e.preventDefault(); fail(e.error); });
} else {
  globalThis.process.on('uncaughtException', fail);
  globalThis.process.on('unhandledRejection', fail);
}
// Report a stuck measurement before the runner's watchdog has to kill it.
setTimeout(() => fail(new Error(`no result after ${job.deadlineMs} ms`)), job.deadlineMs);

try {
  const workloads = await loadWorkloads();
  const run = workloads[job.workload];
  if (!run) throw new Error(`unknown workload ${job.workload}`);
  const { value, unit, ...extra } = await run(job.params);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`bad measurement ${value}`);
  finish({ ok: true, value, unit, ...extra }, 0);
} catch (err) {
  fail(err);
}
