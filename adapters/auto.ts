// Picks the adapter for the runtime crossnet was imported on. The only runtime check in crossnet.
// Only the chosen adapter is loaded, so the others cost neither parse time nor memory.
import type { Transport } from '../src/transport.js';

const g = globalThis as { Deno?: unknown; Bun?: unknown };
const picked: { transport: Transport } = typeof g.Deno !== 'undefined' ? await import('./deno.js')
  : typeof g.Bun !== 'undefined' ? await import('./bun.js')
  : await import('./node.js');

export function detectTransport(): Transport {
  return picked.transport;
}
