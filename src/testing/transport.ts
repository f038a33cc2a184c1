// The in-memory Transport: listeners, bound sockets and connections of one simulated host whose
// addresses are the loopback ranges and every address of the network's host table. Nothing here
// touches the OS: ports, IPC paths and descriptors exist only in this network.
import type {
  Bound, BindTarget, Capabilities, Connection, ConnectTarget, Endpoint, Failure, IpEndpoint, ListenEvents, Listener,
  ListenTarget, PendingConnect, Transport,
} from '../transport.ts';
import { failure } from '../failure.ts';
import { MemoryEnd, type Wire } from './connection.ts';
import { collides, destination, family, isAny, isLoopback, mapped, type Binding } from './addresses.ts';
import { hits, type Fault } from './faults.ts';
import type { Resolved } from './options.ts';
import type { Random } from './random.ts';
import { schedule } from './clock.ts';
import { KeepAlive } from './keepalive.ts';

/** What the in-memory transport can do; false only where the feature is the OS's own (files, descriptors, IP headers). */
export const MEMORY_CAPABILITIES: Capabilities = Object.freeze({
  localAddress: true,
  keepAliveDelay: true,
  reset: true,
  backlog: true,
  ipcBacklog: true,
  ipv6Only: true,
  reusePort: true,
  ipcPermissions: false, // no socket files: there are no permissions to set
  abstractIpc: true,
  namedPipes: true,
  adoptFd: false, // no descriptors
  typeOfService: false, // no IP headers
  bind: true,
  bindConnect: true,
});

const EPHEMERAL: readonly [number, number] = [32768, 60999];
const SYN_TIMEOUT = 127_000;

/** A path that names a directory whatever the file system holds ('.', '/', 'a/'): always taken. */
const isDirectory = (path: string): boolean => /(^|\/)\.{0,2}$/.test(path);

interface MemoryListener extends Listener {
  kind: 'tcp' | 'ipc';
  binding?: Binding;
  path?: string;
  events: ListenEvents;
  closed: boolean;
}

class MemoryBound implements Bound {
  readonly fd = -1;
  used = false;
  constructor(readonly kind: 'tcp' | 'ipc', readonly binding: Binding | undefined, readonly path: string | undefined,
    private readonly net: MemoryTransport) {}
  endpoint(): Endpoint {
    return this.kind === 'ipc' ? this.path! : { address: this.binding!.address, port: this.binding!.port, family: family(this.binding!.address) };
  }
  close(): void {
    if (this.used) return;
    this.used = true;
    this.net.unbind(this.binding, this.path);
  }
}

export class MemoryTransport implements Transport {
  readonly runtime = 'memory';
  readonly capabilities = MEMORY_CAPABILITIES;
  readonly bindings = new Set<Binding>();
  readonly listeners: MemoryListener[] = [];
  /** IPC names taken (by a listener or a bound socket). */
  readonly paths = new Map<string, MemoryListener | MemoryBound>();
  readonly open = new Set<MemoryEnd>();
  readonly faults: Fault[] = [];
  private readonly ends = new Map<MemoryEnd, Binding>();
  readonly wire: Wire;
  private readonly alive = new KeepAlive();

  constructor(private readonly options: Resolved, private readonly random: Random) {
    const draw = ([lo, hi]: readonly [number, number]): number => (hi > lo ? random.between(lo, hi) : lo);
    const chunk = options.chunkSize;
    this.wire = {
      latency: (from) => draw(options.latency[from]),
      bandwidth: options.bandwidth,
      readSize: (available) => (chunk ? random.int(chunk[0], chunk[1]) : Math.min(available, 65536)),
      sendBufferSize: options.sendBufferSize,
      receiveBufferSize: options.receiveBufferSize,
      released: (end) => this.release(end),
      hold: (who) => this.alive.hold(who),
      release: (who) => this.alive.release(who),
    };
  }

  /** Addresses this host owns: loopback, and the host table's. */
  isLocal(address: string): boolean {
    if (isAny(address) || isLoopback(address)) return true;
    for (const list of this.options.hosts.values()) if (list.includes(address)) return true;
    return false;
  }

  addressesOf(host: string): string[] {
    return this.options.hosts.get(host.toLowerCase()) ?? [];
  }

  private ephemeral(address: string, asConnection: boolean): number {
    const [lo, hi] = EPHEMERAL;
    const start = this.random.int(lo, hi);
    for (let i = 0; i <= hi - lo; i++) {
      const port = lo + ((start - lo + i) % (hi - lo + 1));
      if (!collides(this.bindings, { address, port, ipv6Only: false, reusePort: false, connection: asConnection })) return port;
    }
    throw failure('EADDRINUSE');
  }

