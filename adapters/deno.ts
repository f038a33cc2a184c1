// crossnet's transport for Deno: Deno.connect / Deno.listen (tcp and unix) with read/write loops.
// Nothing here touches `Deno` at module load: the file is also imported on Node and Bun.
import type { Deno as ShimDeno } from '@deno/shim-deno';
import process from 'node:process';
// #17: Deno's node:cluster/child_process deliver its compat handles; the compat adapter wraps them.
import { adoptHandle } from './deno-compat.ts';
import { compatHandleOf } from './deno-handoff.ts';
import { osErrnoCode } from '../src/errno.ts';
import { sunPathSize } from '../src/platform.ts';
import type {
  BindTarget, Bound, Capabilities, Connection, ConnectTarget, Endpoint, Failure, IpEndpoint, Listener, ListenEvents, ListenTarget,
  PendingConnect, Receiver, Transport,
} from '../src/transport.ts';
import { failure } from '../src/failure.ts';

// The parts of Deno's API used here (kept local so the emitted .d.ts never names Deno's types).
interface DenoAddr {
  transport: string;
  hostname?: string;
  port?: number;
  /** null for an unnamed (client) Unix socket. */
  path?: string | null;
}
interface DenoConn {
  read(p: Uint8Array): Promise<number | null>;
  write(p: Uint8Array): Promise<number>;
  close(): void;
  closeWrite(): Promise<void>;
  readonly localAddr: DenoAddr;
  readonly remoteAddr: DenoAddr;
  ref(): void;
  unref(): void;
  setNoDelay?(noDelay?: boolean): void;
  setKeepAlive?(keepAlive?: boolean): void;
}
interface DenoListener {
  accept(): Promise<DenoConn>;
  close(): void;
  readonly addr: DenoAddr;
  ref(): void;
  unref(): void;
}
interface DenoApi {
  connect(options: { transport: 'tcp'; hostname: string; port: number; signal?: AbortSignal }
    | { transport: 'unix'; path: string }): Promise<DenoConn>;
  listen(options: { transport: 'tcp'; hostname: string; port: number; tcpBacklog?: number; reusePort?: boolean }
    | { transport: 'unix'; path: string }): DenoListener;
  statSync(path: string): { mode: number | null };
  chmodSync(path: string, mode: number): void;
  symlinkSync(target: string, path: string): void;
  linkSync(oldpath: string, newpath: string): void;
  removeSync(path: string): void;
  cwd(): string;
  readonly pid: number;
  readonly version: { deno: string };
  /** Present only under --unstable-net, the same flag `reusePort` needs. */
  readonly listenDatagram?: unknown;
}

// The slices above, checked at compile time against Deno's published types (@deno/shim-deno): the
// real TcpConn, UnixConn and Listener must provide every member used here, with these signatures.
type Satisfies<Real, Used> = [Real] extends [Used] ? true : false;
type MustHold<T extends true> = T;
type DenoTypeCheck = [
  MustHold<Satisfies<ShimDeno.TcpConn, DenoConn>>,
  MustHold<Satisfies<ShimDeno.UnixConn, Omit<DenoConn, 'setNoDelay' | 'setKeepAlive'>>>,
  MustHold<Satisfies<ShimDeno.Listener, DenoListener>>,
];

let api: DenoApi | undefined;
function deno(): DenoApi {
  if (api) return api;
  const d = (globalThis as { Deno?: DenoApi }).Deno;
  if (!d || typeof d.connect !== 'function') throw new Error('crossnet: the Deno adapter needs the Deno global (run on Deno)');
  return (api = d);
}

// Reads go into a per-connection slab; each large read is handed to the core as a view of it and
// the next read continues after it, so no byte is zeroed twice and nothing is copied. Small reads are
// copied out instead (the slab space is reused), so a few retained bytes never pin a whole slab.
// The slab grows while reads fill it (fewer, larger reads under load, as raw Deno.Conn loops do with
// big buffers) and shrinks back when reads turn small, so idle connections hold only READ_MIN.
const READ_MIN = 4 * 1024;
const READ_MAX = 1024 * 1024;
const READ_COPY = 4 * 1024;
// Writes: a chunk this large goes to the OS as is; smaller neighbours are joined (one copy) up to
// WRITE_JOIN_MAX bytes, since Deno has no vectored write.
const WRITE_LARGE = 16 * 1024;
const WRITE_JOIN_MAX = 256 * 1024;

