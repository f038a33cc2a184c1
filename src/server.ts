// net.Server: listen/accept/close over a transport Listener, with Node's semantics.
import { EventEmitter } from 'node:events';
import dc from 'node:diagnostics_channel';
import process from 'node:process';
import { Buffer } from 'node:buffer';
import { getDefaultHighWaterMark } from 'node:stream';
import {
  invalidArgType, invalidArgValue, nodeError, systemError,
} from './errors.ts';
import { isPipeName, normalizeArgs, toNumber } from './args.ts';
import { isIP } from './ip.ts';
import { isBlockListLike, type BlockListLike } from './blocklist.ts';
import { getTransport, requireCapability, surface } from './runtime.ts';
import { validateAbortSignal, validateNumber, validatePort } from './validate.ts';
import { Socket } from './socket.ts';
import { acceptOptions } from './socket-options.ts';
import { lookupListenAddress } from './connect.ts';
import { listenTransport } from './guard.ts';
import { isFailure } from './failure.ts';
import { BoundSocket, boundSocketPath, consumeBoundSocket } from './bound-socket.ts';
import { ipcIsNamedPipe, NAMED_PIPES, sunPathSize } from './platform.ts';
import type { Connection, Endpoint, Failure, ListenEvents, ListenTarget, Listener } from './transport.ts';
// #17 cluster: in a node:cluster worker the primary owns the port (src/cluster.ts).
import { isExclusive, listenInCluster, tcpQuery, type HandoffTarget } from './cluster.ts';
import { closeWorkers, countWithWorkers, handleListener, isRuntimeListenHandle } from './handoff.ts';

export interface ServerOptions {
  allowHalfOpen?: boolean;
  highWaterMark?: number;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
  noDelay?: boolean;
  pauseOnConnect?: boolean;
  blockList?: BlockListLike;
}

type ConnectionListener = (socket: Socket) => void;

/** Longest IPC path the OS takes: all of sun_path (no NUL needed); none on Windows (named pipes). */
const MAX_IPC_PATH = sunPathSize();

function ipFamily(ep: Endpoint): string | undefined {
  return typeof ep === 'string' ? undefined : ep.family;
}

function defaultHighWaterMark(): number {
  return typeof getDefaultHighWaterMark === 'function' ? getDefaultHighWaterMark(false) : 16 * 1024;
}

// The channels Node's net.Server publishes on (Node 20 on): each accepted socket, and the listen()
// tracing channel (asyncStart when listen() is called, asyncEnd once listening, error when binding
// or listening fails; a lookup failure publishes nothing).
const serverSocketChannel = dc.channel('net.server.socket');
const listenChannel = dc.tracingChannel('net.server.listen');

/** Node's TracingChannel.hasSubscribers, asked of its channels (Bun's TracingChannel has none). */
function listenTraced(): boolean {
  const c = listenChannel;
  return c.start.hasSubscribers || c.end.hasSubscribers || c.asyncStart.hasSubscribers || c.asyncEnd.hasSubscribers ||
    c.error.hasSubscribers;
}

/** What a listener reports, delivered to whichever Server owns the listener now. */
class ServerEvents implements ListenEvents {
  constructor(public owner: Server, readonly address: string | undefined, readonly port: number) {}

  onConnection(conn: Connection): void {
    // surface(), without a closure per accepted connection.
    try {
      this.owner._onConnection(conn);
    } catch (err) {
      process.nextTick(rethrow, err);
    }
  }

  onError(err: Failure): void {
    surface(() => {
      const owner = this.owner;
      if (!err.syscall) {
        owner.emit('error', systemError(err.code, 'accept'));
        return;
      }
      // A listen the adapter finished late failed: the server is not listening after all.
      if (owner._handle?.events === this) owner._handle = null;
      owner.emit('error', systemError(err.code, err.syscall, this.address, this.port, true));
    });
  }
}

/** The listening handle a Server owns (`server._handle`); another Server may take it over with listen(handle). */
class ServerHandle {
  constructor(public listener: Listener, readonly events: ServerEvents) {}

