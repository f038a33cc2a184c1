// crossnet's fallback transport for Node: node:net's public API, for a Node whose process.binding
// no longer hands out tcp_wrap. Each Connection wraps one half-open, paused net.Socket; crossnet's
// core keeps all net semantics, this file only moves bytes and outcomes across.
import type * as NodeNet from 'node:net';
import process from 'node:process';
import type * as DiagnosticsChannel from 'node:diagnostics_channel';
import type {
  BindTarget, Bound, Capabilities, Connection, ConnectTarget, Endpoint, Failure, Listener, ListenEvents, ListenTarget, PendingConnect, Transport,
} from '../src/transport.ts';
import { failure } from '../src/failure.ts';
import { nextTick, StreamConnection, type StreamTuning } from './stream.ts';
import { codeOf, errnoName, failureOf } from './shared/codes.ts';

// Loaded on first use: the package bundles every adapter, and node:net is not free on Deno or Bun.
let loaded: typeof NodeNet | undefined;
const net = (): typeof NodeNet =>
  (loaded ??= (process as unknown as { getBuiltinModule(id: string): typeof NodeNet }).getBuiltinModule('node:net'));

let loadedDc: typeof DiagnosticsChannel | undefined;
const dc = (): typeof DiagnosticsChannel =>
  (loadedDc ??= (process as unknown as { getBuiltinModule(id: string): typeof DiagnosticsChannel }).getBuiltinModule('node:diagnostics_channel'));


function endpointOf(info: NodeNet.AddressInfo | Record<string, never> | string | null, path: string): Endpoint | undefined {
  if (path) return path;
  if (!info || typeof info === 'string' || !('port' in info)) return undefined;
  return { address: info.address, port: info.port, family: info.family === 'IPv6' ? 'IPv6' : 'IPv4' };
}

// Writes: node:net queues and writes itself; joining small chunks keeps it to one write per batch.
const WRITES: StreamTuning = { large: 16 * 1024, joinMax: 64 * 1024, defer: nextTick };

class NetConnection extends StreamConnection {
  constructor(private readonly socket: NodeNet.Socket, readonly kind: 'tcp' | 'ipc', private readonly path = '') {
    super(WRITES, false);
    socket.pause();
    this.hold(); // until node:net's 'close': close() waits for it
    socket.on('data', (chunk: Buffer) => this.readData(chunk));
    socket.on('end', () => this.readEnd());
    socket.on('error', (err) => this.gone(failureOf(err)));
    socket.on('close', () => {
      this.gone(null);
      this.release();
    });
  }

  // #17: the libuv handle inside node:net's socket, for the runtime's child_process (src/processes.ts).
  exportHandle(release: boolean): unknown {
    const holder = this.socket as unknown as { _handle: { readStop?(): number } | null };
    const handle = holder._handle;
    if (this.closed || !handle) throw failure('EBADF');
    if (release) {
      this.socket.pause();
      handle.readStop?.();
      this.detach(true);
      holder._handle = null;
    }
    return handle;
  }

  protected ioResume(): void { this.socket.resume(); }
  protected ioPause(): void { this.socket.pause(); }

  protected ioWrite(chunk: Uint8Array): null {
    this.socket.write(chunk, this.writeSettled);
    return null;
  }

  protected ioCloseWrite(): Promise<void> {
    return new Promise((resolve) => { this.socket.end(resolve); });
  }

  protected ioClose(rst: boolean): void {
    if (!rst) this.socket.destroy();
    else if (!this.socket.destroyed) this.socket.resetAndDestroy();
  }

  protected ioFailure(err: unknown): Failure { return failureOf(err); }

  get fd(): number {
    return (this.socket as unknown as { _handle?: { fd?: number } })._handle?.fd ?? -1;
  }

  setTypeOfService(tos: number): void {
    try {
      (this.socket as unknown as { setTypeOfService(t: number): void }).setTypeOfService(tos);
    } catch (err) {
      throw failureOf(err);
    }
  }

  getTypeOfService(): number {
    try {
      return (this.socket as unknown as { getTypeOfService(): number }).getTypeOfService();
    } catch (err) {
      throw failureOf(err);
    }
  }

