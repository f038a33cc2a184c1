// The slice of Deno's API the Deno adapter uses (kept local so the emitted .d.ts never names
// Deno's types), checked against Deno's published types. Nothing touches `Deno` at module load.
import type { Deno as ShimDeno } from '@deno/shim-deno';
import type { IpEndpoint } from '../src/transport.ts';

// The parts of Deno's API used here (kept local so the emitted .d.ts never names Deno's types).
export interface DenoAddr {
  transport: string;
  hostname?: string;
  port?: number;
  /** null for an unnamed (client) Unix socket. */
  path?: string | null;
}
export interface DenoConn {
  read(p: Uint8Array): Promise<number | null>;
  write(p: Uint8Array): Promise<number>;
  close(): void;
  closeWrite(): Promise<void>;
  readonly localAddr: DenoAddr;
  readonly remoteAddr: DenoAddr;
  ref(): void;
  unref(): void;
  setNoDelay?(noDelay?: boolean): void;
  setKeepAlive?(keepAlive?: boolean): void;
}
export interface DenoListener {
  accept(): Promise<DenoConn>;
  close(): void;
  readonly addr: DenoAddr;
  ref(): void;
  unref(): void;
}
export interface DenoApi {
  connect(options: { transport: 'tcp'; hostname: string; port: number; signal?: AbortSignal }
    | { transport: 'unix'; path: string }): Promise<DenoConn>;
  listen(options: { transport: 'tcp'; hostname: string; port: number; tcpBacklog?: number; reusePort?: boolean }
    | { transport: 'unix'; path: string }): DenoListener;
  readonly version: { deno: string };
  /** Present only under --unstable-net, the same flag `reusePort` needs. */
  readonly listenDatagram?: unknown;
}

// The slices above, checked at compile time against Deno's published types (@deno/shim-deno): the
// real TcpConn, UnixConn and Listener must provide every member used here, with these signatures.
type Satisfies<Real, Used> = [Real] extends [Used] ? true : false;
type MustHold<T extends true> = T;
type DenoTypeCheck = [
  MustHold<Satisfies<ShimDeno.TcpConn, DenoConn>>,
  MustHold<Satisfies<ShimDeno.UnixConn, Omit<DenoConn, 'setNoDelay' | 'setKeepAlive'>>>,
  MustHold<Satisfies<ShimDeno.Listener, DenoListener>>,
];

let api: DenoApi | undefined;
export function deno(): DenoApi {
  if (api) return api;
  const d = (globalThis as { Deno?: DenoApi }).Deno;
  if (!d || typeof d.connect !== 'function') throw new Error('crossnet: the Deno adapter needs the Deno global (run on Deno)');
  return (api = d);
}

export function ipEndpoint(addr: DenoAddr | undefined): IpEndpoint | undefined {
  if (!addr || typeof addr.hostname !== 'string' || typeof addr.port !== 'number') return undefined;
  // Deno prints IPv6 without brackets, as Node does.
  return { address: addr.hostname, port: addr.port, family: addr.hostname.includes(':') ? 'IPv6' : 'IPv4' };
}

