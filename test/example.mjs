// The README's echo example (examples/echo.mjs) must run unchanged on node, deno and bun.
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const example = join(root, 'examples', 'echo.mjs');
const runs = [
  ['node', process.execPath, [example]],
  ['deno', bin('deno'), ['run', '-A', example]],
  ['bun', bin('bun'), [example]],
];
let passed = 0;
let failed = 0;
for (const [name, cmd, args] of runs) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', timeout: 20_000 });
  const ok = r.status === 0 && r.stdout.trim() === 'echoed: hello from crossnet';
  console.log(`${ok ? 'ok  ' : 'FAIL'} examples/echo.mjs on ${name}${ok ? '' : `: exit ${r.status}, stdout ${JSON.stringify(r.stdout)}, stderr ${r.stderr}`}`);
  if (ok) passed++; else failed++;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
