// Integrity under GC pressure: every byte written through `net` arrives, unchanged and counted, for
// every payload kind and string encoding, through every write path, in both directions. One file,
// unchanged on every runtime (the net under test comes from conformance/net.mjs, CROSSNET_IMPL):
//   node --expose-gc test/integrity.mjs [--seed N] [--long] [--case 3,7]
//   deno run -A --v8-flags=--expose-gc test/integrity.mjs [...]
//   bun test/integrity.mjs [...]
// The seed fixes the whole mix (cases, sizes, kinds, encodings, bytes, pauses); it is printed first
// and again with every failure. --long: bigger sizes and more cases, for manual runs. --case: only
// these case numbers of the seed's mix (for replaying one failure).
// Loopback only; every case closes its server; the process exits by itself.
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { setTimeout, clearTimeout, setInterval, clearInterval, setImmediate } from 'node:timers';
import { net, env } from '../conformance/net.mjs';

// ---- arguments --------------------------------------------------------------------------------

const argv = process.argv.slice(2);
const option = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const LONG = argv.includes('--long');
const seedArg = option('--seed');
if (seedArg !== undefined && !/^\d+$/.test(seedArg)) {
  console.log(`FAIL --seed wants a non-negative integer, got ${JSON.stringify(seedArg)}`);
  console.log('0 passed, 1 failed');
  process.exit(2);
}
const SEED = seedArg !== undefined ? Number(seedArg) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
const ONLY = option('--case')?.split(',').map(Number);
const column = `${env.runtime} ${env.version} ${env.impl}${env.adapter !== 'auto' ? `+${env.adapter}` : ''}`;
console.log(`integrity: ${column}, seed ${SEED}${LONG ? ', --long' : ''}`);

// ---- GC: required, never silently absent -------------------------------------------------------

// collect(true): a full collection; collect(false): a young-generation one (V8's full gc() costs
// ~9 ms even on a small heap, a scavenge well under 1 ms; what a write just allocated is young).
const collect = typeof globalThis.Bun?.gc === 'function' ? () => globalThis.Bun.gc(true)
  : typeof globalThis.gc === 'function' ? (full) => globalThis.gc(full ? undefined : { type: 'minor' }) : null;
