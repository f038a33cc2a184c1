// Node-shaped errors: same class, `code` and message shape as Node's internal/errors.
import { inspect } from 'node:util';
import { ERRNO, errnoCode } from './errno.ts';

type Ctor = new (message: string) => Error;

function make<T extends Error>(Base: Ctor, code: string, message: string): T {
  const err = new Base(message) as T & { code: string };
  Object.defineProperty(err, 'code', { value: code, enumerable: true, writable: true, configurable: true });
  // Node prints `TypeError [ERR_X]: message` in stacks; mirror it so logs read the same.
  if (typeof err.stack === 'string') {
    err.stack = err.stack.replace(`${err.name}: `, `${err.name} [${code}]: `);
  }
  Object.defineProperty(err, 'toString', {
    value(this: Error) { return `${this.name} [${code}]: ${this.message}`; },
    enumerable: false, writable: true, configurable: true,
  });
  return err;
}

export interface NodeError extends Error { code: string }
export interface SystemError extends Error {
  code: string; errno: number; syscall: string; address?: string; port?: number;
}

/** How Node describes a received value in argument errors (Node's determineSpecificType). */
export function specificType(value: unknown): string {
  if (value == null) return String(value);
  // A nameless function reads `function ` (empty name), as Node prints it.
  if (typeof value === 'function') return `function ${(value as { name?: string }).name ?? ''}`;
  if (typeof value === 'object') {
    const ctor = (value as { constructor?: { name?: string } }).constructor;
    if (ctor?.name) return `an instance of ${ctor.name}`;
    return inspect(value, { depth: -1 });
  }
  let shown = inspect(value, { colors: false });
  if (shown.length > 28) shown = `${shown.slice(0, 25)}...`;
  return `type ${typeof value} (${shown})`;
}

const CLASSES = ['string', 'number', 'bigint', 'boolean', 'symbol', 'undefined', 'object', 'function'];

function joinOr(items: string[]): string {
  if (items.length <= 2) return items.join(' or ');
  return `${items.slice(0, -1).join(', ')}, or ${items[items.length - 1]}`;
}

export function invalidArgType(name: string, expected: string | string[], actual: unknown): NodeError {
  const list = Array.isArray(expected) ? expected : [expected];
  const kind = name.endsWith(' argument') ? '' : name.includes('.') ? ' property' : ' argument';
  let msg = `The ${name.endsWith(' argument') ? name : `"${name}"`}${kind} must be `;
  const types: string[] = [];
  const instances: string[] = [];
  // Node: class names (`Buffer`) read "an instance of"; anything else (`net.BlockList`, `string[]`) is printed as is.
  const other: string[] = [];
  for (const t of list) {
    if (CLASSES.includes(t) || t === 'Object' || t === 'Function') types.push(t.toLowerCase());
    else (/^([A-Z][a-z0-9]*)+$/.test(t) ? instances : other).push(t);
  }
  const parts: string[] = [];
  if (types.length) parts.push(`${types.length > 1 ? 'one of type' : 'of type'} ${joinOr(types)}`);
  if (instances.length) parts.push(`an instance of ${joinOr(instances)}`);
  if (other.length) parts.push(other.length > 1 ? `one of ${joinOr(other)}` : `${other[0].toLowerCase() !== other[0] ? 'an ' : ''}${other[0]}`);
  msg += parts.join(' or ');
  msg += `. Received ${specificType(actual)}`;
  return make<NodeError>(TypeError, 'ERR_INVALID_ARG_TYPE', msg);
}

export function invalidArgValue(name: string, value: unknown, reason = 'is invalid'): NodeError {
  const type = name.includes('.') ? 'property' : 'argument';
  let shown = inspect(value);
  if (shown.length > 128) shown = `${shown.slice(0, 128)}...`;
  return make<NodeError>(TypeError, 'ERR_INVALID_ARG_VALUE', `The ${type} '${name}' ${reason}. Received ${shown}`);
}

function withSeparators(n: number | bigint): string {
  const s = String(n);
  const neg = s.startsWith('-') ? '-' : '';
  let digits = neg ? s.slice(1) : s;
  let out = '';
  while (digits.length > 3) { out = `_${digits.slice(-3)}${out}`; digits = digits.slice(0, -3); }
  return `${neg}${digits}${out}`;
}

export function outOfRange(name: string, range: string, value: unknown): NodeError {
  let received: string;
  if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) > 2 ** 32) received = withSeparators(value);
  else if (typeof value === 'bigint') received = `${value > 2n ** 32n || value < -(2n ** 32n) ? withSeparators(value) : value}n`;
  else received = inspect(value);
  return make<NodeError>(RangeError, 'ERR_OUT_OF_RANGE', `The value of "${name}" is out of range. It must be ${range}. Received ${received}`);
}