  /** Take address:port (port 0: an ephemeral one), or throw EADDRNOTAVAIL / EADDRINUSE. */
  take(address: string, port: number, ipv6Only: boolean, reusePort: boolean, connection: boolean): Binding {
    if (!this.isLocal(address)) throw failure('EADDRNOTAVAIL');
    const b: Binding = { address, port: port || this.ephemeral(address, connection), ipv6Only, reusePort, connection };
    if (port && collides(this.bindings, b)) throw failure('EADDRINUSE');
    this.bindings.add(b);
    return b;
  }

  unbind(binding: Binding | undefined, path: string | undefined): void {
    if (binding) this.bindings.delete(binding);
    if (path !== undefined) this.paths.delete(path);
  }

  private release(end: MemoryEnd): void {
    this.open.delete(end);
    const b = this.ends.get(end);
    if (b) { this.bindings.delete(b); this.ends.delete(end); }
  }

  private faultFor(target: { address?: string; port?: number; path?: string }, kinds: readonly string[]): Fault | undefined {
    const f = this.faults.find((x) => kinds.includes(x.kind) && hits(x, target, (h) => this.addressesOf(h)));
    if (f) f.times--;
    return f;
  }

  bind(target: BindTarget): Bound {
    if (target.kind === 'ipc') {
      if (this.paths.has(target.path) || isDirectory(target.path)) throw failure('EADDRINUSE');
      const b = new MemoryBound('ipc', undefined, target.path, this);
      this.paths.set(target.path, b);
      return b;
    }
    return new MemoryBound('tcp', this.take(target.address, target.port, target.ipv6Only, target.reusePort, false), undefined, this);
  }

  listen(target: ListenTarget, events: ListenEvents): Listener {
    if (target.kind === 'fd') throw failure('ENOTSUP');
    let binding: Binding | undefined;
    let path: string | undefined;
    if (target.kind === 'bound') {
      const b = target.bound as MemoryBound;
      if (!(b instanceof MemoryBound) || b.used) throw failure('EBADF');
      b.used = true;
      binding = b.binding;
      path = b.path;
    } else if (target.kind === 'ipc') {
      if (this.paths.has(target.path) || isDirectory(target.path)) throw failure('EADDRINUSE');
      path = target.path;
    } else binding = this.take(target.address, target.port, target.ipv6Only, target.reusePort, false);
    const kind = path !== undefined ? 'ipc' : 'tcp';
    const self = this;
    const listener: MemoryListener = {
      kind, binding, path, events, closed: false, fd: -1,
      endpoint: () => (kind === 'ipc' ? path! : { address: binding!.address, port: binding!.port, family: family(binding!.address) }),
      close(done) {
        if (!listener.closed) {
          listener.closed = true;
          self.listeners.splice(self.listeners.indexOf(listener), 1);
          self.unbind(binding, path);
          self.alive.release(listener);
        }
        if (done) schedule(done, 0, true);
      },
      ref() { if (!listener.closed) self.alive.hold(listener); },
      unref() { self.alive.release(listener); },
    };
    this.alive.hold(listener);
    this.listeners.push(listener);
    if (path !== undefined) this.paths.set(path, listener);
    return listener;
  }

  /** The listener a connect to address:port reaches (an exact address first, then a wildcard), if any. */
  private route(address: string, port: number): MemoryListener | undefined {
    const v4 = family(address) === 'IPv4';
    const tcp = this.listeners.filter((l) => l.kind === 'tcp' && l.binding!.port === port);
    let found = tcp.filter((l) => l.binding!.address === address);
    if (!found.length) found = tcp.filter((l) => l.binding!.address === (v4 ? '0.0.0.0' : '::'));
    if (!found.length && v4) found = tcp.filter((l) => l.binding!.address === '::' && !l.binding!.ipv6Only);
    if (found.length <= 1) return found[0];
    return found[this.random.int(0, found.length - 1)];
  }

