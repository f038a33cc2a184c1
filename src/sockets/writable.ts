// The socket's `writable`: a WritableStream whose sink writes each chunk to a node:net-style
// socket and settles once the socket reports it written. Until then the WritableStream holds the
// next chunks (its backpressure: writer.ready), and the chunk stays the socket's, so it is never
// copied. Chunks are Uint8Array, any ArrayBuffer view, ArrayBuffer, or a string (UTF-8).
import { SocketError } from './errors.ts';

/** The part of a node:net-style socket the outbox writes to. */
export interface WriteTarget {
  write(chunk: Uint8Array | string, cb: (err?: Error | null) => void): boolean;
  end(): unknown;
  readonly writableFinished?: boolean;
}

/** What the outbox asks of its socket. */
export interface OutboxHost {
  /** The socket to write to, or a promise of it while it is not there yet (TLS, startTls). */
  target(): WriteTarget | Promise<WriteTarget>;
  /** Resolves on the socket's 'finish' after end(); rejects when the socket fails. */
  finished(): Promise<void>;
}

const noop = (): void => {};

function bytesOf(chunk: unknown): Uint8Array | string {
  if (chunk instanceof Uint8Array) return chunk;
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  if (typeof SharedArrayBuffer !== 'undefined' && chunk instanceof SharedArrayBuffer) return new Uint8Array(chunk).slice();
  if (typeof chunk === 'string') return chunk;
  throw new TypeError('This WritableStream only supports writing byte types (Uint8Array, an ArrayBuffer view, ArrayBuffer) or strings');
}

export class Outbox {
  readonly stream: WritableStream<ArrayBufferView | ArrayBuffer | string>;
  private controller!: WritableStreamDefaultController;
  /** The write the socket has not reported done yet. */
  private inflight: Promise<void> | null = null;
  private settleInflight: ((ok: boolean, err?: unknown) => void) | null = null;
  /** Set once the writable is closed, closing, errored or aborted: no more writes reach the socket. */
  private done = false;
  /** The WritableStream is closing (writer.close()): its close settles with the socket's 'finish'. */
  private closing = false;

  constructor(private readonly host: OutboxHost) {
    this.stream = new WritableStream<ArrayBufferView | ArrayBuffer | string>({
      start: (c) => { this.controller = c; },
      write: (chunk) => this.write(chunk),
      close: () => this.close(),
      abort: () => this.abort(),
    });
  }

  get finished(): boolean {
    return this.done;
  }

  private write(chunk: unknown): Promise<void> | undefined {
    const data = bytesOf(chunk);
    if (data.length === 0) return undefined;
    const target = this.host.target();
    if (target instanceof Promise) return target.then((t) => this.send(t, data));
    return this.send(target, data);
  }

  private send(target: WriteTarget, data: Uint8Array | string): Promise<void> {
    if (this.done) return Promise.reject(new SocketError('the socket is closed for writing'));
    const p = new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (ok: boolean, err?: unknown): void => {
        if (settled) return;
        settled = true;
        this.inflight = null;
        this.settleInflight = null;
        if (ok) resolve(); else reject(err);
      };
      this.settleInflight = settle;
      target.write(data, (err) => (err ? settle(false, new SocketError(err.message, { cause: err })) : settle(true)));
    });
    this.inflight = p;
    return p;
  }

  private async close(): Promise<void> {
    this.closing = true;
    const target = await this.host.target();
    if (!this.done) {
      this.done = true;
      if (!target.writableFinished) target.end();
    }
    await this.host.finished();
  }

  private abort(): void {
    if (this.done) return;
    this.done = true;
    const target = this.host.target();
    // The bytes already handed to the socket still go out; then FIN.
    if (target instanceof Promise) target.then((t) => t.end(), noop);
    else target.end();
  }

  /**
   * Resolves once no write is in progress and none follows: the WritableStream starts its next
   * queued write as soon as the previous one settles, so one macrotask without a new write means
   * its queue is empty.
   */
  async idle(): Promise<void> {
    for (;;) {
      if (this.inflight) {
        await this.inflight.catch(noop);
        continue;
      }
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
      if (!this.inflight) return;
    }
  }

  /** Error the writable (close(reason), failure, auto-close, startTls): later writes reject with `reason`. */
  shut(reason: unknown): void {
    if (this.settleInflight) this.settleInflight(false, reason);
    this.done = true;
    if (this.closing) return;
    try {
      this.controller.error(reason);
    } catch {
      // Already errored.
    }
  }
}
