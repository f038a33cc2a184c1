// The socket's write side, as node:net has it: the chunks a write hands the transport, the bytes
// bytesWritten counts before they are written, and what a write meets once the peer has ended.
import process from 'node:process';
import { Buffer } from 'node:buffer';
import { Duplex } from 'node:stream';
import { systemError } from './errors.ts';
import type { IdleTimer } from './idle-timer.ts';
import type { Connection, Failure } from './transport.ts';

type Entry = { chunk: Buffer | string; encoding: BufferEncoding };

/** What the write side of the socket keeps (Socket's fields). */
interface Writer extends Duplex {
  allowHalfOpen: boolean;
  _endAfterFIN: boolean;
  _pendingData: unknown;
  _pendingEncoding: string;
  _bytesDispatched: number;
}

const byteLength = (e: Entry): number => (typeof e.chunk === 'string' ? Buffer.byteLength(e.chunk, e.encoding) : e.chunk.length);

/** A _write's data (a Buffer or a string in `encoding`) or a _writev's list, as Uint8Arrays; adds their length to `_bytesDispatched`. */
export function toChunks(s: Writer, writev: boolean, data: unknown, encoding: string): Uint8Array[] {
  if (!writev) {
    const c = data as Buffer | string;
    const buf = typeof c === 'string' ? Buffer.from(c, encoding as BufferEncoding) : c;
    s._bytesDispatched += buf.byteLength;
    return [buf];
  }
  const list = data as Entry[];
  const chunks: Uint8Array[] = new Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const c = list[i].chunk;
    chunks[i] = typeof c === 'string' ? Buffer.from(c, list[i].encoding) : c;
    s._bytesDispatched += chunks[i].byteLength;
  }
  return chunks;
}

/** socket.bytesWritten: what went to the transport, plus what is still queued (undefined once the stream is gone). */
export function bytesWritten(s: Writer): number | undefined {
  const buffered = (s as unknown as { writableBuffer?: Entry[] }).writableBuffer;
  if (!buffered) return undefined;
  let bytes = s._bytesDispatched;
  for (const el of buffered) bytes += byteLength(el);
  const data = s._pendingData;
  if (Array.isArray(data)) {
    for (const el of data as Entry[]) bytes += byteLength(el);
  } else if (data) {
    bytes += typeof data === 'string' ? Buffer.byteLength(data, s._pendingEncoding as BufferEncoding) : (data as Buffer).length;
  }
  return bytes;
}

/** The 'end' listener: with allowHalfOpen false, the peer's FIN ends our side too. */
export function onReadableStreamEnd(this: Writer): void {
  if (!this.allowHalfOpen) {
    this.write = writeAfterFIN as Writer['write'];
    // stream.Readable calls end() a tick after 'end'; Socket.end() defers that call (endAfterFIN).
    // Armed on a tick queued before Readable's, so an end() the 'end' listeners make themselves
    // still ends at once, as on Node.
    if (this.writable) process.nextTick(armEndAfterFIN, this);
  }
}

function armEndAfterFIN(s: Writer): void {
  if (s.writable && !s.writableEnded) s._endAfterFIN = true;
}

// The end() that the peer's FIN calls for (allowHalfOpen false), run after the ticks and
// microtasks that reacted to the FIN, so what they write goes out before our FIN. On Node,
// node:tls (and HTTP/2) drive a net.Socket's native handle themselves: the socket's JS side never
// sees the FIN, and TLS answers it (close_notify, two ticks after 'end') on a socket not yet ended.
// Any other stream, a crossnet socket included, they drive as a JS stream (JSStreamSocket), and
// with Node's end-on-next-tick that answer met writeAfterFIN: EPIPE on both sockets.
export function endAfterFIN(s: Writer): void {
  if (s.readableEnded && s.writable && !s.writableEnded && !s.destroyed) (Duplex.prototype.end as () => unknown).call(s);
}

// Once the peer ended and allowHalfOpen is false, a write after our own end is EPIPE, as on Node.
function writeAfterFIN(this: Writer, chunk: unknown, encoding?: unknown, cb?: unknown): boolean {
  if (!this.writableEnded) {
    return Duplex.prototype.write.call(this, chunk, encoding as BufferEncoding, cb as (e?: Error | null) => void);
  }
  if (typeof encoding === 'function') cb = encoding;
  const err = Object.assign(new Error('This socket has been ended by the other party'), { code: 'EPIPE' });
  if (typeof cb === 'function') process.nextTick(cb as (e: Error) => void, err);
  this.destroy(err);
  return false;
}

type WriteCallback = (err?: Error | null) => void;

/**
 * The write in flight on one connection, and the callback the adapter runs when it is done: one
 * per connection rather than a closure per write. stream.Writable hands the next chunk over only
 * after the previous callback, so a connection has at most one write in flight; a connection of
 * its own keeps a late answer from an earlier connection (before a reconnect) apart.
 */
export class WriteSlot {
  cb: WriteCallback | null = null;

  constructor(readonly conn: Connection, private readonly socket: { _idle: IdleTimer | null }) {}

  readonly done = (err: Failure | null): void => {
    const cb = this.cb!;
    this.cb = null;
    if (err !== null) {
      cb(systemError(err.code, 'write'));
      return;
    }
    this.socket._idle?.touch();
    cb();
  };
}
