// crossnet/sockets: the WinterTC Sockets API (`connect()` with Web Streams, as Cloudflare
// workerd's `cloudflare:sockets`) on Node, Deno and Bun, built on crossnet's own `net`.
//
//   import { connect } from 'crossnet/sockets';
//   const socket = connect('example.com:443', { secureTransport: 'on' });
//   const writer = socket.writable.getWriter();
//   await writer.write(new TextEncoder().encode('GET / HTTP/1.0\r\nHost: example.com\r\n\r\n'));
//   for await (const chunk of socket.readable) …
//
// The layer itself is src/sockets/: readable.ts (the bounded read queue and its backpressure),
// writable.ts, options.ts (the draft's argument checks), socket.ts (lifecycle, TLS, startTls),
// errors.ts (SocketError), support.ts (shared types and helpers).
import net from './index.ts';
import { createSocketsApi, type SocketsApi } from './sockets/socket.ts';
import type { AnySocketAddress, SocketOptions } from './sockets/options.ts';
import type { Socket } from './sockets/socket.ts';

export { SocketError } from './sockets/errors.ts';
export { createSocketsApi };
export type { Socket, SocketInfo, StartTlsOptions, SocketsApi, NetModule, TlsModule } from './sockets/socket.ts';
export type { SocketAddress, AnySocketAddress, SecureTransportKind, SocketOptions, SocketTlsOptions } from './sockets/options.ts';

const api: SocketsApi = createSocketsApi(net);

/**
 * Open a TCP connection (TLS with `secureTransport: 'on'`) to `address`: `"host:port"`,
 * `"[v6]:port"` or `{ hostname, port }`. Returns the socket at once; `socket.opened` settles when
 * connected. A malformed address or option throws a SocketError.
 */
export function connect(address: AnySocketAddress, options?: SocketOptions): Socket {
  return api.connect(address, options);
}
