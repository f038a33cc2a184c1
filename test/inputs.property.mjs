// Property test: wrong inputs through every public entry point of crossnet's net, on the runtime
// that runs this file. Generated (fast-check, seeded) cases feed values of every type (arrays,
// objects, symbols, bigints, NaN, huge numbers, strings with NUL, functions, ...) as options and
// arguments of connect/createConnection/Socket#connect, createServer/listen, a custom lookup's
// answers, setTimeout/setNoDelay/setKeepAlive/setTypeOfService, BlockList, SocketAddress, isIP and
// the autoSelectFamily defaults. Each case must leave the process alive and end in a Node-shaped
// error (TypeError/RangeError/Error with an ERR_* or system error code) if it fails at all, and,
// where the newest Node gives a Node-shaped answer itself, in the same outcome and code as Node.
//
// Node's outcomes come from the reference Node (conformance/runtimes.mjs, or this Node when it is
// 24 or newer) running this file with --reference over the same cases in a child process, which is
// restarted after a case that kills it (some inputs abort Node itself). Node's own crashes and
// code-less TypeErrors are reported as such, not compared.
//
//   node test/inputs.property.mjs                       (after npm run build)
//   CROSSNET_ADAPTER=node-net node test/inputs.property.mjs
//   deno run -A test/inputs.property.mjs
//   bun test/inputs.property.mjs
// PROPERTY_SEED / PROPERTY_RUNS replay or lengthen a run; PROPERTY_VERBOSE=1 prints each case.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import fc from 'fast-check';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const SEED = Number(process.env.PROPERTY_SEED ?? 20240611);
const RUNS = Number(process.env.PROPERTY_RUNS ?? 600);
const VERBOSE = process.env.PROPERTY_VERBOSE === '1';
const CASE_LIMIT_MS = 800;
const runtime = typeof globalThis.Deno !== 'undefined' ? 'deno' : typeof globalThis.Bun !== 'undefined' ? 'bun' : 'node';
const referenceMode = process.argv.includes('--reference');

// ---- values, as JSON descriptors (so the reference child builds the very same inputs) ----

const SHORT_PATH = join(tmpdir(), `crossnet-prop-missing-${process.pid}.sock`);
const LONG_PATH = join(tmpdir(), 'crossnet-prop-'.padEnd(150, 'L'));

/** Values of every type, mostly wrong for whatever takes them. */
const wrong = fc.oneof(
  fc.constantFrom(
    { t: 'undef' }, { t: 'null' }, { t: 'bool', v: true }, { t: 'bool', v: false },
    { t: 'num', v: 'NaN' }, { t: 'num', v: 'Infinity' }, { t: 'num', v: '-Infinity' }, { t: 'num', v: '-0' },
    { t: 'num', v: -1 }, { t: 'num', v: 1.5 }, { t: 'num', v: 2 ** 31 }, { t: 'num', v: 2 ** 53 }, { t: 'num', v: 1e21 },
    { t: 'num', v: 65536 }, { t: 'num', v: -(2 ** 31) - 1 },
    { t: 'big', v: '5' }, { t: 'big', v: '-1' }, { t: 'big', v: '18446744073709551617' },
    { t: 'sym', v: 'x' }, { t: 'fn' }, { t: 'date' }, { t: 'map' }, { t: 'regexp' }, { t: 'nullproto' },
    { t: 'str', v: '' }, { t: 'str', v: ' ' }, { t: 'str', v: 'abc' }, { t: 'str', v: '\0' }, { t: 'str', v: 'a\0b' },
    { t: 'str', v: '127.0.0.1\0' }, { t: 'str', v: '-1' }, { t: 'str', v: '1e3' }, { t: 'str', v: '0x10' }, { t: 'str', v: '65536' },
    { t: 'str', v: '\uD800' }, { t: 'str', v: 'x'.repeat(300) },
    { t: 'arr', v: [] }, { t: 'arr', v: [{ t: 'str', v: '127.0.0.1' }] }, { t: 'arr', v: [{ t: 'num', v: 80 }] },
    { t: 'obj', v: {} }, { t: 'obj', v: { valueOf: { t: 'fn5' } } }, { t: 'obj', v: { toString: { t: 'fnstr' } } },
    { t: 'throwing' },
  ),
  fc.integer({ min: -70000, max: 70000 }).map((v) => ({ t: 'num', v })),
  fc.string({ maxLength: 8 }).map((v) => ({ t: 'str', v })),
);

