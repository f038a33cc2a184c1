// The idle-connections workload, against the public `net` API only (crossnet or the runtime's own
// node:net): `count` connection pairs held open in one process (client and server end), each used
// for one 1-byte ping and its echo, opened `concurrency` at a time. Value: resident memory per pair
// (KiB, lower is better; RSS after forced GCs, less RSS before the first pair); also the time to
// open them all. Linux only (reads /proc/self/status).
import { readFileSync } from 'node:fs';

const HOST = '127.0.0.1';

function rssKiB() {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  if (!m) throw new Error('no VmRSS in /proc/self/status');
  return Number(m[1]);
}

/** A full garbage collection by whatever means this runtime offers (none: the figure includes garbage). */
async function collector() {
  if (typeof globalThis.gc === 'function') return () => globalThis.gc();
  if (globalThis.Bun) return () => globalThis.Bun.gc(true);
  try {
    const [v8, vm] = await Promise.all([import('node:v8'), import('node:vm')]);
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc');
    if (typeof gc === 'function') return gc;
  } catch { /* below */ }
  return null;
}

async function settle(gc) {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function idleWorkload(net) {
  return async function idle(p) {
    const gc = await collector();
    if (!gc && !p.allowNoGc) throw new Error('no way to force a GC on this runtime');
    const accepted = [];
    const server = net.createServer((s) => {
      accepted.push(s);
      s.on('data', (d) => s.write(d));
    });
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: 0, host: HOST, backlog: 2048 }, resolve);
    });
    const { port } = server.address();
    const clients = [];
    const open = () => new Promise((resolve, reject) => {
      const c = net.connect(port, HOST);
      c.once('error', reject);
      c.once('connect', () => c.write('x'));
      c.once('data', () => { clients.push(c); resolve(); });
    });
    const openMany = async (n) => {
      let next = 0;
      await Promise.all(Array.from({ length: Math.min(p.concurrency, n) }, async () => {
        while (next < n) { next++; await open(); }
      }));
    };
    const closeAll = async () => {
      for (const c of clients) c.destroy();
      clients.length = 0;
      while (accepted.length) {
        const s = accepted.pop();
        if (!s.destroyed) await new Promise((resolve) => { s.once('close', resolve); s.destroy(); });
      }
    };
    // Warm up every code path (and the runtime's pools), then release it all.
    await openMany(p.warmup);
    await closeAll();
    await settle(gc);
    const before = rssKiB();
    const t0 = performance.now();
    await openMany(p.count);
    const openMs = performance.now() - t0;
    // Every server end has its ping echoed (the client got it back): both ends are idle now.
    await settle(gc);
    const after = rssKiB();
    await closeAll();
    await new Promise((resolve) => server.close(resolve));
    return { value: (after - before) / p.count, unit: 'KiB/pair', openMs };
  };
}
