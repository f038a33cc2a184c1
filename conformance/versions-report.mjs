// The version matrix's data and its Markdown: every column a matrix run recorded (runtime ×
// version × implementation), kept in conformance/results.json so the fast default run keeps the
// versions it did not run this time; the "Across runtime versions" section of MATRIX.md; and the
// judging of the version columns (run.mjs adds their failures to the required ones).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const key = (r) => `${r.suite} › ${r.name}`;
const FAMILIES = ['node', 'deno', 'bun'];
const CODES = { pass: 'p', limit: 'l', fail: 'f' };

function cmp(a, b) {
  const x = String(a).split('.').map(Number);
  const y = String(b).split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((x[i] || 0) !== (y[i] || 0)) return (x[i] || 0) - (y[i] || 0);
  return 0;
}

/** The runtime family of a column: version columns say it, reference Nodes are Node. */
export const familyOf = (col) => col.versions ?? (col.ref ? 'node' : col.runtime);

/** One stored column: its cells as one letter per test of `tests` (p pass, l limit, f fail, - not run). */
function compact(col, tests) {
  const byKey = new Map(col.results.map((r) => [key(r), r]));
  const notes = {};
  const errors = {};
  const cells = tests.map((t, i) => {
    const r = byKey.get(t.key);
    if (!r) return '-';
    if (r.notes?.length) notes[i] = r.notes;
    if (r.status !== 'pass') errors[i] = String(r.error ?? '').split('\n')[0].slice(0, 200);
    return r.status === 'pass' ? (r.notes?.length ? CODES.limit : CODES.pass) : CODES.fail;
  }).join('');
  return {
    family: familyOf(col), version: col.env?.version, impl: col.impl, runtime: col.runtime,
    ...(col.ref ? { ref: true } : {}), ...(col.versions ? { versions: col.versions } : {}),
    transport: col.env?.transport, code: col.code, cells, notes, errors,
    ...(col.results.length ? {} : { crash: String(col.log ?? '').replace(/\x1b\[[0-9;]*m/g, '').trim().split('\n').filter((l) => /error|Error/.test(l)).slice(0, 2).join('\n').slice(0, 400) }),
  };
}

/** Back from the stored shape to run.mjs's: `{ runtime, impl, env, results }`. */
function expand(stored, tests) {
  const results = [];
  [...stored.cells].forEach((c, i) => {
    if (c === '-') return;
    const t = tests[i];
    results.push({ suite: t.suite, name: t.name, since: t.since, status: c === 'f' ? 'fail' : 'pass', notes: stored.notes[i] ?? [], error: stored.errors[i] });
  });
  return {
    runtime: stored.runtime, impl: stored.impl, ref: stored.ref, versions: stored.versions, code: stored.code,
    log: stored.crash ?? '', env: { version: stored.version, runtime: stored.family, transport: stored.transport }, results,
  };
}

const identity = (col) => `${familyOf(col)}@${col.env?.version ?? col.version}/${col.impl}`;

/** Stored columns (results.json) merged with this run's: this run wins for a runtime version × impl. */
export function mergeStored(file, ran) {
  let old = [];
  if (existsSync(file)) {
    const data = JSON.parse(readFileSync(file, 'utf8'));
    old = data.columns.map((c) => expand(c, data.tests));
  }
  const fresh = new Set(ran.filter((c) => c.env?.version).map(identity));
  return [...old.filter((c) => !fresh.has(identity(c))), ...ran.filter((c) => c.env?.version || c.versions)];
}

/** Write the columns as results.json (tests once; each column's cells as a string). */
export function store(file, cols) {
  const tests = [];
  const seen = new Set();
  for (const col of cols) {
    for (const r of col.results) {
      if (seen.has(key(r))) continue;
      seen.add(key(r));
      tests.push({ key: key(r), suite: r.suite, name: r.name, ...(r.since ? { since: r.since } : {}) });
    }
  }
  const columns = cols.map((c) => compact(c, tests));
  writeFileSync(file, `${JSON.stringify({ generated: new Date().toISOString().slice(0, 10), tests: tests.map(({ key: _k, ...t }) => t), columns }, null, 0)
    .replace(/\},\{/g, '},\n{')}\n`);
}

/** Why a column has no outcomes: crossnet's refusal, another load error, or a timeout. */
export function refusalOf(log) {
  const text = String(log ?? '').replace(/\x1b\[[0-9;]*m/g, '');
  return (text.match(/crossnet supports \w+ [\d.]+ or newer; this is [^\n]*/)?.[0]
    ?? text.match(/(TypeError|Error): [^\n]*/)?.[0] ?? (/timed out/.test(text) ? 'timed out' : 'did not run')).trim().slice(0, 160);
}

/** The API group of a test: the part of its name before ': ' (the README's API-status rows). */
export const groupOf = (t) => (t.name.includes(': ') ? t.name.slice(0, t.name.indexOf(': ')) : t.suite);

/** The version table's columns: one per family × version × impl (crossnet, builtin), oldest first. */
export function versionColumns(cols) {
  const picked = new Map();
  for (const col of cols) {
    if (!FAMILIES.includes(familyOf(col)) || !['crossnet', 'builtin'].includes(col.impl) || !col.env?.version) continue;
    picked.set(identity(col), col);
  }
  return [...picked.values()].sort((a, b) => FAMILIES.indexOf(familyOf(a)) - FAMILIES.indexOf(familyOf(b))
    || cmp(a.env.version, b.env.version) || (a.impl === 'crossnet' ? -1 : 1));
}

const label = (col) => `${familyOf(col)} ${col.env.version} ${col.impl === 'builtin' ? 'node:net' : 'crossnet'}`;

/**
 * Required for the version columns: crossnet passes every test on each version at or above the
 * package's minimum, and below it refuses to load with the error naming the runtime version (the
 * `refusal` columns; the crossnet columns there run with the check off and are recorded).
 */
export function judgeVersions(cols, minimum) {
  const failures = [];
  let passed = 0;
  const names = { node: 'Node', deno: 'Deno', bun: 'Bun' };
  for (const col of cols) {
    if (!['crossnet', 'refusal'].includes(col.impl) || !col.versions) continue;
    const column = `${col.runtime}/${col.impl}`;
    const version = col.env?.version ?? col.runtime.split('-').pop();
    const below = cmp(version, minimum[col.versions]) < 0;
    if (below && col.impl === 'crossnet') continue;
    if (col.impl === 'refusal') {
      const refusal = new RegExp(`crossnet supports ${names[col.versions]} [\\d.]+ or newer; this is ${names[col.versions]} ${version.replace(/\./g, '\\.')}`);
      if (!col.results.length && refusal.test(col.log)) passed++;
      else failures.push({ column, suite: 'versions', name: `below the minimum ${minimum[col.versions]}, crossnet refuses to load`, error: col.results.length ? `${col.results.length} tests ran` : col.log.slice(-600) });
      continue;
    }
    if (!col.results.length) failures.push({ column, suite: 'versions', name: 'the column ran', error: col.log.slice(-1500) });
    for (const r of col.results) {
      if (r.status === 'pass') passed++;
      else failures.push({ column, suite: r.suite, name: r.name, error: r.error });
    }
  }
  return { failures, passed };
}

function counts(col, tests) {
  const by = new Map(col.results.map((r) => [key(r), r]));
  const pass = tests.filter((t) => by.get(key(t))?.status === 'pass').length;
  return { pass, fail: tests.length - pass, by };
}

/** Where a node:net column fails most, by API group, and whether crossnet on that version passes those tests. */
export function differences(cols, tests) {
  const rows = [];
  for (const col of versionColumns(cols).filter((c) => c.impl === 'builtin' && c.results.length)) {
    const { fail, by } = counts(col, tests);
    // On Node, tests of behaviour newer than that Node (`since`) fail there by design.
    const newer = familyOf(col) !== 'node' ? 0
      : tests.filter((t) => t.since && cmp(t.since, col.env.version) > 0 && by.get(key(t))?.status !== 'pass').length;
    const groups = new Map();
    for (const t of tests) {
      if (by.get(key(t))?.status === 'pass') continue;
      const g = groupOf(t);
      groups.set(g, [...(groups.get(g) ?? []), t]);
    }
    const top = [...groups].sort((a, b) => b[1].length - a[1].length).slice(0, 4);
    const mine = versionColumns(cols).find((c) => c.impl === 'crossnet' && identity(c) === identity(col).replace(/builtin$/, 'crossnet'));
    const mineBy = mine && new Map(mine.results.map((r) => [key(r), r]));
    const failing = [...groups.values()].flat();
    const closed = mineBy ? failing.filter((t) => mineBy.get(key(t))?.status === 'pass').length : 0;
    const groupTotal = (g) => tests.filter((t) => groupOf(t) === g).length;
    rows.push({ col, fail, newer, ran: col.results.length, top: top.map(([g, ts]) => ({ group: g, failed: ts.length, of: groupTotal(g) })), closed, crossnet: !!mine?.results.length });
  }
  return rows;
}

/** The "Across runtime versions" section of MATRIX.md. */
export function renderVersions(cols, minimum, generated) {
  const vcols = versionColumns(cols);
  if (!vcols.length) return '';
  const tests = [];
  const seen = new Set();
  for (const c of vcols) for (const r of c.results) if (!seen.has(key(r))) { seen.add(key(r)); tests.push(r); }
  const lines = ['## Across runtime versions', ''];
  lines.push(`Generated by \`npm run matrix -- --versions\` (versions: conformance/versions.mjs; data: conformance/results.json, ${generated};`);
  lines.push('browsable: conformance/report.html). crossnet must pass every test on each version at or above the package\'s');
  lines.push(`minimum (package.json \`engines\`: Node ${minimum.node}, Deno ${minimum.deno}, Bun ${minimum.bun}) and refuse older ones with`);
  lines.push('an error naming the runtime version; each version\'s own node:net is recorded (on Node, tests of behaviour newer than that');
  lines.push('Node fail there by design: their `since` is checked on the reference Nodes).', '');
  lines.push('| runtime | version | supported | crossnet passed | crossnet failed | node:net passed | node:net failed |', '|---|---|---|---|---|---|---|');
  const byVersion = new Map();
  for (const c of vcols) {
    const k = `${familyOf(c)} ${c.env.version}`;
    byVersion.set(k, { ...byVersion.get(k), [c.impl]: c });
  }
  for (const [k, pair] of byVersion) {
    const [rt, v] = k.split(' ');
    const cellsOf = (c) => {
      if (!c) return ['·', '·'];
      if (!c.results.length) return [`— (${refusalOf(c.log)})`, '—'];
      const { pass, fail } = counts(c, tests);
      return [String(pass), String(fail)];
    };
    const supported = cmp(v, minimum[rt]) >= 0 ? 'yes' : 'no: refuses to load (measured with `CROSSNET_ALLOW_UNSUPPORTED_RUNTIME=1`)';
    lines.push(`| ${rt} | ${v} | ${supported} | ${cellsOf(pair.crossnet).join(' | ')} | ${cellsOf(pair.builtin).join(' | ')} |`);
  }
  lines.push('', '### Where each version\'s own node:net differs most', '');
  lines.push('| node:net of | failed (of them: newer than that Node; not run) | most failing API groups (failed/tests) | of those failures, crossnet passes on the same version |', '|---|---|---|---|');
  for (const d of differences(cols, tests)) {
    const notes = [d.newer ? `${d.newer} newer` : '', d.ran < tests.length ? `${tests.length - d.ran} not run` : ''].filter(Boolean).join('; ');
    lines.push(`| ${familyOf(d.col)} ${d.col.env.version} | ${d.fail}${notes ? ` (${notes})` : ''} | ${d.top.map((g) => `\`${g.group}\` ${g.failed}/${g.of}`).join(', ') || '—'} | ${d.crossnet ? `${d.closed}/${d.fail}` : 'crossnet does not load'} |`);
  }
  const groups = new Map();
  for (const t of tests) groups.set(groupOf(t), [...(groups.get(groupOf(t)) ?? []), key(t)]);
  lines.push('', '### Per API group', '');
  lines.push(`| API | tests | ${vcols.map(label).join(' | ')} |`, `|---|---|${vcols.map(() => '---').join('|')}|`);
  const status = (col, keys) => {
    if (!col.results.length) return '—';
    const by = new Map(col.results.map((r) => [key(r), r]));
    let pass = 0; let limit = false;
    for (const k of keys) { const r = by.get(k); if (r?.status === 'pass') { pass++; if (r.notes?.length) limit = true; } }
    if (pass === keys.length) return limit ? 'limit' : '✓';
    return `${pass}/${keys.length}`;
  };
  for (const [g, keys] of [...groups].sort((a, b) => a[0].localeCompare(b[0]))) {
    lines.push(`| \`${g.replace(/\|/g, '\\|')}\` | ${keys.length} | ${vcols.map((c) => status(c, keys)).join(' | ')} |`);
  }
  return lines.join('\n');
}
