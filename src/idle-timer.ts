// A socket's idle timeout: one unref'd timer. Activity only stamps the time; when the timer fires
// early it re-arms itself for what is left, so busy sockets cost no timer work per chunk. Like
// Node's, it fires once per idle period, and the next activity arms it again.
import { setTimeout, clearTimeout } from 'node:timers';

// Read `performance` only when a timeout is used: on Node, touching the global loads perf_hooks.
const now = (): number => performance.now();
const fire = (t: IdleTimer): void => t.fire();

export class IdleTimer {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastActive = now();

  constructor(private readonly ms: number, private readonly onIdle: () => void) {
    this.arm(ms);
  }

  touch(): void {
    this.lastActive = now();
    if (this.timer === null) this.arm(this.ms);
  }

  stop(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  fire(): void {
    this.timer = null;
    const left = this.ms - (now() - this.lastActive);
    if (left > 1) {
      this.arm(left);
      return;
    }
    this.onIdle();
  }

  private arm(ms: number): void {
    const t = setTimeout(fire, ms, this);
    t.unref();
    this.timer = t;
  }
}
