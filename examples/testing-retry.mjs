// docs/testing.md's example: a client that retries after a reset, tested deterministically.
import assert from 'node:assert';
import { createNetwork } from 'crossnet/testing';

const { net, fault } = createNetwork({ seed: 42, latency: [1, 5], chunkSize: [1, 8] });
const server = net.createServer((s) => s.on('error', () => {}).end('hello, world')).listen(7000);
fault({ kind: 'reset', port: 7000, from: 'server', after: 5, times: 1 }); // first connection only

function fetchGreeting(attempts = 3) { // the code under test: reads to the end, retries on ECONNRESET
  return new Promise((resolve, reject) => {
    let text = '';
    net.connect(7000, 'localhost').setEncoding('utf8').on('data', (d) => { text += d; })
      .on('end', () => resolve(text))
      .on('error', (err) => (err.code === 'ECONNRESET' && attempts > 1 ? resolve(fetchGreeting(attempts - 1)) : reject(err)));
  });
}
assert.strictEqual(await fetchGreeting(), 'hello, world');
server.close();
console.log('retried after the reset: ok');
