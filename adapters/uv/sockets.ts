// connect, listen, bind and adopt over libuv-protocol handles (see handles.ts).
import process from 'node:process';
import type {
  BindTarget, Bound, Connection, ConnectTarget, Endpoint, Failure, Listener, ListenEvents, ListenTarget, PendingConnect,
} from '../../src/transport.ts';
import { failure } from '../../src/failure.ts';
import { type Dialect, type Handle, UV_EBADF, UV_EINVAL, call, errname, ipEndpoint, noop } from './handles.ts';
import { UvConnection } from './connection.ts';

/** Connect; `path` is what to hand the Pipe (an alias of target.path on Deno), `after` runs once settled. */
export function uvConnect(d: Dialect, target: ConnectTarget, path: string,
  done: (err: Failure | null, conn?: Connection) => void, after?: () => void): PendingConnect {
  const b = d.b;
  let cancelled = false;
  const tcp = target.kind === 'tcp';
  // A bound socket (net.BoundSocket) connects from where it is bound; it is the connection's from now on.
  let bound: [Handle, 'tcp' | 'ipc'] | null = null;
  try {
    bound = target.bound ? (target.bound as UvBound).take() : null;
  } catch (code) {
    process.nextTick(done, code as Failure); // already handed to a listener or another connect
    return { cancel: noop };
  }
  const handle = bound ? bound[0] : tcp ? new b.TCP(b.tcp.SOCKET) : new b.Pipe(b.pipe.SOCKET);
  const fail = (code: string, syscall?: string): PendingConnect => {
    handle.close();
    process.nextTick(() => {
      after?.();
      if (cancelled) return;
      cancelled = true;
      done(failure(code, syscall));
    });
    return { cancel: () => { cancelled = true; } };
  };
  if (bound?.[1] === 'ipc' && d.reopenBoundPipe) {
    // uv_pipe_bind only set the descriptor; opening it again makes the stream readable and writable.
    const err = call(() => handle.open(handle.fd ?? -1));
    if (err) return fail(err, 'open');
  }
  const bindLocal = !bound && tcp && (target.localAddress || target.localPort);
  // How a connect from a local address failed: [code, 'bind' when the bind step is what failed].
  const boundConnectFailure = (err: string): [string, string?] => {
    // Deno's copy answers EINVAL where libuv answers EADDRNOTAVAIL (as its bind does).
    const code = err === 'EINVAL' && d.bindStatus(UV_EINVAL) !== UV_EINVAL ? 'EADDRNOTAVAIL' : err;
    if (code !== 'EADDRINUSE' && code !== 'EADDRNOTAVAIL') return [code];
    // A deferred bind failure surfaces at connect; but with the asked-for port really held, an
    // EADDRNOTAVAIL is connect's own (that 4-tuple is in use), as Node reports it.
    const local = code === 'EADDRNOTAVAIL' && target.kind === 'tcp' && target.localPort ? ipEndpoint(handle, 'getsockname') : undefined;
    const held = !!local && typeof local !== 'string' && target.kind === 'tcp' && local.port === target.localPort;
    return held ? [code] : [code, 'bind'];
  };
  if (bindLocal) {
    // libuv may defer EADDRINUSE to connect(), which would then bind a random port: check the
    // port, as Node's net does (_checkBindError).
    const family = target.family;
    let err = call(() => d.bindStatus(family === 4
      ? handle.bind(target.localAddress ?? '0.0.0.0', target.localPort ?? 0)
      : handle.bind6(target.localAddress ?? '::', target.localPort ?? 0, 0)));
    if (!err && target.localPort) {
      // Node's getsockname reports the deferred error itself; Deno's reports port 0.
      const out: Record<string, unknown> = {};
      err = call(() => handle.getsockname?.(out) ?? 0);
      if (!err && out.port !== target.localPort) err = 'EADDRINUSE';
    }
    if (err) return fail(err, 'bind');
  }
  const req = tcp ? new b.TCPConnectWrap() : new b.PipeConnectWrap();
  req.oncomplete = ((status: number) => {
    after?.();
    if (cancelled) return;
    cancelled = true;
    if (status < 0) {
      const [code, syscall] = bindLocal ? boundConnectFailure(errname(status)) : [errname(status)];
      handle.close();
      done(failure(code, syscall));
      return;
    }
    done(null, new UvConnection(d, handle, tcp ? 'tcp' : 'ipc', '', tcp ? '' : target.path));
  }) as never;
  const err = call(() => (target.kind === 'tcp'
    ? (target.family === 4 ? handle.connect(req, target.address, target.port) : handle.connect6(req, target.address, target.port))
    : handle.connect(req, path)));
  if (err) return bindLocal ? fail(...boundConnectFailure(err)) : fail(err);
  return { cancel: () => { if (!cancelled) { cancelled = true; handle.close(); after?.(); } } };
}

