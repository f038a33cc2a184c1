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
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import process from 'node:process';
import { parseIPv4, parseIPv6 } from './ip.ts';
import { SocketAddress, kAddress, KIND_V4, KIND_MAPPED, KIND_V6, type AddressState } from './socketaddress.ts';
import { invalidArgType, invalidArgValue, outOfRange } from './errors.ts';

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

// ---- Address rules, kept in the order Node lists them ----
//
// Node 24.21+/26.8+ keeps address rules in a C++ std::unordered_map keyed by the IP alone, and
// `rules` walks that table, so the order of address rules is the table's. An IPv4 address and an
// IPv4-mapped IPv6 one are each stored under both forms (two nodes sharing one rule), and a rule is
// listed where the first of its nodes is met. To list the same order, this replays the table as
// Node's Linux builds (libstdc++) run it: the hash Node computes from the address bytes, prime
// bucket counts growing from 13 as the node count passes them, new nodes placed at the front of
// their bucket (or of the whole list for an empty bucket), libstdc++'s erase and rehash relinking,
// and clear() keeping the bucket count. (Node built with another C++ library orders differently.)

/** A rule: the latest SocketAddress added for that IP, and its `rules` text. */
interface AddressEntry { s: AddressState; text: string; primary: number | string }

interface HNode {
  next: HNode | null;
  /** The 64-bit hash as four 16-bit limbs, lowest first. */
  h0: number; h1: number; h2: number; h3: number;
  /** Bucket index for the current bucket count. */
  b: number;
  key: number | string;
  entry: AddressEntry;
}
interface HHead { next: HNode | null }

/** libstdc++'s bucket counts: 1 before the first insert, then each step when the count passes it. */
const BUCKETS = [13, 29, 59, 127, 257, 541, 1109, 2357, 5087, 10273, 20753, 42043, 85229, 172933, 351061,
  712697, 1447153, 2938679, 5967347, 12117689, 24607243, 49969847, 101473717, 206062531, 418451333,
  849749479, 1725587117, 3504151727, 8589934583];

// Node's IpHash constants as 16-bit limbs, lowest first.
const C1 = [0xacc9, 0x962e, 0x4b93, 0x8bb8];
const C1_V4 = [0xaccd, 0x962e, 0x4b93, 0x8bb8];
const C1_V6 = [0xacd9, 0x962e, 0x4b93, 0x8bb8];
const K2_V4 = [0xbfd2, 0x7d8f, 0x6556, 0x4227];
const K2_V6 = [0xbfc6, 0x7d8f, 0x6556, 0x4227];
const hA = [0, 0, 0, 0];
const hB = [0, 0, 0, 0];
const prod = new Float64Array(8);

/** prod = a * b (64 x 64 -> 128 bits, 16-bit limbs). */
function mul128(a: ArrayLike<number>, b: ArrayLike<number>): void {
  prod.fill(0);
  for (let i = 0; i < 4; i++) {
    const x = a[i];
    if (x === 0) continue;
    for (let j = 0; j < 4; j++) prod[i + j] += x * b[j];
  }
  let carry = 0;
  for (let k = 0; k < 8; k++) {
    const v = prod[k] + carry;
    carry = Math.floor(v / 65536);
    prod[k] = v - carry * 65536;
  }
}

const swap16 = (x: number): number => ((x & 0xff) << 8) | (x >>> 8);

/** The table key and hash of an IP: IPv4 by its number, IPv6 by its words. */
function hashInto(node: HNode, v4: boolean, w: ArrayLike<number>): void {
  // The address bytes read as little-endian 64-bit words (IPv4: one 32-bit word).
  if (v4) {
    const s0 = swap16(w[6]);
    const s1 = swap16(w[7]);
    hA[0] = K2_V4[0] ^ s0; hA[1] = K2_V4[1] ^ s1; hA[2] = K2_V4[2]; hA[3] = K2_V4[3];
    hB[0] = C1[0] ^ s0; hB[1] = C1[1] ^ s1; hB[2] = C1[2]; hB[3] = C1[3];
  } else {
    for (let k = 0; k < 4; k++) {
      hA[k] = K2_V6[k] ^ swap16(w[4 + k]);
      hB[k] = C1[k] ^ swap16(w[k]);
    }
  }
  const c = v4 ? C1_V4 : C1_V6;
  mul128(hA, hB);
  for (let k = 0; k < 4; k++) {
    hA[k] = c[k] ^ prod[4 + k];
    hB[k] = 0xaaaa ^ prod[k];
  }
  mul128(hA, hB);
  node.h0 = prod[0] ^ prod[4];
  node.h1 = prod[1] ^ prod[5];
  node.h2 = prod[2] ^ prod[6];
  node.h3 = prod[3] ^ prod[7];
}

