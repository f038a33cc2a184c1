// net.Socket: a stream.Duplex over a transport Connection, with Node's semantics.
import { Duplex } from 'node:stream';
import { Buffer } from 'node:buffer';
import process from 'node:process';
import dc from 'node:diagnostics_channel';
import { setImmediate } from 'node:timers';
import { invalidArgType, missingArgs, nodeError, outOfRange, systemError } from './errors.ts';
import { normalizeArgs, normalizedArgs, type Normalized } from './args.ts';
import { getTransport, requireCapability } from './runtime.ts';
import { validateFunction, validateInt32, validateNoObjectMode, validateNumber, validateString } from './validate.ts';
import { isBlockListLike, type BlockListLike } from './blocklist.ts';
import { cancelConnect, connectIpc, connectTcp, type Connectable } from './connect.ts';
import { IdleTimer } from './idle-timer.ts';
import { ipcIsNamedPipe, NAMED_PIPES } from './platform.ts';
import { adoptRuntimeHandle } from './handoff.ts'; // #17
import { adoptFd, ForeignConnection, handleMethod as method, isConnection, Pipe, TCP, type AnyHandle, type ForeignHandle } from './handle.ts';
import { initUserBuffer, parseOnread, type UserReads } from './onread.ts';
import { pauseOnCreate, SocketReceiver, tryReadStart, userReadsPause, userReadsResume } from './socket-read.ts';
import {
  applyCached, getTypeOfService, initOptions, setKeepAlive, setNoDelay, setTypeOfService, type Cached, type KeepAliveOptions,
} from './socket-options.ts';
import { bytesWritten, endAfterFIN, onReadableStreamEnd, toChunks, WriteSlot } from './socket-write.ts';
import { watchSignal } from './signal.ts';
import { BoundSocket, consumeBoundSocket } from './bound-socket.ts';
import type { Bound, Connection, PendingConnect } from './transport.ts';

const clientSocketChannel = dc.channel('net.client.socket');

type OnRead = {
  buffer: Uint8Array | (() => Uint8Array);
  callback: (this: Socket, nread: number, buf: Uint8Array) => boolean | void;
};
interface ServerLike {
  _connections: number;
  _emitCloseIfDrained(): void;
}
export interface SocketOptions {
  fd?: number;
  allowHalfOpen?: boolean;
  readable?: boolean;
  writable?: boolean;
  signal?: AbortSignal;
  onread?: OnRead;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
  blockList?: BlockListLike;
  typeOfService?: number;
  highWaterMark?: number;
  readableHighWaterMark?: number;
  writableHighWaterMark?: number;
  /** A handle object as node:net takes one, or (internal, from Server) an accepted Connection. */
  handle?: Connection | ForeignHandle;
  /** Internal: do not start reading (Server's pauseOnConnect). */
  pauseOnCreate?: boolean;
}

interface IpInfo { address?: string; port?: number; family?: string }

const TIMEOUT_MAX = 2 ** 31 - 1;

type Handle = AnyHandle;
type WriteCallback = (err?: Error | null) => void;

const noopRead = (): void => {};

export class Socket extends Duplex implements Connectable {
  connecting = false;
  _handle: Handle | null = null;
  /** The transport connection behind _handle: what the core reads, writes and shuts down. */
  _conn: Connection | null = null;
  _host: string | null = null;
  _pendingData: unknown = null;
  _pendingEncoding = '';
  server: unknown = null;
  _server: ServerLike | null = null;
  timeout: number | undefined = undefined;
  autoSelectFamilyAttemptedAddresses: string[] | undefined = undefined;
  blockList: BlockListLike | undefined = undefined;
  declare allowHalfOpen: boolean;
  /** node:stream's (untyped) reset of the destroyed state. */
  declare _undestroy: () => void;

