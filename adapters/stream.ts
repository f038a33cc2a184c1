// The contract's Connection over a small per-runtime primitive, written once for the adapters over
// stream APIs (deno.ts, bun.ts, node-net.ts). A subclass supplies the `io*` hooks (resume/pause
// reads, write what it can, half-close, close) and reports what the runtime tells it through the
// protected methods (`readData`, `readEnd`, `readError`, `writable`, `gone`, `hold`/`release`).
// This class owns every rule the core relies on: nothing is delivered while reads are stopped
// (what arrives is held, in order), writes go out in order (small chunks joined, partial writes
// resumed), the FIN follows the last queued byte, close cancels what is queued with ECANCELED,
// anything after close is EBADF, and close's callback runs once the runtime let go of the socket.
import process from 'node:process';
import { Buffer } from 'node:buffer';
import type { Connection, Endpoint, Failure, Receiver } from '../src/transport.ts';
import { failure, isFailure } from '../src/failure.ts';

/**
 * Per runtime: how writes are cut (a chunk of `large` bytes goes as is; smaller neighbours are
 * joined, one copy, up to `joinMax` bytes) and how a callback is run later (`defer`: the runtime's
 * cheapest way past the current call; process.nextTick on Node and Bun, a microtask on Deno).
 */
export interface StreamTuning {
  readonly large: number;
  readonly joinMax: number;
  readonly defer: <A extends unknown[]>(fn: (...args: A) => void, ...args: A) => void;
}

interface WriteReq {
  chunks: readonly Uint8Array[];
  done: (err: Failure | null) => void;
  next: WriteReq | null;
}

/** process.nextTick, for `StreamTuning.defer`. */
export const nextTick: StreamTuning['defer'] = process.nextTick;
/** A microtask, for `StreamTuning.defer` (Deno's process.nextTick is a layer over its own queue). */
export const microtask: StreamTuning['defer'] = (fn, ...args) => queueMicrotask(() => fn(...args));
const EMPTY: readonly Uint8Array[] = [];
const ECANCELED = failure('ECANCELED');
const EBADF = failure('EBADF');
const EPIPE = failure('EPIPE');
const ENOTCONN = failure('ENOTCONN');

// The FIN: not asked for, asked for (sent once the queue is empty), handed to the runtime, sent.
const FIN_NONE = 0;
const FIN_WANTED = 1;
const FIN_SENDING = 2;
const FIN_SENT = 3;
// A write the runtime has not finished: none, a promise, or a partial write waiting for `writable()`.
const IDLE = 0;
const PROMISED = 1;
const BLOCKED = 2;

export abstract class StreamConnection implements Connection {
  abstract readonly kind: 'tcp' | 'ipc';
  abstract readonly fd: number;

  // ---- the primitive ----
  /** Deliver reads again (through `readData`/`readEnd`/`readError`). */
  protected abstract ioResume(): void;
  /** Stop reading from the OS; a read already under way may still arrive (it is held). */
  protected abstract ioPause(): void;
  /**
   * Hand `chunk` to the OS: the count taken now (fewer than all: call `writable()` when more fits),
   * a promise of the count taken, or null when the runtime calls `writeSettled` once all is taken
   * (a callback API). Throws (or rejects) on failure.
   */
  protected abstract ioWrite(chunk: Uint8Array): number | Promise<number> | null;
  /** Send FIN; a promise where the runtime answers later. Throws (or rejects) on failure. */
  protected abstract ioCloseWrite(): void | Promise<void>;
  /** Release the socket (`rst`: with RST). Runtime operations still pending are `hold()`s. */
  protected abstract ioClose(rst: boolean): void;
  /** The Failure for what the runtime threw or rejected with. */
  protected abstract ioFailure(err: unknown): Failure;

  abstract setNoDelay(enable: boolean): void;
  abstract setKeepAlive(enable: boolean, delaySeconds: number): void;
  abstract ref(): void;
  abstract unref(): void;
  abstract localEndpoint(): Endpoint | undefined;
  abstract remoteEndpoint(): Endpoint | undefined;

  protected closed = false;
  private receiver: Receiver | null = null;
  private reading = false;
  private paused: boolean;
  // Reads that arrived while stopped (then the end of the stream, if it came too), for the next readStart.
  private inbox: Uint8Array[] | null = null;
  private eof: Failure | null | undefined = undefined; // undefined: not ended; null: FIN; else the read error
  private eofHeld = false;
  private drainQueued = false;
  private head: WriteReq | null = null;
  private tail: WriteReq | null = null;
  private at = 0; // first chunk of `head` not yet in a segment
  private segment: Uint8Array | null = null; // bytes handed over, not all taken yet
  private completes = 0; // requests finished once `segment` is all taken
  private state = IDLE;
  private pumping = false;
  private writeError: Failure | null = null;
  private isGone = false;
  private fin = FIN_NONE;
  private shutdowns: ((err: Failure | null) => void)[] | null = null;
  private pending = 0; // runtime operations outstanding (see hold)
  private closeCbs: (() => void)[] | null = null;