  setNoDelay(enable: boolean): void { this.socket.setNoDelay(enable); }
  setKeepAlive(enable: boolean, delaySeconds: number): void { this.socket.setKeepAlive(enable, delaySeconds * 1000); }
  ref(): void { this.socket.ref(); }
  unref(): void { this.socket.unref(); }
  localEndpoint(): Endpoint | undefined { return endpointOf(this.socket.address(), this.kind === 'ipc' ? this.path : ''); }

  remoteEndpoint(): Endpoint | undefined {
    if (this.kind === 'ipc') return this.path;
    const { remoteAddress, remotePort, remoteFamily } = this.socket;
    if (remoteAddress === undefined || remotePort === undefined) return undefined;
    return { address: remoteAddress, port: remotePort, family: remoteFamily === 'IPv6' ? 'IPv6' : 'IPv4' };
  }
}

function connect(target: ConnectTarget, done: (err: Failure | null, conn?: Connection) => void): PendingConnect {
  let cancelled = false;
  const options: NodeNet.NetConnectOpts = target.kind === 'ipc'
    ? { path: target.path, allowHalfOpen: true }
    : {
      host: target.address, port: target.port, family: target.family, allowHalfOpen: true, autoSelectFamily: false,
      localAddress: target.localAddress, localPort: target.localPort,
    };
  let socket: NodeNet.Socket;
  if (target.bound) {
    // node:net's own BoundSocket (capability bindConnect): its Socket connects from it.
    const taken = (target.bound as NetBound).take();
    socket = new (net().Socket)({ handle: taken, allowHalfOpen: true } as NodeNet.SocketConstructorOpts);
    const { localAddress: _a, localPort: _p, ...rest } = options as NodeNet.TcpNetConnectOpts;
    socket.connect(target.kind === 'ipc' ? { path: target.path } : rest);
  } else {
    socket = net().connect(options);
  }
  const onError = (err: Error & { syscall?: string }) => {
    if (cancelled) return;
    done(failure(codeOf(err), err.syscall === 'bind' ? 'bind' : undefined));
  };
  socket.once('error', onError);
  socket.once('connect', () => {
    socket.off('error', onError);
    if (cancelled) socket.destroy();
    else done(null, new NetConnection(socket, target.kind, target.kind === 'ipc' ? target.path : ''));
  });
  return { cancel(): void { cancelled = true; socket.destroy(); } };
}

// node:net binds inside listen() but reports a failure a tick later, and looks up even an IP
// literal host first. The handle that node:net's listen() and cluster make with its exported
// _createServerHandle binds at once, and listen(2) on it answers at once; each connection it
// accepts becomes a net.Socket as node:net's own server makes it. No net.Server in between, so
// node:net publishes nothing on diagnostics_channel for crossnet's internals.
interface RawHandle {
  listen(backlog: number): number;
  getsockname?(out: Record<string, unknown>): number;
  fchmod?(mode: number): number;
  close(cb?: () => void): void;
  ref(): void;
  unref(): void;
  onconnection?: ((status: number, client: unknown) => void) | null;
  readonly fd: number;
}
interface NetInternals {
  _createServerHandle?(address: string | null, port: number | null, addressType: number | null, fd?: number, flags?: number): RawHandle | number;
  BoundSocket?: new (options: Record<string, unknown>) => NetBoundSocket;
}
interface NetBoundSocket { address(): NodeNet.AddressInfo | string; fd(): number; close(): void }
interface InternalServer extends NodeNet.Server { _handle: RawHandle | null }

const internals = (): NetInternals => net() as unknown as NetInternals;
// libuv's uv_tcp_flags, which node:net's getFlags() passes to bind.
const UV_TCP_IPV6ONLY = 1;
const UV_TCP_REUSEPORT = 2;
// pipe_wrap's UV_READABLE / UV_WRITABLE, which node:net's listen() passes to fchmod.
const UV_READABLE = 1;
const UV_WRITABLE = 2;

/** A bound handle from node:net (its own BoundSocket where it has one), not yet listening. */
class NetBound implements Bound {
  constructor(readonly kind: 'tcp' | 'ipc', private raw: RawHandle | null, private sock: NetBoundSocket | null,
    private readonly ep: Endpoint) {}

