// crossnet's transport for Bun: Bun.connect / Bun.listen sockets (tcp and unix), not node:net.
// Everything Bun-specific is reached lazily through globalThis.Bun, so importing this file on Node or
// Deno is harmless. Facts about Bun 1.4 this file relies on (each one measured):
// - `write()` takes what the kernel accepts right now and returns that count; the rest stays ours
//   until `drain`. `end()` and `terminate()` close synchronously (the `close` handler runs inside).
// - Every `data` callback gets a fresh Buffer over its own ArrayBuffer, never touched again by Bun.
// - With allowHalfOpen, the peer's FIN runs `end` and the socket stays writable; once both sides
//   have sent FIN Bun closes it, and when our FIN went first that close comes *without* `end`.
// - `pause()`/`resume()` remove/restore read interest, so a paused socket applies TCP backpressure.
// - The hidden connect options `localAddress`/`localPort`, and `fd` on both connect and listen, work.
import process from 'node:process';
import type {
  BindTarget, Bound, Capabilities, Connection, ConnectTarget, Endpoint, Failure, Listener, ListenEvents, ListenTarget, PendingConnect, Receiver,
  Transport,
} from '../src/transport.ts';
import { failure } from '../src/failure.ts';
import { ERRNO, errnoCode, osErrnoCode } from '../src/errno.ts';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../src/ip.ts';
import { sunPathSize } from '../src/platform.ts';

// ---- the slice of Bun's API used here (bun-types describes more; kept local so no Bun type leaks) ----

/** @internal Checked against @types/bun by test/bun-types.ts. */
export interface BunSocket {
  data: unknown;
  write(data: Uint8Array, byteOffset?: number, byteLength?: number): number;
  end(): void;
  shutdown(halfClose?: boolean): void;
  terminate(): void;
  pause(): void;
  resume(): void;
  ref(): void;
  unref(): void;
  setNoDelay(enable?: boolean): boolean;
  setKeepAlive(enable?: boolean, initialDelayMs?: number): boolean;
  setTypeOfService?(tos: number): number | boolean;
  getTypeOfService?(): number;
  readonly fd: number;
  readonly localAddress?: string;
  readonly localPort?: number;
  readonly localFamily?: 'IPv4' | 'IPv6';
  readonly remoteAddress?: string;
  readonly remotePort?: number;
  readonly remoteFamily?: 'IPv4' | 'IPv6';
}

/** @internal */
export interface BunListener {
  stop(closeActiveConnections?: boolean): void;
  ref(): void;
  unref(): void;
  getsockname(out: { address?: string; port?: number; family?: string }): void;
  readonly fd: number;
}

interface Handlers {
  binaryType: 'buffer';
  open(s: BunSocket): void;
  data(s: BunSocket, d: Buffer): void;
  drain(s: BunSocket): void;
  end(s: BunSocket): void;
  close(s: BunSocket, err?: Error): void;
  error(s: BunSocket, err: Error): void;
  connectError?(s: BunSocket, err: Error): void;
}

interface BunApi {
  readonly version: string;
  connect(options: Record<string, unknown>): Promise<BunSocket>;
  listen(options: Record<string, unknown>): BunListener;
}

type BuiltinLoader = (id: string) => unknown;

function bun(): BunApi {
  const b = (globalThis as unknown as { Bun?: BunApi }).Bun;
  if (!b) throw new Error('crossnet: the Bun adapter runs on Bun only');
  return b;
}

const builtin = (id: string): unknown => (process as unknown as { getBuiltinModule?: BuiltinLoader }).getBuiltinModule?.(id);

// ---- errors ----

/** Node's code for a Bun error: Bun already sets Node's `code`; a bare errno goes through the table. */
function codeOf(err: unknown): string {
  const e = err as { code?: unknown; errno?: unknown } | null | undefined;
  if (e && typeof e.code === 'string' && /^E[A-Z0-9]+$/.test(e.code)) return e.code;
  if (e && typeof e.errno === 'number') return errnoName(e.errno);
  return 'EINVAL';
}

/** A negative errno is libuv's (as Bun's errors carry it), a positive one the OS's (C's errno). */
function errnoName(n: number): string {
  return (n < 0 ? errnoCode(n) : osErrnoCode(n)) ?? 'UNKNOWN';
}

// An exception escaping one of our handlers would land in Bun's `error` handler; surface it instead.
const rethrow = (err: unknown): void => {
  queueMicrotask(() => {
    throw err;
  });
};

// ---- libc through bun:ffi, for what Bun's socket API leaves out ----
// listen(2) again on a listening descriptor sets its backlog (Bun always uses 512). socket/bind/
// connect build unix sockets whose path fills all of sun_path (see unixFd).

interface Libc {
  listen(fd: number, backlog: number): number;
  socket?(domain: number, type: number, protocol: number): number;
  bind?(fd: number, addr: Uint8Array, len: number): number;
  connect?(fd: number, addr: Uint8Array, len: number): number;
  close?(fd: number): number;
  setsockopt?(fd: number, level: number, name: number, value: Int32Array, len: number): number;
  getsockname?(fd: number, addr: Uint8Array, len: Uint32Array): number;
  errno?(): number;
}

