// net.Socket: a stream.Duplex over a transport Connection, with Node's semantics.
import { Duplex } from 'node:stream';
import { Buffer } from 'node:buffer';
import process from 'node:process';
import { setTimeout, clearTimeout, setImmediate } from 'node:timers';
import {
  AbortError, codeOfErrno, invalidArgType, invalidFdType, missingArgs, nodeError, outOfRange, unsupported, systemError, type SystemError,
} from './errors.ts';
import { normalizeArgs, normalizedArgs, type Normalized } from './args.ts';
import { applyKeepAlive, getTransport, hasCapability, requireCapability, surface } from './runtime.ts';
import { validateAbortSignal, validateFunction, validateInt32, validateNumber, validateString } from './validate.ts';
import { isBlockListLike, type BlockListLike } from './blocklist.ts';
import { connectTcp } from './connect.ts';
import { IdleTimer } from './idle-timer.ts';
import { ipcIsNamedPipe, NAMED_PIPES } from './platform.ts';
import type { Connection, ConnectTarget, Endpoint, PendingConnect, Receiver } from './transport.ts';

type Timer = ReturnType<typeof setTimeout>;
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
  highWaterMark?: number;
  readableHighWaterMark?: number;
  writableHighWaterMark?: number;
  /** Internal: an accepted connection (set by Server). */
  handle?: Connection;
  /** Internal: do not start reading (Server's pauseOnConnect). */
  pauseOnCreate?: boolean;
}

interface IpInfo { address?: string; port?: number; family?: string }

const TIMEOUT_MAX = 2 ** 31 - 1;

function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

function toInfo(ep: Endpoint | undefined): IpInfo | undefined {
  if (!ep || typeof ep === 'string') return undefined;
  return { address: ep.address, family: ep.family, port: ep.port };
}

function onReadableStreamEnd(this: Socket): void {
  if (!this.allowHalfOpen) {
    this.write = writeAfterFIN;
    // stream.Readable calls end() a tick after 'end'; Socket.end() defers that call (endAfterFIN).
    if (this.writable) this._endAfterFIN = true;
  }
}

// The end() that the peer's FIN calls for (allowHalfOpen false), run after the ticks and
// microtasks that reacted to the FIN, so what they write goes out before our FIN. On Node,
// node:tls (and HTTP/2) drive a net.Socket's native handle themselves: the socket's JS side never
// sees the FIN, and TLS answers it (close_notify, two ticks after 'end') on a socket not yet ended.
// Any other stream, a crossnet socket included, they drive as a JS stream (JSStreamSocket), and
// with Node's end-on-next-tick that answer met writeAfterFIN: EPIPE on both sockets.
function endAfterFIN(s: Socket): void {
  if (s.readableEnded && s.writable && !s.writableEnded && !s.destroyed) (Duplex.prototype.end as () => unknown).call(s);
}

// Once the peer ended and allowHalfOpen is false, a write after our own end is EPIPE, as on Node.
function writeAfterFIN(this: Socket, chunk: unknown, encoding?: unknown, cb?: unknown): boolean {
  if (!this.writableEnded) {
    return Duplex.prototype.write.call(this, chunk, encoding as BufferEncoding, cb as (e?: Error | null) => void);
  }
  if (typeof encoding === 'function') cb = encoding;
  const err = Object.assign(new Error('This socket has been ended by the other party'), { code: 'EPIPE' });
  if (typeof cb === 'function') process.nextTick(cb as (e: Error) => void, err);
  this.destroy(err);
  return false;
}

/** Wrap a descriptor, failing as Node does for what is not a socket (ERR_INVALID_FD_TYPE). */
function adoptFd(fd: number): Connection {
  const transport = getTransport();
  try {
    return transport.adopt!(fd);
  } catch (err) {
    if (typeof err !== 'string') throw err;
    if (err === 'EBADF') throw invalidFdType('UNKNOWN');
    if (err === 'EINVAL' || err === 'ENOTSOCK') throw invalidFdType('FILE');
    throw systemError(err, 'open');
  }
}

// Adapter entry points. A listener's exception must reach the process as uncaught (surface).
class SocketReceiver implements Receiver {
  constructor(private readonly socket: Socket) {}
  onData(chunk: Uint8Array): void { surface(onData, this.socket, chunk); }
  onEnd(): void { surface(onEnd, this.socket); }
  onError(code: string): void { surface(onReadError, this.socket, code); }
}
const onData = (s: Socket, chunk: Uint8Array) => s._onData(chunk);
const onEnd = (s: Socket) => s._onEnd();
const onReadError = (s: Socket, code: string) => s._onReadError(code);
const afterConnect = (s: Socket, conn: Connection) => s._afterConnect(conn);
const flushLeftover = (s: Socket) => surface(flushLeftoverNow, s);
const flushLeftoverNow = (s: Socket) => s._flushLeftover();

