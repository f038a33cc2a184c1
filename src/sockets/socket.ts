// The Sockets API's Socket over a node:net-style module: crossnet's own (the package entry), or
// any other with the same API (createSocketsApi). TLS is node:tls over that socket
// (tls.connect({ socket })), for secureTransport 'on' and for startTls().
import { isIP } from '../index.ts';
import { SocketError, isPeerReset, socketError } from './errors.ts';
import { Inbox } from './readable.ts';
import { Outbox } from './writable.ts';
import { parseOptions, type AnySocketAddress, type SecureTransportKind, type Settings, type SocketOptions } from './options.ts';
import {
  deferred, defaultTls, endpoint, noop,
  type Api, type Duplex, type NetModule, type Plan, type SocketInfo, type SocketsApi, type StartTlsOptions, type TlsModule,
} from './support.ts';

export type { SocketInfo, StartTlsOptions, NetModule, TlsModule, SocketsApi } from './support.ts';

/**
 * A socket of the WinterTC Sockets API: `readable`, `writable`, `opened`, `closed`, `close()`,
 * `startTls()`. Made by `connect()`; there is no public constructor.
 */
export class Socket {
  readonly #api: Api;
  readonly #s: Settings;
  readonly #secure: boolean;
  readonly #inbox: Inbox;
  readonly #outbox: Outbox;
  readonly #opened = deferred<SocketInfo>();
  readonly #closed = deferred<void>();
  /** Resolves with the socket bytes go through (TLS over the TCP one, or the TCP one itself). */
  readonly #ioReady = deferred<Duplex>();
  /** The socket's 'finish' after end(). */
  readonly #finish = deferred<void>();
  /** The TCP socket. */
  #raw: Duplex | null = null;
  /** The socket bytes are read from and written to: #raw, or TLS over it. */
  #io: Duplex | null = null;
  #openState: 'pending' | 'open' | 'failed' = 'pending';
  /** Closed, failed or handed over to startTls(): socket events are no longer ours. */
  #finished = false;
  /** close() was called: `closed` resolves once the socket below has closed. */
  #closing = false;
  #failure: SocketError | null = null;
  #upgraded = false;
  readonly #closedSockets = new Set<Duplex>();
  readonly #listeners: Array<[Duplex, string, (...args: never[]) => void]> = [];