// Deno.errors class names, for errors that carry no `code`.
const CLASS_CODES: Readonly<Record<string, string>> = {
  NotFound: 'ENOENT',
  PermissionDenied: 'EACCES',
  NotCapable: 'EACCES', // Deno's own --allow-* sandbox said no
  ConnectionRefused: 'ECONNREFUSED',
  ConnectionReset: 'ECONNRESET',
  ConnectionAborted: 'ECONNABORTED',
  NotConnected: 'ENOTCONN',
  AddrInUse: 'EADDRINUSE',
  AddrNotAvailable: 'EADDRNOTAVAIL',
  BrokenPipe: 'EPIPE',
  AlreadyExists: 'EEXIST',
  TimedOut: 'ETIMEDOUT',
  Interrupted: 'EINTR',
  WouldBlock: 'EAGAIN',
  BadResource: 'EBADF',
  Busy: 'EBUSY',
  NotSupported: 'ENOTSUP',
  NetworkUnreachable: 'ENETUNREACH',
  NotADirectory: 'ENOTDIR',
  IsADirectory: 'EISDIR',
  FilesystemLoop: 'ELOOP',
  InvalidData: 'EINVAL',
  // Input Deno rejects before any syscall (a NUL in a path, a path too long, a port out of range).
  TypeError: 'EINVAL',
  RangeError: 'EINVAL',
};

/** Deno's error → Node's code: `.code` when Deno set one, else the `(os error N)` errno, else the class. */
function codeOf(err: unknown): string {
  const e = err as { code?: unknown; name?: unknown; message?: unknown } | null;
  if (e && typeof e.code === 'string' && /^E[A-Z0-9_]+$/.test(e.code)) return e.code;
  const m = e && typeof e.message === 'string' ? /\(os error (\d+)\)/.exec(e.message) : null;
  if (m) {
    const name = osErrnoCode(Number(m[1]));
    if (name) return name;
  }
  const cls = e && typeof e.name === 'string' ? CLASS_CODES[e.name] : undefined;
  return cls ?? 'UNKNOWN';
}

function ipEndpoint(addr: DenoAddr | undefined): IpEndpoint | undefined {
  if (!addr || typeof addr.hostname !== 'string' || typeof addr.port !== 'number') return undefined;
  // Deno prints IPv6 without brackets, as Node does.
  return { address: addr.hostname, port: addr.port, family: addr.hostname.includes(':') ? 'IPv6' : 'IPv4' };
}

const later = (fn: () => void): void => queueMicrotask(fn);

interface WriteReq {
  chunks: readonly Uint8Array[];
  done: (err: Failure | null) => void;
}

// A read outcome that arrived after readStop, kept for the next readStart.
type Held = { chunk: Uint8Array } | { end: true } | { error: Failure };

class DenoConnection implements Connection {
  readonly fd = -1;
  private receiver: Receiver | null = null;
  private closed = false;
  private wantRead = false;
  private readPending = false;
  private readDone = false; // EOF or a read error: no more reads
  private held: Held | null = null;
  private deliverQueued = false;
  private buf: Uint8Array | null = null; // the read slab
  private bufAt = 0; // where the next read goes in it
  private readSize = READ_MIN; // the size of the next slab
  private view: Uint8Array | null = null; // what the pending read fills
  // Writes: a FIFO of requests; `chunkAt` indexes the first chunk of queue[0] not yet in a segment.
  private queue: WriteReq[] = [];
  private chunkAt = 0;
  private writing = false;
  private segment: Uint8Array | null = null;
  private segmentCompletes = 0;
  private writeError: Failure | null = null;
  private shutdowns: ((err: Failure | null) => void)[] | null = null;
  private shutdownStarted = false;
  // Deno promises not yet settled; the descriptor is released once they are after close().
  private inflight = 0;
  private closeCbs: (() => void)[] | null = null;

  /**
   * For IPC, `serverPath` is the listening path on an accepted connection and `peerPath` the path a
   * client connected to (Deno would report the short stand-in used for paths that fill sun_path).
   */
  constructor(private readonly conn: DenoConn, readonly kind: 'tcp' | 'ipc', private readonly serverPath = '',
    private readonly peerPath = '') {}

  setReceiver(receiver: Receiver): void {
    this.receiver = receiver;
  }

