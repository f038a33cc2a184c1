// PROTOTYPE (issue "Deno without limits"): crossnet's transport for Deno over Deno's node-compat
// handle layer, the libuv-handle protocol Deno's own node:net drives: process.binding('tcp_wrap' /
// 'pipe_wrap' / 'stream_wrap' / 'util'). In Deno 2.9 TCP and Pipe are native (Rust) objects, and
// they speak the same protocol as Node's libuv handles except for the points marked DIALECT below
// (facts from test/deno-compat-probe.mjs; summary in the notes of this prototype):
//   - a listener's onconnection(status) carries no client: the client is taken with accept(handle);
//   - reset() sends the RST but neither closes the handle nor calls back: close(cb) follows it;
//   - an IPv4 bind takes its flags (UV_TCP_REUSEPORT) through bindWithFlags; bind() ignores them;
//   - UV_TCP_IPV6ONLY is ignored by bind6 and bindWithFlags (the socket stays dual-stack);
//   - Pipe.prototype.listen(b) is a JS wrapper that passes ceilPowOf2(b + 1) to the kernel;
//   - a TCP handle has no `fd` (fdForIpc() returns a new dup each call); a Pipe has `fd`;
//   - bind/bind6/bindWithFlags/connect and Pipe bind/connect throw Deno.errors.NotCapable
//     synchronously when --allow-net / --allow-read / --allow-write say no;
//   - a bind to a non-local address returns EINVAL (libuv: EADDRNOTAVAIL);
//   - node:fs fstat does not see raw descriptors (EBADF): the descriptor type comes from
//     process.binding('util').guessHandleType;
//   - a socket path that fills sun_path (108 bytes on Linux) is refused with EINVAL;
//   - Pipe#fchmod sets the file mode to the requested bits instead of adding them;
//   - a close(cb) issued from a promise continuation can have its callback wait until the event
//     loop wakes for something else (an empty setImmediate makes it turn).
// Everything else — reads through streamBaseState, writeBuffer/writev with WriteWrap and
// kLastWriteWasAsync, ShutdownWrap, close(cb), the deferred EADDRINUSE of libuv's bind, getsockname/
// getpeername, setNoDelay, setKeepAlive(on, delaySeconds), open(fd), ref/unref — is Node's.
//
// SHARING: the part between "protocol" markers is written to work on both dialects (Node's handles
// pass the client to onconnection and close on reset(cb); the branches test the handle, not the
// runtime), so it could move to a common module (adapters/libuv-handles.ts) used by adapters/node.ts
// and this file, each passing its Dialect. Nothing in it is Deno-specific except through `dialect`.
import process from 'node:process';
import { setImmediate } from 'node:timers';
import { chmodSync, linkSync, statSync, symlinkSync, unlinkSync } from 'node:fs';
import { ERRNO, errnoCode } from '../src/errno.ts';
import { sunPathSize } from '../src/platform.ts';
import type {
  BindTarget, Bound, Capabilities, Connection, ConnectTarget, Endpoint, Listener, ListenEvents, ListenTarget, PendingConnect, Receiver,
  Transport,
} from '../src/transport.ts';

// ==== protocol: the libuv-handle protocol, as Node and Deno's node-compat layer both speak it ====

