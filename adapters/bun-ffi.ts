// libc through bun:ffi, for what Bun's socket API leaves out: listen(2) again on a listening
// descriptor sets its backlog (Bun always uses 512), and net.BoundSocket is socket(2) and bind(2)
// (Bun.listen binds and listens at once). Reached lazily: importing this on Node or Deno is harmless.
import process from 'node:process';
import { Buffer } from 'node:buffer';
import type { Bound, BindTarget, Endpoint } from '../src/transport.ts';
import { failure } from '../src/failure.ts';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../src/ip.ts';
import { sunPathSize } from '../src/platform.ts';
import { errnoName } from './shared/codes.ts';
import { unlinkQuietly } from './shared/ipc.ts';

type BuiltinLoader = (id: string) => unknown;
const builtin = (id: string): unknown => (process as unknown as { getBuiltinModule?: BuiltinLoader }).getBuiltinModule?.(id);

export interface Libc {
  listen(fd: number, backlog: number): number;
  socket?(domain: number, type: number, protocol: number): number;
  bind?(fd: number, addr: Uint8Array, len: number): number;
  connect?(fd: number, addr: Uint8Array, len: number): number;
  close?(fd: number): number;
  setsockopt?(fd: number, level: number, name: number, value: Int32Array, len: number): number;
  getsockname?(fd: number, addr: Uint8Array, len: Uint32Array): number;
  errno?(): number;
}

interface Ffi {
  dlopen(path: string, symbols: Record<string, { args: string[]; returns: string }>): { symbols: Record<string, (...args: never[]) => unknown> };
  read: { i32(ptr: unknown, offset: number): number };
}

let libcCache: Libc | null | undefined;

export function libc(): Libc | null {
  if (libcCache !== undefined) return libcCache;
  libcCache = null;
  if (process.platform === 'win32' || !(globalThis as unknown as { Bun?: unknown }).Bun) return null;
  let ffi: Ffi | undefined;
  try {
    ffi = builtin('bun:ffi') as Ffi | undefined;
  } catch {
    return null;
  }
  if (!ffi) return null;
  const linux = process.platform === 'linux';
  const names = process.platform === 'darwin' ? ['libSystem.B.dylib', '/usr/lib/libSystem.B.dylib']
    : ['libc.so.6', `libc.musl-${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}.so.1`, 'libc.so.7', 'libc.so'];
  const symbols: Record<string, { args: string[]; returns: string }> = { listen: { args: ['i32', 'i32'], returns: 'i32' } };
  if (linux) {
    symbols.socket = { args: ['i32', 'i32', 'i32'], returns: 'i32' };
    symbols.bind = { args: ['i32', 'ptr', 'u32'], returns: 'i32' };
    symbols.connect = { args: ['i32', 'ptr', 'u32'], returns: 'i32' };
    symbols.close = { args: ['i32'], returns: 'i32' };
    symbols.setsockopt = { args: ['i32', 'i32', 'i32', 'ptr', 'u32'], returns: 'i32' };
    symbols.getsockname = { args: ['i32', 'ptr', 'ptr'], returns: 'i32' };
    symbols.__errno_location = { args: [], returns: 'ptr' };
  }
  for (const name of names) {
    let sym: Record<string, (...args: never[]) => unknown>;
    try {
      sym = ffi.dlopen(name, symbols).symbols;
    } catch {
      continue; // try the next name
    }
    const read = ffi.read;
    const errnoAt = sym.__errno_location as (() => unknown) | undefined;
    libcCache = {
      listen: sym.listen as Libc['listen'],
      socket: sym.socket as Libc['socket'],
      bind: sym.bind as Libc['bind'],
      connect: sym.connect as Libc['connect'],
      close: sym.close as Libc['close'],
      setsockopt: sym.setsockopt as Libc['setsockopt'],
      getsockname: sym.getsockname as Libc['getsockname'],
      errno: errnoAt ? () => read.i32(errnoAt(), 0) : undefined,
    };
    break;
  }
  return libcCache;
}

const SUN_PATH = sunPathSize() ?? 0; // sockaddr_un.sun_path

/** connect(2) a bound unix socket of ours (immediate for a unix socket); Bun.connect({ fd }) takes it on. */
export function connectBound(bound: BunBound, path: string): number {
  const c = libc()!;
  const bytes = Buffer.from(path);
  if (bytes.length > SUN_PATH) {
    bound.close();
    throw failure('EINVAL');
  }
  const addr = new Uint8Array(2 + (path.startsWith('\0') ? bytes.length : Math.min(bytes.length + 1, SUN_PATH)));
  addr[0] = AF_UNIX;
  addr.set(bytes, 2);
  const fd = bound.take();
  if (c.connect!(fd, addr, addr.length) !== 0) {
    const code = errnoName(c.errno!());
    closeFd(fd, bound.path);
    throw failure(code);
  }
  return fd;
}

export function closeFd(fd: number, path: string): void {
  libc()!.close!(fd);
  if (path && !path.startsWith('\0')) unlinkQuietly(path);
}