if (!collect) {
  console.log('FAIL no gc(): run with node --expose-gc, deno run --v8-flags=--expose-gc, or on bun (Bun.gc); '
    + 'without it this suite would test nothing');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const PRESSURE_PERIOD = 5; // ms between collections
const PRESSURE_FULL_EVERY = 5; // every 5th collection is a full one
const PRESSURE_MAX_TICKS = 4000; // per case, whatever happens
const PRESSURE_MAX_KICKS = 64; // extra collections right after writes, per case

/**
 * While a case runs: collect every few ms, then allocate a few MB of filled buffers (kept until the
 * next tick) so that memory freed by a premature collection is reused with other bytes at once.
 * `kick(bytes)`: one more collection on the next turn of the loop, right after a write returned or a
 * reader paused, while writes are most likely still pending (the interval alone misses writes that
 * complete within a few ms, and a scavenge misses buffers already promoted, so large ones get a full
 * collection). Its junk is as large as the write: malloc may hand a freed region back from its
 * start, which is the part already sent, so only covering all of it makes a lost buffer show.
 */
function startPressure() {
  let junk = null;
  let ticks = 0;
  let kicks = 0;
  let kickFull = false;
  let kickBytes = -1; // -1: no kick pending
  let stopped = false;
  const tick = (full, bytes) => {
    if (stopped) return;
    junk = null;
    collect(full);
    junk = [];
    for (let i = 0; i < 40; i++) junk.push(Buffer.alloc(512 + ((i * 7919 + ticks * 131) % 48000), (i + ticks) & 0xff));
    junk.push(Buffer.alloc(768 * 1024, 0xa5), Buffer.alloc(1280 * 1024 + (ticks % 7) * 4096, 0x5a));
    for (let left = Math.min(bytes, 32 * MiB), i = 0; left > 0; i++) {
      const n = Math.min(left, i & 1 ? 512 * 1024 : 96 * 1024);
      junk.push(Buffer.alloc(n, 0x3c ^ i));
      left -= n;
    }
  };
  const timer = setInterval(() => {
    if (++ticks > PRESSURE_MAX_TICKS) clearInterval(timer);
    else tick(ticks % PRESSURE_FULL_EVERY === 1, 0);
  }, PRESSURE_PERIOD);
  const onKick = () => {
    const [full, bytes] = [kickFull, kickBytes];
    kickFull = false;
    kickBytes = -1;
    tick(full, bytes);
  };
  return {
    get ticks() { return ticks + kicks; },
    kick(bytes, full = bytes >= 256 * 1024) {
      if (kicks >= PRESSURE_MAX_KICKS) return;
      if (kickBytes < 0) setImmediate(onKick);
      kickBytes = Math.max(kickBytes, bytes);
      kickFull ||= full;
      kicks++;
    },
    stop() {
      stopped = true;
      clearInterval(timer);
      junk = null;
    },
  };
}
let pressure = null; // the running case's

// ---- seeded randomness ------------------------------------------------------------------------

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

function rng(seed) {
  const u32 = mulberry32(seed);
  const float = () => u32() / 2 ** 32;
  const int = (lo, hi) => lo + Math.floor(float() * (hi - lo + 1)); // inclusive
  return {
    u32, float, int,
    chance: (p) => float() < p,
    pick: (list) => list[Math.floor(float() * list.length)],
    /** Log-uniform in [lo, hi]: small sizes as likely as large ones. */
    size: (lo, hi) => Math.min(hi, Math.max(lo, Math.round(Math.exp(Math.log(lo) + float() * (Math.log(hi) - Math.log(lo)))))),
  };
}

/** Draws from `items` in shuffled rounds, so every item comes up once per round. */
function deck(r, items) {
  let left = [];
  return () => {
    if (left.length === 0) {
      left = [...items];
      for (let i = left.length - 1; i > 0; i--) {
        const j = r.int(0, i);
        [left[i], left[j]] = [left[j], left[i]];
      }
    }
    return left.pop();
  };
}

function fillRandom(u8, seed) {
  const next = mulberry32(seed);
  const n = u8.length;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const x = next();
    u8[i] = x;
    u8[i + 1] = x >>> 8;
    u8[i + 2] = x >>> 16;
    u8[i + 3] = x >>> 24;
  }
  for (; i < n; i++) u8[i] = next();
  return u8;
}

const randomBytes = (n, seed) => fillRandom(Buffer.allocUnsafe(n), seed);

/** Exactly n bytes of valid UTF-8: about half ASCII, the rest 2-, 3- and 4-byte characters. */
function utf8Bytes(n, seed) {
  const b = randomBytes(n, seed);
  for (let i = 0; i < n;) {
    const r = b[i];
    let len = r < 128 ? 1 : r < 176 ? 2 : r < 224 ? 3 : 4;
    if (len > n - i) len = n - i;
    if (len === 1) b[i] = r & 0x7f;
    else if (len === 2) b[i] = 0xc2 + (r % 30); // C2..DF
    else if (len === 3) b[i] = 0xe1 + (r % 12); // E1..EC: no surrogates, no overlongs
    else b[i] = 0xf1 + (r % 3); // F1..F3: astral, a surrogate pair in the JS string
    for (let k = 1; k < len; k++) b[i + k] = 0x80 | (b[i + k] & 0x3f);
    i += len;
  }
  return b;
}

// ---- payloads ---------------------------------------------------------------------------------

// Every encoding name Node accepts for strings (aliases and case variants included).
const ENCODINGS = ['utf8', 'utf-8', 'UTF-8', 'latin1', 'binary', 'Latin1', 'ascii', 'hex', 'HEX', 'base64', 'base64url',
  'ucs2', 'ucs-2', 'utf16le', 'utf-16le', 'UTF16LE'];
// Strings twice: the path that lost bytes (the core encodes them into Buffers only it references).
const KINDS = ['buffer', 'u8view', 'string', 'string'];

