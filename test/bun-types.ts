// Type-level check: the slice of Bun's API that adapters/bun-api.ts declares locally (so that no Bun
// type leaks into crossnet's .d.ts) is satisfied by Bun's published types (@types/bun).
// Not in @types/bun, so left out here and exercised at run time by test/contract-bun.mjs instead:
// `fd` on sockets and listeners, and `getsockname` on listeners.
import type { Socket, TCPSocketListener } from 'bun';
import type { BunListener, BunSocket } from '../adapters/bun-api.ts';

type Satisfies<Real, Used> = [Real] extends [Used] ? true : false;
type MustHold<T extends true> = T;
export type BunTypeCheck = [
  MustHold<Satisfies<Socket<unknown>, Omit<BunSocket, 'fd'>>>,
  MustHold<Satisfies<TCPSocketListener<unknown>, Omit<BunListener, 'fd' | 'getsockname'>>>,
];
