// The runtime's own socket handles in crossnet (#17): handles its node:cluster hands a worker
// (src/cluster.ts), and sockets and servers passed between processes with the runtime's
// child_process (`subprocess.send(message, handle)`), whose receiving end builds the runtime's own
// node:net objects. Those handles become crossnet Connections/Listeners through the transport
// (`Transport.adoptHandle`, `Connection.exportHandle`, `Listener.exportHandle`); this module
// holds the runtime-free part: the listening-handle protocol libuv's handles and cluster's
// round-robin stand-in share (`listen(backlog)`, `onconnection(status, client)`, `close`).
import process from 'node:process';
import { getTransport } from './runtime.ts';
import { codeOfErrno } from './errors.ts';
import { failure, isFailure } from './failure.ts';
import type { Connection, Endpoint, ListenEvents, Listener } from './transport.ts';

/** A runtime's listening handle (or cluster's stand-in for one), as node:net drives it. */
export interface RuntimeHandle {
  close(...args: unknown[]): unknown;
  listen?(backlog: number): number;
  ref?(): void;
  unref?(): void;
  getsockname?(out: Record<string, unknown>): number;
  onconnection?: ((status: number, client?: unknown) => void) | null;
  accept?(client: unknown): number;
  fd?: number;
}

/** A listen target for Server._listen2 whose listener is made by the caller (a handle handed over). */
export interface HandoffTarget {
  kind: 'handoff';
  listen(events: ListenEvents): Listener;
}

/**
 * The runtime's own connected-socket handle as a Connection (`new net.Socket({ handle })` with
 * one), or null when `handle` is not one the transport knows (it is then driven as node:net
 * drives a handle object).
 */
export function adoptRuntimeHandle(handle: unknown): Connection | null {
  const transport = getTransport();
  if (typeof transport.adoptHandle !== 'function' || !looksLikeStream(handle)) return null;
  try {
    return transport.adoptHandle(handle);
  } catch (err) {
    if (isFailure(err)) return null;
    throw err;
  }
}

/** A libuv-style stream handle (Node's tcp_wrap/pipe_wrap, Deno's compat ones): not a faked one. */
export function looksLikeStream(handle: unknown): boolean {
  const h = handle as Record<string, unknown> | null;
  return typeof h === 'object' && h !== null && Object.getPrototypeOf(h) !== Object.prototype &&
    typeof h.readStart === 'function' && typeof h.close === 'function';
}

/** Whether `value` is the runtime's own listening handle (server.listen(handle) with one). */
export function isRuntimeListenHandle(value: unknown): value is RuntimeHandle {
  return looksLikeStream(value) && typeof (value as RuntimeHandle).listen === 'function' &&
    typeof getTransport().adoptHandle === 'function';
}

/**
 * A Listener over a runtime handle that reports connections through `onconnection(status,
 * client)`; each client becomes a Connection (Transport.adoptHandle). `syncClose`: the handle's
 * close() takes no callback (cluster's stand-in).
 */
