// Picks the adapter for the runtime crossnet was imported on. The only runtime check in crossnet.
import type { Transport } from '../src/transport.js';
import { transport as nodeTransport } from './node.js';
import { transport as denoTransport } from './deno.js';
import { transport as bunTransport } from './bun.js';

export function detectTransport(): Transport {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  if (typeof g.Deno !== 'undefined') return denoTransport;
  if (typeof g.Bun !== 'undefined') return bunTransport;
  return nodeTransport;
}
