// Servers in node:cluster workers (#17). A worker's listen() asks the primary for the port through
// the cluster module's own worker protocol, `cluster._getServer(server, query, cb)`, which Node,
// Deno and Bun all implement (their node:net calls it from listenInCluster). The primary owns the
// listening socket and answers with one of two handles:
// - round-robin (the default everywhere but Windows): a stand-in `{ close, listen, ref, unref,
//   getsockname? }` whose `onconnection(0, client)` the worker's cluster code calls for each
//   connection the primary hands over; `client` is the runtime's own socket handle (Node: a
//   tcp_wrap TCP; Deno: its compat TCPWrap; Bun: `{ fd }`), which the transport turns into a
//   Connection (`Transport.adoptHandle`).
// - SCHED_NONE: the listening handle itself, shared by every worker (Node: a tcp_wrap TCP server;
//   Deno: its compat one; Bun: `{ sharedFd }`); the worker listens on it and accepts from it.
// The core stays runtime-free: only node:cluster's public `isWorker` and its protocol entry are used.
import process from 'node:process';
import { getTransport, surface } from './runtime.ts';
import { codeOfErrno, errnoOf, systemError, unsupported } from './errors.ts';
import { handleListener, type HandoffTarget, type RuntimeHandle } from './handoff.ts';
import { listenTransport } from './guard.ts';
import { failure } from './failure.ts';
import type { ListenEvents, Listener } from './transport.ts';

export type { HandoffTarget };

/** What the primary hands a worker: the round-robin stand-in or a shared listening handle. */
type ClusterHandle = RuntimeHandle;

interface WorkerCluster {
  isWorker: boolean;
  _getServer?(obj: object, query: Record<string, unknown>, cb: (err: number, handle: ClusterHandle | null) => void): void;
}

/** The query a worker sends the primary: Node's listenInCluster fields (address null = any). */
export interface ClusterQuery {
  address: string | null;
  port: number | null;
  addressType: number | null;
  backlog: number | undefined;
  fd?: number;
  flags?: number;
  readableAll?: boolean;
  writableAll?: boolean;
}

/** The part of net.Server this module drives. */
export interface ClusterServer {
  _listeningId: number;
  maxConnections: number | undefined;
  _connections: number;
  dropMaxConnection: boolean;
  emit(event: string, ...args: unknown[]): boolean;
  close(cb?: (err?: Error) => void): unknown;
  _listen2(target: HandoffTarget, address: string | null, port: number | null, addressType: number | null): void;
}

let worker: WorkerCluster | null | undefined;

