// socket._handle: what node:net exposes there, a libuv TCP or Pipe handle. crossnet's core drives a
// transport Connection; these facades stand in front of it with Node's handle methods and libuv's
// conventions (0 or a negative errno; getsockname(out) fills `out`), so code that reads or wraps
// socket._handle (fd, reading, setNoDelay/setKeepAlive spies, getsockname) sees what it sees on
// Node. A facade exists from connect() on, before DNS, as Node's handle does: what is asked of it
// while connecting is kept and applied to the Connection once it exists, as libuv does for a handle
// with no socket yet. A handle object a caller gives to new Socket({ handle }) is driven the way
// node:net drives one (ForeignConnection).
import process from 'node:process';
import { Buffer } from 'node:buffer';
import { executionAsyncId } from 'node:async_hooks';
import { codeOfErrno, errnoOf, invalidFdType, systemError } from './errors.ts';
import { failure, isFailure } from './failure.ts';
import { applyKeepAlive, getTransport } from './runtime.ts';
import type { Connection, Endpoint, Failure, Receiver } from './transport.ts';

/** Node's read callback slot on a handle. Reads reach the socket through the Connection instead. */
function onread(): void {}

/** The counters a handle reports (the socket keeps them). */
interface Counters { readonly _bytesRead: number; readonly _bytesDispatched: number }

function fill(ep: Endpoint | undefined, out: Record<string, unknown>): number {
  if (!ep || typeof ep === 'string') return errnoOf('EBADF');
  out.address = ep.address;
  out.family = ep.family;
  out.port = ep.port;
  return 0;
}

/** What libuv's TCP and Pipe handles share: reading, ref, close, fd (HandleWrap, StreamBase). */
class StreamHandle {
  /** node:net's flag on its handle: set by the socket when it starts and stops reading. */
  reading = false;
  onread: unknown = onread;
  /** The transport connection: null while connecting and once closed. */
  _conn: Connection | null = null;
  _refed = true;
  readonly #asyncId = executionAsyncId();

  constructor(readonly owner: Counters) {}

  _attach(conn: Connection): void {
    this._conn = conn;
    if (!this._refed) conn.unref();
  }

  get fd(): number {
    return this._conn ? this._conn.fd : -1;
  }

  get bytesRead(): number { return this.owner._bytesRead; }
  get bytesWritten(): number { return this.owner._bytesDispatched; }
  get writeQueueSize(): number { return 0; }

  readStart(): number {
    if (!this._conn) return errnoOf('ENOTCONN');
    this._conn.readStart();
    return 0;
  }

  readStop(): number {
    if (!this._conn) return errnoOf('ENOTCONN');
    this._conn.readStop();
    return 0;
  }

  ref(): void {
    this._refed = true;
    this._conn?.ref();
  }

  unref(): void {
    this._refed = false;
    this._conn?.unref();
  }

  hasRef(): boolean {
    return this._refed;
  }

  getAsyncId(): number {
    return this.#asyncId;
  }

  close(cb?: () => void): void {
    const conn = this._conn;
    this._conn = null;
    this._refed = false;
    if (conn) conn.close(cb);
    else if (cb) process.nextTick(cb);
  }
}

/** A TCP socket's handle. */
export class TCP extends StreamHandle {
  #noDelay: boolean | undefined;
  #keepAlive: [boolean, number] | undefined;

