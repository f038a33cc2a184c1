// One in-memory connection: two ends, and one Flow per direction. A Flow models what a kernel pair
// does for that direction: the sender's buffer (SO_SNDBUF: a write's callback runs once its bytes
// fit), segments in flight (latency, bandwidth, order kept), and the receiver's buffer (SO_RCVBUF:
// bytes not yet read hold the window shut, so a reader that stops stalls the writer). FIN and RST
// travel in order behind the data, as on the wire.
import type { Connection, Endpoint, Failure, Receiver } from '../transport.ts';
import { now, schedule } from './clock.ts';

/** What a connection needs from its network. */
export interface Wire {
  /** One-way delay of what `from` sends. */
  latency(from: 'client' | 'server'): number;
  readonly bandwidth: number;
  /** The size of the next read handed to the core. */
  readSize(available: number): number;
  readonly sendBufferSize: number;
  readonly receiveBufferSize: number;
  /** The end is closed: release its port. */
  released(end: MemoryEnd): void;
  /** While something is ref()ed, the process stays alive. */
  hold(who: object): void;
  release(who: object): void;
}

/** A byte fault on one direction: after `after` more bytes, reset, close (FIN) or stall. */
export interface ByteFault { kind: 'reset' | 'close' | 'stall'; after: number }

interface Segment { data: Uint8Array[]; bytes: number; at: number; fin?: boolean; rst?: boolean }
interface PendingWrite { end: number; done: (err: Failure | null) => void }

const MSS = 65536;
// A promise job, not queueMicrotask: fake-timer libraries may replace queueMicrotask, never promises.
const resolved = Promise.resolve();
const later = (fn: () => void): void => { void resolved.then(fn); };

class Flow {
  private outbox: Uint8Array[] = [];
  private outboxBytes = 0;
  private writes: PendingWrite[] = [];
  private written = 0;
  /** Bytes moved from the send buffer into flight. */
  sent = 0;
  private finQueued = false;
  private finDone: ((err: Failure | null) => void) | null = null;
  private finSent = false;
  private inflight: Segment[] = [];
  private inflightBytes = 0;
  private busyUntil = 0;
  private lastArrival = 0;
  private cancelTimer: (() => void) | null = null;
  /** Nothing more moves (after a RST, or a close fault). */
  dead = false;
  /** Writes are taken and dropped (after a close fault: the receiver saw its FIN). */
  private discard = false;
  fault: (ByteFault & { at: number }) | null = null;

  constructor(readonly from: MemoryEnd, readonly to: MemoryEnd, private readonly wire: Wire) {}

  write(chunk: Uint8Array, done: (err: Failure | null) => void): void {
    if (this.discard) { later(() => done(null)); return; }
    this.written += chunk.byteLength;
    if (chunk.byteLength) {
      this.outbox.push(chunk);
      this.outboxBytes += chunk.byteLength;
    }
    this.writes.push({ end: this.written, done });
    this.pump();
  }

  shutdown(done: (err: Failure | null) => void): void {
    if (this.finQueued || this.finSent || this.dead) { later(() => done(null)); return; }
    this.finQueued = true;
    this.finDone = done;
    this.pump();
  }

  /** Install a byte fault; the function returned lifts it if it has not fired (a stall: resumes). */
  setFault(kind: ByteFault['kind'], after: number): () => void {
    const f = (this.fault = { kind, after, at: this.sent + after });
    this.pump();
    return () => {
      if (this.fault !== f) return;
      this.fault = null;
      this.pump();
    };
  }

