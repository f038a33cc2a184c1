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
// Each of the three cases gets its own merged interval table. Adding a rule appends its intervals;
// removing one (Node 24.21+ / 26.8+) marks them stale, and they are rebuilt from the rules left.
import { inspect } from 'node:util';
import { parseIPv4, parseIPv6 } from './ip.ts';
import { SocketAddress, kAddress, KIND_V4, KIND_MAPPED, KIND_V6, type AddressState } from './socketaddress.ts';
import { invalidArgType, invalidArgValue, outOfRange } from './errors.ts';
import {
  build128, build32, clipMapped, cmp, compare, EMPTY32, in128, in32, MAPPED_HI, MAPPED_LO, words, type Table128, type Table32, type Words,
} from './blocklist-intervals.ts';
import { AddressTable, eraseAddress, label, putAddress, sameSockaddr, type AddressEntry } from './blocklist-addresses.ts';

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

type InspectOptions = { depth?: number | null; [key: string]: unknown };

interface SubnetRule { net: AddressState; prefix: number; text: string }
interface RangeRule { start: AddressState; end: AddressState; text: string }

interface State {
  addresses: AddressTable;
  /** Oldest first (listed newest first). */
  subnets: SubnetRule[];
  ranges: RangeRule[];
  /** Intervals for plain IPv4 and mapped addresses (pairs). */
  v4: number[];
  /** Extra intervals only a mapped IPv6 address matches (pairs). */
  mappedOnly: number[];
  /** Intervals for other IPv6 addresses (lo words then hi words, 8 numbers each). */
  v6: number[];
  /** A rule was removed: the interval lists are rebuilt from the rules before compiling. */
  stale: boolean;
  /** Compiled tables, rebuilt lazily after a change. */
  t4: Table32 | undefined;
  tm: Table32 | undefined;
  t6: Table128 | undefined;
}

// fromJSON's rule patterns, Node 26's (and 24.22's) on purpose, quirks included: a rule is searched
// for anywhere in the string, and the IPv6 ones take hex digits, colons and dots.
const QUAD = String.raw`\d{1,3}(?:\.\d{1,3}){3}`;
const V4_SUBNET = new RegExp(String.raw`Subnet: IPv4 (${QUAD})\/(\d{1,2})`);
const V4_ADDRESS = new RegExp(`Address: IPv4 (${QUAD})`);
const V4_RANGE = new RegExp(`Range: IPv4 (${QUAD})-(${QUAD})`);
const V6_SUBNET = /Subnet: IPv6 ([0-9a-f:.]{1,45})\/([0-9]{1,3})/i;
const V6_ADDRESS = /Address: IPv6 ([0-9a-f:.]{1,45})/i;
const V6_RANGE = /Range: IPv6 ([0-9a-f:.]{1,45})-([0-9a-f:.]{1,45})/i;

const scratch = new Uint16Array(8);
const scratchWords = [0, 0, 0, 0];

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

/** Node's validateInt32(prefix, 'prefix', 0, 32 or 128), then -0 as 0. */
function checkPrefix(n: AddressState, prefix: unknown): number {
  const max = n.family === 'ipv4' ? 32 : 128;
  if (typeof prefix !== 'number') throw invalidArgType('prefix', 'number', prefix);
  if (!Number.isInteger(prefix)) throw outOfRange('prefix', 'an integer', prefix);
  if (prefix < 0 || prefix > max) throw outOfRange('prefix', `>= 0 && <= ${max}`, prefix);
  return prefix + 0;
}

/** addCIDR's reading of `address/prefix`: the family from a colon, the prefix in plain decimal. */
function parseCIDR(cidr: unknown): [string, number, 'ipv4' | 'ipv6'] {
  if (typeof cidr !== 'string') throw invalidArgType('cidr', 'string', cidr);
  const slash = cidr.lastIndexOf('/');
  if (slash === -1) throw invalidArgValue('cidr', cidr, 'must contain a prefix length (e.g. "10.0.0.0/8")');
  const address = cidr.slice(0, slash);
  const text = cidr.slice(slash + 1);
  const prefix = Number.parseInt(text, 10);
  if (Number.isNaN(prefix) || `${prefix}` !== text) throw invalidArgValue('cidr', cidr, 'prefix length must be a valid integer');
  return [address, prefix, address.includes(':') ? 'ipv6' : 'ipv4'];
}

function pushAddress(st: State, a: AddressState): void {
  if (a.kind === KIND_V6) {
    const w = words(a);
    st.v6.push(...w, ...w);
  } else {
    st.v4.push(a.v4, a.v4);
  }
}

