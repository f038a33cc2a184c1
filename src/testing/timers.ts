// The `node:timers` a network's core sees: each call goes to the global timer function when a
// fake-timer library replaced it (so faked time drives the core's timeouts and Happy Eyeballs), and
// to node:timers' own otherwise (Deno's global setTimeout returns a number without unref()).
import process from 'node:process';

type Fn = (...args: unknown[]) => unknown;
const NAMES = ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval'] as const;
const g = globalThis as unknown as Record<string, Fn | undefined>;
// The globals as this module found them: a later replacement is a fake-timer library's.
const original = Object.fromEntries(NAMES.map((n) => [n, g[n]]));

export function lateTimers(): Record<string, Fn> {
  const real = process.getBuiltinModule('node:timers') as unknown as Record<string, Fn>;
  const out: Record<string, Fn> = Object.create(real);
  for (const n of NAMES) {
    out[n] = (...args: unknown[]) => {
      const current = g[n];
      return (current && current !== original[n] ? current : real[n])(...args);
    };
  }
  return out;
}