  get owner(): Server { return this.events.owner; }
  set owner(server: Server) { this.events.owner = server; }
  get fd(): number { return this.listener.fd; }
  ref(): void { this.listener.ref(); }
  unref(): void { this.listener.unref(); }
}

function rethrow(err: unknown): never {
  throw err;
}

function emitListeningNT(server: Server): void {
  // Closed meanwhile: no 'listening'.
  if (server._handle) server.emit('listening');
}

function emitErrorNT(server: Server, err: Error): void {
  server.emit('error', err);
}

export class Server extends EventEmitter {
  _connections = 0;
  _handle: ServerHandle | null = null;
  _pipeName: string | undefined = undefined;
  _unref = false;
  _listeningId = 1;
  _connectionKey: string | undefined = undefined;
  allowHalfOpen: boolean;
  pauseOnConnect: boolean;
  noDelay: boolean;
  keepAlive: boolean;
  keepAliveInitialDelay: number;
  highWaterMark: number;
  blockList: BlockListLike | undefined = undefined;
  maxConnections: number | undefined = undefined;
  dropMaxConnection = false;

  constructor(options?: ServerOptions | ConnectionListener, connectionListener?: ConnectionListener) {
    super();
    let opts: ServerOptions;
    if (typeof options === 'function') {
      opts = {};
      this.on('connection', options);
    } else if (options == null || typeof options === 'object') {
      opts = { ...options };
      if (typeof connectionListener === 'function') this.on('connection', connectionListener);
    } else {
      throw invalidArgType('options', 'Object', options);
    }
    if (typeof opts.keepAliveInitialDelay !== 'undefined') {
      validateNumber(opts.keepAliveInitialDelay, 'options.keepAliveInitialDelay');
      if (opts.keepAliveInitialDelay < 0) opts.keepAliveInitialDelay = 0;
    }
    if (opts.highWaterMark !== undefined) {
      validateNumber(opts.highWaterMark, 'options.highWaterMark');
      // Node: a negative value means the default.
      if (opts.highWaterMark < 0) opts.highWaterMark = defaultHighWaterMark();
    }
    this.allowHalfOpen = opts.allowHalfOpen || false;
    this.pauseOnConnect = !!opts.pauseOnConnect;
    this.noDelay = Boolean(opts.noDelay);
    this.keepAlive = Boolean(opts.keepAlive);
    this.keepAliveInitialDelay = ~~((opts.keepAliveInitialDelay ?? 0) / 1000);
    this.highWaterMark = opts.highWaterMark ?? defaultHighWaterMark();
    if (opts.blockList) {
      if (!isBlockListLike(opts.blockList)) throw invalidArgType('options.blockList', 'net.BlockList', opts.blockList);
      this.blockList = opts.blockList;
    }
  }

