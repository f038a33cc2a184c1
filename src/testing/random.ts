// The network's one source of randomness: a seeded generator (mulberry32), so a seed replays every
// random choice (latencies, chunk sizes, ephemeral ports, reusePort balancing) exactly.
export class Random {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** A number in [min, max] (min itself when the range is empty). */
  between(min: number, max: number): number {
    return max > min ? min + this.next() * (max - min) : min;
  }
}
