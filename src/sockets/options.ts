// connect()'s arguments, converted and checked as the draft's IDL says (AnySocketAddress,
// SocketOptions), throwing a SocketError where the input is malformed.
import { isIP } from '../index.ts';
import { SocketError } from './errors.ts';

/** `{ hostname, port }`: where to connect. */
export interface SocketAddress {
  hostname: string;
  port: number;
}

/** A SocketAddress, or `"hostname:port"` (`"[v6]:port"` for an IPv6 literal). */
export type AnySocketAddress = string | SocketAddress;

export type SecureTransportKind = 'off' | 'on' | 'starttls';

/**
 * crossnet's extension for certificate trust, for `secureTransport: 'on'` and `'starttls'`.
 * Without it the runtime's default CAs are trusted and the server's name is verified, as the
 * draft says. Passed to node:tls as is.
 */
export interface SocketTlsOptions {
  /** CA certificates (PEM) to trust instead of the runtime's defaults: a private CA, a self-signed server. */
  ca?: string | Uint8Array | ReadonlyArray<string | Uint8Array>;
  /** `false` accepts any certificate (no verification at all). Default `true`. */
  rejectUnauthorized?: boolean;
}

/** The draft's SocketOptions, plus workerd's `highWaterMark` and two crossnet extensions. */
export interface SocketOptions {
  /** `'off'` (default) plain TCP; `'on'` TLS from the start; `'starttls'` plain until `startTls()`. */
  secureTransport?: SecureTransportKind;
  /** `false` (default): the peer's FIN closes the writable too, and the socket. `true`: only the readable ends. */
  allowHalfOpen?: boolean;
  /** The server name to send in the TLS handshake (SNI), and to verify the certificate against. Only with TLS. */
  sni?: string | null;
  /** ALPN protocols to offer; the one the server picks is `opened`'s `alpn`. Only with TLS. */
  alpn?: Iterable<string>;
  /** workerd's option: how many bytes the readable buffers before the socket stops reading. Default 65536. */
  highWaterMark?: number | bigint;
  /** crossnet extension: `'bytes'` makes `readable` a byte stream (BYOB readers); default is the draft's non-byte stream. */
  readableType?: 'bytes';
  /** crossnet extension: certificate trust for TLS (see SocketTlsOptions). */
  tls?: SocketTlsOptions;
}

/** Options as the socket uses them, after conversion and checks. */
export interface Settings {
  hostname: string;
  port: number;
  secureTransport: SecureTransportKind;
  allowHalfOpen: boolean;
  sni: string | null;
  alpn: string[];
  highWaterMark: number;
  bytes: boolean;
  tls: SocketTlsOptions | undefined;
}

const DEFAULT_HIGH_WATER_MARK = 64 * 1024;
// What a host name may contain (workerd's check): letters, digits, '-', '.', '_'.
const HOSTNAME = /^[A-Za-z0-9._-]+$/;

function bad(message: string): SocketError {
  return new SocketError(message);
}

function checkPort(value: unknown): number {
  const port = typeof value === 'string' && /^[0-9]{1,5}$/.test(value) ? Number(value) : value;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw bad(`the port must be an integer from 0 to 65535, got ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`);
  }
  return port;
}

function checkHostname(value: unknown): string {
  if (typeof value !== 'string' || value === '') throw bad('the address has no hostname');
  let host = value;
  if (host.startsWith('[') && host.endsWith(']')) {
    host = host.slice(1, -1);
    if (isIP(host) !== 6) throw bad(`${JSON.stringify(value)} is not an IPv6 address`);
    return host;
  }
  if (isIP(host)) return host;
  if (host.length > 253 || !HOSTNAME.test(host)) {
    throw bad(`${JSON.stringify(value)} is not a valid hostname`);
  }
  return host;
}

