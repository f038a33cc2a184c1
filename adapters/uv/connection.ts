// One open connection over a libuv-protocol stream handle (see handles.ts).
import process from 'node:process';
import type { Connection, Endpoint, Failure, Receiver } from '../../src/transport.ts';
import { failure } from '../../src/failure.ts';
import { type Dialect, type Handle, type Req, UV_ENOTCONN, UV_ENOTSUP, UV_EOF, errname, ipEndpoint, noop, thrownCode } from './handles.ts';

const kOwner = Symbol('crossnet.connection');
type OwnedHandle = Handle & { [kOwner]?: UvConnection };

// One onread for every handle (`this` is the handle): no closure per connection. nread and the
// offset come through streamBaseState on both runtimes (Deno's JS layer also takes nread as a
// second argument, which its native handles do not pass; take it if present). Each read is a
// fresh ArrayBuffer on both, so the bytes are handed over as a view.
function onread(this: OwnedHandle, buf: ArrayBuffer | undefined, arg?: number): void {
  const conn = this[kOwner];
  const r = conn?.receiver;
  if (!r) return;
  const b = conn.d.b;
  const nread = arg ?? b.state[b.kReadBytesOrError];
  if (nread > 0) r.onData(new Uint8Array(buf!, b.state[b.kArrayBufferOffset], nread));
  else if (nread === UV_EOF) r.onEnd();
  else if (nread < 0) r.onError(failure(errname(nread)));
}

const EMPTY_WRITE: readonly Uint8Array[] = [new Uint8Array(0)];

type WriteReq = Req & { done?: (err: Failure | null) => void };

// One oncomplete for every write (`this` is the request, on both runtimes): no closure per write.
function afterWrite(this: WriteReq, status: number): void {
  const done = this.done;
  this.chunks = undefined;
  this.done = undefined;
  done?.(status < 0 ? failure(errname(status)) : null);
}

export class UvConnection implements Connection {
  receiver: Receiver | null = null;
  closed = false;

  /**
   * For IPC, `path` is the listening path on an accepted connection (both ends report it, as
   * Node's pipe_wrap does), `peerPath` the path a client connected to (its local end is unnamed: '').
   */
  constructor(readonly d: Dialect, readonly handle: Handle, readonly kind: 'tcp' | 'ipc',
    private readonly path = '', private readonly peerPath = '') {
    (handle as OwnedHandle)[kOwner] = this;
    handle.onread = onread;
  }

  get fd(): number {
    return this.closed ? -1 : this.d.fdOf(this.handle, this.kind);
  }

  setReceiver(receiver: Receiver): void {
    this.receiver = receiver;
  }

  readStart(): void {
    if (!this.closed) this.handle.readStart();
  }

  readStop(): void {
    if (!this.closed) this.handle.readStop();
  }

  write(chunks: readonly Uint8Array[], done: (err: Failure | null) => void): void {
    if (this.closed) {
      process.nextTick(done, failure('EBADF'));
      return;
    }
    // libuv asserts a write has buffers (an empty writev aborts the process): one empty buffer keeps the order.
    if (!chunks.length) chunks = EMPTY_WRITE;
    const b = this.d.b;
    const req: WriteReq = new b.WriteWrap();
    req.handle = this.handle;
    req.async = false;
    // Both runtimes write later straight from the chunks' memory: the request keeps them alive
    // (nothing else may: the core's strings became Buffers only it referenced).
    req.chunks = chunks;
    req.done = done;
    req.oncomplete = afterWrite as never;
    let err: number;
    try {
      err = chunks.length === 1 ? this.handle.writeBuffer(req, chunks[0]) : this.handle.writev(req, chunks, true);
    } catch (e) {
      process.nextTick(done, failure(thrownCode(e)));
      return;
    }
    if (err !== 0) {
      process.nextTick(done, failure(errname(err)));
    } else if (!b.state[b.kLastWriteWasAsync]) {
      // Written at once: no oncomplete follows.
      req.chunks = undefined;
      req.done = undefined;
      done(null);
    }
  }

  shutdown(done: (err: Failure | null) => void): void {
    if (this.closed) {
      process.nextTick(done, null);
      return;
    }
    const req = new this.d.b.ShutdownWrap();
    req.handle = this.handle;
    req.oncomplete = ((status: number) => done(status < 0 && status !== UV_ENOTCONN ? failure(errname(status)) : null)) as never;
    const err = this.handle.shutdown(req);
    if (err === 1 || err === UV_ENOTCONN) done(null);
    else if (err !== 0) done(failure(errname(err)));
  }

  close(done?: () => void): void {
    if (this.closed) {
      if (done) process.nextTick(done);
      return;
    }
    this.closed = true;
    this.handle.onread = noop;
    this.handle.close(done);
    if (done) this.d.afterClose?.();
  }

  // #17: the handle itself, for the runtime's child_process (src/handoff.ts). Released, the
  // connection lets go of it: reads stop and close() no longer closes it.
  exportHandle(release: boolean): unknown {
    if (this.closed) throw failure('EBADF');
    if (!release && !this.d.handOff.keepOpen) throw failure('ENOTSUP');
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
    this.handle.onread = noop;
    if (this.d.resetCloses) {
      if (this.handle.reset(done) !== 0) this.handle.close(done);
      return;
    }
    // Deno: reset() sets SO_LINGER 0 and shuts the socket at once; close releases it.
    this.handle.reset();
    this.handle.close(done);
    if (done) this.d.afterClose?.();
  }

  setNoDelay(enable: boolean): void {
    if (!this.closed) this.handle.setNoDelay?.(enable);
  }

  setKeepAlive(enable: boolean, delaySeconds: number): void {
    if (!this.closed) this.handle.setKeepAlive?.(enable, delaySeconds);
  }

  setTypeOfService(tos: number): void {
    const err = this.handle.setTypeOfService?.(tos) ?? UV_ENOTSUP;
    if (err) throw failure(errname(err));
  }

  getTypeOfService(): number {
    const tos = this.handle.getTypeOfService?.() ?? UV_ENOTSUP;
    if (tos < 0) throw failure(errname(tos));
    return tos;
  }

  ref(): void { if (!this.closed) this.handle.ref(); }
  unref(): void { if (!this.closed) this.handle.unref(); }

  localEndpoint(): Endpoint | undefined {
    return this.kind === 'ipc' ? this.path : ipEndpoint(this.handle, 'getsockname');
  }

  remoteEndpoint(): Endpoint | undefined {
    return this.kind === 'ipc' ? this.peerPath || this.path : ipEndpoint(this.handle, 'getpeername');
  }
}