  /** Move what the receiver's window takes into flight; run the callbacks of writes that fit. */
  pump(): void {
    if (this.dead) return;
    const f = this.fault;
    while (this.outboxBytes > 0) {
      if (f && this.sent >= f.at) break;
      const room = this.wire.receiveBufferSize - this.inflightBytes - this.to.inboxBytes;
      if (room <= 0) break;
      let n = Math.min(this.outboxBytes, room, MSS);
      if (f) n = Math.min(n, f.at - this.sent);
      this.send(this.take(n), n);
    }
    if (f && this.sent >= f.at && f.kind !== 'stall') {
      this.fault = null;
      if (f.kind === 'reset') this.from.abortBoth();
      else this.closeByFault();
      return;
    }
    if (this.outboxBytes === 0 && this.finQueued && !this.finSent && !(f && f.kind === 'stall' && this.sent >= f.at)) {
      this.finSent = true;
      this.push({ data: [], bytes: 0, at: 0, fin: true });
      const done = this.finDone;
      this.finDone = null;
      if (done) later(() => done(null));
    }
    this.settle();
  }

  private settle(): void {
    const limit = this.sent + this.wire.sendBufferSize;
    let n = 0;
    while (n < this.writes.length && this.writes[n].end <= limit) n++;
    if (!n) return;
    const ready = this.writes.splice(0, n);
    later(() => { for (const w of ready) w.done(null); });
  }

  private take(n: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    while (n > 0) {
      const head = this.outbox[0];
      if (head.byteLength <= n) {
        out.push(head);
        this.outbox.shift();
        n -= head.byteLength;
        this.outboxBytes -= head.byteLength;
      } else {
        out.push(head.subarray(0, n));
        this.outbox[0] = head.subarray(n);
        this.outboxBytes -= n;
        n = 0;
      }
    }
    return out;
  }

  private send(data: Uint8Array[], bytes: number): void {
    this.sent += bytes;
    this.push({ data, bytes, at: 0 });
  }

  /** Queue a segment behind the ones in flight: serialization at `bandwidth`, then one-way latency. */
  private push(seg: Segment): void {
    const t = now();
    const depart = Math.max(t, this.busyUntil);
    this.busyUntil = depart + (this.wire.bandwidth === Infinity ? 0 : (seg.bytes * 1000) / this.wire.bandwidth);
    seg.at = Math.max(this.busyUntil + this.wire.latency(this.from.isClient ? 'client' : 'server'), this.lastArrival);
    this.lastArrival = seg.at;
    this.inflight.push(seg);
    this.inflightBytes += seg.bytes;
    if (!this.cancelTimer) this.arm();
  }

  private arm(): void {
    const head = this.inflight[0];
    if (!head) return;
    this.cancelTimer = schedule(() => this.arrive(), Math.ceil(head.at - now()), this.from.refed || this.to.refed);
  }

  private arrive(): void {
    this.cancelTimer = null;
    const t = now() + 1;
    while (this.inflight.length && this.inflight[0].at <= t) {
      const seg = this.inflight.shift()!;
      this.inflightBytes -= seg.bytes;
      this.to.arrive(seg);
    }
    // A delivery above may have pumped and armed the timer already: one timer per flow.
    if (!this.cancelTimer) this.arm();
    this.pump();
  }

  /** A close fault fired: the receiver gets FIN after exactly the bytes so far; later writes vanish. */
  private closeByFault(): void {
    this.discard = true;
    this.outbox = [];
    this.outboxBytes = 0;
    if (!this.finSent) {
      this.finSent = true;
      this.push({ data: [], bytes: 0, at: 0, fin: true });
    }
    const pending = this.writes.splice(0);
    const fin = this.finDone;
    this.finDone = null;
    later(() => { for (const w of pending) w.done(null); fin?.(null); });
  }

  /** RST: what is in flight still arrives, then the reset; the rest of the send buffer is dropped. */
  abort(): void {
    if (this.dead) return;
    this.dead = true;
    this.outbox = [];
    this.outboxBytes = 0;
    this.push({ data: [], bytes: 0, at: 0, rst: true });
  }

