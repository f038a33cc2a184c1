// net.BlockList with Node's matching rules, compiled into sorted interval tables so check() is a
// binary search instead of a walk over every rule.
//
// How Node compares an address A with a rule (node_sockaddr.cc): an IPv4 address and an
// IPv4-mapped IPv6 address (::ffff:a.b.c.d) are the same for address and subnet rules. Range
// bounds are compared one by one, and an IPv4 value compared with a non-mapped IPv6 value is "not
// comparable" (the range does not match). So, with IPv4 lifted to ::ffff:a.b.c.d:
// - A plain IPv4 matches addresses and subnets over the mapped block, and ranges whose both ends
//   are IPv4 or mapped.
// - A mapped IPv6 matches the same, plus any range (clipped to the mapped block) that has a
//   non-mapped IPv6 end, since it compares with every kind of bound.
// - Any other IPv6 matches IPv6 addresses, subnets, and ranges with no IPv4 end.
// Each of the three cases gets its own merged interval table.
import { inspect } from 'node:util';
import { parseIPv4, parseIPv6 } from './ip.js';
import { SocketAddress, kAddress, KIND_V4, KIND_MAPPED, KIND_V6, type AddressState } from './socketaddress.js';
import { invalidArgType, invalidArgValue, outOfRange } from './errors.js';

/** What the core needs from a block list: crossnet's, or the runtime's own net.BlockList. */
export type BlockListLike = { check(address: string, family?: string): boolean };

/**
 * True for crossnet's BlockList and for a runtime's built-in one (duck-typed on `check` and
 * `rules`, so node:net never has to be loaded to tell).
 */
export function isBlockListLike(value: unknown): value is BlockListLike {
  if (value === null || typeof value !== 'object') return false;
  if (BlockList.isBlockList(value)) return true;
  return typeof (value as BlockListLike).check === 'function' && 'rules' in value;
}

const inspectCustom = Symbol.for('nodejs.util.inspect.custom');
const kState: unique symbol = Symbol('kState');

type Words = [number, number, number, number];
type InspectOptions = { depth?: number | null; [key: string]: unknown };

/** The mapped block ::ffff:0.0.0.0 - ::ffff:255.255.255.255 as 32-bit words. */
const MAPPED_LO: Words = [0, 0, 0xffff, 0];
const MAPPED_HI: Words = [0, 0, 0xffff, 0xffffffff];

function words(s: AddressState): Words {
  const w = s.w;
  return [
    (w[0] * 0x10000 + w[1]),
    (w[2] * 0x10000 + w[3]),
    (w[4] * 0x10000 + w[5]),
    (w[6] * 0x10000 + w[7]),
  ];
}

