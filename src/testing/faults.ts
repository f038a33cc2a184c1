// Faults a test injects: what they are, which connects or connections they hit, and their checks
// (Node-style ERR_INVALID_ARG_VALUE / ERR_OUT_OF_RANGE for anything malformed).
import { invalidArgType, invalidArgValue, outOfRange } from '../errors.ts';
import { isIP } from '../ip.ts';

export const CONNECT_KINDS = ['refuse', 'blackhole', 'acceptError'] as const;
export const BYTE_KINDS = ['reset', 'close', 'stall'] as const;
export type FaultKind = (typeof CONNECT_KINDS)[number] | (typeof BYTE_KINDS)[number];

/** What `network.fault()` takes. */
export interface FaultSpec {
  /**
   * `'refuse'` connects (ECONNREFUSED); `'blackhole'` them (no answer: connect timeouts fire);
   * `'acceptError'`: the listener's accept fails (`code`, default EMFILE) and the client's connection closes;
   * `'reset'` (ECONNRESET), `'close'` (FIN) or `'stall'` (no more bytes) after `after` bytes sent by `from`.
   */
  kind: FaultKind;
  /** Connects to this host name (its addresses) or IP address. */
  host?: string;
  /** Connects to this port. */
  port?: number;
  /** Connects to this IPC path. */
  path?: string;
  /** One open connection (a socket of this network's `net`, either end) instead of a host/port scope. */
  connection?: object;
  /** Byte faults: whose bytes count, the client's (connecting side) or the server's. */
  from?: 'client' | 'server';
  /** Byte faults: how many bytes pass first (exactly these are delivered). Default 0. */
  after?: number;
  /** How many connects this fault hits before it is used up. Default: all. */
  times?: number;
  /** acceptError: the accept(2) error code. Default 'EMFILE'. */
  code?: string;
}

export interface Fault {
  kind: FaultKind;
  host?: string;
  port?: number;
  path?: string;
  from: 'client' | 'server';
  after: number;
  times: number;
  code: string;
  removed: boolean;
}

export function checkFault(spec: unknown): Fault & { connection?: object } {
  if (spec === null || typeof spec !== 'object') throw invalidArgType('fault', 'object', spec);
  const s = spec as Record<string, unknown>;
  const kinds: readonly string[] = [...CONNECT_KINDS, ...BYTE_KINDS];
  if (!kinds.includes(s.kind as string)) throw invalidArgValue('fault.kind', s.kind, `must be one of ${kinds.map((k) => `'${k}'`).join(', ')}`);
  const kind = s.kind as FaultKind;
  const known = ['kind', 'host', 'port', 'path', 'connection', 'from', 'after', 'times', 'code'];
  for (const k of Object.keys(s)) if (!known.includes(k)) throw invalidArgValue(`fault.${k}`, s[k], 'is not a fault option');
  if (s.host !== undefined && (typeof s.host !== 'string' || s.host === '')) throw invalidArgValue('fault.host', s.host, 'must be a host name or an IP address');
  if (s.port !== undefined && (typeof s.port !== 'number' || !Number.isInteger(s.port) || s.port < 1 || s.port > 65535)) {
    throw outOfRange('fault.port', '>= 1 && <= 65535', s.port);
  }
  if (s.path !== undefined && (typeof s.path !== 'string' || s.path === '')) throw invalidArgValue('fault.path', s.path, 'must be an IPC path');
  const byte = (BYTE_KINDS as readonly string[]).includes(kind);
  if (s.connection !== undefined) {
    if (!byte) throw invalidArgValue('fault.connection', s.connection, `cannot take a '${kind}' fault (it is already connected)`);
    if (s.host !== undefined || s.port !== undefined || s.path !== undefined || s.times !== undefined) {
      throw invalidArgValue('fault.connection', s.connection, 'is a scope of its own: give no host, port, path or times with it');
    }
  }
  let from: 'client' | 'server' = 'server';
  if (byte) {
    if (s.from !== 'client' && s.from !== 'server') throw invalidArgValue('fault.from', s.from, "must be 'client' or 'server' (whose bytes count)");
    from = s.from;
  } else if (s.from !== undefined) throw invalidArgValue('fault.from', s.from, `does not apply to a '${kind}' fault`);
  let after = 0;
  if (s.after !== undefined) {
    if (!byte) throw invalidArgValue('fault.after', s.after, `does not apply to a '${kind}' fault`);
    if (typeof s.after !== 'number') throw invalidArgType('fault.after', 'number', s.after);
    if (!Number.isInteger(s.after) || s.after < 0) throw outOfRange('fault.after', 'an integer >= 0', s.after);
    after = s.after;
  }
  let times = Infinity;
  if (s.times !== undefined) {
    if (typeof s.times !== 'number') throw invalidArgType('fault.times', 'number', s.times);
    if (!Number.isInteger(s.times) || s.times < 1) throw outOfRange('fault.times', 'an integer >= 1', s.times);
    times = s.times;
  }
  let code = 'EMFILE';
  if (s.code !== undefined) {
    if (kind !== 'acceptError') throw invalidArgValue('fault.code', s.code, `does not apply to a '${kind}' fault`);
    if (typeof s.code !== 'string' || !/^E[A-Z0-9]+$/.test(s.code)) throw invalidArgValue('fault.code', s.code, "must be an error code such as 'EMFILE'");
    code = s.code;
  }
  return { kind, host: s.host as string | undefined, port: s.port as number | undefined, path: s.path as string | undefined,
    connection: s.connection as object | undefined, from, after, times, code, removed: false };
}

/** Does a fault scoped by host/port/path hit a connect to this target? */
export function hits(f: Fault, target: { address?: string; port?: number; path?: string }, addressesOf: (host: string) => string[]): boolean {
  if (f.removed || f.times <= 0) return false;
  if (f.path !== undefined) return target.path === f.path;
  if (target.path !== undefined) return f.host === undefined && f.port === undefined;
  if (f.port !== undefined && f.port !== target.port) return false;
  if (f.host !== undefined) {
    const list = isIP(f.host) ? [f.host] : addressesOf(f.host);
    if (!list.includes(target.address!)) return false;
  }
  return true;
}
