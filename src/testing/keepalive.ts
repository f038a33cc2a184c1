// Whether the network keeps the process alive: as an OS socket does, while any listener,
// connection or connect in progress is ref()ed. One long interval of the real node:timers (taken
// when this module loads, before any fake-timer library can replace it) is held while anything is.
import process from 'node:process';

type Interval = { unref?: () => unknown };
const timers = process.getBuiltinModule('node:timers') as unknown as {
  setInterval(fn: () => void, ms: number): Interval;
  clearInterval(t: Interval): void;
};
const setInterval = timers.setInterval;
const clearInterval = timers.clearInterval;
const noop = (): void => {};

export class KeepAlive {
  private readonly holders = new Set<object>();
  private timer: Interval | null = null;

  hold(who: object): void {
    this.holders.add(who);
    if (!this.timer) this.timer = setInterval(noop, 0x3fffffff);
  }

  release(who: object): void {
    if (!this.holders.delete(who) || this.holders.size || !this.timer) return;
    clearInterval(this.timer);
    this.timer = null;
  }
}