class AddressTable {
  head: HHead = { next: null };
  buckets: (HNode | HHead | null)[] = [null];
  nb = 1;
  /** 2^16, 2^32 and 2^48 modulo nb, for the bucket of a hash in one division. */
  m1 = 0;
  m2 = 0;
  m3 = 0;
  nextResize = 0;
  count = 0;
  /** Rules (not nodes). */
  entries = 0;

  private bucketOf(n: HNode): number {
    return (n.h3 * this.m3 + n.h2 * this.m2 + n.h1 * this.m1 + n.h0) % this.nb;
  }

  /** The node for a key in bucket b (a bucket's nodes are contiguous, after buckets[b]). */
  private find(b: number, key: number | string): HNode | null {
    const before = this.buckets[b];
    if (!before) return null;
    for (let p = before.next; p && p.b === b; p = p.next) if (p.key === key) return p;
    return null;
  }

  /** Insert or reassign one node (std::unordered_map::operator[] then assignment); true if new. */
  put(key: number | string, v4: boolean, w: ArrayLike<number>, entry: AddressEntry): boolean {
    const node: HNode = { next: null, h0: 0, h1: 0, h2: 0, h3: 0, b: 0, key, entry };
    hashInto(node, v4, w);
    node.b = this.bucketOf(node);
    const found = this.find(node.b, key);
    if (found) { found.entry = entry; return false; }
    // _Prime_rehash_policy with max_load_factor 1.
    if (this.count + 1 > this.nextResize) {
      const next = this.nextResize === 0 ? BUCKETS[0] : nextBuckets(this.nb);
      this.nextResize = next;
      if (next > this.nb) {
        this.rehash(next);
        node.b = this.bucketOf(node);
      }
    }
    const before = this.buckets[node.b];
    if (before) {
      node.next = before.next;
      before.next = node;
    } else {
      node.next = this.head.next;
      this.head.next = node;
      if (node.next) this.buckets[node.next.b] = node;
      this.buckets[node.b] = this.head;
    }
    this.count++;
    return true;
  }

  /** Erase one node (libstdc++'s relinking); false when the key is not there. */
  erase(key: number | string, v4: boolean, w: ArrayLike<number>): boolean {
    const probe = scratchNode;
    hashInto(probe, v4, w);
    const b = this.bucketOf(probe);
    const first = this.buckets[b];
    if (!first) return false;
    let prev: HNode | HHead = first;
    let n = first.next;
    while (n && n.b === b && n.key !== key) { prev = n; n = n.next; }
    if (!n || n.b !== b) return false;
    const next = n.next;
    if (prev === first) {
      if (!next || next.b !== b) {
        if (next) this.buckets[next.b] = first;
        if (first === this.head) this.head.next = next;
        this.buckets[b] = null;
      }
    } else if (next && next.b !== b) {
      this.buckets[next.b] = prev;
    }
    prev.next = next;
    this.count--;
    return true;
  }

  private rehash(nb: number): void {
    const buckets: (HNode | HHead | null)[] = new Array(nb).fill(null);
    this.nb = nb;
    this.m1 = 65536 % nb;
    this.m2 = (this.m1 * 65536) % nb;
    this.m3 = (this.m2 * 65536) % nb;
    let p = this.head.next;
    this.head.next = null;
    let first = 0;
    while (p) {
      const next: HNode | null = p.next;
      const b = p.b = this.bucketOf(p);
      const before = buckets[b];
      if (!before) {
        p.next = this.head.next;
        this.head.next = p;
        buckets[b] = this.head;
        if (p.next) buckets[first] = p;
        first = b;
      } else {
        p.next = before.next;
        before.next = p;
      }
      p = next;
    }
    this.buckets = buckets;
  }

  clear(): void {
    this.head.next = null;
    this.buckets.fill(null);
    this.count = 0;
    this.entries = 0;
  }
}

