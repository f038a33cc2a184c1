// Process-wide autoSelectFamily defaults. They start from the host runtime's own node:net
// values (Node 20 and 22+ differ), so crossnet behaves like the runtime it replaces. The host's
// node:net is loaded only when a default is first needed: connecting to an IP literal never does.
import { createRequire } from 'node:module';
import { validateBoolean, validateInt32 } from './validate.js';

type HostDefaults = {
  getDefaultAutoSelectFamily?: () => boolean;
  getDefaultAutoSelectFamilyAttemptTimeout?: () => number;
};

let family: boolean | undefined;
let attemptTimeout: number | undefined;
let host: HostDefaults | undefined;

function readHost<T>(name: keyof HostDefaults, fallback: T): T {
  try {
    host ??= createRequire(import.meta.url)('node:net') as HostDefaults;
    const get = host[name] as (() => T) | undefined;
    return typeof get === 'function' ? get() : fallback;
  } catch {
    return fallback;
  }
}

export function getDefaultAutoSelectFamily(): boolean {
  return (family ??= readHost('getDefaultAutoSelectFamily', true));
}

export function setDefaultAutoSelectFamily(value: boolean): void {
  validateBoolean(value, 'value');
  family = value;
}

export function getDefaultAutoSelectFamilyAttemptTimeout(): number {
  return (attemptTimeout ??= readHost('getDefaultAutoSelectFamilyAttemptTimeout', 250));
}

export function setDefaultAutoSelectFamilyAttemptTimeout(value: number): void {
  validateInt32(value, 'value', 1);
  attemptTimeout = value < 10 ? 10 : value;
}