  /** Fail the writes still waiting (the socket was closed or reset). */
  cancelWrites(code: string, keepAccepted: boolean): void {
    const limit = keepAccepted ? this.sent + this.wire.sendBufferSize : -1;
    const failed = this.writes.filter((w) => w.end > limit);
    this.writes = this.writes.filter((w) => w.end <= limit);
    if (!keepAccepted) { this.outbox = []; this.outboxBytes = 0; }
    else {
      // Drop the bytes of the writes that failed: they never reached the send buffer.
      const keep = this.writes.length ? this.writes[this.writes.length - 1].end : this.sent;
      let extra = this.written - Math.max(keep, this.sent);
      while (extra > 0 && this.outbox.length) {
        const last = this.outbox[this.outbox.length - 1];
        if (last.byteLength <= extra) { this.outbox.pop(); extra -= last.byteLength; this.outboxBytes -= last.byteLength; }
        else { this.outbox[this.outbox.length - 1] = last.subarray(0, last.byteLength - extra); this.outboxBytes -= extra; extra = 0; }
      }
      this.written = Math.max(keep, this.sent);
    }
    const fin = this.finDone;
    this.finDone = null;
    if (failed.length || fin) later(() => { for (const w of failed) w.done({ code }); fin?.({ code }); });
  }

  /** Nothing left to send or in flight. */
  get idle(): boolean {
    return this.inflight.length === 0 && (this.dead || this.outboxBytes === 0);
  }

  stopTimer(): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
  }
}

/** One end of an in-memory connection: the `Connection` the core drives. */
export class MemoryEnd implements Connection {
  readonly fd = -1;
  refed = true;
  receiver: Receiver | null = null;
  reading = false;
  inbox: Uint8Array[] = [];
  inboxBytes = 0;
  private inboxFin = false;
  private inboxRst = false;
  private reported = false;
  /** closed or reset by the core */
  closed = false;
  /** a RST went either way: nothing more moves */
  broken = false;
  private deliverTimer: (() => void) | null = null;
  out!: Flow;
  in!: Flow;
  peer!: MemoryEnd;
  private tos = 0;
  keepAlive: [boolean, number] = [false, 0];
  noDelay = false;

  constructor(
    readonly kind: 'tcp' | 'ipc',
    private readonly local: Endpoint | undefined,
    private readonly remote: Endpoint | undefined,
    readonly isClient: boolean,
    private readonly wire: Wire,
  ) {
    wire.hold(this);
  }

  static pair(kind: 'tcp' | 'ipc', wire: Wire, client: [Endpoint | undefined, Endpoint | undefined], server: [Endpoint | undefined, Endpoint | undefined]): [MemoryEnd, MemoryEnd] {
    const c = new MemoryEnd(kind, client[0], client[1], true, wire);
    const s = new MemoryEnd(kind, server[0], server[1], false, wire);
    c.peer = s;
    s.peer = c;
    c.out = s.in = new Flow(c, s, wire);
    s.out = c.in = new Flow(s, c, wire);
    return [c, s];
  }

  setReceiver(receiver: Receiver): void { this.receiver = receiver; }

  readStart(): void {
    if (this.closed) return;
    this.reading = true;
    if ((this.inboxBytes || this.inboxFin || this.inboxRst) && !this.deliverTimer) {
      this.deliverTimer = schedule(() => { this.deliverTimer = null; this.deliver(); }, 0, this.refed);
    }
  }

  readStop(): void { this.reading = false; }

  write(chunks: readonly Uint8Array[], done: (err: Failure | null) => void): void {
    if (this.broken || this.closed) { later(() => done({ code: this.broken ? 'EPIPE' : 'EBADF' })); return; }
    // Copied now: the caller's bytes are its own again once `done` runs, and the receiver owns what it reads.
    let total = 0;
    for (const c of chunks) total += c.byteLength;
    const copy = new Uint8Array(total);
    let off = 0;
    for (const c of chunks) { copy.set(c, off); off += c.byteLength; }
    this.out.write(copy, done);
  }

  shutdown(done: (err: Failure | null) => void): void {
    if (this.closed) { later(() => done({ code: 'ENOTCONN' })); return; }
    this.out.shutdown(done);
  }

  close(done?: () => void): void {
    if (this.closed) { if (done) schedule(done, 0, true); return; }
    if (this.inboxBytes > 0 && !this.broken) {
      // Closing with unread bytes: the kernel answers with RST, not FIN.
      this.reset(done);
      return;
    }
    this.finish();
    this.out.cancelWrites('ECANCELED', true);
    this.out.shutdown(() => {});
    if (done) schedule(done, 0, true);
  }