interface Ffi {
  dlopen(path: string, symbols: Record<string, { args: string[]; returns: string }>): { symbols: Record<string, (...args: never[]) => unknown> };
  read: { i32(ptr: unknown, offset: number): number };
}

let libcCache: Libc | null | undefined;

function libc(): Libc | null {
  if (libcCache !== undefined) return libcCache;
  libcCache = null;
  if (process.platform === 'win32' || !(globalThis as unknown as { Bun?: unknown }).Bun) return null;
  let ffi: Ffi | undefined;
  try {
    ffi = builtin('bun:ffi') as Ffi | undefined;
  } catch {
    return null;
  }
  if (!ffi) return null;
  const linux = process.platform === 'linux';
  const names = process.platform === 'darwin' ? ['libSystem.B.dylib', '/usr/lib/libSystem.B.dylib']
    : ['libc.so.6', `libc.musl-${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}.so.1`, 'libc.so.7', 'libc.so'];
  const symbols: Record<string, { args: string[]; returns: string }> = { listen: { args: ['i32', 'i32'], returns: 'i32' } };
  if (linux) {
    symbols.socket = { args: ['i32', 'i32', 'i32'], returns: 'i32' };
    symbols.bind = { args: ['i32', 'ptr', 'u32'], returns: 'i32' };
    symbols.connect = { args: ['i32', 'ptr', 'u32'], returns: 'i32' };
    symbols.close = { args: ['i32'], returns: 'i32' };
    symbols.setsockopt = { args: ['i32', 'i32', 'i32', 'ptr', 'u32'], returns: 'i32' };
    symbols.getsockname = { args: ['i32', 'ptr', 'ptr'], returns: 'i32' };
    symbols.__errno_location = { args: [], returns: 'ptr' };
  }
  for (const name of names) {
    let sym: Record<string, (...args: never[]) => unknown>;
    try {
      sym = ffi.dlopen(name, symbols).symbols;
    } catch {
      continue; // try the next name
    }
    const read = ffi.read;
    const errnoAt = sym.__errno_location as (() => unknown) | undefined;
    libcCache = {
      listen: sym.listen as Libc['listen'],
      socket: sym.socket as Libc['socket'],
      bind: sym.bind as Libc['bind'],
      connect: sym.connect as Libc['connect'],
      close: sym.close as Libc['close'],
      setsockopt: sym.setsockopt as Libc['setsockopt'],
      getsockname: sym.getsockname as Libc['getsockname'],
      errno: errnoAt ? () => read.i32(errnoAt(), 0) : undefined,
    };
    break;
  }
  return libcCache;
}

const SUN_PATH = sunPathSize() ?? 0; // sockaddr_un.sun_path (108 on Linux, where unixFd is used)

/**
 * A unix socket for a path that fills all of sun_path with no NUL: Linux and Node take it, Bun
 * answers EINVAL, so build the socket here and hand Bun the descriptor. Returns -1 when the
 * path is not such a path (or libc is out of reach); throws an error code when the OS refuses.
 */
function unixFd(path: string, op: 'bind' | 'connect', backlog = 511): number {
  if (path.charCodeAt(0) === 0 || Buffer.byteLength(path) !== SUN_PATH) return -1;
  const c = libc();
  if (!c?.socket || !c.bind || !c.connect || !c.close || !c.errno) return -1;
  const addr = new Uint8Array(2 + SUN_PATH);
  addr[0] = 1; // AF_UNIX, little-endian sa_family_t (every Linux Bun runs on)
  addr.set(Buffer.from(path), 2);
  const fd = c.socket(1, 1 | 0o4000 | 0o2000000, 0); // SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC
  if (fd < 0) throw errnoName(c.errno());
  const r = op === 'bind' ? (c.bind(fd, addr, addr.length) || c.listen(fd, backlog)) : c.connect(fd, addr, addr.length);
  if (r !== 0) {
    const code = errnoName(c.errno());
    c.close(fd);
    throw code;
  }
  return fd;
}

// ---- connections ----

const EMPTY: Uint8Array[] = [];
const COALESCE = 64 * 1024; // chunks of a vectored write are merged up to this size: one syscall, not N
const SMALL = 16 * 1024; // only chunks below this are worth copying to merge

/** One write whose bytes Bun has not all taken yet. */
interface WriteReq {
  chunks: readonly Uint8Array[];
  i: number; // current chunk
  off: number; // bytes of chunks[i] already taken
  done: (err: Failure | null) => void;
  next: WriteReq | null;
}

const EOF_NONE = 0;
const EOF_END = 1;
const EOF_ERROR = 2;

