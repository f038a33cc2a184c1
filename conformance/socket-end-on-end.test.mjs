// end() called by an 'end' listener (allowHalfOpen false): it ends the writable side at once, as
// on Node; only stream.Readable's own end() a tick later may wait (for what reacts to the FIN).
import * as assert from 'uvu/assert';
import { net } from './net.mjs';
import { suite, once } from './lib.mjs';
import { startServer, closed, destroyAll } from './support.mjs';

const t = suite('socket-end-on-end');

t("socket end on end: an 'end' listener's end() sets writableEnded before it returns, and the peer sees the FIN", async () => {
  let ended;
  const srv = await startServer((s) => {
    s.resume();
    s.on('end', () => {
      s.end();
      ended = s.writableEnded;
    });
  });
  const c = net.connect(srv.port, '127.0.0.1');
  try {
    c.resume();
    const gone = closed(c);
    await once(c, 'connect');
    c.end();
    await once(c, 'end');
    await gone;
    assert.is(ended, true);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t("socket end on end: without a listener's end(), the automatic end still comes and the socket closes", async () => {
  const srv = await startServer((s) => s.resume());
  const c = net.connect(srv.port, '127.0.0.1');
  try {
    c.resume();
    const gone = closed(c);
    await once(c, 'connect');
    c.end();
    await once(c, 'end');
    await gone;
    assert.is(c.destroyed, true);
  } finally {
    destroyAll(c);
    await srv.stop();
  }
});

t.run();
