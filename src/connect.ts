// TCP connect: host lookup, the single-address path and Node's Happy Eyeballs (RFC 8305 §5:
// families interleaved, one attempt at a time, the next one after each attempt timeout).
import dns from 'node:dns';
import process from 'node:process';
import { Buffer } from 'node:buffer';
import { setTimeout, clearTimeout } from 'node:timers';
import {
  invalidAddressFamily, invalidArgType, invalidArgValue, invalidIp, ipBlocked, lookupError, nodeError, syncConnectError, systemError, type SystemError,
} from './errors.ts';
import { isIP, parseIPv6 } from './ip.ts';
import { requireCapability, surface } from './runtime.ts';
import { getDefaultAutoSelectFamily, getDefaultAutoSelectFamilyAttemptTimeout } from './autoselect.ts';
import {
  validateBoolean, validateFunction, validateInt32, validateNumber, validateOneOf, validatePort, validateStringWithoutNullBytes,
} from './validate.ts';
import { sunPathSize } from './platform.ts';
import { connectTransport } from './guard.ts';
import type { BlockListLike } from './blocklist.ts';
import type { Bound, Connection, ConnectTarget, Failure, PendingConnect } from './transport.ts';

/**
 * What connecting needs of a socket (net.Socket implements it). connect.ts owns the attempt in
 * flight (`_attempt`): the socket only cancels it (cancelConnect) and takes the connection.
 */
export interface Connectable {
  readonly connecting: boolean;
  /** The `signal` option fired: Happy Eyeballs stops. */
  _aborted: boolean;
  _host: string | null;
  /** An adopted net.BoundSocket's socket: the first attempt connects from it. */
  _bound: Bound | null;
  /** The attempt in flight (the transport's connect, and the Happy Eyeballs timer), if any. */
  _attempt: PendingConnect | null;
  blockList: BlockListLike | undefined;
  autoSelectFamilyAttemptedAddresses: string[] | undefined;
  emit(event: string, ...args: unknown[]): boolean;
  destroy(err?: Error): unknown;
  /** Activity: the idle timer restarts. */
  _unrefTimer(): void;
  /** Connected: the socket takes the connection. */
  _afterConnect(conn: Connection): void;
}

type Socket = Connectable;

type LookupAddress = { address: string; family: number };
type LookupOptions = { family: number; hints: number; all?: boolean };
type LookupFn = (host: string, opts: LookupOptions, cb: (err: Error | null, address: string | LookupAddress[], family?: number) => void) => void;

function familyOf(value: unknown): unknown {
  if (value === 'IPv4') return 4;
  if (value === 'IPv6') return 6;
  return value;
}

/** Validation dns.lookup would do on Node, done here so every runtime rejects alike (the host is checked already). */
function checkLookupArgs(opts: LookupOptions): void {
  if (opts.hints) {
    validateNumber(opts.hints, 'options.hints');
  }
  if (opts.family != null) validateOneOf(opts.family, 'options.family', [0, 4, 6]);
}

function connectErrorNT(socket: Socket, err: Error): void {
  socket.destroy(err);
}

/** The runtime's dns.lookup, its failures shaped as Node's getaddrinfo errors on every runtime (Bun's are not). */
const defaultLookup: LookupFn = (host, opts, cb) => {
  (dns.lookup as unknown as LookupFn)(host, opts, (err, address, family) => {
    if (err) cb(lookupError(err, host) as Error, undefined as never, undefined);
    else cb(null, address, family);
  });
};

/** `ToInt32(port) & 0xffff`: the port libuv binds for a localPort number (Node passes it as is). */
function boundPort(localPort: number): number {
  return (localPort | 0) & 0xffff;
}