  listen(...args: unknown[]): this {
    const normalized = normalizeArgs(args);
    let options = normalized[0] as Record<string, unknown>;
    const cb = normalized[1];
    if (this._handle) throw nodeError('ERR_SERVER_ALREADY_LISTEN');
    getTransport();
    if (listenTraced()) listenChannel.asyncStart.publish({ server: this, options });
    if (cb !== null) this.once('listening', cb as () => void);
    const backlogFromArgs = toNumber(args.length > 1 && args[1]) || toNumber(args.length > 2 && args[2]) || undefined;

    // (boundSocket[, backlog][, cb]) or ({ handle: boundSocket }): adopt it; the BoundSocket lets go.
    const bound = options instanceof BoundSocket ? options : options.handle instanceof BoundSocket ? options.handle : null;
    if (bound !== null) {
      const path = boundSocketPath(bound);
      const taken = consumeBoundSocket(bound);
      if (path !== undefined) this._pipeName = path;
      this._listeningId++;
      this._listen2({ kind: 'bound', bound: taken, backlog: backlogFromArgs || 511 }, null, -1, -1);
      return this;
    }
    options = (options._handle || options.handle || options) as Record<string, unknown>;
    this._listeningId++;

    // (handle[, backlog][, cb]): take over another crossnet server's listening handle.
    if (options instanceof ServerHandle) {
      const prev = options.owner;
      if (prev._handle === options) prev._handle = null;
      options.owner = this;
      this._handle = options;
      if (listenTraced()) listenChannel.asyncEnd.publish({ server: this });
      this._connectionKey = '-1:null:-1';
      if (this._unref) options.listener.unref();
      process.nextTick(emitListeningNT, this);
      return this;
    }
    // #17 handoff: (handle) of the runtime's own, e.g. a server another process sent (src/handoff.ts).
    if (isRuntimeListenHandle(options)) {
      const handle = options;
      this._listen2({ kind: 'handoff', listen: (events) => handleListener(handle, { backlog: backlogFromArgs, path: undefined, syncClose: false }, events) },
        null, -1, -1);
      return this;
    }
    this._watchSignal(options);
    if (typeof options.fd === 'number' && options.fd >= 0) {
      requireCapability('adoptFd', 'server.listen({ fd })');
      // #17 cluster
      if (listenInCluster(this, { address: null, port: null, addressType: null, backlog: backlogFromArgs, fd: options.fd }, false)) return this;
      this._listen2({ kind: 'fd', fd: options.fd, backlog: (backlogFromArgs || 511) }, null, null, null);
      return this;
    }
    if (args.length === 0 || typeof args[0] === 'function' ||
        (typeof options.port === 'undefined' && 'port' in options) || options.port === null) {
      options.port = 0;
    }
    if (typeof options.port === 'number' || typeof options.port === 'string') {
      validatePort(options.port, 'options.port');
      const backlog = (options.backlog as number) || backlogFromArgs;
      const port = (options.port as number) | 0;
      this._checkTcpOptions(options, backlog);
      if (options.host) {
        this._lookupAndListen(port, options.host as string, backlog, options);
      } else {
        this._listenAny(port, backlog, options);
      }
      return this;
    }
    if (options.path && isPipeName(options.path)) {
      // No file to chmod behind an abstract name: Node refuses the options (its message, typo included).
      if (options.path[0] === '\0' && (options.readableAll || options.writableAll)) {
        throw invalidArgValue('options', options, 'can not set readableAll or writableAllt to true when path is abstract unix socket');
      }
      if (ipcIsNamedPipe()) requireCapability('namedPipes', NAMED_PIPES);
      const path = this._pipeName = options.path;
      const backlog = (options.backlog as number) || backlogFromArgs;
      if (backlog) requireCapability('ipcBacklog', 'server.listen() on an IPC path with a backlog');
      const readableAll = options.readableAll === true;
      const writableAll = options.writableAll === true;
      if (readableAll || writableAll) requireCapability('ipcPermissions', 'readableAll/writableAll');
      if (path.startsWith('\0')) requireCapability('abstractIpc', 'abstract IPC socket names');
      if (MAX_IPC_PATH !== undefined && Buffer.byteLength(path) > MAX_IPC_PATH) {
        // The OS would truncate it; fail as libuv's uv_pipe_bind2 does instead.
        this._failListen(systemError('EINVAL', 'listen', path, -1, true));
        return this;
      }
      // #17 cluster
      if (listenInCluster(this, { address: path, port: -1, addressType: -1, backlog, readableAll, writableAll }, isExclusive(options))) return this;
      this._listen2({ kind: 'ipc', path, backlog: backlog || 511, readableAll, writableAll }, path, -1, -1);
      return this;
    }
    if (!('port' in options || 'path' in options)) {
      throw invalidArgValue('options', options, 'must have the property "port" or "path"');
    }
    throw invalidArgValue('options', options);
  }

  _checkTcpOptions(options: Record<string, unknown>, backlog: number | undefined): void {
    if (backlog) requireCapability('backlog', 'server.listen() with a backlog');
    if (options.ipv6Only) requireCapability('ipv6Only', 'server.listen({ ipv6Only })');
    if (options.reusePort) requireCapability('reusePort', 'server.listen({ reusePort })');
  }

