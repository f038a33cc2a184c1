// Picks the adapter for the runtime crossnet was imported on. The only runtime check in crossnet.
// The choice is synchronous (no top-level await), so the package can be require()d; the adapters
// are bundled with the core, and each does its runtime work only when first used.
import process from 'node:process';
import type { Transport } from '../src/transport.ts';
import { transport as deno } from './deno.ts';
import { transport as denoCompat } from './deno-compat.ts';
import { transport as bun } from './bun.ts';
import { transport as node } from './node.ts';
import { transport as nodeNet } from './node-net.ts';

function pick(): Transport {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  if (typeof g.Deno !== 'undefined') {
    // Deno's node-compat handles (what its own node:net runs on) do all that Deno.connect/listen
    // do and more (docs/deno-backends.md); the public API is the fallback where they are missing.
    // setTransport(transport from 'crossnet/adapters/deno') picks the public API explicitly.
    try {
      denoCompat.ready?.();
      return denoCompat;
    } catch {
      return deno;
    }
  }
  if (typeof g.Bun !== 'undefined') return bun;
  try {
    node.ready?.();
    return node;
  } catch (err) {
    // No libuv handles on this Node: node:net's public API carries the bytes instead.
    process.emitWarning(`${(err as Error).message}; using the node:net fallback adapter`, {
      type: 'CrossnetWarning', code: 'CROSSNET_NODE_FALLBACK',
    });
    return nodeNet;
  }
}

let picked: Transport | undefined;

export function detectTransport(): Transport {
  return (picked ??= pick());
}
