// Writes the version matrix: conformance/results.json (this run merged with the stored columns it
// did not run), the "Across runtime versions" section of MATRIX.md and conformance/report.html.
// run.mjs --matrix calls publish(ran); `node conformance/publish.mjs` re-renders from results.json.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mergeStored, store, renderVersions } from './versions-report.mjs';
import { renderHtml } from './html.mjs';
import { minimums } from './versions.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const RESULTS = join(here, 'results.json');
const START = '<!-- versions:start -->';
const END = '<!-- versions:end -->';

export function publish(ran) {
  const cols = mergeStored(RESULTS, ran);
  if (ran.length) store(RESULTS, cols);
  const { generated } = JSON.parse(readFileSync(RESULTS, 'utf8'));
  const minimum = minimums(join(here, '..'));
  const matrix = join(here, 'MATRIX.md');
  const section = `${START}\n${renderVersions(cols, minimum, generated)}\n${END}`;
  let md = existsSync(matrix) ? readFileSync(matrix, 'utf8') : '';
  md = md.includes(START) ? md.replace(new RegExp(`${START}[\\s\\S]*?${END}`), section) : `${md.trimEnd()}\n\n${section}\n`;
  writeFileSync(matrix, md);
  writeFileSync(join(here, 'report.html'), renderHtml(cols, { minimum, generated }));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (!existsSync(RESULTS)) throw new Error('no conformance/results.json yet: run npm run matrix -- --versions');
  publish([]);
  console.log('wrote conformance/MATRIX.md (versions section) and conformance/report.html from conformance/results.json');
}
