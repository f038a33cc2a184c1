// conformance/report.html in headless Chromium: it loads nothing but itself, the matrix table has a
// row per API group and a coloured cell per column, a click on a group opens its tests, and a
// screenshot of it is written (path printed). Chromium: $CHROMIUM_PATH, `chromium` on PATH (Debian's
// package), or the npm package @sparticuz/chromium; driven by playwright-core.
// Usage: node test/report-browser.mjs [report.html]
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const report = resolve(process.argv[2] ?? join(root, 'conformance', 'report.html'));
const require = createRequire(import.meta.url);
let passed = 0;
let failed = 0;
const check = (name, ok, detail = '') => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${ok ? '' : `: ${detail}`}`);
  if (ok) passed++; else failed++;
};
const done = () => { console.log(`${passed} passed, ${failed} failed`); process.exit(failed ? 1 : 0); };

async function chromiumPath() {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of ['chromium', 'chromium-browser']) if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  try {
    const mod = await import(pathToFileURL(require.resolve('@sparticuz/chromium')).href);
    return await (mod.default ?? mod).executablePath();
  } catch {
    return undefined;
  }
}

let chromium;
try {
  ({ chromium } = require('playwright-core'));
} catch {
  console.log('playwright-core is not installed: npm install -D playwright-core (the browser check needs it)');
  failed++;
  done();
}
const executablePath = await chromiumPath();
if (!executablePath) {
  console.log('no Chromium here: apt-get install chromium, set CHROMIUM_PATH, or npm install -D @sparticuz/chromium (Linux)');
  failed++;
  done();
}
console.log(`Chromium: ${executablePath}`);
check('conformance/report.html exists', existsSync(report), `${report} is missing: npm run matrix writes it`);
if (!existsSync(report)) done();
const data = JSON.parse(/<script type="application\/json" id="data">([\s\S]*?)<\/script>/.exec(readFileSync(report, 'utf8'))[1]);

const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--headless=new'] });
try {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(pathToFileURL(report).href, { waitUntil: 'load' });
  check('the page loads nothing but itself (no external assets)', requests.length === 1, requests.join(' '));
  const shape = await page.evaluate(() => {
    const table = document.querySelector('#matrix');
    const box = table?.getBoundingClientRect();
    const rows = [...document.querySelectorAll('#matrix tr.group')];
    const colours = new Set([...document.querySelectorAll('#matrix tr.group td, #matrix tr.summary td')].map((td) => getComputedStyle(td).backgroundColor));
    return {
      width: box?.width ?? 0, height: box?.height ?? 0, heads: document.querySelectorAll('#matrix thead th.col').length,
      rows: rows.length, cells: rows.map((r) => r.querySelectorAll('td').length), colours: [...colours],
    };
  });
  check('the matrix table is drawn', shape.width > 300 && shape.height > 100, JSON.stringify(shape));
  check(`one column per runtime version × implementation (${data.columns.length})`, shape.heads === data.columns.length && data.columns.length > 0, `${shape.heads} headers`);
  check(`one row per API group (${data.groups.length}), each with a cell per column`, shape.rows === data.groups.length && shape.cells.every((n) => n === data.columns.length), JSON.stringify(shape.cells.slice(0, 5)));
  check('cells are colour-coded (more than one colour, none transparent)', shape.colours.length > 1 && !shape.colours.includes('rgba(0, 0, 0, 0)'), shape.colours.join(' '));
  // Drill-down: the group with the most tests opens a row of its tests, one cell per column.
  const gi = data.groups.reduce((best, g, i) => (g[1].length > data.groups[best][1].length ? i : best), 0);
  await page.click(`#matrix tr.group[data-group="${gi}"] button`);
  const detail = await page.evaluate((i) => {
    const row = document.querySelector(`#matrix tr.group[data-group="${i}"]`).nextElementSibling;
    if (!row?.classList.contains('detail')) return null;
    return { tests: row.querySelectorAll('tr').length, cells: row.querySelector('tr').querySelectorAll('td').length };
  }, gi);
  check(`a click on "${data.groups[gi][0]}" lists its ${data.groups[gi][1].length} tests`, detail?.tests === data.groups[gi][1].length && detail.cells === data.columns.length + 1, JSON.stringify(detail));
  check('no script errors', errors.length === 0, errors.join('\n'));
  const shot = join(tmpdir(), 'crossnet-report.png');
  const png = await page.screenshot({ path: shot, fullPage: false });
  check(`screenshot ${shot}`, png.length > 10_000, `${png.length} bytes`);
} finally {
  await browser.close();
}
done();
