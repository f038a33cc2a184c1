// The workloads on Node's own libuv TCP handles (tcp_wrap / stream_wrap), below node:net's streams:
// the ceiling any net implementation on Node can reach.
import process from 'node:process';

const { TCP, TCPConnectWrap, constants } = process.binding('tcp_wrap');
const { WriteWrap, ShutdownWrap, streamBaseState, kReadBytesOrError, kArrayBufferOffset, kLastWriteWasAsync } =
  process.binding('stream_wrap');
const { UV_EOF } = process.binding('uv');

const HOST = '127.0.0.1';
const now = () => performance.now();

function check(err, what) {
  if (err) throw new Error(`${what} failed: uv error ${err}`);
}

function listen(onConnection) {
  const handle = new TCP(constants.SERVER);
  check(handle.bind(HOST, 0), 'bind');
  check(handle.listen(511), 'listen');
  const addr = {};
  check(handle.getsockname(addr), 'getsockname');
  handle.onconnection = (err, client) => {
    check(err, 'accept');
    check(client.setNoDelay(true), 'setNoDelay');
    onConnection(client);
  };
  return { handle, port: addr.port };
}

function connect(port) {
  return new Promise((resolve, reject) => {
    const handle = new TCP(constants.SOCKET);
    const req = new TCPConnectWrap();
    req.oncomplete = (status) => {
      if (status) return reject(new Error(`connect failed: uv error ${status}`));
      check(handle.setNoDelay(true), 'setNoDelay');
      resolve(handle);
    };
    req.address = HOST;
    req.port = port;
    check(handle.connect(req, HOST, port), 'connect');
  });
}

// onData gets a view of a buffer the handle allocated for this read alone; onEnd runs on EOF.
function read(handle, onData, onEnd) {
  handle.onread = (arrayBuffer) => {
    const n = streamBaseState[kReadBytesOrError];
    if (n > 0) onData(new Uint8Array(arrayBuffer, streamBaseState[kArrayBufferOffset], n));
    else if (n === UV_EOF) onEnd();
    else if (n < 0) throw new Error(`read failed: uv error ${n}`);
  };
  check(handle.readStart(), 'readStart');
}

// Returns true when libuv wrote everything at once; otherwise `done` runs once the write completes.
function write(handle, bytes, done) {
  const req = new WriteWrap();
  req.handle = handle;
  req.buffer = bytes; // keeps the bytes alive while the write is queued
  req.oncomplete = (status) => {
    check(status, 'write');
    done();
  };
  check(handle.writeBuffer(req, bytes), 'write');
  return streamBaseState[kLastWriteWasAsync] === 0;
}

function shutdown(handle, done) {
  const req = new ShutdownWrap();
  req.handle = handle;
  req.oncomplete = (status) => {
    check(status, 'shutdown');
    done();
  };
  check(handle.shutdown(req), 'shutdown');
}

const noop = () => {};

async function throughput(p) {
  const total = p.warmupBytes + p.bytes;
  let received = 0, t0 = 0, fromByte = 0, finish;
  const done = new Promise((resolve) => { finish = resolve; });
  const server = listen((h) => read(h, (d) => {
    received += d.length;
    if (t0 === 0 && received >= p.warmupBytes) { t0 = now(); fromByte = received; }
    if (received >= total) finish(now());
  }, noop));
  const client = await connect(server.port);
  const chunk = new Uint8Array(p.chunk).fill(0x61);
  let sent = 0;
  const pump = () => {
    while (sent < total) {
      const n = Math.min(p.chunk, total - sent);
      sent += n;
      if (!write(client, n === p.chunk ? chunk : chunk.subarray(0, n), pump)) return;
    }
    shutdown(client, noop);
  };
  pump();
  const t1 = await done;
  client.close();
  server.handle.close();
  return { value: (total - fromByte) / (1024 * 1024) / ((t1 - t0) / 1000), unit: 'MiB/s' };
}

async function roundTrips(p, clients) {
  const server = listen((h) => read(h, (d) => write(h, d, noop), () => h.close()));
  const handles = [];
  for (let i = 0; i < clients; i++) handles.push(await connect(server.port));
  const msg = new Uint8Array(p.size).fill(0x62);
  const start = now();
  let count = 0, t0 = 0, c0 = 0, stopped = false, finish;
  const done = new Promise((resolve) => { finish = resolve; });
  for (const h of handles) {
    let got = 0;
    read(h, (d) => {
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
      write(h, msg, noop);
    }, noop);
    write(h, msg, noop);
  }
  const result = await done;
  for (const h of handles) h.close();
  server.handle.close();
  return result;
}

async function connectPhase(count, concurrency) {
  let serverClosed = 0, allClosed;
  const serverDone = new Promise((resolve) => { allClosed = resolve; });
  // Server: on the client's FIN, send ours, then close.
  const server = listen((h) => read(h, noop, () => shutdown(h, () => h.close(() => {
    if (++serverClosed === count) allClosed();
  }))));
  // Client: FIN right after connecting; close once the server's FIN arrived and ours is sent.
  const one = () => new Promise((resolve, reject) => {
    const h = new TCP(constants.SOCKET);
    const req = new TCPConnectWrap();
    req.oncomplete = (status) => {
      if (status) return reject(new Error(`connect failed: uv error ${status}`));
      check(h.setNoDelay(true), 'setNoDelay');
      let pending = 2;
      const step = () => { if (--pending === 0) h.close(resolve); };
      read(h, noop, step);
      shutdown(h, step);
    };
    req.address = HOST;
    req.port = server.port;
    check(h.connect(req, HOST, server.port), 'connect');
  });
  let started = 0;
  const t0 = now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (started < count) { started++; await one(); }
  }));
  await serverDone;
  const t1 = now();
  server.handle.close();
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