export function connectTcp(socket: Socket, options: Record<string, unknown>): void {
  let localAddress = options.localAddress as string | undefined;
  const localPort = options.localPort as number | undefined;
  const host = (options.host as string) || 'localhost';
  let port = options.port;
  let autoSelectFamily = options.autoSelectFamily;
  let attemptTimeout = options.autoSelectFamilyAttemptTimeout;

  // Node 24+: before any lookup (Node 20's dns.lookup checked the type, and NUL bytes nowhere).
  validateStringWithoutNullBytes(host, 'options.host');
  // An adopted net.BoundSocket already owns the local end and the family (Node 26.4).
  if (socket._bound) {
    if (localAddress !== undefined || localPort !== undefined) {
      throw invalidArgValue('options', options, 'localAddress and localPort cannot be used with an adopted bound socket');
    }
    autoSelectFamily = false;
  }
  if (localAddress && !isIP(localAddress)) throw invalidIp(localAddress);
  // Node's binding reads it as a string (an array of one address works there too).
  if (localAddress) localAddress = String(localAddress);
  if (localPort) validateNumber(localPort, 'options.localPort');
  if (typeof port !== 'undefined') {
    if (typeof port !== 'number' && typeof port !== 'string') throw invalidArgType('options.port', ['number', 'string'], port);
    validatePort(port);
  }
  port = (port as number) | 0;
  if (autoSelectFamily != null) validateBoolean(autoSelectFamily, 'options.autoSelectFamily');
  if (attemptTimeout != null) {
    validateInt32(attemptTimeout, 'options.autoSelectFamilyAttemptTimeout', 1);
    if ((attemptTimeout as number) < 10) attemptTimeout = 10;
  }
  if (localAddress || localPort) requireCapability('localAddress', 'connecting from a localAddress/localPort');

  socket._host = host;
  const addressType = isIP(host);
  if (addressType) {
    // From a bound socket, connect(2) is issued at once, as Node does (no lookup to wait for).
    if (socket._bound) {
      internalConnect(socket, host, port as number, addressType as 4 | 6, localAddress, localPort);
      return;
    }
    process.nextTick(() => {
      if (socket.connecting) internalConnect(socket, host, port as number, addressType as 4 | 6, localAddress, localPort);
    });
    return;
  }

  // Defaults are read only now: an IP literal needs no lookup and no family selection.
  autoSelectFamily ??= getDefaultAutoSelectFamily();
  attemptTimeout ??= getDefaultAutoSelectFamilyAttemptTimeout();
  if (options.lookup != null) validateFunction(options.lookup, 'options.lookup');
  const dnsopts: LookupOptions = { family: familyOf(options.family) as number, hints: (options.hints as number) || 0 };
  if (!options.lookup) checkLookupArgs(dnsopts);
  if (dnsopts.family !== 4 && dnsopts.family !== 6 && dnsopts.hints === 0) dnsopts.hints = dns.ADDRCONFIG;
  const lookup = (options.lookup as LookupFn | undefined) ?? defaultLookup;
  // A lookup may call back more than once. Node then calls connect() on a handle already
  // connecting, and libuv answers EALREADY; crossnet fails the same way instead of racing a
  // second connection (later answers after an error or once connected change nothing).
  let answered: 'no' | 'error' | 'address' = 'no';
  const again = (ip: unknown): boolean => {
    if (answered === 'no') return false;
    if (answered === 'address' && socket.connecting) {
      socket.destroy(systemError('EALREADY', 'connect', typeof ip === 'string' ? ip : undefined, port as number));
    }
    return true;
  };

  if (dnsopts.family !== 4 && dnsopts.family !== 6 && !localAddress && autoSelectFamily) {
    dnsopts.all = true;
    lookup(host, dnsopts, (err, addresses) => surface(() => {
      if (!socket.connecting) return;
      if (again(undefined)) return;
      if (err) {
        answered = 'error';
        socket.emit('lookup', err, undefined, undefined, host);
        process.nextTick(connectErrorNT, socket, err);
        return;
      }
      answered = 'address';
      connectMultiple(socket, host, addresses, options, port as number, localPort, attemptTimeout as number);
    }));
    return;
  }

  lookup(host, dnsopts, (err, ip, family) => surface(() => {
    socket.emit('lookup', err, ip, family, host);
    if (!socket.connecting) return;
    if (again(ip)) return;
    answered = err ? 'error' : 'address';
    if (err) {
      process.nextTick(connectErrorNT, socket, err);
    } else if (typeof ip !== 'string' || !isIP(ip)) {
      process.nextTick(connectErrorNT, socket, invalidIp(ip));
    } else if (family !== 4 && family !== 6) {
      process.nextTick(connectErrorNT, socket, invalidAddressFamily(family, options.host, options.port));
    } else {
      socket._unrefTimer();
      internalConnect(socket, ip, port as number, family, localAddress, localPort);
    }
  }));
}

