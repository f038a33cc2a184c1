// crossnet's transport for Node: libuv handles straight from tcp_wrap/pipe_wrap/stream_wrap,
// the same handles node:net drives, without node:net's JavaScript layer in between. The protocol
// itself is adapters/uv-handles.ts (shared with adapters/deno-compat.ts); this file is Node's dialect.
import process from 'node:process';
import { fstatSync } from 'node:fs';
import type { BindTarget, Bound, Capabilities, Connection, ConnectTarget, Failure, Listener, ListenEvents, ListenTarget, PendingConnect, Transport } from '../src/transport.ts';
import { type Bindings, type Dialect, type FdType, errname, loadBindings } from './uv/handles.ts';
import { uvAdopt, uvAdoptHandle, uvBind, uvConnect, uvListen } from './uv/sockets.ts';

let dialect: Dialect | undefined;

function load(): Dialect {
  if (dialect) return dialect;
  const binding = (process as unknown as { binding?: (name: string) => Record<string, never> }).binding;
  let b: Bindings;
  try {
    if (typeof binding !== 'function') throw new Error('process.binding is not a function');
    b = loadBindings(binding);
    if (!b.TCP || !b.state) throw new Error('tcp_wrap/stream_wrap lack the expected classes');
  } catch (cause) {
    throw new Error(`crossnet: the Node adapter needs process.binding('tcp_wrap'/'pipe_wrap'/'stream_wrap'), which Node ${process.version} does not provide (${(cause as Error).message})`, { cause });
  }
  return (dialect = {
    b,
    // libuv's reset(cb) closes the handle (SO_LINGER 0) and calls back.
    resetCloses: true,
    reopenBoundPipe: true,
    handOff: { keepOpen: true, server: true },
    pipeBacklog: (backlog) => backlog,
    bindStatus: (status) => status,
    fdOf: (handle) => handle.fd ?? -1,
    pipeChmod: (handle, _path, readable, writable) => {
      const mode = (readable ? b.pipe.UV_READABLE : 0) | (writable ? b.pipe.UV_WRITABLE : 0);
      const err = handle.fchmod?.(mode) ?? 0;
      return err ? errname(err) : null;
    },
    // Node 20's process.binding('util') has no guessHandleType; fstat tells a socket from the rest,
    // and the TCP handle's getsockname an IP socket from a Unix one.
    fdType: (fd): FdType => {
      try {
        return fstatSync(fd).isSocket() ? 'SOCKET' : 'OTHER';
      } catch {
        return 'UNKNOWN';
      }
    },
  });
}

const connect = (target: ConnectTarget, done: (err: Failure | null, conn?: Connection) => void): PendingConnect =>
  uvConnect(load(), target, target.kind === 'ipc' ? target.path : '', done);
const listen = (target: ListenTarget, events: ListenEvents): Listener =>
  uvListen(load(), target, target.kind === 'ipc' ? target.path : '', events);
const bind = (target: BindTarget): Bound => uvBind(load(), target, target.kind === 'ipc' ? target.path : '');
const adopt = (fd: number): Connection => uvAdopt(load(), fd);
// #17: what node:cluster or child_process delivered (src/cluster.ts, src/handoff.ts).
const adoptHandle = (handle: unknown): Connection => uvAdoptHandle(load(), handle);

const capabilities: Capabilities = {
  localAddress: true,
  keepAliveDelay: true,
  reset: true,
  backlog: true,
  ipcBacklog: true,
  ipv6Only: true,
  // libuv gained UV_TCP_REUSEPORT in 1.49 (Node 23); older Node has no way to set SO_REUSEPORT.
  get reusePort() { return 'UV_TCP_REUSEPORT' in load().b.tcp; },
  ipcPermissions: true,
  abstractIpc: true,
  // pipe_wrap is libuv's pipe: a named pipe on Windows.
  namedPipes: true,
  adoptFd: true,
  // tcp_wrap has setTypeOfService from Node 24; older handles have no way to set IP_TOS.
  get typeOfService() { return typeof load().b.TCP.prototype.setTypeOfService === 'function'; },
  bind: true,
  bindConnect: true,
};

export const transport: Transport = {
  runtime: `Node ${process.version}`, capabilities, connect, listen, bind, adopt, adoptHandle, ready: () => { load(); },
};
export default transport;
