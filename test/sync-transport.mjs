// The core copes with an adapter that calls back before connect() returns (the contract allows
// it; an in-memory adapter will): here a transport that refuses every connect synchronously.
import * as net from '../dist/index.mjs';

const base = net.getTransport();
net.setTransport({
  ...base,
  runtime: 'sync-refusing',
  capabilities: base.capabilities,
  connect(_target, done) {
    done({ code: 'ECONNREFUSED' });
    return { cancel() {} };
  },
});
const events = [];
const s = net.connect(9, '127.0.0.1');
s.on('error', (e) => events.push(`error ${e.message} ${e.code} ${e.errno}`));
s.on('close', (hadError) => {
  events.push(`close ${hadError}`);
  const want = ['error connect ECONNREFUSED 127.0.0.1:9 ECONNREFUSED -111', 'close true'];
  const ok = JSON.stringify(events) === JSON.stringify(want);
  console.log(`${ok ? 'ok  ' : 'FAIL'} synchronous connect failure: ${JSON.stringify(events)}`);
  console.log(`${ok ? 1 : 0} passed, ${ok ? 0 : 1} failed`);
  process.exit(ok ? 0 : 1);
});
setTimeout(() => { console.log('FAIL no close within 2 s\n0 passed, 1 failed'); process.exit(1); }, 2000).unref();