  endpoint(): Endpoint { return this.ep; }
  get fd(): number { return this.sock ? this.sock.fd() : this.raw?.fd ?? -1; }

  close(): void {
    this.sock?.close();
    this.raw?.close();
    this.sock = this.raw = null;
  }

  take(): RawHandle | NetBoundSocket {
    const taken = this.sock ?? this.raw;
    if (!taken) throw failure('EBADF');
    this.sock = this.raw = null;
    return taken;
  }
}

function createHandle(target: ListenTarget): RawHandle {
  const create = internals()._createServerHandle;
  if (!create) throw failure('ENOTSUP');
  let h: RawHandle | number;
  if (target.kind === 'tcp') {
    const flags = (target.ipv6Only ? UV_TCP_IPV6ONLY : 0) | (target.reusePort ? UV_TCP_REUSEPORT : 0);
    h = create(target.address, target.port, target.family, undefined, flags);
  } else if (target.kind === 'ipc') {
    h = create(target.path, -1, -1);
  } else {
    h = create(null, null, null, (target as { fd: number }).fd);
  }
  if (typeof h === 'number') throw failure(errnoName(h));
  return h;
}

/**
 * The listening handle inside node:net's server after listen(boundSocket), which then stays unused
 * (node:net gives no other way to a BoundSocket's handle; with subscribers, it publishes this
 * internal server's listen on tracing:net.server.listen).
 */
function adoptBoundSocket(sock: NetBoundSocket, backlog: number): RawHandle {
  const server = net().createServer() as InternalServer;
  // Its listen(2) failure (rare once bound) is published at once on the listen tracing channel.
  let failed: string | null = null;
  const onError = (m: unknown) => {
    const msg = m as { server?: unknown; error?: unknown };
    if (msg.server === server) failed = codeOf(msg.error);
  };
  const channel = dc().tracingChannel('net.server.listen');
  channel.error.subscribe(onError);
  try {
    server.listen(sock as never, backlog);
  } finally {
    channel.error.unsubscribe(onError);
  }
  const h = server._handle;
  server.on('error', () => {});
  if (failed || !h) throw failure(failed ?? 'EINVAL');
  server._handle = null;
  return h;
}

function listen(target: ListenTarget, events: ListenEvents): Listener {
  let path = target.kind === 'ipc' ? target.path : '';
  let kind: 'tcp' | 'ipc' = target.kind === 'ipc' ? 'ipc' : 'tcp';
  let handle: RawHandle;
  if (target.kind === 'bound') {
    const bound = target.bound as NetBound;
    kind = bound.kind;
    if (kind === 'ipc') path = bound.endpoint() as string;
    const taken = bound.take();
    handle = 'listen' in taken ? taken : adoptBoundSocket(taken, target.backlog);
  } else {
    handle = createHandle(target);
    if (target.kind === 'fd' && typeof handle.getsockname !== 'function') kind = 'ipc';
  }
  // libuv defers EADDRINUSE from bind to listen: both fail here, synchronously.
  const err = handle.listen(target.backlog);
  if (err) {
    handle.close();
    throw failure(errnoName(err));
  }
  if (target.kind === 'ipc' && (target.readableAll || target.writableAll)) {
    const chmodErr = handle.fchmod?.((target.readableAll ? UV_READABLE : 0) | (target.writableAll ? UV_WRITABLE : 0)) ?? 0;
    if (chmodErr) {
      handle.close();
      throw failure(errnoName(chmodErr), 'uv_pipe_chmod');
    }
  }
  const Socket = net().Socket;
  handle.onconnection = (status, client) => {
    if (status < 0) {
      events.onError(failure(errnoName(status)));
      return;
    }
    // As node:net's server makes each accepted socket (the core reads when it wants to).
    const socket = new Socket({ handle: client, allowHalfOpen: true, pauseOnCreate: true, readable: true, writable: true } as NodeNet.SocketConstructorOpts);
    events.onConnection(new NetConnection(socket, kind, path));
  };
  let closed = false;
  return {
    endpoint: () => {
      if (path || closed) return path || { address: '', port: 0, family: 'IPv4' };
      const out: Record<string, unknown> = {};
      handle.getsockname?.(out);
      return endpointOf(out as unknown as NodeNet.AddressInfo, '') ?? { address: '', port: 0, family: 'IPv4' };
    },
    close: (cb) => {
      if (closed) {
        if (cb) setImmediate(cb);
        return;
      }
      closed = true;
      handle.close(cb);
    },
    ref: () => { handle.ref(); },
    unref: () => { handle.unref(); },
    get fd() { return closed ? -1 : handle.fd; },
    exportHandle: () => handle, // #17
  };
}