  connect(target: ConnectTarget, done: (err: Failure | null, conn?: Connection) => void): PendingConnect {
    let cancelled = false;
    let timer: (() => void) | null = null;
    const wire = this.wire;
    const after = (fn: () => void, ms: number): void => { timer = schedule(() => { timer = null; if (!cancelled) fn(); }, ms, true); };
    // done() settles the connect: it no longer holds the process (the connection does, if any).
    const settle = <A extends unknown[]>(f: (...a: A) => void) => (...a: A): void => { this.alive.release(pending); f(...a); };
    done = settle(done);
    const fail = (code: string, syscall?: string): void => after(() => done(failure(code, syscall)), 0);
    let conn: MemoryEnd | null = null;
    const alive = this.alive;
    const pending: PendingConnect = { cancel() { cancelled = true; timer?.(); conn?.close(); alive.release(pending); } };
    alive.hold(pending);
    // The SYN-ACK comes back one latency after the listener took the connection.
    const established = (c: MemoryEnd): void => { conn = c; after(() => { conn = null; done(null, c); }, wire.latency('server')); };

    if (target.kind === 'ipc') {
      const bound = target.bound as MemoryBound | undefined;
      if (bound) { bound.used = true; this.unbind(undefined, bound.path); }
      const fault = this.faultFor({ path: target.path }, ['refuse', 'blackhole']);
      if (fault?.kind === 'blackhole') { after(() => done(failure('ETIMEDOUT')), SYN_TIMEOUT); return pending; }
      if (fault?.kind === 'refuse') { fail('ECONNREFUSED'); return pending; }
      after(() => {
        const l = this.paths.get(target.path);
        // Nobody there: ENOENT for a path (no file), ECONNREFUSED for an abstract name or a directory.
        if (!l || !('events' in l)) { done(failure(l || target.path[0] === '\0' || isDirectory(target.path) ? 'ECONNREFUSED' : 'ENOENT')); return; }
        established(this.accept(l, 'ipc', ['', ''], [target.path, target.path], undefined, { path: target.path }));
      }, wire.latency('client'));
      return pending;
    }

    const to = destination(target.address);
    // The local end: the bound socket's, the given localAddress/localPort, or an ephemeral port.
    let local: Binding;
    try {
      const bound = target.bound as MemoryBound | undefined;
      if (bound) {
        bound.used = true;
        local = bound.binding!;
        local.connection = true;
      } else {
        const from = target.localAddress ?? (isLoopback(to) && family(to) === 'IPv4' ? '127.0.0.1' : to);
        local = this.take(from, target.localPort ?? 0, false, false, true);
      }
    } catch (err) {
      fail((err as Failure).code, 'bind');
      return pending;
    }
    const giveBack = (): void => { this.bindings.delete(local); };
    const cancel = pending.cancel;
    pending.cancel = () => { const owned = conn === null; cancel(); if (owned) giveBack(); };
    const refusedAfter = (code: string, ms: number): void => after(() => { giveBack(); done(failure(code)); }, ms);
    // The RST (or ICMP) comes back from the server's side.
    const refused = (code: string): void => refusedAfter(code, wire.latency('server'));

    if (!this.isLocal(to)) { refused('EHOSTUNREACH'); return pending; }
    const fault = this.faultFor({ address: to, port: target.port }, ['refuse', 'blackhole']);
    // No SYN-ACK ever: Linux gives up after its SYN retries (tcp_syn_retries 6: about 127 s).
    if (fault?.kind === 'blackhole') { refusedAfter('ETIMEDOUT', SYN_TIMEOUT); return pending; }
    if (fault?.kind === 'refuse') { after(() => refused('ECONNREFUSED'), wire.latency('client')); return pending; }

    // SYN: one latency there; SYN-ACK (or RST): one back.
    after(() => {
      const l = this.route(to, target.port);
      if (!l) { refused('ECONNREFUSED'); return; }
      const localEp: IpEndpoint = { address: local.address, port: local.port, family: family(local.address) };
      const remoteEp: IpEndpoint = { address: to, port: target.port, family: family(to) };
      // An IPv4 client of a dual-stack IPv6 listener: the server side sees IPv4-mapped addresses.
      const dual = family(l.binding!.address) === 'IPv6' && remoteEp.family === 'IPv4';
      established(this.accept(l, 'tcp', [localEp, remoteEp], dual ? [mapped(remoteEp), mapped(localEp)] : [remoteEp, localEp], local,
        { address: to, port: target.port }));
    }, wire.latency('client'));
    return pending;

  }

  /** The listener takes the connection now; the client learns of it one latency later. */
  private accept(l: MemoryListener, kind: 'tcp' | 'ipc', client: [Endpoint, Endpoint], server: [Endpoint, Endpoint],
    local: Binding | undefined, target: { address?: string; port?: number; path?: string }): MemoryEnd {
    const [c, s] = MemoryEnd.pair(kind, this.wire, client, server);
    if (local) this.ends.set(c, local);
    this.open.add(c);
    this.open.add(s);
    const acceptFault = this.faultFor(target, ['acceptError']);
    for (const f of this.faults) {
      if (!f.removed && f.times > 0 && (f.kind === 'reset' || f.kind === 'close' || f.kind === 'stall') && hits(f, target, (h) => this.addressesOf(h))) {
        f.times--;
        c.fault(f.from, f.kind, f.after);
      }
    }
    if (acceptFault) {
      // The kernel completed the handshake; accept(2) failed, and the connection is closed unaccepted.
      l.events.onError(failure(acceptFault.code));
      s.close();
    } else l.events.onConnection(s);
    return c;
  }
}
