// `crossnet conformance`: the conformance suite on the runtime running this, against the crossnet
// installed beside it (net.mjs loads ../dist/) or with --builtin against the runtime's own node:net.
// All files run in this one process, one after another, as a matrix column does; a line per file,
// then the failures, then `N passed, N failed`. Exit 1 when a test failed.
//   crossnet conformance [--builtin] [--json <file>] [file.test.mjs …]
import process from 'node:process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** Files that need what only crossnet's repository has, and why they are left out elsewhere. */
const NEEDS = {
  'undici.test.mjs': [join(here, '..', 'node_modules', 'undici', 'index.js'), "needs undici, a development dependency of crossnet's repository"],
};

const USAGE = 'usage: crossnet conformance [--builtin] [--json <file>] [file.test.mjs …]';

export async function conformance(args) {
  const builtin = args.includes('--builtin');
  const jsonAt = args.indexOf('--json');
  const json = jsonAt >= 0 ? args[jsonAt + 1] : undefined;
  if (jsonAt >= 0 && (!json || json.startsWith('--'))) throw new Error(`--json needs a file name\n${USAGE}`);
  const value = (i) => jsonAt >= 0 && i === jsonAt + 1;
  const unknown = args.filter((a, i) => a.startsWith('--') && !['--builtin', '--json'].includes(a) && !value(i));
  if (unknown.length) throw new Error(`unknown option ${unknown.join(' ')}\n${USAGE}`);
  const wanted = args.filter((a, i) => a.endsWith('.mjs') && !value(i)).map((f) => basename(f));

  // net.mjs reads the implementation when first imported, and child processes inherit it.
  process.env.CROSSNET_IMPL = builtin ? 'builtin' : 'crossnet';
  // Queue each file's suites and run them on demand (see harness.mjs), before uvu loads.
  globalThis.UVU_DEFER = 1;
  const { results, escaped, env } = await import('./lib.mjs');
  const uvu = await import('uvu');
  process.on('uncaughtException', escaped);
  process.on('unhandledRejection', escaped);

  const all = readdirSync(here).filter((f) => f.endsWith('.test.mjs')).sort();
  const missing = wanted.filter((f) => !all.includes(f));
  if (missing.length) throw new Error(`no conformance file ${missing.join(', ')} (have: ${all.join(' ')})`);
  const files = wanted.length ? wanted : all;
  const { version } = JSON.parse(readFileSync(join(here, '..', 'package.json'), 'utf8'));
  const runtimeName = { node: 'Node', deno: 'Deno', bun: 'Bun' }[env.runtime];
  console.log(`crossnet conformance: ${files.length} files on ${runtimeName} ${env.version} (${process.platform} ${process.arch}), `
    + `against ${builtin ? `${runtimeName}'s own node:net` : `crossnet ${version} (${env.transport.adapter} adapter)`}`);

  const skipped = [];
  const started = Date.now();
  for (const [i, file] of files.entries()) {
    const need = NEEDS[file];
    if (need && !existsSync(need[0])) {
      skipped.push(file);
      console.log(`skip ${file}: ${need[1]}`);
      continue;
    }
    const before = results.length;
    const t0 = Date.now();
    globalThis.UVU_QUEUE = [[file]];
    globalThis.UVU_INDEX = 0;
    // uvu reports every test itself; the line per file below says the same, shorter.
    const write = process.stdout.write;
    process.stdout.write = () => true;
    try {
      await import(pathToFileURL(join(here, file)).href);
      await uvu.exec(false);
    } finally {
      process.stdout.write = write;
    }
    const mine = results.slice(before);
    const failed = mine.filter((r) => r.status !== 'pass').length;
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    console.log(`${failed ? 'FAIL' : 'ok  '} [${i + 1}/${files.length}] ${file}: ${mine.length - failed} passed, ${failed} failed (${secs} s)`);
  }

  const failures = results.filter((r) => r.status !== 'pass');
  for (const f of failures) console.log(`\nFAIL ${f.suite} › ${f.name}\n${String(f.error ?? '').replace(/^/gm, '    ')}`);
  if (json) writeFileSync(resolve(json), JSON.stringify({ env, skipped, results }, null, 1));
  const limits = results.filter((r) => r.status === 'pass' && r.notes?.length).length;
  console.log(`\n${files.length - skipped.length} files in ${((Date.now() - started) / 1000).toFixed(0)} s; ${skipped.length} skipped; `
    + `${limits} passed as a documented limit (ERR_CROSSNET_UNSUPPORTED)${json ? `; results in ${json}` : ''}`);
  console.log(`${results.length - failures.length} passed, ${failures.length} failed`);
  // Servers a failed test left open must not keep the process running.
  process.exit(failures.length ? 1 : 0);
}
