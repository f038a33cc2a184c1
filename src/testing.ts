// crossnet/testing: simulated networks for testing protocol code against Node's exact socket
// semantics, with deterministic faults. Each network has a complete `net` module whose listeners
// and connections live only in that network (see docs/testing.md).
//
//   import { createNetwork } from 'crossnet/testing';
//   const network = createNetwork({ seed: 7, latency: [1, 5], chunkSize: [1, 64] });
//   const server = network.net.createServer(...);
import type { Transport } from './transport.ts';
import { invalidArgValue } from './errors.ts';
import { resolveOptions, hostAddresses, type NetworkOptions, type Range } from './testing/options.ts';
import { Random } from './testing/random.ts';
import { MemoryTransport } from './testing/transport.ts';
import { MemoryEnd } from './testing/connection.ts';
import { networkDns } from './testing/dns.ts';
import { lateTimers } from './testing/timers.ts';
import { checkFault, type FaultSpec } from './testing/faults.ts';
import { instantiateCore, type CoreModule } from './testing/instance.ts';

export type { NetworkOptions, Range, FaultSpec };

/** A fault in force; `remove()` lifts it: for connects from then on, or on its connection if it has not fired (a stall resumes). */
export interface ActiveFault {
  remove(): void;
}

/** The module a network hands out: crossnet's `net` (the same exports), bound to this network. */
export type NetworkNet = CoreModule['default'];

export interface Network {
  /** A complete `net` module whose listeners and connections live only in this network. */
  readonly net: NetworkNet;
  /** The network's transport (the contract of src/transport.ts), e.g. for `setTransport()`. */
  readonly transport: Transport;
  /** The seed every random choice of this network derives from. */
  readonly seed: number;
  /** Map a host name to addresses (IPv4 and IPv6, in lookup order); replaces earlier ones. */
  addHost(name: string, addresses: string | readonly string[]): void;
  /** The network's `dns.lookup` (the one its `net` uses). */
  readonly lookup: (hostname: string, options: unknown, callback?: (...args: unknown[]) => void) => void;
  /** Inject a fault: for connects to a host/port/path from now on, or for one open connection. */
  fault(spec: FaultSpec): ActiveFault;
  /** Lift every fault. */
  clearFaults(): void;
  /** Connection ends not yet closed (both ends of each connection count). */
  readonly openConnections: number;
}

/** Create an independent simulated network (see `NetworkOptions`). */
export function createNetwork(options?: NetworkOptions): Network {
  const resolved = resolveOptions(options);
  const hosts = resolved.hosts;
  if (!hosts.has('localhost')) hosts.set('localhost', ['127.0.0.1', '::1']);
  const random = new Random(resolved.seed);
  const transport = new MemoryTransport(resolved, random);
  const dns = networkDns(hosts) as { lookup: Network['lookup'] };
  let timers: object | undefined;
  let net: NetworkNet | undefined;
  const coreOf = (): NetworkNet => {
    if (!net) {
      const core = instantiateCore((id) => {
        if (id === 'node:dns') return dns;
        if (id === 'node:timers') return (timers ??= lateTimers());
        return (globalThis as unknown as { process: { getBuiltinModule(id: string): unknown } }).process.getBuiltinModule(id);
      });
      core.setTransport(transport);
      net = core.default;
    }
    return net;
  };
  return {
    get net() { return coreOf(); },
    transport,
    seed: resolved.seed,
    lookup: dns.lookup,
    addHost(name: string, addresses: string | readonly string[]) {
      if (typeof name !== 'string' || name === '') throw invalidArgValue('name', name, 'must be a non-empty host name');
      hosts.set(name.toLowerCase(), hostAddresses(name, addresses));
    },
    fault(spec: FaultSpec): ActiveFault {
      const f = checkFault(spec);
      if (f.connection !== undefined) {
        const end = (f.connection as { _handle?: { _conn?: unknown } })._handle?._conn;
        if (!(end instanceof MemoryEnd) || !transport.open.has(end)) {
          const known = end instanceof MemoryEnd || (f.connection as { destroyed?: boolean }).destroyed === true;
          throw invalidArgValue('fault.connection', f.connection, known ? 'is closed' : 'is not an open connection of this network');
        }
        return { remove: end.fault(f.from, f.kind as 'reset' | 'close' | 'stall', f.after) };
      }
      transport.faults.push(f);
      return {
        remove() {
          f.removed = true;
          const i = transport.faults.indexOf(f);
          if (i >= 0) transport.faults.splice(i, 1);
        },
      };
    },
    clearFaults() { for (const f of transport.faults.splice(0)) f.removed = true; },
    get openConnections() { return transport.open.size; },
  };
}
