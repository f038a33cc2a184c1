// crossnet's transport for Node: libuv handles straight from tcp_wrap/pipe_wrap/stream_wrap,
// the same handles node:net drives, without node:net's JavaScript layer in between.
import process from 'node:process';
import { getSystemErrorName } from 'node:util';
import { fstatSync } from 'node:fs';
import type {
  BindTarget, Bound, Capabilities, Connection, ConnectTarget, Endpoint, Listener, ListenEvents, ListenTarget, PendingConnect, Receiver,
  Transport,
} from '../src/transport.ts';

// The binding objects are untyped; these describe the parts used here.
interface Req { oncomplete?: (...args: never[]) => void; handle?: Handle; async?: boolean; chunks?: readonly Uint8Array[] }
interface Handle {
  onread?: (buf: ArrayBuffer) => void;
  onconnection?: (err: number, client: Handle) => void;
  readStart(): number;
  readStop(): number;
  writeBuffer(req: Req, buf: Uint8Array): number;
  writev(req: Req, chunks: readonly Uint8Array[], allBuffers: boolean): number;
  shutdown(req: Req): number;
  close(cb?: () => void): void;
  reset?(cb?: () => void): number;
  setNoDelay?(on: boolean): number;
  setKeepAlive?(on: boolean, delay: number): number;
  setTypeOfService?(tos: number): number;
  getTypeOfService?(): number;
  ref(): void;
  unref(): void;
  getsockname?(out: Record<string, unknown>): number;
  getpeername?(out: Record<string, unknown>): number;
  bind(address: string, port?: number, flags?: number): number;
  bind6(address: string, port: number, flags: number): number;
  listen(backlog: number): number;
  connect(req: Req, address: string, port?: number): number;
  connect6(req: Req, address: string, port: number): number;
  open(fd: number): number;
  fchmod?(mode: number): number;
  readonly fd: number;
  readonly writeQueueSize: number;
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
}

const UV_EOF = -4095;
const noop = (): void => {};
const UV_ENOTCONN = -107;
let bindings: Bindings | undefined;

function load(): Bindings {
  if (bindings) return bindings;
  const binding = (process as unknown as { binding?: (name: string) => Record<string, never> }).binding;
  try {
    if (typeof binding !== 'function') throw new Error('process.binding is not a function');
    const tcp = binding('tcp_wrap') as Record<string, never>;
    const pipe = binding('pipe_wrap') as Record<string, never>;
    const stream = binding('stream_wrap') as Record<string, never>;
    bindings = {
      TCP: tcp.TCP, TCPConnectWrap: tcp.TCPConnectWrap, tcp: tcp.constants,
      Pipe: pipe.Pipe, PipeConnectWrap: pipe.PipeConnectWrap, pipe: pipe.constants,
      WriteWrap: stream.WriteWrap, ShutdownWrap: stream.ShutdownWrap, state: stream.streamBaseState,
      kReadBytesOrError: stream.kReadBytesOrError, kArrayBufferOffset: stream.kArrayBufferOffset,
      kLastWriteWasAsync: stream.kLastWriteWasAsync,
    };
    if (!bindings.TCP || !bindings.state) throw new Error('tcp_wrap/stream_wrap lack the expected classes');
    return bindings;
  } catch (cause) {
    bindings = undefined;
    throw new Error(`crossnet: the Node adapter needs process.binding('tcp_wrap'/'pipe_wrap'/'stream_wrap'), which Node ${process.version} does not provide (${(cause as Error).message})`, { cause });
  }
}

const errname = (status: number): string => {
  try {
    return getSystemErrorName(status);
  } catch {
    return `UNKNOWN_${status}`;
  }
};

function endpoint(handle: Handle, which: 'getsockname' | 'getpeername'): Endpoint | undefined {
  const fn = handle[which];
  if (!fn) return undefined;
  const out: Record<string, unknown> = {};
  if (fn.call(handle, out) !== 0) return undefined;
  return { address: out.address as string, port: out.port as number, family: out.family === 'IPv6' || out.family === 6 ? 'IPv6' : 'IPv4' };
}

