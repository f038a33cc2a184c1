// crossnet as a user gets it: `npm pack`, the tarball installed into a fresh project (offline, with
// install scripts on), then loaded with `import` and `require` on node, deno and bun for a small
// echo; the consumer's `tsc` (nodenext and bundler; the newest and the oldest @types/node) checks
// that crossnet stands in for node:net; publint and @arethetypeswrong/cli check the tarball.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const work = mkdtempSync(join(tmpdir(), 'crossnet-consumer-'));
let passed = 0;
let failed = 0;

function check(name, cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: opts.cwd ?? app, encoding: 'utf8', timeout: opts.timeout ?? 120_000, env: { ...process.env, NO_COLOR: '1', ...opts.env } });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  const ok = r.status === (opts.status ?? 0) && (!opts.expect || opts.expect.test(r.stdout)) && (!opts.quiet || !r.stderr.trim());
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${ok ? '' : `: exit ${r.status ?? r.signal}\n${out.replace(/^/gm, '     ')}`}`);
  if (ok) passed++; else failed++;
}

// 1. Pack as npm publishes (prepack builds dist/) and install the tarball into a new project.
execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
const tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz')));
const app = join(work, 'app');
mkdirSync(app);
writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, version: '1.0.0' }));
// --prefer-offline: the package's one dependency (uvu, for `crossnet conformance`) may not be cached yet.
execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], { cwd: app, stdio: 'inherit' });

// 2. Load it both ways on every runtime, and echo through it.
const echo = (load) => `${load}
const server = net.createServer((s) => s.pipe(s));
server.listen(0, '127.0.0.1', () => {
  const c = connect(server.address().port, '127.0.0.1', () => c.end('ping'));
  let text = '';
  c.setEncoding('utf8');
  c.on('data', (d) => { text += d; });
  c.on('close', () => { server.close(); console.log(text + ' ' + (net.default === net ? 'self' : typeof net.connect)); });
});
`;
writeFileSync(join(app, 'esm.mjs'), echo("import net, { connect } from 'crossnet';\nimport { transport } from 'crossnet/adapters/node';\nif (typeof transport.connect !== 'function') throw new Error('adapter entry');"));
writeFileSync(join(app, 'cjs.cjs'), echo("const net = require('crossnet');\nconst { connect } = require('crossnet');\nif (typeof require('crossnet/adapters/deno').transport.listen !== 'function') throw new Error('adapter entry');"));
const runtimes = [['node', process.execPath, []], ['deno', bin('deno'), ['run', '-A', '--quiet']], ['bun', bin('bun'), []]];
for (const [name, cmd, pre] of runtimes) {
  check(`${name}: import 'crossnet' echoes`, cmd, [...pre, 'esm.mjs'], { expect: /^ping function$/m, quiet: true });
  check(`${name}: require('crossnet') echoes`, cmd, [...pre, 'cjs.cjs'], { expect: /^ping function$/m, quiet: true });
}

// 2b. `crossnet conformance`, the suite as users run it in their CI: the installed package's
// conformance files against the installed crossnet, on each runtime; the last line is the count.
const suite = { expect: /\n[1-9]\d* passed, 0 failed\n$/, timeout: 10 * 60_000 };
check('node: npx crossnet conformance', 'npx', ['--no-install', 'crossnet', 'conformance'], suite);
check('deno: deno run -A npm:crossnet conformance', bin('deno'), ['run', '-A', '--quiet', 'npm:crossnet', 'conformance'], suite);
check('bun: bunx crossnet conformance (runs on Bun)', bin('bunx'), ['crossnet', 'conformance'], { ...suite, expect: /on Bun [\d.]+[\s\S]*\n[1-9]\d* passed, 0 failed\n$/ });
// A failing test exits 1 (Deno's own node:net lacks the setKeepAlive options form); --json writes the results.
check('deno: crossnet conformance --builtin --json exits 1 on a failure', bin('deno'),
  ['run', '-A', '--quiet', 'npm:crossnet', 'conformance', '--builtin', '--json', 'builtin.json', 'socket-keepalive.test.mjs'],
  { status: 1, expect: /against Deno's own node:net[\s\S]*\n\d+ passed, [1-9]\d* failed\n$/ });
check('the --json file has the results', process.execPath, ['-e',
  "const d = require('./builtin.json'); if (d.env.impl !== 'builtin' || !d.results.some((r) => r.status === 'fail')) process.exit(1)"]);

// 3. The consumer's TypeScript: crossnet where node:net's types are expected, both module systems.
writeFileSync(join(app, 'esm.mts'), `import type * as NodeNet from 'node:net';
import net, * as named from 'crossnet';
import { connect, type Socket, type Transport } from 'crossnet';
const asDefault: typeof NodeNet = net;
const asNamespace: typeof NodeNet = named;
const s: NodeNet.Socket = connect(1, '127.0.0.1');
const t: Socket = s;
const tr: Transport = net.getTransport();
void asDefault; void asNamespace; void t; void tr;
`);
writeFileSync(join(app, 'cjs.cts'), `import type * as NodeNet from 'node:net';
import net = require('crossnet');
const asModule: typeof NodeNet = net;
const s: NodeNet.Socket = net.createConnection({ port: 1 });
void asModule; void s;
`);
const typesDirs = { newest: '@types/node-newest', oldest: '@types/node-oldest' };
for (const [label, pkg] of Object.entries(typesDirs)) {
  const typeRoot = join(work, `types-${label}`);
  mkdirSync(typeRoot, { recursive: true });
  symlinkSync(join(root, 'node_modules', pkg), join(typeRoot, 'node'));
  const version = JSON.parse(execFileSync(process.execPath, ['-p', `JSON.stringify(require(${JSON.stringify(join(root, 'node_modules', pkg, 'package.json'))}).version)`], { encoding: 'utf8' }));
  for (const [mode, files] of [['nodenext', ['esm.mts', 'cjs.cts']], ['bundler', ['esm.mts']]]) {
    const compilerOptions = {
      strict: true, noEmit: true, skipLibCheck: false, target: 'es2022', lib: ['es2022'], typeRoots: [typeRoot], types: ['node'],
      ...(mode === 'nodenext' ? { module: 'nodenext', moduleResolution: 'nodenext' } : { module: 'esnext', moduleResolution: 'bundler' }),
    };
    const config = join(app, `tsconfig.${label}.${mode}.json`);
    writeFileSync(config, JSON.stringify({ compilerOptions, files }));
    check(`tsc (${mode}, @types/node ${version}): crossnet is typeof node:net`, bin('tsc'), ['-p', config]);
  }
}

// 4. Packaging linters on the tarball itself. attw's node16 profile: TypeScript's legacy `node10`
// resolution predates package "exports", so only the package root resolves there.
check('publint (strict)', bin('publint'), ['run', tarball, '--strict'], { expect: /All good/ });
check('attw (node16 profile)', bin('attw'), [tarball, '--profile', 'node16', '--format', 'ascii']);

// 5. The JSR config (deno.json) publishes the same version and entry points as package.json.
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const jsr = JSON.parse(readFileSync(join(root, 'deno.json'), 'utf8'));
// npm only: crossnet/testing gives each network its own core instance, which only the build can make
// (scripts/build-testing.mjs); JSR publishes the sources.
const NPM_ONLY = ['./testing'];
const npmEntries = Object.keys(pkg.exports).filter((k) => k !== './package.json' && !NPM_ONLY.includes(k));
const same = jsr.version === pkg.version && JSON.stringify(Object.keys(jsr.exports)) === JSON.stringify(npmEntries);
console.log(`${same ? 'ok  ' : 'FAIL'} deno.json: version ${jsr.version} and entries ${Object.keys(jsr.exports).join(' ')} match package.json`);
if (same) passed++; else failed++;

rmSync(work, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