class BunConnection implements Connection {
  private receiver: Receiver | null = null;
  private reading = false;
  private paused = false; // read interest removed at Bun's level
  // Reads that arrived while the core was not reading, then the end of the stream if it came too.
  private inbox: Buffer[] | null = null;
  private eof = EOF_NONE; // what ended the read side (set once)
  private eofPending = false; // eof not yet handed to the receiver
  private eofCode = '';
  private drainScheduled = false;
  private head: WriteReq | null = null;
  private tail: WriteReq | null = null;
  private shutdownCb: ((err: Failure | null) => void) | null = null;
  private shut = false;
  private closed = false; // close()/reset() called
  private gone = false; // Bun closed the socket
  private goneCode: string | null = null;

  constructor(private readonly sock: BunSocket, readonly kind: 'tcp' | 'ipc', private readonly path: string, private readonly accepted: boolean) {}

  get fd(): number {
    return this.gone ? -1 : this.sock.fd;
  }

  setReceiver(receiver: Receiver): void {
    this.receiver = receiver;
  }

  readStart(): void {
    if (this.reading || this.closed || !this.receiver) return;
    this.reading = true;
    if (this.inbox !== null) {
      // Hand over what is kept first (not from inside readStart); resume once it is all delivered.
      if (!this.drainScheduled) {
        this.drainScheduled = true;
        queueMicrotask(this.drainInbox);
      }
    } else if (this.paused) {
      this.paused = false;
      if (!this.gone) this.sock.resume();
    }
  }

  // Lazy: read interest goes only when a read actually arrives while stopped (one read at most is
  // kept), which saves two epoll_ctl calls per stop/start pair when nothing arrived in between.
  readStop(): void {
    this.reading = false;
  }

  private readonly drainInbox = (): void => {
    this.drainScheduled = false;
    while (this.reading && !this.closed && this.inbox !== null) {
      const q = this.inbox;
      if (q.length > 0) {
        const chunk = q.shift()!;
        if (q.length === 0 && !this.eofPending) this.inbox = null;
        this.receiver!.onData(chunk);
      } else {
        this.inbox = null;
        this.deliverEof();
      }
    }
    if (this.reading && this.inbox === null && this.paused && !this.closed) {
      this.paused = false;
      if (!this.gone) this.sock.resume();
    }
  };

  onSockData(d: Buffer): void {
    if (this.closed) return;
    // No copy: Bun copies every read into a Buffer of its own (ArrayBuffer.createBuffer) that it never
    // touches again, so `d` is already the core's. test/contract-bun.mjs keeps chunks and checks
    // them at the end to catch a Bun that starts reusing its buffer.
    if (this.reading && this.inbox === null) {
      this.receiver!.onData(d);
      return;
    }
    (this.inbox ??= []).push(d);
    if (!this.reading && !this.paused && !this.gone) {
      this.paused = true;
      this.sock.pause();
    }
  }

  /** The read side ended: FIN (`end`), or Bun closed the socket, with or without an error. */
  onSockEof(code: string | null): void {
    if (this.closed || this.eof !== EOF_NONE) return;
    this.eof = code === null ? EOF_END : EOF_ERROR;
    this.eofCode = code ?? '';
    this.eofPending = true;
    if (this.reading && this.inbox === null) this.deliverEof();
    else this.inbox ??= [];
  }

  private deliverEof(): void {
    if (!this.eofPending) return;
    this.eofPending = false;
    this.reading = false;
    if (this.eof === EOF_ERROR) this.receiver!.onError(failure(this.eofCode));
    else this.receiver!.onEnd();
  }

  onSockClose(err: Error | undefined): void {
    this.gone = true;
    this.paused = false;
    if (this.closed) return;
    const code = err ? codeOf(err) : null;
    this.goneCode = code;
    // Bytes still queued can never be sent now, nor the FIN waiting behind them.
    this.failWrites(code ?? 'EPIPE');
    const sd = this.shutdownCb;
    if (sd) {
      this.shutdownCb = null;
      process.nextTick(sd, code ?? 'EPIPE');
    }
    this.onSockEof(code);
  }

  // ---- writing ----

  write(chunks: readonly Uint8Array[], done: (err: Failure | null) => void): void {
    if (this.closed || this.gone || this.shut) {
      process.nextTick(done, failure(this.closed ? 'EBADF' : this.goneCode ?? 'EPIPE'));
      return;
    }
    if (chunks.length > 1) chunks = coalesce(chunks);
    if (this.head !== null) {
      this.enqueue(chunks, 0, 0, done);
      return;
    }
    const sock = this.sock;
    for (let i = 0; i < chunks.length; i++) {
      const c = chunks[i];
      const len = c.byteLength;
      if (len === 0) continue;
      const n = sock.write(c, 0, len);
      if (n === len) continue;
      if (n < 0) {
        process.nextTick(done, failure(this.goneCode ?? 'EPIPE'));
        return;
      }
      this.enqueue(chunks, i, n, done);
      return;
    }
    done(null);
  }

  private enqueue(chunks: readonly Uint8Array[], i: number, off: number, done: (err: Failure | null) => void): void {
    const req: WriteReq = { chunks, i, off, done, next: null };
    if (this.tail) this.tail.next = req;
    else this.head = req;
    this.tail = req;
  }