/** A string whose encoding in `enc` is (about: utf16le rounds to even) n bytes. */
function makeString(enc, n, seed, upper) {
  switch (enc.toLowerCase().replace('-', '')) {
    case 'utf8': return utf8Bytes(n, seed).toString('utf8');
    case 'latin1': case 'binary': return randomBytes(n, seed).toString('latin1');
    case 'ascii': {
      const b = randomBytes(n, seed);
      for (let i = 0; i < n; i++) b[i] &= 0x7f;
      return b.toString('latin1');
    }
    case 'hex': {
      const s = randomBytes(n, seed).toString('hex');
      return upper ? s.toUpperCase() : s;
    }
    case 'base64': return randomBytes(n, seed).toString('base64');
    case 'base64url': return randomBytes(n, seed).toString('base64url');
    case 'ucs2': case 'utf16le': return randomBytes(Math.max(2, n & ~1), seed).toString('utf16le');
    default: throw new Error(`no generator for ${enc}`);
  }
}

// Known deviations of a runtime's own node:net, worked around in that column only (and printed):
// Bun 1.4's socket.write(str, 'utf-16le') sends UTF-8 (it knows 'utf16le' and 'UTF16LE', not that alias).
const ALIAS = env.impl === 'builtin' && env.runtime === 'bun' ? { 'utf-16le': 'utf16le' } : {};
for (const [from, to] of Object.entries(ALIAS)) {
  console.log(`# note: ${env.runtime}'s own node:net mis-encodes '${from}'; written as '${to}' (same bytes) in this column`);
}

/** What a piece descriptor stands for, made only when it is written: { data, enc, bytes }. */
function materialize(p) {
  if (p.kind === 'buffer') {
    // allocUnsafe: small ones come from the shared pool (a non-zero offset into a shared ArrayBuffer).
    const data = randomBytes(p.size, p.seed);
    return { data, enc: undefined, bytes: data };
  }
  if (p.kind === 'u8view') {
    const ab = new ArrayBuffer(p.off + p.size + 64);
    fillRandom(new Uint8Array(ab), p.seed); // bytes outside the view differ too
    const data = new Uint8Array(ab, p.off, p.size);
    return { data, enc: undefined, bytes: data };
  }
  const data = makeString(p.enc, p.size, p.seed, p.upper);
  return { data, enc: ALIAS[p.enc] ?? p.enc, bytes: Buffer.from(data, p.enc) };
}

const describe = (p) => (p.kind === 'string' ? p.enc : p.kind);

// ---- sizes ------------------------------------------------------------------------------------

function sysctl(path, index, fallback) {
  try {
    const n = Number(readFileSync(path, 'utf8').trim().split(/\s+/)[index]);
    return n > 0 ? n : fallback;
  } catch {
    return fallback;
  }
}
const KiB = 1024;
const MiB = 1024 * KiB;
// The OS socket buffer sizes: TCP's default send and receive buffers, and the core default.
const SOCKBUF = [...new Set([
  sysctl('/proc/sys/net/ipv4/tcp_wmem', 1, 16 * KiB),
  sysctl('/proc/sys/net/ipv4/tcp_rmem', 1, 128 * KiB),
  sysctl('/proc/sys/net/core/wmem_default', 0, 208 * KiB),
])];
const EDGE_SIZES = [...new Set([1, 2, 3, 4095, 4096, 4097, 64 * KiB - 1, 64 * KiB, 64 * KiB + 1,
  ...SOCKBUF.flatMap((n) => [n - 1, n, n + 1])])].sort((a, b) => a - b);

// ---- the mix ----------------------------------------------------------------------------------

/**
 * A case: { id, mode, dir ('c2s' | 's2c'), seed, slow (reader pauses), and plans }. A plan is a list of
 * steps for one writer: write / cork / uncork / uncork-tick / wait / end (with or without data).
 */
