// Process-wide autoSelectFamily defaults. They start from the host runtime's own node:net
// values (Node 20 and 22+ differ), so crossnet behaves like the runtime it replaces.
import * as hostNet from 'node:net';
import { validateBoolean, validateInt32 } from './validate.js';

type HostDefaults = {
  getDefaultAutoSelectFamily?: () => boolean;
  getDefaultAutoSelectFamilyAttemptTimeout?: () => number;
};
const host = hostNet as HostDefaults;

let family = readHost(host.getDefaultAutoSelectFamily, true);
let attemptTimeout = readHost(host.getDefaultAutoSelectFamilyAttemptTimeout, 250);

function readHost<T>(get: (() => T) | undefined, fallback: T): T {
  try {
    return typeof get === 'function' ? get() : fallback;
  } catch {
    return fallback;
  }
}

export function getDefaultAutoSelectFamily(): boolean {
  return family;
}

export function setDefaultAutoSelectFamily(value: boolean): void {
  validateBoolean(value, 'value');
  family = value;
}

export function getDefaultAutoSelectFamilyAttemptTimeout(): number {
  return attemptTimeout;
}

export function setDefaultAutoSelectFamilyAttemptTimeout(value: number): void {
  validateInt32(value, 'value', 1);
  attemptTimeout = value < 10 ? 10 : value;
}
