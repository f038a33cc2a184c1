// TCP connect: host lookup, the single-address path and Node's Happy Eyeballs (RFC 8305 §5:
// families interleaved, one attempt at a time, the next one after each attempt timeout).
import dns from 'node:dns';
import process from 'node:process';
import { setTimeout } from 'node:timers';
import { invalidAddressFamily, invalidArgType, invalidIp, ipBlocked, nodeError, systemError, type SystemError } from './errors.ts';
import { isIP } from './ip.ts';
import { requireCapability, surface } from './runtime.ts';
import { getDefaultAutoSelectFamily, getDefaultAutoSelectFamilyAttemptTimeout } from './autoselect.ts';
import {
  validateBoolean, validateFunction, validateInt32, validateNumber, validateOneOf, validatePort, validateString,
} from './validate.ts';
import type { Socket } from './socket.ts';
import type { Connection } from './transport.ts';

type LookupAddress = { address: string; family: number };
type LookupOptions = { family: number; hints: number; all?: boolean };
type LookupFn = (host: string, opts: LookupOptions, cb: (err: Error | null, address: string | LookupAddress[], family?: number) => void) => void;

function familyOf(value: unknown): unknown {
  if (value === 'IPv4') return 4;
  if (value === 'IPv6') return 6;
  return value;
}

/** Validation dns.lookup would do on Node, done here so every runtime rejects alike. */
function checkLookupArgs(host: unknown, opts: LookupOptions): void {
  if (host) validateString(host, 'hostname');
  if (opts.hints) {
    validateNumber(opts.hints, 'options.hints');
  }
  if (opts.family != null) validateOneOf(opts.family, 'options.family', [0, 4, 6]);
}

function connectErrorNT(socket: Socket, err: Error): void {
  socket.destroy(err);
}

export function connectTcp(socket: Socket, options: Record<string, unknown>): void {
  const localAddress = options.localAddress as string | undefined;
  const localPort = options.localPort as number | undefined;
  const host = (options.host as string) || 'localhost';
  let port = options.port;
  let autoSelectFamily = options.autoSelectFamily;
  let attemptTimeout = options.autoSelectFamilyAttemptTimeout;

  if (localAddress && !isIP(localAddress)) throw invalidIp(String(localAddress));
  if (localPort) validateNumber(localPort, 'options.localPort');
  if (typeof port !== 'undefined') {
    if (typeof port !== 'number' && typeof port !== 'string') throw invalidArgType('options.port', ['number', 'string'], port);
    validatePort(port);
  }
  port = (port as number) | 0;
  if (autoSelectFamily != null) validateBoolean(autoSelectFamily, 'options.autoSelectFamily');
  if (attemptTimeout != null) {
    validateInt32(attemptTimeout, 'options.autoSelectFamilyAttemptTimeout', 1);
    if ((attemptTimeout as number) < 10) attemptTimeout = 10;
  }
  if (localAddress || localPort) requireCapability('localAddress', 'connecting from a localAddress/localPort');

  socket._host = host;
  const addressType = isIP(host);
  if (addressType) {
    process.nextTick(() => {
      if (socket.connecting) internalConnect(socket, host, port as number, addressType as 4 | 6, localAddress, localPort);
    });
    return;
  }

  // Defaults are read only now: an IP literal needs no lookup and no family selection.
  autoSelectFamily ??= getDefaultAutoSelectFamily();
  attemptTimeout ??= getDefaultAutoSelectFamilyAttemptTimeout();
  if (options.lookup != null) validateFunction(options.lookup, 'options.lookup');
  const dnsopts: LookupOptions = { family: familyOf(options.family) as number, hints: (options.hints as number) || 0 };
  if (!options.lookup) checkLookupArgs(host, dnsopts);
  if (dnsopts.family !== 4 && dnsopts.family !== 6 && dnsopts.hints === 0) dnsopts.hints = dns.ADDRCONFIG;
  const lookup = (options.lookup as LookupFn | undefined) ?? (dns.lookup as unknown as LookupFn);

  if (dnsopts.family !== 4 && dnsopts.family !== 6 && !localAddress && autoSelectFamily) {
    dnsopts.all = true;
    lookup(host, dnsopts, (err, addresses) => surface(() => {
      if (!socket.connecting) return;
      if (err) {
        socket.emit('lookup', err, undefined, undefined, host);
        process.nextTick(connectErrorNT, socket, err);
        return;
      }
      connectMultiple(socket, host, addresses as LookupAddress[], options, port as number, localPort, attemptTimeout as number);
    }));
    return;
  }

  lookup(host, dnsopts, (err, ip, family) => surface(() => {
    socket.emit('lookup', err, ip, family, host);
    if (!socket.connecting) return;
    if (err) {
      process.nextTick(connectErrorNT, socket, err);
    } else if (!isIP(ip)) {
      process.nextTick(connectErrorNT, socket, invalidIp(String(ip)));
    } else if (family !== 4 && family !== 6) {
      process.nextTick(connectErrorNT, socket, invalidAddressFamily(String(family), String(options.host), options.port as number));
    } else {
      socket._unrefTimer();
      internalConnect(socket, ip as string, port as number, family, localAddress, localPort);
    }
  }));
}