const C = (values) => fc.constantFrom(...values);
/** `wrong`, except that no small integer may name a descriptor this process uses (stdio above all). */
const notAnFd = wrong.map((d) => (d.t === 'num' && Number.isInteger(d.v) && d.v >= 0 && d.v < 1024 ? { t: 'num', v: d.v + 100000 } : d));
const num = (v) => ({ t: 'num', v });
const str = (v) => ({ t: 'str', v });

/** A value for a key: usually a right one, often a wrong one. */
const either = (right) => fc.oneof({ weight: 2, arbitrary: right }, { weight: 3, arbitrary: wrong });

const HOSTS = C([str('127.0.0.1'), str('::1'), str('localhost'), str('nonexistent-prop.invalid'), str(''), str('local\0host'), str('::ffff:127.0.0.1')]);
const PORTS = C([num(9), num(0), num(1), num(65535), str('9'), str('0')]);
const PATHS = C([str(SHORT_PATH), str(LONG_PATH), str(`${SHORT_PATH}\0x`), str('\0crossnet-prop-abstract')]);
const FAMILIES = C([num(0), num(4), num(6), str('IPv4'), str('IPv6'), num(5), str('4')]);
const LOOKUP_ADDRESSES = C([str('127.0.0.1'), str('::1'), str('not-an-ip'), str('127.0.0.1\0'), { t: 'arr', v: [str('127.0.0.1')] }, num(5), { t: 'undef' }, { t: 'obj', v: {} }]);
const LOOKUP_FAMILIES = C([num(4), num(6), num(100), str('4'), str('IPv4'), { t: 'undef' }, { t: 'big', v: '4' }, { t: 'sym', v: 'f' }]);

const lookupEntry = fc.oneof(
  fc.record({ address: either(LOOKUP_ADDRESSES), family: either(LOOKUP_FAMILIES) }).map((o) => ({ t: 'obj', v: o })),
  wrong,
);
/** A custom lookup's behaviour: what it calls back with, when, and how often. */
const lookupFn = fc.record({
  mode: C(['sync', 'async', 'async', 'twice', 'throw']),
  err: fc.oneof({ weight: 5, arbitrary: C([{ t: 'null' }]) }, { weight: 1, arbitrary: C([{ t: 'error', v: 'ENOTFOUND' }, { t: 'str', v: 'oops' }, { t: 'undef' }]) }),
  address: fc.oneof(either(LOOKUP_ADDRESSES), fc.array(lookupEntry, { maxLength: 3 }).map((v) => ({ t: 'arr', v }))),
  family: either(LOOKUP_FAMILIES),
}).map((v) => ({ t: 'lookup', v }));

/** An options object with a few of `shape`'s keys (a handful, so that later checks get reached too). */
function optionsOf(shape, maxKeys = 4) {
  return fc.uniqueArray(fc.constantFrom(...Object.keys(shape)), { maxLength: maxKeys })
    .chain((keys) => fc.record(Object.fromEntries(keys.map((k) => [k, shape[k]]))))
    .map((v) => ({ t: 'obj', v }));
}