// ---- net.BoundSocket: socket(2) and bind(2) through bun:ffi (Bun.listen binds and listens at once) ----

const AF_UNIX = 1;
const AF_INET = 2;
const AF_INET6 = 10;
const SOCK_STREAM_NB = 1 | 0o4000 | 0o2000000; // SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC
const SOL_SOCKET = 1;
const SO_REUSEADDR = 2;
const SO_REUSEPORT = 15;
const IPPROTO_IPV6 = 41;
const IPV6_V6ONLY = 26;

/** A sockaddr_in/sockaddr_in6 for an IP literal (Linux layout, little-endian sa_family_t). */
function sockaddr(address: string, port: number, family: 4 | 6): Uint8Array {
  const sa = new Uint8Array(family === 6 ? 28 : 16);
  sa[0] = family === 6 ? AF_INET6 : AF_INET;
  sa[2] = port >> 8;
  sa[3] = port & 255;
  if (family === 4) {
    const v = parseIPv4(address);
    if (v < 0) throw failure('EINVAL');
    sa[4] = v >>> 24; sa[5] = (v >>> 16) & 255; sa[6] = (v >>> 8) & 255; sa[7] = v & 255;
  } else {
    const w = new Uint16Array(8);
    if (!parseIPv6(address, w)) throw failure('EINVAL');
    for (let i = 0; i < 8; i++) { sa[8 + 2 * i] = w[i] >> 8; sa[9 + 2 * i] = w[i] & 255; }
    const zone = address.indexOf('%');
    // A numeric zone id; a name would need if_nametoindex.
    if (zone >= 0) {
      const id = Number(address.slice(zone + 1));
      if (!Number.isInteger(id)) throw failure('EINVAL');
      new DataView(sa.buffer).setUint32(24, id, true);
    }
  }
  return sa;
}

/** A socket bound by us, not listening yet: a server adopts it with Bun.listen({ fd }). */
export class BunBound implements Bound {
  private fdValue: number;

  constructor(fd: number, readonly kind: 'tcp' | 'ipc', readonly path: string, private readonly ep: Endpoint) {
    this.fdValue = fd;
  }

  get fd(): number { return this.fdValue; }
  endpoint(): Endpoint { return this.ep; }

  close(): void {
    if (this.fdValue < 0) return;
    // As libuv's close of a bound pipe: the socket file goes too.
    closeFd(this.fdValue, this.path);
    this.fdValue = -1;
  }

  take(): number {
    const fd = this.fdValue;
    if (fd < 0) throw failure('EBADF');
    this.fdValue = -1;
    return fd;
  }
}

export function bind(target: BindTarget): Bound {
  const c = libc();
  if (!c?.socket || !c.bind || !c.close || !c.setsockopt || !c.getsockname || !c.errno) throw failure('ENOTSUP');
  let addr: Uint8Array;
  if (target.kind === 'ipc') {
    const bytes = Buffer.from(target.path);
    if (bytes.length > SUN_PATH) throw failure('EINVAL');
    addr = new Uint8Array(2 + Math.min(bytes.length + 1, SUN_PATH));
    addr[0] = AF_UNIX;
    addr.set(bytes, 2);
    // An abstract name is exactly its bytes; a file name ends at its NUL.
    if (target.path.startsWith('\0')) addr = addr.subarray(0, 2 + bytes.length);
  } else {
    addr = sockaddr(target.address, target.port, target.family);
  }
  const fd = c.socket(addr[0], SOCK_STREAM_NB, 0);
  if (fd < 0) throw failure(errnoName(c.errno()));
  const errno = c.errno;
  const fail = (): never => {
    const code = errnoName(errno());
    c.close!(fd);
    throw failure(code);
  };
  if (target.kind === 'tcp') {
    // libuv's uv_tcp_bind: SO_REUSEADDR always, IPV6_V6ONLY as asked on IPv6, SO_REUSEPORT on request.
    const on = new Int32Array([1]);
    if (c.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, on, 4) !== 0) fail();
    if (target.family === 6 && c.setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, new Int32Array([target.ipv6Only ? 1 : 0]), 4) !== 0) fail();
    if (target.reusePort && c.setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, on, 4) !== 0) fail();
  }
  if (c.bind(fd, addr, addr.length) !== 0) fail();
  if (target.kind === 'ipc') return new BunBound(fd, 'ipc', target.path, target.path);
  const out = new Uint8Array(28);
  if (c.getsockname(fd, out, new Uint32Array([28])) !== 0) fail();
  const port = (out[2] << 8) | out[3];
  let address: string;
  if (out[0] === AF_INET6) {
    const w = new Uint16Array(8);
    for (let i = 0; i < 8; i++) w[i] = (out[8 + 2 * i] << 8) | out[9 + 2 * i];
    address = formatIPv6(w);
  } else {
    address = formatIPv4(((out[4] << 24) | (out[5] << 16) | (out[6] << 8) | out[7]) >>> 0);
  }
  return new BunBound(fd, 'tcp', '', { address, port, family: out[0] === AF_INET6 ? 'IPv6' : 'IPv4' });
}