function pushRange(st: State, s: AddressState, e: AddressState): void {
  const lo = words(s);
  const hi = words(e);
  if (s.kind !== KIND_V6 && e.kind !== KIND_V6) {
    st.v4.push(s.v4, e.v4);
  } else if (cmp(lo, 0, hi, 0) <= 0) {
    // A non-mapped IPv6 bound: plain IPv4 never compares with it; mapped IPv6 always does.
    const clipped = clipMapped(lo, hi);
    if (clipped) st.mappedOnly.push(clipped[0], clipped[1]);
    if (s.kind !== KIND_V4 && e.kind !== KIND_V4) st.v6.push(...lo, ...hi);
  }
}

function pushSubnet(st: State, n: AddressState, prefix: number): void {
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
}

function changed(st: State): void {
  st.t4 = undefined;
  st.tm = undefined;
  st.t6 = undefined;
}

function compile(st: State): State {
  if (st.stale) {
    st.v4 = [];
    st.mappedOnly = [];
    st.v6 = [];
    for (let p = st.addresses.head.next; p; p = p.next) if (p.key === p.entry.primary) pushAddress(st, p.entry.s);
    for (const r of st.subnets) pushSubnet(st, r.net, r.prefix);
    for (const r of st.ranges) pushRange(st, r.start, r.end);
    st.stale = false;
  }
  st.t4 = build32(st.v4);
  st.tm = st.mappedOnly.length ? build32(st.v4.concat(st.mappedOnly)) : st.t4;
  st.t6 = build128(st.v6);
  return st;
}

function emptyState(): State {
  return {
    addresses: new AddressTable(), subnets: [], ranges: [], v4: [], mappedOnly: [], v6: [],
    stale: false, t4: EMPTY32, tm: EMPTY32, t6: undefined,
  };
}

export class BlockList {
  declare [kState]: State;

  /** True for crossnet's BlockList (Node's test: the internal handle is present). */
  static isBlockList(value: unknown): value is BlockList {
    return (value as { [kState]?: unknown } | null | undefined)?.[kState] !== undefined;
  }

  /** Private, loopback, link-local and unique-local ranges as CIDR strings (Node 24.21+, 26.8+). */
  static PRIVATE_RANGES: readonly string[] = Object.freeze([
    '10.0.0.0/8',
    '172.16.0.0/12',
    '192.168.0.0/16',
    '127.0.0.0/8',
    '::1/128',
    '169.254.0.0/16',
    'fe80::/10',
    'fc00::/7',
  ]);

  constructor() {
    this[kState] = emptyState();
  }

  addAddress(address: string | SocketAddress, family: string = 'ipv4'): void {
    const a = toAddress(address, 'address', family);
    const st = this[kState];
    // One rule per IP (an IPv4 and its mapped form are one): a repeat only respells it.
    if (putAddress(st.addresses, a)) {
      pushAddress(st, a);
      changed(st);
    }
  }

  /** Several address rules at once; nothing is added when any is invalid (Node 24.21+, 26.8+). */
  addAddresses(addresses: readonly (string | SocketAddress)[], family: string = 'ipv4'): void {
    if (!Array.isArray(addresses)) throw invalidArgType('addresses', 'Array', addresses);
    if (typeof family !== 'string') throw invalidArgType('family', 'string', family);
    const list: AddressState[] = [];
    for (let i = 0; i < addresses.length; i++) {
      const a: unknown = addresses[i];
      if (SocketAddress.isSocketAddress(a)) list.push(a[kAddress]);
      else if (typeof a !== 'string') throw invalidArgType(`addresses[${i}]`, 'string', a);
      else list.push(new SocketAddress({ address: a, family })[kAddress]);
    }
    const st = this[kState];
    for (const a of list) {
      if (putAddress(st.addresses, a)) {
        pushAddress(st, a);
        changed(st);
      }
    }
  }

  addRange(start: string | SocketAddress, end: string | SocketAddress, family: string = 'ipv4'): void {
    const s = toAddress(start, 'start', family);
    const e = toAddress(end, 'end', family);
    if (compare(s, e) > 0) throw invalidArgValue('start', toSocketAddress(s), 'must come before end');
    const st = this[kState];
    st.ranges.push({ start: s, end: e, text: `Range: ${label(s)} ${s.address}-${e.address}` });
    pushRange(st, s, e);
    changed(st);
  }

  addSubnet(network: string | SocketAddress, prefix: number, family: string = 'ipv4'): void {
    const n = toAddress(network, 'network', family);
    prefix = checkPrefix(n, prefix);
    const st = this[kState];
    st.subnets.push({ net: n, prefix, text: `Subnet: ${label(n)} ${n.address}/${prefix}` });
    pushSubnet(st, n, prefix);
    changed(st);
  }