// The binding objects are untyped; these describe the parts used here.
interface Req { oncomplete?: (...args: never[]) => void; handle?: Handle; chunks?: readonly Uint8Array[] }
interface Handle {
  onread?: (buf: ArrayBuffer | undefined, nread?: number) => void;
  onconnection?: (status: number, client?: Handle) => void;
  readStart(): number;
  readStop(): number;
  writeBuffer(req: Req, buf: Uint8Array): number;
  writev(req: Req, chunks: readonly Uint8Array[], allBuffers: boolean): number;
  shutdown(req: Req): number;
  close(cb?: () => void): void;
  reset?(cb?: () => void): number;
  accept?(client: Handle): number;
  setNoDelay?(on: boolean): number;
  setKeepAlive?(on: boolean, delay: number): number;
  ref(): void;
  unref(): void;
  getsockname?(out: Record<string, unknown>): number;
  getpeername?(out: Record<string, unknown>): number;
  bind(address: string, port?: number, flags?: number): number;
  bindWithFlags?(address: string, port: number, flags: number): number;
  bind6(address: string, port: number, flags: number): number;
  listen(backlog: number): number;
  connect(req: Req, address: string, port?: number): number;
  connect6(req: Req, address: string, port: number): number;
  open(fd: number): number;
  fchmod?(mode: number): number;
  readonly fd?: number;
}
type HandleCtor = new (type: number) => Handle;
interface Bindings {
  TCP: HandleCtor;
  TCPConnectWrap: new () => Req;
  Pipe: HandleCtor;
  PipeConnectWrap: new () => Req;
  WriteWrap: new () => Req;
  ShutdownWrap: new () => Req;
  tcp: Record<string, number>;
  pipe: Record<string, number>;
  state: Int32Array;
  kReadBytesOrError: number;
  kArrayBufferOffset: number;
  kLastWriteWasAsync: number;
  guessHandleType?: (fd: number) => string;
}

/** What differs between runtimes that speak the protocol. */
interface Dialect {
  /** reset(cb) closes the handle and calls cb (Node); else reset() only sends the RST (Deno). */
  resetCloses: boolean;
  /** The backlog to pass to Pipe#listen for a kernel backlog of `backlog`. */
  pipeBacklog(backlog: number): number;
  /** Map a bind() status for an IP literal to Node's (Deno: EINVAL where libuv says EADDRNOTAVAIL). */
  bindStatus(status: number): number;
  /** The descriptor of a handle, or -1. */
  fdOf(handle: Handle, kind: 'tcp' | 'ipc'): number;
  /** Add read and/or write for everyone to a listening socket file, as libuv's uv_pipe_chmod does. */
  pipeChmod(handle: Handle, path: string, readable: boolean, writable: boolean, b: Bindings): string | null;
}

const UV_EOF = -4095;
const UV_ENOTCONN = -107;
const UV_EINVAL = -22;
const UV_EBADF = -9;
const noop = (): void => {};

const errname = (status: number): string => errnoCode(status) ?? `UNKNOWN_${status}`;

/**
 * DIALECT (Deno): the callback of a close() issued from a promise continuation, with nothing else
 * pending in the event loop, runs only once the loop wakes up for another reason (probe: 1 s later,
 * with the next timer). One empty immediate makes the loop turn, and the callback runs.
 */
const wakeLoop = (): void => { setImmediate(noop); };

/**
 * A synchronous throw from a binding call, as an error code. Deno's permission sandbox throws
 * Deno.errors.NotCapable (or PermissionDenied under --deny-*) from bind/connect: that is an EACCES,
 * never an exception for the caller. Anything else (a TypeError for an argument the binding refuses)
 * is an EINVAL.
 */
function thrownCode(err: unknown): string {
  const e = err as { name?: unknown; code?: unknown } | null;
  if (e && (e.name === 'NotCapable' || e.name === 'PermissionDenied')) return 'EACCES';
  if (e && typeof e.code === 'string' && /^E[A-Z0-9_]+$/.test(e.code)) return e.code;
  return 'EINVAL';
}

/** Run a binding call; a throw becomes its code, a negative status its name, 0 null. */
function call(fn: () => number): string | null {
  let status: number;
  try {
    status = fn();
  } catch (err) {
    return thrownCode(err);
  }
  return status ? errname(status) : null;
}

function ipEndpoint(handle: Handle, which: 'getsockname' | 'getpeername'): Endpoint | undefined {
  const fn = handle[which];
  if (!fn) return undefined;
  const out: Record<string, unknown> = {};
  if (fn.call(handle, out) !== 0) return undefined;
  return { address: out.address as string, port: out.port as number, family: out.family === 'IPv6' || out.family === 6 ? 'IPv6' : 'IPv4' };
}

class UvConnection implements Connection {
  receiver: Receiver | null = null;
  closed = false;