const connectOptions = optionsOf({
  port: either(PORTS), host: either(HOSTS), path: either(PATHS), family: either(FAMILIES), hints: wrong,
  localAddress: either(C([str('127.0.0.1'), str('::1')])), localPort: wrong,
  lookup: fc.oneof(lookupFn, wrong), autoSelectFamily: either(C([{ t: 'bool', v: true }, { t: 'bool', v: false }])),
  autoSelectFamilyAttemptTimeout: either(C([num(10), num(250)])), timeout: wrong,
  keepAlive: wrong, keepAliveInitialDelay: wrong, noDelay: wrong, allowHalfOpen: wrong,
  signal: wrong, blockList: wrong, onread: wrong, fd: notAnFd, typeOfService: wrong,
  objectMode: wrong, readableObjectMode: wrong, writableObjectMode: wrong,
  highWaterMark: wrong, readable: wrong, writable: wrong,
});
const serverOptions = optionsOf({
  allowHalfOpen: wrong, pauseOnConnect: wrong, noDelay: wrong, keepAlive: wrong, keepAliveInitialDelay: wrong,
  highWaterMark: wrong, blockList: wrong,
});
const listenOptions = optionsOf({
  port: either(PORTS), host: either(C([str('127.0.0.1'), str('::1'), str('localhost'), str('nonexistent-prop.invalid'), str('0.0.0.0')])),
  path: either(PATHS), backlog: wrong, exclusive: wrong, ipv6Only: wrong, reusePort: wrong,
  readableAll: wrong, writableAll: wrong, signal: wrong, fd: notAnFd,
});
const socketAddressOptions = optionsOf({
  address: either(C([str('127.0.0.1'), str('::1'), str('fe80::1%1')])), port: either(PORTS),
  family: either(C([str('ipv4'), str('ipv6'), str('IPV6')])), flowlabel: wrong,
});
const args = (n) => fc.array(fc.oneof(wrong, PORTS, HOSTS, PATHS, C([{ t: 'cb' }])), { maxLength: n });

const BLOCKLIST_METHODS = ['addAddress', 'addRange', 'addSubnet', 'check', 'addAddresses', 'addCIDR', 'removeAddress', 'fromJSON'];
const blockListArg = fc.oneof(wrong, C([str('127.0.0.1'), str('::1'), str('ipv4'), str('ipv6'), str('10.0.0.0/8'), num(8), num(24), num(129),
  { t: 'sockaddr' }, { t: 'arr', v: [str('1.2.3.4')] }]));

