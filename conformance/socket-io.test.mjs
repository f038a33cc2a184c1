// Data over net.Socket: write/end, encodings, half-close, flow control (pause/resume, drain,
// cork), counters (bytesRead, bytesWritten, bufferSize) and large transfers.
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { net } from './net.mjs';
import { suite, once, sleep, collect } from './lib.mjs';
import { startServer, closed, destroyAll, pattern, saturate, until } from './support.mjs';

const t = suite('socket-io');
const echo = (s) => s.pipe(s);
const sha = (b) => createHash('sha256').update(b).digest('hex');

t('socket.write: Buffer, Uint8Array and string data arrive byte for byte', async () => {
  const srv = await startServer(echo);
  const c = net.connect(srv.port, '127.0.0.1');
  try {
    const got = collect(c);
    c.write(Buffer.from([0, 1, 2, 255]));
    c.write(new Uint8Array([254, 10, 13]));
    c.write('héllo €');
    c.end();
    const bytes = await got;
    assert.equal([...bytes], [0, 1, 2, 255, 254, 10, 13, ...Buffer.from('héllo €')]);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket.write: the encoding argument encodes strings (hex, base64, latin1, utf16le)', async () => {
  const srv = await startServer(echo);
  const c = net.connect(srv.port, '127.0.0.1');
  try {
    const got = collect(c);
    c.write('cafe', 'hex');
    c.write('AQI=', 'base64');
    c.write('\u00e9', 'latin1');
    c.end('A', 'utf16le');
    assert.equal([...(await got)], [0xca, 0xfe, 1, 2, 0xe9, 0x41, 0]);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket.write: returns true for a small write and calls back with null once flushed', async () => {
  const srv = await startServer();
  const c = net.connect(srv.port, '127.0.0.1');
  try {
    await once(c, 'connect');
    let args;
    const ret = c.write('small', (...a) => { args = a; });
    assert.is(ret, true);
    await until(() => args !== undefined, 3000, 'write callback');
    assert.equal(args, [null]);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket.write: data written before the connection is established is sent after connect', async () => {
  const srv = await startServer(echo);
  const c = new net.Socket();
  try {
    c.connect(srv.port, '127.0.0.1');
    assert.is(c.connecting, true);
    const order = [];
    c.on('connect', () => order.push('connect'));
    c.write('early', () => order.push('write cb'));
    c.end();
    const got = await collect(c);
    assert.is(got.toString(), 'early');
    assert.equal(order, ['connect', 'write cb']);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket.end: (data, encoding) writes the data, then the peer sees end', async () => {
  const srv = await startServer();
  const c = net.connect(srv.port, '127.0.0.1');
  try {
    const peer = await srv.accepted();
    const got = collect(peer);
    c.end('68690a', 'hex');
    assert.is((await got).toString(), 'hi\n');
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket.end: sends FIN only; the client still reads what the peer sends afterwards', async () => {
  const srv = await startServer((s) => {
    s.on('end', () => { s.write('reply after your FIN'); s.end(); });
    s.resume();
  }, { options: { allowHalfOpen: true } });
  const c = net.connect(srv.port, '127.0.0.1');
  try {
    await once(c, 'connect');
    const got = collect(c);
    c.end('request');
    assert.is((await got).toString(), 'reply after your FIN');
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket.write: 8 MiB echoed through the server arrive intact and in order', async () => {
  const srv = await startServer(echo);
  const c = net.connect(srv.port, '127.0.0.1');
  try {
    const data = pattern(8 << 20);
    const got = collect(c);
    c.end(data);
    const back = await got;
    assert.is(back.length, data.length);
    assert.is(sha(back), sha(data));
    assert.is(c.bytesRead, data.length);
    assert.is(c.bytesWritten, data.length);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
}, { timeout: 20000 });

t("socket event 'data': 8 MiB sent by the server in many writes arrive intact", async () => {
  const data = pattern(8 << 20);
  const srv = await startServer((s) => {
    for (let i = 0; i < data.length; i += 100_000) s.write(data.subarray(i, i + 100_000));
    s.end();
  });
  const c = net.connect(srv.port, '127.0.0.1');
  try {
    const back = await collect(c);
    assert.is(back.length, data.length);
    assert.is(sha(back), sha(data));
  } finally {
    destroyAll(c);
    await srv.stop();
  }
}, { timeout: 20000 });

t('socket.bufferSize: grows while the peer does not read; everything arrives once it does', async () => {
  const srv = await startServer((s) => s.pause());
  const c = net.connect(srv.port, '127.0.0.1');
  try {
    await once(c, 'connect');
    const peer = await srv.accepted();
    assert.is(c.bufferSize, 0);
    const total = await saturate(c, 0x62);
    assert.ok(c.bufferSize > 0, `bufferSize ${c.bufferSize}`);
    assert.is(c.write('z'), false);
    let received = 0;
    let bad = 0;
    peer.on('data', (d) => {
      received += d.length;
      for (const byte of d) if (byte !== 0x62 && byte !== 0x7a) bad++;
    });
    peer.resume();
    c.end();
    await once(peer, 'end');
    assert.is(received, total + 1);
    assert.is(bad, 0);
    assert.is(c.bytesWritten, total + 1);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
}, { timeout: 20000 });

t("socket.pause: no 'data' while paused; resume() delivers everything", async () => {
  const srv = await startServer();
  const c = net.connect(srv.port, '127.0.0.1');
  try {
    await once(c, 'connect');
    const peer = await srv.accepted();
    const chunks = [];
    c.on('data', (d) => chunks.push(d));
    c.pause();
    assert.is(c.isPaused(), true);
    peer.end('sent while paused');
    await sleep(150);
    assert.equal(chunks, []);
    c.resume();
    assert.is(c.isPaused(), false);
    await once(c, 'end');
    assert.is(Buffer.concat(chunks).toString(), 'sent while paused');
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t("socket.pause: a paused reader pushes back on the writer, whose data all arrives after resume()", async () => {
  const srv = await startServer();
  const c = net.connect(srv.port, '127.0.0.1');
  try {
    await once(c, 'connect');
    const peer = await srv.accepted();
    c.pause();
    const total = await saturate(peer, 0x63);
    assert.is(peer.write('!'), false, "the peer's write() returns false");
    assert.ok(peer.writableLength > 0);
    let received = 0;
    c.on('data', (d) => { received += d.length; });
    peer.end();
    c.resume();
    await once(c, 'end');
    assert.is(received, total + 1);
    assert.is(c.bytesRead, total + 1);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
}, { timeout: 20000 });

t('socket.bytesWritten: counts encoded bytes, including data still queued before connect', async () => {
  const srv = await startServer();
  const c = new net.Socket();
  try {
    c.connect(srv.port, '127.0.0.1');
    c.write('héllo');
    assert.is(c.bytesWritten, 6);
    c.write(new Uint8Array(10));
    assert.is(c.bytesWritten, 16);
    const peer = await srv.accepted();
    let n = 0;
    peer.on('data', (d) => { n += d.length; });
    c.end('€');
    await once(peer, 'end');
    assert.is(c.bytesWritten, 19);
    assert.is(n, 19);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket.bufferSize: counts characters of strings queued before connect', async () => {
  const srv = await startServer();
  const c = new net.Socket();
  try {
    c.connect(srv.port, '127.0.0.1');
    c.write('héllo');
    assert.is(c.bufferSize, 5);
    assert.is(c.writableLength, 5);
    await once(c, 'connect');
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket.bytesRead: counts the bytes received', async () => {
  const srv = await startServer((s) => s.end(Buffer.alloc(12345, 1)));
  const c = net.connect(srv.port, '127.0.0.1');
  try {
    assert.is(c.bytesRead, 0);
    const got = await collect(c);
    assert.is(got.length, 12345);
    assert.is(c.bytesRead, 12345);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t("socket.setEncoding: 'utf8' yields strings and keeps a character split across packets whole", async () => {
  const euro = Buffer.from('€');
  const srv = await startServer(async (s) => {
    s.write(euro.subarray(0, 1));
    await sleep(60);
    s.write(euro.subarray(1));
    s.end('!');
  });
  const c = net.connect(srv.port, '127.0.0.1');
  try {
    assert.is(c.setEncoding('utf8'), c);
    const parts = [];
    c.on('data', (d) => parts.push(d));
    await once(c, 'end');
    assert.ok(parts.every((p) => typeof p === 'string'));
    assert.is(parts.join(''), '€!');
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t("socket.setEncoding: 'hex' and 'base64' decode the received bytes", async () => {
  for (const [enc, want] of [['hex', '00ff10'], ['base64', 'AP8Q']]) {
    const srv = await startServer((s) => s.end(Buffer.from([0, 255, 16])));
    const c = net.connect(srv.port, '127.0.0.1');
    try {
      c.setEncoding(enc);
      let text = '';
      c.on('data', (d) => { text += d; });
      await once(c, 'end');
      assert.is(text, want, enc);
    } finally {
      destroyAll(c);
      await srv.stop();
    }
  }
});

t('socket.cork: writes are held until uncork(), then sent in order', async () => {
  const srv = await startServer();
  const c = net.connect(srv.port, '127.0.0.1');
  try {
    await once(c, 'connect');
    const peer = await srv.accepted();
    let got = '';
    peer.on('data', (d) => { got += d; });
    c.cork();
    c.write('one ');
    c.write('two ');
    c.write('three');
    await sleep(150);
    assert.is(got, '', 'nothing sent while corked');
    c.uncork();
    await until(() => got.length === 13, 3000, 'uncorked data');
    assert.is(got, 'one two three');
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket.write: an empty string or buffer returns true and sends nothing', async () => {
  const srv = await startServer();
  const c = net.connect(srv.port, '127.0.0.1');
  try {
    await once(c, 'connect');
    const peer = await srv.accepted();
    const got = collect(peer);
    assert.is(c.write(''), true);
    assert.is(c.write(Buffer.alloc(0)), true);
    c.end('x');
    assert.is((await got).toString(), 'x');
    assert.is(c.bytesWritten, 1);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('socket.end: the connection closes without error once both sides ended', async () => {
  const srv = await startServer((s) => s.pipe(s));
  const c = net.connect(srv.port, '127.0.0.1');
  try {
    c.resume();
    const closeP = closed(c);
    c.end('bye');
    assert.is(await closeP, false);
    assert.is(c.destroyed, true);
    assert.is(c.readyState, 'closed');
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t.run();
