// The `sockets` impl: throughput and pingpong with the client on crossnet/sockets (the WinterTC
// Sockets API: Web Streams over crossnet's net socket) and the server on crossnet's net, so the
// ratio to the `crossnet` impl (both ends crossnet net) is the cost of the Web-Streams layer.
// Every function resolves to { value, unit }.
const HOST = '127.0.0.1';
const now = () => performance.now();

function listen(net, onConnection) {
  return new Promise((resolve, reject) => {
    const server = net.createServer(onConnection);
    server.once('error', reject);
    server.listen(0, HOST, () => resolve({ server, port: server.address().port }));
  });
}

// The server writes warmup + bytes in 64 KiB chunks honouring write()'s return value; the client
// reads them from socket.readable (its bounded queue pauses the socket when it falls behind) and
// times from the end of the warmup to the last byte. Both ends of the `crossnet` baseline are the
// same net socket, so its direction (client to server) costs the same.
async function throughput(net, sockets, p) {
  const total = p.warmupBytes + p.bytes;
  const { server, port } = await listen(net, (socket) => {
    socket.setNoDelay(true);
    const chunk = new Uint8Array(p.chunk).fill(0x61);
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        const n = Math.min(p.chunk, total - sent);
        sent += n;
        if (!socket.write(n === p.chunk ? chunk : chunk.subarray(0, n))) { socket.once('drain', pump); return; }
      }
      socket.end();
    };
    pump();
  });
  const client = sockets.connect({ hostname: HOST, port });
  await client.opened;
  const reader = client.readable.getReader();
  let received = 0, t0 = 0, fromByte = 0, t1 = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (t0 === 0 && received >= p.warmupBytes) { t0 = now(); fromByte = received; }
    if (received >= total) { t1 = now(); break; }
  }
  if (received < total) throw new Error(`the stream ended after ${received} of ${total} bytes`);
  await client.close();
  server.close();
  return { value: (total - fromByte) / (1024 * 1024) / ((t1 - t0) / 1000), unit: 'MiB/s' };
}

// One connection, p.size-byte request/echo round trips for a fixed time after a warmup: the client
// writes through socket.writable and reads the echo from socket.readable.
async function pingpong(net, sockets, p) {
  const { server, port } = await listen(net, (socket) => {
    socket.setNoDelay(true);
    socket.on('data', (d) => socket.write(d));
  });
  const client = sockets.connect({ hostname: HOST, port });
  await client.opened;
  const reader = client.readable.getReader();
  const writer = client.writable.getWriter();
  const msg = new Uint8Array(p.size).fill(0x62);
  const start = now();
  let count = 0, t0 = 0, c0 = 0, result;
  for (;;) {
    writer.write(msg);
    let got = 0;
    while (got < p.size) {
      const { value, done } = await reader.read();
      if (done) throw new Error('the echo stream ended');
      got += value.byteLength;
    }
    count++;
    const t = now();
    if (t0 === 0) {
      if (t - start >= p.warmupMs) { t0 = t; c0 = count; }
    } else if (t - t0 >= p.durationMs) {
      result = { value: (count - c0) / ((t - t0) / 1000), unit: 'round trips/s' };
      break;
    }
  }
  await client.close();
  server.close();
  return result;
}

export function workloads(net, sockets) {
  return {
    throughput: (p) => throughput(net, sockets, p),
    pingpong: (p) => pingpong(net, sockets, p),
  };
}
