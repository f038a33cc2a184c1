// Which transport the core uses, and the two rules that hold for every adapter callback.
import process from 'node:process';
import { unsupported } from './errors.js';
import type { Capabilities, Transport } from './transport.js';

let current: Transport | undefined;
let fallback: (() => Transport) | undefined;

/** Choose the transport explicitly (e.g. `crossnet/adapters/node`, or an in-memory one in tests). */
export function setTransport(transport: Transport): void {
  current = transport;
}

/** Registered by the package entry point: picks the adapter for the runtime on first use. */
export function setDefaultTransport(pick: () => Transport): void {
  fallback = pick;
}

export function getTransport(): Transport {
  if (!current) {
    if (!fallback) throw new Error('crossnet: no transport selected; call setTransport()');
    current = fallback();
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
