// The `onread` option of new net.Socket(): reads land in the caller's buffer and go to its callback
// instead of 'data'. As on Node (libuv reading into the buffer node:net hands it): one callback per
// read of at most the buffer's length; a `buffer` function is called once when the socket gets its
// handle and once after each read, for the buffer of the next one (so also before the read that
// finds the end); a callback returning false stops reading until resume()/read(). A chunk from the
// transport is read in buffer-sized parts, each one such read; what a `false` leaves over is read
// first once reading resumes.

type Callback = (nread: number, buf: Uint8Array) => boolean | void;

export interface UserReads {
  /** The buffer the next read goes into (null until a `buffer` function returned one). */
  buf: Uint8Array | null;
  gen: (() => Uint8Array) | null;
  cb: Callback;
  /** Bytes of a chunk the callback declined by returning false. */
  leftover: Uint8Array | null;
}

/** The parts of a Socket used here. */
export interface Reader {
  readonly destroyed: boolean;
}

/** Node's test for a usable `onread` option; anything else is ignored. */
export function parseOnread(onread: unknown): UserReads | null {
  if (onread === null || typeof onread !== 'object') return null;
  const { buffer, callback } = onread as { buffer?: unknown; callback?: unknown };
  if (!(buffer instanceof Uint8Array || typeof buffer === 'function') || typeof callback !== 'function') return null;
  return typeof buffer === 'function'
    ? { buf: null, gen: buffer as () => Uint8Array, cb: callback as Callback, leftover: null }
    : { buf: buffer, gen: null, cb: callback as Callback, leftover: null };
}

/** The socket got a handle: a `buffer` function gives the first buffer now. */
export function initUserBuffer(reads: UserReads): void {
  if (!reads.gen) return;
  const buf = reads.gen();
  if (buf instanceof Uint8Array) reads.buf = buf;
}

/** Hand `chunk` to the callback, one buffer-sized read at a time; false when the callback asked to stop reading. */
export function deliver(socket: Reader, reads: UserReads, chunk: Uint8Array): boolean {
  let offset = 0;
  while (offset < chunk.byteLength && !socket.destroyed) {
    // No buffer yet (the `buffer` function gave nothing usable): its next one, else the bytes as read.
    if (!reads.buf) initUserBuffer(reads);
    const buf = reads.buf ?? chunk.subarray(offset);
    const n = Math.min(buf.byteLength, chunk.byteLength - offset);
    if (n === 0) break;
    if (buf.buffer !== chunk.buffer || buf.byteOffset !== chunk.byteOffset + offset) buf.set(chunk.subarray(offset, offset + n), 0);
    offset += n;
    const more = reads.cb.call(socket, n, buf) !== false;
    if (reads.gen) {
      const next = reads.gen();
      if (next instanceof Uint8Array) reads.buf = next;
    }
    if (!more) {
      if (offset < chunk.byteLength && !socket.destroyed) reads.leftover = chunk.subarray(offset);
      return false;
    }
  }
  return true;
}
