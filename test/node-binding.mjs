// On a Node without process.binding('tcp_wrap'): the Node adapter, chosen explicitly, fails at
// listen()/connect() with a clear error naming the Node version; chosen automatically, crossnet
// warns once and works through the node:net fallback adapter.
import { spawnSync } from 'node:child_process';

const explicit = `
  process.binding = () => { throw new Error('No such module: tcp_wrap'); };
  const net = await import('../dist/index.mjs');
  const { transport } = await import('../dist/adapters/node.mjs');
  try { net.setTransport(transport); console.log('no error'); } catch (err) { console.log(err.message); }
`;
const automatic = `
  process.binding = () => { throw new Error('No such module: tcp_wrap'); };
  const warnings = [];
  process.on('warning', (w) => warnings.push(w.code));
  const { default: net } = await import('../dist/index.mjs');
  const server = net.createServer((s) => s.end('fallback works'));
  server.listen(0, '127.0.0.1', () => {
    const c = net.connect(server.address().port, '127.0.0.1');
    let text = '';
    c.on('data', (d) => { text += d; });
    c.on('close', () => { server.close(); setImmediate(() => console.log(JSON.stringify({ text, warnings, runtime: net.getTransport().runtime }))); });
  });
`;
const run = (code) => spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: new URL('.', import.meta.url), encoding: 'utf8' });
let passed = 0;
let failed = 0;
const report = (ok, name, detail) => { console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}: ${detail}`); if (ok) passed++; else failed++; };

const a = run(explicit);
report(a.status === 0 && a.stdout.includes(`Node ${process.version}`) && a.stdout.includes("process.binding('tcp_wrap'"),
  'explicit Node adapter without process.binding', a.stdout.trim() || a.stderr.trim());
const b = run(automatic);
let out = {};
try { out = JSON.parse(b.stdout.trim()); } catch { /* reported below */ }
report(b.status === 0 && out.text === 'fallback works' && out.warnings?.join() === 'CROSSNET_NODE_FALLBACK' && /node:net fallback/.test(out.runtime),
  'automatic choice falls back to node:net', b.stdout.trim() || b.stderr.trim());
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
