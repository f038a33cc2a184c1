/**
 * The transport contract: everything crossnet's core needs from a runtime, and nothing more.
 *
 * An adapter (adapters/node.ts, adapters/deno.ts, adapters/bun.ts, or an in-memory one for
 * tests) implements `Transport`. It holds no `net` semantics: no validation, no DNS, no events,
 * no timers, no stream state. It moves bytes and reports OS outcomes as Node's error codes
 * (`'ECONNREFUSED'`, `'EADDRINUSE'`, …); the core turns those into Node's error objects.
 *
 * Rules every adapter follows:
 * - `listen` and `bind` are synchronous, as bind(2)/listen(2) are (and Node's tcp_wrap, Deno.listen,
 *   Bun.listen): they return the result or throw a Failure; never a later callback.
 * - Callbacks may run before the call that takes them returns, or later; the core copes with both.
 * - Bytes handed to `Receiver.onData` belong to the core from then on (no reuse by the adapter).
 * - Bytes handed to `write` belong to the adapter until that write's callback runs.
 * - Every error is a `Failure` (`{ code: 'EADDRINUSE' }`), passed to a callback or thrown by a
 *   synchronous call. `syscall` names the failing step when it is not the operation itself (a
 *   client's `bind` to its local address during `connect`).
 * - A feature the runtime cannot do is `false` in `capabilities`; the core checks it and raises
 *   `ERR_CROSSNET_UNSUPPORTED` itself, so adapters never silently ignore an option.
 */

/**
 * An OS outcome as Node names it: the error code (`'ECONNREFUSED'`), and the syscall that failed
 * when it is not the operation's own (`'bind'` during a connect, `'uv_pipe_chmod'` during a listen).
 */
export interface Failure {
  readonly code: string;
  readonly syscall?: string;
}

/** An IP endpoint, as Node's `address()` reports it. */
export interface IpEndpoint {
  address: string;
  port: number;
  family: 'IPv4' | 'IPv6';
}

/** A local or remote end: an IP endpoint, or the path of an IPC (Unix domain) socket. */
export type Endpoint = IpEndpoint | string;

/**
 * Where to connect. Host names are already resolved: `address` is an IP literal. `bound`: connect
 * from that socket (capability `bindConnect`); the connection owns it from then on, also on failure.
 */
export type ConnectTarget =
  | { kind: 'tcp'; address: string; port: number; family: 4 | 6; localAddress?: string; localPort?: number; bound?: Bound }
  | { kind: 'ipc'; path: string; bound?: Bound };

/** What to listen on. `address` is an IP literal (`'::'` / `'0.0.0.0'` for any). */
export type ListenTarget =
  | { kind: 'tcp'; address: string; port: number; family: 4 | 6; backlog: number; ipv6Only: boolean; reusePort: boolean }
  | { kind: 'ipc'; path: string; backlog: number; readableAll: boolean; writableAll: boolean }
  | { kind: 'fd'; fd: number; backlog: number }
  /** Listen on a socket `bind` made (net.BoundSocket); the listener owns it from then on. */
  | { kind: 'bound'; bound: Bound; backlog: number };

/** What to bind without listening or connecting (net.BoundSocket). `address` is an IP literal. */
export type BindTarget =
  | { kind: 'tcp'; address: string; port: number; family: 4 | 6; ipv6Only: boolean; reusePort: boolean }
  | { kind: 'ipc'; path: string };

/** A socket bound to a local address, not yet listening or connecting (capability `bind`). */
export interface Bound {
  readonly kind: 'tcp' | 'ipc';
  /** The bound address (the OS's port for port 0), or the IPC path. */
  endpoint(): Endpoint;
  /** The OS descriptor, or -1 where the runtime hides it. */
  readonly fd: number;
  /** Release it (only when never handed to `listen` or `connect`). */
  close(): void;
}

/** Sink for what a connection reads. Set once per connection with `Connection.setReceiver`. */
export interface Receiver {
  /** Bytes read from the peer; ownership passes to the core. */
  onData(chunk: Uint8Array): void;
  /** The peer half-closed (FIN). No more `onData` follows. */
  onEnd(): void;
  /** A read failed (`'ECONNRESET'`, …). The connection is unusable; the core closes it. */
  onError(err: Failure): void;
}

