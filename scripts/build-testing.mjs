// Build step of crossnet/testing: each simulated network gets its own instance of the core (its own
// transport, defaults and classes), so the core is bundled a second time into one function
// (`instantiateCore(builtins)`) that the testing entry calls per network. Inside it every `node:*`
// import asks `builtins(id)`, through which a network hands its core its own `node:dns` (the
// network's host table) and late-bound `node:timers` (fake timers work). The OS adapters are left
// out: a network's core has no other transport. scripts/build.mjs calls buildTesting() after its
// main pass; the other entries' output stays byte for byte what it was without crossnet/testing.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The core as the body of `instantiateCore(__builtin)`: a fresh evaluation per call. */
async function coreFactory(root) {
  const builtinsFromParameter = {
    name: 'builtins-from-parameter',
    setup(b) {
      b.onResolve({ filter: /^node:/ }, (args) => {
        // Only the names the file imports, as builtinsOnDemand reads them (no namespace imports in src/).
        const text = readFileSync(args.importer, 'utf8');
        const quoted = args.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        const names = new Set();
        for (const [, clause] of text.matchAll(new RegExp(`import\\s+([^;]*?)\\s+from\\s+['"]${quoted}['"]`, 'g'))) {
          if (/^type\s/.test(clause) || !clause.includes('{')) continue;
          for (const item of clause.split('{')[1].replace('}', '').split(',')) {
            const name = item.trim().split(/\s+as\s+/)[0];
            if (name && !name.startsWith('type ')) names.add(name);
          }
        }
        return { path: `${args.path}?${[...names].sort().join(',')}`, namespace: 'builtin' };
      });
      b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => {
        const [id, list] = args.path.split('?');
        const names = list ? list.split(',') : [];
        return {
          contents: `const m = __builtin(${JSON.stringify(id)});\nexport default m;\n`
            + (names.length ? `export const { ${names.join(', ')} } = m;\n` : ''),
          loader: 'js',
        };
      });
      // No OS adapter in a network's core: it only ever runs over the network's transport.
      b.onResolve({ filter: /adapters\/auto\.ts$/ }, () => ({ path: 'auto', namespace: 'no-adapter' }));
      b.onLoad({ filter: /.*/, namespace: 'no-adapter' }, () => ({
        contents: "export function detectTransport() { throw new Error('crossnet/testing: a network has no OS transport'); }\n",
        loader: 'js',
      }));
    },
  };
  const out = await build({
    entryPoints: [join(root, 'src/testing/core.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: '__core',
    platform: 'neutral',
    target: 'es2022',
    plugins: [builtinsFromParameter],
    tsconfig: join(root, 'tsconfig.json'),
    legalComments: 'none',
    logLevel: 'warning',
  });
  return `export function instantiateCore(__builtin) {\n${out.outputFiles[0].text}\nreturn __core;\n}\n`;
}

/** The entries built here rather than in the main pass. */
export const TESTING_ENTRIES = ['testing', 'adapters/memory'];

/**
 * Bundle the testing entries in their own esbuild pass (their shared code split into
 * dist/chunks/testing-*), so adding them changes nothing in the other entries' output.
 */
export async function buildTesting(root, dist, entries, builtinsOnDemand) {
  await build({
    entryPoints: Object.fromEntries(TESTING_ENTRIES.map((out) => [out, join(root, entries[out])])),
    outdir: dist,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/testing-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    plugins: [builtinsOnDemand, coreInstance(root)],
    tsconfig: join(root, 'tsconfig.json'),
    legalComments: 'none',
    logLevel: 'warning',
  });
}

/** esbuild plugin: src/testing/instance.ts becomes the generated factory. */
function coreInstance(root) {
  let code;
  return {
    name: 'core-instance',
    setup(b) {
      b.onResolve({ filter: /instance\.ts$/ }, (args) => (args.importer.includes(join('src', 'testing'))
        ? { path: 'instance', namespace: 'core-instance' } : undefined));
      b.onLoad({ filter: /.*/, namespace: 'core-instance' }, async () => ({ contents: (code ??= await coreFactory(root)), loader: 'js' }));
    },
  };
}