  /**
   * For IPC, `path` is the listening path on an accepted connection (both ends report it, as
   * Node's pipe_wrap does), `peerPath` the path a client connected to (its local end is unnamed: '').
   */
  constructor(private readonly b: Bindings, private readonly dialect: Dialect, readonly handle: Handle,
    readonly kind: 'tcp' | 'ipc', private readonly path = '', private readonly peerPath = '') {
    handle.onread = this.onread;
  }

  get fd(): number {
    return this.closed ? -1 : this.dialect.fdOf(this.handle, this.kind);
  }

  // nread and the offset come through streamBaseState on both runtimes (Deno's onStreamRead also
  // accepts nread as a second argument, which its native handles do not pass; take it if present).
  // Each read is a fresh ArrayBuffer on both, so the bytes can be handed over as a view.
  private onread = (buf: ArrayBuffer | undefined, arg?: number): void => {
    const b = this.b;
    const nread = arg ?? b.state[b.kReadBytesOrError];
    const r = this.receiver;
    if (!r) return;
    if (nread > 0) {
      r.onData(new Uint8Array(buf!, b.state[b.kArrayBufferOffset], nread));
    } else if (nread === UV_EOF) {
      r.onEnd();
    } else if (nread < 0) {
      r.onError(errname(nread));
    }
  };

  setReceiver(receiver: Receiver): void {
    this.receiver = receiver;
  }

  readStart(): void {
    if (!this.closed) this.handle.readStart();
  }

  readStop(): void {
    if (!this.closed) this.handle.readStop();
  }

  write(chunks: readonly Uint8Array[], done: (err: string | null) => void): void {
    if (this.closed) {
      process.nextTick(done, 'EBADF');
      return;
    }
    const b = this.b;
    const req = new b.WriteWrap();
    req.handle = this.handle;
    // Both write later straight from the chunks' memory (Deno too: bytes changed after an async
    // writeBuffer returns are what the peer gets); the request keeps them alive until then.
    req.chunks = chunks;
    req.oncomplete = ((status: number) => {
      req.chunks = undefined;
      done(status < 0 ? errname(status) : null);
    }) as never;
    let err: number;
    try {
      err = chunks.length === 1 ? this.handle.writeBuffer(req, chunks[0]) : this.handle.writev(req, chunks, true);
    } catch (e) {
      process.nextTick(done, thrownCode(e));
      return;
    }
    if (err !== 0) {
      process.nextTick(done, errname(err));
    } else if (!b.state[b.kLastWriteWasAsync]) {
      // Written at once: no oncomplete follows (as on Node).
      req.chunks = undefined;
      done(null);
    }
  }

  shutdown(done: (err: string | null) => void): void {
    if (this.closed) {
      process.nextTick(done, null);
      return;
    }
    const req = new this.b.ShutdownWrap();
    req.handle = this.handle;
    req.oncomplete = ((status: number) => done(status < 0 && status !== UV_ENOTCONN ? errname(status) : null)) as never;
    const err = this.handle.shutdown(req);
    if (err === 1 || err === UV_ENOTCONN) done(null);
    else if (err !== 0) done(errname(err));
  }

  close(done?: () => void): void {
    if (this.closed) {
      if (done) process.nextTick(done);
      return;
    }
    this.closed = true;
    this.handle.onread = noop;
    this.handle.close(done);
    if (done) wakeLoop();
  }

  // #17: for the runtime's child_process (src/handoff.ts).
  exportHandle(release: boolean): unknown {
    if (this.closed) throw 'EBADF';
    if (release) {
      this.handle.readStop();
      this.closed = true;
      this.receiver = null;
      this.handle.onread = noop;
    }
    return this.handle;
  }

  reset(done?: () => void): void {
    if (this.closed || !this.handle.reset) {
      this.close(done);
      return;
    }
    this.closed = true;
    this.handle.onread = noop;
    if (this.dialect.resetCloses) {
      if (this.handle.reset(done) !== 0) this.handle.close(done);
    } else {
      // DIALECT (Deno): reset() sets SO_LINGER 0 and shuts the socket at once; close releases it.
      this.handle.reset();
      this.handle.close(done);
      if (done) wakeLoop();
    }
  }