/** One open stream connection (TCP or IPC). */
export interface Connection {
  setReceiver(receiver: Receiver): void;
  /** Start (or resume) delivering reads. Idempotent. */
  readStart(): void;
  /** Stop reading from the OS, so the peer's writes stall once buffers fill. Idempotent. */
  readStop(): void;
  /**
   * Queue chunks for writing, in order, as one vectored write where the runtime allows.
   * `done` runs once every byte has been handed to the OS, with an error code on failure.
   */
  write(chunks: readonly Uint8Array[], done: (err: Failure | null) => void): void;
  /** Half-close: send FIN after queued writes. */
  shutdown(done: (err: Failure | null) => void): void;
  /** Close gracefully; `done` runs once the descriptor is released. Idempotent. */
  close(done?: () => void): void;
  /** Close with RST (capability `reset`). */
  reset(done?: () => void): void;
  /**
   * The runtime's own handle behind this connection (Node: tcp_wrap/pipe_wrap; Deno: its compat
   * handle), for the runtime's child_process to send to another process. `release`: the connection
   * gives it up (reads stop; close() no longer closes it). Throws a Failure when there is none.
   */
  exportHandle?(release: boolean): unknown;
  setNoDelay(enable: boolean): void;
  /** `delaySeconds` 0 means the OS default (capability `keepAliveDelay` for anything else). */
  setKeepAlive(enable: boolean, delaySeconds: number): void;
  /** Set the TOS/traffic class byte (capability `typeOfService`); throws a Failure. */
  setTypeOfService?(tos: number): void;
  /** The TOS byte; throws a Failure. */
  getTypeOfService?(): number;
  ref(): void;
  unref(): void;
  localEndpoint(): Endpoint | undefined;
  remoteEndpoint(): Endpoint | undefined;
  /** The OS descriptor, or -1 where the runtime hides it. */
  readonly fd: number;
  readonly kind: 'tcp' | 'ipc';
}

/** A connect in progress; `cancel` abandons it (the callback then never runs). */
export interface PendingConnect {
  cancel(): void;
}

/** A listening socket. */
export interface Listener {
  endpoint(): Endpoint;
  /** Stop accepting; `done` runs once the descriptor is released (IPC socket files unlinked). */
  close(done?: () => void): void;
  ref(): void;
  unref(): void;
  readonly fd: number;
  /** The runtime's own listening handle, to share with another process (the listener keeps it). */
  exportHandle?(): unknown;
}

export interface ListenEvents {
  onConnection(conn: Connection): void;
  /**
   * accept() failed (`{ code: 'EMFILE' }`); the listener keeps going. With a `syscall`, a step the
   * adapter could only finish after `listen` returned failed (`'listen'`), and the listener is dead.
   */
  onError(err: Failure): void;
}

/** What the runtime's API can do. `false` makes the core raise ERR_CROSSNET_UNSUPPORTED. */
export interface Capabilities {
  /** Bind a client to `localAddress`/`localPort` before connecting. */
  localAddress: boolean;
  /** A keep-alive initial delay other than the OS default. */
  keepAliveDelay: boolean;
  /** Abortive close (RST). */
  reset: boolean;
  /** A TCP listen backlog other than the runtime's default. */
  backlog: boolean;
  /** An IPC (Unix socket) listen backlog other than the runtime's default. */
  ipcBacklog: boolean;
  ipv6Only: boolean;
  reusePort: boolean;
  /** `readableAll` / `writableAll` on IPC socket files. */
  ipcPermissions: boolean;
  /** Linux abstract-namespace IPC names (`'\0name'`). */
  abstractIpc: boolean;
  /** Windows named pipes (`\\.\pipe\name`): every IPC path on Windows is one. Consulted on Windows only. */
  namedPipes: boolean;
  /** Adopt an existing descriptor (`fd` options, listen on `{ fd }`). */
  adoptFd: boolean;
  typeOfService: boolean;
  /** `bind`, and `listen` on what it bound (net.BoundSocket adopted by a server). */
  bind: boolean;
  /** `connect` from a bound socket (net.BoundSocket adopted by a client). */
  bindConnect: boolean;
}

export interface Transport {
  /** `'node'`, `'deno'`, `'bun'`, … — used in error messages. */
  readonly runtime: string;
  readonly capabilities: Capabilities;
  connect(target: ConnectTarget, done: (err: Failure | null, conn?: Connection) => void): PendingConnect;
  /** Bind and listen now; throws a Failure (`{ code: 'EADDRINUSE' }`, `{ code: 'EPERM', syscall: 'uv_pipe_chmod' }`). */
  listen(target: ListenTarget, events: ListenEvents): Listener;
  /** Bind without listening (capability `bind`); throws a Failure. */
  bind?(target: BindTarget): Bound;
  /** Wrap an existing connected descriptor (capability `adoptFd`); throws a Failure. */
  adopt?(fd: number): Connection;
  /**
   * Wrap a connected socket handle that the runtime's own node:cluster or child_process delivered
   * (Node: a tcp_wrap TCP / pipe_wrap Pipe; Deno: its compat TCP / Pipe; Bun: `{ fd }`); the
   * Connection owns it from then on. Throws a Failure for anything else. Without it,
   * a server in a cluster worker needs `exclusive: true` and received handles stay the runtime's.
   */
  adoptHandle?(handle: unknown): Connection;
  /** Throws a clear Error when the runtime lacks what the adapter needs; called once when selected. */
  ready?(): void;
}
