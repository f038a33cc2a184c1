// BlockList's matching: rules as merged, sorted interval tables over addresses as 32-bit words,
// so check() is a binary search (see blocklist.ts for which table an address is looked up in).
import { KIND_V4, KIND_V6, type AddressState } from './socketaddress.ts';

export type Words = [number, number, number, number];
/** The mapped block ::ffff:0.0.0.0 - ::ffff:255.255.255.255 as 32-bit words. */
export const MAPPED_LO: Words = [0, 0, 0xffff, 0];
export const MAPPED_HI: Words = [0, 0, 0xffff, 0xffffffff];

export function words(s: AddressState): Words {
  const w = s.w;
  return [
    (w[0] * 0x10000 + w[1]),
    (w[2] * 0x10000 + w[3]),
    (w[4] * 0x10000 + w[5]),
    (w[6] * 0x10000 + w[7]),
  ];
}

export function cmp(a: ArrayLike<number>, ai: number, b: ArrayLike<number>, bi: number): number {
  for (let k = 0; k < 4; k++) {
    const x = a[ai + k];
    const y = b[bi + k];
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Node's SocketAddress::compare: -1, 0, 1, or NaN when not comparable. */
export function compare(a: AddressState, b: AddressState): number {
  if ((a.kind === KIND_V4 && b.kind === KIND_V6) || (a.kind === KIND_V6 && b.kind === KIND_V4)) return NaN;
  return cmp(words(a), 0, words(b), 0);
}

/** A compiled set of uint32 intervals: sorted, merged; lo/hi in parallel arrays. */
export interface Table32 { lo: Float64Array; hi: Float64Array; n: number }
/** A compiled set of 128-bit intervals, four 32-bit words per bound. */
export interface Table128 { lo: Float64Array; hi: Float64Array; n: number }

export function build32(pairs: number[]): Table32 {
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

export function in32(t: Table32, x: number): boolean {
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

export function build128(bounds: number[]): Table128 {
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

export function in128(t: Table128, x: ArrayLike<number>): boolean {
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
export function clipMapped(lo: Words, hi: Words): [number, number] | undefined {
  const l = cmp(lo, 0, MAPPED_LO, 0) < 0 ? MAPPED_LO : lo;
  const h = cmp(hi, 0, MAPPED_HI, 0) > 0 ? MAPPED_HI : hi;
  if (cmp(l, 0, h, 0) > 0) return undefined;
  return [l[3], h[3]];
}

/** An empty IPv4 table. */
export const EMPTY32: Table32 = { lo: new Float64Array(0), hi: new Float64Array(0), n: 0 };