  // #17: as the compat handle Deno's child_process sends (adapters/deno-handoff.ts). Released, the
  // handle owns the socket: nothing may be in flight on the Deno.Conn (a read cannot be withdrawn).
  // Kept (keepOpen), the Deno.Conn and the handle would drive one resource: not offered.
  exportHandle(release: boolean): unknown {
    if (this.closed || this.kind !== 'tcp' || !release) throw failure('ENOTSUP');
    if (this.readPending || this.held || this.writing || this.queue.length) throw failure('EBUSY');
    const handle = compatHandleOf(this.conn);
    this.closed = true;
    this.receiver = null;
    return handle;
  }

  // ---- reading -----------------------------------------------------------------------------------

  readStart(): void {
    if (this.closed || this.wantRead) return;
    this.wantRead = true;
    if (this.held) this.queueDeliver();
    else if (!this.readPending && !this.readDone) this.issueRead();
  }

  readStop(): void {
    // A read already handed to Deno cannot be withdrawn; its result is held until readStart.
    this.wantRead = false;
  }

  private issueRead(): void {
    this.readPending = true;
    this.inflight++;
    let buf = this.buf;
    if (buf === null || buf.byteLength - this.bufAt < READ_MIN) {
      buf = this.buf = new Uint8Array(this.readSize);
      this.bufAt = 0;
    }
    const view = this.view = this.bufAt === 0 ? buf : buf.subarray(this.bufAt);
    this.conn.read(view).then(this.onRead, this.onReadError);
  }

  private onRead = (n: number | null): void => {
    this.readPending = false;
    if (--this.inflight === 0 && this.closed) this.finishClose();
    if (this.closed) return;
    if (n === null) {
      this.readDone = true;
      this.deliver({ end: true });
      return;
    }
    if (n === 0) {
      if (this.wantRead) this.issueRead();
      return;
    }
    const view = this.view!;
    const slab = this.buf!.byteLength;
    this.view = null;
    let chunk: Uint8Array;
    if (n < READ_COPY || n < slab >>> 4) {
      chunk = view.slice(0, n);
      if (slab > READ_MIN) {
        // Reads turned small: next time a smaller slab, and let go of this one now if it is large.
        this.readSize = Math.max(READ_MIN, this.readSize >>> 2);
        if (slab > this.readSize << 2) this.buf = null;
      }
    } else {
      chunk = n === view.byteLength && this.bufAt === 0 ? view : view.subarray(0, n);
      this.bufAt += n;
      // A full read means more is waiting: read more at a time.
      if (n === view.byteLength && this.readSize < READ_MAX) this.readSize <<= 1;
    }
    const r = this.receiver;
    if (!this.wantRead || !r) {
      this.held = { chunk };
      return;
    }
    r.onData(chunk);
    // onData may have paused, resumed (issuing the read itself) or closed.
    if (this.wantRead && !this.closed && !this.readPending && !this.readDone) this.issueRead();
  };

  private onReadError = (err: unknown): void => {
    this.readPending = false;
    if (--this.inflight === 0 && this.closed) this.finishClose();
    // After close, the cancelled read's rejection is expected, not a failure.
    if (this.closed) return;
    this.readDone = true;
    this.deliver({ error: failure(codeOf(err)) });
  };

  private deliver(h: Held): void {
    if (!this.wantRead || !this.receiver) {
      this.held = h;
      return;
    }
    this.emit(h);
  }

  private emit(h: Held): void {
    const r = this.receiver!;
    if ('chunk' in h) {
      r.onData(h.chunk);
      // onData may have paused, resumed (issuing the read itself) or closed.
      if (this.wantRead && !this.closed && !this.readPending && !this.readDone) this.issueRead();
    } else if ('end' in h) {
      r.onEnd();
    } else {
      r.onError(h.error);
    }
  }

  private queueDeliver(): void {
    if (this.deliverQueued) return;
    this.deliverQueued = true;
    later(() => {
      this.deliverQueued = false;
      const h = this.held;
      if (!h || this.closed || !this.wantRead || !this.receiver) return;
      this.held = null;
      this.emit(h);
    });
  }

  // ---- writing -----------------------------------------------------------------------------------

  write(chunks: readonly Uint8Array[], done: (err: Failure | null) => void): void {
    if (this.closed || this.writeError) {
      const code = this.writeError ?? failure('EBADF');
      later(() => done(code));
      return;
    }
    this.queue.push({ chunks, done });
    this.pump();
  }

  shutdown(done: (err: Failure | null) => void): void {
    if (this.closed) {
      later(() => done(null));
      return;
    }
    if (this.writeError) {
      const code = this.writeError;
      later(() => done(code));
      return;
    }
    (this.shutdowns ??= []).push(done);
    this.pump();
  }

