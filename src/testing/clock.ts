// Time for the simulated network, read through the same late-bound timers the network's core uses
// (timers.ts), so a fake-timer library installed on globalThis drives latency, bandwidth and
// delivery along with the core's own timeouts.
import { lateTimers } from './timers.ts';

type Timer = { unref?: () => unknown } | number;
let timers: ReturnType<typeof lateTimers> | undefined;

export const now = (): number => Date.now();

/** Run `fn` after `ms` (0 or less: in the next turn of the event loop, after I/O, as a loopback read). */
export function schedule(fn: () => void, ms: number, refed: boolean): () => void {
  const t = (timers ??= lateTimers());
  const immediate = ms <= 0;
  const handle = (immediate ? t.setImmediate(fn) : t.setTimeout(fn, ms)) as Timer;
  if (!refed && typeof handle === 'object') handle.unref?.();
  return () => { (immediate ? t.clearImmediate : t.clearTimeout)(handle); };
}
