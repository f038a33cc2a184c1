#!/usr/bin/env node
// The crossnet command. `crossnet conformance [--builtin] [--json <file>] [files…]` runs crossnet's
// conformance suite on the runtime running this: `npx crossnet conformance`,
// `deno run -A npm:crossnet conformance`, `bunx crossnet conformance`.
import process from 'node:process';

// bunx runs a `#!/usr/bin/env node` bin with Node unless given --bun; `bunx crossnet` means Bun.
const env = process.env;
// (bunx sets npm_lifecycle_event and npm_execpath; an npm_config_user_agent from an enclosing npm stays.)
if (!process.versions.bun && env.npm_lifecycle_event === 'bunx' && /bunx?(\.exe)?$/.test(env.npm_execpath ?? '')) {
  const { spawnSync } = await import('node:child_process');
  const run = spawnSync(env.npm_execpath, ['--bun', 'crossnet', ...process.argv.slice(2)], { stdio: 'inherit' });
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