  setNoDelay(enable: boolean): void {
    if (!this.closed) this.handle.setNoDelay?.(enable);
  }

  setKeepAlive(enable: boolean, delaySeconds: number): void {
    if (!this.closed) this.handle.setKeepAlive?.(enable, delaySeconds);
  }

  ref(): void { if (!this.closed) this.handle.ref(); }
  unref(): void { if (!this.closed) this.handle.unref(); }

  localEndpoint(): Endpoint | undefined {
    return this.kind === 'ipc' ? this.path : ipEndpoint(this.handle, 'getsockname');
  }

  remoteEndpoint(): Endpoint | undefined {
    return this.kind === 'ipc' ? this.peerPath || this.path : ipEndpoint(this.handle, 'getpeername');
  }
}

function uvConnect(b: Bindings, dialect: Dialect, target: ConnectTarget, path: string,
  done: (err: string | null, conn?: Connection) => void, after?: () => void): PendingConnect {
  let cancelled = false;
  const tcp = target.kind === 'tcp';
  // A bound socket (capability bindConnect) is the connection's from now on, also on failure.
  let bound: [Handle, 'tcp' | 'ipc'] | null = null;
  try {
    bound = target.bound ? (target.bound as UvBound).take() : null;
  } catch (code) {
    process.nextTick(done, code as string); // already handed to a listener or another connect
    return { cancel: noop };
  }
  const handle = bound ? bound[0] : tcp ? new b.TCP(b.tcp.SOCKET) : new b.Pipe(b.pipe.SOCKET);
  const pending = { cancel: () => { if (!cancelled) { cancelled = true; handle.close(); after?.(); } } };
  const fail = (code: string): PendingConnect => {
    handle.close();
    process.nextTick(() => {
      after?.();
      if (cancelled) return;
      cancelled = true;
      done(code);
    });
    return { cancel: () => { cancelled = true; } };
  };
  const bindLocal = !bound && tcp && (target.localAddress || target.localPort);
  if (bindLocal) {
    // libuv (and Deno's copy of it) may defer EADDRINUSE to connect(), which would then bind a
    // random port: check the port, as Node's net does (_checkBindError).
    const family = target.family;
    let err = call(() => dialect.bindStatus(family === 4
      ? handle.bind(target.localAddress ?? '0.0.0.0', target.localPort ?? 0)
      : handle.bind6(target.localAddress ?? '::', target.localPort ?? 0, 0)));
    if (!err && target.localPort) {
      const local = ipEndpoint(handle, 'getsockname');
      if (local && typeof local !== 'string' && local.port !== target.localPort) err = 'EADDRINUSE';
    }
    if (err) return fail(`bind ${err}`);
  }
  const req = tcp ? new b.TCPConnectWrap() : new b.PipeConnectWrap();
  req.oncomplete = ((status: number) => {
    after?.();
    if (cancelled) return;
    cancelled = true;
    if (status < 0) {
      handle.close();
      done(errname(status));
      return;
    }
    done(null, new UvConnection(b, dialect, handle, tcp ? 'tcp' : 'ipc', '', tcp ? '' : target.path));
  }) as never;
  const err = call(() => (target.kind === 'tcp'
    ? (target.family === 4 ? handle.connect(req, target.address, target.port) : handle.connect6(req, target.address, target.port))
    : handle.connect(req, path)));
  if (err) return fail(bindLocal && (err === 'EADDRINUSE' || err === 'EADDRNOTAVAIL') ? `bind ${err}` : err);
  return pending;
}

type TcpBind = { address: string; port: number; family: 4 | 6; ipv6Only: boolean; reusePort: boolean };

/** bind/bind6 with the flags; a throw (Deno's sandbox) becomes its code. */
function bindTcp(b: Bindings, dialect: Dialect, h: Handle, target: TcpBind): string | null {
  let flags = 0;
  if (target.ipv6Only) flags |= b.tcp.UV_TCP_IPV6ONLY;
  if (target.reusePort) flags |= b.tcp.UV_TCP_REUSEPORT ?? 0;
  return call(() => dialect.bindStatus(target.family === 6
    ? h.bind6(target.address, target.port, flags)
    // Deno: flags through bindWithFlags (bind ignores a third argument); Node 23+: bind(…, flags).
    : h.bindWithFlags ? h.bindWithFlags(target.address, target.port, flags) : h.bind(target.address, target.port, flags)));
}