/** node:cluster when this process is a cluster worker, else null (asked once). */
export function clusterWorker(): WorkerCluster | null {
  if (worker !== undefined) return worker;
  // Not imported statically: loading node:cluster costs every process that never forks. Deno
  // deletes NODE_UNIQUE_ID once its worker is set up, so the module is asked, not the environment.
  let c: WorkerCluster | undefined;
  try {
    const get = (process as unknown as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
    c = get?.call(process, 'node:cluster') as WorkerCluster | undefined;
  } catch {
    c = undefined;
  }
  worker = c && c.isWorker === true ? c : null;
  return worker;
}

/**
 * Node's listenInCluster, worker side: returns false when the server binds by itself (not a
 * worker, or `exclusive`); otherwise it asked the primary, and the server listens once answered.
 */
export function listenInCluster(server: ClusterServer, query: ClusterQuery, exclusive: boolean): boolean {
  if (exclusive) return false;
  const cluster = clusterWorker();
  if (!cluster) return false;
  const transport = getTransport();
  if (typeof cluster._getServer !== 'function' || typeof transport.adoptHandle !== 'function') {
    // As a failed bind is: 'error' (the host's lookup may have run first).
    const err = unsupported(transport.runtime, 'server.listen() in a node:cluster worker without { exclusive: true } (the primary hands out connections as runtime handles this transport cannot take)');
    process.nextTick(() => server.emit('error', err));
    return true;
  }
  const listeningId = server._listeningId;
  const { address, port, addressType } = query;
  const { readableAll, writableAll, ...rest } = query;
  const options: Record<string, unknown> = { ...rest };
  // Node sends these only for pipes (as listenInCluster's `options`).
  if (port === -1) Object.assign(options, { readableAll, writableAll });
  cluster._getServer(server, options, (status, handle) => surface(() => {
    if (listeningId !== server._listeningId) {
      handle?.close();
      return;
    }
    let err = status;
    // EADDRINUSE may show only as a different port (a failed bind followed by listen binds anew).
    if (!err && port !== null && port > 0 && handle && typeof handle.getsockname === 'function') {
      const out: Record<string, unknown> = {};
      err = handle.getsockname(out);
      if (err === 0 && out.port !== port) err = errnoOf('EADDRINUSE');
    }
    if (err || !handle) {
      server.emit('error', bindError(typeof err === 'number' ? err : errnoOf('EINVAL'), address, port));
      return;
    }
    server._listen2({ kind: 'handoff', listen: (events) => clusterListener(server, handle, query, events) },
      address, port, addressType);
  }));
  return true;
}

/** Node's ExceptionWithHostPort(err, 'bind', address, port): no libuv text; a null address reads 'null'. */
function bindError(errno: number, address: string | null, port: number | null): Error {
  const code = codeOfErrno(errno);
  const err = systemError(code, 'bind') as unknown as Error & Record<string, unknown>;
  err.errno = errno;
  err.message = `bind ${code}${port !== null && port > 0 ? ` ${address}:${port}` : address ? ` ${address}` : ''}`;
  err.address = address;
  if (port) err.port = port;
  return err;
}

/** The query for a TCP listen (Node's getFlags: UV_TCP_IPV6ONLY is 1). */
export function tcpQuery(address: string | null, port: number, addressType: number, backlog: number | undefined,
  options: Record<string, unknown>): ClusterQuery {
  return { address, port, addressType, backlog, fd: undefined, flags: options.ipv6Only === true ? 1 : 0 };
}

/** `exclusive: true` (or `reusePort`, which Node makes exclusive) keeps the worker's own bind. */
export function isExclusive(options: Record<string, unknown>): boolean {
  return !!options.exclusive || options.reusePort === true;
}

/** A Listener over the primary's answer; each connection it delivers becomes a Connection. */
function clusterListener(server: ClusterServer, handle: ClusterHandle, query: ClusterQuery, events: ListenEvents): Listener {
  const shared = (handle as { sharedFd?: unknown }).sharedFd;
  if (typeof shared === 'number') return sharedFdListener(handle, shared, query, events);
  // A round-robin stand-in is a plain object; a shared handle is the runtime's own.
  const standIn = Object.getPrototypeOf(handle) === Object.prototype;
  // The runtime's worker code finds the server through an owner symbol on the handle, to check
  // maxConnections before accepting a handed-over connection (else the primary offers it to
  // another worker) and to close the server on worker.disconnect().
  own(handle, server);
  const close = handle.close;
  const listener = handleListener(handle, { backlog: query.backlog, path: query.port === -1 ? query.address ?? '' : undefined,
    syncClose: standIn }, events);
  // Where the runtime's worker.disconnect() closes the handle itself, with a callback a stand-in
  // never calls: close the server instead, which closes the handle and calls back once drained.
  handle.close = function (this: ClusterHandle, ...args: unknown[]) {
    const cb = args[0];
    if (handle.onconnection && typeof cb === 'function') {
      server.close(cb as () => void);
      return undefined;
    }
    return Reflect.apply(close, handle, args);
  };
  return listener;
}

/**
 * Bun's SCHED_NONE answer: `{ sharedFd, adopted, close }`, the primary's listening descriptor,
 * which the worker listens on (through the transport: capability `adoptFd`), marking it adopted;
 * close() tells the primary.
 */
function sharedFdListener(handle: ClusterHandle, fd: number, query: ClusterQuery, events: ListenEvents): Listener {
  const transport = getTransport();
  if (!transport.capabilities.adoptFd) throw failure('ENOTSUP');
  const listener = listenTransport({ kind: 'fd', fd, backlog: query.backlog || 511 }, events);
  (handle as { adopted?: boolean }).adopted = true;
  let closed = false;
  return {
    endpoint: () => listener.endpoint(),
    close(done?: () => void): void {
      if (!closed) {
        closed = true;
        handle.close();
      }
      listener.close(done);
    },
    ref: () => listener.ref(),
    unref: () => listener.unref(),
    get fd() { return listener.fd; },
  };
}

/** The owner symbols of the runtimes' worker code: Node's, Deno's and Bun's (each module-private). */
const OWNER_NAMES = new Set(['owner_symbol', 'ownerSymbol', 'kClusterOwner']);

/**
 * Make the runtime's worker code see `server` as the handle's owner. The symbol is private to each
 * runtime, so: a round-robin stand-in (a plain object) gets a prototype that answers reads of a
 * symbol by that name; a real libuv handle of Node's has the legacy `owner` accessor for it.
 */
function own(handle: ClusterHandle, server: ClusterServer): void {
  if (Object.getPrototypeOf(handle) === Object.prototype) {
    // What the worker code reads of its owner. With dropMaxConnection (Node 22.12+) it accepts and
    // the server drops; older worker code (Node 20's, Deno's) knows no dropMaxConnection: no limit.
    const facade = {
      get maxConnections() { return server.dropMaxConnection ? undefined : server.maxConnections; },
      get _connections() { return server._connections; },
      get dropMaxConnection() { return server.dropMaxConnection; },
      close: (cb?: (err?: Error) => void) => server.close(cb),
    };
    Object.setPrototypeOf(handle, new Proxy(Object.prototype, {
      get: (target, key, receiver) => (typeof key === 'symbol' && OWNER_NAMES.has(key.description ?? '')
        ? facade : Reflect.get(target, key, receiver)),
    }));
    return;
  }
  const proto = Object.getPrototypeOf(handle) as object | null;
  const accessor = proto && Object.getOwnPropertyDescriptor(proto, 'owner');
  if (accessor?.set) (handle as unknown as { owner: unknown }).owner = server;
}
