// net.SocketAddress: an IP address, port and IPv6 flow label, validated and normalised the way
// Node's C++ does it (libuv's inet_pton / inet_ntop), without touching node:net.
import { inspect } from 'node:util';
import { parseIPv4, parseIPv6, formatIPv4, formatIPv6 } from './ip.ts';
import { invalidArgType, invalidArgValue, outOfRange, badPort, nodeError } from './errors.ts';

/** Where an address sits for comparisons: plain IPv4, IPv4-mapped IPv6 (::ffff:a.b.c.d), other IPv6. */
export const KIND_V4 = 0;
export const KIND_MAPPED = 1;
export const KIND_V6 = 2;
export type Kind = typeof KIND_V4 | typeof KIND_MAPPED | typeof KIND_V6;

/** The parsed form BlockList works on. `w` is the address as IPv6 words (IPv4 as ::ffff:a.b.c.d). */
export interface AddressState {
  readonly address: string;
  readonly port: number;
  readonly family: 'ipv4' | 'ipv6';
  readonly flowlabel: number;
  readonly kind: Kind;
  /** IPv4 value (unsigned 32-bit) for V4 and Mapped, else 0. */
  readonly v4: number;
  /** Eight 16-bit words; IPv4 lifted to ::ffff:a.b.c.d. */
  readonly w: Uint16Array;
  /**
   * The zone id text after `%` (up to a NUL), when the IPv6 text had one. libuv turns it into the
   * sin6_scope_id Node compares when removing BlockList subnets and ranges; nothing else reads it.
   */
  readonly zone?: string;
}

export interface SocketAddressInitOptions {
  address?: string;
  family?: string;
  port?: number | string;
  flowlabel?: number;
}

export interface SocketAddressJSON {
  address: string;
  port: number;
  family: 'ipv4' | 'ipv6';
  flowlabel: number;
}

/** The internal slot; an own symbol property like Node's kHandle, so isSocketAddress matches it. */
export const kAddress: unique symbol = Symbol('kAddress');

const inspectCustom = Symbol.for('nodejs.util.inspect.custom');
/** The 20-bit IPv6 flow label (Node aborts the process beyond it; crossnet throws instead). */
const LABEL_MASK = 0xfffff;

type InspectOptions = { depth?: number | null; [key: string]: unknown };

/** Parse an IP literal of one family as Node's C++ does; undefined when invalid. */
export function parseAddress(address: string, family: 'ipv4' | 'ipv6', port = 0, flowlabel = 0): AddressState | undefined {
  if (family === 'ipv4') {
    const v = parseIPv4(address);
    if (v < 0) return undefined;
    return fromIPv4(v, port);
  }
  const w = new Uint16Array(8);
  if (!parseIPv6(address, w)) return undefined;
  const state = fromWords(w, port, flowlabel);
  const nul = address.indexOf('\0');
  const pct = address.indexOf('%');
  if (pct >= 0 && (nul < 0 || pct < nul)) (state as { zone?: string }).zone = address.slice(pct + 1, nul < 0 ? address.length : nul);
  return state;
}

export function fromIPv4(v: number, port = 0): AddressState {
  const w = new Uint16Array(8);
  w[5] = 0xffff;
  w[6] = v >>> 16;
  w[7] = v & 0xffff;
  return { address: formatIPv4(v), port, family: 'ipv4', flowlabel: 0, kind: KIND_V4, v4: v, w };
}

export function fromWords(w: Uint16Array, port = 0, flowlabel = 0): AddressState {
  const mapped = w[0] === 0 && w[1] === 0 && w[2] === 0 && w[3] === 0 && w[4] === 0 && w[5] === 0xffff;
  return {
    address: formatIPv6(w),
    port,
    family: 'ipv6',
    flowlabel,
    kind: mapped ? KIND_MAPPED : KIND_V6,
    v4: mapped ? (w[6] * 0x10000 + w[7]) : 0,
    w,
  };
}

