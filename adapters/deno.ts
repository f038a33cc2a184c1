// crossnet's transport for Deno: Deno.connect / Deno.listen (tcp and unix) with read/write loops.
// Nothing here touches `Deno` at module load: the file is also imported on Node and Bun.
import process from 'node:process';
import type {
  BindTarget, Bound, Capabilities, Connection, ConnectTarget, Endpoint, Failure, IpEndpoint, Listener, ListenEvents, ListenTarget,
  PendingConnect, Transport,
} from '../src/transport.ts';
import { failure, isFailure } from '../src/failure.ts';
import { microtask, StreamConnection, type StreamTuning } from './stream.ts';
import { codeOf } from './shared/codes.ts';
import { bindPath, chmodIpc, connectPath, fillsSunPath, unlinkQuietly } from './shared/ipc.ts';

import { deno, ipEndpoint, type DenoApi, type DenoConn, type DenoListener } from './deno-api.ts';
// #17: Deno's node:cluster/child_process deliver its compat handles; the compat adapter wraps them.
import { adoptHandle } from './deno-compat.ts';
import { compatHandleOf } from './deno-handoff.ts';
import { afterListenerCloses, DeferredListener, DenoServer, heldByClosing, holdKey, listenersClosingNow } from './deno-listener.ts';


// Reads go into a per-connection slab; each large read is handed to the core as a view of it and
// the next read continues after it, so no byte is zeroed twice and nothing is copied. Small reads are
// copied out instead (the slab space is reused), so a few retained bytes never pin a whole slab.
// The slab grows while reads fill it (fewer, larger reads under load, as raw Deno.Conn loops do with
// big buffers) and shrinks back when reads turn small, so idle connections hold only READ_MIN.
const READ_MIN = 4 * 1024;
const READ_MAX = 1024 * 1024;
const READ_COPY = 4 * 1024;
// Writes: a chunk this large goes to the OS as is; smaller neighbours are joined (one copy) up to
// 256 KiB, since Deno has no vectored write and each write is a promise.
const WRITES: StreamTuning = { large: 16 * 1024, joinMax: 256 * 1024, defer: microtask };

const later = (fn: () => void): void => queueMicrotask(fn);


class DenoConnection extends StreamConnection {
  readonly fd = -1;
  private flowing = false; // reads wanted: the next one is issued when one completes
  private readPending = false;
  private readDone = false; // EOF or a read error: no more reads
  private buf: Uint8Array | null = null; // the read slab
  private bufAt = 0; // where the next read goes in it
  private readSize = READ_MIN; // the size of the next slab
  private view: Uint8Array | null = null; // what the pending read fills

  /**
   * For IPC, `serverPath` is the listening path on an accepted connection and `peerPath` the path a
   * client connected to (Deno would report the short stand-in used for paths that fill sun_path).
   */
  constructor(private readonly conn: DenoConn, readonly kind: 'tcp' | 'ipc', private readonly serverPath = '',
    private readonly peerPath = '') {
    super(WRITES, false);
  }

  // #17: as the compat handle Deno's child_process sends (adapters/deno-handoff.ts). Released, the
  // handle owns the socket: nothing may be in flight on the Deno.Conn (a read cannot be withdrawn).
  // Kept (keepOpen), the Deno.Conn and the handle would drive one resource: not offered.
  exportHandle(release: boolean): unknown {
    if (this.closed || this.kind !== 'tcp' || !release) throw failure('ENOTSUP');
    if (this.readPending) throw failure('EBUSY');
    const handle = compatHandleOf(this.conn);
    if (!this.detach()) throw failure('EBUSY');
    return handle;
  }

  protected ioResume(): void {
    this.flowing = true;
    if (!this.readPending && !this.readDone && !this.closed) this.issueRead();
  }

  // A read already handed to Deno cannot be withdrawn: its result is held by StreamConnection.
  protected ioPause(): void {
    this.flowing = false;
  }

  private issueRead(): void {
    this.readPending = true;
    this.hold();
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
    this.release();
    if (this.closed) return;
    if (n === null) {
      this.readDone = true;
      this.readEnd();
      return;
    }
    if (n > 0) {
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
      this.readData(chunk);
    }
    // readData may have paused, resumed (issuing the read itself) or closed.
    if (this.flowing && !this.closed && !this.readPending && !this.readDone) this.issueRead();
  };

  private onReadError = (err: unknown): void => {
    this.readPending = false;
    this.release();
    // After close, the cancelled read's rejection is expected, not a failure.
    if (this.closed) return;
    this.readDone = true;
    this.readError(failure(codeOf(err)));
  };

  protected ioWrite(chunk: Uint8Array): Promise<number> {
    return this.conn.write(chunk);
  }

  protected ioCloseWrite(): Promise<void> {
    return this.conn.closeWrite();
  }

  // No abortive close in Deno (capability `reset` is false): the core never asks for RST.
  protected ioClose(): void {
    this.buf = null;
    this.view = null;
    this.conn.close();
  }

  protected ioFailure(err: unknown): Failure {
    return failure(codeOf(err));
  }

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


class DenoConnect implements PendingConnect {
  private cancelled = false;

  constructor(private readonly target: ConnectTarget, private readonly done: (err: Failure | null, conn?: Connection) => void) {
    if (target.kind === 'tcp' && (target.localAddress || target.localPort)) {
      // Capability `localAddress` is false; the core rejects this before it gets here.
      this.fail('ENOTSUP', 'bind');
    } else if (listenersClosingNow() === 0) {
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
      } else if (fillsSunPath(target.path)) {
        promise = d.connect({ transport: 'unix', path: connectPath(target.path) });
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

const wrapAccepted = (conn: DenoConn, kind: 'tcp' | 'ipc', path: string): Connection => new DenoConnection(conn, kind, path);

function listen(target: ListenTarget, events: ListenEvents): Listener {
  if (target.kind === 'bound') {
    const b = (target.bound as DenoBound).take();
    return new DenoServer(b.listener, b.kind, b.path, events, b.linked, wrapAccepted);
  }
  try {
    return listenNow(target, events);
  } catch (code) {
    // The address is still held by a listener of ours that is closing (Node would have let go of it
    // already): the listen completes once that close does.
    const key = target.kind === 'tcp' ? target.port && holdKey('tcp', target.port, '') : target.kind === 'ipc' ? holdKey('ipc', 0, target.path) : '';
    if ((code as Failure).code === 'EADDRINUSE' && !(code as Failure).syscall && key && heldByClosing(key)) return new DeferredListener(target, events, listenNow);
    throw code;
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
    } else if (fillsSunPath(target.path)) {
      listener = bindPath(target.path, (short) => d.listen({ transport: 'unix', path: short }), (l) => l.close());
      linked = target.path;
    } else {
      listener = d.listen({ transport: 'unix', path: target.path });
    }
  } catch (err) {
    throw isFailure(err) ? err : failure(codeOf(err));
  }
  return { listener, kind: target.kind, path: target.kind === 'ipc' ? target.path : '', linked };
}

function closeQuietly(o: Opened): void {
  try {
    o.listener.close();
  } catch {
    // already closed
  }
  if (o.linked) unlinkQuietly(o.linked);
}

function listenNow(target: ListenTarget, events: ListenEvents): Listener {
  const o = open(target, target.backlog);
  if (target.kind === 'ipc' && (target.readableAll || target.writableAll)) {
    try {
      chmodIpc(target.path, target.readableAll, target.writableAll);
    } catch (err) {
      closeQuietly(o);
      throw err;
    }
  }
  return new DenoServer(o.listener, o.kind, o.path, events, o.linked, wrapAccepted);
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
