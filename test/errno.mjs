// Unit test of src/errno.ts (Node's system error table) and src/platform.ts (sun_path size, named
// pipes), checked against this platform's own values, so on macOS it checks macOS numbers:
//   node test/errno.mjs | deno run -A test/errno.mjs | bun test/errno.mjs
// The sources are loaded directly (Deno, Bun, a Node that strips types) or transpiled by
// TypeScript into a temporary folder (Node 20); the named-pipe check uses the built package.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { Buffer } from 'node:buffer';
import * as net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { pathToFileURL } from 'node:url';
import * as util from 'node:util';

const runtime = typeof globalThis.Deno !== 'undefined' ? 'deno' : typeof globalThis.Bun !== 'undefined' ? 'bun' : 'node';
const POSIX = process.platform !== 'win32';
const osErrno = os.constants.errno;
const temp = mkdtempSync(join(os.tmpdir(), 'crossnet-unit-'));

async function load(name) {
  const url = new URL(`../src/${name}.ts`, import.meta.url);
  try {
    return await import(url.href);
  } catch (err) {
    if (err?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw err;
  }
  const { default: ts } = await import('typescript');
  const js = ts.transpileModule(readFileSync(url, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const file = join(temp, `${name}.mjs`);
  writeFileSync(file, js);
  return import(pathToFileURL(file).href);
}

const { ERRNO, errnoCode, osErrnoCode } = await load('errno');
const { sunPathSize, ipcIsNamedPipe, NAMED_PIPES } = await load('platform');

let passed = 0;
let failed = 0;
const check = (cond, msg) => { if (!cond) throw new Error(msg); };
const eq = (a, b, msg) => check(a === b, `${msg}: expected ${JSON.stringify(b)}, got ${JSON.stringify(a)}`);
async function test(name, fn) {
  try {
    const note = await fn();
    passed++;
    console.log(`ok   ${name}${note ? ` (${note})` : ''}`);
  } catch (err) {
    failed++;
    console.log(`FAIL ${name}\n     ${String(err?.stack ?? err).replace(/\n/g, '\n     ')}`);
  }
}

const codes = Object.keys(ERRNO);
const systemErrorMap = typeof util.getSystemErrorMap === 'function' ? util.getSystemErrorMap() : undefined;

// Node's table on Linux (Node 24's util.getSystemErrorMap() on x64): the numbers crossnet must
// report there on every runtime. Other architectures and OSes are checked against their own values.
const LINUX = {
  EPERM: -1, ENOENT: -2, ESRCH: -3, EINTR: -4, EIO: -5, ENXIO: -6, E2BIG: -7, ENOEXEC: -8, EBADF: -9,
  EAGAIN: -11, ENOMEM: -12, EACCES: -13, EFAULT: -14, EBUSY: -16, EEXIST: -17, EXDEV: -18, ENODEV: -19,
  ENOTDIR: -20, EISDIR: -21, EINVAL: -22, ENFILE: -23, EMFILE: -24, ENOTTY: -25, ETXTBSY: -26, EFBIG: -27,
  ENOSPC: -28, ESPIPE: -29, EROFS: -30, EMLINK: -31, EPIPE: -32, ERANGE: -34, ENAMETOOLONG: -36,
  ENOSYS: -38, ENOTEMPTY: -39, ELOOP: -40, EUNATCH: -49, ENODATA: -61, ENONET: -64, EPROTO: -71,
  EOVERFLOW: -75, EILSEQ: -84, ENOTSOCK: -88, EDESTADDRREQ: -89, EMSGSIZE: -90, EPROTOTYPE: -91,
  ENOPROTOOPT: -92, EPROTONOSUPPORT: -93, ESOCKTNOSUPPORT: -94, ENOTSUP: -95, EAFNOSUPPORT: -97,
  EADDRINUSE: -98, EADDRNOTAVAIL: -99, ENETDOWN: -100, ENETUNREACH: -101, ECONNABORTED: -103,
  ECONNRESET: -104, ENOBUFS: -105, EISCONN: -106, ENOTCONN: -107, ESHUTDOWN: -108, ETIMEDOUT: -110,
  ECONNREFUSED: -111, EHOSTDOWN: -112, EHOSTUNREACH: -113, EALREADY: -114, EREMOTEIO: -121,
  ECANCELED: -125, EAI_ADDRFAMILY: -3000, EAI_AGAIN: -3001, EAI_BADFLAGS: -3002, EAI_CANCELED: -3003,
  EAI_FAIL: -3004, EAI_FAMILY: -3005, EAI_MEMORY: -3006, EAI_NODATA: -3007, EAI_NONAME: -3008,
  EAI_OVERFLOW: -3009, EAI_SERVICE: -3010, EAI_SOCKTYPE: -3011, EAI_BADHINTS: -3013, EAI_PROTOCOL: -3014,
  EFTYPE: -4028, ECHARSET: -4080, UNKNOWN: -4094, EOF: -4095,
};
// Codes the runtime gives no number for (neither its getSystemErrorMap nor os.constants.errno).
const GAPS = { deno: ['EUNATCH', 'ESOCKTNOSUPPORT'] };

await test('every entry is [negative integer errno, message]', () => {
  check(codes.length >= 80, `only ${codes.length} codes`);
  for (const c of codes) {
    const [n, msg] = ERRNO[c];
    check(Number.isInteger(n) && n < 0, `${c}: errno ${n}`);
    check(typeof msg === 'string' && msg.length > 0, `${c}: message ${msg}`);
  }
  return `${codes.length} codes`;
});

await test('numbers agree with os.constants.errno (negated, POSIX)', () => {
  if (!POSIX) return 'skipped: on Windows libuv numbers are not CRT errnos';
  let n = 0;
  for (const [name, value] of Object.entries(osErrno)) {
    if (!(name in ERRNO)) continue;
    eq(ERRNO[name][0], -value, name);
    n++;
  }
  check(n >= 60, `only ${n} codes in common with os.constants.errno`);
  return `${n} codes`;
});

await test('numbers agree with util.getSystemErrorMap() (and messages, on Node)', () => {
  if (!systemErrorMap) return `skipped: ${runtime} has no getSystemErrorMap`;
  let messageDiffs = 0;
  for (const [n, [name, msg]] of systemErrorMap) {
    check(name in ERRNO, `${name} (${n}) is missing`);
    eq(ERRNO[name][0], n, `${name} errno`);
    if (runtime === 'node') eq(ERRNO[name][1], msg, `${name} message`);
    else if (ERRNO[name][1] !== msg) messageDiffs++;
  }
  const beyond = codes.filter((c) => !systemErrorMap.has(ERRNO[c][0]));
  for (const c of beyond) {
    // Not in the runtime's map: the number must be the OS's own errno.
    check(POSIX && osErrno[c] !== undefined, `${c}: neither in getSystemErrorMap nor os.constants.errno`);
  }
  return `${systemErrorMap.size} entries${beyond.length ? `; from os.constants.errno only: ${beyond.join(', ')}` : ''}`
    + `${messageDiffs ? `; ${messageDiffs} messages differ from ${runtime}'s (Node's are kept)` : ''}`;
});

await test('util.getSystemErrorName names each number as the table does', () => {
  if (typeof util.getSystemErrorName !== 'function') return `skipped: ${runtime} has no getSystemErrorName`;
  let n = 0;
  for (const c of codes) {
    const name = util.getSystemErrorName(ERRNO[c][0]);
    if (typeof name !== 'string' || name.startsWith('Unknown system error')) continue;
    eq(name, c, `getSystemErrorName(${ERRNO[c][0]})`);
    n++;
  }
  return `${n} codes`;
});

await test('libuv\'s own codes have libuv\'s fixed numbers', () => {
  eq(ERRNO.EAI_NONAME[0], -3008, 'EAI_NONAME');
  eq(ERRNO.EAI_AGAIN[0], -3001, 'EAI_AGAIN');
  eq(ERRNO.EOF[0], -4095, 'EOF');
  eq(ERRNO.UNKNOWN[0], -4094, 'UNKNOWN');
});

await test('codes crossnet reports exist on this runtime, with libuv\'s messages', () => {
  const want = {
    ECONNREFUSED: 'connection refused', ECONNRESET: 'connection reset by peer', EADDRINUSE: 'address already in use',
    EADDRNOTAVAIL: 'address not available', EACCES: 'permission denied', ENOENT: 'no such file or directory',
    EINVAL: 'invalid argument', EBADF: 'bad file descriptor', EPIPE: 'broken pipe', ETIMEDOUT: 'connection timed out',
    ENOTCONN: 'socket is not connected', ENOTSOCK: 'socket operation on non-socket', EHOSTUNREACH: 'host is unreachable',
    ENETUNREACH: 'network is unreachable', ECONNABORTED: 'software caused connection abort', EMFILE: 'too many open files',
    EAGAIN: 'resource temporarily unavailable', ECANCELED: 'operation canceled', ENOTSUP: 'operation not supported on socket',
    EAFNOSUPPORT: 'address family not supported', ENAMETOOLONG: 'name too long', EPERM: 'operation not permitted',
    EAI_NONAME: 'unknown node or service', EAI_AGAIN: 'temporary failure', EOF: 'end of file',
  };
  for (const [c, msg] of Object.entries(want)) {
    check(c in ERRNO, `${c} is missing`);
    eq(ERRNO[c][1], msg, `${c} message`);
  }
});

await test('Linux: exactly Node\'s numbers', () => {
  if (process.platform !== 'linux' || !['x64', 'arm64', 'arm', 'ia32'].includes(process.arch)) {
    return `skipped: ${process.platform}/${process.arch} has its own numbers`;
  }
  const gaps = GAPS[runtime] ?? [];
  for (const [c, n] of Object.entries(LINUX)) {
    if (gaps.includes(c)) {
      check(!(c in ERRNO) || ERRNO[c][0] === n, `${c}: ${ERRNO[c]?.[0]}`);
      continue;
    }
    check(c in ERRNO, `${c} is missing`);
    eq(ERRNO[c][0], n, c);
  }
  const missing = gaps.filter((c) => !(c in ERRNO));
  return missing.length ? `${runtime} gives no number for ${missing.join(', ')}` : '';
});

await test('reverse maps: libuv errno and OS errno to code', () => {
  for (const c of codes) eq(errnoCode(ERRNO[c][0]), c, `errnoCode(${ERRNO[c][0]})`);
  eq(errnoCode(-999999), undefined, 'unknown errno');
  eq(osErrnoCode(-1), undefined, 'negative OS errno');
  eq(osErrnoCode(0), undefined, 'OS errno 0');
  eq(osErrnoCode(3008), undefined, 'libuv\'s own numbers are never OS errnos');
  if (!POSIX) {
    eq(osErrnoCode(osErrno.ECONNREFUSED), undefined, 'Windows');
    return 'Windows: OS error numbers are not mapped';
  }
  for (const c of ['ECONNREFUSED', 'EADDRINUSE', 'ENOENT', 'EACCES', 'EINVAL', 'EPIPE', 'ECONNRESET', 'ENOTSOCK']) {
    eq(osErrnoCode(osErrno[c]), c, `osErrnoCode(${osErrno[c]})`);
  }
  // Aliases the OS defines (EWOULDBLOCK = EAGAIN on Linux and macOS) read as libuv's name.
  if (osErrno.EWOULDBLOCK === osErrno.EAGAIN) eq(osErrnoCode(osErrno.EWOULDBLOCK), 'EAGAIN', 'EWOULDBLOCK');
});

// ---- platform ----

const SUN_PATH = { linux: 108, android: 108, sunos: 108, cygwin: 108, aix: 1023, darwin: 104, freebsd: 104, openbsd: 104, netbsd: 104 };

await test('sun_path size per platform', () => {
  for (const [p, n] of Object.entries(SUN_PATH)) eq(sunPathSize(p), n, p);
  eq(sunPathSize('win32'), undefined, 'win32');
  eq(sunPathSize(), process.platform === 'win32' ? undefined : (SUN_PATH[process.platform] ?? 104), `this platform (${process.platform})`);
  eq(ipcIsNamedPipe('win32'), true, 'win32 pipes');
  eq(ipcIsNamedPipe('linux'), false, 'linux pipes');
  eq(ipcIsNamedPipe('darwin'), false, 'darwin pipes');
  return `${process.platform}: ${sunPathSize()}`;
});

/** Listen with node:net on `path`: 'listening', or the error code. */
function nodeListen(path) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.on('error', (err) => resolve({ code: err.code }));
    server.listen(path, () => resolve({ listening: true, close: () => new Promise((r) => server.close(r)) }));
  });
}