function buildCases(seed) {
  const r = rng(seed);
  const kinds = deck(r, KINDS);
  const encs = deck(r, ENCODINGS);
  const piece = (size) => {
    const kind = kinds();
    return { kind, enc: kind === 'string' ? encs() : undefined, size: Math.max(1, size), seed: r.u32(), off: r.int(1, 4096), upper: r.chance(0.5) };
  };
  const write = (size, drain = false) => ({ op: 'write', piece: piece(size), drain });
  const end = (size) => ({ op: 'end', piece: size ? piece(size) : null });
  const dirs = deck(r, ['c2s', 's2c']);

  // 4-6 MiB in one write first: more than loopback's kernel buffers take at once (~3.7 MiB on a fresh
  // connection), so the writes after it wait in the stream and then in the adapter, where a buffer
  // nothing else references can be collected before the OS has read it.
  const prefill = () => write(r.int(4 * MiB, 6 * MiB));
  /** Random mix of writes, cork batches and waits, about `total` bytes in pieces up to `max`. */
  const mixed = (total, max, { waits = 0.1, drain = r.chance(0.5), cork = 0.2, ending = r.pick(['end', 'end-data']), fill = r.chance(0.5) } = {}) => {
    const steps = fill ? [prefill()] : [];
    for (let sent = 0; sent < total;) {
      if (r.chance(cork)) {
        steps.push({ op: 'cork' });
        for (let k = r.int(2, 16); k > 0 && sent < total; k--) {
          const n = r.size(1, max);
          steps.push(write(n));
          sent += n;
        }
        steps.push({ op: r.chance(0.5) ? 'uncork' : 'uncork-tick' });
      } else {
        const n = r.size(1, max);
        steps.push(write(n, drain));
        sent += n;
      }
      if (r.chance(waits)) steps.push({ op: 'wait', ms: r.int(0, 2) });
    }
    steps.push(ending === 'end' ? end(0) : end(r.size(1, max)));
    return steps;
  };

  const cases = [];
  const add = (mode, dir, fields) => cases.push({ id: cases.length + 1, mode, dir, seed: r.u32(), slow: false, ...fields });

  // One write (or end(data)) of each size around 4 KiB, 64 KiB and the socket buffer sizes.
  for (const size of EDGE_SIZES) {
    const mode = r.pick(['single', 'end']);
    add(mode, dirs(), { plan: mode === 'single' ? [write(size), end(0)] : [end(size)] });
  }
  // At least 16 MiB in one go, a string in normal mode (a 10 MB end(str) failed with EFAULT).
  const big = (kind, mode) => {
    const p = piece(16 * MiB + r.int(0, 64 * KiB));
    if (kind === 'string' && p.kind !== 'string') Object.assign(p, { kind: 'string', enc: encs() });
    else if (kind !== 'string') Object.assign(p, { kind, enc: undefined });
    add(`${mode}-16M`, dirs(), { plan: mode === 'end' ? [{ op: 'end', piece: p }] : [{ op: 'write', piece: p, drain: false }, end(0)] });
  };
  big('string', r.pick(['single', 'end']));
  if (LONG) {
    big('buffer', 'single');
    big('u8view', 'end');
    big('string', 'end');
  }
  for (const dir of ['c2s', 's2c']) {
    // Many small writes.
    add('many', dir, { plan: mixed(LONG ? 2 * MiB : 256 * KiB, 2 * KiB, { cork: 0, drain: false, waits: 0.03 }) });
    // cork/uncork batches: the writev path.
    const steps = [prefill()];
    for (let b = LONG ? 40 : 8; b > 0; b--) {
      steps.push({ op: 'cork' });
      for (let k = r.int(2, 24); k > 0; k--) steps.push(write(r.size(1, 128 * KiB)));
      steps.push({ op: r.chance(0.5) ? 'uncork' : 'uncork-tick' });
      if (r.chance(0.5)) steps.push({ op: 'wait', ms: r.int(0, 2) });
    }
    steps.push(r.chance(0.5) ? end(0) : end(r.size(1, 256 * KiB)));
    add('cork', dir, { plan: steps });
    // end(data) after some writes.
    add('end', dir, { plan: [...mixed(r.size(1, 512 * KiB), 64 * KiB, { ending: 'end' }).slice(0, -1), end(r.size(64 * KiB, LONG ? 8 * MiB : MiB))] });
    // A slow reader (pauses and resumes): backpressure, with and without waiting for 'drain'.
    add('slow', dir, { slow: true, plan: mixed(LONG ? 16 * MiB : 2 * MiB, 256 * KiB, { drain: dir === 'c2s', fill: true }) });
    // Half-close with allowHalfOpen: the side that ended first still receives, both ways carry data.
    add('halfopen', dir, {
      first: mixed(r.size(1, 512 * KiB), 64 * KiB),
      second: mixed(r.size(1, 512 * KiB), 64 * KiB, { ending: 'none' }).slice(0, -1),
      after: mixed(r.size(1, LONG ? 4 * MiB : 512 * KiB), 64 * KiB),
    });
  }
  // Writes (cork batches and end included) issued before 'connect': client to server only.
  add('preconnect', 'c2s', { plan: mixed(r.size(1, 512 * KiB), 64 * KiB, { waits: 0, drain: false, ending: 'end-data' }) });
  add('preconnect', 'c2s', { plan: [...mixed(r.size(1, 256 * KiB), 16 * KiB, { waits: 0, drain: false }).slice(0, -1), end(0)] });
  // Anything goes.
  for (let n = LONG ? 40 : 4; n > 0; n--) {
    add('mixed', dirs(), { slow: r.chance(0.4), plan: mixed(r.size(1, LONG ? 8 * MiB : MiB), r.pick([1 * KiB, 64 * KiB, 512 * KiB])) });
  }
  return cases;
}

