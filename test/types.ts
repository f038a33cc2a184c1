// Type-level check: code written against node:net's types compiles unchanged against crossnet.
import * as nodeNet from 'node:net';
import net, { createServer, connect, Socket, Server, BlockList, SocketAddress, isIP } from 'crossnet';

function useNodeTypes(socket: nodeNet.Socket, server: nodeNet.Server): void {
  socket.setNoDelay(true).setKeepAlive(true, 1000).setTimeout(10);
  server.listen({ port: 0, host: '127.0.0.1' });
}

const server: nodeNet.Server = createServer({ allowHalfOpen: true }, (s) => s.pipe(s));
const client: nodeNet.Socket = connect({ port: 1, host: '127.0.0.1', autoSelectFamily: true });
const viaDefault: nodeNet.Socket = net.createConnection(1, '127.0.0.1');
const made: Socket = new Socket({ allowHalfOpen: true });
const srv: Server = new Server();
const list: nodeNet.BlockList = new BlockList();
list.addSubnet('10.0.0.0', 8);
const addr: nodeNet.SocketAddress = new SocketAddress({ address: '127.0.0.1', port: 80 });
const family: number = isIP(addr.address);
useNodeTypes(client, server);
useNodeTypes(made, srv);
void viaDefault;
void family;
const reserved: nodeNet.BoundSocket = new net.BoundSocket({ host: '127.0.0.1', port: 0 });
srv.listen(reserved);