export function badPort(name: string, port: unknown, allowZero = true): NodeError {
  return make<NodeError>(RangeError, 'ERR_SOCKET_BAD_PORT', `${name} should be ${allowZero ? '>=' : '>'} 0 and < 65536. Received ${specificType(port)}.`);
}

export function missingArgs(...names: (string | string[])[]): NodeError {
  const q = names.map((n) => (Array.isArray(n) ? n.map((x) => `"${x}"`).join(' or ') : `"${n}"`));
  let msg = 'The ';
  if (q.length === 1) msg += `${q[0]} argument`;
  else if (q.length === 2) msg += `${q[0]} and ${q[1]} arguments`;
  else msg += `${q.slice(0, -1).join(', ')}, and ${q[q.length - 1]} arguments`;
  return make<NodeError>(TypeError, 'ERR_MISSING_ARGS', `${msg} must be specified`);
}

const MESSAGES = {
  ERR_SERVER_ALREADY_LISTEN: [Error, 'Listen method has been called more than once without closing.'],
  ERR_SERVER_NOT_RUNNING: [Error, 'Server is not running.'],
  ERR_SOCKET_CLOSED: [Error, 'Socket is closed'],
  ERR_SOCKET_CLOSED_BEFORE_CONNECTION: [Error, 'Socket closed before the connection was established'],
  ERR_SOCKET_CONNECTION_TIMEOUT: [Error, 'Socket connection timeout'],
  ERR_INVALID_HANDLE_TYPE: [TypeError, 'This handle type cannot be sent'],
  ERR_STREAM_DESTROYED: [Error, 'Cannot call write after a stream was destroyed'],
  ERR_INVALID_ADDRESS: [Error, 'Invalid socket address'],
  ERR_SOCKET_HANDLE_ADOPTED: [Error, 'The bound socket has already been adopted by a server or socket'],
} as const;

export function nodeError(code: keyof typeof MESSAGES): NodeError {
  const [Base, message] = MESSAGES[code];
  return make<NodeError>(Base, code, message);
}

export function ipBlocked(ip: string): NodeError {
  return make<NodeError>(Error, 'ERR_IP_BLOCKED', `IP(${ip}) is blocked by net.BlockList`);
}

/** ERR_INVALID_IP_ADDRESS for any value, worded as Node's `Invalid IP address: %s`. */
export function invalidIp(ip: unknown): NodeError {
  return make<NodeError>(TypeError, 'ERR_INVALID_IP_ADDRESS', `Invalid IP address: ${formatS(ip)}`);
}

export function invalidFdType(type: string): NodeError {
  return make<NodeError>(TypeError, 'ERR_INVALID_FD_TYPE', `Unsupported fd type: ${type}`);
}

/** A lookup's family that is neither 4 nor 6; `host` and `port` are the options' own values, kept as properties. */
export function invalidAddressFamily(family: unknown, host: unknown, port: unknown): NodeError & { host: unknown; port: unknown } {
  const err = make<NodeError & { host: unknown; port: unknown }>(RangeError, 'ERR_INVALID_ADDRESS_FAMILY',
    `Invalid address family: ${text(family)} ${text(host)}:${text(port)}`);
  err.host = host;
  err.port = port;
  return err;
}

/** `${value}` that cannot throw (a Symbol reads as `Symbol(…)`, an object without toString as inspected). */
function text(value: unknown): string {
  try {
    return typeof value === 'symbol' ? value.toString() : `${value as string}`;
  } catch {
    return inspect(value);
  }
}

// Constructors of the language's own classes, as util.format's %s tells a built-in toString apart.
// Gathered on first use: reading every global at load would make Node load http, tls, crypto, ….
let builtinCtors: Set<string> | undefined;
const isBuiltinCtor = (name: string): boolean => (builtinCtors ??= new Set(Object.getOwnPropertyNames(globalThis)
  .filter((k) => /^[A-Z]/.test(k) && typeof (globalThis as Record<string, unknown>)[k] === 'function'))).has(name);

function hasBuiltInToString(value: object): boolean {
  if (typeof (value as { [Symbol.toPrimitive]?: unknown })[Symbol.toPrimitive] === 'function') return false;
  if (typeof (value as { toString?: unknown }).toString !== 'function') return true;
  if (Object.prototype.hasOwnProperty.call(value, 'toString')) return false;
  let pointer: object | null = value;
  do {
    pointer = Object.getPrototypeOf(pointer);
  } while (pointer && !Object.prototype.hasOwnProperty.call(pointer, 'toString'));
  const ctor = pointer && Object.getOwnPropertyDescriptor(pointer, 'constructor');
  return !!ctor && typeof ctor.value === 'function' && isBuiltinCtor(ctor.value.name);
}