  /** The connect attempt in flight (connect.ts owns it). */
  _attempt: PendingConnect | null = null;
  /** An adopted net.BoundSocket's socket, until connect() starts from it (or destroy() releases it). */
  _bound: Bound | null = null;
  _peername: IpInfo | null = null;
  _sockname: IpInfo | null = null;
  /** TCP options set so far (socket-options.ts), null until one is. */
  _opts: Cached | null = null;
  _idle: IdleTimer | null = null;
  _bytesRead = 0;
  _bytesDispatched = 0;
  _resetAndClosing = false;
  _endAfterFIN = false;
  _aborted = false;
  _isIpc = false;
  /** The write in flight (socket-write.ts). */
  _writes: WriteSlot | null = null;
  /** The `onread` option, when given. */
  _reads: UserReads | null = null;
  _receiver: SocketReceiver;

  constructor(options?: SocketOptions | number) {
    validateNoObjectMode(options);
    const opts: SocketOptions = typeof options === 'number' ? { fd: options } : { ...options };
    // Before the stream options (highWaterMark, …) are checked, as Node does.
    if (opts.keepAliveInitialDelay !== undefined) {
      validateNumber(opts.keepAliveInitialDelay, 'options.keepAliveInitialDelay');
      if (opts.keepAliveInitialDelay < 0) opts.keepAliveInitialDelay = 0;
    }
    const allowHalfOpen = Boolean(opts.allowHalfOpen);
    // The stream's and EventEmitter's options go on to Duplex, as node:net passes them. One fixed
    // shape, not a spread of the caller's object: a spread made every construction ~10 µs slower.
    const o = opts as SocketOptions & { encoding?: BufferEncoding; defaultEncoding?: BufferEncoding; captureRejections?: boolean };
    super({
      allowHalfOpen,
      readable: o.readable,
      writable: o.writable,
      highWaterMark: o.highWaterMark,
      readableHighWaterMark: o.readableHighWaterMark,
      writableHighWaterMark: o.writableHighWaterMark,
      encoding: o.encoding,
      defaultEncoding: o.defaultEncoding,
      captureRejections: o.captureRejections,
      // Taken below, in Node's order (stream part, then net part).
      signal: undefined,
      // Node's Socket emits 'close' itself, once the descriptor is released.
      emitClose: false,
      // Strings stay strings until written, so writableLength counts them as Node does.
      decodeStrings: false,
      autoDestroy: true,
    } as ConstructorParameters<typeof Duplex>[0]);
    this._receiver = new SocketReceiver(this);
    watchSignal(this, opts.signal);
    if (opts.handle instanceof BoundSocket) {
      // Bound but not connected (Node 26.4): connect() starts from it; nothing is read before.
      requireCapability('bindConnect', 'new net.Socket({ handle: boundSocket })');
      this._bound = consumeBoundSocket(opts.handle);
    } else if (opts.handle) {
      if (isConnection(opts.handle)) this._attach(opts.handle);
      else {
        // #17 handoff: the runtime's own handle (e.g. received from another process) gets full semantics.
        const native = adoptRuntimeHandle(opts.handle);
        if (native) this._attach(native);
        else this._attachForeign(opts.handle);
      }
    } else if (opts.fd !== undefined) {
      validateInt32(opts.fd, 'fd', 0);
      requireCapability('adoptFd', 'new Socket({ fd })');
      this._attach(adoptFd(opts.fd));
    }
    this._reads = parseOnread(opts.onread);
    initOptions(this, opts.noDelay, opts.keepAlive, opts.keepAliveInitialDelay, opts.typeOfService);
    this.on('end', onReadableStreamEnd);
    if (this._handle && this._reads) initUserBuffer(this._reads);
    if (this._handle && opts.readable !== false) {
      if (opts.pauseOnCreate) pauseOnCreate(this);
      else this.read(0);
    }
    if (opts.blockList) {
      if (!isBlockListLike(opts.blockList)) throw invalidArgType('options.blockList', 'net.BlockList', opts.blockList);
      this.blockList = opts.blockList;
    }
  }

  // ---- handle wiring -------------------------------------------------------------------------