type TcpBind = { address: string; port: number; family: 4 | 6; ipv6Only: boolean; reusePort: boolean };

/** bind/bind6 with the flags; a throw (Deno's sandbox) becomes its code. */
function bindTcp(d: Dialect, h: Handle, target: TcpBind): string | null {
  let flags = 0;
  if (target.ipv6Only) flags |= d.b.tcp.UV_TCP_IPV6ONLY;
  if (target.reusePort) flags |= d.b.tcp.UV_TCP_REUSEPORT ?? 0;
  return call(() => d.bindStatus(target.family === 6
    ? h.bind6(target.address, target.port, flags)
    // Deno takes IPv4 flags through bindWithFlags (its bind ignores a third argument); Node 23+ through
    // bind(…, flags), older Node ignores them.
    : h.bindWithFlags ? h.bindWithFlags(target.address, target.port, flags) : h.bind(target.address, target.port, flags)));
}

/** A bound, idle handle (TCP or Pipe of type SOCKET, as Node's BoundSocket makes). */
export class UvBound implements Bound {
  private handle: Handle | null;

  constructor(private readonly d: Dialect, handle: Handle, readonly kind: 'tcp' | 'ipc', readonly path: string,
    private readonly ep: Endpoint) {
    this.handle = handle;
  }

  endpoint(): Endpoint { return this.ep; }
  get fd(): number { return this.handle ? this.d.fdOf(this.handle, this.kind) : -1; }

  close(): void {
    this.handle?.close();
    this.handle = null;
  }

  /** Hand the handle over to a listener or a connection. */
  take(): [Handle, 'tcp' | 'ipc'] {
    const handle = this.handle;
    if (!handle) throw failure('EBADF');
    this.handle = null;
    return [handle, this.kind];
  }
}

/** Bind without listening; throws a Failure. `bindPath` is what to hand the Pipe. */
export function uvBind(d: Dialect, target: BindTarget, bindPath: string): UvBound {
  const b = d.b;
  if (target.kind === 'ipc') {
    const h = new b.Pipe(b.pipe.SOCKET);
    const err = call(() => h.bind(bindPath));
    if (err) {
      h.close();
      throw failure(err);
    }
    return new UvBound(d, h, 'ipc', target.path, target.path);
  }
  const h = new b.TCP(b.tcp.SOCKET);
  let err = bindTcp(d, h, target);
  // libuv defers EADDRINUSE to the next getsockname/listen/connect (Node's getsockname reports it;
  // Deno's reports port 0 instead): ask now, and compare.
  const ep = err ? undefined : ipEndpoint(h, 'getsockname');
  if (!err && (!ep || typeof ep === 'string' || (target.port && ep.port !== target.port) || ep.port === 0)) err = 'EADDRINUSE';
  if (err) {
    h.close();
    throw failure(err);
  }
  return new UvBound(d, h, 'tcp', '', ep!);
}

