// The workloads on Bun's own TCP API (Bun.listen / Bun.connect with socket handlers), below Bun's
// node:net: the ceiling any net implementation on Bun can reach.
const HOST = '127.0.0.1';
const now = () => performance.now();

// Bun's write() is unbuffered: it returns how many bytes the kernel took, and the rest is ours to
// resend on 'drain'. `s.data.queue` holds the bytes still to send.
function send(s, bytes) {
  const q = s.data.queue;
  if (q.length) { q.push(bytes); return; }
  const n = s.write(bytes);
  if (n < 0) throw new Error('write on a closed socket');
  if (n < bytes.length) q.push(bytes.slice(n)); // a copy: the read buffer may be reused
}

function flush(s) {
  const q = s.data.queue;
  while (q.length) {
    const n = s.write(q[0]);
    if (n < 0) throw new Error('write on a closed socket');
    if (n < q[0].length) { q[0] = q[0].subarray(n); return false; }
    q.shift();
  }
  return true;
}

// `handlers` receive the socket; each socket's `data` holds its write queue plus what the caller adds.
function listen(handlers) {
  const listener = Bun.listen({
    hostname: HOST,
    port: 0,
    allowHalfOpen: true,
    socket: {
      binaryType: 'uint8array',
      open(s) { s.setNoDelay(true); s.data = { queue: [] }; handlers.open?.(s); },
      data: handlers.data,
      drain(s) { flush(s); },
      end: handlers.end,
      close: handlers.close,
      error(_s, err) { throw err; },
    },
  });
  return { listener, port: listener.port };
}

async function connect(port, handlers) {
  const s = await Bun.connect({
    hostname: HOST,
    port,
    allowHalfOpen: true,
    socket: {
      binaryType: 'uint8array',
      open(s) { s.setNoDelay(true); s.data = { queue: [] }; },
      data: handlers.data,
      drain(s) { if (flush(s)) handlers.drain?.(s); },
      end: handlers.end,
      close: handlers.close,
      error(_s, err) { throw err; },
    },
  });
  return s;
}

async function throughput(p) {
  const total = p.warmupBytes + p.bytes;
  let received = 0, t0 = 0, fromByte = 0, finish;
  const done = new Promise((resolve) => { finish = resolve; });
  const server = listen({
    data(_s, d) {
      received += d.length;
      if (t0 === 0 && received >= p.warmupBytes) { t0 = now(); fromByte = received; }
      if (received >= total) finish(now());
    },
  });
  const chunk = new Uint8Array(p.chunk).fill(0x61);
  let sent = 0; // bytes the kernel has taken
  // Writes straight from the shared chunk at the current offset until the kernel pushes back.
  const pump = (s) => {
    while (sent < total) {
      const off = sent % p.chunk;
      const len = Math.min(p.chunk - off, total - sent);
      const n = s.write(chunk, off, len);
      if (n < 0) throw new Error('write on a closed socket');
      sent += n;
      if (n < len) return; // 'drain' resumes
    }
    s.end();
  };
  const client = await connect(server.port, { drain: pump });
  pump(client);
  const t1 = await done;
  client.terminate();
  server.listener.stop(true);
  return { value: (total - fromByte) / (1024 * 1024) / ((t1 - t0) / 1000), unit: 'MiB/s' };
}

async function roundTrips(p, clients) {
  const server = listen({ data(s, d) { send(s, d); } });
  const msg = new Uint8Array(p.size).fill(0x62);
  const start = now();
  let count = 0, t0 = 0, c0 = 0, stopped = false, finish;
  const done = new Promise((resolve) => { finish = resolve; });
  const handlers = {
    data(s, d) {
      s.data.got += d.length;
      if (s.data.got < p.size || stopped) return;
      s.data.got -= p.size;
      count++;
      const t = now();
      if (t0 === 0) {
        if (t - start >= p.warmupMs) { t0 = t; c0 = count; }
      } else if (t - t0 >= p.durationMs) {
        stopped = true;
        finish({ value: (count - c0) / ((t - t0) / 1000), unit: 'round trips/s' });
        return;
      }
      send(s, msg);
    },
  };
  const sockets = [];
  for (let i = 0; i < clients; i++) {
    const s = await connect(server.port, handlers);
    s.data.got = 0;
    sockets.push(s);
  }
  for (const s of sockets) send(s, msg);
  const result = await done;
  for (const s of sockets) s.terminate();
  server.listener.stop(true);
  return result;
}

async function connectPhase(count, concurrency) {
  let serverClosed = 0, allClosed;
  const serverDone = new Promise((resolve) => { allClosed = resolve; });
  // Server: on the client's FIN, send ours; Bun closes the socket once both sides have ended.
  const server = listen({
    end(s) { s.end(); },
    close() { if (++serverClosed === count) allClosed(); },
  });
  // Client: FIN right after connecting; done when the socket has closed.
  const one = () => new Promise((resolve, reject) => {
    Bun.connect({
      hostname: HOST,
      port: server.port,
      allowHalfOpen: true,
      socket: {
        open(s) { s.setNoDelay(true); s.end(); },
        data() {},
        end() {},
        close(_s, err) { if (err) reject(err); else resolve(); },
        error(_s, err) { reject(err); },
      },
    }).catch(reject);
  });
  let started = 0;
  const t0 = now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (started < count) { started++; await one(); }
  }));
  await serverDone;
  const t1 = now();
  server.listener.stop(true);
  return { value: count / ((t1 - t0) / 1000), unit: 'conns/s' };
}

async function connects(p) {
  await connectPhase(p.warmup, p.concurrency);
  return connectPhase(p.count, p.concurrency);
}

export const workloads = {
  throughput,
  pingpong: (p) => roundTrips(p, 1),
  fanout: (p) => roundTrips(p, p.connections),
  'connect-seq': connects,
  'connect-c50': connects,
};