/** A value as Node's util.format prints it for `%s` (objects with a built-in toString are inspected, depth 0). */
export function formatS(value: unknown): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : `${value}`;
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'object' && value !== null && hasBuiltInToString(value)) {
    return inspect(value, { depth: 0, colors: false, compact: 3 });
  }
  return text(value);
}

/** A feature the current runtime's API cannot provide; documented per runtime in the README. */
export function unsupported(runtime: string, feature: string): NodeError {
  return make<NodeError>(Error, 'ERR_CROSSNET_UNSUPPORTED', `${feature} is not supported on ${runtime} by crossnet (the runtime's API does not expose it)`);
}

export class AbortError extends Error {
  code = 'ABORT_ERR';
  constructor(message = 'The operation was aborted', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AbortError';
  }
}

/** The code for a negative errno (`-22` → `'EINVAL'` on Linux), worded as Node's getSystemErrorName when unknown. */
export function codeOfErrno(errno: number): string {
  return errnoCode(errno) ?? `Unknown system error ${errno}`;
}

/** Negative libuv errno for a code, as Node reports it (0 when unknown). */
export function errnoOf(code: string): number {
  return ERRNO[code]?.[0] ?? 0;
}

/**
 * A system error as Node builds it. `detailed` adds libuv's text (`listen EADDRINUSE: address
 * already in use ::1:80`), which Node uses for listen/bind; connect/read/write use the short form.
 */
export function systemError(code: string, syscall: string, address?: string, port?: number, detailed = false): SystemError {
  const entry = ERRNO[code];
  let message = `${syscall} ${code}`;
  if (detailed && entry) message += `: ${entry[1]}`;
  if (port !== undefined && port > 0) message += ` ${address}:${port}`;
  else if (address) message += ` ${address}`;
  const err = new Error(message) as SystemError;
  err.errno = entry ? entry[0] : 0;
  err.code = code;
  err.syscall = syscall;
  if (address) err.address = address;
  if (port) err.port = port;
  return err;
}

/** The errno Node's getaddrinfo errors carry for `code` (ENOTFOUND is libuv's EAI_NONAME). */
function getaddrinfoErrno(code: string, given: unknown): number | undefined {
  if (code === 'ENOTFOUND') {
    // EAI_NODATA and EAI_NONAME both read ENOTFOUND; a c-ares number (Bun's) becomes EAI_NONAME.
    return given === ERRNO.EAI_NODATA?.[0] ? given : ERRNO.EAI_NONAME?.[0];
  }
  const known = ERRNO[code]?.[0];
  if (known !== undefined) return known;
  return typeof given === 'number' && given < 0 ? given : undefined;
}

/**
 * A failure of the runtime's dns.lookup as Node's getaddrinfo reports it: a plain Error with
 * errno, code, syscall and hostname, message `getaddrinfo CODE hostname`. Node's and Deno's are
 * that already and pass through; Bun's DNSException (own `name`, c-ares errno) is rebuilt.
 */
export function lookupError(err: unknown, hostname: string): unknown {
  if (err === null || typeof err !== 'object') return err;
  const e = err as { code?: unknown; errno?: unknown; syscall?: unknown; hostname?: unknown; name?: unknown };
  if (typeof e.code !== 'string') return err;
  const errno = getaddrinfoErrno(e.code, e.errno);
  const shaped = err instanceof Error && !Object.prototype.hasOwnProperty.call(err, 'name') && e.name === 'Error' &&
    e.errno === errno && e.syscall === 'getaddrinfo';
  if (shaped) return err;
  const syscall = typeof e.syscall === 'string' ? e.syscall : 'getaddrinfo';
  const name = typeof e.hostname === 'string' ? e.hostname : hostname;
  const out = new Error(`${syscall} ${e.code}${name ? ` ${name}` : ''}`) as Error & Record<string, unknown>;
  out.errno = errno;
  out.code = e.code;
  out.syscall = syscall;
  if (name) out.hostname = name;
  return out;
}

/**
 * A connect that fails before any OS call, as Node's does when libuv refuses the arguments
 * synchronously (a path longer than sun_path, an address of the other family): Node then names
 * the local end from getsockname() of the unbound handle, which is `undefined:undefined`.
 */
export function syncConnectError(code: string, address: string, port?: number): SystemError {
  const err = systemError(code, 'connect', address, port);
  err.message += ' - Local (undefined:undefined)';
  return err;
}
