// The network's name service: the `node:dns` the network's core instance sees. Its `lookup` answers
// from the network's host table as getaddrinfo would (family filter, `all`, order), failing as
// Node's does (`getaddrinfo ENOTFOUND name`); IP literals answer themselves.
import process from 'node:process';
import { isIP } from '../ip.ts';
import { invalidArgValue } from '../errors.ts';
import { schedule } from './clock.ts';

type Entry = { address: string; family: 4 | 6 };
type Callback = (err: Error | null, address?: string | Entry[], family?: number) => void;

function notFound(hostname: string): Error {
  const err = new Error(`getaddrinfo ENOTFOUND ${hostname}`) as Error & Record<string, unknown>;
  err.errno = -3008;
  err.code = 'ENOTFOUND';
  err.syscall = 'getaddrinfo';
  err.hostname = hostname;
  return err;
}

export function networkDns(hosts: Map<string, string[]>): object {
  const real = process.getBuiltinModule('node:dns') as Record<string, unknown>;
  function lookup(hostname: string, options: unknown, callback?: Callback): void {
    let cb = callback;
    let opts: Record<string, unknown> = {};
    if (typeof options === 'function') cb = options as Callback;
    else if (typeof options === 'number') opts = { family: options };
    else if (options && typeof options === 'object') opts = options as Record<string, unknown>;
    // As Node's dns.lookup: flags other than ADDRCONFIG, ALL and V4MAPPED throw at once.
    const flags = (real.ADDRCONFIG as number) | (real.ALL as number) | (real.V4MAPPED as number);
    if (typeof opts.hints === 'number' && opts.hints !== 0 && (opts.hints & ~flags)) throw invalidArgValue('hints', opts.hints);
    const fam = opts.family === 'IPv4' ? 4 : opts.family === 'IPv6' ? 6 : Number(opts.family ?? 0);
    let entries: Entry[];
    const literal = isIP(hostname);
    if (literal) entries = [{ address: hostname, family: literal as 4 | 6 }];
    else {
      const list = hosts.get(String(hostname).toLowerCase()) ?? [];
      entries = list.map((address) => ({ address, family: isIP(address) as 4 | 6 }));
    }
    if (fam === 4 || fam === 6) entries = entries.filter((e) => e.family === fam);
    const order = opts.order ?? (opts.verbatim === false ? 'ipv4first' : 'verbatim');
    if (order === 'ipv4first') entries = [...entries].sort((a, b) => a.family - b.family);
    else if (order === 'ipv6first') entries = [...entries].sort((a, b) => b.family - a.family);
    schedule(() => {
      if (!entries.length) cb!(notFound(hostname));
      else if (opts.all) cb!(null, entries);
      else cb!(null, entries[0].address, entries[0].family);
    }, 0, true);
  }
  return Object.assign(Object.create(real), { lookup });
}
