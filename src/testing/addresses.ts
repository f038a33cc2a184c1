// Which addresses a network owns and which bindings collide, as Linux decides it for one host.
import { isIP, parseIPv4 } from '../ip.ts';
import type { IpEndpoint } from '../transport.ts';

export const family = (address: string): 'IPv4' | 'IPv6' => (isIP(address) === 6 ? 'IPv6' : 'IPv4');
export const isAny = (address: string): boolean => address === '0.0.0.0' || address === '::';
export const isLoopback = (address: string): boolean =>
  address === '::1' || (isIP(address) === 4 && parseIPv4(address) >>> 24 === 127);

/** Where a connect to a wildcard address goes (Linux connects to the loopback). */
export const destination = (address: string): string => (address === '0.0.0.0' ? '127.0.0.1' : address === '::' ? '::1' : address);

/** The IPv4-mapped form the other end of a dual-stack IPv6 socket sees. */
export const mapped = (ep: IpEndpoint): IpEndpoint =>
  ep.family === 'IPv6' ? ep : { address: `::ffff:${ep.address}`, port: ep.port, family: 'IPv6' };

/** A TCP port taken on an address: by a listener, a bound socket or a connection's local end. */
export interface Binding {
  address: string;
  port: number;
  ipv6Only: boolean;
  reusePort: boolean;
  connection: boolean;
}

/** Two bindings of one port overlap when their addresses can meet (wildcards, dual-stack `::`). */
function overlap(a: Binding, b: Binding): boolean {
  const fa = family(a.address);
  const fb = family(b.address);
  if (fa === fb) return a.address === b.address || isAny(a.address) || isAny(b.address);
  const v6 = fa === 'IPv6' ? a : b;
  return v6.address === '::' && !v6.ipv6Only;
}

/** EADDRINUSE unless every overlapping binding and the new one are SO_REUSEPORT listeners. */
export function collides(taken: Iterable<Binding>, want: Binding): boolean {
  for (const b of taken) {
    if (b.port !== want.port || !overlap(b, want)) continue;
    if (!(b.reusePort && want.reusePort && !b.connection && !want.connection)) return true;
  }
  return false;
}