// ---- running one case -------------------------------------------------------------------------

const CASE_TIMEOUT = LONG ? 120_000 : 20_000;
const KEEP_BUDGET = 2 * MiB; // received chunks kept per side, with copies, to check nothing changes them later
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const immediate = () => new Promise((r) => setImmediate(r));

/** Everything one end of the connection saw and sent. */
function watch(name, sock, problems, r) {
  const s = {
    name, sock, closed: false, ended: false,
    tx: createHash('sha256'), txBytes: 0, writes: 0, writesWhileConnecting: 0, kinds: new Set(),
    rx: createHash('sha256'), rxBytes: 0, rxAfterOwnEnd: 0,
    kept: [], keptBytes: 0, kicks: 0, onData: null, onEnd: null, bytesWritten: undefined, bytesRead: undefined,
  };
  sock.on('data', (chunk) => {
    if (s.closed) problems.push(`${name}: 'data' after 'close'`);
    s.rx.update(chunk);
    s.rxBytes += chunk.length;
    // Collect every 512 KiB received: the writer's next writes are in flight now (a full collection
    // every 8th time).
    if (s.rxBytes >>> 19 !== (s.rxBytes - chunk.length) >>> 19) pressure?.kick(2 * MiB, ++s.kicks % 8 === 0);
    if (sock.writableEnded) s.rxAfterOwnEnd += chunk.length;
    if (s.keptBytes + chunk.length <= KEEP_BUDGET && (s.kept.length < 4 || r.chance(0.2))) {
      s.kept.push([chunk, Buffer.from(chunk)]);
      s.keptBytes += chunk.length;
    }
    s.onData?.(chunk);
  });
  sock.on('end', () => {
    s.ended = true;
    s.onEnd?.();
  });
  sock.on('error', (err) => problems.push(`${name}: 'error' ${err?.code ?? ''} ${err?.message ?? err}`));
  sock.on('close', () => {
    s.closed = true;
    s.bytesWritten = sock.bytesWritten;
    s.bytesRead = sock.bytesRead;
  });
  return s;
}

/**
 * Write one piece. Nothing made here outlives this call except what the socket itself holds: the
 * expected bytes are hashed (for a string: Buffer.from(str, enc), made before writing) and dropped.
 */
function send(s, piece, ending) {
  const { data, enc, bytes } = materialize(piece);
  s.tx.update(bytes);
  s.txBytes += bytes.length;
  s.writes++;
  s.kinds.add(describe(piece));
  if (s.sock.connecting) s.writesWhileConnecting++;
  if (ending) {
    if (enc) s.sock.end(data, enc);
    else s.sock.end(data);
    pressure?.kick(bytes.length);
    return true;
  }
  const ok = enc ? s.sock.write(data, enc) : s.sock.write(data);
  pressure?.kick(bytes.length);
  return ok;
}

const drained = (sock) => new Promise((resolve) => {
  const go = () => {
    sock.off('drain', go);
    sock.off('close', go);
    resolve();
  };
  sock.on('drain', go);
  sock.on('close', go);
});

