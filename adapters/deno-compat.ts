// crossnet's transport for Deno over Deno's node-compat handle layer: the libuv-handle protocol
// (adapters/uv-handles.ts) that Deno's own node:net drives, process.binding('tcp_wrap' / 'pipe_wrap' /
// 'stream_wrap' / 'util'). In Deno 2.9 TCP and Pipe are native (Rust) objects that speak Node's
// protocol except for these points (probes: test/deno-compat-probe.mjs; docs/deno-compat-research.md):
//   - a listener's onconnection(status) carries no client: it is taken with accept(handle) (uv-handles.ts);
//   - reset() sends the RST but neither closes the handle nor calls back: close(cb) follows it;
//   - an IPv4 bind takes its flags (UV_TCP_REUSEPORT) through bindWithFlags; bind() ignores them;
//   - UV_TCP_IPV6ONLY is ignored by bind6 and bindWithFlags (the socket stays dual-stack);
//   - Pipe.prototype.listen(b) is a JS wrapper that passes ceilPowOf2(b + 1) to the kernel;
//   - a TCP handle has no `fd` (fdForIpc() returns a new dup each call); a Pipe has `fd`;
//   - bind/bind6/bindWithFlags/connect and Pipe bind/connect throw Deno.errors.NotCapable
//     synchronously when --allow-net / --allow-read / --allow-write say no (uv-handles.ts: EACCES);
//   - a bind to a non-local address returns EINVAL (libuv: EADDRNOTAVAIL);
//   - node:fs fstat does not see raw descriptors (EBADF): the descriptor type comes from
//     process.binding('util').guessHandleType;
//   - a socket path that fills sun_path (108 bytes on Linux) is refused with EINVAL;
//   - Pipe#fchmod sets the file mode to the requested bits instead of adding them;
//   - a close(cb) issued from a promise continuation can have its callback wait until the event
//     loop wakes for something else (an empty setImmediate makes it turn).
import process from 'node:process';
import { setImmediate } from 'node:timers';
import { chmodSync, linkSync, statSync, symlinkSync, unlinkSync } from 'node:fs';
import { ERRNO } from '../src/errno.ts';
import { sunPathSize } from '../src/platform.ts';
import type {
  BindTarget, Bound, Capabilities, Connection, ConnectTarget, Failure, Listener, ListenEvents, ListenTarget, PendingConnect, Transport,
} from '../src/transport.ts';
import { failure } from '../src/failure.ts';
import { type Bindings, type Dialect, type FdType, type Handle, loadBindings, noop } from './uv/handles.ts';
import { uvAdopt, uvAdoptHandle, uvBind, uvConnect, uvListen } from './uv/sockets.ts';

const UV_EINVAL = -22;

let dialect: Dialect | undefined;
let guessHandleType: ((fd: number) => string) | undefined;

function load(): Dialect {
  if (dialect) return dialect;
  const binding = (process as unknown as { binding?: (name: string) => Record<string, never> }).binding;
  let b: Bindings;
  try {
    if (typeof (globalThis as { Deno?: unknown }).Deno === 'undefined') throw new Error('not running on Deno');
    if (typeof binding !== 'function') throw new Error('process.binding is not a function');
    b = loadBindings(binding);
    const proto = b.TCP?.prototype as Partial<Handle> | undefined;
    // The native handles of Deno 2.9 (older Deno had a JavaScript polyfill with other behaviour).
    if (!proto || typeof proto.accept !== 'function' || typeof proto.writev !== 'function' || typeof proto.bindWithFlags !== 'function'
      || !b.Pipe || !b.state || !b.WriteWrap || !/\[native code\]/.test(String(b.TCP))) {
      throw new Error('tcp_wrap/pipe_wrap/stream_wrap lack the expected native classes');
    }
  } catch (cause) {
    throw new Error(`crossnet: the deno-compat adapter needs Deno's native node-compat handles (process.binding('tcp_wrap'/'pipe_wrap'/'stream_wrap'), Deno 2.9+): ${(cause as Error).message}`, { cause });
  }
  try {
    guessHandleType = (binding('util') as { guessHandleType?: (fd: number) => string }).guessHandleType;
  } catch {
    guessHandleType = undefined;
  }
  return (dialect = {
    b,
    resetCloses: false,
    reopenBoundPipe: false,
    handOff: { keepOpen: false, server: false },
    // Deno's Pipe#listen(b) passes ceilPowOf2(b + 1): b - 1 gives the smallest power of two >= b
    // (exact for powers of two; Node passes b as is).
    pipeBacklog: (backlog) => (backlog > 1 ? backlog - 1 : backlog),
    // A fresh handle bound to an IP literal has only one EINVAL: an address not on this host.
    bindStatus: (status) => (status === UV_EINVAL ? ERRNO.EADDRNOTAVAIL?.[0] ?? status : status),
    fdOf: (handle, kind) => (kind === 'ipc' && typeof handle.fd === 'number' ? handle.fd : -1),
    pipeChmod,
    fdType: (fd): FdType => {
      const type = guessHandleType?.(fd) ?? 'UNKNOWN';
      return type === 'TCP' || type === 'PIPE' || type === 'UNKNOWN' ? type : 'OTHER';
    },
    afterClose: wakeLoop,
  });
}

/**
 * The callback of a close() issued from a promise continuation, with nothing else pending in the
 * event loop, runs only once the loop wakes up for another reason (probe: 1 s later, with the next
 * timer). One empty immediate makes the loop turn, and the callback runs.
 */
let wakePending = false;
const woken = (): void => { wakePending = false; };
const wakeLoop = (): void => {
  if (wakePending) return; // one turn of the loop serves every close issued before it
  wakePending = true;
  setImmediate(woken);
};

