// net.Server: listen/accept/close over a transport Listener, with Node's semantics.
import { EventEmitter } from 'node:events';
import dns from 'node:dns';
import process from 'node:process';
import { Buffer } from 'node:buffer';
import { getDefaultHighWaterMark } from 'node:stream';
import {
  invalidArgType, invalidArgValue, nodeError, systemError,
} from './errors.ts';
import { isPipeName, normalizeArgs, toNumber } from './args.ts';
import { isIP } from './ip.ts';
import { isBlockListLike, type BlockListLike } from './blocklist.ts';
import { applyKeepAlive, getTransport, requireCapability, surface } from './runtime.ts';
import { validateAbortSignal, validateNumber, validatePort } from './validate.ts';
import { Socket } from './socket.ts';
import { ipcIsNamedPipe, NAMED_PIPES, sunPathSize } from './platform.ts';
import type { Connection, Endpoint, ListenTarget, Listener } from './transport.ts';

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

/** The listening handle a Server owns; another Server may take it over with listen(server). */
class ServerHandle {
  constructor(public listener: Listener | null, public owner: Server) {}
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
    if (opts.highWaterMark !== undefined) validateNumber(opts.highWaterMark, 'options.highWaterMark', 0);
    if (typeof opts.keepAliveInitialDelay !== 'undefined') {
      validateNumber(opts.keepAliveInitialDelay, 'options.keepAliveInitialDelay');
      if (opts.keepAliveInitialDelay < 0) opts.keepAliveInitialDelay = 0;
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
    if (cb !== null) this.once('listening', cb as () => void);
    const backlogFromArgs = toNumber(args.length > 1 && args[1]) || toNumber(args.length > 2 && args[2]) || undefined;
    options = (options._handle || options.handle || options) as Record<string, unknown>;
    this._listeningId++;

    // (handle[, backlog][, cb]): take over another crossnet server's listening handle.
    if (options instanceof ServerHandle) {
      const listener = options.listener;
      if (!listener) throw invalidArgValue('handle', options);
      options.owner._handle = null;
      options.owner = this;
      this._handle = options;
      this._setupListening(listener, `handle:${listener.fd}`);
      return this;
    }
    this._watchSignal(options);
    if (typeof options.fd === 'number' && options.fd >= 0) {
      requireCapability('adoptFd', 'server.listen({ fd })');
      this._open({ kind: 'fd', fd: options.fd, backlog: (backlogFromArgs || 511) }, null, -1, `fd:${options.fd}`);
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
        this._handle = new ServerHandle(null, this);
        this._failListen(systemError('EINVAL', 'listen', path, -1, true));
        return this;
      }
      this._open({ kind: 'ipc', path, backlog: backlog || 511, readableAll, writableAll }, path, -1, path);
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
    // Claim the server now so a second listen() throws, as Node's synchronous handle does.
    this._handle = new ServerHandle(null, this);
    dns.lookup(host, (err, ip, family) => surface(() => {
      if (id !== this._listeningId) return;
      if (err) {
        this._handle = null;
        this.emit('error', err);
        return;
      }
      const fam = ip ? family : 4;
      this._open(this._tcpTarget(ip || '0.0.0.0', port, fam as 4 | 6, backlog, options), ip, port, `${fam}:${ip}:${port}`);
    }));
  }

  _tcpTarget(address: string, port: number, family: 4 | 6, backlog: number | undefined, options: Record<string, unknown>): ListenTarget {
    return {
      kind: 'tcp', address, port, family, backlog: backlog || 511,
      ipv6Only: options.ipv6Only === true, reusePort: options.reusePort === true,
    };
  }

