// The socket's read side, as node:net has it: what the adapter reports (SocketReceiver), reading
// started and stopped on the handle (Node's tryReadStart, and onStreamRead's stop when push() says
// enough), the `onread` mode's deliveries, and a server's pauseOnConnect.
import process from 'node:process';
import { Buffer } from 'node:buffer';
import { setImmediate } from 'node:timers';
import type { Duplex } from 'node:stream';
import { codeOfErrno, systemError } from './errors.ts';
import { handleMethod, type AnyHandle } from './handle.ts';
import { deliver, type UserReads } from './onread.ts';
import type { IdleTimer } from './idle-timer.ts';
import type { Failure, Receiver } from './transport.ts';

/** The parts of a Socket used here. */
export interface ReadSide extends Duplex {
  _handle: AnyHandle | null;
  _reads: UserReads | null;
  _bytesRead: number;
  _idle: IdleTimer | null;
}

function rethrow(err: unknown): never {
  throw err;
}

const asBuffer = (chunk: Uint8Array): Buffer =>
  chunk instanceof Buffer ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);

/**
 * The adapter's entry points. A listener's exception must reach the process as uncaught, as on
 * Node, even from an adapter callback inside a promise continuation (runtime.ts `surface`, inlined
 * here: reads are the hottest path).
 */
export class SocketReceiver implements Receiver {
  constructor(private readonly socket: ReadSide) {}

  onData(chunk: Uint8Array): void {
    const s = this.socket;
    try {
      if (s.destroyed) return;
      s._bytesRead += chunk.byteLength;
      s._idle?.touch();
      const reads = s._reads;
      if (reads !== null) {
        if (!deliver(s, reads, chunk)) readStop(s);
      } else if (!s.push(asBuffer(chunk))) {
        readStop(s);
      }
    } catch (err) {
      process.nextTick(rethrow, err);
    }
  }

  onEnd(): void {
    const s = this.socket;
    try {
      if (s.destroyed) return;
      s.push(null);
      s.read(0);
    } catch (err) {
      process.nextTick(rethrow, err);
    }
  }

  onError(err: Failure): void {
    try {
      this.socket.destroy(systemError(err.code, 'read'));
    } catch (e) {
      process.nextTick(rethrow, e);
    }
  }
}

/** Node's tryReadStart: the flag, then the handle (onread bytes a callback declined go first). */
export function tryReadStart(s: ReadSide): void {
  const h = s._handle!;
  h.reading = true;
  if (s._reads?.leftover) {
    // Like a fresh read from the OS: after the ticks resume() schedules.
    setImmediate(flushLeftover, s);
    return;
  }
  const err = handleMethod(h, 'readStart')!.call(h);
  if (typeof err === 'number' && err < 0) s.destroy(systemError(codeOfErrno(err), 'read'));
}

/** Reading stops: the flag, then the handle (Node's onStreamRead when push() says enough). */
export function readStop(s: ReadSide): void {
  const h = s._handle;
  if (!h?.reading) return;
  h.reading = false;
  if (s.destroyed) return;
  const err = handleMethod(h, 'readStop')?.call(h);
  if (typeof err === 'number' && err < 0) s.destroy(systemError(codeOfErrno(err), 'read'));
}

// Bytes an onread callback declined (returned false) are handed over again once reading resumes.
function flushLeftover(s: ReadSide): void {
  try {
    const reads = s._reads;
    const rest = reads?.leftover;
    if (!rest || !s._handle?.reading || s.destroyed) return;
    reads!.leftover = null;
    if (!deliver(s, reads!, rest)) readStop(s);
    else if (s._handle?.reading && !reads!.leftover) tryReadStart(s);
  } catch (err) {
    process.nextTick(rethrow, err);
  }
}

/** The onread mode reads only while asked to: pause() stops the handle, resume()/read() start it. */
export function userReadsPause(s: ReadSide, connecting: boolean): void {
  if (s._reads && !connecting && s._handle?.reading) readStop(s);
}

export function userReadsResume(s: ReadSide, connecting: boolean): void {
  if (s._reads && !connecting && s._handle && !s._handle.reading) tryReadStart(s);
}

/** A server's pauseOnConnect: no byte is read until resume() (readableFlowing false keeps 'data' listeners from starting it). */
export function pauseOnCreate(s: ReadSide): void {
  s._handle!.reading = false;
  (s as unknown as { readableFlowing: boolean | null }).readableFlowing = false;
}
