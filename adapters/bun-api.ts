// The slice of Bun's API the Bun adapter uses (bun-types describes more; kept local so no Bun type
// leaks into crossnet's .d.ts). Reached lazily through globalThis.Bun.

/** @internal Checked against @types/bun by test/bun-types.ts. */
export interface BunSocket {
  data: unknown;
  write(data: Uint8Array, byteOffset?: number, byteLength?: number): number;
  end(): void;
  shutdown(halfClose?: boolean): void;
  terminate(): void;
  pause(): void;
  resume(): void;
  ref(): void;
  unref(): void;
  setNoDelay(enable?: boolean): boolean;
  setKeepAlive(enable?: boolean, initialDelayMs?: number): boolean;
  setTypeOfService?(tos: number): number | boolean;
  getTypeOfService?(): number;
  readonly fd: number;
  readonly localAddress?: string;
  readonly localPort?: number;
  readonly localFamily?: 'IPv4' | 'IPv6';
  readonly remoteAddress?: string;
  readonly remotePort?: number;
  readonly remoteFamily?: 'IPv4' | 'IPv6';
}

/** @internal */
export interface BunListener {
  stop(closeActiveConnections?: boolean): void;
  ref(): void;
  unref(): void;
  getsockname(out: { address?: string; port?: number; family?: string }): void;
  readonly fd: number;
}

export interface Handlers {
  binaryType: 'buffer';
  open(s: BunSocket): void;
  data(s: BunSocket, d: Buffer): void;
  drain(s: BunSocket): void;
  end(s: BunSocket): void;
  close(s: BunSocket, err?: Error): void;
  error(s: BunSocket, err: Error): void;
  connectError?(s: BunSocket, err: Error): void;
}

export interface BunApi {
  readonly version: string;
  connect(options: Record<string, unknown>): Promise<BunSocket>;
  listen(options: Record<string, unknown>): BunListener;
}

export function bun(): BunApi {
  const b = (globalThis as unknown as { Bun?: BunApi }).Bun;
  if (!b) throw new Error('crossnet: the Bun adapter runs on Bun only');
  return b;
}