  /** Bun's `drain`: the socket is writable again; hand over queued bytes in order. */
  onSockDrain(): void {
    const sock = this.sock;
    while (this.head !== null && !this.closed && !this.gone) {
      const req = this.head;
      const chunks = req.chunks;
      while (req.i < chunks.length) {
        const c = chunks[req.i];
        const rest = c.byteLength - req.off;
        if (rest > 0) {
          const n = sock.write(c, req.off, rest);
          if (n < 0) {
            this.failWrites(this.goneCode ?? 'EPIPE');
            return;
          }
          if (n < rest) {
            req.off += n;
            return;
          }
        }
        req.i++;
        req.off = 0;
      }
      this.head = req.next;
      if (this.head === null) this.tail = null;
      req.chunks = EMPTY;
      req.done(null); // may queue more writes, or close
    }
    if (this.head === null && this.shutdownCb && !this.closed && !this.gone) {
      const cb = this.shutdownCb;
      this.shutdownCb = null;
      this.sendFin(cb);
    }
  }

  private failWrites(code: string): void {
    let req = this.head;
    if (req === null) return;
    this.head = this.tail = null;
    const reqs: WriteReq[] = [];
    for (; req !== null; req = req.next) reqs.push(req);
    process.nextTick(() => {
      const err = failure(code);
      for (const r of reqs) r.done(err);
    });
  }

  shutdown(done: (err: Failure | null) => void): void {
    if (this.closed || this.gone || this.shut) {
      process.nextTick(done, null);
      return;
    }
    this.shut = true;
    if (this.head !== null) this.shutdownCb = done;
    else this.sendFin(done);
  }

  private sendFin(done: (err: Failure | null) => void): void {
    this.sock.shutdown();
    process.nextTick(done, null);
  }

  // ---- closing ----

  close(done?: () => void): void {
    this.finish(false, done);
  }

  reset(done?: () => void): void {
    this.finish(true, done);
  }

  private finish(rst: boolean, done?: () => void): void {
    if (!this.closed) {
      this.closed = true;
      this.reading = false;
      this.inbox = null;
      this.receiver = null;
      this.failWrites('ECANCELED');
      const sd = this.shutdownCb;
      if (sd) {
        this.shutdownCb = null;
        process.nextTick(sd, failure('ECANCELED'));
      }
      // Both run the `close` handler synchronously, releasing the descriptor before they return.
      if (!this.gone) {
        if (rst) this.sock.terminate(); // SO_LINGER 0 + close: the peer gets RST (ECONNRESET)
        else this.sock.end();
      }
    }
    if (done) process.nextTick(done);
  }

  // ---- options and names ----

  setNoDelay(enable: boolean): void {
    if (!this.gone && this.kind === 'tcp') this.sock.setNoDelay(enable);
  }

  setKeepAlive(enable: boolean, delaySeconds: number): void {
    // Bun takes milliseconds and sets TCP_KEEPIDLE from them (0 keeps the current value).
    if (!this.gone && this.kind === 'tcp') this.sock.setKeepAlive(enable, delaySeconds * 1000);
  }

  setTypeOfService(tos: number): void {
    if (this.gone) throw failure('EBADF');
    let r: unknown;
    try {
      r = this.sock.setTypeOfService?.(tos);
    } catch (err) {
      throw failure(codeOf(err));
    }
    if (typeof r === 'number' && r < 0) throw failure(errnoName(r));
    if (r === false) throw failure('EINVAL');
  }

  getTypeOfService(): number {
    if (this.gone) throw failure('EBADF');
    const tos = this.sock.getTypeOfService?.() ?? 0;
    if (tos < 0) throw failure(errnoName(tos));
    return tos;
  }

  ref(): void {
    if (!this.gone) this.sock.ref();
  }

  unref(): void {
    if (!this.gone) this.sock.unref();
  }

  localEndpoint(): Endpoint | undefined {
    if (this.kind === 'ipc') return this.accepted ? this.path : '';
    const s = this.sock;
    const address = s.localAddress;
    if (this.gone || address === undefined) return undefined;
    return { address, port: s.localPort!, family: s.localFamily === 'IPv6' ? 'IPv6' : 'IPv4' };
  }

  remoteEndpoint(): Endpoint | undefined {
    if (this.kind === 'ipc') return this.accepted ? '' : this.path;
    const s = this.sock;
    const address = s.remoteAddress;
    if (this.gone || address === undefined) return undefined;
    return { address, port: s.remotePort!, family: s.remoteFamily === 'IPv6' ? 'IPv6' : 'IPv4' };
  }
}

/** Merge runs of small chunks so a vectored write costs few syscalls; large chunks go as they are. */
function coalesce(chunks: readonly Uint8Array[]): readonly Uint8Array[] {
  let total = 0;
  let small = 0;
  for (let i = 0; i < chunks.length; i++) {
    const n = chunks[i].byteLength;
    total += n;
    if (n < SMALL) small++;
  }
  if (total <= COALESCE) return [concat(chunks, 0, chunks.length, total)];
  if (small < 2) return chunks;
  const out: Uint8Array[] = [];
  let start = 0;
  let run = 0;
  const flush = (end: number): void => {
    if (end - start === 1) out.push(chunks[start]);
    else if (end > start) out.push(concat(chunks, start, end, run));
  };
  for (let i = 0; i < chunks.length; i++) {
    const n = chunks[i].byteLength;
    if (n >= SMALL || run + n > COALESCE) {
      flush(i);
      start = i;
      run = 0;
      if (n >= SMALL) {
        out.push(chunks[i]);
        start = i + 1;
        continue;
      }
    }
    run += n;
  }
  flush(chunks.length);
  return out;
}

