#!/usr/bin/env node
// The crossnet command. `crossnet conformance [--builtin] [--json <file>] [files…]` runs crossnet's
// conformance suite on the runtime running this: `npx crossnet conformance`,
// `deno run -A npm:crossnet conformance`, `bunx crossnet conformance`.
import process from 'node:process';

// bunx runs a `#!/usr/bin/env node` bin with Node unless given --bun; `bunx crossnet` means Bun.
const env = process.env;
// bunx sets npm_lifecycle_event; npm_execpath only when no enclosing npm set it first, so the bunx
// that started us is otherwise found as our parent process (Linux), or on PATH.
if (!process.versions.bun && env.npm_lifecycle_event === 'bunx') {
  const { spawnSync } = await import('node:child_process');
  const { realpathSync } = await import('node:fs');
  let bunx = /bunx?(\.exe)?$/.test(env.npm_execpath ?? '') ? env.npm_execpath : undefined;
  try {
    bunx ??= /\/bunx?(\.exe)?$/.test(realpathSync(`/proc/${process.ppid}/exe`)) ? realpathSync(`/proc/${process.ppid}/exe`) : undefined;
  } catch {
    // no /proc here
  }
  bunx ??= 'bunx';
  // `bun x` is bunx when the executable is bun itself.
  const pre = /\/bun(\.exe)?$/.test(bunx) ? ['x', '--bun'] : ['--bun'];
  const run = spawnSync(bunx, [...pre, 'crossnet', ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(run.status ?? 1);
}

const [command, ...args] = process.argv.slice(2);
if (command === 'conformance') {
  try {
    await (await import('../conformance/cli.mjs')).conformance(args);
  } catch (err) {
    console.error(`crossnet conformance: ${err.message}`);
    process.exit(2);
  }
} else {
  console.error('usage: crossnet conformance [--builtin] [--json <file>] [file.test.mjs …]');
  process.exit(command === '--help' ? 0 : 2);
}