/** `"host:port"` or `{ hostname, port }` → `{ hostname, port }`; a SocketError when malformed. */
export function parseAddress(address: unknown): SocketAddress {
  if (typeof address === 'string') {
    const colon = address.lastIndexOf(':');
    if (colon < 0) throw bad(`the address ${JSON.stringify(address)} has no port ("hostname:port")`);
    const host = address.slice(0, colon);
    const portText = address.slice(colon + 1);
    if (!/^[0-9]{1,5}$/.test(portText)) throw bad(`the address ${JSON.stringify(address)} has no valid port ("hostname:port")`);
    // An IPv6 literal must be bracketed: in "::1:80" the port cannot be told from the address.
    if (host.includes(':') && !host.startsWith('[')) {
      throw bad(`the IPv6 address in ${JSON.stringify(address)} must be in brackets ("[::1]:${portText}")`);
    }
    return { hostname: checkHostname(host), port: checkPort(portText) };
  }
  if (address !== null && typeof address === 'object') {
    const { hostname, port } = address as { hostname?: unknown; port?: unknown };
    if (port === undefined) throw bad('the address has no port');
    return { hostname: checkHostname(hostname), port: checkPort(port) };
  }
  throw bad(`the address must be a string "hostname:port" or an object { hostname, port }, got ${address === null ? 'null' : typeof address}`);
}

function secureTransportOf(value: unknown): SecureTransportKind {
  if (value === undefined) return 'off';
  const kind = String(value);
  if (kind !== 'off' && kind !== 'on' && kind !== 'starttls') {
    throw bad(`secureTransport must be 'off', 'on' or 'starttls', got ${JSON.stringify(kind)}`);
  }
  return kind;
}

function highWaterMarkOf(value: unknown): number {
  if (value === undefined) return DEFAULT_HIGH_WATER_MARK;
  const n = typeof value === 'bigint' ? Number(value) : value;
  if (typeof n !== 'number' || !(n >= 0) || !Number.isFinite(n)) {
    throw bad(`highWaterMark must be a non-negative number of bytes, got ${String(value)}`);
  }
  return Math.floor(n);
}

/** connect()'s arguments → Settings; a SocketError when malformed. */
export function parseOptions(address: unknown, options: unknown): Settings {
  const { hostname, port } = parseAddress(address);
  if (options !== undefined && options !== null && typeof options !== 'object' && typeof options !== 'function') {
    throw bad(`the options must be an object, got ${typeof options}`);
  }
  const o = (options ?? {}) as Record<string, unknown>;
  const secureTransport = secureTransportOf(o.secureTransport);
  const tlsAllowed = secureTransport !== 'off';
  const sni = o.sni === undefined || o.sni === null ? null : String(o.sni);
  let alpn: string[] = [];
  if (o.alpn !== undefined) {
    const list = o.alpn as { [Symbol.iterator]?: unknown } | null;
    if (list === null || typeof list !== 'object' || typeof list[Symbol.iterator] !== 'function') {
      throw bad('alpn must be an array of protocol names');
    }
    alpn = Array.from(list as Iterable<unknown>, String);
  }
  if (!tlsAllowed && sni !== null) throw bad("sni may be given only with secureTransport 'on' or 'starttls'");
  if (!tlsAllowed && alpn.length) throw bad("alpn may be given only with secureTransport 'on' or 'starttls'");
  let tls: SocketTlsOptions | undefined;
  if (o.tls !== undefined) {
    if (o.tls === null || typeof o.tls !== 'object') throw bad('tls must be an object { ca, rejectUnauthorized }');
    if (!tlsAllowed) throw bad("tls may be given only with secureTransport 'on' or 'starttls'");
    const t = o.tls as SocketTlsOptions;
    tls = {};
    if (t.ca !== undefined) tls.ca = t.ca;
    if (t.rejectUnauthorized !== undefined) tls.rejectUnauthorized = Boolean(t.rejectUnauthorized);
  }
  if (o.readableType !== undefined && o.readableType !== 'bytes') {
    throw bad(`readableType must be 'bytes' or left out, got ${JSON.stringify(String(o.readableType))}`);
  }
  return {
    hostname,
    port,
    secureTransport,
    allowHalfOpen: Boolean(o.allowHalfOpen),
    sni,
    alpn,
    highWaterMark: highWaterMarkOf(o.highWaterMark),
    bytes: o.readableType === 'bytes',
    tls,
  };
}
