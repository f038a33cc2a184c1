// Multi-process scaling (#17): a small HTTP-like keep-alive request/response server, as one
// process and as two node:cluster workers sharing the port, with crossnet and with the runtime's
// own node:net. A separate Node process (node:net) drives it with persistent connections, each
// with `--depth` pipelined requests in flight (so the client's cost per request stays below the
// server's), and counts responses. Usage:
//   node bench/cluster.mjs [--runtimes node,deno,bun] [--impls crossnet,node:net] [--reps 3] [--ms 3000] [--conns 64] [--depth 16]
// Prints a Markdown table: req/s per mode (median of reps) and the scaling factor 2 workers / 1 process.
// On a 2-core machine the load generator needs CPU too: the factor is bounded well below 2.
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import process from 'node:process';

const here = dirname(fileURLToPath(import.meta.url));
const self = fileURLToPath(import.meta.url);
const RESPONSE = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok';
const REQUEST = 'GET / HTTP/1.1\r\nHost: bench\r\n\r\n';

const [role, ...rest] = process.argv.slice(2);
if (role === 'serve') await serve(rest[0]);
else if (role === 'load') await load(Number(rest[0]), Number(rest[1]), Number(rest[2]), Number(rest[3]), Number(rest[4]));
else await main();

// ---- server (one process, or the primary and workers of a cluster) ------------------------------

async function serve(mode) {
  const cluster = (await import('node:cluster')).default;
  if (mode === 'cluster' && cluster.isPrimary) {
    let port = 0;
    let ready = 0;
    for (let i = 0; i < 2; i++) {
      cluster.fork().on('message', (m) => {
        port = m.port;
        if (++ready === 2) console.log(`port ${port}`);
      });
    }
    process.on('SIGTERM', () => { for (const w of Object.values(cluster.workers)) w.process.kill('SIGKILL'); process.exit(0); });
    return;
  }
  const { net } = await import('../conformance/net.mjs');
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    let pending = '';
    socket.setEncoding('latin1');
    socket.on('data', (text) => {
      pending += text;
      let end;
      // One response per complete request head (clients send one at a time; pipelining works too).
      while ((end = pending.indexOf('\r\n\r\n')) >= 0) {
        pending = pending.slice(end + 4);
        socket.write(RESPONSE);
      }
    });
    socket.on('error', () => {});
  });
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    if (cluster.isWorker) process.send({ port });
    else console.log(`port ${port}`);
  });
}

// ---- load generator (Node's node:net, the same for every measurement) ---------------------------

async function load(port, warmupMs, ms, conns, depth) {
  const batch = REQUEST.repeat(depth);
  const net = (await import('node:net')).default;
  let counting = false;
  let count = 0;
  let stop = false;
  const sockets = [];
  for (let i = 0; i < conns; i++) {
    const s = net.connect(port, '127.0.0.1');
    s.setNoDelay(true);
    s.setEncoding('latin1');
    let buf = '';
    let outstanding = depth;
    s.on('connect', () => s.write(batch));
    s.on('data', (text) => {
      buf += text;
      let at = 0;
      let end;
      while ((end = buf.indexOf('\r\n\r\nok', at)) >= 0) {
        at = end + 6;
        if (counting) count++;
        if (--outstanding === 0 && !stop) {
          outstanding = depth;
          s.write(batch);
        }
      }
      buf = buf.slice(at);
    });
    s.on('error', () => {});
    sockets.push(s);
  }
  await new Promise((r) => setTimeout(r, warmupMs));
  counting = true;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  counting = false;
  stop = true;
  const secs = (performance.now() - t0) / 1000;
  for (const s of sockets) s.destroy();
  console.log(JSON.stringify({ rps: count / secs }));
}

// ---- orchestration ------------------------------------------------------------------------------

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

function startServer(runtime, impl, mode) {
  const bin = (name) => join(here, '..', 'node_modules', '.bin', name);
  const [cmd, pre] = runtime === 'deno' ? [bin('deno'), ['run', '-A', '--quiet']] : runtime === 'bun' ? [bin('bun'), []] : [process.execPath, []];
  const child = spawn(cmd, [...pre, self, 'serve', mode], {
    env: { ...process.env, CROSSNET_IMPL: impl === 'node:net' ? 'builtin' : 'crossnet' },
    stdio: ['ignore', 'pipe', 'inherit'], detached: true,
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${runtime}/${impl}/${mode}: no port`)), 20000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /port (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ port: Number(m[1]), stop: () => { try { process.kill(-child.pid, 'SIGKILL'); } catch {} } });
      }
    });
  });
}

function runLoad(port, ms, conns, depth) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [self, 'load', String(port), '500', String(ms), String(conns), String(depth)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.on('close', () => { try { resolve(JSON.parse(out).rps); } catch { resolve(NaN); } });
  });
}

function median(xs) { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; }

async function main() {
  const runtimes = option('--runtimes', 'node,deno,bun').split(',');
  const impls = option('--impls', 'crossnet,node:net').split(',');
  const reps = Number(option('--reps', '3'));
  const ms = Number(option('--ms', '3000'));
  const conns = Number(option('--conns', '64'));
  const depth = Number(option('--depth', '16'));
  const results = {};
  for (let rep = 0; rep < reps; rep++) {
    for (const runtime of runtimes) {
      for (const impl of impls) {
        for (const mode of ['single', 'cluster']) {
          const server = await startServer(runtime, impl, mode);
          try {
            const rps = await runLoad(server.port, ms, conns, depth);
            (results[`${runtime}|${impl}|${mode}`] ??= []).push(rps);
            console.error(`rep ${rep + 1}: ${runtime} ${impl} ${mode}: ${Math.round(rps)} req/s`);
          } finally {
            server.stop();
          }
        }
      }
    }
  }
  console.log(`\n${cpus().length} CPUs, ${conns} keep-alive connections × ${depth} pipelined requests, ${ms} ms per run, median of ${reps}\n`);
  console.log('| runtime | impl | 1 process req/s | 2 workers req/s | scaling |');
  console.log('|---|---|---:|---:|---:|');
  for (const runtime of runtimes) {
    for (const impl of impls) {
      const one = median(results[`${runtime}|${impl}|single`]);
      const two = median(results[`${runtime}|${impl}|cluster`]);
      console.log(`| ${runtime} | ${impl} | ${Math.round(one)} | ${Math.round(two)} | ${(two / one).toFixed(2)}× |`);
    }
  }
}
