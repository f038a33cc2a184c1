// Process-wide autoSelectFamily defaults. They start from the newest Node's defaults (on, 500 ms)
// on every runtime and Node version, so one codebase connects the same way everywhere. As on Node,
// its command-line options (`--[no-]network-family-autoselection`,
// `--network-family-autoselection-attempt-timeout=N`, also through NODE_OPTIONS) set them.
import process from 'node:process';
import { validateBoolean, validateInt32 } from './validate.ts';

const NEWEST_FAMILY = true;
const NEWEST_ATTEMPT_TIMEOUT = 500;

let family: boolean | undefined;
let attemptTimeout: number | undefined;

/** Node's options as given: execArgv first, then NODE_OPTIONS (Node lets the command line win). */
function cliOptions(): string[] {
  const env = process.env.NODE_OPTIONS;
  return [...(env ? env.split(/\s+/) : []), ...(process.execArgv ?? [])];
}

function readFamily(): boolean {
  let value = NEWEST_FAMILY;
  for (const arg of cliOptions()) {
    if (arg === '--network-family-autoselection') value = true;
    else if (arg === '--no-network-family-autoselection') value = false;
  }
  return value;
}

function readAttemptTimeout(): number {
  let value = NEWEST_ATTEMPT_TIMEOUT;
  const args = cliOptions();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const name = '--network-family-autoselection-attempt-timeout';
    const text = arg.startsWith(`${name}=`) ? arg.slice(name.length + 1) : arg === name ? args[i + 1] : undefined;
    const n = text === undefined ? NaN : Number(text);
    // Node takes the option's value as given (no minimum of 10 as the setter has).
    if (Number.isInteger(n) && n >= 0) value = n;
  }
  return value;
}

export function getDefaultAutoSelectFamily(): boolean {
  return (family ??= readFamily());
}

export function setDefaultAutoSelectFamily(value: boolean): void {
  validateBoolean(value, 'value');
  family = value;
}

export function getDefaultAutoSelectFamilyAttemptTimeout(): number {
  return (attemptTimeout ??= readAttemptTimeout());
}

export function setDefaultAutoSelectFamilyAttemptTimeout(value: number): void {
  validateInt32(value, 'value', 1);
  attemptTimeout = value < 10 ? 10 : value;
}