function concat(chunks: readonly Uint8Array[], from: number, to: number, total: number): Uint8Array {
  const buf = Buffer.allocUnsafe(total);
  let off = 0;
  for (let i = from; i < to; i++) {
    buf.set(chunks[i], off);
    off += chunks[i].byteLength;
  }
  return buf;
}

// ---- Bun handlers (one object each, shared by every socket; `socket.data` is the state) ----

/** A client connect in flight; becomes the socket's BunConnection on `open`. */
class Pending implements PendingConnect {
  cancelled = false; // by the core, or settled
  inCall = false; // inside Bun.connect(): Bun reports some outcomes synchronously (ENOENT, bind errors)
  bindStep = false;
  localAddress = '';
  constructor(readonly kind: 'tcp' | 'ipc' | 'auto', readonly path: string, readonly done: (err: Failure | null, conn?: Connection) => void) {}

  cancel(): void {
    this.cancelled = true;
  }

  settle(err: Failure | null, conn?: BunConnection): void {
    // The core may not have the PendingConnect in hand yet: never answer from inside connect().
    if (this.inCall) process.nextTick(settleLater, this, err, conn);
    else settleLater(this, err, conn);
  }
}

function settleLater(p: Pending, err: Failure | null, conn?: BunConnection): void {
  if (p.cancelled) {
    conn?.close(); // a connect abandoned by the core: close what arrived late
    return;
  }
  p.cancelled = true;
  p.done(err, conn);
}

const connHandlers = {
  data(s: BunSocket, d: Buffer): void {
    (s.data as BunConnection).onSockData(d);
  },
  drain(s: BunSocket): void {
    const c = s.data;
    if (c instanceof BunConnection) c.onSockDrain();
  },
  end(s: BunSocket): void {
    const c = s.data;
    if (c instanceof BunConnection) c.onSockEof(null);
  },
  close(s: BunSocket, err?: Error): void {
    const c = s.data;
    if (c instanceof BunConnection) c.onSockClose(err);
  },
  error(_s: BunSocket, err: Error): void {
    rethrow(err);
  },
};

const clientHandlers: Handlers = {
  binaryType: 'buffer',
  ...connHandlers,
  open(s: BunSocket): void {
    const p = s.data as Pending;
    if (p.cancelled) {
      s.data = null;
      s.end(); // a connect abandoned by the core: close what arrived late
      return;
    }
    const kind = p.kind !== 'auto' ? p.kind : s.remoteFamily === undefined && s.localFamily === undefined ? 'ipc' : 'tcp';
    const conn = new BunConnection(s, kind, p.path, false);
    s.data = conn;
    p.settle(null, conn);
  },
  connectError(s: BunSocket, err: Error): void {
    const p = s.data as Pending;
    if (p.cancelled) return;
    const code = codeOf(err);
    // Bun binds the local address inside its connect step and reports those failures as `connect`;
    // name the step as libuv would. EADDRNOTAVAIL is also connect's own answer when the 4-tuple is
    // taken, so ask the OS whether the local address can be bound at all.
    const bindStep = p.bindStep && (code === 'EADDRINUSE' || code === 'EACCES' || (code === 'EADDRNOTAVAIL' && !bindable(p.localAddress)));
    p.settle(failure(code, bindStep ? 'bind' : undefined));
  },
};

interface ListenState {
  events: ListenEvents;
  kind: 'tcp' | 'ipc';
  path: string;
}

const serverHandlers: Handlers = {
  binaryType: 'buffer',
  ...connHandlers,
  open(s: BunSocket): void {
    const st = s.data as ListenState;
    const conn = new BunConnection(s, st.kind, st.path, true);
    s.data = conn;
    st.events.onConnection(conn);
  },
};

const noop = (): void => {};

/** Whether `address` is one this host can bind (a listen on port 0, closed at once). */
function bindable(address: string): boolean {
  try {
    bun().listen({ hostname: address, port: 0, socket: { data: noop } }).stop(true);
    return true;
  } catch (err) {
    return codeOf(err) !== 'EADDRNOTAVAIL';
  }
}

// ---- transport ----

/** connect(2) a bound unix socket of ours (immediate for a unix socket); Bun.connect({ fd }) takes it on. */
function connectBound(bound: BunBound, path: string): number {
  const c = libc()!;
  const bytes = Buffer.from(path);
  if (bytes.length > SUN_PATH) {
    bound.close();
    throw 'EINVAL';
  }
  const addr = new Uint8Array(2 + (path.startsWith('\0') ? bytes.length : Math.min(bytes.length + 1, SUN_PATH)));
  addr[0] = AF_UNIX;
  addr.set(bytes, 2);
  const fd = bound.take();
  if (c.connect!(fd, addr, addr.length) !== 0) {
    const code = errnoName(c.errno!());
    closeFd(fd, bound.path);
    throw code;
  }
  return fd;
}

