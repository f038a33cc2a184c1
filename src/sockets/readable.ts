// The socket's `readable`: a ReadableStream fed by the 'data' events of a node:net-style socket.
// The stream's own queue stays empty (highWaterMark 0: pull() runs only for a pending read); the
// bytes wait in this module's queue, bounded by the socket's highWaterMark: once it holds that
// many, the socket is paused, so the kernel's buffers fill and the peer's writes stall. A read
// resumes it. Default mode hands out each chunk as it came (a Uint8Array view, no copy); the
// opt-in byte mode copies into the reader's buffer (BYOB) or into a fresh chunk.

/** What the inbox needs from the socket below: stop and restart reading. */
export interface Flow {
  pause(): void;
  resume(): void;
}

type Controller = ReadableStreamDefaultController<Uint8Array> | ReadableByteStreamController;

export class Inbox {
  readonly stream: ReadableStream<Uint8Array>;
  private controller!: Controller;
  private readonly chunks: Uint8Array[] = [];
  private head = 0;
  /** Bytes of chunks[head] already copied out (byte mode). */
  private offset = 0;
  private bytes = 0;
  private paused = false;
  /** Settles the pull() in progress, when it waits for data. */
  private waiting: (() => void) | null = null;
  /** 'ending'/'failing': no more data comes; close/error once the queue is read. */
  private state: 'open' | 'ending' | 'failing' | 'done' = 'open';
  private failure: unknown;

  constructor(
    private readonly flow: Flow,
    private readonly highWaterMark: number,
    private readonly byteMode: boolean,
    private readonly onCancel: () => void,
  ) {
    const pull = (c: Controller): Promise<void> | undefined => {
      this.controller = c;
      if (this.deliver()) return undefined;
      return new Promise<void>((resolve) => { this.waiting = resolve; });
    };
    const cancel = (): void => {
      if (this.state === 'done') return;
      this.drop();
      this.state = 'done';
      this.onCancel();
    };
    const strategy = { highWaterMark: 0 };
    this.stream = byteMode
      ? new ReadableStream({ type: 'bytes', start: (c) => { this.controller = c; }, pull, cancel }, strategy)
      : new ReadableStream<Uint8Array>({ start: (c) => { this.controller = c; }, pull, cancel }, strategy);
  }

  /** True once the stream is closed, errored or cancelled: nothing more is accepted. */
  get finished(): boolean {
    return this.state !== 'open';
  }

  /** Bytes read from the socket. */
  push(data: Uint8Array): void {
    if (this.state !== 'open' || data.byteLength === 0) return;
    const chunk = data.constructor === Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (this.waiting && this.head === this.chunks.length && !this.byteMode) {
      // A read is waiting and nothing is queued: straight to it.
      (this.controller as ReadableStreamDefaultController<Uint8Array>).enqueue(chunk);
      this.wake();
      return;
    }
    this.chunks.push(chunk);
    this.bytes += chunk.byteLength;
    if (this.waiting && this.deliver()) this.wake();
    if (this.bytes >= this.highWaterMark && this.bytes > 0 && !this.paused) {
      this.paused = true;
      this.flow.pause();
    }
  }

  /** The peer's FIN: the stream closes once the queued bytes are read. */
  end(): void {
    if (this.state !== 'open') return;
    this.state = 'ending';
    if (this.waiting && this.deliver()) this.wake();
  }

  /** A failure: the stream errors with `err` once the queued bytes are read. */
  fail(err: unknown): void {
    if (this.state !== 'open') return;
    this.state = 'failing';
    this.failure = err;
    if (this.waiting && this.deliver()) this.wake();
  }

  /** close() or startTls(): the queued bytes are dropped and the stream closes now (reads get done). */
  cancel(): void {
    if (this.state === 'done') return;
    this.drop();
    this.state = 'done';
    try {
      this.controller.close();
      // A BYOB read in progress must be answered after close().
      if (this.byteMode) (this.controller as ReadableByteStreamController).byobRequest?.respond(0);
    } catch {
      // Already closed or errored.
    }
    this.wake();
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = null;
    if (w) w();
  }

  private drop(): void {
    this.chunks.length = 0;
    this.head = 0;
    this.offset = 0;
    this.bytes = 0;
  }

  /** Serve the pending read from the queue, or close/error the stream; false when there is nothing yet. */
  private deliver(): boolean {
    if (this.state === 'done') return true;
    if (this.head < this.chunks.length) {
      if (this.byteMode) this.copyOut(this.controller as ReadableByteStreamController);
      else {
        const chunk = this.chunks[this.head]!;
        this.chunks[this.head++] = undefined as unknown as Uint8Array;
        this.bytes -= chunk.byteLength;
        (this.controller as ReadableStreamDefaultController<Uint8Array>).enqueue(chunk);
      }
      if (this.head === this.chunks.length) {
        this.chunks.length = 0;
        this.head = 0;
      } else if (this.head > 1024) {
        this.chunks.splice(0, this.head);
        this.head = 0;
      }
      if (this.paused && this.bytes < this.highWaterMark) {
        this.paused = false;
        this.flow.resume();
      }
      return true;
    }
    if (this.state === 'ending') {
      this.state = 'done';
      this.controller.close();
      if (this.byteMode) (this.controller as ReadableByteStreamController).byobRequest?.respond(0);
      return true;
    }
    if (this.state === 'failing') {
      this.state = 'done';
      this.controller.error(this.failure);
      return true;
    }
    return false;
  }

  /** Byte mode: fill the BYOB request's view from the queue, or enqueue a copy of the next chunk. */
  private copyOut(c: ReadableByteStreamController): void {
    const request = c.byobRequest;
    if (!request || !request.view) {
      const chunk = this.chunks[this.head]!;
      const copy = chunk.slice(this.offset);
      this.bytes -= copy.byteLength;
      this.chunks[this.head++] = undefined as unknown as Uint8Array;
      this.offset = 0;
      c.enqueue(copy);
      return;
    }
    const view = request.view;
    const target = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    let filled = 0;
    while (filled < target.byteLength && this.head < this.chunks.length) {
      const chunk = this.chunks[this.head]!;
      const n = Math.min(chunk.byteLength - this.offset, target.byteLength - filled);
      target.set(chunk.subarray(this.offset, this.offset + n), filled);
      filled += n;
      this.offset += n;
      if (this.offset === chunk.byteLength) {
        this.chunks[this.head++] = undefined as unknown as Uint8Array;
        this.offset = 0;
      }
    }
    this.bytes -= filled;
    request.respond(filled);
  }
}