  private pump(): void {
    if (this.writing || this.closed || this.writeError) return;
    if (this.queue.length === 0) {
      if (this.shutdowns && !this.shutdownStarted) this.startShutdown();
      return;
    }
    this.writing = true;
    const queue = this.queue;
    if (queue.length === 1 && this.chunkAt === 0 && queue[0].chunks.length === 1 && queue[0].chunks[0].byteLength > 0) {
      // The common case: one request of one chunk, written as is.
      this.segment = queue[0].chunks[0];
      this.segmentCompletes = 1;
      this.writeSome();
      return;
    }
    // Build the next segment: one large chunk as is, or a run of small chunks joined.
    const parts: Uint8Array[] = [];
    let total = 0;
    let completes = 0;
    let at = this.chunkAt;
    for (let i = 0; i < queue.length; i++) {
      const chunks = queue[i].chunks;
      let stop = false;
      while (at < chunks.length) {
        const c = chunks[at];
        const len = c.byteLength;
        if (len === 0) {
          at++;
          continue;
        }
        if (len >= WRITE_LARGE || total + len > WRITE_JOIN_MAX) {
          if (parts.length === 0) {
            parts.push(c);
            total = len;
            at++;
          }
          stop = true;
          break;
        }
        parts.push(c);
        total += len;
        at++;
      }
      if (at === chunks.length) {
        completes++;
        at = 0;
      }
      if (stop) break;
    }
    this.chunkAt = at;
    this.segmentCompletes = completes;
    if (total === 0) {
      // Only empty chunks: nothing to hand to the OS, but keep the callbacks asynchronous and in order.
      later(() => this.segmentWritten());
      return;
    }
    let seg: Uint8Array;
    if (parts.length === 1) {
      seg = parts[0];
    } else {
      seg = new Uint8Array(total);
      let off = 0;
      for (const p of parts) {
        seg.set(p, off);
        off += p.byteLength;
      }
    }
    this.segment = seg;
    this.writeSome();
  }

  private writeSome(): void {
    this.inflight++;
    this.conn.write(this.segment!).then(this.onWrite, this.onWriteError);
  }

  private onWrite = (n: number): void => {
    if (--this.inflight === 0 && this.closed) this.finishClose();
    if (this.closed) return;
    const seg = this.segment!;
    if (n < seg.byteLength) {
      // Partial write: the rest goes next, before anything queued after it.
      this.segment = seg.subarray(n);
      this.writeSome();
      return;
    }
    this.segmentWritten();
  };

  private segmentWritten(): void {
    if (this.closed) return;
    this.segment = null;
    this.writing = false;
    const k = this.segmentCompletes;
    this.segmentCompletes = 0;
    if (k === 1) {
      this.queue.shift()!.done(null);
    } else if (k > 0) {
      for (const req of this.queue.splice(0, k)) req.done(null);
    }
    this.pump();
  }

  private onWriteError = (err: unknown): void => {
    if (--this.inflight === 0 && this.closed) this.finishClose();
    if (this.closed) return;
    const code = failure(codeOf(err));
    this.writeError = code;
    this.segment = null;
    this.writing = false;
    this.failWrites(code);
  };

  /** Every queued write and shutdown fails with `code` (each callback once). */
  private failWrites(code: Failure): void {
    const reqs = this.queue;
    const shutdowns = this.shutdownStarted ? null : this.shutdowns;
    this.queue = [];
    this.chunkAt = 0;
    this.shutdowns = null;
    for (const req of reqs) req.done(code);
    if (shutdowns) for (const cb of shutdowns) cb(code);
  }

  private startShutdown(): void {
    this.shutdownStarted = true;
    this.inflight++;
    const finish = (code: string | null): void => {
      if (--this.inflight === 0 && this.closed) this.finishClose();
      const cbs = this.shutdowns ?? [];
      this.shutdowns = null;
      this.shutdownStarted = false;
      // A shutdown on a connection the peer already dropped is not an error, as on Node.
      const result = code === 'ENOTCONN' || code === null ? null : failure(code);
      for (const cb of cbs) cb(this.closed ? failure('ECANCELED') : result);
    };
    this.conn.closeWrite().then(() => finish(null), (err) => finish(codeOf(err)));
  }

  // ---- closing -----------------------------------------------------------------------------------

