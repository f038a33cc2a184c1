// Probes of Deno's node-compat handle layer (process.binding('tcp_wrap'/'pipe_wrap'/'stream_wrap')),
// the libuv-handle protocol adapters/deno-compat.ts speaks. Each probe prints the facts it saw;
// nothing here asserts. Loopback only; every loop is bounded.
//   node_modules/.bin/deno run -A test/deno-compat-probe.mjs [probe-name …]
// Also runs under Node for comparison (node test/deno-compat-probe.mjs): the facts that differ are
// the DIALECT points of adapters/deno-compat.ts. The permission and fd probes spawn children
// (deno with a narrow --allow-net; a Node launcher that passes descriptors as fd 3-5).
import process from 'node:process';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, statSync, rmSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const onDeno = typeof globalThis.Deno !== 'undefined';
const tcpB = process.binding('tcp_wrap');
const pipeB = process.binding('pipe_wrap');
const sw = process.binding('stream_wrap');
const { TCP, TCPConnectWrap, constants: tc } = tcpB;
const { Pipe, PipeConnectWrap, constants: pc } = pipeB;
const st = sw.streamBaseState;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const within = (p, ms, what) => Promise.race([p, sleep(ms).then(() => `TIMEOUT ${what}`)]);
const name = (v, map) => { for (const [k, x] of Object.entries(map)) if (v === x) return k; return v; };
const fact = (probe, key, value) => console.log(`${probe.padEnd(12)} ${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
const tryCall = (fn) => { try { return fn(); } catch (e) { return `THROWS ${e?.name}: ${String(e?.message).slice(0, 100)}`; } };
const ss = (args) => { try { return execFileSync('ss', args, { encoding: 'utf8' }); } catch { return ''; } };

/** A connected pair over a TCP listener: accepts the way the runtime offers the client. */
function pair(server = new TCP(tc.SERVER)) {
  return new Promise((resolve) => {
    server.bind('127.0.0.1', 0);
    let c;
    server.onconnection = (status, client) => {
      let s = client;
      if (!s) { s = new TCP(tc.SOCKET); server.accept(s); }
      server.close();
      resolve({ s, c });
    };
    server.listen(16);
    const o = {};
    server.getsockname(o);
    c = new TCP(tc.SOCKET);
    const req = new TCPConnectWrap();
    req.oncomplete = () => {};
    c.connect(req, '127.0.0.1', o.port);
  });
}

const probes = {
  // What the bindings are: classes, methods, constants.
  async shape() {
    const methods = (C) => {
      const out = [];
      for (let p = C.prototype; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) out.push(Object.getOwnPropertyNames(p).filter((k) => k !== 'constructor'));
      return out;
    };
    fact('shape', 'versions', { node: process.versions.node, deno: process.versions.deno, uv: process.versions.uv });
    fact('shape', 'tcp_wrap keys', Object.keys(tcpB));
    fact('shape', 'TCP methods (own, then inherited layers)', methods(TCP));
    fact('shape', 'tcp constants', tc);
    fact('shape', 'TCP is native', String(TCP).includes('[native code]'));
    fact('shape', 'pipe_wrap keys', Object.keys(pipeB));
    fact('shape', 'Pipe methods', methods(Pipe));
    fact('shape', 'pipe constants', pc);
    fact('shape', 'Pipe.prototype.listen', String(Pipe.prototype.listen).slice(0, 80));
    fact('shape', 'stream_wrap keys', Object.keys(sw));
    fact('shape', 'streamBaseState', `${st?.constructor?.name}(${st?.length}) kReadBytesOrError=${sw.kReadBytesOrError} kArrayBufferOffset=${sw.kArrayBufferOffset} kBytesWritten=${sw.kBytesWritten} kLastWriteWasAsync=${sw.kLastWriteWasAsync}`);
    fact('shape', 'WriteWrap', String(sw.WriteWrap).slice(0, 120));
    fact('shape', 'util.guessHandleType', typeof tryCall(() => process.binding('util').guessHandleType));
    if (tcpB.setupListenWrap) fact('shape', 'tcp_wrap.setupListenWrap', String(tcpB.setupListenWrap).slice(0, 200));
  },

  // onconnection and reads: arguments, where nread/offset come from, buffer reuse.
  async read() {
    const srv = new TCP(tc.SERVER);
    srv.bind('127.0.0.1', 0);
    const reads = [];
    let onconn;
    const accepted = new Promise((resolve) => {
      srv.onconnection = function (status, client) {
        onconn = { args: arguments.length, status, clientGiven: !!client, thisIsServer: this === srv };
        let s = client;
        if (!s) { s = new TCP(tc.SOCKET); onconn.accept = srv.accept(s); }
        s.onread = function (buf, arg2) {
          reads.push({ args: arguments.length, bufType: buf?.constructor?.name, byteLength: buf?.byteLength, arg2, nread: st[sw.kReadBytesOrError], offset: st[sw.kArrayBufferOffset], buf, copy: buf && new Uint8Array(buf).slice() });
        };
        s.readStart();
        resolve(s);
      };
    });
    srv.listen(5);
    const o = {};
    srv.getsockname(o);
    const c = new TCP(tc.SOCKET);
    const req = new TCPConnectWrap();
    const connected = new Promise((r) => { req.oncomplete = function (...a) { r({ args: a.length, status: a[0], handle: a[1] === c, req: a[2] === req, readable: a[3], writable: a[4] }); }; });
    fact('read', 'connect() returns', c.connect(req, '127.0.0.1', o.port));
    fact('read', 'TCPConnectWrap.oncomplete', await within(connected, 2000, 'connect'));
    const s = await within(accepted, 2000, 'accept');
    fact('read', 'onconnection', onconn);
    for (let i = 0; i < 4; i++) {
      const w = new sw.WriteWrap(); w.handle = c; w.oncomplete = () => {};
      c.writeBuffer(w, Buffer.alloc(100 * (i + 1), i + 1));
      await sleep(15);
    }
    const w = new sw.WriteWrap(); w.handle = c; w.oncomplete = () => {};
    c.writeBuffer(w, Buffer.alloc(300000, 9));
    await sleep(100);
    c.close();
    await sleep(50);
    fact('read', 'first read', (({ buf, copy, ...r }) => r)(reads[0]));
    fact('read', 'read sizes (nread@offset/byteLength)', reads.map((r) => `${r.nread}@${r.offset}/${r.byteLength}`).join(' '));
    fact('read', 'distinct ArrayBuffers / reads', `${new Set(reads.map((r) => r.buf).filter(Boolean)).size} / ${reads.filter((r) => r.buf).length}`);
    fact('read', 'earlier reads unchanged afterwards', reads.filter((r) => r.buf).every((r) => Buffer.from(r.buf).equals(Buffer.from(r.copy))));
    fact('read', 'EOF read', (({ buf, copy, ...r }) => r)(reads[reads.length - 1]));
    s.close();
  },

  // Writes: sync vs async, oncomplete arguments, whether the bytes are copied, ordering with shutdown.
  async write() {
    const { s, c } = await pair();
    const w1 = new sw.WriteWrap(); w1.handle = c;
    let completed1 = false;
    w1.oncomplete = () => { completed1 = true; };
    fact('write', 'small writeBuffer returns', c.writeBuffer(w1, Buffer.from('ping')));
    fact('write', 'state after small write [nread, offset, bytesWritten, lastWriteWasAsync]', [...st].slice(0, 4));
    const w2 = new sw.WriteWrap(); w2.handle = c; w2.oncomplete = () => {};
    fact('write', 'writev(allBuffers) returns', [c.writev(w2, [Buffer.from('a'), Buffer.from('b')], true), st[sw.kBytesWritten], st[sw.kLastWriteWasAsync]]);
    const w3 = new sw.WriteWrap(); w3.handle = c; w3.oncomplete = () => {};
    fact('write', 'writev(chunk, encoding pairs) returns', [tryCall(() => c.writev(w3, ['x', 'utf8', Buffer.from('y'), 'buffer'], false)), st[sw.kBytesWritten]]);
    const w4 = new sw.WriteWrap(); w4.handle = c; w4.oncomplete = () => {};
    fact('write', 'writeUtf8String returns', [c.writeUtf8String(w4, 'héllo'), st[sw.kBytesWritten]]);
    await sleep(20);
    fact('write', 'oncomplete of a synchronous write ran', completed1);
    // An async write: the peer is not reading; then the buffer is changed after handing it over.
    const big = Buffer.alloc(8 << 20, 7);
    const w5 = new sw.WriteWrap(); w5.handle = c;
    let oncomplete;
    const t0 = performance.now();
    w5.oncomplete = function (...a) { oncomplete = { args: a.map((v) => (v === c ? 'handle' : v === w5 ? 'req' : v)), thisIsReq: this === w5, ms: Math.round(performance.now() - t0) }; };
    fact('write', '8 MiB writeBuffer returns', [c.writeBuffer(w5, big), 'lastWriteWasAsync', st[sw.kLastWriteWasAsync], 'bytesWritten', st[sw.kBytesWritten]]);
    fact('write', 'writeQueueSize', c.writeQueueSize);
    big.fill(9);
    const w6 = new sw.WriteWrap(); w6.handle = c;
    const order = [];
    w6.oncomplete = () => order.push('write after');
    c.writeBuffer(w6, Buffer.from('tail'));
    const sh = new sw.ShutdownWrap(); sh.handle = c;
    sh.oncomplete = (...a) => order.push(`shutdown(${a.map((v) => (v === c ? 'handle' : v === sh ? 'req' : v))})`);
    fact('write', 'shutdown returns (writes pending)', c.shutdown(sh));
    await sleep(50);
    fact('write', 'oncomplete before the peer reads', !!oncomplete);
    let got = 0, nines = 0;
    s.onread = (buf) => {
      const n = st[sw.kReadBytesOrError];
      if (n > 0) { const u = new Uint8Array(buf, st[sw.kArrayBufferOffset], n); for (let i = 0; i < n; i += 997) if (u[i] === 9) nines++; got += n; }
    };
    s.readStart();
    for (let i = 0; i < 200 && got < big.length + 4; i++) await sleep(10);
    await sleep(20);
    fact('write', 'async oncomplete', oncomplete);
    fact('write', 'completion order', order);
    fact('write', 'peer saw bytes changed after writeBuffer returned (no copy: keep the buffer alive, unchanged)', nines > 0);
    fact('write', 'getBytesWritten / peer getBytesRead', [c.getBytesWritten?.(), s.getBytesRead?.()]);
    // A write pending at close: its oncomplete status.
    const { s: s2, c: c2 } = await pair();
    const w7 = new sw.WriteWrap(); w7.handle = c2;
    const closeOrder = [];
    w7.oncomplete = (status) => closeOrder.push(`write oncomplete ${status}`);
    c2.writeBuffer(w7, Buffer.alloc(16 << 20));
    c2.close(() => closeOrder.push('close cb'));
    closeOrder.push('close returned');
    await sleep(100);
    fact('write', 'pending write at close', closeOrder);
    c.close(); s.close(); s2.close();
  },

  // reset(), close(cb), readStop/readStart, setKeepAlive(on, delay), setNoDelay, ref/unref.
  async handle() {
    {
      const { s, c } = await pair();
      const peer = [];
      s.onread = () => peer.push(st[sw.kReadBytesOrError]);
      s.readStart();
      let cb = false;
      fact('handle', 'reset(cb) returns', c.reset(() => { cb = true; }));
      await sleep(100);
      fact('handle', 'peer reads after reset()', peer);
      fact('handle', 'reset cb ran (i.e. reset closed the handle)', cb);
      let closeCb = false;
      tryCall(() => c.close(() => { closeCb = true; }));
      await sleep(50);
      fact('handle', 'close(cb) after reset: cb ran', closeCb);
      s.close();
    }
    {
      const { s, c } = await pair();
      const order = [];
      c.close(() => order.push('close cb'));
      order.push('close returned');
      await sleep(0);
      order.push('after a macrotask');
      await sleep(20);
      fact('handle', 'close(cb) timing', order);
      s.close();
    }
    {
      const { s, c } = await pair();
      let n = 0;
      s.onread = () => { n++; };
      s.readStart();
      const w = new sw.WriteWrap(); w.handle = c; w.oncomplete = () => {};
      c.writeBuffer(w, Buffer.from('x'));
      await sleep(30);
      const a = n;
      fact('handle', 'readStop returns', s.readStop());
      c.writeBuffer(w, Buffer.from('y'));
      await sleep(50);
      const b = n;
      s.readStart();
      await sleep(50);
      fact('handle', 'reads: started / after readStop / after readStart', [a, b, n]);
      c.close(); s.close();
    }
    {
      const { s, c } = await pair();
      fact('handle', 'setKeepAlive(true, 7) / setNoDelay(true)', [c.setKeepAlive(true, 7), c.setNoDelay(true)]);
      const o = {};
      c.getsockname(o);
      await sleep(30);
      fact('handle', 'ss -to timer after setKeepAlive(true, 7)', ss(['-tno', 'src', `127.0.0.1:${o.port}`]).split('\n').filter((l) => l.includes('timer')).map((l) => l.trim().replace(/\s+/g, ' ')).join(' | ') || '(ss not available)');
      fact('handle', 'TCP fd / fdForIpc twice / setTypeOfService', [c.fd, tryCall(() => c.fdForIpc?.()), tryCall(() => c.fdForIpc?.()), typeof c.setTypeOfService]);
      fact('handle', 'hasRef / unref / hasRef', [c.hasRef?.(), c.unref(), c.hasRef?.()]);
      c.close(); s.close();
    }
  },

  // bind then connect, deferred EADDRINUSE, reusePort, ipv6Only, backlog, error codes.
  async bind() {
    {
      const srv = new TCP(tc.SERVER);
      srv.bind('127.0.0.1', 0);
      srv.listen(5);
      const o = {};
      srv.getsockname(o);
      srv.onconnection = (status, client) => { const s = client ?? new TCP(tc.SOCKET); if (!client) srv.accept(s); s.close(); };
      const c = new TCP(tc.SOCKET);
      const before = {};
      fact('bind', 'client bind(127.0.0.2, 0) / getsockname before connect', [c.bind('127.0.0.2', 0), c.getsockname(before), before]);
      const req = new TCPConnectWrap();
      const done = new Promise((r) => { req.oncomplete = (status) => { const l = {}; c.getsockname(l); r({ status, local: l }); }; });
      c.connect(req, '127.0.0.1', o.port);
      fact('bind', 'connect from the bound socket', await within(done, 2000, 'connect'));
      c.close();
      const x = new TCP(tc.SOCKET);
      const xo = {};
      fact('bind', 'client bind to the listening port: bind / getsockname / connect (deferred EADDRINUSE)', [x.bind('127.0.0.1', o.port), x.getsockname(xo), xo, x.connect(new TCPConnectWrap(), '127.0.0.1', o.port)]);
      x.close();
      const y = new TCP(tc.SERVER);
      fact('bind', 'second listener: bind / listen (EADDRINUSE at listen)', [y.bind('127.0.0.1', o.port), y.listen(5)]);
      y.close();
      srv.close();
    }
    {
      const z = new TCP(tc.SOCKET);
      fact('bind', 'bind to a non-local address 192.0.2.1 (libuv: -99 EADDRNOTAVAIL)', z.bind('192.0.2.1', 0));
      z.close();
      const z2 = new TCP(tc.SOCKET);
      fact('bind', 'bind to a non-IP string', tryCall(() => z2.bind('nope', 0)));
      z2.close();
      const y = new TCP(tc.SOCKET);
      const req = new TCPConnectWrap();
      const r = new Promise((res) => { req.oncomplete = (s) => res(s); });
      const l = new TCP(tc.SERVER); l.bind('127.0.0.1', 0); const lo = {}; l.getsockname(lo); l.close(); await sleep(10);
      y.connect(req, '127.0.0.1', lo.port);
      fact('bind', 'connect to a closed port: oncomplete status', await within(r, 2000, 'refused'));
      y.close();
    }
    {
      const a = new TCP(tc.SERVER), b = new TCP(tc.SERVER), c = new TCP(tc.SERVER), d = new TCP(tc.SERVER);
      const flag = tc.UV_TCP_REUSEPORT;
      const ra = [tryCall(() => a.bindWithFlags?.('127.0.0.1', 0, flag) ?? a.bind('127.0.0.1', 0, flag)), a.listen(511)];
      const o = {};
      a.getsockname(o);
      fact('bind', 'reusePort: first listener bindWithFlags(…, REUSEPORT) / listen', ra);
      fact('bind', 'reusePort: second bindWithFlags(same port, REUSEPORT) / listen', [tryCall(() => b.bindWithFlags?.('127.0.0.1', o.port, flag) ?? 'no bindWithFlags'), b.listen(511)]);
      fact('bind', 'reusePort: third bind(same port, REUSEPORT) (3-argument bind) / listen', [c.bind('127.0.0.1', o.port, flag), c.listen(511)]);
      fact('bind', 'same port without the flag: bind / listen', [d.bind('127.0.0.1', o.port), d.listen(511)]);
      for (const h of [a, b, c, d]) h.close();
    }
    {
      const e = new TCP(tc.SERVER);
      const r = [e.bind6('::', 0, tc.UV_TCP_IPV6ONLY), e.listen(5)];
      const eo = {};
      e.getsockname(eo);
      e.onconnection = (status, client) => { const s = client ?? new TCP(tc.SOCKET); if (!client) e.accept(s); s.close(); };
      const f = new TCP(tc.SOCKET);
      const req = new TCPConnectWrap();
      const p = new Promise((res) => { req.oncomplete = (s) => res(s); });
      const ret = f.connect(req, '127.0.0.1', eo.port);
      fact('bind', 'bind6(::, IPV6ONLY): bind/listen, then an IPv4 connect (Node: ECONNREFUSED -111)', [r, ret || await within(p, 2000, 'v6only connect')]);
      f.close(); e.close();
    }
    {
      const a = new TCP(tc.SERVER);
      a.bind('127.0.0.1', 0);
      a.listen(7);
      const o = {};
      a.getsockname(o);
      fact('bind', 'TCP listen(7): ss Send-Q', ss(['-lnt', `sport = :${o.port}`]).split('\n')[1]?.trim().split(/\s+/)[2] ?? '(ss?)');
      a.close();
    }
  },

  // Pipe: bind/listen(backlog)/connect/fchmod/close unlink, abstract names, long paths, open(fd).
  async pipe() {
    const path = join(tmpdir(), `crossnet-probe-${process.pid}.sock`);
    const p = new Pipe(pc.SERVER);
    fact('pipe', 'bind / listen(7)', [p.bind(path), p.listen(7)]);
    fact('pipe', 'ss -lx Send-Q for listen(7)', ss(['-lx']).split('\n').find((l) => l.includes(path))?.trim().split(/\s+/)[3] ?? '(ss?)');
    fact('pipe', 'fd getter / fdForIpc', [p.fd, tryCall(() => p.fdForIpc?.())]);
    fact('pipe', 'fchmod(READABLE|WRITABLE) / file mode', [p.fchmod(pc.UV_READABLE | pc.UV_WRITABLE), (statSync(path).mode & 0o777).toString(8)]);
    let acc;
    const accepted = new Promise((resolve) => {
      p.onconnection = (status, client) => { acc = client ?? new Pipe(pc.SOCKET); const r = client ? 0 : p.accept(acc); resolve({ status, clientGiven: !!client, accept: r }); };
    });
    const c = new Pipe(pc.SOCKET);
    const req = new PipeConnectWrap();
    const connected = new Promise((r) => { req.oncomplete = (...a) => r(a.map((v) => (v === c ? 'handle' : v === req ? 'req' : v))); });
    fact('pipe', 'connect returns', c.connect(req, path));
    fact('pipe', 'connect oncomplete', await within(connected, 2000, 'pipe connect'));
    fact('pipe', 'onconnection', await within(accepted, 2000, 'pipe accept'));
    fact('pipe', 'accepted Pipe getsockname/getpeername', [typeof acc.getsockname, typeof acc.getpeername]);
    c.close(); acc.close();
    const closed = new Promise((r) => p.close(r));
    await within(closed, 2000, 'pipe close');
    fact('pipe', 'socket file exists after close(cb)', existsSync(path));
    const m = new Pipe(pc.SOCKET);
    const mreq = new PipeConnectWrap();
    const missing = new Promise((r) => { mreq.oncomplete = (s) => r(s); });
    const mret = m.connect(mreq, `${path}.missing`);
    fact('pipe', 'connect to a missing path', mret || await within(missing, 2000, 'missing'));
    m.close();
    const ab = new Pipe(pc.SERVER);
    fact('pipe', 'abstract name: bind / listen', [ab.bind(`\0crossnet-probe-${process.pid}`), ab.listen(5)]);
    ab.close();
    const long = `/tmp/${'x'.repeat(103)}`;
    const lp = new Pipe(pc.SERVER);
    fact('pipe', `${long.length}-byte path (fills sun_path): bind`, lp.bind(long));
    lp.close();
    try { rmSync(long); } catch {}
    const e1 = new Pipe(pc.SERVER); e1.bind(path); e1.listen(5);
    const e2 = new Pipe(pc.SERVER);
    fact('pipe', 'path in use: bind', e2.bind(path));
    e2.close(); e1.close();
    const b1 = new Pipe(pc.SOCKET);
    fact('pipe', 'a SOCKET-type Pipe: bind / listen (as a BoundSocket would)', [b1.bind(`${path}.b`), b1.listen(4)]);
    b1.close();
  },

  // Descriptor type detection as the adapter does it.
  async types() {
    let util;
    try { util = process.binding('util'); } catch (e) { fact('types', 'process.binding(util)', String(e)); return; }
    fact('types', 'guessHandleType(0,1,2,99)', [0, 1, 2, 99].map((fd) => tryCall(() => util.guessHandleType(fd))));
  },

  // The permission sandbox: a child with --allow-net=127.0.0.1:<allowed> only.
  async permissions() {
    if (!onDeno) { fact('perm', 'skipped', 'Deno only'); return; }
    const allowed = 20000 + (process.pid % 20000);
    const r = await runChild(['run', `--allow-net=127.0.0.1:${allowed}`, import.meta.filename ?? new URL(import.meta.url).pathname, '--child-permissions', String(allowed)], 10000);
    for (const line of r.stdout.trim().split('\n')) console.log(`perm         ${line}`);
    if (r.stderr.trim()) fact('perm', 'child stderr', r.stderr.trim().slice(-400));
  },

  // Adoption of descriptors inherited from a Node launcher: connected TCP (3), listening TCP (4),
  // connected Unix socket (5).
  async fd() {
    if (!onDeno) { fact('fd', 'skipped', 'Deno only'); return; }
    const launcher = join(tmpdir(), `crossnet-probe-launcher-${process.pid}.mjs`);
    writeFileSync(launcher, LAUNCHER);
    try {
      const self = import.meta.filename ?? new URL(import.meta.url).pathname;
      const r = await runChild([launcher, JSON.stringify([process.execPath, 'run', '-A', self, '--child-fd'])], 15000, 'node');
      let out;
      try { out = JSON.parse(r.stdout); } catch { fact('fd', 'launcher output', r.stdout + r.stderr); return; }
      fact('fd', 'peer got from the adopted socket', out.got);
      for (const line of out.stdout.split('\n')) console.log(`fd           ${line}`);
    } finally { try { rmSync(launcher); } catch {} }
  },
};

const LAUNCHER = `
import net from 'node:net';
import { spawn } from 'node:child_process';
const [cmd, ...args] = JSON.parse(process.argv[2]);
const path = '/tmp/crossnet-probe-fd-' + process.pid + '.sock';
const userv = net.createServer((u) => u.on('data', () => {})).listen(path);
await new Promise((r) => userv.once('listening', r));
const ucli = net.connect(path); await new Promise((r) => ucli.once('connect', r));
const lsrv = net.createServer().listen(0, '127.0.0.1'); await new Promise((r) => lsrv.once('listening', r));
let client;
const server = net.createServer((accepted) => {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit', accepted._handle.fd, lsrv._handle.fd, ucli._handle.fd] });
  accepted.destroy(); server.close(); lsrv.close();
  let stdout = '', got = '';
  child.stdout.on('data', (d) => { stdout += d; });
  client.on('data', (d) => { got += d; });
  client.write('ping');
  const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
  child.on('close', (code) => { clearTimeout(timer); setTimeout(() => { client.destroy(); ucli.destroy(); userv.close(); console.log(JSON.stringify({ code, got, stdout: stdout.trim() })); }, 100); });
});
server.listen(0, '127.0.0.1', () => { client = net.connect(server.address().port, '127.0.0.1'); });
`;

function runChild(args, ms, cmd = process.execPath) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

// ---- children ---------------------------------------------------------------------------------------

async function childPermissions(allowed) {
  const other = allowed + 1;
  const line = (k, v) => console.log(`${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  const guard = (fn) => {
    try { return fn(); } catch (e) { return typeof e === 'string' ? `throws the code ${JSON.stringify(e)}` : `THROWS ${e?.name} (sync): ${String(e?.message).slice(0, 90)}`; }
  };
  line(`listen 127.0.0.1:${allowed} (allowed): bind / listen`, guard(() => { const h = new TCP(tc.SERVER); const r = [h.bind('127.0.0.1', allowed), h.listen(5)]; h.close(); return r; }));
  line(`listen 127.0.0.1:${other}: bind`, guard(() => { const h = new TCP(tc.SERVER); try { return h.bind('127.0.0.1', other); } finally { h.close(); } }));
  line(`listen 127.0.0.1:${other}: bindWithFlags`, guard(() => { const h = new TCP(tc.SERVER); try { return h.bindWithFlags('127.0.0.1', other, 0); } finally { h.close(); } }));
  line(`listen [::1]:${other}: bind6`, guard(() => { const h = new TCP(tc.SERVER); try { return h.bind6('::1', other, 0); } finally { h.close(); } }));
  line('listen 127.0.0.1:0: bind', guard(() => { const h = new TCP(tc.SERVER); try { return h.bind('127.0.0.1', 0); } finally { h.close(); } }));
  const srv = new TCP(tc.SERVER);
  srv.bind('127.0.0.1', allowed);
  srv.listen(5);
  srv.onconnection = (status, client) => { const c = client ?? new TCP(tc.SOCKET); if (!client) srv.accept(c); c.close(); };
  const tryConnect = (addr, port, local) => new Promise((resolve) => {
    const h = new TCP(tc.SOCKET);
    const out = {};
    try {
      if (local) out.bind = h.bind(local, 0);
      const req = new TCPConnectWrap();
      req.oncomplete = (s) => { out.oncomplete = s; h.close(); resolve(out); };
      out.ret = h.connect(req, addr, port);
      if (out.ret) { h.close(); resolve(out); }
    } catch (e) {
      out.threw = `${e?.name} (sync): ${String(e?.message).slice(0, 90)}`;
      try { h.close(); } catch {}
      resolve(out);
    }
    setTimeout(() => resolve({ ...out, hung: true }), 1500);
  });
  line(`connect 127.0.0.1:${allowed} (allowed)`, await tryConnect('127.0.0.1', allowed));
  line(`connect 127.0.0.1:${other}`, await tryConnect('127.0.0.1', other));
  line(`connect 127.0.0.2:${allowed}`, await tryConnect('127.0.0.2', allowed));
  line(`connect 127.0.0.1:${allowed} from a local bind to 127.0.0.1:0`, await tryConnect('127.0.0.1', allowed, '127.0.0.1'));
  srv.close();
  line('Pipe bind without --allow-read/--allow-write', guard(() => { const p = new Pipe(pc.SERVER); try { return p.bind(`/tmp/crossnet-perm-${process.pid}.sock`); } finally { p.close(); } }));
  line('Pipe connect without --allow-read', guard(() => { const p = new Pipe(pc.SOCKET); try { return p.connect(new PipeConnectWrap(), '/tmp/crossnet-perm-missing.sock'); } finally { p.close(); } }));
  // crossnet's adapter over the same handles: the denial is a Node-shaped EACCES, not an exception.
  try {
    const { transport } = await import('../dist/adapters/deno-compat.mjs').catch(() => import('/tmp/deno-compat.mjs'));
    const ev = { onConnection() {}, onError() {} };
    line('adapter listen outside --allow-net', guard(() => { transport.listen({ kind: 'tcp', address: '127.0.0.1', port: other, family: 4, backlog: 511, ipv6Only: false, reusePort: false }, ev); return 'listening'; }));
    line('adapter connect outside --allow-net', await new Promise((r) => transport.connect({ kind: 'tcp', address: '127.0.0.1', port: other, family: 4 }, (err) => r(`done(${err})`))));
    line('adapter connect with localAddress outside --allow-net', await new Promise((r) => transport.connect({ kind: 'tcp', address: '127.0.0.1', port: allowed, family: 4, localAddress: '127.0.0.2' }, (err) => r(`done(${err})`))));
    line('adapter ipc connect without --allow-read', await new Promise((r) => transport.connect({ kind: 'ipc', path: '/tmp/crossnet-perm-missing.sock' }, (err) => r(`done(${err})`))));
    const net = (await import('../dist/index.mjs')).default;
    net.setTransport(transport);
    line('crossnet net.connect outside --allow-net', await new Promise((r) => {
      const s = net.connect(other, '127.0.0.1');
      s.on('error', (e) => r(`'error' ${e.code} syscall=${e.syscall} message=${JSON.stringify(e.message)}`));
      s.on('connect', () => { s.destroy(); r('connected'); });
    }));
    line('crossnet server.listen outside --allow-net', await new Promise((r) => {
      const server = net.createServer();
      server.on('error', (e) => r(`'error' ${e.code} syscall=${e.syscall} message=${JSON.stringify(e.message)}`));
      server.listen(other, '127.0.0.1', () => { server.close(); r('listening'); });
    }));
  } catch (e) {
    line('adapter', `not loaded (${e.message}); build it first`);
  }
  process.exit(0);
}

async function childFd() {
  const out = {};
  let util;
  try { util = process.binding('util'); } catch {}
  for (const fd of [3, 4, 5]) out[`guessHandleType(${fd})`] = util?.guessHandleType?.(fd);
  try { (await import('node:fs')).fstatSync(3); out['fstatSync(3)'] = 'ok'; } catch (e) { out['fstatSync(3)'] = e.code; }
  const fdsBefore = readdirSync('/proc/self/fd').length;
  const h = new TCP(tc.SOCKET);
  out['TCP.open(3)'] = h.open(3);
  const o = {}, p = {};
  h.getsockname(o); h.getpeername(p);
  out['open(3) sockname/peername'] = [o, p];
  out['fds opened by open(3)'] = readdirSync('/proc/self/fd').length - fdsBefore;
  await new Promise((resolve) => {
    h.onread = (buf) => {
      const n = st[sw.kReadBytesOrError];
      if (n > 0) {
        out['read on fd 3'] = Buffer.from(buf, st[sw.kArrayBufferOffset], n).toString();
        const w = new sw.WriteWrap(); w.handle = h; w.oncomplete = () => {};
        h.writeBuffer(w, Buffer.from('pong'));
        setTimeout(resolve, 50);
      }
    };
    h.readStart();
    setTimeout(resolve, 3000);
  });
  await new Promise((r) => h.close(r));
  out['fd 3 still open after close()'] = (() => { try { return readlinkSync('/proc/self/fd/3'); } catch { return false; } })();
  const l = new TCP(tc.SERVER);
  out['TCP(SERVER).open(4) / listen'] = [l.open(4), l.listen(5)];
  const lo = {};
  l.getsockname(lo);
  out['listen on fd 4: accepted a client'] = await new Promise((resolve) => {
    l.onconnection = (status, client) => { const c = client ?? new TCP(tc.SOCKET); const a = client ? 0 : l.accept(c); c.close(); resolve([status, a]); };
    const c = new TCP(tc.SOCKET);
    const req = new TCPConnectWrap();
    req.oncomplete = () => setTimeout(() => c.close(), 20);
    c.connect(req, '127.0.0.1', lo.port);
    setTimeout(() => resolve('TIMEOUT'), 2000);
  });
  l.close();
  const pp = new Pipe(pc.SOCKET);
  out['Pipe.open(5) (Unix socket) / fd'] = [pp.open(5), pp.fd];
  pp.close();
  for (const [k, v] of Object.entries(out)) console.log(`${k}: ${JSON.stringify(v)}`);
  process.exit(0);
}

const argv = process.argv.slice(2);
if (argv[0] === '--child-permissions') await childPermissions(Number(argv[1]));
else if (argv[0] === '--child-fd') await childFd();
else {
  const wanted = argv.length ? argv : Object.keys(probes);
  console.log(`# ${onDeno ? `Deno ${process.versions.deno}` : `Node ${process.version}`} (node ${process.versions.node}, uv ${process.versions.uv})`);
  for (const p of wanted) {
    try {
      await within(probes[p](), 30000, p).then((r) => { if (typeof r === 'string') fact(p, 'result', r); });
    } catch (err) {
      fact(p, 'probe failed', String(err?.stack ?? err).split('\n').slice(0, 3).join(' | '));
    }
  }
  process.exit(0);
}