/** A bound, idle handle (TCP or Pipe of type SOCKET, as Node's BoundSocket makes). */
class UvBound implements Bound {
  private handle: Handle | null;

  constructor(private readonly dialect: Dialect, handle: Handle, readonly kind: 'tcp' | 'ipc', readonly path: string,
    private readonly ep: Endpoint) {
    this.handle = handle;
  }

  endpoint(): Endpoint { return this.ep; }
  get fd(): number { return this.handle ? this.dialect.fdOf(this.handle, this.kind) : -1; }

  close(): void {
    this.handle?.close();
    this.handle = null;
  }

  /** Hand the handle over to a listener or a connection. */
  take(): [Handle, 'tcp' | 'ipc'] {
    const handle = this.handle;
    if (!handle) throw 'EBADF';
    this.handle = null;
    return [handle, this.kind];
  }
}

function uvBind(b: Bindings, dialect: Dialect, target: BindTarget, bindPath: string): UvBound | string {
  if (target.kind === 'ipc') {
    const h = new b.Pipe(b.pipe.SOCKET);
    const err = call(() => h.bind(bindPath));
    if (err) {
      h.close();
      return err;
    }
    return new UvBound(dialect, h, 'ipc', target.path, target.path);
  }
  const h = new b.TCP(b.tcp.SOCKET);
  let err = bindTcp(b, dialect, h, target);
  // libuv defers EADDRINUSE to the next getsockname/listen/connect; Deno's copy defers it too, and its
  // getsockname then reports port 0 instead of the error: ask now, and compare.
  const ep = err ? undefined : ipEndpoint(h, 'getsockname');
  if (!err && (!ep || typeof ep === 'string' || (target.port && ep.port !== target.port) || ep.port === 0)) err = 'EADDRINUSE';
  if (err) {
    h.close();
    return err;
  }
  return new UvBound(dialect, h, 'tcp', '', ep!);
}

/** Wrap a descriptor in a TCP or Pipe handle by its type, as Node's net does (guessHandleType). */
function uvOpenFd(b: Bindings, fd: number, server: boolean): [Handle, 'tcp' | 'ipc'] | number {
  const type = b.guessHandleType?.(fd) ?? 'UNKNOWN';
  // Not open at all: Node's listen() reports EINVAL, new Socket({ fd }) an UNKNOWN fd type.
  if (type === 'UNKNOWN') return server ? UV_EINVAL : UV_EBADF;
  if (type !== 'TCP' && type !== 'PIPE') return UV_EINVAL;
  const tcp = type === 'TCP';
  const handle = tcp ? new b.TCP(server ? b.tcp.SERVER : b.tcp.SOCKET) : new b.Pipe(server ? b.pipe.SERVER : b.pipe.SOCKET);
  const err = handle.open(fd);
  return err ? err : [handle, tcp ? 'tcp' : 'ipc'];
}