  _watchSignal(options: Record<string, unknown>): void {
    const signal = options.signal as AbortSignal | undefined;
    if (signal === undefined) return;
    validateAbortSignal(signal, 'options.signal');
    const onAborted = () => { this.close(); };
    if (signal.aborted) {
      process.nextTick(onAborted);
    } else {
      signal.addEventListener('abort', onAborted, { once: true });
      this.once('close', () => signal.removeEventListener('abort', onAborted));
    }
  }

  _lookupAndListen(port: number, host: string, backlog: number | undefined, options: Record<string, unknown>): void {
    const id = this._listeningId;
    // Until the address is known the server has no handle (a second listen() may replace this one).
    const onAddress = (err: unknown, ip?: string, family?: 4 | 6): void => surface(() => {
      if (id !== this._listeningId) return;
      if (err) {
        this.emit('error', err);
        return;
      }
      // #17 cluster
      if (listenInCluster(this, tcpQuery(ip!, port, family!, backlog, options), isExclusive(options))) return;
      this._listen2(this._tcpTarget(ip!, port, family!, backlog, options), ip!, port, family!);
    });
    // Node's dns.lookup answers an IP literal itself, on the next tick: so on every runtime.
    const literal = typeof host === 'string' ? isIP(host) : 0;
    if (literal) process.nextTick(onAddress, null, host, literal);
    // Checks the host synchronously (as Node's dns.lookup does).
    else lookupListenAddress(host, onAddress);
  }

  _tcpTarget(address: string, port: number, family: 4 | 6, backlog: number | undefined, options: Record<string, unknown>): ListenTarget {
    return {
      kind: 'tcp', address, port, family, backlog: backlog || 511,
      ipv6Only: options.ipv6Only === true, reusePort: options.reusePort === true,
    };
  }

  /** No host: `::` (dual-stack) when IPv6 works, else `0.0.0.0`, as Node does. */
  _listenAny(port: number, backlog: number | undefined, options: Record<string, unknown>): void {
    // #17 cluster: Node asks the primary for (null, port, 4); it then binds '::' or '0.0.0.0'.
    if (listenInCluster(this, tcpQuery(null, port, 4, backlog, options), isExclusive(options))) return;
    this._listen2(this._tcpTarget('::', port, 6, backlog, options), '::', port, 6, (code) => {
      // Node falls back to IPv4 when binding '::' fails; libuv defers EADDRINUSE to listen(),
      // which Node does not retry (and the port is taken on IPv4 as well).
      if (code === 'EADDRINUSE') return false;
      this._listen2(this._tcpTarget('0.0.0.0', port, 4, backlog, options), '0.0.0.0', port, 4);
      return true;
    });
  }

  /**
   * Bind and listen now, as Node's setupListenHandle: `_handle` is set before listen() returns, or
   * the error is emitted on the next tick. `retry` may take over a failure (returning true).
   * `_connectionKey` is Node's: address type, address and the port asked for.
   */
  _listen2(target: ListenTarget | HandoffTarget, address: string | null, port: number | null, addressType: number | null,
    retry?: (code: string) => boolean): void {
    const events = new ServerEvents(this, target.kind === 'ipc' ? target.path : address ?? undefined, port ?? -1);
    let listener: Listener;
    try {
      listener = target.kind === 'handoff' ? target.listen(events) : listenTransport(target, events); // #17 handoff
    } catch (err) {
      if (!isFailure(err)) throw err;
      const { code, syscall = 'listen' } = err;
      // Node's listen() throws when the socket file's mode cannot be set.
      if (syscall === 'uv_pipe_chmod') throw systemError(code, syscall);
      if (retry?.(code)) return;
      this._failListen(systemError(code, syscall, events.address, events.port, true));
      return;
    }
    this._handle = new ServerHandle(listener, events);
    if (listenTraced()) listenChannel.asyncEnd.publish({ server: this });
    this._connectionKey = `${addressType}:${address}:${port}`;
    if (this._unref) listener.unref();
    process.nextTick(emitListeningNT, this);
  }

  _failListen(err: Error): void {
    if (listenTraced()) listenChannel.error.publish({ server: this, error: err });
    process.nextTick(emitErrorNT, this, err);
  }