  reset(done?: () => void): void {
    if (this.closed) { if (done) schedule(done, 0, true); return; }
    this.finish();
    this.out.cancelWrites('ECANCELED', false);
    this.out.abort();
    this.broken = true;
    if (done) schedule(done, 0, true);
  }

  private finish(): void {
    this.closed = true;
    this.reading = false;
    this.receiver = null;
    this.inbox = [];
    this.inboxBytes = 0;
    this.deliverTimer?.();
    this.deliverTimer = null;
    this.wire.release(this);
    this.wire.released(this);
  }

  /** Both directions reset (a middlebox fault): each end gets ECONNRESET after what is in flight to it. */
  abortBoth(): void {
    this.out.abort();
    this.in.abort();
  }

  arrive(seg: Segment): void {
    if (this.closed) {
      // Bytes for a closed socket: the kernel answers with RST.
      if (seg.bytes > 0 && !this.broken) { this.broken = true; this.out.abort(); }
      return;
    }
    if (seg.rst) {
      this.inboxRst = true;
      this.broken = true;
      this.out.dead = true;
      this.out.cancelWrites('EPIPE', false);
    } else if (seg.fin) this.inboxFin = true;
    else {
      for (const d of seg.data) this.inbox.push(d);
      this.inboxBytes += seg.bytes;
    }
    this.deliver();
  }

  /** Hand what arrived to the core while it reads: bytes (in read-sized chunks), then FIN or RST. */
  private deliver(): void {
    while (this.reading && this.inboxBytes > 0 && this.receiver) {
      const chunk = this.takeInbox(this.wire.readSize(this.inboxBytes));
      this.receiver.onData(chunk);
    }
    if (this.reading && this.inboxBytes === 0 && this.receiver && !this.reported) {
      if (this.inboxRst) {
        this.reported = true;
        this.receiver.onError({ code: 'ECONNRESET' });
      } else if (this.inboxFin) {
        this.reported = true;
        this.receiver.onEnd();
      }
    }
    if (!this.closed) this.in.pump();
  }

  private takeInbox(n: number): Uint8Array {
    n = Math.min(n, this.inboxBytes);
    const head = this.inbox[0];
    if (head.byteLength === n) {
      this.inbox.shift();
      this.inboxBytes -= n;
      return head;
    }
    if (head.byteLength > n) {
      this.inbox[0] = head.subarray(n);
      this.inboxBytes -= n;
      return head.slice(0, n);
    }
    const out = new Uint8Array(n);
    let off = 0;
    while (off < n) {
      const h = this.inbox[0];
      const k = Math.min(h.byteLength, n - off);
      out.set(k === h.byteLength ? h : h.subarray(0, k), off);
      if (k === h.byteLength) this.inbox.shift();
      else this.inbox[0] = h.subarray(k);
      off += k;
    }
    this.inboxBytes -= n;
    return out;
  }

  setNoDelay(enable: boolean): void { this.noDelay = enable; }
  setKeepAlive(enable: boolean, delaySeconds: number): void { this.keepAlive = [enable, delaySeconds]; }
  setTypeOfService(tos: number): void { this.tos = tos; }
  getTypeOfService(): number { return this.tos; }
  ref(): void {
    this.refed = true;
    if (!this.closed) this.wire.hold(this);
  }

  unref(): void {
    this.refed = false;
    this.wire.release(this);
  }
  localEndpoint(): Endpoint | undefined { return this.local; }
  remoteEndpoint(): Endpoint | undefined { return this.remote; }

  /** Install a byte fault on the direction whose bytes `from` sends. */
  fault(from: 'client' | 'server', kind: ByteFault['kind'], after: number): () => void {
    const sender = (from === 'client') === this.isClient ? this : this.peer;
    return sender.out.setFault(kind, after);
  }

  get open(): boolean { return !this.closed && !this.broken; }
}
