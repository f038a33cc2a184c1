// Which transport the core uses, and the two rules that hold for every adapter callback.
import process from 'node:process';
import { unsupported } from './errors.ts';
import type { Capabilities, Connection, Transport } from './transport.ts';

let current: Transport | undefined;
let fallback: (() => Transport) | undefined;

/** Choose the transport explicitly (e.g. `crossnet/adapters/node`, or an in-memory one in tests). */
export function setTransport(transport: Transport): void {
  transport.ready?.();
  current = transport;
}

/** Registered by the package entry point: picks the adapter for the runtime on first use. */
export function setDefaultTransport(pick: () => Transport): void {
  fallback = pick;
}

export function getTransport(): Transport {
  if (!current) {
    if (!fallback) throw new Error('crossnet: no transport selected; call setTransport()');
    const picked = fallback();
    picked.ready?.();
    current = picked;
  }
  return current;
}

/** Throw ERR_CROSSNET_UNSUPPORTED when the transport lacks a capability. */
export function requireCapability(name: keyof Capabilities, feature: string): void {
  const t = getTransport();
  if (!t.capabilities[name]) throw unsupported(t.runtime, feature);
}

export function hasCapability(name: keyof Capabilities): boolean {
  return getTransport().capabilities[name];
}

const warned = new Set<string>();

/**
 * Turn keep-alive on or off. Where the runtime cannot set the initial delay, keep-alive still goes
 * on with the OS default delay, and a process warning with code ERR_CROSSNET_UNSUPPORTED says so
 * once per process: degrading beats throwing from a call libraries make on every connection.
 */
export function applyKeepAlive(conn: Connection, enable: boolean, delaySeconds: number): void {
  const t = getTransport();
  if (enable && delaySeconds && !t.capabilities.keepAliveDelay && !warned.has('keepAliveDelay')) {
    warned.add('keepAliveDelay');
    process.emitWarning(
      `The keep-alive initial delay is not supported on ${t.runtime}: keep-alive uses the OS default delay`,
      { type: 'CrossnetWarning', code: 'ERR_CROSSNET_UNSUPPORTED' },
    );
  }
  conn.setKeepAlive(enable, t.capabilities.keepAliveDelay ? delaySeconds : 0);
}

/**
 * Run a user-facing step (emitting events) from an adapter callback. An exception thrown by a
 * listener must reach the process as an uncaught exception, as on Node, even when the adapter
 * runs inside a promise continuation or a runtime handler that would swallow or redirect it.
 */
export function surface<A extends unknown[]>(fn: (...args: A) => void, ...args: A): void {
  try {
    fn(...args);
  } catch (err) {
    process.nextTick(rethrow, err);
  }
}

function rethrow(err: unknown): never {
  throw err;
}