function internalConnect(socket: Socket, address: string, port: number, family: 4 | 6,
  localAddress: string | undefined, localPort: number | undefined): void {
  let bindPort: number | undefined;
  if (localAddress || localPort) {
    localAddress = localAddress || (family === 4 ? '0.0.0.0' : '::');
    bindPort = localPort ? boundPort(localPort) : 0;
    // What libuv's bind answers for these (Node binds first, then checks the port it got).
    if (isIP(localAddress) !== family) {
      socket.destroy(systemError('EINVAL', 'bind', localAddress, localPort));
      return;
    }
    if ((localPort as number) > 0 && bindPort !== localPort) {
      socket.destroy(systemError('EADDRINUSE', 'bind', localAddress, localPort));
      return;
    }
  }
  socket.emit('connectionAttempt', address, port, family);
  if (socket.blockList?.check(address, `ipv${family}`)) {
    socket.destroy(ipBlocked(address));
    return;
  }
  // An address of the other family: libuv refuses it before any system call.
  if (isIP(address) !== family) {
    socket.destroy(syncConnectError('EINVAL', address, port));
    return;
  }
  attempt(socket, { kind: 'tcp', address, port, family, localAddress, localPort: bindPort || undefined }, address, port, family);
}

interface Attempts {
  socket: Socket;
  addresses: LookupAddress[];
  current: number;
  port: number;
  localPort: number | undefined;
  timeout: number;
  errors: Error[];
}

/** Longest list of lookup results read (Node reads any array-like to its length). */
const MAX_LOOKUP_RESULTS = 65536;

/**
 * The entries of an `all: true` lookup result, read as Node reads them (`length` and indexes, so a
 * string gives its characters) but never throwing: what is not array-like gives none, and an
 * entry that is not an object has no address.
 */
function lookupEntries(addresses: unknown): { address: unknown; family: unknown }[] {
  if (addresses == null || (typeof addresses !== 'object' && typeof addresses !== 'string')) return [];
  const length = Math.min(Number((addresses as { length?: unknown }).length) || 0, MAX_LOOKUP_RESULTS);
  const out: { address: unknown; family: unknown }[] = [];
  for (let i = 0; i < length; i++) {
    const entry = (addresses as Record<number, unknown>)[i];
    const obj = entry !== null && (typeof entry === 'object' || typeof entry === 'function') ? entry as Record<string, unknown> : undefined;
    out.push({ address: obj?.address, family: obj?.family });
  }
  return out;
}

function connectMultiple(socket: Socket, host: string, addresses: unknown, options: Record<string, unknown>,
  port: number, localPort: number | undefined, timeout: number): void {
  const entries = lookupEntries(addresses);
  // Keep each valid address once; the first one's family goes first, then alternate.
  const groups: LookupAddress[][] = [[], []];
  const seen: string[][] = [[], []];
  let order: Record<number, number> | undefined;
  for (const { address, family } of entries) {
    socket.emit('lookup', null, address, family, host);
    if (!socket.connecting) return;
    // Node tests isIP() only, which reads an array as its string: a non-string never reaches a transport here.
    if (typeof address === 'string' && isIP(address) && (family === 4 || family === 6)) {
      order ??= family === 6 ? { 6: 0, 4: 1 } : { 4: 0, 6: 1 };
      const g = order[family];
      if (!seen[g].includes(address)) {
        groups[g].push({ address, family });
        seen[g].push(address);
      }
    }
  }
  if (!groups[0].length && !groups[1].length) {
    // Node fails on the first entry (and throws a TypeError when there is none: crossnet fails alike).
    const first = entries[0] ?? { address: undefined, family: undefined };
    if (typeof first.address !== 'string' || !isIP(first.address)) process.nextTick(connectErrorNT, socket, invalidIp(first.address));
    else process.nextTick(connectErrorNT, socket, invalidAddressFamily(first.family, options.host, options.port));
    return;
  }
  const toAttempt: LookupAddress[] = [];
  for (let i = 0; i < Math.max(groups[0].length, groups[1].length); i++) {
    if (i < groups[0].length) toAttempt.push(groups[0][i]);
    if (i < groups[1].length) toAttempt.push(groups[1][i]);
  }
  if (toAttempt.length === 1) {
    socket._unrefTimer();
    internalConnect(socket, toAttempt[0].address, port, toAttempt[0].family as 4 | 6, undefined, localPort);
    return;
  }
  socket.autoSelectFamilyAttemptedAddresses = [];
  socket._unrefTimer();
  nextAttempt({ socket, addresses: toAttempt, current: 0, port, localPort, timeout, errors: [] });
}