  /** `flowing`: the runtime delivers reads from the start (Bun); otherwise the first readStart resumes them. */
  constructor(private readonly tuning: StreamTuning, flowing: boolean) {
    this.paused = !flowing;
  }

  setReceiver(receiver: Receiver): void {
    this.receiver = receiver;
  }

  // ---- reading ----

  readStart(): void {
    if (this.reading || this.closed || !this.receiver) return;
    this.reading = true;
    if (this.inbox !== null) {
      // Hand over what is held first (never from inside readStart), then resume.
      if (!this.drainQueued) {
        this.drainQueued = true;
        queueMicrotask(this.drainInbox);
      }
    } else if (this.paused) {
      this.paused = false;
      this.ioResume();
    }
  }

  // Lazy: the runtime is paused only once a read arrives while stopped, which saves a pause and a
  // resume per stop/start pair when nothing arrived in between (and a read under way cannot be
  // withdrawn anyway).
  readStop(): void {
    this.reading = false;
  }

  /** Bytes read; they belong to the core from here on. */
  protected readData(chunk: Uint8Array): void {
    if (this.closed) return;
    if (this.reading && this.inbox === null) {
      this.receiver!.onData(chunk);
      return;
    }
    (this.inbox ??= []).push(chunk);
    if (!this.reading && !this.paused) {
      this.paused = true;
      this.ioPause();
    }
  }

  /** The peer's FIN. */
  protected readEnd(): void {
    this.ended(null);
  }

  /** A read failed: the read side is over. */
  protected readError(err: Failure): void {
    this.ended(err);
  }

  private ended(err: Failure | null): void {
    if (this.closed || this.eof !== undefined) return;
    this.eof = err;
    this.eofHeld = true;
    if (this.reading && this.inbox === null) this.deliverEof();
    else this.inbox ??= [];
  }

  private deliverEof(): void {
    if (!this.eofHeld) return;
    this.eofHeld = false;
    this.reading = false;
    const err = this.eof;
    if (err) this.receiver!.onError(err);
    else this.receiver!.onEnd();
  }

  private readonly drainInbox = (): void => {
    this.drainQueued = false;
    while (this.reading && !this.closed && this.inbox !== null) {
      const q = this.inbox;
      if (q.length > 0) {
        const chunk = q.shift()!;
        if (q.length === 0 && !this.eofHeld) this.inbox = null;
        this.receiver!.onData(chunk);
      } else {
        this.inbox = null;
        this.deliverEof();
      }
    }
    if (this.reading && this.inbox === null && this.paused && !this.closed) {
      this.paused = false;
      this.ioResume();
    }
  };

  // ---- writing ----

  write(chunks: readonly Uint8Array[], done: (err: Failure | null) => void): void {
    if (this.closed || this.writeError || this.fin !== FIN_NONE) {
      this.tuning.defer(done, this.closed ? EBADF : this.writeError ?? EPIPE);
      return;
    }
    if (this.head === null && this.state === IDLE && !this.pumping && chunks.length === 1 && chunks[0].byteLength > 0) {
      this.writeOne(chunks, done);
      return;
    }
    const req: WriteReq = { chunks, done, next: null };
    if (this.tail) this.tail.next = req;
    else this.head = req;
    this.tail = req;
    if (this.state === IDLE && !this.pumping) this.pump();
  }

  /** The common case, with nothing queued: one chunk, handed over as is (what pump would do, less work). */
  private writeOne(chunks: readonly Uint8Array[], done: (err: Failure | null) => void): void {
    const chunk = chunks[0];
    let r: number | Promise<number> | null;
    try {
      r = this.ioWrite(chunk);
    } catch (err) {
      this.writeError = this.asFailure(err);
      this.tuning.defer(done, this.writeError);
      return;
    }
    if (r === chunk.byteLength) {
      done(null);
      return;
    }
    this.head = this.tail = { chunks, done, next: null };
    this.completes = 1;
    this.outstanding(chunk, r);
  }

  /** `seg` was not all taken at once: wait for `writable()` (a partial write) or for the runtime's answer. */
  private outstanding(seg: Uint8Array, r: number | Promise<number> | null): void {
    if (typeof r === 'number') {
      this.segment = r > 0 ? seg.subarray(r) : seg;
      this.state = BLOCKED;
      return;
    }
    this.segment = seg;
    this.state = PROMISED;
    this.pending++;
    r?.then(this.onWritten, this.onWriteFailed);
  }

