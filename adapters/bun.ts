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
  BindTarget, Capabilities, Connection, ConnectTarget, Endpoint, Failure, Listener, ListenEvents, ListenTarget, PendingConnect, Transport,
} from '../src/transport.ts';
import { failure, isFailure } from '../src/failure.ts';
import { BunConnection, failureOf } from './bun-connection.ts';
import { bun, type BunListener, type BunSocket, type Handlers } from './bun-api.ts';
import { codeOf as anyCodeOf, errnoName } from './shared/codes.ts';
import { bindPath, chmodIpc, connectPath, fillsSunPath, unlinkQuietly } from './shared/ipc.ts';
import { bind, BunBound, closeFd, connectBound, libc } from './bun-ffi.ts';

type BuiltinLoader = (id: string) => unknown;
const builtin = (id: string): unknown => (process as unknown as { getBuiltinModule?: BuiltinLoader }).getBuiltinModule?.(id);

/** Node's code for a Bun error: Bun sets Node's `code` (or a bare errno); EINVAL for what carries neither. */
const codeOf = (err: unknown): string => anyCodeOf(err, 'EINVAL');

// An exception escaping one of our handlers would land in Bun's `error` handler; surface it instead.
const rethrow = (err: unknown): void => {
  queueMicrotask(() => {
    throw err;
  });
};

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
    if (c instanceof BunConnection) c.onSockEnd();
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
    options = { allowHalfOpen: true, socket: clientHandlers, data: p };
    try {
      if (target.bound) options.fd = connectBound(target.bound as BunBound, target.path);
      else options.unix = fillsSunPath(target.path) ? connectPath(target.path) : target.path;
    } catch (err) {
      p.cancelled = true;
      process.nextTick(done, asFailure(err));
      return p;
    }
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

function listen(target: ListenTarget, events: ListenEvents): Listener {
  const B = bun();
  const state: ListenState = { events, kind: target.kind === 'ipc' ? 'ipc' : 'tcp', path: target.kind === 'ipc' ? target.path : '' };
  const options: Record<string, unknown> = { allowHalfOpen: true, socket: serverHandlers, data: state };
  let ownFd = -1; // a descriptor bound here (net.BoundSocket): Bun knows no path for it
  let ownFile = false; // a socket file Bun will not unlink (ownFd, or bound through a stand-in)
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
      throw failure(code);
    }
    ownFile = state.kind === 'ipc';
  }
  let handle: BunListener;
  try {
    if (target.kind === 'ipc' && fillsSunPath(target.path)) {
      handle = bindPath(target.path, (short) => B.listen({ ...options, unix: short }), (h) => h.stop(true));
      ownFile = true;
    } else {
      if (target.kind === 'ipc') options.unix = target.path;
      handle = B.listen(options);
    }
  } catch (err) {
    if (ownFd >= 0) closeFd(ownFd, state.path);
    throw asFailure(err);
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
    try {
      chmodIpc(target.path, target.readableAll, target.writableAll);
    } catch (err) {
      handle.stop(true);
      if (ownFile) unlinkQuietly(target.path);
      throw err;
    }
  }
  return new BunListenerImpl(handle, state, ownFile && !state.path.startsWith('\0'));
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
      if (this.unlinkOnClose) unlinkQuietly(this.state.path);
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

// #17: Bun's node:cluster and child_process hand sockets over as descriptors ({ fd }).
function adoptHandle(handle: unknown): Connection {
  const fd = (handle as { fd?: unknown } | null)?.fd;
  if (typeof fd !== 'number' || fd < 0) throw failure('EINVAL');
  return adopt(fd);
}

function adopt(fd: number): Connection {
  const B = bun();
  // Bun reports a bad descriptor as ECONNREFUSED; ask the OS what it is first.
  const fs = builtin('node:fs') as typeof import('node:fs');
  let isSocket: boolean;
  try {
    isSocket = fs.fstatSync(fd).isSocket();
  } catch (err) {
    throw failureOf(err);
  }
  if (!isSocket) throw failure('ENOTSOCK');
  let conn: Connection | undefined;
  let failed: Failure = failure('EBADF');
  const p = new Pending('auto', '', (err, c) => {
    if (err) failed = err;
    conn = c;
  });
  try {
    B.connect({ fd, allowHalfOpen: true, socket: clientHandlers, data: p }).catch(noop);
  } catch (err) {
    throw failureOf(err);
  }
  // Bun opens an adopted descriptor synchronously.
  if (!conn) {
    p.cancelled = true;
    throw failed;
  }
  return conn;
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

/** A Failure as it is, or the Failure for what Bun threw. */
const asFailure = (err: unknown): Failure => (isFailure(err) ? err : failureOf(err));

export const transport: Transport = {
  get runtime(): string {
    const b = (globalThis as unknown as { Bun?: { version?: string } }).Bun;
    return b?.version ? `Bun ${b.version}` : 'bun';
  },
  capabilities,
  connect,
  listen,
  bind,
  adopt,
  adoptHandle, // #17
};
export default transport;
