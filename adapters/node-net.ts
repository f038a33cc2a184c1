// crossnet's fallback transport for Node: node:net's public API, for a Node whose process.binding
// no longer hands out tcp_wrap. Each Connection wraps one half-open, paused net.Socket; crossnet's
// core keeps all net semantics, this file only moves bytes and outcomes across.
import type * as NodeNet from 'node:net';
import process from 'node:process';
import type {
  Capabilities, Connection, ConnectTarget, Endpoint, Listener, ListenEvents, ListenTarget, PendingConnect, Receiver, Transport,
} from '../src/transport.ts';

// Loaded on first use: the package bundles every adapter, and node:net is not free on Deno or Bun.
let loaded: typeof NodeNet | undefined;
const net = (): typeof NodeNet =>
  (loaded ??= (process as unknown as { getBuiltinModule(id: string): typeof NodeNet }).getBuiltinModule('node:net'));

const codeOf = (err: unknown): string => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'UNKNOWN';
};

function endpointOf(info: NodeNet.AddressInfo | Record<string, never> | string | null, path: string): Endpoint | undefined {
  if (path) return path;
  if (!info || typeof info === 'string' || !('port' in info)) return undefined;
  return { address: info.address, port: info.port, family: info.family === 'IPv6' ? 'IPv6' : 'IPv4' };
}

class NetConnection implements Connection {
  private receiver: Receiver | null = null;
  private closed = false;
  private reading = false;
  // node:net can still emit a chunk or 'end' after pause(); the contract says nothing is delivered
  // while stopped, so such outcomes wait here for the next readStart.
  private held: (Buffer | null)[] = [];

  constructor(private readonly socket: NodeNet.Socket, readonly kind: 'tcp' | 'ipc', private readonly path = '') {
    socket.pause();
    socket.on('data', (chunk: Buffer) => this.deliver(chunk));
    socket.on('end', () => this.deliver(null));
    socket.on('error', (err) => { if (!this.closed) this.receiver?.onError(codeOf(err)); });
  }

  private deliver(chunk: Buffer | null): void {
    if (!this.reading || this.held.length) {
      this.held.push(chunk);
      return;
    }
    if (chunk) this.receiver?.onData(chunk);
    else this.receiver?.onEnd();
  }

  private flushHeld = (): void => {
    while (this.reading && !this.closed && this.held.length) {
      const chunk = this.held.shift()!;
      if (chunk) this.receiver?.onData(chunk);
      else this.receiver?.onEnd();
    }
    if (this.reading && !this.closed && !this.held.length) this.socket.resume();
  };

  get fd(): number {
    return (this.socket as unknown as { _handle?: { fd?: number } })._handle?.fd ?? -1;
  }

  setReceiver(receiver: Receiver): void { this.receiver = receiver; }
  readStart(): void {
    if (this.closed || this.reading) return;
    this.reading = true;
    if (this.held.length) process.nextTick(this.flushHeld);
    else this.socket.resume();
  }

  readStop(): void {
    if (this.closed) return;
    this.reading = false;
    this.socket.pause();
  }

  write(chunks: readonly Uint8Array[], done: (err: string | null) => void): void {
    if (this.closed) {
      process.nextTick(done, 'EBADF');
      return;
    }
    const last = chunks.length - 1;
    if (last < 0) {
      process.nextTick(done, null);
      return;
    }
    if (last > 0) this.socket.cork();
    for (let i = 0; i < last; i++) this.socket.write(chunks[i]);
    this.socket.write(chunks[last], (err) => done(err ? codeOf(err) : null));
    if (last > 0) this.socket.uncork();
  }

  shutdown(done: (err: string | null) => void): void {
    if (this.closed) {
      process.nextTick(done, null);
      return;
    }
    this.socket.end(() => done(null));
  }

  close(done?: () => void): void {
    if (this.closed) {
      if (done) process.nextTick(done);
      return;
    }
    this.closed = true;
    this.whenClosed(done);
    this.socket.destroy();
  }

  reset(done?: () => void): void {
    if (this.closed) {
      if (done) process.nextTick(done);
      return;
    }
    this.closed = true;
    this.whenClosed(done);
    if (this.socket.destroyed) return;
    this.socket.resetAndDestroy();
  }

  // The peer may have closed the socket already; 'close' is then in the past.
  private whenClosed(done?: () => void): void {
    if (!done) return;
    if (this.socket.closed) setImmediate(done);
    else this.socket.once('close', () => done());
  }

  setTypeOfService(tos: number): string | null {
    try {
      (this.socket as unknown as { setTypeOfService(t: number): void }).setTypeOfService(tos);
      return null;
    } catch (err) {
      return codeOf(err);
    }
  }

  getTypeOfService(): number {
    try {
      return (this.socket as unknown as { getTypeOfService(): number }).getTypeOfService();
    } catch (err) {
      return (err as { errno?: number }).errno ?? -22;
    }
  }

