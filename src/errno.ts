// Node's system errors, in one place: code -> [libuv errno, libuv message], and the reverse maps.
// The numbers come from the runtime, so they are this platform's (Linux, macOS, the BSDs, Windows):
//   1. util.getSystemErrorMap(): libuv's own table on Node; Deno and Bun carry a copy per OS;
//   2. else os.constants.errno, negated: on POSIX systems libuv's UV_E* is -E* (Deno's map lacks
//      a few codes, e.g. EOVERFLOW and ENODATA, that its os.constants has);
//   3. else the codes libuv defines itself (getaddrinfo errors, EOF, ...): fixed in uv/errno.h.
// Only the messages are kept here: libuv's uv_strerror strings, the same on every platform.
import { constants } from 'node:os';
import util from 'node:util';
import process from 'node:process';

/** libuv's messages, by code (as Node 24 prints them; a newer libuv's extra codes come from the runtime). */
const MESSAGES: Readonly<Record<string, string>> = {
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  ESRCH: 'no such process',
  EINTR: 'interrupted system call',
  EIO: 'i/o error',
  ENXIO: 'no such device or address',
  E2BIG: 'argument list too long',
  ENOEXEC: 'exec format error',
  EBADF: 'bad file descriptor',
  EAGAIN: 'resource temporarily unavailable',
  ENOMEM: 'not enough memory',
  EACCES: 'permission denied',
  EFAULT: 'bad address in system call argument',
  EBUSY: 'resource busy or locked',
  EEXIST: 'file already exists',
  EXDEV: 'cross-device link not permitted',
  ENODEV: 'no such device',
  ENOTDIR: 'not a directory',
  EISDIR: 'illegal operation on a directory',
  EINVAL: 'invalid argument',
  ENFILE: 'file table overflow',
  EMFILE: 'too many open files',
  ENOTTY: 'inappropriate ioctl for device',
  ETXTBSY: 'text file is busy',
  EFBIG: 'file too large',
  ENOSPC: 'no space left on device',
  ESPIPE: 'invalid seek',
  EROFS: 'read-only file system',
  EMLINK: 'too many links',
  EPIPE: 'broken pipe',
  ERANGE: 'result too large',
  ENAMETOOLONG: 'name too long',
  ENOSYS: 'function not implemented',
  ENOTEMPTY: 'directory not empty',
  ELOOP: 'too many symbolic links encountered',
  EUNATCH: 'protocol driver not attached',
  ENODATA: 'no data available',
  ENONET: 'machine is not on the network',
  EPROTO: 'protocol error',
  EOVERFLOW: 'value too large for defined data type',
  EILSEQ: 'illegal byte sequence',
  ENOTSOCK: 'socket operation on non-socket',
  EDESTADDRREQ: 'destination address required',
  EMSGSIZE: 'message too long',
  EPROTOTYPE: 'protocol wrong type for socket',
  ENOPROTOOPT: 'protocol not available',
  EPROTONOSUPPORT: 'protocol not supported',
  ESOCKTNOSUPPORT: 'socket type not supported',
  ENOTSUP: 'operation not supported on socket',
  EAFNOSUPPORT: 'address family not supported',
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available',
  ENETDOWN: 'network is down',
  ENETUNREACH: 'network is unreachable',
  ECONNABORTED: 'software caused connection abort',
  ECONNRESET: 'connection reset by peer',
  ENOBUFS: 'no buffer space available',
  EISCONN: 'socket is already connected',
  ENOTCONN: 'socket is not connected',
  ESHUTDOWN: 'cannot send after transport endpoint shutdown',
  ETIMEDOUT: 'connection timed out',
  ECONNREFUSED: 'connection refused',
  EHOSTDOWN: 'host is down',
  EHOSTUNREACH: 'host is unreachable',
  EALREADY: 'connection already in progress',
  EREMOTEIO: 'remote I/O error',
  ECANCELED: 'operation canceled',
  EFTYPE: 'inappropriate file type or format',
  // libuv's own codes (their numbers are below)
  EAI_ADDRFAMILY: 'address family not supported',
  EAI_AGAIN: 'temporary failure',
  EAI_BADFLAGS: 'bad ai_flags value',
  EAI_CANCELED: 'request canceled',
  EAI_FAIL: 'permanent failure',
  EAI_FAMILY: 'ai_family not supported',
  EAI_MEMORY: 'out of memory',
  EAI_NODATA: 'no address',
  EAI_NONAME: 'unknown node or service',
  EAI_OVERFLOW: 'argument buffer overflow',
  EAI_SERVICE: 'service not available for socket type',
  EAI_SOCKTYPE: 'socket type not supported',
  EAI_BADHINTS: 'invalid value for hints',
  EAI_PROTOCOL: 'resolved protocol is unknown',
  ECHARSET: 'invalid Unicode character',
  UNKNOWN: 'unknown error',
  EOF: 'end of file',
};