export function handleListener(handle: RuntimeHandle, opts: { backlog: number | undefined; path: string | undefined; syncClose: boolean },
  events: ListenEvents): Listener {
  const transport = getTransport();
  handle.onconnection = (status: number, client?: unknown) => {
    if (status === 0 && client === undefined && typeof handle.accept === 'function') {
      // Deno's handles report a connection without the client: it is taken with accept().
      const Ctor = (handle as unknown as { constructor: new (type: number) => unknown }).constructor;
      const taken = new Ctor(0);
      const err = handle.accept(taken);
      if (err) status = err;
      else client = taken;
    }
    if (status < 0) {
      events.onError(failure(codeOfErrno(status)));
      return;
    }
    let conn: Connection;
    try {
      conn = transport.adoptHandle!(client);
    } catch (err) {
      if (!isFailure(err)) throw err;
      events.onError(err);
      return;
    }
    events.onConnection(conn);
  };
  const close = handle.close;
  const err = typeof handle.listen === 'function' ? handle.listen(opts.backlog || 511) : 0;
  if (err) {
    Reflect.apply(close, handle, []);
    throw failure(codeOfErrno(err));
  }
  let closed = false;
  return {
    endpoint(): Endpoint {
      if (opts.path !== undefined) return opts.path;
      const out: Record<string, unknown> = {};
      if (typeof handle.getsockname !== 'function' || handle.getsockname(out) !== 0 || typeof out.address !== 'string') {
        return { address: '', port: 0, family: 'IPv4' };
      }
      return { address: out.address, port: out.port as number, family: out.family === 'IPv6' || out.family === 6 ? 'IPv6' : 'IPv4' };
    },
    close(done?: () => void): void {
      if (closed) {
        if (done) process.nextTick(done);
        return;
      }
      closed = true;
      handle.onconnection = null;
      if (opts.syncClose) {
        Reflect.apply(close, handle, []);
        if (done) process.nextTick(done);
      } else {
        Reflect.apply(close, handle, [done]);
      }
    },
    ref: () => handle.ref?.(),
    unref: () => handle.unref?.(),
    get fd() { return typeof handle.fd === 'number' ? handle.fd : -1; },
    exportHandle: () => handle,
  };
}

// ---- a server's sockets in other processes (node:net's _setupWorker) ------------------------------

/** child_process's record of the sockets one server handed to one process. */
interface SocketList {
  getConnections(cb: (err: Error | null, count: number) => void): void;
  close(cb: () => void): void;
  once(event: 'exit', listener: () => void): void;
}

/** The part of net.Server these functions drive. */
interface CountingServer {
  _connections: number;
  _connectionKey: string | undefined;
  _emitCloseIfDrained(): void;
}

const workerLists = new WeakMap<CountingServer, SocketList[]>();

/**
 * What the runtime's child_process reads of `socket.server` when it sends a socket a server
 * accepted (node:net's send: the key, `_setupWorker(list)` the first time, `_connections--` unless
 * keepOpen); the carrier node:net socket gets it for the crossnet server. The count is crossnet's
 * to keep (handOff() lets go of the socket as Node's send does; not every runtime's send does).
 */
export function serverForSend(server: CountingServer): object {
  return {
    get _connectionKey() { return server._connectionKey; },
    get _connections() { return server._connections; },
    set _connections(_n: number) { /* counted by handOff() */ },
    _setupWorker(list: SocketList): void {
      let lists = workerLists.get(server);
      if (!lists) workerLists.set(server, (lists = []));
      lists.push(list);
      list.once('exit', () => {
        const at = lists.indexOf(list);
        if (at >= 0) lists.splice(at, 1);
      });
    },
  };
}

/** getConnections() of a server whose sockets went to other processes: theirs count too, as in Node. */
export function countWithWorkers(server: CountingServer, cb: (err: Error | null, count: number) => void): boolean {
  const lists = workerLists.get(server);
  if (!lists?.length) return false;
  let left = lists.length;
  let total = server._connections;
  for (const list of [...lists]) {
    list.getConnections((err, count) => {
      if (left < 0) return;
      if (err) {
        left = -1;
        process.nextTick(cb, err, 0);
        return;
      }
      total += count;
      if (--left === 0) process.nextTick(cb, null, total);
    });
  }
  return true;
}

/** close(): 'close' also waits for the sockets handed to other processes, as in Node. */
export function closeWorkers(server: CountingServer): void {
  const lists = workerLists.get(server);
  if (!lists?.length) return;
  let left = lists.length;
  // Held up once, so 'close' comes once even if every socket closes while the lists are asked.
  server._connections++;
  for (const list of [...lists]) {
    list.close(() => {
      if (--left !== 0) return;
      server._connections = 0;
      server._emitCloseIfDrained();
    });
  }
}