function connect(target: ConnectTarget, done: (err: Failure | null, conn?: Connection) => void): PendingConnect {
  const B = bun();
  let p: Pending;
  let options: Record<string, unknown>;
  if (target.kind === 'tcp' && target.bound) {
    // Bun cannot connect a descriptor of ours and report the outcome (it takes one as connected):
    // release the bound socket and have Bun bind the same address and port for its connect.
    const ep = target.bound.endpoint() as { address: string; port: number; family: string };
    target.bound.close();
    p = new Pending('tcp', '', done);
    const mismatch = (ep.family === 'IPv6') !== (target.family === 6);
    if (mismatch) {
      // What connect(2) answers for an address of the other family (a sockaddr_in is too short for AF_INET6).
      p.inCall = true; // answered after connect() returns
      p.settle(failure(ep.family === 'IPv6' ? 'EINVAL' : 'EAFNOSUPPORT'));
      p.inCall = false;
      return p;
    }
    options = { hostname: target.address, port: target.port, allowHalfOpen: true, socket: clientHandlers, data: p,
      localAddress: ep.address, localPort: ep.port };
    p.bindStep = true;
    p.localAddress = ep.address;
  } else if (target.kind === 'tcp') {
    p = new Pending('tcp', '', done);
    options = { hostname: target.address, port: target.port, allowHalfOpen: true, socket: clientHandlers, data: p };
    if (target.localAddress || target.localPort) {
      p.bindStep = true;
      p.localAddress = options.localAddress = target.localAddress || (target.family === 6 ? '::' : '0.0.0.0');
      if (target.localPort) options.localPort = target.localPort;
    }
  } else {
    p = new Pending('ipc', target.path, done);
    let fd: number;
    try {
      fd = target.bound ? connectBound(target.bound as BunBound, target.path) : unixFd(target.path, 'connect');
    } catch (err) {
      p.cancelled = true;
      process.nextTick(done, asFailure(err));
      return p;
    }
    options = fd >= 0 ? { fd, allowHalfOpen: true, socket: clientHandlers, data: p }
      : { unix: target.path, allowHalfOpen: true, socket: clientHandlers, data: p };
  }
  p.inCall = true;
  try {
    // Failures come through connectError; the promise's rejection is handled there.
    B.connect(options).catch(noop);
  } catch (err) {
    p.settle(failure(codeOf(err)));
  } finally {
    p.inCall = false;
  }
  return p;
}

function unlink(path: string): void {
  try {
    (builtin('node:fs') as typeof import('node:fs')).unlinkSync(path);
  } catch {
    // already gone
  }
}

function listen(target: ListenTarget, events: ListenEvents): Listener {
  const B = bun();
  const state: ListenState = { events, kind: target.kind === 'ipc' ? 'ipc' : 'tcp', path: target.kind === 'ipc' ? target.path : '' };
  const options: Record<string, unknown> = { allowHalfOpen: true, socket: serverHandlers, data: state };
  let ownFd = -1; // a descriptor made here (unixFd, bind): Bun knows no path for it, so the file is ours to unlink
  if (target.kind === 'tcp') {
    options.hostname = target.address;
    options.port = target.port;
    options.ipv6Only = target.ipv6Only;
    options.reusePort = target.reusePort;
  } else if (target.kind === 'fd') {
    options.fd = target.fd;
  } else if (target.kind === 'bound') {
    const bound = target.bound as BunBound;
    state.kind = bound.kind;
    state.path = bound.path;
    options.fd = ownFd = bound.take();
    if (libc()!.listen(ownFd, target.backlog) !== 0) {
      const code = errnoName(libc()!.errno!());
      closeFd(ownFd, state.path);
      throw code;
    }
    if (state.kind === 'tcp') ownFd = -1; // only a socket file needs our unlink
  }
  let handle: BunListener;
  try {
    if (target.kind === 'ipc') {
      ownFd = unixFd(target.path, 'bind', target.backlog);
      if (ownFd >= 0) options.fd = ownFd;
      else options.unix = target.path;
    }
    handle = B.listen(options);
  } catch (err) {
    if (ownFd >= 0) closeFd(ownFd, state.path);
    throw typeof err === 'string' ? err : codeOf(err);
  }
  if (target.kind === 'fd') {
    const out: { address?: string } = {};
    try {
      handle.getsockname(out);
    } catch {
      // not an IP socket
    }
    if (out.address === undefined) state.kind = 'ipc';
  }
  if (target.kind !== 'bound') libc()?.listen(handle.fd, target.backlog);
  if (target.kind === 'ipc' && (target.readableAll || target.writableAll) && !target.path.startsWith('\0')) {
    // libuv's uv_pipe_chmod: add r/w for everyone to the socket file's current mode.
    try {
      const fs = builtin('node:fs') as typeof import('node:fs');
      const want = (target.readableAll ? 0o444 : 0) | (target.writableAll ? 0o222 : 0);
      const mode = fs.statSync(target.path).mode;
      if ((mode & want) !== want) fs.chmodSync(target.path, mode | want);
    } catch (err) {
      handle.stop(true);
      if (ownFd >= 0) unlink(target.path);
      throw `uv_pipe_chmod ${codeOf(err)}`;
    }
  }
  return new BunListenerImpl(handle, state, ownFd >= 0 && !state.path.startsWith('\0'));
}

