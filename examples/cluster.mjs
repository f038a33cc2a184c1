// A crossnet server on two node:cluster workers sharing one port (docs/multiple-processes.md);
// runs unchanged with `node`, `deno run -A` and `bun`, and under PM2's cluster mode. The primary
// makes a few connections, prints which worker served each, and stops.
import cluster from 'node:cluster';
import process from 'node:process';
import net from 'crossnet';

const PORT = Number(process.env.PORT ?? 3000);

if (cluster.isPrimary) {
  let listening = 0;
  for (let i = 0; i < 2; i++) {
    cluster.fork().on('listening', async () => {
      if (++listening < 2) return;
      for (let i = 0; i < 4; i++) {
        const reply = await new Promise((resolve) => {
          const client = net.connect(PORT, '127.0.0.1');
          let text = '';
          client.setEncoding('utf8');
          client.on('data', (d) => { text += d; });
          client.on('close', () => resolve(text.trim()));
        });
        console.log(reply);
      }
      for (const worker of Object.values(cluster.workers)) worker.kill();
    });
  }
} else {
  net.createServer((socket) => socket.end(`served by worker ${process.pid}\n`)).listen(PORT, '127.0.0.1');
}