async function runPlan(s, plan) {
  const sock = s.sock;
  for (const step of plan) {
    if (sock.destroyed) return;
    switch (step.op) {
      case 'write':
        if (!send(s, step.piece, false) && step.drain) await drained(sock);
        break;
      case 'end':
        if (step.piece) send(s, step.piece, true);
        else sock.end();
        break;
      case 'cork': sock.cork(); break;
      case 'uncork': sock.uncork(); break;
      case 'uncork-tick': process.nextTick(() => sock.uncork()); break;
      case 'wait': await (step.ms ? sleep(step.ms) : immediate()); break;
      default: throw new Error(`unknown step ${step.op}`);
    }
  }
}

/**
 * The reader starts paused and pauses now and then, for up to ~12 ms: the writer meets backpressure,
 * its writes stay pending, and each pause collects (a full collection every third time).
 */
function slowReader(s, r) {
  let pauses = 0;
  const max = LONG ? 200 : 16;
  const pause = () => {
    pauses++;
    s.sock.pause();
    pressure?.kick(4 * MiB, pauses % 3 === 1);
    setTimeout(() => s.sock.resume(), r.int(1, 12));
  };
  pause();
  s.onData = () => {
    if (pauses < max && r.chance(0.2)) pause();
  };
}

function runCase(c) {
  const r = rng(c.seed);
  const problems = [];
  const halfOpen = c.mode === 'halfopen';
  const started = Date.now();
  pressure = startPressure();
  return new Promise((resolve) => {
    const sides = {};
    let serverClosed = false;
    let settled = false;
    const server = net.createServer({ allowHalfOpen: halfOpen });
    const fail = (what) => (err) => problems.push(`${what}: ${err?.stack ?? err}`);

    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      pressure.stop();
      const ticks = pressure.ticks;
      pressure = null;
      verify(c, sides, problems);
      resolve({ problems, ms: Date.now() - started, sides, ticks });
    };
    const maybeDone = () => {
      if (serverClosed && sides.client?.closed && sides.server?.closed) finish();
    };
    const timer = setTimeout(() => {
      const state = ['client', 'server'].map((n) => {
        const s = sides[n];
        return s ? `${n}: sent ${s.txBytes}, received ${s.rxBytes}, ended ${s.ended}, closed ${s.closed}` : `${n}: none`;
      }).join('; ');
      problems.push(`timed out after ${CASE_TIMEOUT} ms (${state}; server closed ${serverClosed})`);
      sides.client?.sock.destroy();
      sides.server?.sock.destroy();
      server.close();
      finish();
    }, CASE_TIMEOUT);

    // Who writes what: the writer of c.dir, or for half-open both (`first` ends, then the other
    // end, having seen that FIN, sends `after` and ends too).
    const roles = (s) => {
      s.sock.on('close', maybeDone);
      const writer = c.dir === 'c2s' ? 'client' : 'server';
      if (!halfOpen) {
        if (s.name === writer) return () => runPlan(s, c.plan).catch(fail(`${s.name} writer`));
        if (c.slow) slowReader(s, r);
        return null;
      }
      if (s.name === writer) return () => runPlan(s, c.first).catch(fail(`${s.name} writer`));
      const sawEnd = new Promise((resolve) => { s.onEnd = resolve; });
      return () => runPlan(s, c.second).then(() => sawEnd).then(() => {
        s.afterStart = s.txBytes;
        return runPlan(s, c.after);
      }).catch(fail(`${s.name} writer`));
    };

    server.on('error', fail('server \'error\''));
    server.on('close', () => {
      serverClosed = true;
      maybeDone();
    });
    server.on('connection', (sock) => {
      server.close(); // one connection per case; 'close' once it is gone too
      const s = sides.server = watch('server', sock, problems, r);
      roles(s)?.();
    });
    server.listen(0, '127.0.0.1', () => {
      const sock = net.connect({ port: server.address().port, host: '127.0.0.1', allowHalfOpen: halfOpen });
      const s = sides.client = watch('client', sock, problems, r);
      const run = roles(s);
      if (c.mode === 'preconnect') run();
      else if (run) sock.once('connect', run);
    });
  });
}