export class Socket extends Duplex {
  connecting = false;
  _handle: Connection | null = null;
  _host: string | null = null;
  _pendingData: unknown = null;
  _pendingEncoding = '';
  server: unknown = null;
  _server: ServerLike | null = null;
  timeout: number | undefined = undefined;
  autoSelectFamilyAttemptedAddresses: string[] | undefined = undefined;
  blockList: BlockListLike | undefined = undefined;
  declare allowHalfOpen: boolean;

  _pendingConnect: PendingConnect | null = null;
  /** The Happy Eyeballs attempt timer (connect.ts). */
  _connectTimer: Timer | null = null;
  _peername: IpInfo | null = null;
  _sockname: IpInfo | null = null;
  _noDelay = false;
  _keepAlive = false;
  _keepAliveDelay = 0;
  _idle: IdleTimer | null = null;
  _bytesRead = 0;
  _bytesDispatched = 0;
  _reading = false;
  _resetAndClosing = false;
  _endAfterFIN = false;
  _aborted = false;
  _isIpc = false;
  _refed = true;
  _userBuffer: Uint8Array | null = null;
  _userBufferGen: (() => Uint8Array) | null = null;
  _userCallback: OnRead['callback'] | null = null;
  _userLeftover: Uint8Array | null = null;
  _receiver: Receiver;

  constructor(options?: SocketOptions | number) {
    const opts: SocketOptions = typeof options === 'number' ? { fd: options } : { ...options };
    const allowHalfOpen = Boolean(opts.allowHalfOpen);
    super({
      allowHalfOpen,
      readable: opts.readable,
      writable: opts.writable,
      highWaterMark: opts.highWaterMark,
      readableHighWaterMark: opts.readableHighWaterMark,
      writableHighWaterMark: opts.writableHighWaterMark,
      // Node's Socket emits 'close' itself, once the descriptor is released.
      emitClose: false,
      // Strings stay strings until written, so writableLength counts them as Node does.
      decodeStrings: false,
      autoDestroy: true,
    } as ConstructorParameters<typeof Duplex>[0]);
    this._receiver = new SocketReceiver(this);
    if (opts.handle) {
      this._attach(opts.handle);
    } else if (opts.fd !== undefined) {
      validateInt32(opts.fd, 'fd', 0);
      requireCapability('adoptFd', 'new Socket({ fd })');
      this._attach(adoptFd(opts.fd));
    }
    const onread = opts.onread;
    if (onread !== null && typeof onread === 'object' &&
        (onread.buffer instanceof Uint8Array || typeof onread.buffer === 'function') &&
        typeof onread.callback === 'function') {
      if (typeof onread.buffer === 'function') this._userBufferGen = onread.buffer;
      else this._userBuffer = onread.buffer;
      this._userCallback = onread.callback;
    }
    if (opts.keepAliveInitialDelay !== undefined) {
      validateNumber(opts.keepAliveInitialDelay, 'options.keepAliveInitialDelay');
      if (opts.keepAliveInitialDelay < 0) opts.keepAliveInitialDelay = 0;
    }
    this._noDelay = Boolean(opts.noDelay);
    this._keepAlive = Boolean(opts.keepAlive);
    this._keepAliveDelay = ~~((opts.keepAliveInitialDelay ?? 0) / 1000);
    this.on('end', onReadableStreamEnd);
    if (this._handle && opts.readable !== false) {
      if (opts.pauseOnCreate) {
        // No byte is read until resume(): readableFlowing false keeps 'data' listeners from starting it.
        (this as unknown as { readableFlowing: boolean | null }).readableFlowing = false;
      } else {
        this.read(0);
      }
    }
    if (opts.signal !== undefined) this._watchSignal(opts.signal);
    if (opts.blockList) {
      if (!isBlockListLike(opts.blockList)) throw invalidArgType('options.blockList', 'net.BlockList', opts.blockList);
      this.blockList = opts.blockList;
    }
  }

  // ---- handle wiring -------------------------------------------------------------------------

  _attach(conn: Connection): void {
    this._handle = conn;
    this._isIpc = conn.kind === 'ipc';
    conn.setReceiver(this._receiver);
    this._reading = false;
  }

