// One Bun socket as the contract's Connection: Bun's callbacks and calls mapped onto StreamConnection.
import type { Endpoint, Failure } from '../src/transport.ts';
import { failure } from '../src/failure.ts';
import { nextTick, StreamConnection, type StreamTuning } from './stream.ts';
import { codeOf, errnoName } from './shared/codes.ts';
import type { BunSocket } from './bun-api.ts';

/** Node's Failure for a Bun error: Bun sets Node's `code` (or a bare errno); EINVAL for what carries neither. */
export const failureOf = (err: unknown): Failure => failure(codeOf(err, 'EINVAL'));

// Writes: Bun's write() is a synchronous syscall, so small chunks are joined (one copy) up to 64 KiB
// and larger ones go as they are.
const WRITES: StreamTuning = { large: 16 * 1024, joinMax: 64 * 1024, defer: nextTick };

export class BunConnection extends StreamConnection {
  private dead = false; // Bun closed the socket
  private deadErr: Failure | null = null;

  constructor(private readonly sock: BunSocket, readonly kind: 'tcp' | 'ipc', private readonly path: string, private readonly accepted: boolean) {
    super(WRITES, true); // Bun reads from the start; the first read while stopped pauses it
  }

  get fd(): number {
    return this.dead ? -1 : this.sock.fd;
  }

  protected ioResume(): void {
    if (!this.dead) this.sock.resume();
  }

  // pause()/resume() remove/restore read interest, so a paused socket applies TCP backpressure.
  protected ioPause(): void {
    if (!this.dead) this.sock.pause();
  }

  // What the kernel takes now; the rest when Bun says `drain`.
  protected ioWrite(chunk: Uint8Array): number {
    const n = this.sock.write(chunk, 0, chunk.byteLength);
    if (n < 0) throw this.deadErr ?? failure('EPIPE');
    return n;
  }

  protected ioCloseWrite(): void {
    this.sock.shutdown();
  }

  // Both run the `close` handler synchronously, releasing the descriptor before they return.
  protected ioClose(rst: boolean): void {
    if (this.dead) return;
    if (rst) this.sock.terminate(); // SO_LINGER 0 + close: the peer gets RST (ECONNRESET)
    else this.sock.end();
  }

  protected ioFailure(err: unknown): Failure {
    return failureOf(err);
  }

  // No copy: Bun copies every read into a Buffer of its own (ArrayBuffer.createBuffer) that it never
  // touches again, so `d` is already the core's. test/contract.mjs keeps chunks and checks them at
  // the end to catch a Bun that starts reusing its buffer.
  onSockData(d: Buffer): void {
    this.readData(d);
  }

  onSockEnd(): void {
    this.readEnd();
  }

  onSockDrain(): void {
    this.writable();
  }

  onSockClose(err: Error | undefined): void {
    this.dead = true;
    this.deadErr = err ? failureOf(err) : null;
    this.gone(this.deadErr);
  }

  setNoDelay(enable: boolean): void {
    if (!this.dead && this.kind === 'tcp') this.sock.setNoDelay(enable);
  }

  setKeepAlive(enable: boolean, delaySeconds: number): void {
    // Bun takes milliseconds and sets TCP_KEEPIDLE from them (0 keeps the current value).
    if (!this.dead && this.kind === 'tcp') this.sock.setKeepAlive(enable, delaySeconds * 1000);
  }

  setTypeOfService(tos: number): void {
    if (this.dead) throw failure('EBADF');
    let r: unknown;
    try {
      r = this.sock.setTypeOfService?.(tos);
    } catch (err) {
      throw failureOf(err);
    }
    if (typeof r === 'number' && r < 0) throw failure(errnoName(r));
    if (r === false) throw failure('EINVAL');
  }

  getTypeOfService(): number {
    if (this.dead) throw failure('EBADF');
    const tos = this.sock.getTypeOfService?.() ?? 0;
    if (tos < 0) throw failure(errnoName(tos));
    return tos;
  }

  ref(): void {
    if (!this.dead) this.sock.ref();
  }

  unref(): void {
    if (!this.dead) this.sock.unref();
  }

  localEndpoint(): Endpoint | undefined {
    if (this.kind === 'ipc') return this.accepted ? this.path : '';
    const s = this.sock;
    const address = s.localAddress;
    if (this.dead || address === undefined) return undefined;
    return { address, port: s.localPort!, family: s.localFamily === 'IPv6' ? 'IPv6' : 'IPv4' };
  }

  remoteEndpoint(): Endpoint | undefined {
    if (this.kind === 'ipc') return this.accepted ? '' : this.path;
    const s = this.sock;
    const address = s.remoteAddress;
    if (this.dead || address === undefined) return undefined;
    return { address, port: s.remotePort!, family: s.remoteFamily === 'IPv6' ? 'IPv6' : 'IPv4' };
  }
}