function nextAttempt(ctx: Attempts, canceled = false): void {
  const { socket } = ctx;
  cancelConnect(socket);
  if (socket._aborted || !socket.connecting) return;
  if (canceled || ctx.current === ctx.addresses.length) {
    if (ctx.errors.length === 0) {
      socket.destroy(nodeError('ERR_SOCKET_CONNECTION_TIMEOUT'));
      return;
    }
    const agg = new AggregateError(ctx.errors) as AggregateError & { code?: string };
    agg.code = (ctx.errors[0] as SystemError).code;
    socket.destroy(agg);
    return;
  }
  const index = ctx.current++;
  const { address, family } = ctx.addresses[index];
  const fam = family as 4 | 6;
  const bindPort = ctx.localPort ? boundPort(ctx.localPort) : undefined;
  const localAddress = ctx.localPort ? (fam === 4 ? '0.0.0.0' : '::') : undefined;
  if (ctx.localPort && ctx.localPort > 0 && bindPort !== ctx.localPort) {
    // Node's bind check fails this attempt without an event.
    ctx.errors.push(systemError('EADDRINUSE', 'bind', localAddress, ctx.localPort));
    nextAttempt(ctx);
    return;
  }
  if (socket.blockList?.check(address, `ipv${fam}`)) {
    const ex = ipBlocked(address);
    ctx.errors.push(ex);
    socket.emit('connectionAttemptFailed', address, ctx.port, fam, ex);
    nextAttempt(ctx);
    return;
  }
  socket.emit('connectionAttempt', address, ctx.port, fam);
  if (!socket.connecting || ctx.current !== index + 1) return;
  socket.autoSelectFamilyAttemptedAddresses!.push(`${address}:${ctx.port}`);
  if (isIP(address) !== fam) {
    // An address of the other family (Node keeps such lookup entries): libuv refuses it at once.
    const ex = syncConnectError('EINVAL', address, ctx.port);
    ctx.errors.push(ex);
    socket.emit('connectionAttemptFailed', address, ctx.port, fam, ex);
    nextAttempt(ctx);
    return;
  }
  let settled = false;
  attempt(socket, { kind: 'tcp', address, port: ctx.port, family: fam, localAddress, localPort: bindPort || undefined },
    address, ctx.port, fam, (err: SystemError | null, conn?: Connection) => surface(() => {
      settled = true;
      cancelConnect(socket);
      if (!socket.connecting) {
        conn?.close();
        return;
      }
      if (err) {
        ctx.errors.push(err);
        socket.emit('connectionAttemptFailed', address, ctx.port, fam, err);
        nextAttempt(ctx);
        return;
      }
      socket._afterConnect(conn!);
    }));
  // An adapter may have answered already (then the next attempt, if any, has its own timer).
  if (!settled && index < ctx.addresses.length - 1) {
    const timer = setTimeout(() => {
      cancelConnect(socket);
      const ex = systemError('ETIMEDOUT', 'connect', address, ctx.port);
      ctx.errors.push(ex);
      surface(() => socket.emit('connectionAttemptTimeout', address, ctx.port, fam));
      nextAttempt(ctx);
    }, ctx.timeout);
    // The attempt in flight now also ends its timer when cancelled.
    const pending = socket._attempt;
    socket._attempt = {
      cancel(): void {
        clearTimeout(timer);
        // Once answered, the connection is the socket's (or already closed): nothing to abandon.
        if (!settled) pending?.cancel();
      },
    };
  }
}

/** Abandon the attempt in flight, if any (its outcome then never arrives). */
export function cancelConnect(socket: Connectable): void {
  const pending = socket._attempt;
  if (pending !== null) {
    socket._attempt = null;
    pending.cancel();
  }
}