function bind(target: BindTarget): Bound {
  const { BoundSocket } = internals();
  if (BoundSocket) {
    let sock: NetBoundSocket;
    try {
      sock = new BoundSocket(target.kind === 'ipc' ? { path: target.path }
        : { host: target.address, port: target.port, ipv6Only: target.ipv6Only, reusePort: target.reusePort });
    } catch (err) {
      throw failureOf(err);
    }
    return new NetBound(target.kind, null, sock, endpointOf(sock.address() as NodeNet.AddressInfo, target.kind === 'ipc' ? target.path : '')!);
  }
  const h = createHandle(target.kind === 'ipc'
    ? { kind: 'ipc', path: target.path, backlog: 0, readableAll: false, writableAll: false }
    : { ...target, backlog: 0 });
  if (target.kind === 'ipc') return new NetBound('ipc', h, null, target.path);
  // libuv defers EADDRINUSE to the next getsockname/listen/connect: ask now.
  const out: Record<string, unknown> = {};
  const err = h.getsockname?.(out) ?? 0;
  if (err) {
    h.close();
    throw failure(errnoName(err));
  }
  return new NetBound('tcp', h, null, endpointOf(out as unknown as NodeNet.AddressInfo, '')!);
}

// #17: a libuv handle node:cluster or child_process delivered, driven through a node:net Socket.
function adoptHandle(handle: unknown): Connection {
  const h = handle as { getpeername?: unknown; readStart?: unknown } | null;
  if (!h || typeof h.readStart !== 'function') throw failure('EINVAL');
  const socket = new (net().Socket)({ handle: h, allowHalfOpen: true, readable: true, writable: true } as NodeNet.SocketConstructorOpts);
  return new NetConnection(socket, typeof h.getpeername === 'function' ? 'tcp' : 'ipc');
}

function adopt(fd: number): Connection {
  let socket: NodeNet.Socket;
  try {
    socket = new (net().Socket)({ fd, allowHalfOpen: true, readable: true, writable: true });
  } catch (err) {
    // node:net names the descriptor type; the contract speaks in codes.
    if (codeOf(err) === 'ERR_INVALID_FD_TYPE') throw failure(/UNKNOWN/.test((err as Error).message) ? 'EBADF' : 'EINVAL');
    throw failureOf(err);
  }
  return new NetConnection(socket, socket.remoteAddress === undefined ? 'ipc' : 'tcp');
}

const [major, minor] = process.versions.node.split('.').map(Number);

const capabilities: Capabilities = {
  localAddress: true,
  keepAliveDelay: true,
  reset: true,
  backlog: true,
  ipcBacklog: true,
  ipv6Only: true,
  // listen({ reusePort }) arrived in Node 23.1.
  reusePort: major > 23 || (major === 23 && minor >= 1),
  ipcPermissions: true,
  abstractIpc: true,
  // node:net's IPC is a named pipe on Windows.
  namedPipes: true,
  adoptFd: true,
  // socket.setTypeOfService() is part of node:net from Node 24.
  get typeOfService() { return typeof (net().Socket.prototype as { setTypeOfService?: unknown }).setTypeOfService === 'function'; },
  // node:net's _createServerHandle (what cluster binds with) on every Node crossnet supports.
  get bind() { return typeof internals()._createServerHandle === 'function'; },
  // Connecting from a bound socket needs node:net's own BoundSocket (Node 24.22, 26.4).
  get bindConnect() { return typeof internals().BoundSocket === 'function'; },
};

export const transport: Transport = { runtime: `Node ${process.version} (node:net fallback)`, capabilities, connect, listen, bind, adopt, adoptHandle /* #17 */ };
export default transport;
