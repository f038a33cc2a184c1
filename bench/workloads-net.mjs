// The five workloads written against the public `net` API only, so one file measures both crossnet
// and the runtime's own node:net. Every function resolves to { value, unit }.
const HOST = '127.0.0.1';
const now = () => performance.now();

function listen(net, onConnection) {
  return new Promise((resolve, reject) => {
    const server = net.createServer(onConnection);
    server.once('error', reject);
    server.listen(0, HOST, () => resolve({ server, port: server.address().port }));
  });
}

function connect(net, port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: HOST });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.setNoDelay(true);
      resolve(socket);
    });
  });
}

function echo(socket) {
  socket.setNoDelay(true);
  socket.on('data', (d) => socket.write(d));
}

// The client writes warmup + bytes in 64 KiB chunks honouring write()'s return value; the receiver
// starts its clock once the warmup bytes have arrived and stops it when the last byte arrives.
async function throughput(net, p) {
  const total = p.warmupBytes + p.bytes;
  let received = 0, t0 = 0, fromByte = 0;
  let finish;
  const done = new Promise((resolve) => { finish = resolve; });
  const { server, port } = await listen(net, (socket) => {
    socket.setNoDelay(true);
    socket.on('data', (d) => {
      received += d.length;
      if (t0 === 0 && received >= p.warmupBytes) { t0 = now(); fromByte = received; }
      if (received >= total) finish(now());
    });
  });
  const client = await connect(net, port);
  const chunk = new Uint8Array(p.chunk).fill(0x61);
  let sent = 0;
  const pump = () => {
    while (sent < total) {
      const n = Math.min(p.chunk, total - sent);
      sent += n;
      if (!client.write(n === p.chunk ? chunk : chunk.subarray(0, n))) { client.once('drain', pump); return; }
    }
    client.end();
  };
  pump();
  const t1 = await done;
  client.destroy();
  server.close();
  return { value: (total - fromByte) / (1024 * 1024) / ((t1 - t0) / 1000), unit: 'MiB/s' };
}

// Round trips of p.size bytes on `clients` connections at once, for a fixed time after a warmup.
// Each connection has one request in flight; the rate counts round trips completed in the window.
async function roundTrips(net, p, clients) {
  const { server, port } = await listen(net, echo);
  const sockets = [];
  for (let i = 0; i < clients; i++) sockets.push(await connect(net, port));
  const msg = new Uint8Array(p.size).fill(0x62);
  const start = now();
  let count = 0, t0 = 0, c0 = 0, stopped = false, finish;
  const done = new Promise((resolve) => { finish = resolve; });
  for (const socket of sockets) {
    let got = 0;
    socket.on('data', (d) => {
      got += d.length;
      if (got < p.size || stopped) return;
      got -= p.size;
      count++;
      const t = now();
      if (t0 === 0) {
        if (t - start >= p.warmupMs) { t0 = t; c0 = count; }
      } else if (t - t0 >= p.durationMs) {
        stopped = true;
        finish({ value: (count - c0) / ((t - t0) / 1000), unit: 'round trips/s' });
        return;
      }
      socket.write(msg);
    });
    socket.write(msg);
  }
  const result = await done;
  for (const socket of sockets) socket.destroy();
  server.close();
  return result;
}

// Opens `count` connections, `concurrency` at a time, each closed gracefully: client end → server
// end → both sides closed. A fresh listener (fresh port) per phase keeps TIME_WAIT tuples apart.
async function connectPhase(net, count, concurrency) {
  let serverClosed = 0;
  const waiters = [];
  const { server, port } = await listen(net, (socket) => {
    socket.setNoDelay(true);
    socket.resume();
    socket.on('end', () => socket.end());
    socket.on('close', () => {
      serverClosed++;
      while (waiters.length && waiters[0].n <= serverClosed) waiters.shift().resolve();
    });
  });
  const untilServerClosed = (n) => n <= serverClosed ? undefined
    : new Promise((resolve) => { waiters.push({ n, resolve }); waiters.sort((a, b) => a.n - b.n); });
  const one = () => new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: HOST });
    socket.once('error', reject);
    socket.once('connect', () => { socket.setNoDelay(true); socket.end(); });
    socket.resume();
    socket.once('close', resolve);
  });
  let started = 0;
  const t0 = now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (started < count) { started++; await one(); }
  }));
  await untilServerClosed(count);
  const t1 = now();
  server.close();
  return { value: count / ((t1 - t0) / 1000), unit: 'conns/s' };
}

async function connects(net, p) {
  await connectPhase(net, p.warmup, p.concurrency);
  return connectPhase(net, p.count, p.concurrency);
}

export function workloads(net) {
  return {
    throughput: (p) => throughput(net, p),
    pingpong: (p) => roundTrips(net, p, 1),
    fanout: (p) => roundTrips(net, p, p.connections),
    'connect-seq': (p) => connects(net, p),
    'connect-c50': (p) => connects(net, p),
  };
}