function internalConnect(socket: Socket, address: string, port: number, family: 4 | 6,
  localAddress: string | undefined, localPort: number | undefined): void {
  if (localAddress || localPort) localAddress = localAddress || (family === 4 ? '0.0.0.0' : '::');
  if (socket.blockList?.check(address, `ipv${family}`)) {
    socket.destroy(ipBlocked(address));
    return;
  }
  socket.emit('connectionAttempt', address, port, family);
  socket._startConnect({ kind: 'tcp', address, port, family, localAddress, localPort: localPort || undefined }, address, port, family);
}

interface Attempts {
  socket: Socket;
  addresses: LookupAddress[];
  current: number;
  port: number;
  localPort: number | undefined;
  timeout: number;
  errors: Error[];
}

function connectMultiple(socket: Socket, host: string, addresses: LookupAddress[], options: Record<string, unknown>,
  port: number, localPort: number | undefined, timeout: number): void {
  // Keep each valid address once; the first one's family goes first, then alternate.
  const groups: LookupAddress[][] = [[], []];
  const seen: string[][] = [[], []];
  let order: Record<number, number> | undefined;
  for (const entry of addresses) {
    socket.emit('lookup', null, entry.address, entry.family, host);
    if (!socket.connecting) return;
    if (isIP(entry.address) && (entry.family === 4 || entry.family === 6)) {
      order ??= entry.family === 6 ? { 6: 0, 4: 1 } : { 4: 0, 6: 1 };
      const g = order[entry.family];
      if (!seen[g].includes(entry.address)) {
        groups[g].push(entry);
        seen[g].push(entry.address);
      }
    }
  }
  if (!groups[0].length && !groups[1].length) {
    const first = addresses[0];
    if (!first) return;
    if (!isIP(first.address)) process.nextTick(connectErrorNT, socket, invalidIp(String(first.address)));
    else process.nextTick(connectErrorNT, socket, invalidAddressFamily(String(first.family), String(options.host), options.port as number));
    return;
  }
  const toAttempt: LookupAddress[] = [];
  for (let i = 0; i < Math.max(groups[0].length, groups[1].length); i++) {
    if (i < groups[0].length) toAttempt.push(groups[0][i]);
    if (i < groups[1].length) toAttempt.push(groups[1][i]);
  }
  if (toAttempt.length === 1) {
    socket._unrefTimer();
    internalConnect(socket, toAttempt[0].address, port, toAttempt[0].family as 4 | 6, undefined, localPort);
    return;
  }
  socket.autoSelectFamilyAttemptedAddresses = [];
  socket._unrefTimer();
  nextAttempt({ socket, addresses: toAttempt, current: 0, port, localPort, timeout, errors: [] });
}

function nextAttempt(ctx: Attempts, canceled = false): void {
  const { socket } = ctx;
  socket._cancelConnect();
  if (socket._aborted || !socket.connecting) return;
  if (canceled || ctx.current === ctx.addresses.length) {
    if (ctx.errors.length === 0) {
      socket.destroy(nodeError('ERR_SOCKET_CONNECTION_TIMEOUT'));
      return;
    }
    const agg = new AggregateError(ctx.errors) as AggregateError & { code?: string };
    agg.code = (ctx.errors[0] as SystemError).code;
    socket.destroy(agg);
    return;
  }
  const index = ctx.current++;
  const { address, family } = ctx.addresses[index];
  const fam = family as 4 | 6;
  const localAddress = ctx.localPort ? (fam === 4 ? '0.0.0.0' : '::') : undefined;
  if (socket.blockList?.check(address, `ipv${fam}`)) {
    const ex = ipBlocked(address);
    ctx.errors.push(ex);
    socket.emit('connectionAttemptFailed', address, ctx.port, fam, ex);
    nextAttempt(ctx);
    return;
  }
  socket.autoSelectFamilyAttemptedAddresses!.push(`${address}:${ctx.port}`);
  socket._startConnect({ kind: 'tcp', address, port: ctx.port, family: fam, localAddress, localPort: ctx.localPort },
    address, ctx.port, fam, (err: SystemError | null, conn?: Connection) => surface(() => {
      socket._cancelConnect();
      if (!socket.connecting) {
        conn?.close();
        return;
      }
      if (err) {
        ctx.errors.push(err);
        socket.emit('connectionAttemptFailed', address, ctx.port, fam, err);
        nextAttempt(ctx);
        return;
      }
      socket._afterConnect(conn!);
    }));
  if (index < ctx.addresses.length - 1) {
    socket._connectTimer = setTimeout(() => {
      socket._cancelConnect();
      const ex = systemError('ETIMEDOUT', 'connect', address, ctx.port);
      ctx.errors.push(ex);
      surface(() => socket.emit('connectionAttemptTimeout', address, ctx.port, fam));
      nextAttempt(ctx);
    }, ctx.timeout);
  }
  socket.emit('connectionAttempt', address, ctx.port, fam);
}
