// The one place a conformance file gets `net` from: crossnet's built package or the runtime's
// own node:net, as chosen by the runner through CROSSNET_IMPL.
import process from 'node:process';

// CROSSNET_IMPL: 'builtin', 'crossnet', or 'crossnet+<adapter>' for crossnet over a chosen adapter.
const [choice, adapter] = (process.env.CROSSNET_IMPL ?? 'crossnet').split('+');
const impl = choice === 'builtin' ? 'builtin' : 'crossnet';
const runtime = typeof globalThis.Deno !== 'undefined' ? 'deno'
  : typeof globalThis.Bun !== 'undefined' ? 'bun' : 'node';

// crossnet+memory: a simulated network's own net module (crossnet/testing), see memory.mjs.
const mod = impl === 'builtin' ? await import('node:net')
  : adapter === 'memory' ? await (await import('./memory.mjs')).memoryNet() : await import('../dist/index.mjs');
if (adapter && adapter !== 'memory') mod.setTransport((await import(`../dist/adapters/${adapter}.mjs`)).transport);

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
};
export default net;