function closeFd(fd: number, path: string): void {
  libc()!.close!(fd);
  if (path && !path.startsWith('\0')) unlink(path);
}

// ---- net.BoundSocket: socket(2) and bind(2) through bun:ffi (Bun.listen binds and listens at once) ----

const AF_UNIX = 1;
const AF_INET = 2;
const AF_INET6 = 10;
const SOCK_STREAM_NB = 1 | 0o4000 | 0o2000000; // SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC
const SOL_SOCKET = 1;
const SO_REUSEADDR = 2;
const SO_REUSEPORT = 15;
const IPPROTO_IPV6 = 41;
const IPV6_V6ONLY = 26;

/** A sockaddr_in/sockaddr_in6 for an IP literal (Linux layout, little-endian sa_family_t). */
function sockaddr(address: string, port: number, family: 4 | 6): Uint8Array {
  const sa = new Uint8Array(family === 6 ? 28 : 16);
  sa[0] = family === 6 ? AF_INET6 : AF_INET;
  sa[2] = port >> 8;
  sa[3] = port & 255;
  if (family === 4) {
    const v = parseIPv4(address);
    if (v < 0) throw 'EINVAL';
    sa[4] = v >>> 24; sa[5] = (v >>> 16) & 255; sa[6] = (v >>> 8) & 255; sa[7] = v & 255;
  } else {
    const w = new Uint16Array(8);
    if (!parseIPv6(address, w)) throw 'EINVAL';
    for (let i = 0; i < 8; i++) { sa[8 + 2 * i] = w[i] >> 8; sa[9 + 2 * i] = w[i] & 255; }
    const zone = address.indexOf('%');
    // A numeric zone id; a name would need if_nametoindex.
    if (zone >= 0) {
      const id = Number(address.slice(zone + 1));
      if (!Number.isInteger(id)) throw 'EINVAL';
      new DataView(sa.buffer).setUint32(24, id, true);
    }
  }
  return sa;
}

/** A socket bound by us, not listening yet: a server adopts it with Bun.listen({ fd }). */
class BunBound implements Bound {
  private fdValue: number;

  constructor(fd: number, readonly kind: 'tcp' | 'ipc', readonly path: string, private readonly ep: Endpoint) {
    this.fdValue = fd;
  }

  get fd(): number { return this.fdValue; }
  endpoint(): Endpoint { return this.ep; }

  close(): void {
    if (this.fdValue < 0) return;
    // As libuv's close of a bound pipe: the socket file goes too.
    closeFd(this.fdValue, this.path);
    this.fdValue = -1;
  }

  take(): number {
    const fd = this.fdValue;
    if (fd < 0) throw 'EBADF';
    this.fdValue = -1;
    return fd;
  }
}

function bind(target: BindTarget): Bound {
  const c = libc();
  if (!c?.socket || !c.bind || !c.close || !c.setsockopt || !c.getsockname || !c.errno) throw 'ENOTSUP';
  let addr: Uint8Array;
  if (target.kind === 'ipc') {
    const bytes = Buffer.from(target.path);
    if (bytes.length > SUN_PATH) throw 'EINVAL';
    addr = new Uint8Array(2 + Math.min(bytes.length + 1, SUN_PATH));
    addr[0] = AF_UNIX;
    addr.set(bytes, 2);
    // An abstract name is exactly its bytes; a file name ends at its NUL.
    if (target.path.startsWith('\0')) addr = addr.subarray(0, 2 + bytes.length);
  } else {
    addr = sockaddr(target.address, target.port, target.family);
  }
  const fd = c.socket(addr[0], SOCK_STREAM_NB, 0);
  if (fd < 0) throw errnoName(c.errno());
  const errno = c.errno;
  const fail = (): never => {
    const code = errnoName(errno());
    c.close!(fd);
    throw code;
  };
  if (target.kind === 'tcp') {
    // libuv's uv_tcp_bind: SO_REUSEADDR always, IPV6_V6ONLY as asked on IPv6, SO_REUSEPORT on request.
    const on = new Int32Array([1]);
    if (c.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, on, 4) !== 0) fail();
    if (target.family === 6 && c.setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, new Int32Array([target.ipv6Only ? 1 : 0]), 4) !== 0) fail();
    if (target.reusePort && c.setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, on, 4) !== 0) fail();
  }
  if (c.bind(fd, addr, addr.length) !== 0) fail();
  if (target.kind === 'ipc') return new BunBound(fd, 'ipc', target.path, target.path);
  const out = new Uint8Array(28);
  if (c.getsockname(fd, out, new Uint32Array([28])) !== 0) fail();
  const port = (out[2] << 8) | out[3];
  let address: string;
  if (out[0] === AF_INET6) {
    const w = new Uint16Array(8);
    for (let i = 0; i < 8; i++) w[i] = (out[8 + 2 * i] << 8) | out[9 + 2 * i];
    address = formatIPv6(w);
  } else {
    address = formatIPv4(((out[4] << 24) | (out[5] << 16) | (out[6] << 8) | out[7]) >>> 0);
  }
  return new BunBound(fd, 'tcp', '', { address, port, family: out[0] === AF_INET6 ? 'IPv6' : 'IPv4' });
}