  close(done?: () => void): void {
    if (this.closed) {
      if (done) {
        if (this.closeCbs) this.closeCbs.push(done);
        else later(done);
      }
      return;
    }
    this.closed = true;
    this.wantRead = false;
    this.held = null;
    this.buf = null;
    this.view = null;
    this.closeCbs = done ? [done] : [];
    try {
      this.conn.close();
    } catch {
      // already closed by Deno
    }
    // libuv cancels pending writes with ECANCELED on close; do the same.
    const reqs = this.queue;
    const shutdowns = this.shutdownStarted ? null : this.shutdowns;
    this.queue = [];
    if (!this.shutdownStarted) this.shutdowns = null;
    this.segment = null;
    if (reqs.length || shutdowns) {
      later(() => {
        for (const req of reqs) req.done(failure('ECANCELED'));
        if (shutdowns) for (const cb of shutdowns) cb(failure('ECANCELED'));
      });
    }
    if (this.inflight === 0) later(() => this.finishClose());
  }

  private finishClose(): void {
    const cbs = this.closeCbs;
    if (!cbs) return;
    this.closeCbs = null;
    for (const cb of cbs) cb();
  }

  // Deno has no abortive close (capability `reset` is false); the core never calls this.
  reset(done?: () => void): void {
    this.close(done);
  }

  // ---- options -----------------------------------------------------------------------------------

  setNoDelay(enable: boolean): void {
    if (this.kind !== 'tcp' || this.closed) return;
    try {
      this.conn.setNoDelay?.(enable);
    } catch {
      // the socket is gone; Node ignores this too
    }
  }

  setKeepAlive(enable: boolean, _delaySeconds: number): void {
    if (this.kind !== 'tcp' || this.closed) return;
    try {
      this.conn.setKeepAlive?.(enable);
    } catch {
      // as above
    }
  }

  ref(): void {
    try {
      this.conn.ref();
    } catch {
      // closed
    }
  }

  unref(): void {
    try {
      this.conn.unref();
    } catch {
      // closed
    }
  }

  localEndpoint(): Endpoint | undefined {
    // An unnamed client end reports '' (Deno: null), as libuv's getsockname does.
    if (this.kind === 'ipc') return this.serverPath || (this.peerPath ? '' : this.conn.localAddr?.path ?? '');
    return ipEndpoint(this.conn.localAddr);
  }

  remoteEndpoint(): Endpoint | undefined {
    if (this.kind === 'ipc') return this.peerPath || (this.conn.remoteAddr?.path ?? '');
    return ipEndpoint(this.conn.remoteAddr);
  }
}

const encoder = new TextEncoder();
let aliasCount = 0;

/** sockaddr_un.sun_path's size here (108 on Linux, 104 on macOS and the BSDs). */
const SUN_PATH = sunPathSize() ?? 0;

/**
 * Linux takes a socket path that fills all of sun_path (no NUL), and so does Node, but Deno
 * (Rust's std) wants room for a NUL and refuses it. For exactly that length, a short name in
 * /tmp stands in: a symlink to the socket for connect, and for listen a short bind that is then
 * hard-linked to the full path (a Unix socket is found by its inode, whatever the name).
 */
function needsAlias(path: string): boolean {
  return path.length <= SUN_PATH && path.charCodeAt(0) !== 0 && encoder.encode(path).byteLength === SUN_PATH;
}

function shortName(): string {
  return `/tmp/.crossnet-${deno().pid}-${++aliasCount}`;
}

function absolute(path: string): string {
  return path[0] === '/' ? path : `${deno().cwd()}/${path}`;
}

function removeQuietly(path: string): void {
  try {
    deno().removeSync(path);
  } catch {
    // already gone
  }
}

// Node closes a listening socket at once; Deno only once the listener's pending accept has been
// cancelled, a turn of the event loop later. Until then a connect would still be accepted (and
// reset) and a listen on the same address would fail, so both wait for such closes to finish.
let listenersClosing = 0;
let waitingForCloses: (() => void)[] = [];
/** What the closing listeners still hold (`tcp:port`, `ipc:path`): a listen on it waits for them. */
const closingHolds = new Map<string, number>();

function holdKey(kind: 'tcp' | 'ipc', port: number | undefined, path: string): string {
  return kind === 'tcp' ? `tcp:${port}` : `ipc:${absolute(path)}`;
}

function afterListenerCloses(fn: () => void): void {
  if (listenersClosing === 0) fn();
  else waitingForCloses.push(fn);
}

function listenerClosed(): void {
  if (--listenersClosing > 0) return;
  const waiting = waitingForCloses;
  waitingForCloses = [];
  for (const fn of waiting) fn();
}