  /** A transport connection becomes this socket's: behind the facade connect() made, or a new one. */
  _attach(conn: Connection): void {
    this._conn = conn;
    this._isIpc = conn.kind === 'ipc';
    conn.setReceiver(this._receiver);
    let h = this._handle;
    if (!(h instanceof TCP || h instanceof Pipe)) h = this._handle = this._isIpc ? new Pipe(this) : new TCP(this);
    h._attach(conn);
    h.reading = false;
  }

  /** new Socket({ handle }) with a handle object of the caller's, used as node:net uses one. */
  _attachForeign(handle: ForeignHandle): void {
    this._handle = handle;
    this._conn = new ForeignConnection(handle);
    this._conn.setReceiver(this._receiver);
    this._isIpc = false;
  }

  // ---- stream implementation -------------------------------------------------------------------

  override _read(): void {
    if (this.connecting || !this._handle) {
      this.once('connect', () => this._read());
    } else if (!this._handle.reading) {
      tryReadStart(this);
    }
  }

  override pause(): this {
    if (this._reads !== null) userReadsPause(this, this.connecting);
    return super.pause();
  }

  override resume(): this {
    if (this._reads !== null) userReadsResume(this, this.connecting);
    return super.resume();
  }

  override read(n?: number): unknown {
    if (this._reads !== null) userReadsResume(this, this.connecting);
    return super.read(n);
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, cb: WriteCallback): void {
    this._writeGeneric(false, chunk, encoding, cb);
  }

  override _writev(chunks: { chunk: Buffer; encoding: BufferEncoding }[], cb: WriteCallback): void {
    this._writeGeneric(true, chunks, '', cb);
  }

  _writeGeneric(writev: boolean, data: unknown, encoding: string, cb: WriteCallback): void {
    if (this.connecting) {
      this._pendingData = data;
      this._pendingEncoding = encoding;
      const onClose = () => cb(nodeError('ERR_SOCKET_CLOSED_BEFORE_CONNECTION'));
      this.once('connect', () => {
        this.off('close', onClose);
        this._writeGeneric(writev, data, encoding, cb);
      });
      this.once('close', onClose);
      return;
    }
    this._pendingData = null;
    const conn = this._conn;
    if (!conn) {
      cb(nodeError('ERR_SOCKET_CLOSED'));
      return;
    }
    this._idle?.touch();
    if (conn instanceof ForeignConnection) {
      this._bytesDispatched += conn.writeNode(writev, data, encoding, cb);
      return;
    }
    let slot = this._writes;
    if (slot === null || slot.conn !== conn) slot = this._writes = new WriteSlot(conn, this);
    slot.cb = cb;
    conn.write(toChunks(this, writev, data, encoding), slot.done);
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (this.connecting) {
      this.once('connect', () => this._final(cb));
      return;
    }
    const conn = this._conn;
    if (!conn) {
      cb();
      return;
    }
    conn.shutdown((err) => {
      if (err && err.code !== 'ENOTCONN') cb(systemError(err.code, 'shutdown'));
      else cb();
    });
  }

  override _destroy(exception: Error | null, cb: (err: Error | null) => void): void {
    this._bound?.close();
    this._bound = null;
    this.connecting = false;
    cancelConnect(this);
    this._clearTimer();
    const handle = this._handle;
    const conn = this._conn;
    if (handle) {
      const hadError = Boolean(exception);
      this._handle = null;
      this._conn = null;
      this._writes = null;
      this._sockname = null;
      cb(exception);
      const emitClose = () => process.nextTick(() => this.emit('close', hadError));
      const reset = this._resetAndClosing ? method(handle, 'reset') : undefined;
      this._resetAndClosing = false;
      if (!conn && (handle instanceof TCP || handle instanceof Pipe)) {
        // Still connecting: no descriptor to release yet. Node's 'close' still waits for libuv's
        // close callback, a later turn of the loop (code awaiting 'error' first still sees it).
        handle.close();
        setImmediate(emitClose);
      } else if (reset) {
        reset.call(handle, emitClose as never);
      } else {
        const close = method(handle, 'close');
        if (close) close.call(handle, emitClose as never);
        else emitClose();
      }
      handle.reading = false;
      handle.onread = noopRead;
    } else {
      cb(exception);
      process.nextTick(() => this.emit('close'));
    }
    if (this._server) {
      this._server._connections--;
      this._server._emitCloseIfDrained();
    }
  }