/** Node's validatePort(port, name): numbers and numeric strings 0-65535. */
function validatePort(port: unknown, name: string): number {
  if ((typeof port !== 'number' && typeof port !== 'string')
    || (typeof port === 'string' && port.trim().length === 0)
    || +port !== (+port >>> 0)
    || (port as number) > 0xffff) {
    throw badPort(name, port, true);
  }
  return (port as number) | 0;
}

export class SocketAddress {
  declare [kAddress]: AddressState;

  static isSocketAddress(value: unknown): value is SocketAddress {
    return (value as { [kAddress]?: unknown } | null | undefined)?.[kAddress] !== undefined;
  }

  /**
   * Parse `ip:port` or `[ipv6]:port` with the WHATWG URL parser, as Node does (so `127.1` and
   * `0x7f.1` normalise, and port 80 reads as 0 because it is http's default). Undefined when invalid.
   */
  static parse(input: string): SocketAddress | undefined {
    if (typeof input !== 'string') throw invalidArgType('input', 'string', input);
    try {
      const url = new URL(`http://${input}`);
      const host = url.hostname;
      const port = (url.port as unknown as number) | 0;
      if (host[0] === '[' && host[host.length - 1] === ']') {
        return new SocketAddress({ address: host.slice(1, -1), port, family: 'ipv6' });
      }
      return new SocketAddress({ address: host, port });
    } catch {
      return undefined;
    }
  }

  constructor(options: SocketAddressInitOptions = {}) {
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw invalidArgType('options', 'object', options);
    }
    // Same reads, in the same order, with the same defaults as Node (the default address is
    // chosen before the family is lower-cased).
    const given: unknown = options.family;
    let family: unknown = given === undefined ? 'ipv4' : given;
    const address: unknown = options.address === undefined ? (family === 'ipv4' ? '127.0.0.1' : '::') : options.address;
    const port: unknown = options.port === undefined ? 0 : options.port;
    const flowlabel: unknown = options.flowlabel === undefined ? 0 : options.flowlabel;
    if (typeof (family as { toLowerCase?: unknown } | null | undefined)?.toLowerCase === 'function') {
      family = (family as string).toLowerCase();
    }
    if (family !== 'ipv4' && family !== 'ipv6') throw invalidArgValue('options.family', options.family);
    if (typeof address !== 'string') throw invalidArgType('options.address', 'string', address);
    const portValue = validatePort(port, 'options.port');
    if (typeof flowlabel !== 'number') throw invalidArgType('options.flowlabel', 'number', flowlabel);
    if (!Number.isInteger(flowlabel)) throw outOfRange('options.flowlabel', 'an integer', flowlabel);
    if (flowlabel < 0 || flowlabel > 0xffffffff) throw outOfRange('options.flowlabel', '>= 0 && <= 4294967295', flowlabel);
    // Node ignores the label for IPv4 and aborts the process for an IPv6 label over 20 bits.
    if (family === 'ipv6' && flowlabel > LABEL_MASK) throw outOfRange('options.flowlabel', `>= 0 && <= ${LABEL_MASK}`, flowlabel);
    const state = parseAddress(address, family, portValue, family === 'ipv6' ? flowlabel : 0);
    if (state === undefined) throw nodeError('ERR_INVALID_ADDRESS');
    this[kAddress] = state;
  }

  get address(): string { return this[kAddress].address; }
  get port(): number { return this[kAddress].port; }
  get family(): 'ipv4' | 'ipv6' { return this[kAddress].family; }
  get flowlabel(): number { return this[kAddress].flowlabel; }

  toJSON(): SocketAddressJSON {
    return { address: this.address, port: this.port, family: this.family, flowlabel: this.flowlabel };
  }

  [inspectCustom](depth: number, options: InspectOptions): unknown {
    if (depth < 0) return this;
    const opts = { ...options, depth: options.depth == null ? null : options.depth - 1 };
    return `SocketAddress ${inspect(this.toJSON(), opts)}`;
  }
}