/** Listen now: a Listener, or the error code (the shape of the synchronous contract's listen). */
function uvListen(b: Bindings, dialect: Dialect, target: ListenTarget, bindPath: string, events: ListenEvents): Listener | string {
  let handle: Handle;
  let err: string | null;
  let kind: 'tcp' | 'ipc' = 'tcp';
  let path = '';
  if (target.kind === 'tcp') {
    const h = handle = new b.TCP(b.tcp.SERVER);
    err = bindTcp(b, dialect, h, target);
    if (!err) err = call(() => h.listen(target.backlog));
  } else if (target.kind === 'bound') {
    const bound = target.bound as UvBound;
    [handle, kind] = bound.take();
    path = bound.path;
    const h = handle;
    err = call(() => h.listen(kind === 'ipc' ? dialect.pipeBacklog(target.backlog) : target.backlog));
  } else if (target.kind === 'ipc') {
    kind = 'ipc';
    path = target.path;
    const h = handle = new b.Pipe(b.pipe.SERVER);
    err = call(() => h.bind(bindPath));
    if (!err) err = call(() => h.listen(dialect.pipeBacklog(target.backlog)));
    if (!err && (target.readableAll || target.writableAll)) {
      const chmodErr = dialect.pipeChmod(h, target.path, target.readableAll, target.writableAll, b);
      if (chmodErr) {
        h.close();
        return `uv_pipe_chmod ${chmodErr}`;
      }
    }
  } else {
    const opened = uvOpenFd(b, target.fd, true);
    if (typeof opened === 'number') return errname(opened);
    [handle, kind] = opened;
    const h = handle;
    err = call(() => h.listen(kind === 'ipc' ? dialect.pipeBacklog(target.backlog) : target.backlog));
  }
  if (err) {
    handle.close();
    return err;
  }
  const server = handle;
  const SocketCtor = kind === 'tcp' ? b.TCP : b.Pipe;
  const socketType = kind === 'tcp' ? b.tcp.SOCKET : b.pipe.SOCKET;
  server.onconnection = (status: number, client?: Handle) => {
    if (status === 0 && !client) {
      // DIALECT (Deno): onconnection(status) only; the connection is taken with accept().
      const c = new SocketCtor(socketType);
      const acceptErr = server.accept!(c);
      if (acceptErr) status = acceptErr;
      else client = c;
    }
    if (status < 0 || !client) events.onError(errname(status || UV_EBADF));
    else events.onConnection(new UvConnection(b, dialect, client, kind, path));
  };
  let closed = false;
  return {
    endpoint: () => (kind === 'ipc' ? path : ipEndpoint(server, 'getsockname') ?? { address: '', port: 0, family: 'IPv4' }),
    close: (cb) => {
      if (closed) {
        if (cb) process.nextTick(cb);
        return;
      }
      closed = true;
      server.onconnection = noop;
      server.close(cb);
      if (cb) wakeLoop();
    },
    ref: () => { if (!closed) server.ref(); },
    unref: () => { if (!closed) server.unref(); },
    get fd() { return closed ? -1 : dialect.fdOf(server, kind); },
    exportHandle: () => server, // #17
  };
}

// ==== end of protocol; the rest is Deno's =========================================================

let bindings: Bindings | undefined;

function load(): Bindings {
  if (bindings) return bindings;
  const binding = (process as unknown as { binding?: (name: string) => Record<string, never> }).binding;
  try {
    if (typeof (globalThis as { Deno?: unknown }).Deno === 'undefined') throw new Error('not running on Deno');
    if (typeof binding !== 'function') throw new Error('process.binding is not a function');
    const tcp = binding('tcp_wrap') as Record<string, never>;
    const pipe = binding('pipe_wrap') as Record<string, never>;
    const stream = binding('stream_wrap') as Record<string, never>;
    let guess: ((fd: number) => string) | undefined;
    try {
      guess = (binding('util') as { guessHandleType?: (fd: number) => string }).guessHandleType;
    } catch {
      guess = undefined;
    }
    const b: Bindings = {
      TCP: tcp.TCP, TCPConnectWrap: tcp.TCPConnectWrap, tcp: tcp.constants,
      Pipe: pipe.Pipe, PipeConnectWrap: pipe.PipeConnectWrap, pipe: pipe.constants,
      WriteWrap: stream.WriteWrap, ShutdownWrap: stream.ShutdownWrap, state: stream.streamBaseState,
      kReadBytesOrError: stream.kReadBytesOrError, kArrayBufferOffset: stream.kArrayBufferOffset,
      kLastWriteWasAsync: stream.kLastWriteWasAsync, guessHandleType: guess,
    };
    const proto = b.TCP?.prototype as Partial<Handle> | undefined;
    if (!proto || typeof proto.accept !== 'function' || typeof proto.writev !== 'function' || !b.Pipe || !b.state || !b.WriteWrap) {
      throw new Error('tcp_wrap/pipe_wrap/stream_wrap lack the expected classes');
    }
    return (bindings = b);
  } catch (cause) {
    throw new Error(`crossnet: the deno-compat adapter needs Deno's node-compat handles (process.binding('tcp_wrap'/'pipe_wrap'/'stream_wrap')): ${(cause as Error).message}`, { cause });
  }
}

