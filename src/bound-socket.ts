// net.BoundSocket (Node 26.4, 24.22): a socket bound at once to a local address, neither listening
// nor connecting until exactly one Server (server.listen(bound)) or Socket (new net.Socket({ handle }))
// adopts it. No DNS: the host is an IP literal. Errors throw from the constructor, as bind(2) answers.
import { Buffer } from 'node:buffer';
import process from 'node:process';
import { invalidArgValue, nodeError, systemError } from './errors.ts';
import { isFailure } from './failure.ts';
import { isIP } from './ip.ts';
import { getTransport, requireCapability } from './runtime.ts';
import { sunPathSize } from './platform.ts';
import { validateBoolean, validateObject, validatePort, validateString } from './validate.ts';
import type { Bound, Endpoint } from './transport.ts';

export interface BoundSocketOptions {
  host?: string;
  port?: number;
  ipv6Only?: boolean;
  reusePort?: boolean;
  path?: string;
}

type AddressInfo = { address: string; family: string; port: number };

let consume: (b: BoundSocket) => Bound;
let pathOf: (b: BoundSocket) => string | undefined;

export class BoundSocket {
  #bound: Bound | null = null;
  #address: AddressInfo | undefined;
  #path: string | undefined;

  constructor(options: BoundSocketOptions = {}) {
    validateObject(options, 'options');
    if (options.path !== undefined) {
      this.#bindPipe(options);
      return;
    }
    const port = validatePort(options.port ?? 0, 'options.port');
    const ipv6Only = options.ipv6Only ?? false;
    validateBoolean(ipv6Only, 'options.ipv6Only');
    const reusePort = options.reusePort ?? false;
    validateBoolean(reusePort, 'options.reusePort');
    let host = options.host as unknown;
    let family: 4 | 6;
    if (host === undefined || host === null) {
      host = ipv6Only ? '::' : '0.0.0.0';
      family = ipv6Only ? 6 : 4;
    } else {
      validateString(host, 'options.host');
      family = isIP(host) as 4 | 6;
      if (!family) {
        throw invalidArgValue('options.host', host,
          'must be a numeric IP address; net.BoundSocket does not perform DNS resolution');
      }
    }
    requireCapability('bind', 'net.BoundSocket');
    // IPV6_V6ONLY only means something on an IPv6 socket; Node ignores it on IPv4.
    if (ipv6Only && family === 6) requireCapability('ipv6Only', 'net.BoundSocket({ ipv6Only })');
    if (reusePort) requireCapability('reusePort', 'net.BoundSocket({ reusePort })');
    try {
      this.#bound = getTransport().bind!({ kind: 'tcp', address: host as string, port, family, ipv6Only: ipv6Only && family === 6, reusePort });
    } catch (err) {
      if (!isFailure(err)) throw err;
      throw systemError(err.code, 'bind', host as string, port);
    }
    const ep = this.#bound.endpoint() as Exclude<Endpoint, string>;
    this.#address = { address: ep.address, family: ep.family, port: ep.port };
  }

  // A named unix socket (a named pipe on Windows); '\0' starts a Linux abstract name.
  #bindPipe(options: BoundSocketOptions): void {
    const { path, host, port, ipv6Only, reusePort } = options;
    if (host !== undefined || port !== undefined || ipv6Only !== undefined || reusePort !== undefined) {
      throw invalidArgValue('options', options, 'path is mutually exclusive with host, port, ipv6Only, and reusePort');
    }
    validateString(path, 'options.path');
    if (path[0] === '\0' && process.platform !== 'linux') {
      throw invalidArgValue('options.path', path, 'abstract socket paths are only supported on Linux');
    }
    requireCapability('bind', 'net.BoundSocket');
    if (path[0] === '\0') requireCapability('abstractIpc', 'abstract IPC socket names');
    const max = sunPathSize();
    // libuv refuses a name longer than sun_path (the OS would cut it).
    if (max !== undefined && Buffer.byteLength(path) > max) throw systemError('EINVAL', 'bind');
    try {
      this.#bound = getTransport().bind!({ kind: 'ipc', path });
    } catch (err) {
      if (!isFailure(err)) throw err;
      // libuv's uv_pipe_bind answers EACCES for a directory that does not exist.
      throw systemError(err.code === 'ENOENT' ? 'EACCES' : err.code, 'bind');
    }
    this.#path = path;
  }

  /** The bound address ({ address, family, port }, the OS's port for port 0), or the path. */
  address(): AddressInfo | string {
    if (this.#bound === null) throw nodeError('ERR_SOCKET_HANDLE_ADOPTED');
    return this.#path ?? this.#address!;
  }

  /** The descriptor, still owned by this BoundSocket; -1 where the runtime hides it. */
  fd(): number {
    if (this.#bound === null) throw nodeError('ERR_SOCKET_HANDLE_ADOPTED');
    return this.#bound.fd;
  }

  close(): void {
    if (this.#bound === null) throw nodeError('ERR_SOCKET_HANDLE_ADOPTED');
    this.#bound.close();
    this.#bound = null;
  }

  [Symbol.dispose](): void {
    if (this.#bound !== null) {
      this.#bound.close();
      this.#bound = null;
    }
  }

  get isPipe(): boolean {
    return this.#path !== undefined;
  }

  static {
    consume = (b) => {
      if (b.#bound === null) throw nodeError('ERR_SOCKET_HANDLE_ADOPTED');
      const bound = b.#bound;
      b.#bound = null;
      return bound;
    };
    pathOf = (b) => b.#path;
  }
}

/** Take the bound socket over (a Server or Socket adopting it); ERR_SOCKET_HANDLE_ADOPTED if gone. */
export function consumeBoundSocket(b: BoundSocket): Bound {
  return consume(b);
}

/** The path of a unix BoundSocket, undefined for TCP. */
export function boundSocketPath(b: BoundSocket): string | undefined {
  return pathOf(b);
}
