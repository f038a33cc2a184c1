// The onread option, counted against Node: one callback per read of at most the buffer's length;
// a `buffer` function called once when the socket gets its handle (connect(), before any lookup)
// and once after each read (the buffer for the next one, so also for the read that finds the
// end); the callback's `this`; a callback returning false stops reading (the stream is not
// paused) until resume().
import * as assert from 'uvu/assert';
import { net } from './net.mjs';
import { suite, sleep } from './lib.mjs';
import { startServer, closed, destroyAll, until } from './support.mjs';

const t = suite('socket-onread');

t('onread: an 11-byte message read into 2-byte buffers: 6 reads, the buffer function called 7 times', async () => {
  const srv = await startServer((s) => s.end('hello world'));
  const log = [];
  const made = [];
  let c;
  try {
    c = net.connect({
      port: srv.port,
      host: '127.0.0.1',
      onread: {
        buffer: () => {
          const b = Buffer.alloc(2);
          made.push(b);
          log.push(`buffer ${made.length}`);
          return b;
        },
        callback(nread, buf) {
          log.push(`read ${nread} ${buf.toString('latin1', 0, nread)} this=${this === c} last=${buf === made[made.length - 1]}`);
        },
      },
    });
    log.push('connect() returned');
    c.on('connect', () => log.push('connect'));
    c.on('data', () => log.push('data'));
    c.on('end', () => log.push('end'));
    await closed(c);
    assert.equal(log, [
      'buffer 1',
      'connect() returned',
      'connect',
      'read 2 he this=true last=true', 'buffer 2',
      'read 2 ll this=true last=true', 'buffer 3',
      'read 2 o  this=true last=true', 'buffer 4',
      'read 2 wo this=true last=true', 'buffer 5',
      'read 2 rl this=true last=true', 'buffer 6',
      'read 1 d this=true last=true', 'buffer 7',
      'end',
    ]);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('onread: new net.Socket({ onread }) calls the buffer function only once connect() gives it a handle', async () => {
  const srv = await startServer((s) => s.end('abc'));
  let calls = 0;
  let got = '';
  const c = new net.Socket({
    onread: { buffer: () => { calls++; return Buffer.alloc(8); }, callback(n, b) { got += b.toString('latin1', 0, n); } },
  });
  try {
    assert.is(calls, 0);
    c.connect(srv.port, '127.0.0.1');
    assert.is(calls, 1);
    await closed(c);
    assert.is(got, 'abc');
    assert.is(calls, 2);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('onread: a buffer function returning no buffer keeps the previous one', async () => {
  const srv = await startServer((s) => s.end('abcdef'));
  const first = Buffer.alloc(3);
  let calls = 0;
  const seen = [];
  let c;
  try {
    c = net.connect({
      port: srv.port,
      host: '127.0.0.1',
      onread: { buffer: () => (++calls === 1 ? first : null), callback(n, b) { seen.push([n, b === first, b.toString('latin1', 0, n)]); } },
    });
    await closed(c);
    assert.equal(seen, [[3, true, 'abc'], [3, true, 'def']]);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('onread: a callback returning false stops reading, the stream stays unpaused, resume() reads on', async () => {
  const srv = await startServer((s) => s.end('hello world'));
  const log = [];
  let first = true;
  let c;
  try {
    c = net.connect({
      port: srv.port,
      host: '127.0.0.1',
      onread: {
        buffer: Buffer.alloc(4),
        callback(n, b) {
          log.push(`read ${b.toString('latin1', 0, n)} paused=${c.isPaused()}`);
          if (first) {
            first = false;
            return false;
          }
          return undefined;
        },
      },
    });
    c.on('end', () => log.push('end'));
    await until(() => log.length === 1, 3000, 'the first read');
    await sleep(100);
    assert.equal(log, ['read hell paused=false'], 'nothing more is read');
    assert.is(c._handle.reading, false);
    assert.is(c.isPaused(), false);
    assert.is(c.readableFlowing, null);
    c.resume();
    await closed(c);
    assert.equal(log, ['read hell paused=false', 'read o wo paused=false', 'read rld paused=false', 'end']);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t('onread: pause() stops the reads and resume() restarts them', async () => {
  const srv = await startServer((s) => { s.write('ab'); setTimeout(() => s.end('cd'), 150); });
  const reads = [];
  let c;
  try {
    c = net.connect({ port: srv.port, host: '127.0.0.1', onread: { buffer: Buffer.alloc(16), callback(n, b) { reads.push(b.toString('latin1', 0, n)); } } });
    await until(() => reads.length === 1, 3000, 'the first read');
    c.pause();
    assert.is(c._handle.reading, false);
    await sleep(300);
    assert.equal(reads, ['ab']);
    const closeP = closed(c);
    c.resume();
    await closeP;
    assert.equal(reads, ['ab', 'cd']);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t.run();
