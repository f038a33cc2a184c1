// Argument normalisation shared by connect() and listen(), as Node does it.

export type Callback = (...args: never[]) => unknown;
export type Normalized = [Record<string, unknown>, Callback | null] & { [normalizedArgs]?: true };
export const normalizedArgs = Symbol('crossnet.normalizedArgs');

/** `Number(x)` when it is >= 0, else false (Node's toNumber). */
export function toNumber(x: unknown): number | false {
  const n = Number(x);
  return n >= 0 ? n : false;
}

/** A string that is not a non-negative number names an IPC path. */
export function isPipeName(s: unknown): s is string {
  return typeof s === 'string' && toNumber(s) === false;
}

/**
 * (options[, cb]) | (path[, cb]) | (port[, host][, cb]) → [options, cb]. The options object is a
 * fresh one unless the caller passed an object, which is used as given (as Node does).
 */
export function normalizeArgs(args: unknown[]): Normalized {
  let result: Normalized;
  if (args.length === 0) {
    result = [{}, null];
  } else {
    const first = args[0];
    let options: Record<string, unknown> = {};
    if (typeof first === 'object' && first !== null) {
      options = first as Record<string, unknown>;
    } else if (isPipeName(first)) {
      options.path = first;
    } else {
      options.port = first;
      if (args.length > 1 && typeof args[1] === 'string') options.host = args[1];
    }
    const cb = args[args.length - 1];
    result = [options, typeof cb === 'function' ? (cb as Callback) : null];
  }
  result[normalizedArgs] = true;
  return result;
}