  /** No host: `::` (dual-stack) when IPv6 works, else `0.0.0.0`, as Node does. */
  _listenAny(port: number, backlog: number | undefined, options: Record<string, unknown>): void {
    this._open(this._tcpTarget('::', port, 6, backlog, options), '::', port, `6:::${port}`, (code) => {
      // The port is taken or forbidden: the same on IPv4. Anything else means no IPv6 here.
      if (code === 'EADDRINUSE' || code === 'EACCES') return false;
      this._open(this._tcpTarget('0.0.0.0', port, 4, backlog, options), '0.0.0.0', port, `4:0.0.0.0:${port}`);
      return true;
    });
  }

  _listenEvents(handle: ServerHandle) {
    return {
      onConnection: (conn: Connection) => surface(() => handle.owner._onConnection(conn)),
      onError: (code: string) => surface(() => handle.owner.emit('error', systemError(code, 'accept'))),
    };
  }

  /** Listen through the transport; `retry` may take over a failure (returning true) instead. */
  _open(target: ListenTarget, address: string | null, port: number, key: string, retry?: (code: string) => boolean): void {
    const id = this._listeningId;
    const handle = this._handle = new ServerHandle(null, this);
    getTransport().listen(target, this._listenEvents(handle), (err, listener) => surface(() => {
      if (id !== this._listeningId || this._handle !== handle) {
        listener?.close();
        return;
      }
      if (err) {
        const where = target.kind === 'ipc' ? target.path : address ?? undefined;
        const [syscall, code] = err.includes(' ') ? err.split(' ') : ['listen', err];
        if (retry?.(code)) return;
        this._failListen(systemError(code, syscall, where, port, true));
        return;
      }
      handle.listener = listener!;
      this._setupListening(listener!, key);
    }));
  }

  _setupListening(listener: Listener, key: string): void {
    this._connectionKey = key;
    if (this._unref) listener.unref();
    process.nextTick(() => {
      if (this._handle) this.emit('listening');
    });
  }

  _failListen(err: Error): void {
    this._handle = null;
    process.nextTick(() => this.emit('error', err));
  }

  _onConnection(conn: Connection): void {
    if (this.maxConnections != null && this._connections >= this.maxConnections) {
      const local = conn.localEndpoint();
      const remote = conn.remoteEndpoint();
      if (conn.kind === 'tcp' && local && remote && typeof local !== 'string' && typeof remote !== 'string') {
        this.emit('drop', {
          localAddress: local.address, localPort: local.port, localFamily: local.family,
          remoteAddress: remote.address, remotePort: remote.port, remoteFamily: remote.family,
        });
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
    if (this.noDelay && conn.kind === 'tcp') {
      socket._noDelay = true;
      conn.setNoDelay(true);
    }
    if (this.keepAlive && conn.kind === 'tcp') {
      socket._keepAlive = true;
      socket._keepAliveDelay = this.keepAliveInitialDelay;
      applyKeepAlive(conn, true, this.keepAliveInitialDelay);
    }
    this._connections++;
    socket.server = this;
    socket._server = this;
    this.emit('connection', socket);
  }

  close(cb?: (err?: Error) => void): this {
    if (typeof cb === 'function') {
      if (!this._handle) this.once('close', () => cb(nodeError('ERR_SERVER_NOT_RUNNING')));
      else this.once('close', cb);
    }
    if (this._handle) {
      const listener = this._handle.listener;
      this._handle.listener = null;
      this._handle = null;
      this._listeningId++;
      if (listener) {
        // 'close' waits until the runtime has released the port / unlinked the socket file.
        this._closingListener = true;
        listener.close(() => {
          this._closingListener = false;
          this._emitCloseIfDrained();
        });
        return this;
      }
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
    return !!(this._handle?.listener && this._connectionKey);
  }

  getConnections(cb: (err: Error | null, count: number) => void): this {
    process.nextTick(cb, null, this._connections);
    return this;
  }

  ref(): this {
    this._unref = false;
    this._handle?.listener?.ref();
    return this;
  }

  unref(): this {
    this._unref = true;
    this._handle?.listener?.unref();
    return this;
  }
}