  // ---- connect ---------------------------------------------------------------------------------

  connect(...args: unknown[]): this {
    let normalized: Normalized;
    const first = args[0] as Normalized | undefined;
    if (Array.isArray(first) && (first as Normalized)[normalizedArgs]) normalized = first;
    else normalized = normalizeArgs(args);
    const options = normalized[0];
    const cb = normalized[1];
    if (clientSocketChannel.hasSubscribers) clientSocketChannel.publish({ socket: this });
    if (cb !== null) this.once('connect', cb as (...a: unknown[]) => void);
    if (options.port === undefined && options.path == null) {
      throw missingArgs(['options', 'port', 'path']);
    }
    getTransport();
    if (this.write !== Socket.prototype.write) this.write = Socket.prototype.write;
    if (this.destroyed) {
      this._handle = null;
      this._conn = null;
      this._peername = null;
      this._sockname = null;
      this._bytesRead = 0;
      this._bytesDispatched = 0;
      this._undestroy();
    }
    const path = options.path;
    // An adopted BoundSocket fixes the transport, whatever the options say (as Node).
    const pipe = this._bound ? this._bound.kind === 'ipc' : !!path;
    // Node's handle exists from here on, before any lookup; the connection comes behind it.
    if (!this._handle) {
      this._handle = pipe ? new Pipe(this) : new TCP(this);
      if (this._reads) initUserBuffer(this._reads);
    }
    this._idle?.touch();
    this.connecting = true;
    if (pipe) {
      validateString(path, 'options.path');
      if (ipcIsNamedPipe()) requireCapability('namedPipes', NAMED_PIPES);
      this._isIpc = true;
      connectIpc(this, path);
    } else {
      this._isIpc = false;
      connectTcp(this, options);
    }
    return this;
  }

  _afterConnect(conn: Connection): void {
    if (this.destroyed || !this.connecting) {
      conn.close();
      return;
    }
    this._attach(conn);
    this.connecting = false;
    this._sockname = null;
    this._idle?.touch();
    const err = applyCached(this, conn);
    if (err) {
      this.destroy(err);
      return;
    }
    this.emit('connect');
    this.emit('ready');
    if (!this.isPaused()) this.read(0);
  }

  // ---- timeouts --------------------------------------------------------------------------------

  setTimeout(msecs: number, callback?: () => void): this {
    if (this.destroyed) return this;
    this.timeout = msecs;
    validateNumber(msecs, 'msecs');
    if (msecs < 0 || !Number.isFinite(msecs)) throw outOfRange('msecs', 'a non-negative finite number', msecs);
    if (msecs > TIMEOUT_MAX) {
      process.emitWarning(`${msecs} does not fit into a 32-bit signed integer.\nTimer duration was truncated to ${TIMEOUT_MAX}.`, 'TimeoutOverflowWarning');
      msecs = TIMEOUT_MAX;
    }
    this._clearTimer();
    if (msecs === 0) {
      if (callback !== undefined) {
        validateFunction(callback, 'callback');
        this.removeListener('timeout', callback);
      }
    } else {
      this._idle = new IdleTimer(msecs, () => this.emit('timeout'));
      if (callback !== undefined) {
        validateFunction(callback, 'callback');
        this.once('timeout', callback);
      }
    }
    return this;
  }

  _clearTimer(): void {
    this._idle?.stop();
    this._idle = null;
  }

  _unrefTimer(): void {
    this._idle?.touch();
  }

  // ---- options ---------------------------------------------------------------------------------

  setNoDelay(enable?: boolean): this {
    setNoDelay(this, enable);
    return this;
  }

