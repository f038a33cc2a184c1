// The one place a conformance file gets `net` from: crossnet's built package or the runtime's
// own node:net, as chosen by the runner through CROSSNET_IMPL.
import process from 'node:process';
import { readdirSync } from 'node:fs';

// CROSSNET_IMPL: 'builtin', 'crossnet', or 'crossnet+<adapter>' for crossnet over a chosen adapter.
const [choice, adapter] = (process.env.CROSSNET_IMPL ?? 'crossnet').split('+');
const impl = choice === 'builtin' ? 'builtin' : 'crossnet';
const runtime = typeof globalThis.Deno !== 'undefined' ? 'deno'
  : typeof globalThis.Bun !== 'undefined' ? 'bun' : 'node';

// Deno before 2.5 gives Node's globals only to npm packages; the conformance files use them.
if (typeof globalThis.Buffer === 'undefined') {
  globalThis.Buffer = (await import('node:buffer')).Buffer;
  const timers = await import('node:timers');
  globalThis.setImmediate ??= timers.setImmediate;
  globalThis.clearImmediate ??= timers.clearImmediate;
  globalThis.global ??= globalThis;
}

// crossnet+memory: a simulated network's own net module (crossnet/testing), see memory.mjs.
const mod = impl === 'builtin' ? await import('node:net')
  : adapter === 'memory' ? await (await import('./memory.mjs')).memoryNet() : await import('../dist/index.mjs');
if (adapter && adapter !== 'memory') mod.setTransport((await import(`../dist/adapters/${adapter}.mjs`)).transport);

/**
 * For crossnet: which adapter (dist/adapters/<name>.mjs) its transport is here, and the capabilities
 * it declares, which the runner checks against conformance/limits.mjs.
 */
async function transportInfo() {
  const used = mod.getTransport();
  const dir = new URL('../dist/adapters/', import.meta.url);
  // A simulated network's transport is its own instance (crossnet/testing), not dist/adapters/memory.mjs's.
  let name = used.runtime === 'memory' ? 'memory' : '(unknown: not one of dist/adapters/)';
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.mjs'))) {
    if ((await import(new URL(file, dir).href)).transport === used) name = file.slice(0, -'.mjs'.length);
  }
  const capabilities = {};
  for (const key in used.capabilities) capabilities[key] = used.capabilities[key];
  return { adapter: name, capabilities };
}

/** The module under test (default export of node:net or crossnet). */
export const net = mod.default ?? mod;
/** Which column this process is: runtime × implementation, plus the runtime's version. */
export const env = {
  impl,
  runtime,
  version: runtime === 'deno' ? globalThis.Deno.version.deno
    : runtime === 'bun' ? globalThis.Bun.version : process.versions.node,
  /** True for the runtime's own node:net on Node: the ground truth column. */
  reference: impl === 'builtin' && runtime === 'node',
  adapter: adapter ?? 'auto',
  transport: impl === 'crossnet' ? await transportInfo() : undefined,
};
export default net;