/** Node's error for a failed attempt: the syscall that failed, the address, and the local end when the client was bound. */
function attemptError(err: Failure, target: ConnectTarget, bound: Bound | null, address: string, port: number | undefined): SystemError {
  const { code, syscall = 'connect' } = err;
  const tcp = target.kind === 'tcp' ? target : undefined;
  const ex = syscall === 'bind' && tcp
    ? systemError(code, 'bind', tcp.localAddress, tcp.localPort)
    : systemError(code, syscall, address, port);
  const from = bound?.kind === 'tcp' && (code === 'EAFNOSUPPORT' || code === 'EINVAL') ? bound.endpoint() : undefined;
  if (from && typeof from !== 'string') {
    // Refused before any packet (the other family): Node names the bound local end.
    ex.message += ` - Local (${from.address}:${from.port})`;
  } else if (tcp?.localAddress && tcp.localPort && syscall !== 'bind') {
    // Node names the local end too when the client was bound to one.
    ex.message += ` - Local (${tcp.localAddress}:${tcp.localPort})`;
    Object.assign(ex, { localAddress: tcp.localAddress, localPort: tcp.localPort });
  }
  return ex;
}

/**
 * One attempt through the transport. `done` (Happy Eyeballs) receives the outcome instead of the
 * default handling; otherwise a failure destroys the socket with Node's error.
 */
function attempt(socket: Connectable, target: ConnectTarget, address: string, port: number | undefined, family: 4 | 6 | undefined,
  done?: (err: SystemError | null, conn?: Connection) => void): void {
  const bound = socket._bound;
  if (bound) {
    // The transport connects from the adopted bound socket, and owns it from here on.
    socket._bound = null;
    target = { ...target, bound };
  }
  // The outcome may arrive before connect() returns (an adapter may call back synchronously).
  let settled = false;
  let pending: PendingConnect | undefined;
  pending = connectTransport(target, (err, conn) => {
    settled = true;
    if (pending && socket._attempt === pending) socket._attempt = null;
    if (err) {
      const ex = attemptError(err, target, bound, address, port);
      if (done) {
        done(ex);
        return;
      }
      if (!socket.connecting) return;
      if (family !== undefined) surface(() => socket.emit('connectionAttemptFailed', address, port, family, ex));
      socket.destroy(ex);
      return;
    }
    if (done) {
      done(null, conn);
      return;
    }
    // surface(), without its rest-arguments call on every connect.
    try {
      socket._afterConnect(conn!);
    } catch (e) {
      process.nextTick(rethrow, e);
    }
  });
  if (!settled) socket._attempt = pending;
}

function rethrow(err: unknown): never {
  throw err;
}

/** connect() to an IPC path (checked to be a string). A path the OS cannot take fails at once, as libuv refuses it synchronously. */
export function connectIpc(socket: Connectable, path: string): void {
  const early = ipcConnectError(path);
  if (early) {
    socket.destroy(early);
    return;
  }
  attempt(socket, { kind: 'ipc', path }, path, undefined, undefined);
}

/** fe80::/10, as Node's isIpv6LinkLocal reads an address (a zone id is ignored). */
function isIPv6LinkLocal(ip: string): boolean {
  if (isIP(ip) !== 6) return false;
  const words = new Uint16Array(8);
  return parseIPv6(ip, words) && (words[0] & 0xffc0) === 0xfe80;
}

/**
 * server.listen's host lookup, as Node's lookupAndListen does it: dns.lookup(host, { all: true })
 * and the first address that is not IPv6 link-local (else the first one). The host is checked as
 * Node's dns.lookup checks it, synchronously and before the runtime's resolver sees it; failures
 * are Node's getaddrinfo errors on every runtime.
 */
export function lookupListenAddress(host: unknown,
  cb: (err: unknown, address?: string, family?: 4 | 6) => void): void {
  validateStringWithoutNullBytes(host, 'hostname');
  dns.lookup(host, { all: true }, (err, addresses) => {
    if (err) {
      cb(lookupError(err, host));
      return;
    }
    const list = Array.isArray(addresses) ? addresses : [];
    const chosen = list.find((a) => !isIPv6LinkLocal(a.address)) ?? list[0];
    if (!chosen) {
      // Node would throw reading the address of an empty answer; say the name has no address.
      cb(lookupError({ code: 'ENOTFOUND' }, host));
      return;
    }
    cb(null, chosen.address, chosen.family === 6 ? 6 : 4);
  });
}

/**
 * The error Node gives at once for an IPC path the OS cannot take (longer than sun_path, or a
 * NUL inside a path that is not an abstract name: libuv refuses both), or undefined.
 */
function ipcConnectError(path: string): SystemError | undefined {
  const max = sunPathSize();
  if ((max !== undefined && Buffer.byteLength(path) > max) || (path.charCodeAt(0) !== 0 && path.includes('\0'))) {
    return syncConnectError('EINVAL', path);
  }
  return undefined;
}