  setKeepAlive(enable?: boolean | KeepAliveOptions, initialDelay?: number, interval?: number, count?: number): this {
    setKeepAlive(this, enable, initialDelay, interval, count);
    return this;
  }

  /** IP_TOS / IPV6_TCLASS (Node 24.11+); cached until connected, as on Node. */
  setTypeOfService(tos: number): this {
    setTypeOfService(this, tos);
    return this;
  }

  getTypeOfService(): number {
    return getTypeOfService(this);
  }

  ref(): this {
    const h = this._handle;
    if (!h) this.once('connect', this.ref);
    else method(h, 'ref')?.call(h);
    return this;
  }

  unref(): this {
    const h = this._handle;
    if (!h) this.once('connect', this.unref);
    else method(h, 'unref')?.call(h);
    return this;
  }

  // ---- ending ----------------------------------------------------------------------------------

  override end(...args: unknown[]): this {
    if (this._endAfterFIN) {
      this._endAfterFIN = false;
      if (args.length === 0 && this.readableEnded && this.writable) {
        setImmediate(endAfterFIN, this);
        return this;
      }
    }
    (Duplex.prototype.end as (...a: unknown[]) => unknown).apply(this, args);
    return this;
  }

  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once('finish', () => this.destroy());
  }

  resetAndDestroy(): this {
    if (this._handle) {
      if (!(this._handle instanceof TCP)) throw nodeError('ERR_INVALID_HANDLE_TYPE');
      requireCapability('reset', 'socket.resetAndDestroy()');
      if (this.connecting) {
        this.once('connect', () => this._reset());
      } else {
        this._reset();
      }
    } else {
      this.destroy(nodeError('ERR_SOCKET_CLOSED'));
    }
    return this;
  }

  _reset(): this {
    this._resetAndClosing = true;
    return this.destroy();
  }

  // ---- properties ------------------------------------------------------------------------------

  get pending(): boolean {
    return (!this._handle && !this._bound) || this.connecting;
  }

  get readyState(): string {
    if (this.connecting) return 'opening';
    if (this.readable && this.writable) return 'open';
    if (this.readable && !this.writable) return 'readOnly';
    if (!this.readable && this.writable) return 'writeOnly';
    return 'closed';
  }

  get bufferSize(): number | undefined {
    return this._handle || this.connecting ? this.writableLength : undefined;
  }

  get bytesRead(): number {
    return this._bytesRead;
  }

  get bytesWritten(): number | undefined {
    return bytesWritten(this);
  }

  // As Node: through the handle's getpeername(out)/getsockname(out) (an IPC handle has neither).
  _getpeername(): IpInfo {
    const h = this._handle;
    const get = h && method(h, 'getpeername');
    if (!get || this.connecting) return this._peername || {};
    if (!this._peername) {
      const out: IpInfo = {};
      if (get.call(h, out as never)) return out;
      this._peername = out;
    }
    return this._peername;
  }

  _getsockname(): IpInfo {
    // An adopted BoundSocket not yet connecting: where it is bound, as Node's bound handle says.
    const ep = !this._handle ? this._bound?.endpoint() : undefined;
    if (ep && typeof ep !== 'string') return { address: ep.address, family: ep.family, port: ep.port };
    const h = this._handle;
    const get = h && method(h, 'getsockname');
    if (!get) return {};
    if (!this._sockname) {
      const out: IpInfo = {};
      // Unlike Node, a failure is not kept: an adapter may know the address only a little later.
      if (get.call(h, out as never)) return out;
      this._sockname = out;
    }
    return this._sockname;
  }

  address(): IpInfo {
    return this._getsockname();
  }

  get remoteAddress(): string | undefined { return this._getpeername().address; }
  get remoteFamily(): string | undefined { return this._getpeername().family; }
  get remotePort(): number | undefined { return this._getpeername().port; }
  get localAddress(): string | undefined { return this._getsockname().address; }
  get localPort(): number | undefined { return this._getsockname().port; }
  get localFamily(): string | undefined { return this._getsockname().family; }

  get _connecting(): boolean {
    return this.connecting;
  }
}