const caseArb = fc.oneof(
  { weight: 6, arbitrary: fc.record({ entry: C(['connect', 'createConnection', 'Socket#connect']), args: fc.tuple(connectOptions) }) },
  { weight: 3, arbitrary: fc.record({ entry: C(['connect', 'Socket#connect']), args: args(3) }) },
  { weight: 2, arbitrary: fc.record({ entry: C(['new Socket']), args: fc.tuple(fc.oneof(connectOptions, notAnFd)) }) },
  { weight: 2, arbitrary: fc.record({ entry: C(['createServer']), args: fc.tuple(fc.oneof(serverOptions, wrong), fc.oneof(wrong, C([{ t: 'cb' }]))) }) },
  { weight: 4, arbitrary: fc.record({ entry: C(['listen']), args: fc.tuple(listenOptions) }) },
  { weight: 2, arbitrary: fc.record({ entry: C(['listen']), args: args(4) }) },
  { weight: 3, arbitrary: fc.record({ entry: C(['setTimeout', 'setNoDelay', 'setKeepAlive', 'setTypeOfService']), args: fc.array(fc.oneof(wrong, C([{ t: 'cb' }])), { maxLength: 2 }) }) },
  { weight: 3, arbitrary: fc.record({ entry: C(BLOCKLIST_METHODS.map((m) => `BlockList#${m}`)), args: fc.array(blockListArg, { maxLength: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ entry: C(['new SocketAddress']), args: fc.tuple(fc.oneof(socketAddressOptions, wrong)) }) },
  { weight: 1, arbitrary: fc.record({ entry: C(['SocketAddress.parse']), args: fc.tuple(wrong) }) },
  { weight: 2, arbitrary: fc.record({ entry: C(['isIP', 'isIPv4', 'isIPv6']), args: fc.tuple(wrong) }) },
  { weight: 1, arbitrary: fc.record({ entry: C(['setDefaultAutoSelectFamily', 'setDefaultAutoSelectFamilyAttemptTimeout']), args: fc.tuple(wrong) }) },
);

// ---- building a case's values (also in the reference child, with node:net) ----

class Probe {
  constructor(net) {
    this.net = net;
    this.thrownByUser = new Set();
    this.userValues = new Set();
  }

  make(d) {
    switch (d.t) {
      case 'undef': return undefined;
      case 'null': return null;
      case 'bool': return d.v;
      case 'num': return typeof d.v === 'string' ? Number(d.v) : d.v;
      case 'str': return d.v;
      case 'big': return BigInt(d.v);
      case 'sym': return Symbol(d.v);
      case 'fn': return function userFunction() {};
      case 'fn5': return () => 5;
      case 'fnstr': return () => '127.0.0.1';
      case 'cb': return () => {};
      case 'date': return new Date(0);
      case 'map': return new Map();
      case 'regexp': return /x/;
      case 'nullproto': return Object.create(null);
      case 'arr': return d.v.map((x) => this.make(x));
      case 'obj': return Object.fromEntries(Object.entries(d.v).map(([k, x]) => [k, this.make(x)]));
      case 'sockaddr': return new this.net.SocketAddress({ address: '127.0.0.1' });
      case 'error': {
        const err = Object.assign(new Error(`lookup failed: ${d.v}`), { code: d.v });
        this.userValues.add(err);
        return err;
      }
      case 'throwing': {
        const thrower = new Error('from a user getter');
        this.thrownByUser.add(thrower);
        return { toString() { throw thrower; }, valueOf() { throw thrower; } };
      }
      case 'lookup': return this.lookup(d.v);
      default: throw new Error(`unknown descriptor ${d.t}`);
    }
  }

  lookup({ mode, err, address, family }) {
    const thrower = new Error('from the user lookup');
    this.thrownByUser.add(thrower);
    const errValue = this.make(err);
    if (errValue !== null && errValue !== undefined) this.userValues.add(errValue);
    return (host, opts, cb) => {
      const a = this.make(address);
      const f = this.make(family);
      const call = () => cb(errValue, a, f);
      if (mode === 'throw') throw thrower;
      if (mode === 'sync') call();
      else if (mode === 'twice') { call(); setImmediate(call); } else setImmediate(call);
    };
  }
}

/** How an outcome's error looks: its class and code (and message for the report). */
function describe(err, probe) {
  if (probe.thrownByUser.has(err)) return { user: 'thrown' };
  if (probe.userValues.has(err)) return { user: 'passed' };
  if (err === null || (typeof err !== 'object' && typeof err !== 'function')) return { value: typeof err };
  let message;
  try { message = String(err.message).slice(0, 200); } catch { message = '?'; }
  return { name: err.constructor?.name, code: typeof err.code === 'string' ? err.code : undefined, message };
}

/** Run one case; resolves with { kind, ...error description }. */
async function runCase(net, c, current) {
  const probe = new Probe(net);
  const values = c.args.map((d) => probe.make(d));
  const cleanups = [];
  const defaults = [net.getDefaultAutoSelectFamily(), net.getDefaultAutoSelectFamilyAttemptTimeout()];
  let settle;
  const settled = new Promise((resolve) => { settle = resolve; });
  current.onUncaught = (err) => settle({ kind: 'uncaught', ...describe(err, probe) });
  const watch = (emitter, events) => {
    for (const e of ['error', ...events]) {
      emitter.on(e, (err) => settle(e === 'error' ? { kind: 'error', ...describe(err, probe) } : { kind: e }));
    }
  };
  try {
    const [a0] = values;
    let result;
    switch (c.entry) {
      case 'connect': result = net.connect(...values); break;
      case 'createConnection': result = net.createConnection(...values); break;
      case 'Socket#connect': {
        const s = new net.Socket();
        cleanups.push(() => s.destroy());
        s.on('error', () => {});
        result = s.connect(...values);
        break;
      }
      case 'new Socket': result = new net.Socket(a0); break;
      case 'createServer': result = net.createServer(...values); break;
      case 'listen': {
        const server = net.createServer();
        cleanups.push(() => { try { server.close(); } catch {} });
        watch(server, ['listening']);
        result = server.listen(...values);
        break;
      }
      case 'setTimeout': case 'setNoDelay': case 'setKeepAlive': case 'setTypeOfService': {
        const s = new net.Socket();
        cleanups.push(() => s.destroy());
        result = s[c.entry](...values);
        result = result === s ? 'self' : result;
        break;
      }
      case 'new SocketAddress': result = new net.SocketAddress(a0); break;
      case 'SocketAddress.parse': result = net.SocketAddress.parse(a0); break;
      case 'isIP': case 'isIPv4': case 'isIPv6': result = net[c.entry](a0); break;
      case 'setDefaultAutoSelectFamily': case 'setDefaultAutoSelectFamilyAttemptTimeout': result = net[c.entry](a0); break;
      default: {
        const method = c.entry.slice('BlockList#'.length);
        const list = new net.BlockList();
        if (typeof list[method] !== 'function') return { kind: 'absent' };
        result = list[method](...values);
        break;
      }
    }
    if (result instanceof net.Socket) {
      cleanups.push(() => result.destroy());
      watch(result, ['connect']);
    } else if (result instanceof net.Server) {
      cleanups.push(() => { try { result.close(); } catch {} });
      if (c.entry !== 'listen') settle({ kind: 'return' });
    } else {
      settle({ kind: 'return' });
    }
    const timer = setTimeout(() => settle({ kind: 'pending' }), CASE_LIMIT_MS);
    const outcome = await settled;
    clearTimeout(timer);
    return outcome;
  } catch (err) {
    return { kind: 'throw', ...describe(err, probe) };
  } finally {
    current.onUncaught = null;
    for (const f of cleanups) { try { f(); } catch {} }
    try { net.setDefaultAutoSelectFamily(defaults[0]); net.setDefaultAutoSelectFamilyAttemptTimeout(defaults[1]); } catch {}
    // Let the closes run before the next case.
    await new Promise((r) => setTimeout(r, 5));
  }
}

const SYSTEM_CODE = /^(E[A-Z0-9_]+|EAI_[A-Z]+)$/;

/** Node-shaped: one of Node's error classes with an ERR_* or system error code. */
function nodeShaped(o) {
  if (o.user) return true; // the user's own value, passed through or thrown, as on Node
  if (!['Error', 'TypeError', 'RangeError', 'AggregateError', 'AbortError'].includes(o.name)) return false;
  return typeof o.code === 'string' && (o.code.startsWith('ERR_') || SYSTEM_CODE.test(o.code) || o.code === 'ABORT_ERR');
}

const failing = (o) => o.kind === 'throw' || o.kind === 'error' || o.kind === 'uncaught';

/** Installs one uncaughtException handler for all cases; an error outside any case is kept. */
function tracker() {
  const current = { onUncaught: null, stray: [] };
  process.on('uncaughtException', (err) => {
    if (current.onUncaught) current.onUncaught(err);
    else current.stray.push(err);
  });
  process.on('unhandledRejection', (err) => current.stray.push(err));
  process.on('warning', () => {});
  return current;
}

// ---- reference mode: Node's own node:net over the cases, one JSON line each ----

if (referenceMode) {
  const net = (await import('node:net')).default;
  const file = process.argv[process.argv.indexOf('--reference') + 1];
  const from = Number(process.argv[process.argv.indexOf('--from') + 1] || 0);
  const cases = JSON.parse(readFileSync(file, 'utf8'));
  const current = tracker();
  for (let i = from; i < cases.length; i++) {
    process.stdout.write(`${JSON.stringify({ start: i })}\n`);
    const outcome = await runCase(net, cases[i], current);
    process.stdout.write(`${JSON.stringify({ i, outcome })}\n`);
  }
  process.exit(0);
}

// ---- the run ----

/** The newest reference Node (conformance/runtimes.mjs installs it on first use), else this Node if it is 24+. */
async function referenceNode() {
  const { referenceNodes, REFERENCE_NODES, referenceName } = await import('../conformance/runtimes.mjs');
  const [ref] = referenceNodes({ names: [referenceName(REFERENCE_NODES[0])], log: (line) => console.error(line) });
  if (ref) return { bin: ref.bin, version: ref.version };
  if (runtime === 'node' && Number(process.versions.node.split('.')[0]) >= 24) return { bin: process.execPath, version: process.versions.node };
  return undefined;
}

/** Node's outcomes for `cases`, restarting the child after each case that kills it. */
async function referenceOutcomes(ref, file, count) {
  const outcomes = new Array(count);
  let from = 0;
  while (from < count) {
    const lines = await new Promise((resolve) => {
      const child = spawn(ref.bin, [fileURLToPath(import.meta.url), '--reference', file, '--from', String(from)],
        { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, NODE_OPTIONS: '' } });
      let out = '';
      child.stdout.on('data', (d) => { out += d; });
      child.on('close', (code, signal) => resolve({ out, code, signal }));
    });
    let started = -1;
    for (const line of lines.out.split('\n').filter(Boolean)) {
      const msg = JSON.parse(line);
      if ('start' in msg) started = msg.start;
      else outcomes[msg.i] = msg.outcome;
    }
    if (lines.code === 0 && lines.signal === null) break;
    // The child died during case `started`: Node itself does not survive that input.
    if (started < 0 || outcomes[started]) break;
    outcomes[started] = { kind: 'crash', signal: lines.signal, code: lines.code };
    from = started + 1;
  }
  return outcomes;
}

const started = Date.now();
const mod = await import('../dist/index.mjs');
const net = mod.default ?? mod;
if (process.env.CROSSNET_ADAPTER) net.setTransport((await import(`../dist/adapters/${process.env.CROSSNET_ADAPTER}.mjs`)).transport);
const adapter = process.env.CROSSNET_ADAPTER || 'auto';

const cases = fc.sample(caseArb, { seed: SEED, numRuns: RUNS });
const work = mkdtempSync(join(tmpdir(), 'crossnet-inputs-'));
const casesFile = join(work, 'cases.json');
writeFileSync(casesFile, JSON.stringify(cases));
const ref = await referenceNode();
const expected = ref ? await referenceOutcomes(ref, casesFile, cases.length) : [];
rmSync(work, { recursive: true, force: true });

const current = tracker();
const failures = [];
const stats = { compared: 0, nodeCrashes: 0, nodeUnshaped: 0, limits: 0 };
for (let i = 0; i < cases.length; i++) {
  const c = cases[i];
  if (VERBOSE) console.log(`case ${i}: ${c.entry} ${JSON.stringify(c.args)}`);
  const got = await runCase(net, c, current);
  const want = expected[i];
  const show = () => `#${i} ${c.entry}(${c.args.map((a) => JSON.stringify(a)).join(', ')})\n      crossnet: ${inspect(got)}${want ? `\n      node ${ref.version}: ${inspect(want)}` : ''}`;
  if (got.kind === 'uncaught' && !got.user) {
    failures.push(`uncaught exception: ${show()}`);
    continue;
  }
  if (failing(got) && !nodeShaped(got)) {
    // Node's own answer for this input is no better (a code-less TypeError from a Symbol, say): same is fine.
    const same = want && failing(want) && want.name === got.name && want.code === got.code && !nodeShaped(want);
    if (!same) {
      failures.push(`not a Node-shaped error: ${show()}`);
      continue;
    }
  }
  if (!want) continue;
  if (want.kind === 'crash') { stats.nodeCrashes++; continue; }
  if ((failing(want) && !nodeShaped(want)) || want.kind === 'uncaught') { stats.nodeUnshaped++; continue; }
  if (got.code === 'ERR_CROSSNET_UNSUPPORTED') { stats.limits++; continue; }
  if (want.kind === 'absent') continue;
  stats.compared++;
  const key = (o) => `${o.kind}${o.code ? ` ${o.code}` : ''}${o.user ? ` (user value ${o.user})` : ''}`;
  if (key(got) !== key(want)) failures.push(`differs from Node: ${show()}`);
}
for (const err of current.stray) failures.push(`error outside any case: ${inspect(err).slice(0, 400)}`);

const secs = ((Date.now() - started) / 1000).toFixed(1);
for (const f of failures) console.log(`✗ ${f}`);
console.log(`${runtime} (adapter ${adapter}), seed ${SEED}, ${cases.length} cases in ${secs}s; ` +
  (ref ? `compared with Node ${ref.version}: ${stats.compared} compared, ${stats.nodeCrashes} crash Node itself, ` +
    `${stats.nodeUnshaped} give a code-less error on Node, ${stats.limits} documented crossnet limits` : 'no reference Node to compare with'));
console.log(`${cases.length - failures.length} passed, ${failures.length} failed`);
process.exit(failures.length ? 1 : 0);