  shutdown(done: (err: Failure | null) => void): void {
    if (this.closed || this.fin === FIN_SENT) {
      this.tuning.defer(done, null);
      return;
    }
    // The runtime dropped the socket: what shutdown(2) answers then (the core ignores it, as Node does).
    if (this.isGone || this.writeError) {
      this.tuning.defer(done, this.isGone ? ENOTCONN : this.writeError);
      return;
    }
    (this.shutdowns ??= []).push(done);
    if (this.fin !== FIN_NONE) return;
    this.fin = FIN_WANTED;
    if (this.state === IDLE && !this.pumping) this.pump();
  }

  /** The runtime can take more bytes (after a partial write). */
  protected writable(): void {
    if (this.state !== BLOCKED) return;
    this.state = IDLE;
    if (!this.pumping) this.pump();
  }

  /** Hands segments to the runtime until one is outstanding or the queue is empty; then the FIN. */
  private pump(): void {
    this.pumping = true;
    try {
      while (this.state === IDLE && !this.closed && this.writeError === null) {
        let seg = this.segment;
        if (seg === null) {
          if (this.head === null) {
            if (this.fin === FIN_WANTED) this.sendFin();
            return;
          }
          seg = this.nextSegment();
          if (seg === null) {
            this.complete(); // only empty chunks: nothing for the OS, callbacks in order
            continue;
          }
        }
        let r: number | Promise<number> | null;
        try {
          r = this.ioWrite(seg);
        } catch (err) {
          this.failWrites(this.asFailure(err));
          return;
        }
        if (r === seg.byteLength) {
          this.segment = null;
          this.complete();
        } else {
          this.outstanding(seg, r);
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  /** A node-style write callback, for an `ioWrite` that returned null: the whole segment, or an error. */
  protected readonly writeSettled = (err?: unknown): void => {
    if (err) this.onWriteFailed(err);
    else this.onWritten(this.segment?.byteLength ?? 0);
  };

  private readonly onWritten = (n: number): void => {
    this.release();
    if (this.closed || this.state !== PROMISED) return;
    this.state = IDLE;
    const seg = this.segment!;
    if (n < seg.byteLength) {
      // Partial write: the rest goes next, before anything queued after it.
      this.segment = seg.subarray(n);
    } else {
      this.segment = null;
      this.complete();
    }
    if (!this.pumping) this.pump();
  };

  private readonly onWriteFailed = (err: unknown): void => {
    this.release();
    if (this.closed || this.state !== PROMISED) return;
    this.state = IDLE;
    this.failWrites(this.ioFailure(err));
  };

  /** The next bytes to hand over: one large chunk as is, or a run of small ones joined; sets `completes`. */
  private nextSegment(): Uint8Array | null {
    const { large, joinMax } = this.tuning;
    let req = this.head;
    let at = this.at;
    let completes = 0;
    let total = 0;
    let first: Uint8Array | null = null;
    let parts: Uint8Array[] | null = null;
    let stop = false;
    while (req !== null && !stop) {
      const chunks = req.chunks;
      while (at < chunks.length) {
        const c = chunks[at];
        const len = c.byteLength;
        if (len === 0) {
          at++;
          continue;
        }
        if (first !== null && (len >= large || total + len > joinMax)) {
          stop = true;
          break;
        }
        if (first === null) first = c;
        else (parts ??= [first]).push(c);
        total += len;
        at++;
        if (len >= large) {
          stop = true;
          break;
        }
      }
      if (at < chunks.length) break;
      completes++;
      at = 0;
      req = req.next;
    }
    this.at = at;
    this.completes = completes;
    if (parts === null) return first;
    const seg = Buffer.allocUnsafe(total);
    let off = 0;
    for (const p of parts) {
      seg.set(p, off);
      off += p.byteLength;
    }
    return seg;
  }

  /** The requests the last segment finished are done (detached first: a callback may close). */
  private complete(): void {
    let k = this.completes;
    this.completes = 0;
    if (k === 0) return;
    const first = this.head!;
    let last = first;
    while (--k > 0) last = last.next!;
    this.head = last.next;
    if (this.head === null) this.tail = null;
    last.next = null;
    for (let r: WriteReq | null = first; r !== null;) {
      const next: WriteReq | null = r.next;
      r.chunks = EMPTY;
      r.done(null);
      r = next;
    }
  }

  /** Detaches every queued write (and a FIN not yet handed over), for failing or cancelling them. */
  private takeQueue(): [WriteReq | null, ((err: Failure | null) => void)[] | null] {
    const reqs = this.head;
    this.head = this.tail = null;
    this.at = 0;
    this.completes = 0;
    this.segment = null;
    this.state = IDLE; // an outstanding promise's outcome is ignored from now on
    let shutdowns = null;
    if (this.fin === FIN_WANTED) {
      shutdowns = this.shutdowns;
      this.shutdowns = null;
      this.fin = FIN_NONE;
    }
    return [reqs, shutdowns];
  }

  /** Every queued write fails with `err`, a FIN still waiting with `finErr` (each callback once, later). */
  private failWrites(err: Failure, finErr: Failure = err): void {
    if (this.writeError === null) this.writeError = err;
    if (this.head === null && this.fin !== FIN_WANTED) {
      this.segment = null;
      this.state = IDLE;
      return;
    }
    const [reqs, shutdowns] = this.takeQueue();
    settleAll(this.tuning.defer, reqs, err, shutdowns, finErr);
  }

  private sendFin(): void {
    this.fin = FIN_SENDING;
    let r: void | Promise<void>;
    try {
      r = this.ioCloseWrite();
    } catch (err) {
      this.finSent(this.asFailure(err), false);
      return;
    }
    if (r === undefined) {
      this.finSent(null, false);
      return;
    }
    this.pending++;
    r.then(() => {
      this.finSent(null, true);
      this.release();
    }, (err: unknown) => {
      this.finSent(this.ioFailure(err), true);
      this.release();
    });
  }

  /** `later`: already in a later callback of the runtime's, so the shutdown callbacks run now. */
  private finSent(err: Failure | null, later: boolean): void {
    this.fin = FIN_SENT;
    const cbs = this.shutdowns;
    this.shutdowns = null;
    if (!cbs) return;
    const result = this.closed ? ECANCELED : err;
    for (const cb of cbs) {
      if (later) cb(result);
      else this.tuning.defer(cb, result);
    }
  }

  // ---- the runtime's side ----

  /** The runtime closed the socket (`err`: why, if it failed): queued writes cannot go out now, reads end. */
  protected gone(err: Failure | null): void {
    if (this.closed || this.isGone) return;
    this.isGone = true;
    if (this.writeError === null) this.failWrites(err ?? EPIPE, err ?? ENOTCONN);
    this.ended(err);
  }

  /** A runtime operation is outstanding (a read or write promise, an open socket): close's callback waits for it. */
  protected hold(): void {
    this.pending++;
  }

  protected release(): void {
    // Called from the runtime's own callbacks, so already later than close().
    if (--this.pending === 0 && this.closed) this.finishClose();
  }

  /**
   * Gives the socket up to someone else (an exportHandle): from here on this connection delivers
   * and writes nothing, and close() releases nothing. False, and nothing changes, while bytes are
   * held or writes or a FIN are under way (unless `force`).
   */
  protected detach(force = false): boolean {
    if (this.closed) return false;
    if (!force && (this.inbox !== null || this.head !== null || this.state !== IDLE || this.fin === FIN_SENDING)) return false;
    this.closed = true;
    this.reading = false;
    this.inbox = null;
    this.receiver = null;
    this.closeCbs = null; // a later close(done) only calls done
    return true;
  }

  // ---- closing ----

  close(done?: () => void): void {
    this.finish(false, done);
  }

  reset(done?: () => void): void {
    this.finish(true, done);
  }

  private finish(rst: boolean, done?: () => void): void {
    if (this.closed) {
      if (done) {
        if (this.closeCbs) this.closeCbs.push(done);
        else this.tuning.defer(done);
      }
      return;
    }
    this.closed = true;
    this.reading = false;
    this.inbox = null;
    this.receiver = null;
    this.closeCbs = done ? [done] : [];
    // libuv cancels pending writes (and a shutdown not yet under way) with ECANCELED on close.
    const [reqs, shutdowns] = this.takeQueue();
    try {
      this.ioClose(rst);
    } catch {
      // already closed by the runtime
    }
    settleAll(this.tuning.defer, reqs, ECANCELED, shutdowns, ECANCELED);
    if (this.pending === 0) this.tuning.defer(this.finishClose);
  }

  private readonly finishClose = (): void => {
    const cbs = this.closeCbs;
    if (!cbs) return;
    this.closeCbs = null;
    for (const cb of cbs) cb();
  };

  private asFailure(err: unknown): Failure {
    return isFailure(err) ? err : this.ioFailure(err);
  }
}

function settleAll(defer: StreamTuning['defer'], reqs: WriteReq | null, err: Failure,
  shutdowns: ((err: Failure | null) => void)[] | null, finErr: Failure): void {
  if (reqs === null && shutdowns === null) return;
  defer(() => {
    for (let r = reqs; r !== null; r = r.next) r.done(err);
    if (shutdowns) for (const cb of shutdowns) cb(finErr);
  });
}
