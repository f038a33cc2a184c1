// Node's error code for whatever a runtime threw, for every adapter: the numbers go through the one
// errno table (src/errno.ts); nothing here maps numbers itself.
import { errnoCode, osErrnoCode } from '../../src/errno.ts';
import { failure } from '../../src/failure.ts';
import type { Failure } from '../../src/transport.ts';

// Deno.errors class names, for Deno errors that carry no `code` (nor an `(os error N)` message).
const DENO_CLASSES: Readonly<Record<string, string>> = {
  NotFound: 'ENOENT',
  PermissionDenied: 'EACCES',
  NotCapable: 'EACCES', // Deno's own --allow-* sandbox said no
  ConnectionRefused: 'ECONNREFUSED',
  ConnectionReset: 'ECONNRESET',
  ConnectionAborted: 'ECONNABORTED',
  NotConnected: 'ENOTCONN',
  AddrInUse: 'EADDRINUSE',
  AddrNotAvailable: 'EADDRNOTAVAIL',
  BrokenPipe: 'EPIPE',
  AlreadyExists: 'EEXIST',
  TimedOut: 'ETIMEDOUT',
  Interrupted: 'EINTR',
  WouldBlock: 'EAGAIN',
  BadResource: 'EBADF',
  Busy: 'EBUSY',
  NotSupported: 'ENOTSUP',
  NetworkUnreachable: 'ENETUNREACH',
  NotADirectory: 'ENOTDIR',
  IsADirectory: 'EISDIR',
  FilesystemLoop: 'ELOOP',
  InvalidData: 'EINVAL',
  // Input Deno rejects before any syscall (a NUL in a path, a path too long, a port out of range).
  TypeError: 'EINVAL',
  RangeError: 'EINVAL',
};

/** The code for an errno: negative is libuv's (Bun's errors, libuv statuses), positive the OS's (C's errno). */
export function errnoName(n: number): string {
  return (n < 0 ? errnoCode(n) : osErrnoCode(n)) ?? 'UNKNOWN';
}

/**
 * Node's code for a runtime's error: its `code` when it is one, else its `errno`, else Deno's
 * `(os error N)`, else Deno's error class, else `fallback`.
 */
export function codeOf(err: unknown, fallback = 'UNKNOWN'): string {
  const e = err as { code?: unknown; errno?: unknown; name?: unknown; message?: unknown } | null | undefined;
  if (!e || typeof e !== 'object') return fallback;
  if (typeof e.code === 'string' && /^E[A-Z0-9_]+$/.test(e.code)) return e.code;
  if (typeof e.errno === 'number') return errnoName(e.errno);
  const m = typeof e.message === 'string' ? /\(os error (\d+)\)/.exec(e.message) : null;
  const os = m ? osErrnoCode(Number(m[1])) : undefined;
  if (os) return os;
  return (typeof e.name === 'string' ? DENO_CLASSES[e.name] : undefined) ?? fallback;
}

export const failureOf = (err: unknown, fallback?: string): Failure => failure(codeOf(err, fallback));