class NodeConnection implements Connection {
  receiver: Receiver | null = null;
  closed = false;

  constructor(readonly handle: Handle, readonly kind: 'tcp' | 'ipc', private readonly path = '') {
    handle.onread = this.onread;
  }

  get fd(): number {
    return this.handle.fd ?? -1;
  }

  // Called by libuv with `this` = handle; the byte count and offset come through streamBaseState.
  private onread = (buf: ArrayBuffer): void => {
    const b = bindings!;
    const nread = b.state[b.kReadBytesOrError];
    const r = this.receiver;
    if (!r) return;
    if (nread > 0) {
      r.onData(Buffer.from(buf, b.state[b.kArrayBufferOffset], nread));
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
    const b = bindings!;
    const req = new b.WriteWrap();
    req.handle = this.handle;
    req.async = false;
    // libuv writes straight from the chunks' memory, later: the request keeps them alive until then
    // (nothing else may: the core's strings became Buffers only it referenced).
    req.chunks = chunks;
    req.oncomplete = ((status: number) => {
      req.chunks = undefined;
      done(status < 0 ? errname(status) : null);
    }) as never;
    const err = chunks.length === 1 ? this.handle.writeBuffer(req, chunks[0]) : this.handle.writev(req, chunks, true);
    if (err !== 0) {
      process.nextTick(done, errname(err));
    } else if (!b.state[b.kLastWriteWasAsync]) {
      done(null);
    }
  }

  shutdown(done: (err: string | null) => void): void {
    if (this.closed) {
      process.nextTick(done, null);
      return;
    }
    const req = new bindings!.ShutdownWrap();
    req.handle = this.handle;
    req.oncomplete = ((status: number) => done(status < 0 ? errname(status) : null)) as never;
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
    const err = this.handle.reset(done);
    if (err !== 0) this.handle.close(done);
  }

  setNoDelay(enable: boolean): void {
    this.handle.setNoDelay?.(enable);
  }

  setKeepAlive(enable: boolean, delaySeconds: number): void {
    this.handle.setKeepAlive?.(enable, delaySeconds);
  }

  setTypeOfService(tos: number): string | null {
    const err = this.handle.setTypeOfService?.(tos) ?? -95;
    return err ? errname(err) : null;
  }

  getTypeOfService(): number {
    return this.handle.getTypeOfService?.() ?? -95;
  }

  ref(): void { this.handle.ref(); }
  unref(): void { this.handle.unref(); }

  localEndpoint(): Endpoint | undefined {
    return this.kind === 'ipc' ? this.path : endpoint(this.handle, 'getsockname');
  }

  remoteEndpoint(): Endpoint | undefined {
    return this.kind === 'ipc' ? this.path : endpoint(this.handle, 'getpeername');
  }
}

function connect(target: ConnectTarget, done: (err: string | null, conn?: Connection) => void): PendingConnect {
  const b = load();
  let cancelled = false;
  const tcp = target.kind === 'tcp';
  // A bound socket (net.BoundSocket) connects from where it is bound, as Node's adopted handle does.
  const bound = target.bound as NodeBound | undefined;
  const handle = bound ? bound.take()[0] : tcp ? new b.TCP(b.tcp.SOCKET) : new b.Pipe(b.pipe.SOCKET);
  const fail = (code: string) => process.nextTick(() => {
    if (cancelled) return;
    handle.close();
    done(code);
  });
  if (bound?.kind === 'ipc') {
    // uv_pipe_bind only set the descriptor; opening it again makes the stream readable and writable.
    const err = handle.open(handle.fd);
    if (err) {
      fail(`open ${errname(err)}`);
      return { cancel: () => { cancelled = true; } };
    }
  }
  if (tcp && !bound && (target.localAddress || target.localPort)) {
    let err = target.family === 4
      ? handle.bind(target.localAddress ?? '0.0.0.0', target.localPort ?? 0)
      : handle.bind6(target.localAddress ?? '::', target.localPort ?? 0, 0);
    // libuv may defer EADDRINUSE to connect(), which then binds a random port; check the port.
    if (!err && target.localPort) {
      const out: Record<string, unknown> = {};
      err = handle.getsockname?.(out) ?? 0;
      if (err === 0 && out.port !== target.localPort) err = -98;
    }
    if (err) {
      fail(`bind ${errname(err)}`);
      return { cancel: () => { cancelled = true; } };
    }
  }
  const req = tcp ? new b.TCPConnectWrap() : new b.PipeConnectWrap();
  req.oncomplete = ((status: number) => {
    if (cancelled) return;
    if (status < 0) {
      handle.close();
      done(errname(status));
      return;
    }
    done(null, new NodeConnection(handle, tcp ? 'tcp' : 'ipc', tcp ? '' : ''));
  }) as never;
  const err = tcp
    ? (target.family === 4 ? handle.connect(req, target.address, target.port) : handle.connect6(req, target.address, target.port))
    : handle.connect(req, target.path);
  if (err) fail(errname(err));
  return {
    cancel(): void {
      if (cancelled) return;
      cancelled = true;
      handle.close();
    },
  };
}

function listen(target: ListenTarget, events: ListenEvents): Listener {
  const b = load();
  let handle: Handle;
  let err = 0;
  let kind: 'tcp' | 'ipc' = 'tcp';
  if (target.kind === 'tcp') {
    handle = new b.TCP(b.tcp.SERVER);
    err = bindTcp(b, handle, target);
  } else if (target.kind === 'ipc') {
    kind = 'ipc';
    handle = new b.Pipe(b.pipe.SERVER);
    err = handle.bind(target.path);
  } else if (target.kind === 'bound') {
    const bound = target.bound as NodeBound;
    [handle, kind] = bound.take();
  } else {
    const opened = openFd(b, target.fd, true);
    if (typeof opened === 'number') throw errname(opened);
    [handle, kind] = opened;
  }
  if (!err) err = handle.listen(target.backlog);
  if (err) {
    handle.close();
    throw errname(err);
  }
  if (target.kind === 'ipc' && (target.readableAll || target.writableAll)) {
    const mode = (target.readableAll ? b.pipe.UV_READABLE : 0) | (target.writableAll ? b.pipe.UV_WRITABLE : 0);
    const chmodErr = handle.fchmod?.(mode) ?? 0;
    if (chmodErr) {
      handle.close();
      throw `uv_pipe_chmod ${errname(chmodErr)}`;
    }
  }
  const path = target.kind === 'ipc' ? target.path : target.kind === 'bound' ? (target.bound as NodeBound).path : '';
  handle.onconnection = (status: number, client: Handle) => {
    if (status < 0) events.onError(errname(status));
    else events.onConnection(new NodeConnection(client, kind, path));
  };
  return {
    endpoint: () => (kind === 'ipc' ? path : endpoint(handle, 'getsockname') ?? { address: '', port: 0, family: 'IPv4' }),
    close: (cb) => handle.close(cb),
    ref: () => handle.ref(),
    unref: () => handle.unref(),
    get fd() { return handle.fd; },
    exportHandle: () => handle, // #17
  };
}

/** bind/bind6 with Node's flags (Node 23+ takes them on IPv4 too; older Node ignores the argument). */
function bindTcp(b: Bindings, handle: Handle, target: { address: string; port: number; family: 4 | 6; ipv6Only: boolean; reusePort: boolean }): number {
  let flags = 0;
  if (target.ipv6Only) flags |= b.tcp.UV_TCP_IPV6ONLY;
  if (target.reusePort) flags |= b.tcp.UV_TCP_REUSEPORT ?? 0;
  return target.family === 6 ? handle.bind6(target.address, target.port, flags) : handle.bind(target.address, target.port, flags);
}

/** A bound, idle libuv handle (a TCP or Pipe of type SOCKET, as Node's BoundSocket makes). */
class NodeBound implements Bound {
  private handle: Handle | null;
  private readonly ep: Endpoint;