  override _attach(conn: Connection): void {
    super._attach(conn);
    if (this.#noDelay !== undefined) conn.setNoDelay(this.#noDelay);
    if (this.#keepAlive) applyKeepAlive(conn, this.#keepAlive[0], this.#keepAlive[1]);
  }

  setNoDelay(enable: boolean): number {
    const on = Boolean(enable);
    if (this._conn) this._conn.setNoDelay(on);
    else this.#noDelay = on;
    return 0;
  }

  /** `initialDelay` in seconds, as Node passes it. */
  setKeepAlive(enable: boolean, initialDelay?: number): number {
    const on = Boolean(enable);
    const delay = ~~(initialDelay as number);
    if (this._conn) applyKeepAlive(this._conn, on, delay > 0 ? delay : 0);
    else this.#keepAlive = [on, delay > 0 ? delay : 0];
    return 0;
  }

  getsockname(out: Record<string, unknown>): number {
    return fill(this._conn?.localEndpoint(), out);
  }

  getpeername(out: Record<string, unknown>): number {
    return fill(this._conn?.remoteEndpoint(), out);
  }

  reset(cb?: () => void): number {
    const conn = this._conn;
    this._conn = null;
    this._refed = false;
    if (conn) conn.reset(cb);
    else if (cb) process.nextTick(cb);
    return 0;
  }
}

/** An IPC socket's handle: like libuv's Pipe, it has no TCP options and no getsockname. */
export class Pipe extends StreamHandle {}

export type SocketHandle = TCP | Pipe;

/** Wrap a descriptor, failing as Node does for what is not a socket (ERR_INVALID_FD_TYPE). */
export function adoptFd(fd: number): Connection {
  const transport = getTransport();
  try {
    return transport.adopt!(fd);
  } catch (err) {
    if (!isFailure(err)) throw err;
    if (err.code === 'EBADF') throw invalidFdType('UNKNOWN');
    if (err.code === 'EINVAL' || err.code === 'ENOTSOCK') throw invalidFdType('FILE');
    throw systemError(err.code, 'open');
  }
}

// ---- handles given to new Socket({ handle }) ----------------------------------------------------

type Req = { oncomplete?: (status: number) => void; handle?: unknown; writeStatus?: number | null };
type Fn = (...args: unknown[]) => unknown;
/** A handle object as Node's tests fake them: any of libuv's stream methods. */
export type ForeignHandle = Record<string, unknown> & { readStart: Fn };

function call(h: ForeignHandle, name: string, ...args: unknown[]): unknown {
  const fn = h[name];
  return typeof fn === 'function' ? (fn as Fn).apply(h, args) : undefined;
}

function endpointOf(h: ForeignHandle, name: string): Endpoint | undefined {
  if (typeof h[name] !== 'function') return undefined;
  const out: Record<string, unknown> = {};
  if (call(h, name, out) || typeof out.address !== 'string') return undefined;
  return { address: out.address, port: out.port as number, family: out.family === 'IPv6' ? 'IPv6' : 'IPv4' };
}

/** Whether `value` is a crossnet transport Connection (what the server passes as `handle`). */
export function isConnection(value: unknown): value is Connection {
  return typeof (value as Connection)?.setReceiver === 'function' && typeof (value as Connection)?.write === 'function';
}

/**
 * A Connection over a handle given to new Socket({ handle }): writes, shutdown and close go to the
 * handle with the requests node:net makes (Node 24's: `writeBuffer(null, buf)` returns 0, an errno,
 * or a request that completes through `oncomplete`). Reads: such a handle reports them through
 * Node's internal stream state, which only Node's own handles can write, so none reach the socket.
 */
export class ForeignConnection implements Connection {
  readonly kind = 'tcp';

  constructor(readonly handle: ForeignHandle) {}

  get fd(): number {
    return typeof this.handle.fd === 'number' ? this.handle.fd : -1;
  }

  setReceiver(_receiver: Receiver): void {
    this.handle.onread = onread;
  }

  readStart(): void { call(this.handle, 'readStart'); }
  readStop(): void { call(this.handle, 'readStop'); }

  /** The write node:net makes for `data` (a string in `encoding`, a Buffer, or _writev's list); returns its byte count. */
  writeNode(writev: boolean, data: unknown, encoding: string, cb: (err?: Error | null) => void): number {
    const h = this.handle;
    let ret: unknown;
    let bytes = 0;
    if (writev) {
      const list = data as { chunk: Buffer | string; encoding: BufferEncoding }[] & { allBuffers?: boolean };
      const all = Boolean(list.allBuffers);
      const chunks: unknown[] = [];
      for (const e of list) {
        bytes += typeof e.chunk === 'string' ? Buffer.byteLength(e.chunk, e.encoding) : e.chunk.length;
        if (all) chunks.push(e.chunk);
        else chunks.push(e.chunk, e.encoding);
      }
      ret = call(h, 'writev', null, chunks, all);
    } else {
      const str = typeof data === 'string' ? data : null;
      bytes = str === null ? (data as Buffer).length : Buffer.byteLength(str, encoding as BufferEncoding);
      const method = str === null ? 'writeBuffer' : STRING_WRITES[encoding];
      ret = method ? call(h, method, null, data) : call(h, 'writeBuffer', null, Buffer.from(str!, encoding as BufferEncoding));
    }
    if (ret === undefined || typeof ret === 'number') {
      if (ret) cb(systemError(codeOfErrno(ret), 'write'));
      else cb();
      return bytes;
    }
    const req = ret as Req;
    req.handle = h;
    req.oncomplete = (status: number) => (status < 0 ? cb(systemError(codeOfErrno(status), 'write')) : cb());
    const status = req.writeStatus;
    if (status !== null && status !== undefined) {
      req.writeStatus = null;
      req.oncomplete(status);
    }
    return bytes;
  }

  write(chunks: readonly Uint8Array[], done: (err: Failure | null) => void): void {
    const bufs = chunks.map((c) => (Buffer.isBuffer(c) ? c : Buffer.from(c.buffer, c.byteOffset, c.byteLength)));
    const list = Object.assign(bufs.map((chunk) => ({ chunk, encoding: 'buffer' as BufferEncoding })), { allBuffers: true });
    this.writeNode(list.length > 1, list.length > 1 ? list : bufs[0], 'buffer', (err) => done(err ? failure((err as unknown as { code: string }).code) : null));
  }

  shutdown(done: (err: Failure | null) => void): void {
    if (typeof this.handle.shutdown !== 'function') {
      process.nextTick(done, null);
      return;
    }
    const req: Req = { handle: this.handle, oncomplete: (status) => done(status < 0 ? failure(codeOfErrno(status)) : null) };
    const err = call(this.handle, 'shutdown', req);
    if (err === 1 || err === errnoOf('ENOTCONN')) done(null);
    else if (typeof err === 'number' && err !== 0) done(failure(codeOfErrno(err)));
  }

  close(done?: () => void): void {
    this.handle.onread = onread;
    if (typeof this.handle.close === 'function') call(this.handle, 'close', done);
    else if (done) process.nextTick(done);
  }

  reset(done?: () => void): void {
    if (typeof this.handle.reset === 'function') call(this.handle, 'reset', done);
    else this.close(done);
  }

  setNoDelay(enable: boolean): void { call(this.handle, 'setNoDelay', enable); }
  setKeepAlive(enable: boolean, delaySeconds: number): void { call(this.handle, 'setKeepAlive', enable, delaySeconds); }
  ref(): void { call(this.handle, 'ref'); }
  unref(): void { call(this.handle, 'unref'); }
  localEndpoint(): Endpoint | undefined { return endpointOf(this.handle, 'getsockname'); }
  remoteEndpoint(): Endpoint | undefined { return endpointOf(this.handle, 'getpeername'); }
}

const STRING_WRITES: Record<string, string> = {
  buffer: 'writeBuffer',
  latin1: 'writeLatin1String', binary: 'writeLatin1String',
  utf8: 'writeUtf8String', 'utf-8': 'writeUtf8String',
  ascii: 'writeAsciiString',
  ucs2: 'writeUcs2String', 'ucs-2': 'writeUcs2String', utf16le: 'writeUcs2String', 'utf-16le': 'writeUcs2String',
};

/** socket._handle: crossnet's facade (TCP/Pipe), or a handle given to new Socket({ handle }). */
export type AnyHandle = SocketHandle | ForeignHandle;
type HandleMethod = ((this: AnyHandle, ...args: never[]) => unknown) | undefined;

/** One of the handle's methods, called as node:net calls it (so a replaced or spied method is the one used). */
export const handleMethod = (h: AnyHandle, name: string): HandleMethod => (h as unknown as Record<string, HandleMethod>)[name];
