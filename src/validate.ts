// Argument validators with Node's error classes, codes and messages.
import { badPort, invalidArgType, invalidArgValue, outOfRange } from './errors.ts';

export function validateNumber(value: unknown, name: string, min?: number, max?: number): asserts value is number {
  if (typeof value !== 'number') throw invalidArgType(name, 'number', value);
  if ((min != null && value < min) || (max != null && value > max) || ((min != null || max != null) && Number.isNaN(value))) {
    const range = `${min != null ? `>= ${min}` : ''}${min != null && max != null ? ' && ' : ''}${max != null ? `<= ${max}` : ''}`;
    throw outOfRange(name, range, value);
  }
}

export function validateInteger(value: unknown, name: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): asserts value is number {
  if (typeof value !== 'number') throw invalidArgType(name, 'number', value);
  if (!Number.isInteger(value)) throw outOfRange(name, 'an integer', value);
  if (value < min || value > max) throw outOfRange(name, `>= ${min} && <= ${max}`, value);
}

export function validateInt32(value: unknown, name: string, min = -2147483648, max = 2147483647): asserts value is number {
  if (typeof value !== 'number') throw invalidArgType(name, 'number', value);
  if (!Number.isInteger(value)) throw outOfRange(name, 'an integer', value);
  if (value < min || value > max) throw outOfRange(name, `>= ${min} && <= ${max}`, value);
}

export function validateUint32(value: unknown, name: string, positive = false): asserts value is number {
  if (typeof value !== 'number') throw invalidArgType(name, 'number', value);
  if (!Number.isInteger(value)) throw outOfRange(name, 'an integer', value);
  const min = positive ? 1 : 0;
  if (value < min || value > 4294967295) throw outOfRange(name, `>= ${min} && <= 4294967295`, value);
}

export function validateBoolean(value: unknown, name: string): asserts value is boolean {
  if (typeof value !== 'boolean') throw invalidArgType(name, 'boolean', value);
}

export function validateString(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string') throw invalidArgType(name, 'string', value);
}

export function validateFunction(value: unknown, name: string): asserts value is (...args: never[]) => unknown {
  if (typeof value !== 'function') throw invalidArgType(name, 'Function', value);
}

export function validateObject(value: unknown, name: string): asserts value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalidArgType(name, 'Object', value);
}

export function validateAbortSignal(value: unknown, name: string): asserts value is AbortSignal {
  if (value !== undefined && (value === null || typeof value !== 'object' || !('aborted' in value))) {
    throw invalidArgType(name, 'AbortSignal', value);
  }
}

export function validateOneOf<T>(value: unknown, name: string, choices: readonly T[]): asserts value is T {
  if (!choices.includes(value as T)) {
    const allowed = choices.map((v) => (typeof v === 'string' ? `'${v}'` : String(v))).join(', ');
    throw invalidArgValue(name, value, `must be one of: ${allowed}`);
  }
}

/** Node's validatePort: integer 0..65535 as number or numeric string. Returns the number. */
export function validatePort(port: unknown, name = 'Port', allowZero = true): number {
  if ((typeof port !== 'number' && typeof port !== 'string') ||
      (typeof port === 'string' && port.trim().length === 0) ||
      +port !== (+port >>> 0) || +port > 0xFFFF || (+port === 0 && !allowZero)) {
    throw badPort(name, port, allowZero);
  }
  return +port | 0;
}

/** Node's validateStringWithoutNullBytes: a string, and no U+0000 in it (C APIs would cut it there). */
export function validateStringWithoutNullBytes(value: unknown, name: string): asserts value is string {
  validateString(value, name);
  if (value.includes('\0')) throw invalidArgValue(name, value, 'must be a string without null bytes');
}

/**
 * A net.Socket is a byte stream: Node's constructor refuses objectMode, readableObjectMode and
 * writableObjectMode (checked in that order, before any other option).
 */
export function validateNoObjectMode(options: unknown): void {
  if (options == null) return;
  const o = options as { objectMode?: unknown; readableObjectMode?: unknown; writableObjectMode?: unknown };
  if (o.objectMode) throw invalidArgValue('options.objectMode', o.objectMode, 'is not supported');
  if (o.readableObjectMode || o.writableObjectMode) {
    const name = o.readableObjectMode ? 'readableObjectMode' : 'writableObjectMode';
    throw invalidArgValue(`options.${name}`, o.readableObjectMode || o.writableObjectMode, 'is not supported');
  }
}
