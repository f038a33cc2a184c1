// Runs conformance files in this process (one runtime × one implementation) with uvu and writes
// each test's outcome as JSON to $CROSSNET_RESULTS. Usage: <runtime> harness.mjs [file.test.mjs …]
import process from 'node:process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

// uvu decides when it is first loaded whether suites queue up (UVU_DEFER) or each run on its own
// timer; lib.mjs loads it, so set the flag before importing lib.mjs. Otherwise the suites of several
// files run concurrently and the column can exit before the last one finishes.
globalThis.UVU_DEFER = 1;
const { results, escaped, here, env } = await import('./lib.mjs');
const uvu = await import('uvu');

const wanted = process.argv.slice(2).filter((a) => a.endsWith('.mjs'));
const files = wanted.length ? wanted.map((f) => resolve(process.cwd(), f))
  : readdirSync(here).filter((f) => f.endsWith('.test.mjs')).sort().map((f) => join(here, f));

// An error escaping a test fails that test instead of ending the whole column.
process.on('uncaughtException', escaped);
process.on('unhandledRejection', escaped);

const out = process.env.CROSSNET_RESULTS;
const save = () => { if (out) writeFileSync(out, JSON.stringify({ env, results }, null, 1)); };
// Outcomes so far go to disk at most once a second (lib.mjs calls this after each test), so a
// column that hangs in a busy loop and is killed still leaves them.
let savedAt = 0;
globalThis.__crossnetProgress = () => {
  if (Date.now() - savedAt < 1000) return;
  savedAt = Date.now();
  save();
};
// A column that overran its time is ended with SIGTERM: keep the outcomes it has (the running test fails).
process.on('SIGTERM', () => {
  for (const r of results) if (r.status === 'fail' && !r.error) r.error = 'the column timed out during this test';
  save();
  process.exit(2);
});

let index = 0;
for (const file of files) {
  globalThis.UVU_INDEX = index++;
  globalThis.UVU_QUEUE.push([file.slice(here.length + 1)]);
  try {
    await import(pathToFileURL(file).href);
  } catch (err) {
    // A file that cannot load (a missing import, a syntax error) is a failure, not a silent zero.
    results.push({ suite: file.slice(here.length + 1), name: '(loading the file)', status: 'fail', notes: [], error: String(err?.stack ?? err) });
  }
}
await uvu.exec(false);

save();
const failed = results.filter((r) => r.status !== 'pass').length;
console.log(`${env.runtime}/${env.impl}: ${results.length - failed} passed, ${failed} failed`);
// Servers left open by a failed test must not keep the column running.
process.exit(failed ? 1 : 0);
