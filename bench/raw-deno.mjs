// The workloads on Deno's own TCP API (Deno.listen / Deno.connect with read/write loops), below
// Deno's node:net: the ceiling any net implementation on Deno can reach.
const HOST = '127.0.0.1';
const now = () => performance.now();

// Accepts until the listener closes; each accepted connection gets `handle(conn)`.
function listen(handle) {
  const listener = Deno.listen({ hostname: HOST, port: 0 });
  (async () => {
    for (;;) {
      let conn;
      try { conn = await listener.accept(); } catch { return; }
      conn.setNoDelay(true);
      handle(conn);
    }
  })();
  return { listener, port: listener.addr.port };
}

async function connect(port) {
  const conn = await Deno.connect({ hostname: HOST, port });
  conn.setNoDelay(true);
  return conn;
}

async function writeAll(conn, bytes) {
  let off = 0;
  while (off < bytes.length) off += await conn.write(off === 0 ? bytes : bytes.subarray(off));
}

// Reads until EOF; a reset or a closed resource also ends the loop (the peer went away).
async function drain(conn, onData) {
  const buf = new Uint8Array(64 * 1024);
  for (;;) {
    let n;
    try { n = await conn.read(buf); } catch { return; }
    if (n === null) return;
    onData(buf, n);
  }
}

const closeQuietly = (c) => { try { c.close(); } catch { /* already closed */ } };

async function throughput(p) {
  const total = p.warmupBytes + p.bytes;
  let received = 0, t0 = 0, fromByte = 0, finish;
  const done = new Promise((resolve) => { finish = resolve; });
  const server = listen((conn) => drain(conn, (_buf, n) => {
    received += n;
    if (t0 === 0 && received >= p.warmupBytes) { t0 = now(); fromByte = received; }
    if (received >= total) finish(now());
  }));
  const client = await connect(server.port);
  const chunk = new Uint8Array(p.chunk).fill(0x61);
  (async () => {
    for (let sent = 0; sent < total;) {
      const n = Math.min(p.chunk, total - sent);
      await writeAll(client, n === p.chunk ? chunk : chunk.subarray(0, n));
      sent += n;
    }
    await client.closeWrite();
  })();
  const t1 = await done;
  closeQuietly(client);
  server.listener.close();
  return { value: (total - fromByte) / (1024 * 1024) / ((t1 - t0) / 1000), unit: 'MiB/s' };
}

async function roundTrips(p, clients) {
  // Echo: each read is written back before the next read.
  const server = listen(async (conn) => {
    const buf = new Uint8Array(64 * 1024);
    try {
      for (let n; (n = await conn.read(buf)) !== null;) await writeAll(conn, buf.subarray(0, n));
    } catch { /* the client went away */ }
    closeQuietly(conn);
  });
  const conns = [];
  for (let i = 0; i < clients; i++) conns.push(await connect(server.port));
  const msg = new Uint8Array(p.size).fill(0x62);
  const start = now();
  let count = 0, t0 = 0, c0 = 0, stopped = false, result;
  await Promise.all(conns.map(async (conn) => {
    const buf = new Uint8Array(64 * 1024);
    while (!stopped) {
      await writeAll(conn, msg);
      for (let got = 0; got < p.size;) {
        const n = await conn.read(buf);
        if (n === null) throw new Error('unexpected EOF');
        got += n;
      }
      if (stopped) return;
      count++;
      const t = now();
      if (t0 === 0) {
        if (t - start >= p.warmupMs) { t0 = t; c0 = count; }
      } else if (t - t0 >= p.durationMs) {
        stopped = true;
        result = { value: (count - c0) / ((t - t0) / 1000), unit: 'round trips/s' };
      }
    }
  }));
  for (const conn of conns) closeQuietly(conn);
  server.listener.close();
  return result;
}

async function connectPhase(count, concurrency) {
  let serverClosed = 0, allClosed;
  const serverDone = new Promise((resolve) => { allClosed = resolve; });
  // Server: on the client's FIN, send ours, then close.
  const server = listen(async (conn) => {
    await drain(conn, () => {});
    try { await conn.closeWrite(); } catch { /* peer already gone */ }
    closeQuietly(conn);
    if (++serverClosed === count) allClosed();
  });
  const buf = new Uint8Array(1024);
  // Client: FIN right after connecting; close once the server's FIN arrived.
  const one = async () => {
    const conn = await connect(server.port);
    await conn.closeWrite();
    while ((await conn.read(buf)) !== null);
    conn.close();
  };
  let started = 0;
  const t0 = now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (started < count) { started++; await one(); }
  }));
  await serverDone;
  const t1 = now();
  server.listener.close();
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