await test('sun_path size matches what Node\'s own net takes here', async () => {
  if (runtime !== 'node') return `skipped: Node's libuv is the reference (${runtime}'s node:net has its own limits)`;
  const size = sunPathSize();
  if (size === undefined) return 'skipped: Windows has named pipes';
  const dir = `${temp}/`;
  const pad = (n) => `${dir}${'s'.repeat(n - Buffer.byteLength(dir))}`;
  const full = await nodeListen(pad(size));
  check(full.listening, `a ${size}-byte path: ${full.code}`);
  await full.close();
  // One byte more: libuv refuses it (EINVAL), or (Node 20's libuv) truncates it to sun_path.
  const longer = pad(size + 1);
  const over = await nodeListen(longer);
  if (over.listening) {
    const truncated = existsSync(longer.slice(0, size)) && !existsSync(longer);
    await over.close();
    check(truncated, `a ${size + 1}-byte path was taken whole: sun_path is larger than ${size}`);
    return `${size} bytes; one more is truncated to ${size}`;
  }
  eq(over.code, 'EINVAL', `a ${size + 1}-byte path`);
  return `${size} bytes; one more is EINVAL`;
});

await test('Windows named pipes: ERR_CROSSNET_UNSUPPORTED naming Windows where the adapter lacks them', async () => {
  const entry = new URL('../dist/index.mjs', import.meta.url);
  if (!existsSync(entry)) throw new Error('dist/index.mjs is missing: build first');
  const crossnet = await import(entry.href);
  const base = crossnet.getTransport();
  const real = Object.getOwnPropertyDescriptor(process, 'platform');
  const attempts = [];
  crossnet.setTransport({
    ...base, runtime: 'test-runtime', capabilities: { ...base.capabilities, namedPipes: false },
    connect(target, done) { attempts.push(target.kind); done('ENOENT'); return { cancel() {} }; },
    listen(target, events, done) { attempts.push(target.kind); done('EACCES'); },
  });
  try {
    Object.defineProperty(process, 'platform', { configurable: true, enumerable: real.enumerable, value: 'win32' });
    eq(process.platform, 'win32', 'simulated platform');
    const pipe = '\\\\.\\pipe\\crossnet-test';
    for (const [what, call] of [
      ['net.connect', () => crossnet.connect(pipe).on('error', () => {})],
      ['server.listen', () => crossnet.createServer().on('error', () => {}).listen(pipe)],
    ]) {
      let err;
      try { call(); } catch (e) { err = e; }
      check(err, `${what}: no error`);
      eq(err.code, 'ERR_CROSSNET_UNSUPPORTED', `${what} code`);
      check(err.message.includes('Windows') && err.message.includes('test-runtime'), `${what}: ${err.message}`);
      check(err.message.startsWith(NAMED_PIPES), `${what}: ${err.message}`);
    }
    eq(attempts.length, 0, 'the adapter was not called');
  } finally {
    Object.defineProperty(process, 'platform', real);
    crossnet.setTransport(base);
  }
  eq(process.platform === 'win32', ipcIsNamedPipe(), 'platform restored');
});

rmSync(temp, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
