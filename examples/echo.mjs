// The README's echo server: runs unchanged with `node`, `deno run -A` and `bun`.
import net from 'crossnet';

const server = net.createServer((socket) => socket.pipe(socket));

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const client = net.connect(port, '127.0.0.1', () => client.end('hello from crossnet'));
  client.setEncoding('utf8');
  client.on('data', (text) => console.log(`echoed: ${text}`));
  client.on('close', () => server.close());
});