  constructor(handle: Handle, readonly kind: 'tcp' | 'ipc', readonly path: string, ep: Endpoint) {
    this.handle = handle;
    this.ep = ep;
  }

  endpoint(): Endpoint { return this.ep; }
  get fd(): number { return this.handle?.fd ?? -1; }

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

function bind(target: BindTarget): Bound {
  const b = load();
  if (target.kind === 'ipc') {
    const handle = new b.Pipe(b.pipe.SOCKET);
    const err = handle.bind(target.path);
    if (err) {
      handle.close();
      throw errname(err);
    }
    return new NodeBound(handle, 'ipc', target.path, target.path);
  }
  const handle = new b.TCP(b.tcp.SOCKET);
  let err = bindTcp(b, handle, target);
  // libuv defers EADDRINUSE to the next getsockname/listen/connect: ask now, as Node's BoundSocket does.
  const out: Record<string, unknown> = {};
  if (!err) err = handle.getsockname?.(out) ?? 0;
  if (err) {
    handle.close();
    throw errname(err);
  }
  const ep: Endpoint = { address: out.address as string, port: out.port as number, family: out.family === 'IPv6' ? 'IPv6' : 'IPv4' };
  return new NodeBound(handle, 'tcp', '', ep);
}

const UV_EINVAL = -22;
const UV_EBADF = -9;

/** Wrap a descriptor in a TCP or Pipe handle, as Node's guessHandleType would pick; EINVAL if not a socket. */
function openFd(b: Bindings, fd: number, server: boolean): [Handle, 'tcp' | 'ipc'] | number {
  try {
    if (!fstatSync(fd).isSocket()) return UV_EINVAL;
  } catch {
    // Not open at all: Node's listen() reports EINVAL, new Socket({ fd }) an UNKNOWN fd type.
    return server ? UV_EINVAL : UV_EBADF;
  }
  const tcp = new b.TCP(server ? b.tcp.SERVER : b.tcp.SOCKET);
  if (tcp.open(fd) === 0 && endpoint(tcp, 'getsockname')) return [tcp, 'tcp'];
  // Not an IP socket: let go of the descriptor without closing it, and open it as a pipe.
  const pipe = new b.Pipe(server ? b.pipe.SERVER : b.pipe.SOCKET);
  const err = pipe.open(fd);
  return err ? err : [pipe, 'ipc'];
}

function adopt(fd: number): Connection {
  const opened = openFd(load(), fd, false);
  if (typeof opened === 'number') throw errname(opened);
  return new NodeConnection(opened[0], opened[1]);
}

// #17: a handle node:cluster or child_process delivered (src/cluster.ts, src/handoff.ts).
function adoptHandle(handle: unknown): Connection {
  const b = load();
  if (handle instanceof b.TCP) return new NodeConnection(handle as Handle, 'tcp');
  if (handle instanceof b.Pipe) return new NodeConnection(handle as Handle, 'ipc');
  throw 'EINVAL';
}

const capabilities: Capabilities = {
  localAddress: true,
  keepAliveDelay: true,
  reset: true,
  backlog: true,
  ipcBacklog: true,
  ipv6Only: true,
  // libuv gained UV_TCP_REUSEPORT in 1.49 (Node 23); older Node has no way to set SO_REUSEPORT.
  get reusePort() { return 'UV_TCP_REUSEPORT' in load().tcp; },
  ipcPermissions: true,
  abstractIpc: true,
  // pipe_wrap is libuv's pipe: a named pipe on Windows.
  namedPipes: true,
  adoptFd: true,
  // tcp_wrap has setTypeOfService from Node 24; older handles have no way to set IP_TOS.
  get typeOfService() { return typeof load().TCP.prototype.setTypeOfService === 'function'; },
  unref: true,
  bind: true,
  bindConnect: true,
};

export const transport: Transport = {
  runtime: `Node ${process.version}`, capabilities, connect, listen, bind, adopt, adoptHandle /* #17 */, ready: () => { load(); },
};
export default transport;