/** Wrap a descriptor in a TCP or Pipe handle by its type, as Node's net does; a libuv status on failure. */
function uvOpenFd(d: Dialect, fd: number, server: boolean): [Handle, 'tcp' | 'ipc'] | number {
  const b = d.b;
  const type = d.fdType(fd);
  // Not open at all: Node's listen() reports EINVAL, new Socket({ fd }) an UNKNOWN fd type.
  if (type === 'UNKNOWN') return server ? UV_EINVAL : UV_EBADF;
  if (type === 'OTHER') return UV_EINVAL;
  if (type !== 'PIPE') {
    const tcp = new b.TCP(server ? b.tcp.SERVER : b.tcp.SOCKET);
    const err = call(() => tcp.open(fd));
    if (type === 'TCP') return err ? UV_EINVAL : [tcp, 'tcp'];
    if (!err && ipEndpoint(tcp, 'getsockname')) return [tcp, 'tcp'];
    // Not an IP socket: let go of the descriptor without closing it, and open it as a pipe.
  }
  const pipe = new b.Pipe(server ? b.pipe.SERVER : b.pipe.SOCKET);
  const err = pipe.open(fd);
  return err ? err : [pipe, 'ipc'];
}

/**
 * #17: a TCP/Pipe handle the runtime's own node:cluster or child_process delivered. A handle that
 * was reading keeps calling the onread it had then (Deno), so reading stops until the core starts it.
 */
export function uvAdoptHandle(d: Dialect, handle: unknown): Connection {
  const kind = handle instanceof d.b.TCP ? 'tcp' : handle instanceof d.b.Pipe ? 'ipc' : null;
  if (!kind) throw failure('EINVAL');
  (handle as Handle).readStop();
  return new UvConnection(d, handle as Handle, kind);
}

export function uvAdopt(d: Dialect, fd: number): Connection {
  const opened = uvOpenFd(d, fd, false);
  if (typeof opened === 'number') throw failure(errname(opened));
  return new UvConnection(d, opened[0], opened[1]);
}

/** Bind and listen now; throws a Failure. `bindPath` is what to hand the Pipe. */
export function uvListen(d: Dialect, target: ListenTarget, bindPath: string, events: ListenEvents): Listener {
  const b = d.b;
  let handle: Handle;
  let err: string | null;
  let kind: 'tcp' | 'ipc' = 'tcp';
  let path = '';
  if (target.kind === 'tcp') {
    const h = handle = new b.TCP(b.tcp.SERVER);
    err = bindTcp(d, h, target);
    if (!err) err = call(() => h.listen(target.backlog));
  } else if (target.kind === 'ipc') {
    kind = 'ipc';
    path = target.path;
    const h = handle = new b.Pipe(b.pipe.SERVER);
    err = call(() => h.bind(bindPath));
    if (!err) err = call(() => h.listen(d.pipeBacklog(target.backlog)));
    if (!err && (target.readableAll || target.writableAll)) {
      const chmodErr = d.pipeChmod(h, target.path, target.readableAll, target.writableAll);
      if (chmodErr) {
        h.close();
        throw failure(chmodErr, 'uv_pipe_chmod');
      }
    }
  } else {
    if (target.kind === 'bound') {
      const bound = target.bound as UvBound;
      [handle, kind] = bound.take();
      path = bound.path;
    } else {
      const opened = uvOpenFd(d, target.fd, true);
      if (typeof opened === 'number') throw failure(errname(opened));
      [handle, kind] = opened;
    }
    const h = handle;
    err = call(() => h.listen(kind === 'ipc' ? d.pipeBacklog(target.backlog) : target.backlog));
  }
  if (err) {
    handle.close();
    throw failure(err);
  }
  const server = handle;
  server.onconnection = (status: number, client?: Handle) => {
    if (status === 0 && !client) {
      // Deno passes no client: the connection is taken with accept().
      const c = kind === 'tcp' ? new b.TCP(b.tcp.SOCKET) : new b.Pipe(b.pipe.SOCKET);
      const acceptErr = server.accept!(c);
      if (acceptErr) status = acceptErr;
      else client = c;
    }
    if (status < 0 || !client) events.onError(failure(errname(status || UV_EBADF)));
    else events.onConnection(new UvConnection(d, client, kind, path));
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
      if (cb) d.afterClose?.();
    },
    ref: () => { if (!closed) server.ref(); },
    unref: () => { if (!closed) server.unref(); },
    get fd() { return closed ? -1 : d.fdOf(server, kind); },
    exportHandle: d.handOff.server ? () => server : undefined, // #17
  };
}
