// crossnet's public API: node:net's surface, typed as @types/node's `net` so the two swap freely.
import type * as NodeNet from 'node:net';
import { Socket as SocketImpl } from './socket.js';
import { Server as ServerImpl } from './server.js';
import { normalizeArgs } from './args.js';
import { isIP, isIPv4, isIPv6 } from './ip.js';
import { BlockList as BlockListImpl } from './blocklist.js';
import { SocketAddress as SocketAddressImpl } from './socketaddress.js';
import {
  getDefaultAutoSelectFamily, setDefaultAutoSelectFamily,
  getDefaultAutoSelectFamilyAttemptTimeout, setDefaultAutoSelectFamilyAttemptTimeout,
} from './autoselect.js';
import { setDefaultTransport, setTransport, getTransport } from './runtime.js';
import { detectTransport } from '../adapters/auto.js';

setDefaultTransport(detectTransport);

export type Socket = NodeNet.Socket;
export type Server = NodeNet.Server;
export type BlockList = NodeNet.BlockList;
export type SocketAddress = NodeNet.SocketAddress;
export type {
  AddressInfo, SocketConstructorOpts, TcpSocketConnectOpts, IpcSocketConnectOpts, SocketConnectOpts,
  NetConnectOpts, TcpNetConnectOpts, IpcNetConnectOpts, ListenOptions, SocketReadyState,
  LookupFunction, OnReadOpts, IPVersion, SocketAddressInitOptions, ServerOpts,
} from 'node:net';
export type { Transport, Connection, Listener, Capabilities } from './transport.js';

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

export const Socket = callable(SocketImpl) as unknown as typeof NodeNet.Socket;
export const Server = callable(ServerImpl) as unknown as typeof NodeNet.Server;
export const BlockList = BlockListImpl as unknown as typeof NodeNet.BlockList;
export const SocketAddress = SocketAddressImpl as unknown as typeof NodeNet.SocketAddress;
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
  isIP, isIPv4, isIPv6,
  getDefaultAutoSelectFamily, setDefaultAutoSelectFamily,
  getDefaultAutoSelectFamilyAttemptTimeout, setDefaultAutoSelectFamilyAttemptTimeout,
  setTransport, getTransport,
};
export default net;
