// The `signal` option of new net.Socket(), with Node's two listeners, one by one:
// - node:stream's (Duplex's own `signal` option): added at once; destroys the socket with an
//   AbortError whose cause is the signal's reason; removed once the stream is done (finished());
//   an already aborted signal destroys the socket at once, and node:net revives it (the constructor
//   undestroys what its handle set-up finds), so a later connect() still goes ahead;
// - node:net's (addClientAbortSignalOption): added a tick later, marks the socket aborted (Happy
//   Eyeballs stops), and is removed only when the signal fires.
import process from 'node:process';
import { finished } from 'node:stream';
import { AbortError } from './errors.ts';
import { validateAbortSignal } from './validate.ts';

interface Abortable {
  destroy(err: Error): unknown;
  _undestroy(): void;
  _aborted: boolean;
}

/** node:events' addAbortListener: once, or a microtask when already aborted; returns the disposer. */
function addAbortListener(signal: AbortSignal, listener: () => void): () => void {
  if (signal.aborted) {
    let disposed = false;
    queueMicrotask(() => { if (!disposed) listener(); });
    return () => { disposed = true; };
  }
  signal.addEventListener('abort', listener, { once: true });
  return () => signal.removeEventListener('abort', listener);
}

export function watchSignal(socket: Abortable, signal: unknown): void {
  if (!signal) return;
  validateAbortSignal(signal, 'signal');
  const onAbort = (): void => { socket.destroy(new AbortError(undefined, { cause: signal.reason })); };
  if (signal.aborted) {
    onAbort();
    socket._undestroy();
  } else {
    const remove = addAbortListener(signal, onAbort);
    finished(socket as never, remove);
  }
  validateAbortSignal(signal, 'options.signal');
  let dispose: (() => void) | undefined;
  const onNetAbort = (): void => {
    dispose?.();
    socket._aborted = true;
  };
  if (signal.aborted) process.nextTick(onNetAbort);
  else process.nextTick(() => { dispose = addAbortListener(signal, onNetAbort); });
}
