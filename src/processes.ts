// crossnet/processes (#17): crossnet sockets and servers across processes with the runtime's own
// child_process. `subprocess.send(message, handle)` takes only the runtime's own node:net objects
// (Node's, Deno's and Bun's child_process check the class), so a crossnet socket or server goes as
// one: `subprocess.send('socket', handOff(socket))`. The receiving process gets the runtime's own
// node:net object, as it always does; `adopt(received)` turns it into a crossnet one. Both work
// where the transport can name the runtime handle behind a connection (Node; Deno for compat
// handles) and throw ERR_CROSSNET_UNSUPPORTED elsewhere.
import process from 'node:process';
import { Buffer } from 'node:buffer';
import type * as NodeNet from 'node:net';
import { Socket } from './socket.ts';
import { Server } from './server.ts';
import { getTransport } from './runtime.ts';
import { isFailure } from './failure.ts';
import { invalidArgType, unsupported } from './errors.ts';
import { adoptRuntimeHandle, isRuntimeListenHandle, looksLikeStream, serverForSend } from './handoff.ts';

type NetModule = typeof NodeNet;
let nodeNet: NetModule | undefined;
/** The runtime's own node:net (the module its child_process sends and builds). */
function runtimeNet(): NetModule {
  return (nodeNet ??= (process as unknown as { getBuiltinModule(id: string): NetModule }).getBuiltinModule('node:net'));
}

export interface HandOffOptions {
  /** As `subprocess.send(…, { keepOpen })`: the socket stays open and usable in this process too. */
  keepOpen?: boolean;
}

/**
 * The runtime's own node:net Socket or Server over the OS socket of a crossnet one, to pass to
 * `subprocess.send(message, handOff(x), options)` (give `send` the same `keepOpen`). A socket:
 * without `keepOpen` this process lets go of it as node:net's send does (the socket has no handle
 * any more and no longer counts toward its server's connections); with it, both processes own it.
 * A server keeps listening here too (both processes accept, as with node:net). `null` for a socket
 * or server with nothing to send (node:net then sends the message alone).
 */
export function handOff(target: Socket | Server, options: HandOffOptions = {}): NodeNet.Socket | NodeNet.Server | null {
  const runtime = getTransport().runtime;
  if (target instanceof Socket) {
    const conn = target._conn;
    if (!conn || target.destroyed) return null;
    const what = 'handing a socket to another process (subprocess.send)';
    if (typeof conn.exportHandle !== 'function') throw unsupported(runtime, what);
    const keepOpen = options.keepOpen === true;
    let native: unknown;
    try {
      native = conn.exportHandle(!keepOpen);
    } catch (err) {
      if (isFailure(err) && err.code === 'EBUSY') throw unsupported(runtime, `${what} while it is reading or writing (pause it first, or use pauseOnConnect)`);
      if (isFailure(err)) throw unsupported(runtime, keepOpen ? `${what} with keepOpen` : what);
      throw err;
    }
    const h = native as { onread?: unknown; owner?: unknown };
    const onread = h.onread;
    // Node's handles name their reader through `owner` (node:net's legacy accessor); keep it too.
    const owner = 'owner' in h ? h.owner : undefined;
    // Neither readable nor writable: node:net must not read from or shut down what it only carries.
    const carrier = new (runtimeNet().Socket)({ handle: native, readable: false, writable: false } as NodeNet.SocketConstructorOpts);
    // The runtime's send tracks the socket for its server (the count, and close() waiting for it).
    const server = target._server;
    if (server) (carrier as unknown as { server: object }).server = serverForSend(server as unknown as Server);
    if (keepOpen) {
      // crossnet keeps reading through the handle.
      h.onread = onread;
      if (owner !== undefined) h.owner = owner;
    } else {
      target._conn = null;
      target._handle = null;
      target.setTimeout(0);
      // No longer this process's connection (the child's list counts it, as in Node).
      if (server) {
        target._server = null;
        server._connections--;
        server._emitCloseIfDrained();
      }
    }
    return carrier;
  }
  if (target instanceof Server) {
    const listener = target._handle?.listener;
    if (!listener) return null;
    const native = listener.exportHandle?.();
    if (!looksLikeStream(native)) throw unsupported(runtime, 'handing a server to another process (subprocess.send)');
    const carrier = new (runtimeNet().Server)();
    (carrier as unknown as { _handle: unknown })._handle = native;
    return carrier;
  }
  throw invalidArgType('target', ['net.Socket', 'net.Server'], target);
}

/**
 * A crossnet Socket or Server from what the runtime's child_process delivered (its own node:net
 * Socket or Server, or a raw handle), taking over the OS socket with full crossnet semantics.
 * The node:net socket lets go of it; it emits 'close' once the crossnet one closed (which tells
 * the sending process's server, as node:net's would).
 */
export function adopt(received: unknown): Socket | Server {
  const runtime = getTransport().runtime;
  const N = runtimeNet();
  if (received instanceof N.Socket) {
    const holder = received as unknown as { _handle: unknown };
    const conn = adoptRuntimeHandle(holder._handle);
    if (!conn) throw unsupported(runtime, 'adopting a socket received from another process');
    holder._handle = null;
    // node:net started reading as it built the socket: what it read already comes first.
    const early: Buffer[] = [];
    for (let chunk; (chunk = received.read()) !== null;) early.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    const socket = new Socket({ handle: conn, readable: true, writable: true });
    if (early.length) socket.unshift(Buffer.concat(early));
    socket.once('close', () => received.destroy());
    return socket;
  }
  if (received instanceof N.Server) {
    const holder = received as unknown as { _handle: unknown };
    const handle = holder._handle;
    if (!isRuntimeListenHandle(handle)) throw unsupported(runtime, 'adopting a server received from another process');
    holder._handle = null;
    return new Server().listen(handle);
  }
  const conn = adoptRuntimeHandle(received);
  if (conn) return new Socket({ handle: conn, readable: true, writable: true });
  if (isRuntimeListenHandle(received)) return new Server().listen(received);
  throw invalidArgType('received', ['net.Socket', 'net.Server'], received);
}
