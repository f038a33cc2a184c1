// A socket's TCP options as node:net keeps them (kSetNoDelay, kSetKeepAlive, …): what was last set,
// so a repeated call does not reach the handle again, and what was set before there was a
// connection, applied once connected. Socket's setters, its connect and Server's accept use these.
import { invalidArgType, systemError, unsupported } from './errors.ts';
import { validateInt32 } from './validate.ts';
import { getTransport, hasCapability, requireCapability } from './runtime.ts';
import { isFailure } from './failure.ts';
import { handleMethod, type AnyHandle } from './handle.ts';
import type { Connection } from './transport.ts';

/** The values; a socket has none (null) until one is set. */
export interface Cached {
  noDelay: boolean;
  keepAlive: boolean;
  /** Seconds, as Node hands it to the handle. */
  keepAliveDelay: number;
  tos: number | undefined;
}

/** The parts of a Socket used here. */
export interface Tunable {
  _handle: AnyHandle | null;
  _conn: Connection | null;
  _isIpc: boolean;
  _opts: Cached | null;
}

export interface KeepAliveOptions { enable?: boolean; initialDelay?: number; interval?: number; count?: number }

const opts = (s: Tunable): Cached => (s._opts ??= { noDelay: false, keepAlive: false, keepAliveDelay: 0, tos: undefined });

/** The constructor's noDelay/keepAlive/keepAliveInitialDelay (validated by the caller) and typeOfService. */
export function initOptions(s: Tunable, noDelay: unknown, keepAlive: unknown, keepAliveInitialDelay: number | undefined, tos: unknown): void {
  if (tos !== undefined) {
    // Node 24.x: validated here, applied once connected (as setTypeOfService() before connect).
    validateInt32(tos, 'options.typeOfService', 0, 255);
  }
  if (!noDelay && !keepAlive && tos === undefined) return;
  const o = opts(s);
  o.noDelay = Boolean(noDelay);
  o.keepAlive = Boolean(keepAlive);
  o.keepAliveDelay = ~~((keepAliveInitialDelay ?? 0) / 1000);
  o.tos = tos as number | undefined;
}

export function setNoDelay(s: Tunable, enable?: boolean): void {
  const on = Boolean(enable === undefined ? true : enable);
  const h = s._handle;
  if (!h) {
    opts(s).noDelay = on;
    return;
  }
  const set = handleMethod(h, 'setNoDelay');
  if (set && on !== (s._opts?.noDelay ?? false)) {
    opts(s).noDelay = on;
    set.call(h, on as never);
  }
}

export function setKeepAlive(s: Tunable, enable?: boolean | KeepAliveOptions, initialDelay?: number, interval?: number, count?: number): void {
  // Node 24.22+/26: setKeepAlive({ enable, initialDelay, interval, count }).
  if (enable !== null && typeof enable === 'object') ({ enable, initialDelay, interval, count } = enable);
  // TCP_KEEPINTVL/TCP_KEEPCNT do not reach any adapter yet: say so rather than drop them.
  if (interval !== undefined || count !== undefined) {
    throw unsupported(getTransport().runtime, 'socket.setKeepAlive() interval and count');
  }
  const on = Boolean(enable);
  const delay = ~~((initialDelay ?? 0) / 1000);
  const h = s._handle;
  if (!h) {
    const o = opts(s);
    o.keepAlive = on;
    o.keepAliveDelay = delay;
    return;
  }
  const set = handleMethod(h, 'setKeepAlive');
  const was = s._opts;
  if (set && (on !== (was?.keepAlive ?? false) || (on && (was?.keepAliveDelay ?? 0) !== delay))) {
    const o = opts(s);
    o.keepAlive = on;
    o.keepAliveDelay = delay;
    // Node 24+ passes the interval and count too (not set here: undefined).
    set.call(h, on as never, delay as never, undefined as never, undefined as never);
  }
}

/** IP_TOS / IPV6_TCLASS (Node 24.11+); cached until connected, as on Node. */
export function setTypeOfService(s: Tunable, tos: number): void {
  if (Number.isNaN(tos)) throw invalidArgType('tos', 'number', tos);
  validateInt32(tos, 'tos', 0, 255);
  const conn = s._conn;
  if (!conn || s._isIpc) {
    opts(s).tos = tos;
    return;
  }
  if (tos !== s._opts?.tos) {
    requireCapability('typeOfService', 'socket.setTypeOfService()');
    opts(s).tos = tos;
    try {
      conn.setTypeOfService?.(tos);
    } catch (err) {
      if (!isFailure(err)) throw err;
      throw systemError(err.code, 'setTypeOfService');
    }
  }
}

export function getTypeOfService(s: Tunable): number {
  const conn = s._conn;
  const cached = s._opts?.tos;
  if (!conn || s._isIpc) return cached ?? 0;
  requireCapability('typeOfService', 'socket.getTypeOfService()');
  try {
    return conn.getTypeOfService?.() ?? cached ?? 0;
  } catch (err) {
    if (!isFailure(err)) throw err;
    throw systemError(err.code, 'getTypeOfService');
  }
}

/**
 * Connected: what was set before goes to the handle, as node:net's afterConnect does. Returns the
 * error to destroy the socket with (a cached TOS this runtime cannot apply), or null.
 */
export function applyCached(s: Tunable, conn: Connection): Error | null {
  const o = s._opts;
  if (o === null) return null;
  const h = s._handle!;
  if (o.noDelay) handleMethod(h, 'setNoDelay')?.call(h, true as never);
  if (o.keepAlive) handleMethod(h, 'setKeepAlive')?.call(h, true as never, o.keepAliveDelay as never, undefined as never, undefined as never);
  if (o.tos !== undefined && conn.kind === 'tcp') {
    // A value this runtime cannot apply: an 'error', not a throw out of the adapter's callback.
    if (!hasCapability('typeOfService')) return unsupported(getTransport().runtime, 'socket.setTypeOfService()');
    try {
      conn.setTypeOfService?.(o.tos);
    } catch (err) {
      // Node applies a cached value without checking the outcome.
      if (!isFailure(err)) throw err;
    }
  }
  return null;
}

/** A server's noDelay/keepAlive options on a socket it accepted: set on its handle and remembered, as Node's onconnection does. */
export function acceptOptions(s: Tunable, noDelay: boolean, keepAlive: boolean, keepAliveDelay: number): void {
  const h = s._handle;
  if (!h || !(noDelay || keepAlive)) return;
  const o = opts(s);
  if (noDelay) {
    o.noDelay = true;
    handleMethod(h, 'setNoDelay')?.call(h, true as never);
  }
  if (keepAlive) {
    o.keepAlive = true;
    o.keepAliveDelay = keepAliveDelay;
    handleMethod(h, 'setKeepAlive')?.call(h, true as never, keepAliveDelay as never);
  }
}
