// On a Node without process.binding('tcp_wrap'), the Node adapter fails with a clear error naming
// the Node version, at first use, and importing crossnet still works.
import { spawnSync } from 'node:child_process';

const child = `
  process.binding = () => { throw new Error('No such module: tcp_wrap'); };
  const { default: net } = await import('../dist/src/index.js');
  try {
    net.createServer().listen(0, '127.0.0.1');
    console.log('no error');
  } catch (err) {
    console.log(err.message);
  }
`;
const r = spawnSync(process.execPath, ['--input-type=module', '-e', child], { cwd: new URL('.', import.meta.url), encoding: 'utf8' });
const ok = r.status === 0 && r.stdout.includes(`Node ${process.version}`) && r.stdout.includes("process.binding('tcp_wrap'");
console.log(`${ok ? 'ok  ' : 'FAIL'} node adapter without process.binding: ${r.stdout.trim() || r.stderr.trim()}`);
console.log(`${ok ? 1 : 0} passed, ${ok ? 0 : 1} failed`);
process.exit(ok ? 0 : 1);
