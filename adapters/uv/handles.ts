// The libuv-handle protocol: TCP/Pipe handles from process.binding('tcp_wrap'/'pipe_wrap'), reads
// through stream_wrap's streamBaseState, WriteWrap/ShutdownWrap requests. Node's node:net drives
// these handles, and so does Deno's (its node-compat layer, native since Deno 2.9). One
// implementation of the transport contract over them, shared by adapters/node.ts and
// adapters/deno-compat.ts; where the two runtimes' handles differ, the code either tests the handle
// (a client passed to onconnection or not, bindWithFlags present or not) or asks the `Dialect`.
// This file: the binding types, the Dialect, status and error mapping. connection.ts: one open
// connection. sockets.ts: connect, listen, bind, adopt.
import { errnoCode } from '../../src/errno.ts';
import type { Endpoint } from '../../src/transport.ts';

// The binding objects are untyped; these describe the parts used here.
export interface Req { oncomplete?: (...args: never[]) => void; handle?: Handle; async?: boolean; chunks?: readonly Uint8Array[] }
export interface Handle {
  onread?: (buf: ArrayBuffer | undefined, nread?: number) => void;
  onconnection?: (status: number, client?: Handle) => void;
  readStart(): number;
  readStop(): number;
  writeBuffer(req: Req, buf: Uint8Array): number;
  writev(req: Req, chunks: readonly Uint8Array[], allBuffers: boolean): number;
  shutdown(req: Req): number;
  close(cb?: () => void): void;
  reset?(cb?: () => void): number;
  accept?(client: Handle): number;
  setNoDelay?(on: boolean): number;
  setKeepAlive?(on: boolean, delay: number): number;
  setTypeOfService?(tos: number): number;
  getTypeOfService?(): number;
  ref(): void;
  unref(): void;
  getsockname?(out: Record<string, unknown>): number;
  getpeername?(out: Record<string, unknown>): number;
  bind(address: string, port?: number, flags?: number): number;
  bindWithFlags?(address: string, port: number, flags: number): number;
  bind6(address: string, port: number, flags: number): number;
  listen(backlog: number): number;
  connect(req: Req, address: string, port?: number): number;
  connect6(req: Req, address: string, port: number): number;
  open(fd: number): number;
  fchmod?(mode: number): number;
  readonly fd?: number;
}
type HandleCtor = new (type: number) => Handle;
export interface Bindings {
  TCP: HandleCtor;
  TCPConnectWrap: new () => Req;
  Pipe: HandleCtor;
  PipeConnectWrap: new () => Req;
  WriteWrap: new () => Req;
  ShutdownWrap: new () => Req;
  tcp: Record<string, number>;
  pipe: Record<string, number>;
  state: Int32Array;
  kReadBytesOrError: number;
  kArrayBufferOffset: number;
  kLastWriteWasAsync: number;
}

/** Reads the binding modules every protocol runtime has (process.binding must exist). */
export function loadBindings(binding: (name: string) => Record<string, never>): Bindings {
  const tcp = binding('tcp_wrap');
  const pipe = binding('pipe_wrap');
  const stream = binding('stream_wrap');
  return {
    TCP: tcp.TCP, TCPConnectWrap: tcp.TCPConnectWrap, tcp: tcp.constants,
    Pipe: pipe.Pipe, PipeConnectWrap: pipe.PipeConnectWrap, pipe: pipe.constants,
    WriteWrap: stream.WriteWrap, ShutdownWrap: stream.ShutdownWrap, state: stream.streamBaseState,
    kReadBytesOrError: stream.kReadBytesOrError, kArrayBufferOffset: stream.kArrayBufferOffset,
    kLastWriteWasAsync: stream.kLastWriteWasAsync,
  };
}

/** What a descriptor is: an IP socket, a Unix socket, a socket of either kind, anything else, or not open. */
export type FdType = 'TCP' | 'PIPE' | 'SOCKET' | 'OTHER' | 'UNKNOWN';

/** Where the runtimes that speak the protocol differ (see adapters/node.ts, adapters/deno-compat.ts). */
export interface Dialect {
  b: Bindings;
  /** reset(cb) closes the handle and calls cb (Node); else reset() only sends the RST (Deno). */
  resetCloses: boolean;
  /** A bound Pipe must be open()ed on its own descriptor before it connects (Node's uv_pipe_bind only sets it). */
  reopenBoundPipe: boolean;
  /** The argument of Pipe#listen for a kernel backlog of `backlog`. */
  pipeBacklog(backlog: number): number;
  /** Map a bind() status for an IP literal to Node's. */
  bindStatus(status: number): number;
  /** The descriptor of a handle, or -1. */
  fdOf(handle: Handle, kind: 'tcp' | 'ipc'): number;
  /** Add read and/or write for everyone to a listening socket file, as uv_pipe_chmod does; an error code or null. */
  pipeChmod(handle: Handle, path: string, readable: boolean, writable: boolean): string | null;
  fdType(fd: number): FdType;
  /** Runs after each close(cb) (Deno: make the event loop turn so that cb runs). */
  afterClose?(): void;
  /**
   * #17, what the runtime's child_process can take over from us: a socket kept open in this process
   * too (`keepOpen`), a listening handle. On Deno neither works yet through crossnet (the parent's
   * count of a kept socket is off by one, a handed-off server never accepts): not offered there.
   */
  handOff: { keepOpen: boolean; server: boolean };
}

export const UV_EOF = -4095;
export const UV_ENOTCONN = -107;
export const UV_EINVAL = -22;
export const UV_EBADF = -9;
export const UV_ENOTSUP = -95;
export const noop = (): void => {};

export const errname = (status: number): string => errnoCode(status) ?? `UNKNOWN_${status}`;

/**
 * A synchronous throw from a binding call, as an error code. Deno's permission sandbox throws
 * Deno.errors.NotCapable (PermissionDenied under --deny-*) from bind/connect: an EACCES for the
 * caller. Anything else (a TypeError for an argument the binding refuses) is an EINVAL.
 */
export function thrownCode(err: unknown): string {
  const e = err as { name?: unknown; code?: unknown } | null;
  if (e && (e.name === 'NotCapable' || e.name === 'PermissionDenied')) return 'EACCES';
  if (e && typeof e.code === 'string' && /^E[A-Z0-9_]+$/.test(e.code)) return e.code;
  return 'EINVAL';
}

/** Run a binding call; a throw becomes its code, a negative status its name, 0 null. */
export function call(fn: () => number): string | null {
  let status: number;
  try {
    status = fn();
  } catch (err) {
    return thrownCode(err);
  }
  return status ? errname(status) : null;
}

export function ipEndpoint(handle: Handle, which: 'getsockname' | 'getpeername'): Endpoint | undefined {
  const fn = handle[which];
  if (!fn) return undefined;
  const out: Record<string, unknown> = {};
  if (fn.call(handle, out) !== 0) return undefined;
  return { address: out.address as string, port: out.port as number, family: out.family === 'IPv6' || out.family === 6 ? 'IPv6' : 'IPv4' };
}

