// Builds the published package into dist/: for each public entry one ES module bundle, a CommonJS
// file that require()s it (so `import` and `require` share one instance: no dual-package state),
// and one bundled declaration file for each of the two.
//   dist/<entry>.mjs  dist/<entry>.cjs  dist/<entry>.d.mts  dist/<entry>.d.cts
// Why this shape: start-up (`import 'crossnet'` against `import 'node:net'`, bench/startup.mjs;
// docs/startup.md). `crossnet` is one file: Node's ES module loader costs ~1 ms for each file, so
// no shared chunks. crossnet/sockets is its own code over index.mjs; an adapter entry is its own
// bundle. An ES module imported from ESM costs no more than node:net's own start-up, while an ESM
// wrapper over a CommonJS bundle costs Node ~11 MiB for its CommonJS export scan. require() of an
// ES module (no top-level await) works on Node >= 20.19, Deno and Bun.
// Usage: node scripts/build.mjs
import { build } from 'esbuild';
import { generateDtsBundle } from 'dts-bundle-generator';
import ts from 'typescript';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildTesting, TESTING_ENTRIES } from './build-testing.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

/** Package export → source file. Keep in step with package.json "exports" and deno.json. */
export const entries = {
  index: 'src/index.ts',
  'adapters/node': 'adapters/node.ts',
  'adapters/node-net': 'adapters/node-net.ts',
  'adapters/deno': 'adapters/deno.ts',
  'adapters/deno-compat': 'adapters/deno-compat.ts',
  'adapters/bun': 'adapters/bun.ts',
  sockets: 'src/sockets.ts',
  testing: 'src/testing.ts',
  'adapters/memory': 'adapters/memory.ts',
  processes: 'src/processes.ts', // #17
};

/**
 * Builtins that crossnet needs only once a feature is used (a host lookup, a BlockList or error
 * message shown with util.inspect, an adopted fd, a handle's async id), never at import: each costs
 * start-up where the runtime builds it on first request (Deno: node:fs ~8 ms, node:dns ~3 ms,
 * node:util ~1.5 ms; Node: node:dns ~1.5 ms; Bun: node:fs ~2 ms, node:async_hooks ~0.5 ms).
 * An import of one of these is loaded on first use when the importing file only calls the names
 * it imports (`fstatSync(fd)`) or only reads their properties (`dns.lookup`, `constants.errno`);
 * any other use (a value passed on, compared, constructed, assigned to) keeps that import eager,
 * and a use at module level simply loads it at import. bench/startup.mjs shows either.
 */
const onFirstUse = new Set(['node:async_hooks', 'node:dns', 'node:fs', 'node:os', 'node:util']);

/**
 * How `file` uses each local name in `locals`: 'call' when every use calls it, a Set of property
 * names when every use reads a property of it, 'value' otherwise. Types, property keys and type
 * assertions around a use (`(x as T).p`) are not uses.
 */
