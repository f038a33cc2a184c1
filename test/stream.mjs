// adapters/stream.ts on its own, over a scripted runtime (no sockets): held reads, the write queue
// (joining, partial writes sync and async), FIN ordering, close and gone semantics. The adapters'
// contract (test/contract.mjs) covers the same layer over real sockets.
import { build } from 'esbuild';
import { Buffer } from 'node:buffer';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = await build({ entryPoints: [join(root, 'adapters/stream.ts')], bundle: true, format: 'esm', platform: 'node', write: false });
const { StreamConnection, nextTick } = await import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`);

/** A runtime that takes at most `take` bytes per write (sync), or answers through promises (`async`). */
class Fake extends StreamConnection {
  kind = 'tcp';
  fd = 3;
  log = [];
  wire = [];
  constructor({ take = Infinity, async = false, flowing = false } = {}) {
    super({ large: 16, joinMax: 64, defer: nextTick }, flowing);
    this.take = take;
    this.async = async;
  }
  ioResume() { this.log.push('resume'); }
  ioPause() { this.log.push('pause'); }
  ioWrite(seg) {
    this.log.push(`write ${seg.byteLength}`);
    const n = Math.min(this.take, seg.byteLength);
    this.wire.push(Buffer.from(seg.subarray(0, n)));
    if (!this.async) return n;
    this.hold(); // a test double of a runtime operation under way
    return new Promise((r) => setTimeout(() => { this.release(); r(n); }, 1));
  }
  ioCloseWrite() { this.log.push('fin'); }
  ioClose(rst) { this.log.push(rst ? 'rst' : 'close'); }
  ioFailure(err) { return { code: err.code ?? 'EIO' }; }
  setNoDelay() {}
  setKeepAlive() {}
  ref() {}
  unref() {}
  localEndpoint() { return undefined; }
  remoteEndpoint() { return undefined; }
  // what a runtime reports
  data(s) { this.readData(Buffer.from(s)); }
  end() { this.readEnd(); }
  drain() { this.writable(); }
  drop(err) { this.gone(err); }
}

let passed = 0;
let failed = 0;
async function test(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok   ${name}`);
  } catch (err) {
    failed++;
    console.log(`FAIL ${name}\n     ${err?.stack ?? err}`);
  }
}
const eq = (a, b, msg) => { if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`${msg}: expected ${JSON.stringify(b)}, got ${JSON.stringify(a)}`); };
const settle = () => new Promise((r) => setTimeout(r, 5));
const show = (f) => (f ? f.code : null);
function receiver(c) {
  const events = [];
  c.setReceiver({ onData: (d) => events.push(Buffer.from(d).toString()), onEnd: () => events.push('END'), onError: (e) => events.push(`ERR ${e.code}`) });
  return events;
}

await test('reads: held while stopped, in order, FIN last; the runtime is paused once, lazily, and resumed after', async () => {
  const c = new Fake({ flowing: true });
  const ev = receiver(c);
  c.readStart();
  c.data('a');
  c.readStop();
  eq(c.log, [], 'readStop alone pauses nothing');
  c.data('b');
  c.data('c');
  eq(ev, ['a'], 'nothing delivered while stopped');
  eq(c.log, ['pause'], 'paused once');
  c.readStart();
  eq(ev, ['a'], 'not from inside readStart');
  await settle();
  eq(ev, ['a', 'b', 'c'], 'held reads');
  eq(c.log, ['pause', 'resume'], 'resumed once all was delivered');
  c.readStop();
  c.data('d');
  c.end();
  c.readStart();
  await settle();
  eq(ev, ['a', 'b', 'c', 'd', 'END'], 'FIN after the held read');
  eq(c.log, ['pause', 'resume', 'pause'], 'not resumed after the end');
});

await test('reads: not flowing at first (Deno, node-net): the first readStart resumes the runtime', async () => {
  const c = new Fake();
  receiver(c);
  c.readStart();
  c.readStart();
  eq(c.log, ['resume'], 'resumed once');
});

await test('writes: small chunks joined up to joinMax, a large one alone, partial writes resumed on writable(), callbacks in order', async () => {
  const c = new Fake({ take: 20 });
  const order = [];
  const chunks = ['aaaaa', 'bbbbb', 'c'.repeat(40), 'ddd'];
  c.write([Buffer.from(chunks[0]), Buffer.from(chunks[1])], (e) => order.push(`1 ${show(e)}`));
  c.write([Buffer.from(chunks[2])], (e) => order.push(`2 ${show(e)}`));
  c.write([Buffer.from(chunks[3])], (e) => order.push(`3 ${show(e)}`));
  eq(order, ['1 null'], 'the first write was taken at once (joined: 10 bytes)');
  for (let i = 0; i < 5 && order.length < 3; i++) c.drain();
  eq(order, ['1 null', '2 null', '3 null'], 'callbacks in order');
  eq(Buffer.concat(c.wire).toString(), chunks.join(''), 'bytes in order');
  eq(c.log.filter((l) => l.startsWith('write')), ['write 10', 'write 40', 'write 20', 'write 3'], 'segments');
});