class BunListenerImpl implements Listener {
  private closed = false;

  constructor(private readonly handle: BunListener, private readonly state: ListenState, private readonly unlinkOnClose: boolean) {}

  get fd(): number {
    return this.closed ? -1 : this.handle.fd;
  }

  endpoint(): Endpoint {
    if (this.state.kind === 'ipc') return this.state.path;
    const out: { address?: string; port?: number; family?: string } = {};
    if (!this.closed) this.handle.getsockname(out);
    return { address: out.address ?? '', port: out.port ?? 0, family: out.family === 'IPv6' ? 'IPv6' : 'IPv4' };
  }

  close(done?: () => void): void {
    if (!this.closed) {
      this.closed = true;
      // false: accepted connections stay open. Bun unlinks a unix socket file here, as libuv does.
      this.handle.stop(false);
      if (this.unlinkOnClose) unlink(this.state.path);
    }
    if (done) process.nextTick(done);
  }

  ref(): void {
    if (!this.closed) this.handle.ref();
  }

  unref(): void {
    if (!this.closed) this.handle.unref();
  }
}

function adopt(fd: number): Connection {
  const B = bun();
  // Bun reports a bad descriptor as ECONNREFUSED; ask the OS what it is first.
  const fs = builtin('node:fs') as typeof import('node:fs');
  let isSocket: boolean;
  try {
    isSocket = fs.fstatSync(fd).isSocket();
  } catch (err) {
    throw codeOf(err);
  }
  if (!isSocket) throw 'ENOTSOCK';
  let conn: Connection | undefined;
  let failed: Failure = failure('EBADF');
  const p = new Pending('auto', '', (err, c) => {
    if (err) failed = err;
    conn = c;
  });
  try {
    B.connect({ fd, allowHalfOpen: true, socket: clientHandlers, data: p }).catch(noop);
  } catch (err) {
    throw codeOf(err);
  }
  // Bun opens an adopted descriptor synchronously.
  if (!conn) {
    p.cancelled = true;
    throw failed;
  }
  return conn;
}

// #17: Bun's node:cluster and child_process hand sockets over as descriptors ({ fd }).
function adoptHandle(handle: unknown): Connection {
  const fd = (handle as { fd?: unknown } | null)?.fd;
  if (typeof fd !== 'number' || fd < 0) throw failure('EINVAL');
  return adopt(fd);
}

const capabilities: Capabilities = {
  localAddress: true,
  keepAliveDelay: true,
  reset: true,
  // Bun.listen ignores `backlog` (always 512); listen(2) again through bun:ffi sets Node's value.
  get backlog(): boolean {
    return libc() !== null;
  },
  get ipcBacklog(): boolean {
    return libc() !== null;
  },
  ipv6Only: true,
  reusePort: true,
  ipcPermissions: true,
  // The '\0' namespace exists on Linux only.
  get abstractIpc(): boolean {
    return process.platform === 'linux';
  },
  // Bun.listen/Bun.connect({ unix }) take named pipes on Windows: Bun's own node:net listens that way.
  namedPipes: true,
  adoptFd: true,
  typeOfService: true,
  // socket(2)/bind(2) through bun:ffi (Linux), as the long IPC paths use; Bun.listen({ fd }) adopts it.
  get bind(): boolean {
    return !!libc()?.getsockname;
  },
  get bindConnect(): boolean {
    return !!libc()?.getsockname;
  },
};

/** The contract's Failure for what this file's OS helpers throw: a code string, `'uv_pipe_chmod EPERM'`, or an Error. */
function asFailure(err: unknown): Failure {
  if (typeof err !== 'string') return failure(codeOf(err));
  const at = err.indexOf(' ');
  return at < 0 ? failure(err) : failure(err.slice(at + 1), err.slice(0, at));
}

/** A contract entry point: whatever the OS helpers throw leaves as a Failure. */
function failing<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  return (...args) => {
    try {
      return fn(...args);
    } catch (err) {
      throw asFailure(err);
    }
  };
}

export const transport: Transport = {
  get runtime(): string {
    const b = (globalThis as unknown as { Bun?: { version?: string } }).Bun;
    return b?.version ? `Bun ${b.version}` : 'bun';
  },
  capabilities,
  connect,
  listen: failing(listen),
  bind: failing(bind),
  adopt: failing(adopt),
  adoptHandle, // #17
};
export default transport;