/** Codes libuv defines itself: the same numbers on every platform (uv/errno.h), never an OS errno. */
const LIBUV_OWN: Readonly<Record<string, number>> = {
  EAI_ADDRFAMILY: -3000, EAI_AGAIN: -3001, EAI_BADFLAGS: -3002, EAI_CANCELED: -3003, EAI_FAIL: -3004,
  EAI_FAMILY: -3005, EAI_MEMORY: -3006, EAI_NODATA: -3007, EAI_NONAME: -3008, EAI_OVERFLOW: -3009,
  EAI_SERVICE: -3010, EAI_SOCKTYPE: -3011, EAI_BADHINTS: -3013, EAI_PROTOCOL: -3014,
  ECHARSET: -4080, UNKNOWN: -4094, EOF: -4095,
};

/** On POSIX systems libuv's errno is the OS errno negated; on Windows it is libuv's own number. */
const POSIX = process.platform !== 'win32';

type SystemErrorMap = Map<number, [string, string]>;

function runtimeMap(): SystemErrorMap | undefined {
  const get = (util as { getSystemErrorMap?: () => SystemErrorMap }).getSystemErrorMap;
  if (typeof get !== 'function') return undefined;
  try {
    return get();
  } catch {
    return undefined;
  }
}

function build(): Record<string, readonly [number, string]> {
  const table: Record<string, readonly [number, string]> = {};
  const map = runtimeMap();
  const fromMap = new Map<string, [number, string]>();
  if (map) for (const [errno, [code, message]] of map) if (!fromMap.has(code)) fromMap.set(code, [errno, message]);
  const os = (constants as { errno?: Record<string, number> }).errno ?? {};
  for (const code of Object.keys(MESSAGES)) {
    let errno = fromMap.get(code)?.[0];
    if (errno === undefined && POSIX && typeof os[code] === 'number') errno = -os[code];
    if (errno === undefined) errno = LIBUV_OWN[code];
    // A code this platform does not have (the runtime gives no number) stays out of the table.
    if (errno !== undefined) table[code] = Object.freeze([errno, MESSAGES[code]] as const);
  }
  // Codes of a libuv newer than this table, with the runtime's own message.
  for (const [code, entry] of fromMap) if (!(code in table)) table[code] = Object.freeze([entry[0], entry[1]] as const);
  return table;
}

type Table = Readonly<Record<string, readonly [number, string]>>;
let table: Table | undefined;
let byErrno: Map<number, string> | undefined;

/** Built on first use, not at import: the runtime's map costs start-up (node:util, node:os). */
function codes(): Table {
  if (!table) {
    const built = Object.freeze(build());
    byErrno = new Map();
    for (const code of Object.keys(built)) if (!byErrno.has(built[code][0])) byErrno.set(built[code][0], code);
    table = built;
  }
  return table;
}

function reverse(): Map<number, string> {
  codes();
  return byErrno as Map<number, string>;
}

/** code → [negative libuv errno, libuv message], as Node reports them on this platform (read-only). */
export const ERRNO: Table = new Proxy({}, {
  get: (_, key) => Reflect.get(codes(), key),
  has: (_, key) => Reflect.has(codes(), key),
  ownKeys: () => Reflect.ownKeys(codes()),
  getOwnPropertyDescriptor: (_, key) => {
    const d = Reflect.getOwnPropertyDescriptor(codes(), key);
    return d && { ...d, configurable: true }; // the target holds none of them
  },
  set: () => false,
  defineProperty: () => false,
  deleteProperty: () => false,
});

/** The code for a libuv errno as Node reports it (`-111` → `'ECONNREFUSED'` on Linux), or undefined. */
export function errnoCode(errno: number): string | undefined {
  return reverse().get(errno);
}

/**
 * The code for an errno as the OS reports it (positive: C's `errno`, Deno's `(os error N)`), or
 * undefined. POSIX only: on Windows those numbers are Win32 error codes, which libuv maps itself.
 */
export function osErrnoCode(errno: number): string | undefined {
  if (!POSIX || !Number.isInteger(errno) || errno <= 0) return undefined;
  const code = reverse().get(-errno);
  return code === undefined || code in LIBUV_OWN ? undefined : code;
}