function usesOf(file, locals) {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const uses = new Map([...locals].map((name) => [name, { calls: 0, props: new Set(), other: 0 }]));
  const typeOnly = (n) => ts.isParenthesizedExpression(n) || ts.isAsExpression(n) || ts.isNonNullExpression(n)
    || ts.isTypeAssertionExpression(n) || ts.isSatisfiesExpression(n);
  const visit = (node) => {
    if (ts.isImportDeclaration(node) || ts.isTypeNode(node)) return;
    if (ts.isIdentifier(node) && uses.has(node.text)) {
      const use = uses.get(node.text);
      const p = node.parent;
      if ((ts.isPropertyAccessExpression(p) && p.name === node) || (ts.isPropertyAssignment(p) && p.name === node)
        || ((ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p)) && p.name === node)) {
        // a property called like the import, not the import
      } else {
        let at = node;
        while (typeOnly(at.parent)) at = at.parent;
        const q = at.parent;
        if (ts.isCallExpression(q) && q.expression === at) use.calls++;
        else if (ts.isPropertyAccessExpression(q) && q.expression === at && !isWritten(q)) use.props.add(q.name.text);
        else use.other++;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return new Map([...uses].map(([name, u]) => [name,
    u.other || (u.calls && u.props.size) ? 'value' : u.calls ? 'call' : u.props.size ? u.props : 'value']));
}

/** Whether a property access is assigned to (`dns.lookup = …`, `x.n++`, `delete x.p`). */
function isWritten(access) {
  const p = access.parent;
  if (ts.isBinaryExpression(p) && p.left === access && p.operatorToken.kind >= ts.SyntaxKind.FirstAssignment
    && p.operatorToken.kind <= ts.SyntaxKind.LastAssignment) return true;
  return ts.isPrefixUnaryExpression(p) || ts.isPostfixUnaryExpression(p) || ts.isDeleteExpression(p);
}

/**
 * `import { x } from 'node:fs'` in an ES module makes Node build the builtin's whole export list,
 * which runs every lazy getter of it (fs.promises, util.parseArgs, dns.promises, …): a dozen
 * internal modules crossnet never uses. So the bundle asks the runtime for each builtin with
 * process.getBuiltinModule (Node >= 20.16, Deno, Bun) and reads only the names the importing file
 * imports, once, as CommonJS destructuring would (no per-property getters, which cost Bun ~10 MiB);
 * the builtins in `onFirstUse` are asked for on first use instead.
 */
const builtinsOnDemand = {
  name: 'builtins-on-demand',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => {
      const names = new Map(); // imported name → local name
      let def;
      const text = readFileSync(args.importer, 'utf8');
      const quoted = args.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      for (const [, clause] of text.matchAll(new RegExp(`import\\s+([^;]*?)\\s+from\\s+['"]${quoted}['"]`, 'g'))) {
        if (/^type\s/.test(clause)) continue;
        if (clause.includes('*')) throw new Error(`${args.importer}: import ${args.path} by name or as default, not as a namespace`);
        const [d, braces] = clause.includes('{') ? clause.split('{') : [clause, ''];
        if (d.replace(',', '').trim()) def = d.replace(',', '').trim();
        for (const item of braces.replace('}', '').split(',')) {
          const [name, local = name] = item.trim().split(/\s+as\s+/);
          if (name && !name.startsWith('type ')) names.set(name, local);
        }
      }
      const eager = new Set(names.keys());
      const lazy = [];
      const lazyObjects = []; // name:prop:prop…
      let lazyDefault;
      if (onFirstUse.has(args.path)) {
        const uses = usesOf(args.importer, new Set([...names.values(), ...(def ? [def] : [])]));
        for (const [name, local] of names) {
          const use = uses.get(local);
          if (use === 'call') lazy.push(name);
          else if (use instanceof Set) lazyObjects.push(`${name}:${[...use].sort().join(':')}`);
          else continue;
          eager.delete(name);
        }
        if (def && uses.get(def) instanceof Set) { lazyDefault = [...uses.get(def)].sort(); def = undefined; }
      }
      const query = [[...eager].sort().join(','), def ? 'default' : '', lazy.length ? `lazy=${lazy.sort().join(',')}` : '',
        lazyObjects.length ? `lazyobjects=${lazyObjects.sort().join(',')}` : '',
        lazyDefault ? `lazydefault=${lazyDefault.join(',')}` : ''].filter((x, i) => i === 0 || x).join('&');
      return { path: `${args.path}?${query}`, namespace: 'builtin' };
    });
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => {
      const [id, rest] = args.path.split('?');
      const [list, ...flags] = rest.split('&');
      const names = list ? list.split(',') : [];
      const flag = (key) => flags.find((f) => f.startsWith(`${key}=`))?.slice(key.length + 1).split(',') ?? [];
      const lazy = flag('lazy');
      const lazyDefault = flag('lazydefault');
      const lazyObjects = flag('lazyobjects').map((x) => x.split(':'));
      // Through src/supported.ts, so a runtime too old for crossnet fails there, clearly, first.
      const imp = `import { builtin } from ${JSON.stringify(join(root, 'src', 'supported.ts'))};\n`;
      const get = `builtin(${JSON.stringify(id)})`;
      if (!lazy.length && !lazyDefault.length && !lazyObjects.length) {
        return {
          contents: `${imp}const m = ${get};\nexport default m;\n` + (names.length ? `export const { ${names.join(', ')} } = m;\n` : ''),
          loader: 'js',
          resolveDir: root,
        };
      }
      const eager = names.length || flags.includes('default');
      let contents = `${imp}let m${eager ? ` = ${get}` : ''};\nconst load = () => (m ??= ${get});\n`;
      if (flags.includes('default')) contents += 'export default m;\n';
      if (names.length) contents += `export const { ${names.join(', ')} } = m;\n`;
      for (const name of lazy) contents += `export function ${name}(...args) { return load().${name}(...args); }\n`;
      // A name or default read only by property: an object whose getters read the builtin's
      // current value (so a later `dns.lookup = …` is seen, as before).
      const getters = (base, props) => `{ ${props.map((p) => `get ${p}() { return ${base}.${p}; }`).join(', ')} }`;
      for (const [name, ...props] of lazyObjects) contents += `export const ${name} = ${getters(`load().${name}`, props)};\n`;
      if (lazyDefault.length) contents += `export default ${getters('load()', lazyDefault)};\n`;
      return { contents, loader: 'js', resolveDir: root };
    });
  },
};

