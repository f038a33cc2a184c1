// Deno.listen's listening side for the Deno adapter: accept loops, and Node's close timing on top
// of Deno's (see below).
import type { Connection, Endpoint, Failure, Listener, ListenEvents, ListenTarget } from '../src/transport.ts';
import { failure } from '../src/failure.ts';
import process from 'node:process';
import { codeOf } from './shared/codes.ts';
import { unlinkQuietly } from './shared/ipc.ts';
import { ipEndpoint, type DenoConn, type DenoListener } from './deno-api.ts';

const later = (fn: () => void): void => queueMicrotask(fn);
const absolute = (path: string): string => (path[0] === '/' ? path : `${process.cwd()}/${path}`);

// Node closes a listening socket at once; Deno only once the listener's pending accept has been
// cancelled, a turn of the event loop later. Until then a connect would still be accepted (and
// reset) and a listen on the same address would fail, so both wait for such closes to finish.
let listenersClosing = 0;
let waitingForCloses: (() => void)[] = [];
/** What the closing listeners still hold (`tcp:port`, `ipc:path`): a listen on it waits for them. */
const closingHolds = new Map<string, number>();

export function holdKey(kind: 'tcp' | 'ipc', port: number | undefined, path: string): string {
  return kind === 'tcp' ? `tcp:${port}` : `ipc:${absolute(path)}`;
}

export function afterListenerCloses(fn: () => void): void {
  if (listenersClosing === 0) fn();
  else waitingForCloses.push(fn);
}

function listenerClosed(): void {
  if (--listenersClosing > 0) return;
  const waiting = waitingForCloses;
  waitingForCloses = [];
  for (const fn of waiting) fn();
}

/** Whether a closing listener of ours still holds `key` (see holdKey). */
export const heldByClosing = (key: string): boolean => closingHolds.has(key);

export class DenoServer implements Listener {
  readonly fd = -1;
  private closed = false;
  private accepting: Promise<void> | null = null;
  private closeCbs: (() => void)[] | null = null;
  private countedClose = false; // counted in listenersClosing until released

  private hold = '';

  constructor(private readonly listener: DenoListener, private readonly kind: 'tcp' | 'ipc', private readonly path: string,
    private readonly events: ListenEvents, private readonly unlinkOnClose: string | null,
    private readonly wrap: (conn: DenoConn, kind: 'tcp' | 'ipc', path: string) => Connection) {
    this.acceptNext();
  }

  private acceptNext(): void {
    this.accepting = this.listener.accept().then(this.onAccept, this.onAcceptError);
  }

  private onAccept = (conn: DenoConn): void => {
    this.accepting = null;
    if (this.closed) {
      try {
        conn.close();
      } catch {
        // already closed
      }
      this.finishClose();
      return;
    }
    this.events.onConnection(this.wrap(conn, this.kind, this.path));
    if (!this.closed) this.acceptNext();
    else this.finishClose();
  };

  private onAcceptError = (err: unknown): void => {
    this.accepting = null;
    if (this.closed) {
      this.finishClose();
      return;
    }
    this.events.onError(failure(codeOf(err)));
    // Retry on a later turn so a persistent failure (EMFILE) cannot starve the event loop.
    if (!this.closed) setTimeout(() => { if (!this.closed) this.acceptNext(); }, 0);
  };

  endpoint(): Endpoint {
    if (this.kind === 'ipc') return this.path;
    return ipEndpoint(this.listener.addr) ?? { address: '', port: 0, family: 'IPv4' };
  }

  close(done?: () => void): void {
    if (this.closed) {
      if (done) {
        if (this.closeCbs) this.closeCbs.push(done);
        else later(done);
      }
      return;
    }
    this.closed = true;
    this.closeCbs = done ? [done] : [];
    try {
      this.listener.close();
    } catch {
      // already closed
    }
    // Deno releases the socket (and unlinks an IPC socket file) once the pending accept settles.
    if (this.accepting) {
      listenersClosing++;
      this.countedClose = true;
      this.hold = holdKey(this.kind, this.listener.addr.port, this.path);
      closingHolds.set(this.hold, (closingHolds.get(this.hold) ?? 0) + 1);
    } else {
      later(() => this.finishClose());
    }
  }

  private finishClose(): void {
    const cbs = this.closeCbs;
    if (!cbs) return;
    this.closeCbs = null;
    // Deno unlinks only the name it bound (the short stand-in, already gone); this is the real one.
    if (this.unlinkOnClose) unlinkQuietly(this.unlinkOnClose);
    if (this.countedClose) {
      this.countedClose = false;
      const left = (closingHolds.get(this.hold) ?? 1) - 1;
      if (left > 0) closingHolds.set(this.hold, left);
      else closingHolds.delete(this.hold);
      listenerClosed();
    }
    for (const cb of cbs) cb();
  }

  ref(): void {
    if (!this.closed) this.listener.ref();
  }

  unref(): void {
    if (!this.closed) this.listener.unref();
  }
}


/** A listen that waits for a closing listener of ours to release its address; its endpoint is known. */
export class DeferredListener implements Listener {
  readonly fd = -1;
  private real: Listener | null = null;
  private closed = false;
  private refed = true;

  constructor(private readonly target: ListenTarget, private readonly events: ListenEvents,
    private readonly listenNow: (target: ListenTarget, events: ListenEvents) => Listener) {
    afterListenerCloses(() => this.start());
  }

  private start(): void {
    if (this.closed) return;
    try {
      this.real = this.listenNow(this.target, this.events);
      if (!this.refed) this.real.unref();
    } catch (code) {
      this.closed = true;
      this.events.onError(failure((code as Failure).code, (code as Failure).syscall ?? 'listen'));
    }
  }

  endpoint(): Endpoint {
    if (this.real) return this.real.endpoint();
    const t = this.target;
    if (t.kind === 'ipc') return t.path;
    const tcp = t as { address: string; port: number; family: 4 | 6 };
    return { address: tcp.address, port: tcp.port, family: tcp.family === 6 ? 'IPv6' : 'IPv4' };
  }

  close(done?: () => void): void {
    this.closed = true;
    if (this.real) this.real.close(done);
    else if (done) later(done);
  }

  ref(): void {
    this.refed = true;
    this.real?.ref();
  }

  unref(): void {
    this.refed = false;
    this.real?.unref();
  }
}


export const listenersClosingNow = (): number => listenersClosing;