  setNoDelay(enable: boolean): void { this.socket.setNoDelay(enable); }
  setKeepAlive(enable: boolean, delaySeconds: number): void { this.socket.setKeepAlive(enable, delaySeconds * 1000); }
  ref(): void { this.socket.ref(); }
  unref(): void { this.socket.unref(); }
  localEndpoint(): Endpoint | undefined { return endpointOf(this.socket.address(), this.kind === 'ipc' ? this.path : ''); }

  remoteEndpoint(): Endpoint | undefined {
    if (this.kind === 'ipc') return this.path;
    const { remoteAddress, remotePort, remoteFamily } = this.socket;
    if (remoteAddress === undefined || remotePort === undefined) return undefined;
    return { address: remoteAddress, port: remotePort, family: remoteFamily === 'IPv6' ? 'IPv6' : 'IPv4' };
  }
}

function connect(target: ConnectTarget, done: (err: string | null, conn?: Connection) => void): PendingConnect {
  let cancelled = false;
  const options: NodeNet.NetConnectOpts = target.kind === 'ipc'
    ? { path: target.path, allowHalfOpen: true }
    : {
      host: target.address, port: target.port, family: target.family, allowHalfOpen: true, autoSelectFamily: false,
      localAddress: target.localAddress, localPort: target.localPort,
    };
  const socket = net().connect(options);
  const onError = (err: Error & { syscall?: string }) => {
    if (cancelled) return;
    done(err.syscall === 'bind' ? `bind ${codeOf(err)}` : codeOf(err));
  };
  socket.once('error', onError);
  socket.once('connect', () => {
    socket.off('error', onError);
    if (cancelled) socket.destroy();
    else done(null, new NetConnection(socket, target.kind, target.kind === 'ipc' ? target.path : ''));
  });
  return { cancel(): void { cancelled = true; socket.destroy(); } };
}

function listen(target: ListenTarget, events: ListenEvents, done: (err: string | null, listener?: Listener) => void): void {
  const path = target.kind === 'ipc' ? target.path : '';
  const server = net().createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => {
    events.onConnection(new NetConnection(socket, path ? 'ipc' : 'tcp', path));
  });
  server.once('error', (err) => done(codeOf(err)));
  const options: NodeNet.ListenOptions = target.kind === 'tcp'
    ? { host: target.address, port: target.port, backlog: target.backlog, ipv6Only: target.ipv6Only, reusePort: target.reusePort } as NodeNet.ListenOptions
    : target.kind === 'ipc'
      ? { path, backlog: target.backlog, readableAll: target.readableAll, writableAll: target.writableAll }
      : { fd: target.fd, backlog: target.backlog } as NodeNet.ListenOptions;
  server.listen(options, () => {
    server.removeAllListeners('error');
    server.on('error', (err) => events.onError(codeOf(err)));
    done(null, {
      endpoint: () => endpointOf(server.address(), path) ?? { address: '', port: 0, family: 'IPv4' },
      // node:net's close callback waits for every accepted connection; the listening socket itself
      // is released by the next loop turn, which is what the contract's `done` means.
      close: (cb) => {
        if (server.listening) server.close();
        if (cb) setImmediate(cb);
      },
      ref: () => { server.ref(); },
      unref: () => { server.unref(); },
      get fd() { return (server as unknown as { _handle?: { fd?: number } })._handle?.fd ?? -1; },
    });
  });
}

function adopt(fd: number): Connection {
  let socket: NodeNet.Socket;
  try {
    socket = new (net().Socket)({ fd, allowHalfOpen: true, readable: true, writable: true });
  } catch (err) {
    // node:net names the descriptor type; the contract speaks in codes.
    if (codeOf(err) === 'ERR_INVALID_FD_TYPE') throw /UNKNOWN/.test((err as Error).message) ? 'EBADF' : 'EINVAL';
    throw codeOf(err);
  }
  return new NetConnection(socket, socket.remoteAddress === undefined ? 'ipc' : 'tcp');
}

const [major, minor] = process.versions.node.split('.').map(Number);

const capabilities: Capabilities = {
  localAddress: true,
  keepAliveDelay: true,
  reset: true,
  backlog: true,
  ipcBacklog: true,
  ipv6Only: true,
  // listen({ reusePort }) arrived in Node 23.1.
  reusePort: major > 23 || (major === 23 && minor >= 1),
  ipcPermissions: true,
  abstractIpc: true,
  // node:net's IPC is a named pipe on Windows.
  namedPipes: true,
  adoptFd: true,
  // socket.setTypeOfService() is part of node:net from Node 24.
  get typeOfService() { return typeof (net().Socket.prototype as { setTypeOfService?: unknown }).setTypeOfService === 'function'; },
  unref: true,
};

export const transport: Transport = { runtime: `Node ${process.version} (node:net fallback)`, capabilities, connect, listen, adopt };
export default transport;