function verify(c, sides, problems) {
  const { client, server } = sides;
  if (!client || !server) {
    problems.push(`no connection (client ${!!client}, server ${!!server})`);
    return;
  }
  for (const [w, rd] of [[client, server], [server, client]]) {
    const route = `${w.name}→${rd.name}`;
    if (w.txBytes !== rd.rxBytes) problems.push(`${route}: ${w.txBytes} bytes sent, ${rd.rxBytes} received`);
    const sent = w.tx.digest('hex');
    const got = rd.rx.digest('hex');
    if (sent !== got) problems.push(`${route}: sha256 mismatch, sent ${sent.slice(0, 16)}…, received ${got.slice(0, 16)}…`);
  }
  for (const s of [client, server]) {
    if (s.bytesWritten !== s.txBytes) problems.push(`${s.name}.bytesWritten is ${s.bytesWritten}, ${s.txBytes} written`);
    if (s.bytesRead !== s.rxBytes) problems.push(`${s.name}.bytesRead is ${s.bytesRead}, ${s.rxBytes} received`);
    if (!s.ended) problems.push(`${s.name}: 'close' without 'end'`);
    const changed = s.kept.filter(([chunk, copy]) => !copy.equals(chunk)).length;
    if (changed) problems.push(`${s.name}: ${changed} of ${s.kept.length} received chunks changed after 'data'`);
  }
  if (c.mode === 'preconnect' && client.writesWhileConnecting === 0) problems.push('no write was issued before \'connect\'');
  if (c.mode === 'halfopen') {
    const first = c.dir === 'c2s' ? client : server;
    const second = first === client ? server : client;
    const after = second.txBytes - (second.afterStart ?? second.txBytes);
    if (first.rxAfterOwnEnd < after) problems.push(`${first.name} received ${first.rxAfterOwnEnd} bytes after its end(), the peer sent ${after} after seeing it`);
  }
}

// ---- main -------------------------------------------------------------------------------------

const mb = (n) => (n >= MiB ? `${(n / MiB).toFixed(1)} MiB` : n >= KiB ? `${(n / KiB).toFixed(1)} KiB` : `${n} B`);
const all = buildCases(SEED);
const cases = ONLY ? all.filter((c) => ONLY.includes(c.id)) : all;
let passed = 0;
let failed = 0;
const t0 = Date.now();
process.on('uncaughtException', (err) => {
  console.log(`FAIL uncaught exception [seed ${SEED}]: ${err?.stack ?? err}`);
  console.log(`${passed} passed, ${failed + 1} failed`);
  process.exit(1);
});

for (const c of cases) {
  const { problems, ms, sides } = await runCase(c);
  const writers = [sides.client, sides.server].filter((s) => s?.writes);
  const writes = writers.reduce((n, s) => n + s.writes, 0);
  const bytes = writers.reduce((n, s) => n + s.txBytes, 0);
  const kindList = [...new Set(writers.flatMap((s) => [...s.kinds]))];
  const kinds = kindList.length > 5 ? `${kindList.slice(0, 4).join(',')} +${kindList.length - 4} more` : kindList.join(',');
  const what = `${String(c.id).padStart(2)} ${c.dir} ${c.mode}${c.slow ? ' (slow reader)' : ''}: ${writes} writes, ${mb(bytes)} [${kinds}] ${ms} ms`;
  if (problems.length === 0) {
    passed++;
    console.log(`ok   ${what}`);
  } else {
    failed++;
    console.log(`FAIL ${what} [seed ${SEED}, case ${c.id}]`);
    for (const p of problems.slice(0, 8)) console.log(`       ${p}`);
  }
}

console.log(`# ${column}: ${((Date.now() - t0) / 1000).toFixed(1)} s, seed ${SEED}`);
if (failed) {
  const cmd = env.runtime === 'deno' ? 'deno run -A --v8-flags=--expose-gc' : env.runtime === 'bun' ? 'bun' : 'node --expose-gc';
  const impl = env.impl === 'builtin' ? 'builtin' : env.adapter !== 'auto' ? `crossnet+${env.adapter}` : 'crossnet';
  console.log(`# replay: CROSSNET_IMPL=${impl} ${cmd} test/integrity.mjs --seed ${SEED}${LONG ? ' --long' : ''}`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
// Everything is closed by now, so the process ends on its own; if a handle was left open, say so.
setTimeout(() => {
  console.error(`integrity: the process did not exit 3 s after its last case (a handle left open) [seed ${SEED}]`);
  process.exit(1);
}, 3000).unref();