const deno: Dialect = {
  resetCloses: false,
  // Deno's Pipe#listen(b) passes ceilPowOf2(b + 1): b - 1 gives the smallest power of two >= b
  // (exact for powers of two; Node passes b as is).
  pipeBacklog: (backlog) => (backlog > 1 ? backlog - 1 : backlog),
  // A fresh handle bound to an IP literal has only one EINVAL: an address not on this host.
  bindStatus: (status) => (status === UV_EINVAL ? ERRNO.EADDRNOTAVAIL?.[0] ?? status : status),
  fdOf: (handle, kind) => (kind === 'ipc' && typeof handle.fd === 'number' ? handle.fd : -1),
  // DIALECT (Deno): Pipe#fchmod sets the mode to exactly those bits (readableAll alone gives 0444,
  // which takes the owner's write, so the owner could no longer connect); libuv adds them to the
  // file's mode. Add them with node:fs instead (an abstract name has no file: nothing to do).
  pipeChmod: (_handle, path, readable, writable) => {
    if (path.charCodeAt(0) === 0) return null;
    const want = (readable ? 0o444 : 0) | (writable ? 0o222 : 0);
    try {
      const mode = statSync(path).mode & 0o7777;
      if ((mode & want) !== want) chmodSync(path, mode | want);
      return null;
    } catch (err) {
      return fsCode(err);
    }
  },
};

// ---- IPC paths that fill sun_path -----------------------------------------------------------------
// Linux takes a socket path of exactly sizeof(sun_path) bytes (no NUL), and so does Node; Deno's
// handles want room for a NUL and say EINVAL. For that length a short name in /tmp stands in: a
// symlink to the socket for connect; for listen a short bind hard-linked to the full path (a Unix
// socket is found by its inode). The same trick as adapters/deno.ts (shareable: adapters/ipc-alias.ts).
const SUN_PATH = sunPathSize() ?? 0;
const encoder = new TextEncoder();
let aliasCount = 0;
const needsAlias = (path: string): boolean =>
  path.length <= SUN_PATH && path.charCodeAt(0) !== 0 && encoder.encode(path).byteLength === SUN_PATH;
const shortName = (): string => `/tmp/.crossnet-${process.pid}-${++aliasCount}`;
const absolute = (path: string): string => (path[0] === '/' ? path : `${process.cwd()}/${path}`);
function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
function fsCode(err: unknown): string {
  const e = err as { code?: unknown; name?: unknown } | null;
  if (e && (e.name === 'NotCapable' || e.name === 'PermissionDenied')) return 'EACCES';
  return e && typeof e.code === 'string' ? e.code : 'EINVAL';
}

function connect(target: ConnectTarget, done: (err: string | null, conn?: Connection) => void): PendingConnect {
  const b = load();
  if (target.kind === 'ipc' && needsAlias(target.path)) {
    const link = shortName();
    try {
      symlinkSync(absolute(target.path), link);
    } catch (err) {
      const code = fsCode(err);
      process.nextTick(done, code);
      return { cancel: noop };
    }
    return uvConnect(b, deno, target, link, done, () => removeQuietly(link));
  }
  return uvConnect(b, deno, target, target.kind === 'ipc' ? target.path : '', done);
}

/** Listen now: a Listener, or the error code. */
function listenNow(target: ListenTarget, events: ListenEvents): Listener | string {
  const b = load();
  if (target.kind === 'tcp' && target.ipv6Only) return 'ENOTSUP'; // capability false; the core never asks
  if (target.kind !== 'ipc' || !needsAlias(target.path)) {
    return uvListen(b, deno, target, target.kind === 'ipc' ? target.path : '', events);
  }
  const short = shortName();
  const result = uvListen(b, deno, target, short, events);
  if (typeof result === 'string') return result;
  try {
    // link() refuses an existing name, which is bind()'s EADDRINUSE.
    linkSync(short, target.path);
  } catch (err) {
    result.close();
    const code = fsCode(err);
    return code === 'EEXIST' ? 'EADDRINUSE' : code;
  } finally {
    removeQuietly(short);
  }
  const full = target.path;
  return {
    endpoint: () => result.endpoint(),
    // Deno unlinks only the name it bound (the short one, already gone); this is the real one.
    close: (cb) => result.close(() => { removeQuietly(full); cb?.(); }),
    ref: () => result.ref(),
    unref: () => result.unref(),
    get fd() { return result.fd; },
  };
}