  _watchSignal(signal: AbortSignal): void {
    validateAbortSignal(signal, 'options.signal');
    const onAbort = () => {
      signal.removeEventListener('abort', onAbort);
      this._aborted = true;
      this.destroy(new AbortError(undefined, { cause: signal.reason }));
    };
    if (signal.aborted) {
      process.nextTick(onAbort);
    } else {
      signal.addEventListener('abort', onAbort, { once: true });
      this.once('close', () => signal.removeEventListener('abort', onAbort));
    }
  }

  _onData(chunk: Uint8Array): void {
    if (this.destroyed) return;
    this._bytesRead += chunk.byteLength;
    this._idle?.touch();
    if (this._userCallback) {
      this._deliverToUser(chunk);
      return;
    }
    if (!this.push(asBuffer(chunk))) this._readStop();
  }

  _onEnd(): void {
    this._reading = false;
    if (this.destroyed) return;
    this.push(null);
    this.read(0);
  }

  _onReadError(code: string): void {
    this.destroy(systemError(code, 'read'));
  }

  /** onread mode: copy into the user's buffer, call back, and stop reading when it returns false. */
  _deliverToUser(chunk: Uint8Array): void {
    let offset = 0;
    while (offset < chunk.byteLength) {
      const buf = this._userBufferGen ? this._userBufferGen() : this._userBuffer!;
      const n = Math.min(buf.byteLength, chunk.byteLength - offset);
      buf.set(chunk.subarray(offset, offset + n), 0);
      offset += n;
      const ret = this._userCallback!.call(this, n, buf);
      if (ret === false || this.destroyed) {
        if (offset < chunk.byteLength && !this.destroyed) this._userLeftover = chunk.subarray(offset);
        this._readStop();
        return;
      }
      if (n === 0) break;
    }
  }

  _readStart(): void {
    if (!this._handle || this._reading) return;
    this._reading = true;
    if (this._userLeftover) {
      // Like a fresh read from the OS: after the ticks resume() schedules.
      setImmediate(flushLeftover, this);
      return;
    }
    this._handle.readStart();
  }

  // Bytes a user callback declined (returned false) are handed over again once reading resumes.
  _flushLeftover(): void {
    const rest = this._userLeftover;
    if (!rest || !this._reading || this.destroyed) return;
    this._userLeftover = null;
    this._deliverToUser(rest);
    if (this._reading && this._handle) this._handle.readStart();
  }

  _readStop(): void {
    if (!this._handle || !this._reading) return;
    this._reading = false;
    this._handle.readStop();
  }

  // ---- stream implementation -------------------------------------------------------------------

  override _read(): void {
    if (this.connecting || !this._handle) {
      this.once('connect', () => this._read());
    } else if (!this._reading) {
      this._readStart();
    }
  }

  override pause(): this {
    if (this._userCallback && !this.connecting && this._handle) this._readStop();
    return super.pause();
  }

  override resume(): this {
    if (this._userCallback && !this.connecting && this._handle && !this._reading) this._readStart();
    return super.resume();
  }

  override read(n?: number): unknown {
    if (this._userCallback && !this.connecting && this._handle && !this._reading) this._readStart();
    return super.read(n);
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, cb: (err?: Error | null) => void): void {
    this._writeGeneric(false, chunk, encoding, cb);
  }

  override _writev(chunks: { chunk: Buffer; encoding: BufferEncoding }[], cb: (err?: Error | null) => void): void {
    this._writeGeneric(true, chunks, '', cb);
  }

  _writeGeneric(writev: boolean, data: unknown, encoding: string, cb: (err?: Error | null) => void): void {
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
    const handle = this._handle;
    if (!handle) {
      cb(nodeError('ERR_SOCKET_CLOSED'));
      return;
    }
    this._idle?.touch();
    let chunks: Uint8Array[];
    if (writev) {
      const list = data as { chunk: Buffer | string; encoding: BufferEncoding }[];
      chunks = new Array(list.length);
      for (let i = 0; i < list.length; i++) {
        const c = list[i].chunk;
        chunks[i] = typeof c === 'string' ? Buffer.from(c, list[i].encoding) : c;
        this._bytesDispatched += chunks[i].byteLength;
      }
    } else {
      const c = data as Buffer | string;
      const buf = typeof c === 'string' ? Buffer.from(c, encoding as BufferEncoding) : c;
      this._bytesDispatched += buf.byteLength;
      chunks = [buf];
    }
    handle.write(chunks, (err) => {
      if (err) {
        cb(systemError(err, 'write'));
        return;
      }
      this._idle?.touch();
      cb();
    });
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (this.connecting) {
      this.once('connect', () => this._final(cb));
      return;
    }
    const handle = this._handle;
    if (!handle) {
      cb();
      return;
    }
    handle.shutdown((err) => {
      if (err && err !== 'ENOTCONN') cb(systemError(err, 'shutdown'));
      else cb();
    });
  }

