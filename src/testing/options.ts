// createNetwork()'s options, checked as Node checks arguments (ERR_INVALID_ARG_TYPE,
// ERR_OUT_OF_RANGE, ERR_INVALID_ARG_VALUE), and resolved to the values the network runs with.
import { invalidArgType, invalidArgValue, outOfRange } from '../errors.ts';
import { isIP } from '../ip.ts';

/** A fixed value, or a `[min, max]` range drawn from for each use. */
export type Range = number | readonly [number, number];

export interface NetworkOptions {
  /** Seed of every random choice (latencies, chunk sizes, ports): the same seed, the same run. Default 1. */
  seed?: number;
  /**
   * One-way delay in ms, fixed or a range drawn per segment, for both directions or per direction:
   * `{ client, server }` (what the connecting side sends, what the accepting side sends). Default 0.
   */
  latency?: Range | { client?: Range; server?: Range };
  /** Bytes per second in each direction of each connection. Default unlimited. */
  bandwidth?: number;
  /** Deliver reads in chunks of this many bytes (fixed or a range), regardless of write boundaries. */
  chunkSize?: Range;
  /** Bytes a socket's send buffer holds before write callbacks wait (SO_SNDBUF). Default 65536. */
  sendBufferSize?: number;
  /** Bytes a socket's receive buffer holds before the sender stalls (SO_RCVBUF). Default 131072. */
  receiveBufferSize?: number;
  /** Host names and their addresses, in lookup order: `{ 'db.test': ['10.0.0.2', 'fd00::2'] }`. */
  hosts?: Record<string, string | readonly string[]>;
}

export interface Resolved {
  seed: number;
  latency: { client: readonly [number, number]; server: readonly [number, number] };
  bandwidth: number;
  chunkSize: readonly [number, number] | null;
  sendBufferSize: number;
  receiveBufferSize: number;
  hosts: Map<string, string[]>;
}

function range(value: unknown, name: string, min: number, integer: boolean): readonly [number, number] {
  const one = (v: unknown, n: string): number => {
    if (typeof v !== 'number') throw invalidArgType(n, 'number', v);
    if (Number.isNaN(v) || (integer && !Number.isInteger(v))) throw outOfRange(n, integer ? 'an integer' : 'a number', v);
    if (v < min || v === Infinity) throw outOfRange(n, `>= ${min} and finite`, v);
    return v;
  };
  if (Array.isArray(value)) {
    if (value.length !== 2) throw invalidArgValue(name, value, 'must be a number or a [min, max] pair');
    const lo = one(value[0], `${name}[0]`);
    const hi = one(value[1], `${name}[1]`);
    if (lo > hi) throw invalidArgValue(name, value, 'must be [min, max] with min <= max');
    return [lo, hi];
  }
  const v = one(value, name);
  return [v, v];
}

function positiveInt(value: unknown, name: string): number {
  if (typeof value !== 'number') throw invalidArgType(name, 'number', value);
  if (!Number.isInteger(value) || value < 1) throw outOfRange(name, 'an integer >= 1', value);
  return value;
}

/** Addresses given for a host name: IP literals only. */
export function hostAddresses(name: string, value: unknown): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0) throw invalidArgValue(`hosts['${name}']`, value, 'must be an IP address or a non-empty array of them');
  for (const a of list) if (!isIP(a)) throw invalidArgValue(`hosts['${name}']`, value, 'must hold IP addresses only');
  return [...list] as string[];
}

function latencies(value: unknown): Resolved['latency'] {
  if (value === undefined) return { client: [0, 0], server: [0, 0] };
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    for (const k of Object.keys(v)) if (k !== 'client' && k !== 'server') throw invalidArgValue(`options.latency.${k}`, v[k], "is not a direction ('client' or 'server')");
    return {
      client: v.client === undefined ? [0, 0] : range(v.client, 'options.latency.client', 0, false),
      server: v.server === undefined ? [0, 0] : range(v.server, 'options.latency.server', 0, false),
    };
  }
  const both = range(value, 'options.latency', 0, false);
  return { client: both, server: both };
}

export function resolveOptions(options: unknown): Resolved {
  if (options === undefined) options = {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw invalidArgType('options', 'object', options);
  const o = options as Record<string, unknown>;
  const known = ['seed', 'latency', 'bandwidth', 'chunkSize', 'sendBufferSize', 'receiveBufferSize', 'hosts'];
  for (const k of Object.keys(o)) if (!known.includes(k)) throw invalidArgValue(`options.${k}`, o[k], `is not an option of createNetwork() (${known.join(', ')})`);
  let seed = 1;
  if (o.seed !== undefined) {
    if (typeof o.seed !== 'number') throw invalidArgType('options.seed', 'number', o.seed);
    if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff) throw outOfRange('options.seed', '>= 0 && <= 4294967295', o.seed);
    seed = o.seed;
  }
  let bandwidth = Infinity;
  if (o.bandwidth !== undefined) {
    if (typeof o.bandwidth !== 'number') throw invalidArgType('options.bandwidth', 'number', o.bandwidth);
    if (!(o.bandwidth > 0)) throw outOfRange('options.bandwidth', '> 0 (bytes per second)', o.bandwidth);
    bandwidth = o.bandwidth;
  }
  const hosts = new Map<string, string[]>();
  if (o.hosts !== undefined) {
    if (o.hosts === null || typeof o.hosts !== 'object' || Array.isArray(o.hosts)) throw invalidArgType('options.hosts', 'object', o.hosts);
    for (const [name, value] of Object.entries(o.hosts)) hosts.set(name.toLowerCase(), hostAddresses(name, value));
  }
  return {
    seed,
    latency: latencies(o.latency),
    bandwidth,
    chunkSize: o.chunkSize === undefined ? null : range(o.chunkSize, 'options.chunkSize', 1, true),
    sendBufferSize: o.sendBufferSize === undefined ? 65536 : positiveInt(o.sendBufferSize, 'options.sendBufferSize'),
    receiveBufferSize: o.receiveBufferSize === undefined ? 131072 : positiveInt(o.receiveBufferSize, 'options.receiveBufferSize'),
    hosts,
  };
}
