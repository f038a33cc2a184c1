// A fresh instance of crossnet's core (its own module state: transport, defaults, classes) per
// network, so each network's `net` uses that network's transport while the process's `crossnet`
// keeps the OS one, with nothing added to the core's normal path.
//
// This source form cannot make a second instance of ES modules that are already loaded; the
// package build (scripts/build-testing.mjs) replaces this file with the core bundled into a
// function, called once per network with the builtins that network's core sees.
import type * as Core from './core.ts';

export type CoreModule = typeof Core;
/** The `node:*` module the core instance imports for `id` (the network's own `node:dns`, …). */
export type Builtins = (id: string) => unknown;

export function instantiateCore(builtins: Builtins): CoreModule {
  void builtins;
  throw new Error('crossnet/testing needs the built package (dist/testing.mjs): run node scripts/build.mjs');
}