  /** @internal Use connect(). */
  constructor(api: Api, settings: Settings, plan: Plan) {
    this.#api = api;
    this.#s = settings;
    this.#secure = plan.kind === 'upgrade' || settings.secureTransport === 'on';
    // Over TLS the connection below is held too: Deno's node:tls loses the peer's FIN when it reaches
    // a paused TLS socket (with Deno's own node:net as well); held below, the FIN waits for both.
    const flow = {
      pause: () => { this.#io?.pause(); if (this.#raw !== this.#io) this.#raw?.pause(); },
      resume: () => { this.#io?.resume(); if (this.#raw !== this.#io) this.#raw?.resume(); },
    };
    // A cancelled readable: bytes keep being read (and dropped), so the peer's FIN is still seen.
    this.#inbox = new Inbox(flow, settings.highWaterMark, settings.bytes, () => { this.#io?.resume(); });
    this.#outbox = new Outbox({
      target: () => this.#io ?? this.#ioReady.promise,
      finished: () => this.#finish.promise,
    });
    if (plan.kind === 'connect') this.#connect();
    else {
      plan.raw.then((raw) => this.#adopt(raw, plan.servername), (err) => this.#fail(err));
    }
  }

  /** Bytes from the peer, as Uint8Array chunks (a byte stream with `readableType: 'bytes'`). */
  get readable(): ReadableStream<Uint8Array> {
    return this.#inbox.stream;
  }

  /** Bytes to the peer: Uint8Array, any ArrayBuffer view, ArrayBuffer, or string (UTF-8). */
  get writable(): WritableStream<ArrayBufferView | ArrayBuffer | string> {
    return this.#outbox.stream;
  }

  /** Resolves once connected (after the TLS handshake with TLS); rejects with a SocketError if that fails. */
  get opened(): Promise<SocketInfo> {
    return this.#opened.promise;
  }

  /** Resolves once the socket is closed; rejects with a SocketError when it failed. */
  get closed(): Promise<void> {
    return this.#closed.promise;
  }

  /** True once startTls() has moved this socket's connection to the socket it returned. */
  get upgraded(): boolean {
    return this.#upgraded;
  }

  /** `[object Socket]`, as for a WebIDL interface. */
  get [Symbol.toStringTag](): string {
    return 'Socket';
  }

  /** The secureTransport option it was made with (workerd's attribute). */
  get secureTransport(): SecureTransportKind {
    return this.#s.secureTransport;
  }

  /**
   * Close the socket and its connection: the readable is cancelled (reads end), the writable is
   * errored with `reason` (or a SocketError), a pending `opened` rejects with it. Returns `closed`.
   */
  close(reason?: unknown): Promise<void> {
    if (this.#finished) return this.#closed.promise;
    this.#finished = true;
    this.#closing = true;
    const why = reason === undefined ? new SocketError('the socket was closed') : reason;
    if (this.#openState === 'pending') {
      this.#openState = 'failed';
      this.#opened.reject(why);
    }
    this.#ioReady.reject(why);
    this.#finish.reject(why);
    this.#inbox.cancel();
    this.#outbox.shut(why);
    const raw = this.#raw;
    if (!raw || this.#closedSockets.has(raw)) this.#closed.resolve();
    this.#destroyAll();
    return this.#closed.promise;
  }

  /**
   * Upgrade to TLS (only with `secureTransport: 'starttls'`, once): returns a new socket whose
   * streams run TLS over this one's connection. This socket's streams stop working and its
   * `closed` resolves; bytes it had read but nobody had consumed are dropped.
   */
  startTls(options?: StartTlsOptions): Socket {
    if (this.#secure) throw new SocketError('startTls() cannot be called on a TLS socket');
    if (this.#s.secureTransport !== 'starttls') {
      throw new SocketError("startTls() needs the socket to be made with secureTransport: 'starttls'");
    }
    if (this.#upgraded) throw new SocketError('startTls() can be called only once');
    if (this.#finished) throw new SocketError('startTls() cannot be called on a closed socket');
    const expected = options?.expectedServerHostname;
    const servername = expected !== undefined && expected !== null ? String(expected) : this.#s.sni ?? this.#s.hostname;
    this.#upgraded = true;
    const raw = this.#handOver();
    raw.catch(noop);
    return createSocket(this.#api, this.#s, { kind: 'upgrade', raw, servername });
  }

  // ---- connection ---------------------------------------------------------------------------

  #listen(target: Duplex, event: string, fn: (...args: never[]) => void): void {
    target.on(event, fn);
    this.#listeners.push([target, event, fn]);
  }

  #connect(): void {
    let raw: Duplex;
    try {
      raw = this.#api.net.connect({ host: this.#s.hostname, port: this.#s.port, allowHalfOpen: true }) as Duplex;
    } catch (err) {
      throw socketError(err);
    }
    this.#raw = raw;
    this.#watch(raw);
    raw.once('connect', () => {
      if (this.#finished) return;
      raw.setNoDelay?.(true);
      if (this.#s.secureTransport === 'on') this.#startTlsOver(raw, this.#s.sni ?? this.#s.hostname);
      else this.#open(null);
    });
    if (this.#s.secureTransport !== 'on') this.#use(raw);
  }

  /** startTls()'s new socket: the old one's connection arrived. */
  #adopt(raw: Duplex, servername: string): void {
    if (this.#finished) {
      raw.destroy();
      return;
    }
    this.#raw = raw;
    this.#watch(raw);
    if (raw.destroyed) this.#fail(new SocketError('the connection closed before startTls() could begin'));
    else this.#startTlsOver(raw, servername);
  }

  /** 'error' and 'close' of a socket below. */
  #watch(target: Duplex): void {
    this.#listen(target, 'error', (err: unknown) => this.#fail(err));
    this.#listen(target, 'close', () => this.#onClose(target));
  }

  /** Read from and write to `io`. */
  #use(io: Duplex): void {
    this.#io = io;
    const inbox = this.#inbox;
    this.#listen(io, 'data', (chunk: Uint8Array) => inbox.push(chunk));
    this.#listen(io, 'end', () => this.#onEnd());
    this.#listen(io, 'finish', () => this.#finish.resolve());
    this.#ioReady.resolve(io);
  }

  #startTlsOver(raw: Duplex, name: string): void {
    const s = this.#s;
    const options: Record<string, unknown> = {
      socket: raw,
      // The name the certificate is checked against; SNI is a host name only (RFC 6066: no IP).
      host: name,
      servername: isIP(name) ? undefined : name,
    };
    if (s.alpn.length) options.ALPNProtocols = s.alpn;
    if (s.tls?.ca !== undefined) options.ca = s.tls.ca;
    if (s.tls?.rejectUnauthorized !== undefined) options.rejectUnauthorized = s.tls.rejectUnauthorized;
    let secure: Duplex;
    try {
      const tls = this.#api.tls ?? defaultTls();
      secure = (tls.connect as (o: Record<string, unknown>) => unknown)(options) as Duplex;
    } catch (err) {
      this.#fail(err);
      return;
    }
    this.#watch(secure);
    this.#use(secure);
    secure.once('secureConnect', () => this.#open(secure));
  }

  #open(secure: Duplex | null): void {
    if (this.#finished || this.#openState !== 'pending') return;
    this.#openState = 'open';
    const raw = this.#raw!;
    const alpn = secure?.alpnProtocol;
    this.#opened.resolve({
      remoteAddress: endpoint(raw.remoteAddress, raw.remotePort),
      localAddress: endpoint(raw.localAddress, raw.localPort),
      alpn: typeof alpn === 'string' && alpn ? alpn : null,
    });
  }

  /** The peer's FIN: the readable ends; with allowHalfOpen false the writable closes too. */
  #onEnd(): void {
    this.#inbox.end();
    if (!this.#s.allowHalfOpen) void this.#closeWritableAfterFin();
  }

  async #closeWritableAfterFin(): Promise<void> {
    // What the writable already holds is written first.
    await this.#outbox.idle();
    if (this.#finished || this.#outbox.finished) return;
    this.#outbox.shut(new SocketError('the peer closed the connection (allowHalfOpen is false)'));
    this.#io?.end();
  }

  /** A socket below closed. Once all have, the socket is closed. */
  #onClose(target: Duplex): void {
    this.#closedSockets.add(target);
    for (const other of [this.#raw, this.#io]) if (other && !other.destroyed) other.destroy();
    if ((this.#raw && !this.#closedSockets.has(this.#raw)) || (this.#io && !this.#closedSockets.has(this.#io))) return;
    if (this.#finished) {
      if (this.#closing) this.#closed.resolve();
      return;
    }
    this.#finished = true;
    const gone = new SocketError('the connection closed');
    if (this.#openState === 'pending') {
      this.#openState = 'failed';
      this.#opened.reject(gone);
      this.#closed.reject(gone);
    } else {
      this.#closed.resolve();
    }
    this.#ioReady.reject(gone);
    this.#finish.reject(gone);
    this.#inbox.fail(gone);
    this.#outbox.shut(new SocketError('the socket is closed'));
  }

  /** A failure of a socket below: both promises and both streams get a SocketError. */
  #fail(err: unknown): void {
    if (this.#finished) return;
    this.#finished = true;
    const e = socketError(err);
    this.#failure = e;
    if (this.#openState === 'pending') {
      this.#openState = 'failed';
      this.#opened.reject(e);
      this.#closed.reject(e);
    } else if (isPeerReset(e)) {
      // The draft: a RST from the peer closes the socket (`closed` resolves); the streams error.
      this.#closed.resolve();
    } else {
      this.#closed.reject(e);
    }
    this.#ioReady.reject(e);
    this.#finish.reject(e);
    this.#inbox.fail(e);
    this.#outbox.shut(e);
    this.#destroyAll();
  }

  #destroyAll(): void {
    for (const target of [this.#io, this.#raw]) if (target && !target.destroyed) target.destroy();
  }

  /** startTls(): once open and the writable has written what it holds, give the connection away. */
  async #handOver(): Promise<Duplex> {
    await this.#opened.promise;
    await this.#outbox.idle();
    if (this.#finished) throw this.#failure ?? new SocketError('the socket was closed before startTls() could begin');
    this.#finished = true;
    const raw = this.#raw!;
    // Until the new socket listens, an 'error' must not go unhandled (the new socket gets it then).
    raw.on('error', noop);
    for (const [target, event, fn] of this.#listeners) target.removeListener(event, fn);
    this.#listeners.length = 0;
    this.#inbox.cancel();
    this.#outbox.shut(new SocketError('the socket was upgraded by startTls(): use the socket startTls() returned'));
    this.#closed.resolve();
    // Plain bytes read but not consumed are dropped, not fed to TLS.
    if (raw.isPaused?.()) {
      while (raw.read?.() != null) { /* drop */ }
      raw.resume();
    }
    return raw;
  }
}

// Outside the class body, so the bundle keeps the class's own name (a class that names itself
// inside its body gets an inner alias, which util.inspect would show).
function createSocket(api: Api, settings: Settings, plan: Plan): Socket {
  return new Socket(api, settings, plan);
}

/** connect() over `net` (and `tls` for TLS; node:tls by default). */
export function createSocketsApi(net: NetModule, tls?: TlsModule): SocketsApi {
  if (!net || typeof net.connect !== 'function') throw new TypeError('createSocketsApi(net): net must be a node:net-compatible module');
  const api: Api = { net, tls };
  return {
    connect(address: AnySocketAddress, options?: SocketOptions): Socket {
      return createSocket(api, parseOptions(address, options), { kind: 'connect' });
    },
  };
}