rmSync(dist, { recursive: true, force: true });

await build({
  entryPoints: Object.fromEntries(Object.entries(entries).filter(([out]) => !TESTING_ENTRIES.includes(out))
    .map(([out, src]) => [out, join(root, src)])),
  outdir: dist,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  // Runtime modules are the runtime's; nothing from node_modules is bundled.
  external: ['bun:*'],
  // Class fields as assignments, as tsc emits them (useDefineForClassFields: false).
  tsconfig: join(root, 'tsconfig.json'),
  legalComments: 'none',
  logLevel: 'warning',
  splitting: true,
  plugins: [builtinsOnDemand],
});

// crossnet/testing in a pass of its own, so the other entries' bundles and chunks stay as they are.
await buildTesting(root, dist, entries, builtinsOnDemand);

const cjsHeader = '// Generated by scripts/build.mjs: the implementation is the ES module beside this file.\n';
for (const out of Object.keys(entries)) {
  const file = join(dist, `${out}.cjs`);
  mkdirSync(dirname(file), { recursive: true });
  const name = out.split('/').pop();
  // Each export copied by name (not `module.exports = require(...)`), so CommonJS tools see the
  // same named and default exports the declarations give.
  const names = Object.keys(await import(pathToFileURL(join(dist, `${out}.mjs`)).href));
  writeFileSync(file, `${cjsHeader}'use strict';\nconst m = require('./${name}.mjs');\n`
    + "Object.defineProperty(exports, '__esModule', { value: true });\n"
    + names.map((n) => `exports.${n} = m.${n};\n`).join(''));
}

// One TypeScript program for all entries' declarations. @types/node declares `node:net` as a
// re-export of `net`, so the bundler names `net`; the package's types say `node:net` as its code does.
const outs = Object.keys(entries);
const bundles = generateDtsBundle(Object.values(entries).map((src) => ({
  filePath: join(root, src), output: { noBanner: true, exportReferencedTypes: false },
})), { preferredConfigPath: join(root, 'tsconfig.json') });
bundles.forEach((dts, i) => {
  const text = dts.replace(/ from 'net';/g, " from 'node:net';");
  writeFileSync(join(dist, `${outs[i]}.d.mts`), text);
  writeFileSync(join(dist, `${outs[i]}.d.cts`), text);
});
console.log(`built ${Object.keys(entries).length} entries into dist/`);