  /** addSubnet from `'10.0.0.0/8'` text; IPv6 when the address has a colon (Node 24.21+, 26.8+). */
  addCIDR(cidr: string): void {
    const [address, prefix, family] = parseCIDR(cidr);
    this.addSubnet(address, prefix, family);
  }

  /**
   * addCIDR for each string. Every string is read first, so a malformed one adds nothing; an
   * address or prefix addSubnet refuses throws after the ones before it were added, as in Node.
   */
  addCIDRs(cidrs: readonly string[]): void {
    if (!Array.isArray(cidrs)) throw invalidArgType('cidrs', 'Array', cidrs);
    const parsed: [string, number, 'ipv4' | 'ipv6'][] = [];
    for (let i = 0; i < cidrs.length; i++) {
      const c: unknown = cidrs[i];
      if (typeof c !== 'string') throw invalidArgType(`cidrs[${i}]`, 'string', c);
      parsed.push(parseCIDR(c));
    }
    for (const [address, prefix, family] of parsed) this.addSubnet(address, prefix, family);
  }

  /** Remove the address rule for this IP (its IPv4-mapped form too); a no-op when absent. */
  removeAddress(address: string | SocketAddress, family: string = 'ipv4'): void {
    const a = toAddress(address, 'address', family);
    const st = this[kState];
    if (eraseAddress(st.addresses, a)) {
      st.stale = true;
      changed(st);
    }
  }

  /**
   * Remove the newest range rule with exactly these bounds (same family, address, port, and for
   * IPv6 flow label and zone); no error when none matches, not even for start after end.
   */
  removeRange(start: string | SocketAddress, end: string | SocketAddress, family: string = 'ipv4'): void {
    const s = toAddress(start, 'start', family);
    const e = toAddress(end, 'end', family);
    const st = this[kState];
    for (let i = st.ranges.length - 1; i >= 0; i--) {
      const r = st.ranges[i];
      if (sameSockaddr(r.start, s) && sameSockaddr(r.end, e)) {
        st.ranges.splice(i, 1);
        st.stale = true;
        changed(st);
        return;
      }
    }
  }

  /** Remove the newest subnet rule with this exact network (as removeRange compares) and prefix. */
  removeSubnet(network: string | SocketAddress, prefix: number, family: string = 'ipv4'): void {
    const n = toAddress(network, 'network', family);
    prefix = checkPrefix(n, prefix);
    const st = this[kState];
    for (let i = st.subnets.length - 1; i >= 0; i--) {
      const r = st.subnets[i];
      if (r.prefix === prefix && sameSockaddr(r.net, n)) {
        st.subnets.splice(i, 1);
        st.stale = true;
        changed(st);
        return;
      }
    }
  }

  /** removeSubnet from `'10.0.0.0/8'` text (Node 24.21+, 26.8+). */
  removeCIDR(cidr: string): void {
    const [address, prefix, family] = parseCIDR(cidr);
    this.removeSubnet(address, prefix, family);
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
    // Node parses the string directly: 'ipv4' (any case) is IPv4, anything else IPv6.
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

  /** Remove every rule (Node 24.21+, 26.8+). */
  clear(): void {
    const st = this[kState];
    st.addresses.clear();
    st.subnets = [];
    st.ranges = [];
    st.v4 = [];
    st.mappedOnly = [];
    st.v6 = [];
    st.stale = false;
    changed(st);
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

  /** The rules as Node lists them: address rules in Node's table order, then subnets, then ranges, newest first. */
  get rules(): string[] {
    const st = this[kState];
    const out: string[] = [];
    const seen = new Set<AddressEntry>();
    for (let p = st.addresses.head.next; p; p = p.next) {
      if (seen.has(p.entry)) continue;
      seen.add(p.entry);
      out.push(p.entry.text);
    }
    for (let i = st.subnets.length - 1; i >= 0; i--) out.push(st.subnets[i].text);
    for (let i = st.ranges.length - 1; i >= 0; i--) out.push(st.ranges[i].text);
    return out;
  }

  /** How many rules `rules` lists, without building it (Node 24.21+, 26.8+). */
  get size(): number {
    const st = this[kState];
    return st.addresses.entries + st.subnets.length + st.ranges.length;
  }

  [inspectCustom](depth: number, options: InspectOptions): unknown {
    if (depth < 0) return this;
    const opts = { ...options, depth: options.depth == null ? null : options.depth - 1 };
    return `BlockList ${inspect({ rules: this.rules }, opts)}`;
  }
}
