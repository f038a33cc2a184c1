// crossnet's public API: node:net's surface, typed as @types/node's `net` so the two swap freely.
import type * as NodeNet from 'node:net';
import { Socket as SocketImpl } from './socket.ts';
import { Server as ServerImpl } from './server.ts';
import { normalizeArgs } from './args.ts';
import { isIP, isIPv4, isIPv6 } from './ip.ts';
import { BlockList as BlockListImpl } from './blocklist.ts';
import { SocketAddress as SocketAddressImpl } from './socketaddress.ts';
import { BoundSocket as BoundSocketImpl } from './bound-socket.ts';
import {
  getDefaultAutoSelectFamily, setDefaultAutoSelectFamily,
  getDefaultAutoSelectFamilyAttemptTimeout, setDefaultAutoSelectFamilyAttemptTimeout,
} from './autoselect.ts';
import { setDefaultTransport, setTransport, getTransport } from './runtime.ts';
import { detectTransport } from '../adapters/auto.ts';
import { assertSupportedRuntime } from './supported.ts';

assertSupportedRuntime(); // the bundle checks before its first builtin; the sources (JSR) here
setDefaultTransport(detectTransport);

export type Socket = NodeNet.Socket;
export type Server = NodeNet.Server;
export type BlockList = NodeNet.BlockList;
export type SocketAddress = NodeNet.SocketAddress;
/** node:net's BoundSocket class (Node 26.4, 24.22); older @types/node lack it, so its shape is given here. */
type BoundSocketClass = typeof NodeNet extends { BoundSocket: infer C } ? C : new (options?: {
  host?: string | undefined; port?: number | undefined; ipv6Only?: boolean | undefined; reusePort?: boolean | undefined;
  path?: string | undefined;
}) => {
  address(): NodeNet.AddressInfo | string; fd(): number; close(): void; [Symbol.dispose](): void; readonly isPipe: boolean;
};
export type BoundSocket = BoundSocketClass extends new (...args: never[]) => infer I ? I : never;
// node:net's option and result types, under the same names (aliases, not re-exports, so the
// bundled declarations name each type once).
export type AddressInfo = NodeNet.AddressInfo;
export type SocketConstructorOpts = NodeNet.SocketConstructorOpts;
export type TcpSocketConnectOpts = NodeNet.TcpSocketConnectOpts;
export type IpcSocketConnectOpts = NodeNet.IpcSocketConnectOpts;
export type SocketConnectOpts = NodeNet.SocketConnectOpts;
export type NetConnectOpts = NodeNet.NetConnectOpts;
export type TcpNetConnectOpts = NodeNet.TcpNetConnectOpts;
export type IpcNetConnectOpts = NodeNet.IpcNetConnectOpts;
export type ListenOptions = NodeNet.ListenOptions;
export type SocketReadyState = NodeNet.SocketReadyState;
export type LookupFunction = NodeNet.LookupFunction;
export type OnReadOpts = NodeNet.OnReadOpts;
export type IPVersion = NodeNet.IPVersion;
export type SocketAddressInitOptions = NodeNet.SocketAddressInitOptions;
export type ServerOpts = NodeNet.ServerOpts;
// The transport contract, for adapter authors (setTransport takes any object that implements it).
export type {
  Transport, Connection, Listener, ListenEvents, Receiver, Capabilities, ConnectTarget, ListenTarget, PendingConnect,
  Endpoint, IpEndpoint,
} from './transport.ts';

/**
 * Like Node's, the classes also work when called without `new`, and stay subclassable. A proxy
 * keeps `new net.Socket()` on V8's fast construct path (a foreign new.target would not be).
 */
function callable<C extends new (...args: never[]) => object>(Impl: C): C {
  const proxy: C = new Proxy(Impl, {
    apply: (target, _self, args) => Reflect.construct(target, args),
    construct: (target, args, newTarget) => Reflect.construct(target, args, newTarget === proxy ? target : newTarget),
  });
  return proxy;
}

// A bundler renames a class whose body refers to itself (`class _Socket`); Node's read 'Socket'.
for (const [cls, name] of [[SocketImpl, 'Socket'], [ServerImpl, 'Server'], [BlockListImpl, 'BlockList'],
  [SocketAddressImpl, 'SocketAddress'], [BoundSocketImpl, 'BoundSocket']] as const) {
  if (cls.name !== name) Object.defineProperty(cls, 'name', { value: name, configurable: true });
}

export const Socket = callable(SocketImpl) as unknown as typeof NodeNet.Socket;
export const Server = callable(ServerImpl) as unknown as typeof NodeNet.Server;
export const BlockList = BlockListImpl as unknown as typeof NodeNet.BlockList;
export const SocketAddress = SocketAddressImpl as unknown as typeof NodeNet.SocketAddress;
/** Node 26.4/24.22: a socket bound at once, for a Server or Socket to adopt. */
export const BoundSocket = BoundSocketImpl as unknown as BoundSocketClass;
/** Alias kept by node:net for old code. */
export const Stream = Socket;

export const createServer = ((options?: unknown, listener?: unknown) =>
  new ServerImpl(options as never, listener as never)) as unknown as typeof NodeNet.createServer;

function connectImpl(...args: unknown[]): SocketImpl {
  const normalized = normalizeArgs(args);
  const options = normalized[0] as { timeout?: number };
  const socket = new SocketImpl(options as never);
  if (options.timeout) socket.setTimeout(options.timeout);
  return socket.connect(normalized);
}
export const connect = connectImpl as unknown as typeof NodeNet.connect;
export const createConnection = connectImpl as unknown as typeof NodeNet.createConnection;

export {
  isIP, isIPv4, isIPv6,
  getDefaultAutoSelectFamily, setDefaultAutoSelectFamily,
  getDefaultAutoSelectFamilyAttemptTimeout, setDefaultAutoSelectFamilyAttemptTimeout,
  /** Choose the transport explicitly (e.g. `crossnet/adapters/node`). */
  setTransport, getTransport,
};

const net = {
  Socket, Server, Stream, BlockList, SocketAddress, createServer, connect, createConnection,
  // Named through the const: its type must stay the conditional one (older @types/node lack the class).
  BoundSocket: BoundSocket as typeof BoundSocket,
  isIP, isIPv4, isIPv6,
  getDefaultAutoSelectFamily, setDefaultAutoSelectFamily,
  getDefaultAutoSelectFamilyAttemptTimeout, setDefaultAutoSelectFamilyAttemptTimeout,
  setTransport, getTransport,
};
export default net;
