// crossnet/testing under fake timers: the network's latency and the core's timeouts run on the fake
// clock, so a 100 ms link and a 5 s connect timeout take no real time and land on exact instants.
// node:test's mock.timers (Node, Deno, Bun), and @sinonjs/fake-timers where installed (it must not
// fake nextTick/queueMicrotask: Node's streams run on them). Usage: node test/memory-timers.mjs
import process from 'node:process';
import { mock } from 'node:test';
import { createNetwork } from '../dist/testing.mjs';

let passed = 0;
let failed = 0;
const eq = (a, b, msg) => { if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`${msg}: expected ${JSON.stringify(b)}, got ${JSON.stringify(a)}`); };

/** The scenario, driven by `advance(ms)`: timings of connect, data, end, and a black-holed connect's timeout. */
async function scenario(advance, latency = 100) {
  const { net, fault } = createNetwork({ latency });
  const t0 = Date.now();
  const at = () => Date.now() - t0;
  const log = [];
  const server = net.createServer((s) => s.end('hi'));
  server.listen(80, '127.0.0.1');
  const c = net.connect(80, '127.0.0.1');
  c.on('connect', () => log.push(['connect', at()]));
  c.on('data', (d) => log.push(['data', String(d), at()]));
  c.on('end', () => log.push(['end', at()]));
  fault({ kind: 'blackhole', port: 81 });
  const d = net.connect({ port: 81, host: '127.0.0.1', timeout: 5000 });
  d.on('timeout', () => { log.push(['timeout', at()]); d.destroy(); });
  await advance(6000);
  d.destroy();
  server.close();
  return log;
}
// The SYN and SYN-ACK take 100 ms each; the core emits 'connect' at once (sinon) or on the next
// 1 ms step (mock.timers ticks in steps). The timeout needs a faked `performance` (the core measures
// idleness with performance.now()), which mock.timers does not fake.
const expected = (connectAt, timeout) => [['connect', connectAt], ['data', 'hi', 201], ['end', 201], ...(timeout ? [['timeout', 5000]] : [])];

async function run(name, fn) {
  const started = performance.now();
  try {
    await fn();
    passed++;
    console.log(`ok   ${name} (${(performance.now() - started).toFixed(0)} ms real time)`);
  } catch (err) {
    failed++;
    console.log(`FAIL ${name}\n     ${err?.stack ?? err}`);
  }
}

await run('node:test mock.timers: 100 ms latency on the fake clock', async () => {
  mock.timers.enable({ apis: ['setTimeout', 'setImmediate', 'setInterval', 'Date'] });
  try {
    const log = await scenario(async (ms) => {
      for (let i = 0; i < ms; i++) {
        mock.timers.tick(1);
        for (let j = 0; j < 5; j++) await new Promise((r) => process.nextTick(r));
      }
    });
    eq(log, expected(201, false), 'events at fake instants');
  } finally {
    mock.timers.reset();
  }
});

await run('node:test mock.timers: latency per direction (30 ms from the client, 70 ms from the server)', async () => {
  mock.timers.enable({ apis: ['setTimeout', 'setImmediate', 'setInterval', 'Date'] });
  try {
    const log = await scenario(async (ms) => {
      for (let i = 0; i < ms; i++) {
        mock.timers.tick(1);
        for (let j = 0; j < 5; j++) await new Promise((r) => process.nextTick(r));
      }
    }, { client: 30, server: 70 });
    // SYN 30 + SYN-ACK 70; the server's bytes, sent at its accept (30), land at 100.
    eq(log, [['connect', 101], ['data', 'hi', 101], ['end', 101]], 'events at fake instants');
  } finally {
    mock.timers.reset();
  }
});

let FakeTimers;
try { FakeTimers = (await import('@sinonjs/fake-timers')).default; } catch { /* not installed */ }
if (!FakeTimers) console.log('skip @sinonjs/fake-timers: not installed (devDependency @sinonjs/fake-timers)');
else await run('@sinonjs/fake-timers (nextTick and queueMicrotask left real): 100 ms latency and a 5 s connect timeout', async () => {
  const clock = FakeTimers.install({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'Date', 'performance'] });
  try {
    eq(await scenario((ms) => clock.tickAsync(ms)), expected(200, true), 'events at fake instants');
  } finally {
    clock.uninstall();
  }
});

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