/**
 * The contract's synchronous listen: the Listener, or a thrown error code. Transitional: with a
 * `done` (the earlier contract, still used by test/contract.mjs), the outcome goes there on the next
 * tick instead and nothing is thrown.
 */
function listen(target: ListenTarget, events: ListenEvents, done?: (err: string | null, listener?: Listener) => void): Listener {
  const result = listenNow(target, events);
  if (done) {
    if (typeof result === 'string') {
      process.nextTick(done, result);
      // Nothing to return: src/guard.ts takes a returned listener as success even with a `done`.
      return undefined as unknown as Listener;
    }
    process.nextTick(done, null, result);
    return result;
  }
  if (typeof result === 'string') throw result;
  return result;
}

function bind(target: BindTarget): Bound {
  const b = load();
  if (target.kind === 'tcp' && target.ipv6Only) throw 'ENOTSUP'; // capability false; the core never asks
  // (An IPC path that fills sun_path is not aliased here: EINVAL from Deno.)
  const result = uvBind(b, deno, target, target.kind === 'ipc' ? target.path : '');
  if (typeof result === 'string') throw result;
  return result;
}

function adopt(fd: number): Connection {
  const b = load();
  const opened = uvOpenFd(b, fd, false);
  if (typeof opened === 'number') throw errname(opened);
  return new UvConnection(b, deno, opened[0], opened[1]);
}

// #17: a handle Deno's node:cluster or child_process delivered (src/cluster.ts, src/handoff.ts);
// also used by adapters/deno.ts, whose own connections are Deno.Conns.
export function adoptHandle(handle: unknown): Connection {
  const b = load();
  const kind = handle instanceof b.TCP ? 'tcp' : handle instanceof b.Pipe ? 'ipc' : null;
  if (!kind) throw 'EINVAL';
  // DIALECT (Deno): a reading handle keeps calling the onread it had when reading started; stop it
  // (node:net's socket in a receiving process started it), so the next readStart reads for us.
  (handle as Handle).readStop();
  return new UvConnection(b, deno, handle as Handle, kind);
}

const capabilities: Capabilities = {
  localAddress: true,
  keepAliveDelay: true,
  reset: true,
  backlog: true,
  // Rounded up to a power of two by Deno's Pipe#listen (see `deno.pipeBacklog`).
  ipcBacklog: true,
  // bind6/bindWithFlags ignore UV_TCP_IPV6ONLY: a '::' listener still accepts IPv4 clients.
  ipv6Only: false,
  get reusePort() {
    try {
      const b = load();
      return 'UV_TCP_REUSEPORT' in b.tcp && typeof (b.TCP.prototype as Partial<Handle>).bindWithFlags === 'function'
        && process.platform !== 'win32';
    } catch {
      return false;
    }
  },
  ipcPermissions: true,
  abstractIpc: process.platform === 'linux',
  // Not verified on Windows.
  namedPipes: false,
  get adoptFd() {
    try {
      return typeof load().guessHandleType === 'function';
    } catch {
      return false;
    }
  },
  // No setTypeOfService on Deno's TCP.
  typeOfService: false,
  unref: true,
  bind: true,
  bindConnect: true,
};

export const transport: Transport = {
  get runtime(): string {
    const d = (globalThis as { Deno?: { version?: { deno?: string } } }).Deno;
    return d?.version?.deno ? `Deno ${d.version.deno}` : 'Deno';
  },
  capabilities,
  connect,
  listen,
  bind,
  adopt,
  adoptHandle, // #17
  ready: () => { load(); },
};
export default transport;