/**
 * Pipe#fchmod sets the mode to exactly those bits (readableAll alone gives 0444, which takes the
 * owner's write, so the owner could no longer connect); libuv adds them to the file's mode. Add
 * them with node:fs instead (an abstract name has no file: nothing to do).
 */
function pipeChmod(_handle: Handle, path: string, readable: boolean, writable: boolean): string | null {
  if (path.charCodeAt(0) === 0) return null;
  const want = (readable ? 0o444 : 0) | (writable ? 0o222 : 0);
  try {
    const mode = statSync(path).mode & 0o7777;
    if ((mode & want) !== want) chmodSync(path, mode | want);
    return null;
  } catch (err) {
    return fsCode(err);
  }
}

// ---- IPC paths that fill sun_path -----------------------------------------------------------------
// Linux takes a socket path of exactly sizeof(sun_path) bytes (no NUL), and so does Node; Deno's
// handles want room for a NUL and say EINVAL. For that length a short name in /tmp stands in: a
// symlink to the socket for connect; for listen a short bind hard-linked to the full path (a Unix
// socket is found by its inode). The same trick as adapters/deno.ts (shareable: adapters/ipc-alias.ts).
const SUN_PATH = sunPathSize() ?? 0;
const encoder = new TextEncoder();
let aliasCount = 0;
const needsAlias = (path: string): boolean =>
  path.length <= SUN_PATH && path.charCodeAt(0) !== 0 && encoder.encode(path).byteLength === SUN_PATH;
const shortName = (): string => `/tmp/.crossnet-${process.pid}-${++aliasCount}`;
const absolute = (path: string): string => (path[0] === '/' ? path : `${process.cwd()}/${path}`);
function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
function fsCode(err: unknown): string {
  const e = err as { code?: unknown; name?: unknown } | null;
  if (e && (e.name === 'NotCapable' || e.name === 'PermissionDenied')) return 'EACCES';
  return e && typeof e.code === 'string' ? e.code : 'EINVAL';
}

function connect(target: ConnectTarget, done: (err: Failure | null, conn?: Connection) => void): PendingConnect {
  const d = load();
  if (target.kind === 'ipc' && needsAlias(target.path)) {
    const link = shortName();
    try {
      symlinkSync(absolute(target.path), link);
    } catch (err) {
      process.nextTick(done, failure(fsCode(err)));
      return { cancel: noop };
    }
    return uvConnect(d, target, link, done, () => removeQuietly(link));
  }
  return uvConnect(d, target, target.kind === 'ipc' ? target.path : '', done);
}

/** Bind and listen now; throws a Failure. */
function listen(target: ListenTarget, events: ListenEvents): Listener {
  const d = load();
  if (target.kind === 'tcp' && target.ipv6Only) throw failure('ENOTSUP'); // capability false; the core never asks
  if (target.kind !== 'ipc' || !needsAlias(target.path)) {
    return uvListen(d, target, target.kind === 'ipc' ? target.path : '', events);
  }
  const short = shortName();
  const result = uvListen(d, target, short, events);
  try {
    // link() refuses an existing name, which is bind()'s EADDRINUSE.
    linkSync(short, target.path);
  } catch (err) {
    result.close();
    const code = fsCode(err);
    throw failure(code === 'EEXIST' ? 'EADDRINUSE' : code);
  } finally {
    removeQuietly(short);
  }
  const full = target.path;
  return {
    endpoint: () => result.endpoint(),
    // Deno unlinks only the name it bound (the short one, already gone); this is the real one.
    close: (cb) => result.close(() => { removeQuietly(full); cb?.(); }),
    ref: () => result.ref(),
    unref: () => result.unref(),
    get fd() { return result.fd; },
    exportHandle: () => result.exportHandle?.(), // #17
  };
}

function bind(target: BindTarget): Bound {
  const d = load();
  if (target.kind === 'tcp' && target.ipv6Only) throw failure('ENOTSUP'); // capability false; the core never asks
  // (An IPC path that fills sun_path is not aliased here: EINVAL from Deno.)
  return uvBind(d, target, target.kind === 'ipc' ? target.path : '');
}

const adopt = (fd: number): Connection => uvAdopt(load(), fd);
// #17: a compat handle Deno's node:cluster or child_process delivered; also used by adapters/deno.ts.
export const adoptHandle = (handle: unknown): Connection => uvAdoptHandle(load(), handle);

const loads = (): boolean => {
  try {
    load();
    return true;
  } catch {
    return false;
  }
};

const capabilities: Capabilities = {
  localAddress: true,
  keepAliveDelay: true,
  reset: true,
  backlog: true,
  // Rounded up to a power of two by Deno's Pipe#listen (see pipeBacklog above).
  ipcBacklog: true,
  // bind6/bindWithFlags ignore UV_TCP_IPV6ONLY: a '::' listener still accepts IPv4 clients (and
  // Deno.listen has no such option either).
  ipv6Only: false,
  get reusePort() { return loads() && 'UV_TCP_REUSEPORT' in load().b.tcp && process.platform !== 'win32'; },
  ipcPermissions: true,
  abstractIpc: process.platform === 'linux',
  // Not verified on Windows.
  namedPipes: false,
  get adoptFd() { return loads() && typeof guessHandleType === 'function'; },
  // No setTypeOfService on Deno's TCP handles, and no setsockopt in Deno's API.
  typeOfService: false,
  bind: true,
  bindConnect: true,
};

export const transport: Transport = {
  get runtime(): string {
    const d = (globalThis as { Deno?: { version?: { deno?: string } } }).Deno;
    return d?.version?.deno ? `Deno ${d.version.deno}` : 'Deno';
  },
  capabilities,
  connect,
  listen,
  bind,
  adopt,
  adoptHandle, // #17
  ready: () => { load(); },
};
export default transport;
