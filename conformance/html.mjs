// conformance/report.html: the matrix as one static page with no external assets. The summary
// and the API-group × column table are plain HTML (colour per cell: share of tests passing); a
// click on a group opens its tests, drawn by a small inline script from the embedded data.
import { familyOf, groupOf, refusalOf, versionColumns } from './versions-report.mjs';

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const key = (r) => `${r.suite} › ${r.name}`;

/** Green when all pass, through amber to red as fewer pass; blue-green for documented limits. */
function shade(pass, total, limit) {
  if (!total) return 'hsl(0 0% 85%)';
  if (pass === total) return limit ? 'hsl(170 45% 72%)' : 'hsl(125 50% 70%)';
  return `hsl(${Math.round(50 * (pass / total))} 80% ${62 + Math.round(14 * (pass / total))}%)`;
}

export function renderHtml(cols, { minimum, generated }) {
  const vcols = versionColumns(cols);
  const tests = [];
  const seen = new Set();
  for (const c of vcols) for (const r of c.results) if (!seen.has(key(r))) { seen.add(key(r)); tests.push({ suite: r.suite, name: r.name }); }
  const groups = new Map();
  tests.forEach((t, i) => groups.set(groupOf(t), [...(groups.get(groupOf(t)) ?? []), i]));
  const sorted = [...groups].sort((a, b) => a[0].localeCompare(b[0]));
  const maps = vcols.map((c) => new Map(c.results.map((r) => [key(r), r])));
  // Per column one letter per test (p pass, l limit, f fail, - not run), and failures' first lines.
  const data = {
    tests: tests.map((t) => [t.suite, t.name]),
    groups: sorted.map(([g, idx]) => [g, idx]),
    columns: vcols.map((c, j) => ({
      label: `${familyOf(c)} ${c.env.version}`, impl: c.impl === 'builtin' ? 'node:net' : 'crossnet',
      cells: tests.map((t) => { const r = maps[j].get(key(t)); return !r ? '-' : r.status !== 'pass' ? 'f' : r.notes?.length ? 'l' : 'p'; }).join(''),
      errors: Object.fromEntries(tests.map((t, i) => [i, maps[j].get(key(t))]).filter(([, r]) => r && r.status !== 'pass').map(([i, r]) => [i, String(r.error ?? '').split('\n')[0].slice(0, 200)])),
    })),
  };
  const head = vcols.map((c) => `<th class="col ${c.impl}"><span>${esc(familyOf(c))} ${esc(c.env.version)}</span><small>${c.impl === 'builtin' ? 'node:net' : 'crossnet'}</small></th>`).join('');
  const summary = vcols.map((c, j) => {
    if (!c.results.length) return `<td class="crash" title="${esc(refusalOf(c.log))}">—</td>`;
    const pass = tests.filter((t) => maps[j].get(key(t))?.status === 'pass').length;
    return `<td style="background:${shade(pass, tests.length, false)}" data-pass="${pass}">${pass}/${tests.length}</td>`;
  }).join('');
  const rows = sorted.map(([g, idx], gi) => {
    const cells = vcols.map((c, j) => {
      if (!c.results.length) return '<td class="crash">—</td>';
      let pass = 0; let limit = false;
      for (const i of idx) { const r = maps[j].get(key(tests[i])); if (r?.status === 'pass') { pass++; if (r.notes?.length) limit = true; } }
      const text = pass === idx.length ? (limit ? 'limit' : '✓') : `${pass}/${idx.length}`;
      return `<td style="background:${shade(pass, idx.length, limit)}">${text}</td>`;
    }).join('');
    return `<tr class="group" data-group="${gi}"><th scope="row"><button type="button">${esc(g)}</button> <small>${idx.length}</small></th>${cells}</tr>`;
  }).join('\n');
  const crashed = vcols.filter((c) => !c.results.length).map((c) => `<li><b>${esc(familyOf(c))} ${esc(c.env.version)} ${c.impl === 'builtin' ? 'node:net' : 'crossnet'}</b>: ${esc(refusalOf(c.log))}</li>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>crossnet conformance matrix</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #222; }
h1 { font-size: 1.4rem; margin: 0 0 .3rem; } p { max-width: 60rem; }
table { border-collapse: collapse; } td, th { border: 1px solid #fff; padding: 2px 6px; text-align: center; white-space: nowrap; }
th.col span { display: block; } th.col small { font-weight: normal; color: #555; } th.col.builtin { background: #eee; }
tr.group th { text-align: left; font-weight: normal; background: #f6f6f6; } tr.group button { font: inherit; border: 0; background: none; color: #1a4fa0; cursor: pointer; padding: 0; text-decoration: underline; }
tr.summary td, tr.summary th { font-weight: bold; } td.crash { background: hsl(0 0% 80%); color: #555; }
tr.detail > td { text-align: left; background: #fafafa; padding: .5rem; } tr.detail table td { border: 1px solid #ddd; }
td.p { background: hsl(125 50% 80%); } td.l { background: hsl(170 45% 80%); } td.f { background: hsl(0 80% 80%); } td.n { background: #ddd; }
td.name { text-align: left; white-space: normal; min-width: 24rem; } .legend span { display: inline-block; padding: 0 .5rem; margin-right: .3rem; }
</style></head><body>
<h1>crossnet conformance matrix</h1>
<p>Node's <code>net</code> conformance suite on each runtime version, against crossnet and against that runtime's own <code>node:net</code>
(generated ${esc(generated)} by <code>npm run matrix -- --versions</code>; ${tests.length} tests). Minimum versions crossnet supports:
Node ${esc(minimum.node)}, Deno ${esc(minimum.deno)}, Bun ${esc(minimum.bun)}. Click an API group for its tests; hover a failing cell for its error.</p>
<p class="legend"><span style="background:${shade(1, 1, false)}">all pass</span><span style="background:${shade(1, 1, true)}">limit: documented ERR_CROSSNET_UNSUPPORTED</span><span style="background:${shade(1, 2, false)}">some fail</span><span style="background:${shade(0, 1, false)}">all fail</span><span style="background:hsl(0 0% 80%)">did not run</span></p>
${crashed ? `<ul>${crashed}</ul>` : ''}
<table id="matrix">
<thead><tr><th>API group <small>tests</small></th>${head}</tr></thead>
<tbody>
<tr class="summary"><th scope="row">all tests</th>${summary}</tr>
${rows}
</tbody></table>
<script type="application/json" id="data">${JSON.stringify(data).replace(/</g, '\\u003c')}</script>
<script>
const data = JSON.parse(document.getElementById('data').textContent);
const text = { p: '✓', l: 'limit', f: '✗', '-': '—' };
const cls = { p: 'p', l: 'l', f: 'f', '-': 'n' };
function detail(gi) {
  const [, idx] = data.groups[gi];
  const tr = document.createElement('tr');
  tr.className = 'detail';
  const td = document.createElement('td');
  td.colSpan = data.columns.length + 1;
  const table = document.createElement('table');
  for (const i of idx) {
    const row = table.insertRow();
    const name = row.insertCell();
    name.className = 'name';
    name.textContent = data.tests[i][0] + ' › ' + data.tests[i][1];
    for (const col of data.columns) {
      const c = row.insertCell();
      const v = col.cells[i];
      c.className = cls[v];
      c.textContent = text[v];
      c.title = col.label + ' ' + col.impl + (col.errors[i] ? ': ' + col.errors[i] : '');
    }
  }
  td.append(table);
  tr.append(td);
  return tr;
}
document.getElementById('matrix').addEventListener('click', (e) => {
  const row = e.target.closest('tr.group');
  if (!row) return;
  const next = row.nextElementSibling;
  if (next && next.classList.contains('detail')) next.remove();
  else row.after(detail(Number(row.dataset.group)));
});
</script>
</body></html>
`;
}