class DenoConnect implements PendingConnect {
  private cancelled = false;

  constructor(private readonly target: ConnectTarget, private readonly done: (err: Failure | null, conn?: Connection) => void) {
    if (target.kind === 'tcp' && (target.localAddress || target.localPort)) {
      // Capability `localAddress` is false; the core rejects this before it gets here.
      this.fail('ENOTSUP', 'bind');
    } else if (listenersClosing === 0) {
      this.start();
    } else {
      afterListenerCloses(() => this.start());
    }
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    // A connection that still arrives is closed in onConnect.
  }

  private fail(code: string, syscall?: string): void {
    later(() => {
      if (!this.cancelled) this.done(failure(code, syscall));
    });
  }

  private start(): void {
    if (this.cancelled) return;
    const target = this.target;
    let promise: Promise<DenoConn>;
    try {
      const d = deno();
      if (target.kind === 'tcp') {
        // Deno refuses port 0 itself (RangeError); Linux answers a connect to it with ECONNREFUSED.
        if (target.port === 0 && process.platform === 'linux') {
          this.fail('ECONNREFUSED');
          return;
        }
        // No AbortSignal: one per connect costs more than closing the rare late connection.
        promise = d.connect({ transport: 'tcp', hostname: target.address, port: target.port });
      } else if (needsAlias(target.path)) {
        const link = shortName();
        d.symlinkSync(absolute(target.path), link);
        const remove = (): void => removeQuietly(link);
        promise = d.connect({ transport: 'unix', path: link });
        promise.then(remove, remove);
      } else {
        promise = d.connect({ transport: 'unix', path: target.path });
      }
    } catch (err) {
      this.fail(codeOf(err));
      return;
    }
    promise.then(this.onConnect, this.onError);
  }

  private onConnect = (conn: DenoConn): void => {
    if (this.cancelled) {
      try {
        conn.close();
      } catch {
        // already closed
      }
      return;
    }
    const target = this.target;
    this.done(null, new DenoConnection(conn, target.kind, '', target.kind === 'ipc' ? target.path : ''));
  };

  private onError = (err: unknown): void => {
    if (!this.cancelled) this.done(failure(codeOf(err)));
  };
}

function connect(target: ConnectTarget, done: (err: Failure | null, conn?: Connection) => void): PendingConnect {
  return new DenoConnect(target, done);
}

class DenoServer implements Listener {
  readonly fd = -1;
  private closed = false;
  private accepting: Promise<void> | null = null;
  private closeCbs: (() => void)[] | null = null;
  private countedClose = false; // counted in listenersClosing until released

  private hold = '';

  constructor(private readonly listener: DenoListener, private readonly kind: 'tcp' | 'ipc', private readonly path: string,
    private readonly events: ListenEvents, private readonly unlinkOnClose: string | null) {
    this.acceptNext();
  }

  private acceptNext(): void {
    this.accepting = this.listener.accept().then(this.onAccept, this.onAcceptError);
  }

  private onAccept = (conn: DenoConn): void => {
    this.accepting = null;
    if (this.closed) {
      try {
        conn.close();
      } catch {
        // already closed
      }
      this.finishClose();
      return;
    }
    this.events.onConnection(new DenoConnection(conn, this.kind, this.path));
    if (!this.closed) this.acceptNext();
    else this.finishClose();
  };

  private onAcceptError = (err: unknown): void => {
    this.accepting = null;
    if (this.closed) {
      this.finishClose();
      return;
    }
    this.events.onError(failure(codeOf(err)));
    // Retry on a later turn so a persistent failure (EMFILE) cannot starve the event loop.
    if (!this.closed) setTimeout(() => { if (!this.closed) this.acceptNext(); }, 0);
  };

  endpoint(): Endpoint {
    if (this.kind === 'ipc') return this.path;
    return ipEndpoint(this.listener.addr) ?? { address: '', port: 0, family: 'IPv4' };
  }

  close(done?: () => void): void {
    if (this.closed) {
      if (done) {
        if (this.closeCbs) this.closeCbs.push(done);
        else later(done);
      }
      return;
    }
    this.closed = true;
    this.closeCbs = done ? [done] : [];
    try {
      this.listener.close();
    } catch {
      // already closed
    }
    // Deno releases the socket (and unlinks an IPC socket file) once the pending accept settles.
    if (this.accepting) {
      listenersClosing++;
      this.countedClose = true;
      this.hold = holdKey(this.kind, this.listener.addr.port, this.path);
      closingHolds.set(this.hold, (closingHolds.get(this.hold) ?? 0) + 1);
    } else {
      later(() => this.finishClose());
    }
  }