function cmp(a: ArrayLike<number>, ai: number, b: ArrayLike<number>, bi: number): number {
  for (let k = 0; k < 4; k++) {
    const x = a[ai + k];
    const y = b[bi + k];
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Node's SocketAddress::compare: -1, 0, 1, or NaN when not comparable. */
function compare(a: AddressState, b: AddressState): number {
  if ((a.kind === KIND_V4 && b.kind === KIND_V6) || (a.kind === KIND_V6 && b.kind === KIND_V4)) return NaN;
  return cmp(words(a), 0, words(b), 0);
}

/** A compiled set of uint32 intervals: sorted, merged; lo/hi in parallel arrays. */
interface Table32 { lo: Float64Array; hi: Float64Array; n: number }
/** A compiled set of 128-bit intervals, four 32-bit words per bound. */
interface Table128 { lo: Float64Array; hi: Float64Array; n: number }

function build32(pairs: number[]): Table32 {
  const count = pairs.length >> 1;
  const order = Array.from({ length: count }, (_, i) => i);
  order.sort((x, y) => pairs[2 * x] - pairs[2 * y]);
  const lo = new Float64Array(count);
  const hi = new Float64Array(count);
  let n = 0;
  for (const i of order) {
    const l = pairs[2 * i];
    const h = pairs[2 * i + 1];
    if (n > 0 && l <= hi[n - 1] + 1) {
      if (h > hi[n - 1]) hi[n - 1] = h;
    } else {
      lo[n] = l;
      hi[n] = h;
      n++;
    }
  }
  return { lo, hi, n };
}

function in32(t: Table32, x: number): boolean {
  const lo = t.lo;
  let a = 0;
  let b = t.n - 1;
  let found = -1;
  while (a <= b) {
    const mid = (a + b) >> 1;
    if (lo[mid] <= x) { found = mid; a = mid + 1; } else b = mid - 1;
  }
  return found >= 0 && x <= t.hi[found];
}

function build128(bounds: number[]): Table128 {
  const count = bounds.length >> 3;
  const order = Array.from({ length: count }, (_, i) => i);
  order.sort((x, y) => cmp(bounds, 8 * x, bounds, 8 * y));
  const lo = new Float64Array(4 * count);
  const hi = new Float64Array(4 * count);
  let n = 0;
  for (const i of order) {
    const at = 8 * i;
    if (n > 0 && cmp(bounds, at, hi, 4 * (n - 1)) <= 0) {
      // Overlaps the previous interval: extend it.
      if (cmp(bounds, at + 4, hi, 4 * (n - 1)) > 0) for (let k = 0; k < 4; k++) hi[4 * (n - 1) + k] = bounds[at + 4 + k];
    } else {
      for (let k = 0; k < 4; k++) {
        lo[4 * n + k] = bounds[at + k];
        hi[4 * n + k] = bounds[at + 4 + k];
      }
      n++;
    }
  }
  return { lo, hi, n };
}

function in128(t: Table128, x: ArrayLike<number>): boolean {
  let a = 0;
  let b = t.n - 1;
  let found = -1;
  while (a <= b) {
    const mid = (a + b) >> 1;
    if (cmp(t.lo, 4 * mid, x, 0) <= 0) { found = mid; a = mid + 1; } else b = mid - 1;
  }
  return found >= 0 && cmp(x, 0, t.hi, 4 * found) <= 0;
}

/** [lo, hi] clipped to the mapped block, as IPv4 numbers; undefined when they do not meet. */
function clipMapped(lo: Words, hi: Words): [number, number] | undefined {
  const l = cmp(lo, 0, MAPPED_LO, 0) < 0 ? MAPPED_LO : lo;
  const h = cmp(hi, 0, MAPPED_HI, 0) > 0 ? MAPPED_HI : hi;
  if (cmp(l, 0, h, 0) > 0) return undefined;
  return [l[3], h[3]];
}

interface State {
  /** Address rules by identity (IPv4 and mapped share a key), oldest first; value = rule text. */
  addresses: Map<number | string, string>;
  subnets: string[];
  ranges: string[];
  /** Intervals for plain IPv4 and mapped addresses (pairs). */
  v4: number[];
  /** Extra intervals only a mapped IPv6 address matches (pairs). */
  mappedOnly: number[];
  /** Intervals for other IPv6 addresses (lo words then hi words, 8 numbers each). */
  v6: number[];
  /** Compiled tables, rebuilt lazily after a change. */
  t4: Table32 | undefined;
  tm: Table32 | undefined;
  t6: Table128 | undefined;
}

// fromJSON's rule patterns. They reproduce Node's on purpose, quirks included: the IPv6 ones take
// hex digits and colons only, so `::ffff:1.2.3.4` is read as `::ffff:1`.
const QUAD = String.raw`\d{1,3}(?:\.\d{1,3}){3}`;
const V4_SUBNET = new RegExp(String.raw`Subnet: IPv4 (${QUAD})\/(\d{1,2})`);
const V4_ADDRESS = new RegExp(`Address: IPv4 (${QUAD})`);
const V4_RANGE = new RegExp(`Range: IPv4 (${QUAD})-(${QUAD})`);
const V6_SUBNET = /Subnet: IPv6 ([0-9a-f:]{1,39})\/([0-9]{1,3})/i;
const V6_ADDRESS = /Address: IPv6 ([0-9a-f:]{1,39})/i;
const V6_RANGE = /Range: IPv6 ([0-9a-f:]{1,39})-([0-9a-f:]{1,39})/i;

const EMPTY32: Table32 = { lo: new Float64Array(0), hi: new Float64Array(0), n: 0 };
const scratch = new Uint16Array(8);
const scratchWords = [0, 0, 0, 0];

function label(s: AddressState): string {
  return s.family === 'ipv4' ? 'IPv4' : 'IPv6';
}

function toAddress(value: unknown, name: string, family: unknown): AddressState {
  if (SocketAddress.isSocketAddress(value)) return value[kAddress];
  if (typeof value !== 'string') throw invalidArgType(name, 'string', value);
  if (typeof family !== 'string') throw invalidArgType('family', 'string', family);
  return new SocketAddress({ address: value, family })[kAddress];
}

function toSocketAddress(s: AddressState): SocketAddress {
  const sa = Object.create(SocketAddress.prototype) as SocketAddress;
  sa[kAddress] = s;
  return sa;
}

function changed(st: State): void {
  st.t4 = undefined;
  st.tm = undefined;
  st.t6 = undefined;
}

function compile(st: State): State {
  st.t4 = build32(st.v4);
  st.tm = st.mappedOnly.length ? build32(st.v4.concat(st.mappedOnly)) : st.t4;
  st.t6 = build128(st.v6);
  return st;
}

export class BlockList {
  declare [kState]: State;

  /** True for crossnet's BlockList (Node's test: the internal handle is present). */
  static isBlockList(value: unknown): value is BlockList {
    return (value as { [kState]?: unknown } | null | undefined)?.[kState] !== undefined;
  }

  constructor() {
    this[kState] = {
      addresses: new Map(), subnets: [], ranges: [], v4: [], mappedOnly: [], v6: [],
      t4: EMPTY32, tm: EMPTY32, t6: undefined,
    };
  }

  addAddress(address: string | SocketAddress, family: string = 'ipv4'): void {
    const a = toAddress(address, 'address', family);
    const st = this[kState];
    const key = a.kind === KIND_V6 ? a.address : a.v4;
    // Node 24.21 keeps one rule per address (an IPv4 and its mapped form are one), the latest.
    const known = st.addresses.delete(key);
    st.addresses.set(key, `Address: ${label(a)} ${a.address}`);
    if (known) return;
    if (a.kind === KIND_V6) {
      const w = words(a);
      st.v6.push(...w, ...w);
    } else {
      st.v4.push(a.v4, a.v4);
    }
    changed(st);
  }

  addRange(start: string | SocketAddress, end: string | SocketAddress, family: string = 'ipv4'): void {
    const s = toAddress(start, 'start', family);
    const e = toAddress(end, 'end', family);
    if (compare(s, e) > 0) throw invalidArgValue('start', toSocketAddress(s), 'must come before end');
    const st = this[kState];
    st.ranges.push(`Range: ${label(s)} ${s.address}-${e.address}`);
    const lo = words(s);
    const hi = words(e);
    if (s.kind !== KIND_V6 && e.kind !== KIND_V6) {
      st.v4.push(s.v4, e.v4);
    } else {
      // A non-mapped IPv6 bound: plain IPv4 never compares with it; mapped IPv6 always does.
      if (cmp(lo, 0, hi, 0) <= 0) {
        const clipped = clipMapped(lo, hi);
        if (clipped) st.mappedOnly.push(clipped[0], clipped[1]);
        if (s.kind !== KIND_V4 && e.kind !== KIND_V4) st.v6.push(...lo, ...hi);
      }
    }
    changed(st);
  }

  addSubnet(network: string | SocketAddress, prefix: number, family: string = 'ipv4'): void {
    const n = toAddress(network, 'network', family);
    const max = n.family === 'ipv4' ? 32 : 128;
    if (typeof prefix !== 'number') throw invalidArgType('prefix', 'number', prefix);
    if (!Number.isInteger(prefix)) throw outOfRange('prefix', 'an integer', prefix);
    if (prefix < 0 || prefix > max) throw outOfRange('prefix', `>= 0 && <= ${max}`, prefix);
    prefix += 0; // -0 prints as 0
    const st = this[kState];
    st.subnets.push(`Subnet: ${label(n)} ${n.address}/${prefix}`);
    // An IPv4 subnet is the mapped block's subnet of prefix + 96.
    const bits = n.family === 'ipv4' ? prefix + 96 : prefix;
    const w = words(n);
    const lo: Words = [0, 0, 0, 0];
    const hi: Words = [0, 0, 0, 0];
    for (let k = 0; k < 4; k++) {
      const keep = Math.min(32, Math.max(0, bits - 32 * k));
      const mask = keep === 0 ? 0 : keep === 32 ? 0xffffffff : (0xffffffff << (32 - keep)) >>> 0;
      lo[k] = (w[k] & mask) >>> 0;
      hi[k] = (w[k] | ~mask) >>> 0;
    }
    const clipped = clipMapped(lo, hi);
    if (clipped) st.v4.push(clipped[0], clipped[1]);
    // Other IPv6 addresses can only fall in the part outside the mapped block.
    if (cmp(lo, 0, MAPPED_LO, 0) < 0 || cmp(hi, 0, MAPPED_HI, 0) > 0) st.v6.push(...lo, ...hi);
    changed(st);
  }

  check(address: string | SocketAddress, family: string = 'ipv4'): boolean {
    const st = this[kState];
    if (SocketAddress.isSocketAddress(address)) {
      const a = address[kAddress];
      if (a.kind === KIND_V4) return in32(st.t4 ?? compile(st).t4!, a.v4);
      if (a.kind === KIND_MAPPED) return in32(st.tm ?? compile(st).tm!, a.v4);
      return in128(st.t6 ?? compile(st).t6!, words(a));
    }
    if (typeof address !== 'string') throw invalidArgType('address', 'string', address);
    if (typeof family !== 'string') throw invalidArgType('family', 'string', family);
    // Node 24.21 parses the string directly: 'ipv4' (any case) is IPv4, anything else IPv6.
    if (family === 'ipv4' || (family !== 'ipv6' && family.toLowerCase() === 'ipv4')) {
      const v = parseIPv4(address);
      return v >= 0 && in32(st.t4 ?? compile(st).t4!, v);
    }
    const w = scratch;
    if (!parseIPv6(address, w)) return false;
    if (w[0] === 0 && w[1] === 0 && w[2] === 0 && w[3] === 0 && w[4] === 0 && w[5] === 0xffff) {
      return in32(st.tm ?? compile(st).tm!, w[6] * 0x10000 + w[7]);
    }
    const x = scratchWords;
    x[0] = w[0] * 0x10000 + w[1];
    x[1] = w[2] * 0x10000 + w[3];
    x[2] = w[4] * 0x10000 + w[5];
    x[3] = w[6] * 0x10000 + w[7];
    return in128(st.t6 ?? compile(st).t6!, x);
  }

  /** The rules (Node 24.5+). */
  toJSON(): string[] {
    return this.rules;
  }

  /**
   * Add rules from `rules`-style strings, or a JSON text of them (Node 24.5+). Like Node, each
   * string is searched (not matched whole) for a rule; strings with none are skipped.
   */
  fromJSON(data: string | readonly string[]): void {
    let list: unknown = data;
    if (typeof list === 'string') list = JSON.parse(list);
    else if (!Array.isArray(list)) throw invalidArgType('data', ['string', 'string[]'], list);
    if (!Array.isArray(list) || list.some((item) => typeof item !== 'string')) {
      throw invalidArgType('data', ['string', 'string[]'], list);
    }
    for (const item of list as string[]) {
      let m: RegExpMatchArray | null;
      if (item.includes('IPv4')) {
        if ((m = item.match(V4_SUBNET))) { this.addSubnet(m[1], Number.parseInt(m[2], 10)); continue; }
        if ((m = item.match(V4_ADDRESS))) { this.addAddress(m[1]); continue; }
        if ((m = item.match(V4_RANGE))) { this.addRange(m[1], m[2]); continue; }
      }
      if (item.includes('IPv6')) {
        if ((m = item.match(V6_SUBNET))) { this.addSubnet(m[1], Number.parseInt(m[2], 10), 'ipv6'); continue; }
        if ((m = item.match(V6_ADDRESS))) { this.addAddress(m[1], 'ipv6'); continue; }
        if ((m = item.match(V6_RANGE))) this.addRange(m[1], m[2], 'ipv6');
      }
    }
  }

  /** The rules as Node 24.21 lists them: addresses, then subnets, then ranges, newest first. */
  get rules(): string[] {
    const st = this[kState];
    const out: string[] = [];
    for (const text of st.addresses.values()) out.push(text);
    out.reverse();
    for (let i = st.subnets.length - 1; i >= 0; i--) out.push(st.subnets[i]);
    for (let i = st.ranges.length - 1; i >= 0; i--) out.push(st.ranges[i]);
    return out;
  }

  [inspectCustom](depth: number, options: InspectOptions): unknown {
    if (depth < 0) return this;
    const opts = { ...options, depth: options.depth == null ? null : options.depth - 1 };
    return `BlockList ${inspect({ rules: this.rules }, opts)}`;
  }
}
