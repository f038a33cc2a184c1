// The core's last check before a value reaches a transport: every connect and listen goes through
// here, so no adapter ever sees a value its runtime could crash on or misread (a non-string address,
// an address of the other family, a port outside 0..65535, a path the OS would cut short). The
// checks upstream (connect.ts, socket.ts, server.ts) give Node's own errors first; what still gets
// here is answered with the error code libuv gives for it, as the adapter would report a failure.
import { Buffer } from 'node:buffer';
import { isIP } from './ip.ts';
import { sunPathSize } from './platform.ts';
import { getTransport } from './runtime.ts';
import { failure } from './failure.ts';
import type { Connection, ConnectTarget, Failure, ListenEvents, Listener, ListenTarget, PendingConnect } from './transport.ts';

const isPort = (p: unknown): p is number => typeof p === 'number' && Number.isInteger(p) && p >= 0 && p <= 0xffff;

/** libuv's answer for an IP literal of `family` (uv_ip4_addr / uv_ip6_addr), 0 when it takes it. */
function ipOk(address: unknown, family: unknown): boolean {
  return typeof address === 'string' && (family === 4 || family === 6) && isIP(address) === family;
}

/** A Unix socket path the OS takes in full: a string, at most sun_path bytes, no NUL unless abstract. */
function pathOk(path: unknown): boolean {
  if (typeof path !== 'string' || path.length === 0) return false;
  const max = sunPathSize();
  if (max !== undefined && Buffer.byteLength(path) > max) return false;
  return path.charCodeAt(0) === 0 || !path.includes('\0');
}

/** Node hands the backlog to libuv as an int32 (`backlog || 511`, then ToInt32); undefined if it cannot convert. */
function backlogOf(value: unknown): number | undefined {
  if (typeof value === 'symbol' || typeof value === 'bigint') return undefined;
  try {
    return Number(value || 511) | 0;
  } catch {
    return undefined;
  }
}

/** The failure for a connect target no OS call would take, or null. */
export function connectTargetError(target: ConnectTarget): Failure | null {
  if (target.kind === 'ipc') return pathOk(target.path) ? null : failure('EINVAL');
  if (target.kind !== 'tcp') return failure('EINVAL');
  if (!ipOk(target.address, target.family) || !isPort(target.port)) return failure('EINVAL');
  if (target.localAddress !== undefined && !ipOk(target.localAddress, target.family)) return failure('EINVAL', 'bind');
  if (target.localPort !== undefined && !isPort(target.localPort)) return failure('EADDRINUSE', 'bind');
  return null;
}

/** `transport.connect`, for targets that pass the checks; otherwise the failure, as the adapter would report it. */
export function connectTransport(target: ConnectTarget, done: (err: Failure | null, conn?: Connection) => void): PendingConnect {
  const err = connectTargetError(target);
  if (err) {
    done(err);
    return { cancel() {} };
  }
  return getTransport().connect(target, done);
}

/** The listen target with its backlog as Node passes it (an int32), or EINVAL for one no OS call would take. */
export function checkListenTarget(target: ListenTarget): ListenTarget | undefined {
  const backlog = backlogOf(target.backlog);
  if (backlog === undefined) return undefined;
  switch (target.kind) {
    case 'tcp':
      if (!ipOk(target.address, target.family) || !isPort(target.port)) return undefined;
      return { ...target, backlog, ipv6Only: target.ipv6Only === true, reusePort: target.reusePort === true };
    case 'ipc':
      if (!pathOk(target.path)) return undefined;
      return { ...target, backlog, readableAll: target.readableAll === true, writableAll: target.writableAll === true };
    case 'fd': {
      const fd = target.fd;
      if (typeof fd !== 'number' || !Number.isInteger(fd) || fd < 0 || fd > 0x7fffffff) return undefined;
      return { ...target, backlog };
    }
    default:
      // A socket the transport bound itself (net.BoundSocket): nothing from the user reaches it but the backlog.
      return { ...(target as object), backlog } as ListenTarget;
  }
}

/**
 * `transport.listen` for targets that pass the checks: returns the listener or throws a Failure,
 * as the transport does.
 */
export function listenTransport(target: ListenTarget, events: ListenEvents): Listener {
  const checked = checkListenTarget(target);
  if (!checked) throw failure('EINVAL');
  return getTransport().listen(checked, events);
}