  override _destroy(exception: Error | null, cb: (err: Error | null) => void): void {
    const wasConnecting = this.connecting;
    this.connecting = false;
    this._cancelConnect();
    this._clearTimer();
    const handle = this._handle;
    if (handle) {
      const hadError = Boolean(exception);
      this._handle = null;
      this._sockname = null;
      this._reading = false;
      cb(exception);
      const emitClose = () => process.nextTick(() => this.emit('close', hadError));
      if (this._resetAndClosing) {
        this._resetAndClosing = false;
        handle.reset(emitClose);
      } else {
        handle.close(emitClose);
      }
    } else if (wasConnecting) {
      // Node has a handle while connecting; its 'close' carries hadError.
      cb(exception);
      const hadError = Boolean(exception);
      process.nextTick(() => this.emit('close', hadError));
    } else {
      cb(exception);
      process.nextTick(() => this.emit('close'));
    }
    if (this._server) {
      this._server._connections--;
      this._server._emitCloseIfDrained();
    }
  }

  _cancelConnect(): void {
    if (this._pendingConnect) {
      this._pendingConnect.cancel();
      this._pendingConnect = null;
    }
    if (this._connectTimer !== null) {
      clearTimeout(this._connectTimer);
      this._connectTimer = null;
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
    if (options.port === undefined && options.path == null) {
      throw missingArgs(['options', 'port', 'path']);
    }
    getTransport();
    if (this.write !== Socket.prototype.write) this.write = Socket.prototype.write;
    if (this.destroyed) {
      this._handle = null;
      this._peername = null;
      this._sockname = null;
      this._bytesRead = 0;
      this._bytesDispatched = 0;
      (this as unknown as { _undestroy(): void })._undestroy();
    }
    if (cb !== null) this.once('connect', cb as (...a: unknown[]) => void);
    this._idle?.touch();
    this.connecting = true;
    const path = options.path;
    if (path) {
      validateString(path, 'options.path');
      if (ipcIsNamedPipe()) requireCapability('namedPipes', NAMED_PIPES);
      this._isIpc = true;
      this._startConnect({ kind: 'ipc', path }, path, undefined, undefined);
    } else {
      this._isIpc = false;
      connectTcp(this, options);
    }
    return this;
  }

  /**
   * One attempt through the transport. `done` (Happy Eyeballs) receives the outcome instead of the
   * default handling; otherwise a failure destroys the socket with Node's error.
   */
  _startConnect(target: ConnectTarget, address: string, port: number | undefined, family: 4 | 6 | undefined,
    done?: (err: SystemError | null, conn?: Connection) => void): void {
    // The outcome may arrive before connect() returns (an adapter may call back synchronously).
    let settled = false;
    let pending: PendingConnect | undefined;
    pending = getTransport().connect(target, (errCode, conn) => {
      settled = true;
      if (pending && this._pendingConnect === pending) this._pendingConnect = null;
      if (errCode) {
        const [syscall, code] = errCode.includes(' ') ? errCode.split(' ') : ['connect', errCode];
        const tcp = target.kind === 'tcp' ? target : undefined;
        const ex = syscall === 'bind' && tcp
          ? systemError(code, 'bind', tcp.localAddress, tcp.localPort)
          : systemError(code, syscall, address, port);
        if (tcp?.localAddress && tcp.localPort && syscall !== 'bind') {
          // Node names the local end too when the client was bound to one.
          ex.message += ` - Local (${tcp.localAddress}:${tcp.localPort})`;
          Object.assign(ex, { localAddress: tcp.localAddress, localPort: tcp.localPort });
        }
        if (done) {
          done(ex);
          return;
        }
        if (!this.connecting) return;
        if (family !== undefined) surface(() => this.emit('connectionAttemptFailed', address, port, family, ex));
        this.destroy(ex);
        return;
      }
      if (done) done(null, conn);
      else surface(afterConnect, this, conn!);
    });
    if (!settled) this._pendingConnect = pending;
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
    if (this._noDelay) conn.setNoDelay(true);
    if (this._keepAlive) applyKeepAlive(conn, true, this._keepAliveDelay);
    if (this._tos !== undefined && conn.kind === 'tcp') {
      // A value cached before connect that this runtime cannot apply: an 'error', not a throw
      // out of the adapter's callback.
      if (!hasCapability('typeOfService')) {
        this.destroy(unsupported(getTransport().runtime, 'socket.setTypeOfService()'));
        return;
      }
      conn.setTypeOfService?.(this._tos);
    }
    if (!this._refed) conn.unref();
    this.emit('connect');
    this.emit('ready');
    if (!this.isPaused() || this._userCallback) this.read(0);
  }

  // ---- timeouts --------------------------------------------------------------------------------

  setTimeout(msecs: number, callback?: () => void): this {
    if (this.destroyed) return this;
    this.timeout = msecs;
    validateNumber(msecs, 'msecs');
    if (msecs < 0 || !Number.isFinite(msecs)) throw outOfRange('msecs', 'a non-negative finite number', msecs);
    if (msecs > TIMEOUT_MAX) {
      process.emitWarning(`${msecs} does not fit into a 32-bit signed integer.\nTimeout duration was set to 1.`, 'TimeoutOverflowWarning');
      msecs = 1;
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
    const on = Boolean(enable === undefined ? true : enable);
    if (!this._handle) {
      this._noDelay = on;
      return this;
    }
    if (on !== this._noDelay) {
      this._noDelay = on;
      if (!this._isIpc) this._handle.setNoDelay(on);
    }
    return this;
  }

  setKeepAlive(enable?: boolean, initialDelay?: number): this {
    const on = Boolean(enable);
    const delay = ~~((initialDelay ?? 0) / 1000);
    if (!this._handle) {
      this._keepAlive = on;
      this._keepAliveDelay = delay;
      return this;
    }
    if (on !== this._keepAlive || (on && this._keepAliveDelay !== delay)) {
      this._keepAlive = on;
      this._keepAliveDelay = delay;
      if (!this._isIpc) applyKeepAlive(this._handle, on, delay);
    }
    return this;
  }

  /** IP_TOS / IPV6_TCLASS (Node 24.11+); cached until connected, as on Node. */
  setTypeOfService(tos: number): this {
    if (Number.isNaN(tos)) throw invalidArgType('tos', 'number', tos);
    validateInt32(tos, 'tos', 0, 255);
    if (!this._handle || this._isIpc) {
      this._tos = tos;
      return this;
    }
    if (tos !== this._tos) {
      requireCapability('typeOfService', 'socket.setTypeOfService()');
      this._tos = tos;
      const err = this._handle.setTypeOfService!(tos);
      if (err) throw systemError(err, 'setTypeOfService');
    }
    return this;
  }

  getTypeOfService(): number {
    if (!this._handle || this._isIpc) return this._tos ?? 0;
    requireCapability('typeOfService', 'socket.getTypeOfService()');
    const res = this._handle.getTypeOfService!();
    if (res < 0) throw systemError(codeOfErrno(res), 'getTypeOfService');
    return res;
  }

  _tos: number | undefined = undefined;

  ref(): this {
    this._refed = true;
    if (!this._handle) {
      if (!this.connecting) this.once('connect', () => this.ref());
      return this;
    }
    this._handle.ref();
    return this;
  }

  unref(): this {
    this._refed = false;
    if (!this._handle) {
      if (!this.connecting) this.once('connect', () => this.unref());
      return this;
    }
    this._handle.unref();
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
    if (this._handle || this.connecting) {
      if (this._isIpc) throw nodeError('ERR_INVALID_HANDLE_TYPE');
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
    return !this._handle || this.connecting;
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
    let bytes = this._bytesDispatched;
    const buffered = (this as unknown as { writableBuffer?: unknown }).writableBuffer as { chunk: Buffer | string; encoding: BufferEncoding }[] | undefined;
    if (!buffered) return undefined;
    for (const el of buffered) {
      bytes += typeof el.chunk === 'string' ? Buffer.byteLength(el.chunk, el.encoding) : el.chunk.length;
    }
    const data = this._pendingData;
    if (Array.isArray(data)) {
      for (const el of data as { chunk: Buffer | string; encoding: BufferEncoding }[]) {
        bytes += typeof el.chunk === 'string' ? Buffer.byteLength(el.chunk, el.encoding) : el.chunk.length;
      }
    } else if (data) {
      bytes += typeof data === 'string' ? Buffer.byteLength(data, this._pendingEncoding as BufferEncoding) : (data as Buffer).length;
    }
    return bytes;
  }

  _getpeername(): IpInfo {
    if (!this._handle || this.connecting) return this._peername || {};
    if (!this._peername) {
      const info = toInfo(this._handle.remoteEndpoint());
      if (!info) return {};
      this._peername = info;
    }
    return this._peername;
  }

  _getsockname(): IpInfo {
    if (!this._handle) return {};
    if (!this._sockname) {
      const info = toInfo(this._handle.localEndpoint());
      if (!info) return {};
      this._sockname = info;
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