  private finishClose(): void {
    const cbs = this.closeCbs;
    if (!cbs) return;
    this.closeCbs = null;
    // Deno unlinks only the name it bound (the short stand-in, already gone); this is the real one.
    if (this.unlinkOnClose) removeQuietly(this.unlinkOnClose);
    if (this.countedClose) {
      this.countedClose = false;
      const left = (closingHolds.get(this.hold) ?? 1) - 1;
      if (left > 0) closingHolds.set(this.hold, left);
      else closingHolds.delete(this.hold);
      listenerClosed();
    }
    for (const cb of cbs) cb();
  }

  ref(): void {
    if (!this.closed) this.listener.ref();
  }

  unref(): void {
    if (!this.closed) this.listener.unref();
  }
}

function listen(target: ListenTarget, events: ListenEvents): Listener {
  if (target.kind === 'bound') {
    const b = (target.bound as DenoBound).take();
    return new DenoServer(b.listener, b.kind, b.path, events, b.linked);
  }
  try {
    return listenNow(target, events);
  } catch (code) {
    // The address is still held by a listener of ours that is closing (Node would have let go of it
    // already): the listen completes once that close does.
    const key = target.kind === 'tcp' ? target.port && holdKey('tcp', target.port, '') : target.kind === 'ipc' ? holdKey('ipc', 0, target.path) : '';
    if ((code as Failure).code === 'EADDRINUSE' && !(code as Failure).syscall && key && closingHolds.has(key)) return new DeferredListener(target, events);
    throw code;
  }
}

/** A listen that waits for a closing listener of ours to release its address; its endpoint is known. */
class DeferredListener implements Listener {
  readonly fd = -1;
  private real: Listener | null = null;
  private closed = false;
  private refed = true;

  constructor(private readonly target: ListenTarget, private readonly events: ListenEvents) {
    afterListenerCloses(() => this.start());
  }

  private start(): void {
    if (this.closed) return;
    try {
      this.real = listenNow(this.target, this.events);
      if (!this.refed) this.real.unref();
    } catch (code) {
      this.closed = true;
      this.events.onError(failure((code as Failure).code, (code as Failure).syscall ?? 'listen'));
    }
  }

  endpoint(): Endpoint {
    if (this.real) return this.real.endpoint();
    const t = this.target;
    if (t.kind === 'ipc') return t.path;
    const tcp = t as { address: string; port: number; family: 4 | 6 };
    return { address: tcp.address, port: tcp.port, family: tcp.family === 6 ? 'IPv6' : 'IPv4' };
  }

  close(done?: () => void): void {
    this.closed = true;
    if (this.real) this.real.close(done);
    else if (done) later(done);
  }

  ref(): void {
    this.refed = true;
    this.real?.ref();
  }

  unref(): void {
    this.refed = false;
    this.real?.unref();
  }
}

interface Opened { listener: DenoListener; kind: 'tcp' | 'ipc'; path: string; linked: string | null }

/** Deno.listen: binds and listens in one synchronous call; throws Node's error code. */
function open(target: BindTarget | ListenTarget, backlog?: number): Opened {
  if (target.kind === 'fd' || target.kind === 'bound' || (target.kind === 'tcp' && (target.ipv6Only || (target.reusePort && !capabilities.reusePort)))) {
    // Capabilities `adoptFd`/`ipv6Only`/`reusePort` say no; the core rejects these before they get here.
    throw failure('ENOTSUP');
  }
  let listener: DenoListener;
  let linked: string | null = null;
  try {
    const d = deno();
    if (target.kind === 'tcp') {
      const options = { transport: 'tcp' as const, hostname: target.address, port: target.port, tcpBacklog: backlog ?? 511 };
      listener = d.listen(target.reusePort ? { ...options, reusePort: true } : options);
    } else if (needsAlias(target.path)) {
      const short = shortName();
      listener = d.listen({ transport: 'unix', path: short });
      try {
        // link() refuses an existing name, which is bind()'s EADDRINUSE.
        d.linkSync(short, target.path);
      } catch (err) {
        listener.close();
        throw codeOf(err) === 'EEXIST' ? Object.assign(new Error('in use'), { code: 'EADDRINUSE' }) : err;
      } finally {
        removeQuietly(short);
      }
      linked = target.path;
    } else {
      listener = d.listen({ transport: 'unix', path: target.path });
    }
  } catch (err) {
    throw failure(codeOf(err));
  }
  return { listener, kind: target.kind, path: target.kind === 'ipc' ? target.path : '', linked };
}