  _onConnection(conn: Connection): void {
    if (this.maxConnections != null && this._connections >= this.maxConnections) {
      const local = conn.localEndpoint();
      const remote = conn.remoteEndpoint();
      if (conn.kind === 'tcp' && local && remote && typeof local !== 'string' && typeof remote !== 'string') {
        // Node's data object has a null prototype.
        this.emit('drop', Object.assign(Object.create(null) as Record<string, unknown>, {
          localAddress: local.address, localPort: local.port, localFamily: local.family,
          remoteAddress: remote.address, remotePort: remote.port, remoteFamily: remote.family,
        }));
      } else {
        this.emit('drop');
      }
      conn.close();
      return;
    }
    if (this.blockList && conn.kind === 'tcp') {
      const remote = conn.remoteEndpoint();
      if (remote && typeof remote !== 'string') {
        const type = isIP(remote.address);
        if (type && this.blockList.check(remote.address, `ipv${type}`)) {
          conn.close();
          return;
        }
      }
    }
    const socket = new Socket({
      handle: conn,
      allowHalfOpen: this.allowHalfOpen,
      pauseOnCreate: this.pauseOnConnect,
      readable: true,
      writable: true,
      readableHighWaterMark: this.highWaterMark,
      writableHighWaterMark: this.highWaterMark,
    });
    // As Node: through the socket's handle (a TCP handle has these; a pipe's has not).
    const tcp = conn.kind === 'tcp';
    acceptOptions(socket, this.noDelay && tcp, this.keepAlive && tcp, this.keepAliveInitialDelay);
    this._connections++;
    socket.server = this;
    socket._server = this;
    this.emit('connection', socket);
    if (serverSocketChannel.hasSubscribers) serverSocketChannel.publish({ socket });
  }

  /**
   * events.captureRejections: a rejected 'connection' listener destroys that socket with the
   * rejection; one of any other event's listener becomes the server's 'error'.
   */
  override [EventEmitter.captureRejectionSymbol](err: unknown, event: string | symbol, sock?: Socket): void {
    if (event === 'connection') sock!.destroy(err as Error);
    else this.emit('error', err);
  }

  close(cb?: (err?: Error) => void): this {
    this._listeningId++;
    if (typeof cb === 'function') {
      if (!this._handle) this.once('close', () => cb(nodeError('ERR_SERVER_NOT_RUNNING')));
      else this.once('close', cb);
    }
    closeWorkers(this); // #17 handoff: and waits for sockets handed to other processes
    const handle = this._handle;
    if (handle) {
      this._handle = null;
      // 'close' waits until the runtime has released the port / unlinked the socket file.
      this._closingListener = true;
      handle.listener.close(() => {
        this._closingListener = false;
        this._emitCloseIfDrained();
      });
      return this;
    }
    this._emitCloseIfDrained();
    return this;
  }

  _closingListener = false;

  _emitCloseIfDrained(): void {
    if (this._handle || this._connections || this._closingListener) return;
    process.nextTick(() => this.emit('close'));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (!this._handle) return;
    await new Promise<void>((resolve, reject) => this.close((err) => (err ? reject(err) : resolve())));
  }

  address(): { address: string; family: string; port: number } | string | null {
    const listener = this._handle?.listener;
    if (listener) {
      const ep = listener.endpoint();
      if (typeof ep === 'string') return this._pipeName ?? ep;
      return { address: ep.address, family: ipFamily(ep) ?? 'IPv4', port: ep.port };
    }
    if (this._pipeName) return this._pipeName;
    return null;
  }

  get listening(): boolean {
    return !!this._handle;
  }

  getConnections(cb: (err: Error | null, count: number) => void): this {
    if (countWithWorkers(this, cb)) return this; // #17 handoff: sockets handed to other processes count
    process.nextTick(cb, null, this._connections);
    return this;
  }

  ref(): this {
    this._unref = false;
    this._handle?.listener.ref();
    return this;
  }

  unref(): this {
    this._unref = true;
    this._handle?.listener.unref();
    return this;
  }
}
