// Picks the adapter for the runtime crossnet was imported on. The only runtime check in crossnet.
// Only the chosen adapter is loaded, so the others cost neither parse time nor memory.
import process from 'node:process';
import type { Transport } from '../src/transport.js';

async function pick(): Promise<Transport> {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  if (typeof g.Deno !== 'undefined') return (await import('./deno.js')).transport;
  if (typeof g.Bun !== 'undefined') return (await import('./bun.js')).transport;
  const node = (await import('./node.js')).transport;
  try {
    node.ready?.();
    return node;
  } catch (err) {
    // No libuv handles on this Node: node:net's public API carries the bytes instead.
    process.emitWarning(`${(err as Error).message}; using the node:net fallback adapter`, {
      type: 'CrossnetWarning', code: 'CROSSNET_NODE_FALLBACK',
    });
    return (await import('./node-net.js')).transport;
  }
}

const picked = await pick();

export function detectTransport(): Transport {
  return picked;
}