function closeQuietly(o: Opened): void {
  try {
    o.listener.close();
  } catch {
    // already closed
  }
  if (o.linked) removeQuietly(o.linked);
}

function listenNow(target: ListenTarget, events: ListenEvents): Listener {
  const o = open(target, target.backlog);
  if (target.kind === 'ipc' && (target.readableAll || target.writableAll)) {
    // As libuv's uv_pipe_chmod: add read and/or write for user, group and others to the socket file.
    const want = (target.readableAll ? 0o444 : 0) | (target.writableAll ? 0o222 : 0);
    try {
      const d = deno();
      const mode = (d.statSync(target.path).mode ?? 0) & 0o7777;
      if ((mode & want) !== want) d.chmodSync(target.path, mode | want);
    } catch (err) {
      closeQuietly(o);
      throw failure(codeOf(err), 'uv_pipe_chmod');
    }
  }
  return new DenoServer(o.listener, o.kind, o.path, events, o.linked);
}

/**
 * net.BoundSocket on Deno: Deno.listen is the only way to bind, and it listens too, so until a
 * server adopts it the kernel queues connections to it (they wait for the server) where Node's
 * refuses them. Its accept starts only once adopted, so an un-adopted close releases it at once.
 */
class DenoBound implements Bound {
  readonly fd = -1;
  private opened: Opened | null;

  constructor(opened: Opened) {
    this.opened = opened;
  }

  get kind(): 'tcp' | 'ipc' { return this.opened?.kind ?? 'tcp'; }

  endpoint(): Endpoint {
    const o = this.opened;
    if (!o) return { address: '', port: 0, family: 'IPv4' };
    return o.kind === 'ipc' ? o.path : ipEndpoint(o.listener.addr) ?? { address: '', port: 0, family: 'IPv4' };
  }

  close(): void {
    if (this.opened) closeQuietly(this.opened);
    this.opened = null;
  }

  take(): Opened {
    const o = this.opened;
    if (!o) throw failure('EBADF');
    this.opened = null;
    return o;
  }
}

function bind(target: BindTarget): Bound {
  return new DenoBound(open(target));
}

const capabilities: Capabilities = {
  // Deno.connect has no local bind option (ConnectOptions: hostname, port, transport, signal only).
  localAddress: false,
  // TcpConn.setKeepAlive(on) takes no delay; there is no setsockopt to set TCP_KEEPIDLE.
  keepAliveDelay: false,
  // No SO_LINGER: Conn.close() is always a graceful FIN.
  reset: false,
  // Deno.listen's `tcpBacklog` (TCP only; Unix listeners always use 1024, checked with `ss -lx`).
  backlog: true,
  // Deno.listen({ transport: 'unix' }) has no backlog option (the listener always uses 1024).
  ipcBacklog: false,
  // Deno.listen on '::' is dual-stack (accepted a 127.0.0.1 client) and has no IPV6_V6ONLY option.
  ipv6Only: false,
  // Deno.listen({ reusePort }) works on Linux but only under --unstable-net (without it Deno exits
  // the process); listenDatagram exists exactly when that flag is on.
  get reusePort() {
    const d = (globalThis as { Deno?: DenoApi }).Deno;
    return typeof d?.listenDatagram === 'function';
  },
  // Deno.chmod on the socket file after listen, as libuv does.
  ipcPermissions: true,
  // Deno.listen/connect accept a path starting with '\0' (Linux abstract namespace).
  abstractIpc: true,
  // Deno has no named pipes, and no unix transport on Windows (denoland/deno#10244, #18236).
  namedPipes: false,
  // Deno 2 cannot wrap an existing descriptor in a Conn or Listener.
  adoptFd: false,
  // No setsockopt(IP_TOS / IPV6_TCLASS) in Deno's API.
  typeOfService: false,
  // Through Deno.listen, which also listens (see DenoBound): a server adopts it as Node's does.
  bind: true,
  // Deno.connect cannot start from a bound socket (nor bind a client at all, see localAddress).
  bindConnect: false,
};

export const transport: Transport = {
  get runtime(): string {
    const d = (globalThis as { Deno?: DenoApi }).Deno;
    return d?.version?.deno ? `Deno ${d.version.deno}` : 'Deno';
  },
  capabilities,
  connect,
  listen,
  bind,
  adoptHandle, // #17
};
export default transport;
