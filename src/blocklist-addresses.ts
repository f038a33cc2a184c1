// BlockList's address rules, kept as Node 24.21+/26.8+ keeps them (so `rules` lists them in Node's
// order), and the rule equality removeSubnet/removeRange use (the whole sockaddr, zone included).
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import process from 'node:process';
import { KIND_V4, KIND_MAPPED, type AddressState } from './socketaddress.ts';

/** 'IPv4' or 'IPv6', as a rule's text names the family. */
export function label(s: AddressState): string {
  return s.family === 'ipv4' ? 'IPv4' : 'IPv6';
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
export interface AddressEntry { s: AddressState; text: string; primary: number | string }

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

export class AddressTable {
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
export function putAddress(table: AddressTable, a: AddressState): boolean {
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

export function eraseAddress(table: AddressTable, a: AddressState): boolean {
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
export function sameSockaddr(a: AddressState, b: AddressState): boolean {
  if (a.family !== b.family || a.port !== b.port) return false;
  if (a.family === 'ipv4') return a.v4 === b.v4;
  for (let k = 0; k < 8; k++) if (a.w[k] !== b.w[k]) return false;
  return a.flowlabel === b.flowlabel && scopeOf(a) === scopeOf(b);
}