const scratchNode: HNode = { next: null, h0: 0, h1: 0, h2: 0, h3: 0, b: 0, key: 0, entry: undefined as unknown as AddressEntry };

function nextBuckets(nb: number): number {
  for (const n of BUCKETS) if (n >= 2 * nb) return n;
  return 2 * nb + 1;
}

function v6Key(w: ArrayLike<number>): string {
  return String.fromCharCode(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]);
}

/** Add (or respell) an address rule, as Node does: under the address's form, then the other one. */
function putAddress(table: AddressTable, a: AddressState): boolean {
  const entry: AddressEntry = { s: a, text: `Address: ${label(a)} ${a.address}`, primary: 0 };
  let isNew: boolean;
  if (a.kind === KIND_V4) {
    entry.primary = a.v4;
    isNew = table.put(a.v4, true, a.w, entry);
    table.put(v6Key(a.w), false, a.w, entry);
  } else {
    const own = entry.primary = v6Key(a.w);
    isNew = table.put(own, false, a.w, entry);
    if (a.kind === KIND_MAPPED) table.put(a.v4, true, a.w, entry);
  }
  if (isNew) table.entries++;
  return isNew;
}

function eraseAddress(table: AddressTable, a: AddressState): boolean {
  let removed: boolean;
  if (a.kind === KIND_V4) {
    removed = table.erase(a.v4, true, a.w);
    table.erase(v6Key(a.w), false, a.w);
  } else {
    removed = table.erase(v6Key(a.w), false, a.w);
    if (a.kind === KIND_MAPPED) table.erase(a.v4, true, a.w);
  }
  if (removed) table.entries--;
  return removed;
}

// ---- Rule equality for removeSubnet / removeRange ----

const ifIndexCache = new Map<string, number | string>();

/**
 * What libuv makes of a zone id: the interface index (if_nametoindex; 0 for an unknown name or a
 * number), or on Windows the number itself. Names are looked up once per process.
 */
function scopeOf(s: AddressState): number | string {
  const zone = s.zone;
  if (!zone) return 0;
  if (process.platform === 'win32') {
    const m = /^\s*([+-]?\d+)/.exec(zone);
    return m ? Number.parseInt(m[1], 10) >>> 0 : 0;
  }
  let known = ifIndexCache.get(zone);
  if (known === undefined) {
    known = interfaceIndex(zone);
    ifIndexCache.set(zone, known);
  }
  return known;
}

type DenoPermissions = { permissions?: { querySync?(d: { name: string; path?: string; kind?: string }): { state: string } } };

function interfaceIndex(name: string): number | string {
  // IFNAMSIZ is 16 with the NUL; no interface name holds a slash.
  if (name.length >= 16 || name.includes('/') || name === '.' || name === '..') return 0;
  const deno = (globalThis as { Deno?: DenoPermissions }).Deno;
  const allowed = (d: { name: string; path?: string; kind?: string }): boolean => {
    if (!deno) return true;
    try { return deno.permissions?.querySync?.(d).state === 'granted'; } catch { return false; }
  };
  if (process.platform === 'linux') {
    const path = `/sys/class/net/${name}/ifindex`;
    if (!allowed({ name: 'read', path })) return 0;
    try {
      const index = Number.parseInt(readFileSync(path, 'utf8'), 10);
      return Number.isInteger(index) ? index : 0;
    } catch {
      return 0;
    }
  }
  // Elsewhere the index is not at hand: an interface the OS lists stands for itself.
  if (!allowed({ name: 'sys', kind: 'networkInterfaces' })) return 0;
  try {
    return Object.prototype.hasOwnProperty.call(networkInterfaces(), name) ? `if:${name}` : 0;
  } catch {
    return 0;
  }
}

/** Node's SocketAddress ==: the whole sockaddr (family, port, address; IPv6 flow label and scope). */
function sameSockaddr(a: AddressState, b: AddressState): boolean {
  if (a.family !== b.family || a.port !== b.port) return false;
  if (a.family === 'ipv4') return a.v4 === b.v4;
  for (let k = 0; k < 8; k++) if (a.w[k] !== b.w[k]) return false;
  return a.flowlabel === b.flowlabel && scopeOf(a) === scopeOf(b);
}

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