await test('writes: promise answers (Deno), partial counts, an empty write in order', async () => {
  const c = new Fake({ take: 7, async: true });
  const order = [];
  c.write([Buffer.from('0123456789')], (e) => order.push(`a ${show(e)}`));
  c.write([], (e) => order.push(`b ${show(e)}`));
  c.write([Buffer.from('xyz')], (e) => order.push(`c ${show(e)}`));
  await new Promise((r) => setTimeout(r, 50));
  eq(order, ['a null', 'b null', 'c null'], 'callbacks');
  eq(Buffer.concat(c.wire).toString(), '0123456789xyz', 'bytes');
});

await test('shutdown: FIN after the last queued byte; writes after it are EPIPE; a second shutdown is fine', async () => {
  const c = new Fake({ take: 4 });
  const got = [];
  c.write([Buffer.from('0123456789')], (e) => got.push(`w ${show(e)}`));
  c.shutdown((e) => got.push(`s ${show(e)}`));
  eq(c.log.includes('fin'), false, 'no FIN before the bytes');
  c.drain();
  c.drain();
  eq(c.log.at(-1), 'fin', 'FIN after the last write');
  c.write([Buffer.from('x')], (e) => got.push(`late ${show(e)}`));
  c.shutdown((e) => got.push(`s2 ${show(e)}`));
  await settle();
  eq(got, ['w null', 's null', 'late EPIPE', 's2 null'], 'outcomes');
});

await test('close: queued writes and a waiting FIN are ECANCELED, later writes EBADF, done after the runtime let go', async () => {
  const c = new Fake({ take: 0 });
  const got = [];
  c.write([Buffer.from('abc')], (e) => got.push(`w ${show(e)}`));
  c.shutdown((e) => got.push(`s ${show(e)}`));
  c.hold(); // e.g. a read under way
  let closedAt = 0;
  c.close(() => { closedAt = got.length + 1; got.push('closed'); });
  c.write([Buffer.from('x')], (e) => got.push(`after ${show(e)}`));
  await settle();
  eq(got, ['w ECANCELED', 's ECANCELED', 'after EBADF'], 'before release');
  c.release();
  c.close(() => got.push('closed again'));
  await settle();
  eq(got.slice(3), ['closed', 'closed again'], 'close callbacks');
  eq(closedAt, 4, 'after the cancellations');
  eq(c.log.at(-1), 'close', 'runtime closed');
});

await test('gone: the runtime dropped the socket: queued writes fail (EPIPE, or its error), shutdown is ENOTCONN, the read side ends', async () => {
  const c = new Fake({ take: 0, flowing: true });
  const ev = receiver(c);
  c.readStart();
  const got = [];
  c.write([Buffer.from('abc')], (e) => got.push(`w ${show(e)}`));
  c.drop(null);
  c.shutdown((e) => got.push(`s ${show(e)}`));
  c.write([Buffer.from('x')], (e) => got.push(`late ${show(e)}`));
  await settle();
  eq(got, ['w EPIPE', 's ENOTCONN', 'late EPIPE'], 'writes');
  eq(ev, ['END'], 'read side');
  const d = new Fake({ take: 0, flowing: true });
  const ev2 = receiver(d);
  const got2 = [];
  d.write([Buffer.from('abc')], (e) => got2.push(show(e)));
  d.drop({ code: 'ECONNRESET' });
  await settle();
  eq(got2, ['ECONNRESET'], 'write fails with the error');
  eq(ev2, [], 'a read error waits for readStart');
  d.readStart();
  await settle();
  eq(ev2, ['ERR ECONNRESET'], 'read error');
});

await test('a write that throws fails it and every later one with that error', async () => {
  const c = new Fake();
  c.ioWrite = () => { throw { code: 'EBADF' }; };
  const got = [];
  c.write([Buffer.from('a')], (e) => got.push(show(e)));
  c.write([Buffer.from('b')], (e) => got.push(show(e)));
  await settle();
  eq(got, ['EBADF', 'EBADF'], 'outcomes');
});

await test('detach (exportHandle): refused while writes are queued; then nothing is delivered or written, and close only calls done', async () => {
  const c = new Fake({ take: 0, flowing: true });
  const ev = receiver(c);
  c.readStart();
  c.write([Buffer.from('abc')], () => {});
  eq(c.detach(), false, 'refused while a write waits');
  const d = new Fake({ flowing: true });
  const ev2 = receiver(d);
  d.readStart();
  eq(d.detach(), true, 'detached');
  d.data('x');
  let done = false;
  d.close(() => { done = true; });
  await settle();
  eq(ev2, [], 'nothing delivered');
  eq(done, true, 'close calls done');
  eq(d.log.includes('close'), false, 'the runtime socket is not closed');
  eq(ev, [], 'first connection untouched');
});

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
