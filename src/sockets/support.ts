// The types the socket layer shares, and its small helpers: the node:net / node:tls API it drives,
// promises with resolvers, endpoint strings, node:tls loaded on first use.
import process from 'node:process';
import type { WriteTarget } from './writable.ts';
import type { AnySocketAddress, SocketOptions } from './options.ts';
import type { Socket } from './socket.ts';

/** What `opened` resolves with: `"address:port"` of both ends (`"[v6]:port"`), and the ALPN protocol chosen. */
export interface SocketInfo {
  remoteAddress: string | null;
  localAddress: string | null;
  /** The protocol the server chose from the `alpn` list, or null (also without TLS). */
  alpn: string | null;
}

/** workerd's startTls() option: the name to verify the certificate against (and send as SNI). */
export interface StartTlsOptions {
  expectedServerHostname?: string;
}

/** A node:net-compatible module: crossnet, or a runtime's own node:net. */
export interface NetModule {
  connect(options: { host: string; port: number; allowHalfOpen: boolean }): unknown;
}

/** A node:tls-compatible module (its `connect({ socket, … })` is used). */
export interface TlsModule {
  connect(options: never): unknown;
}

/** connect() bound to one net module. */
export interface SocketsApi {
  connect(address: AnySocketAddress, options?: SocketOptions): Socket;
}

/** The node:net / node:tls socket API the layer drives. */
export interface Duplex extends WriteTarget {
  on(event: string, listener: (...args: never[]) => void): unknown;
  once(event: string, listener: (...args: never[]) => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
  pause(): unknown;
  resume(): unknown;
  isPaused?(): boolean;
  read?(): unknown;
  destroy(): unknown;
  setNoDelay?(noDelay?: boolean): unknown;
  readonly destroyed: boolean;
  readonly remoteAddress?: string;
  readonly remotePort?: number;
  readonly localAddress?: string;
  readonly localPort?: number;
  readonly alpnProtocol?: string | false | null;
}

export interface Api {
  net: NetModule;
  tls: TlsModule | undefined;
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

export const noop = (): void => {};

/** A promise with its resolvers, marked handled (a rejection nobody awaits is no unhandled rejection). */
export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((a, b) => { resolve = a; reject = b; });
  promise.catch(noop);
  return { promise, resolve, reject };
}

let nodeTls: TlsModule | undefined;
/** node:tls, loaded on first use (most sockets never need it). */
export function defaultTls(): TlsModule {
  nodeTls ??= (process as unknown as { getBuiltinModule(id: string): TlsModule }).getBuiltinModule('node:tls');
  return nodeTls;
}

export const endpoint = (address: string | undefined, port: number | undefined): string | null =>
  address ? `${address.includes(':') ? `[${address}]` : address}:${port}` : null;

export type Plan = { kind: 'connect' } | { kind: 'upgrade'; raw: Promise<Duplex>; servername: string };
