// The public surface of node:net as the newest reference Node has it: the module's export names and,
// for each class it exports, the names on its prototype and the class itself. The conformance test
// api-surface.test.mjs compares crossnet's net (and each runtime's own) with this snapshot, so an
// API a new Node adds shows up as a failing test.
//   <node> conformance/snapshot-node-api.mjs            print the running Node's surface as JSON
//   node conformance/snapshot-node-api.mjs --write      regenerate conformance/fixtures/node-api.json
//                                                       with the newest reference Node (runtimes.mjs)
// Names: string keys, well-known symbols as `@@name` (`@@asyncDispose`), registered symbols as
// `Symbol.for(key)`; other symbols are private to Node and left out. Statics leave out what every
// function has (length, name, prototype).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const SNAPSHOT = join(here, 'fixtures', 'node-api.json');

const WELL_KNOWN = new Map(Object.getOwnPropertyNames(Symbol)
  .filter((k) => typeof Symbol[k] === 'symbol').map((k) => [Symbol[k], `@@${k}`]));

/** The public name of a property key, or undefined for a symbol private to its module. */
export function keyName(key) {
  if (typeof key === 'string') return key;
  if (WELL_KNOWN.has(key)) return WELL_KNOWN.get(key);
  const registered = Symbol.keyFor(key);
  return registered === undefined ? undefined : `Symbol.for(${registered})`;
}

/** Own property names of `obj`, public ones only, in definition order. */
export function namesOf(obj, skip = []) {
  return Reflect.ownKeys(obj).map(keyName).filter((n) => n !== undefined && !skip.includes(n));
}

const FUNCTION_OWN = ['length', 'name', 'prototype', 'arguments', 'caller'];

/** Exports that are classes (capitalised functions with a prototype), keeping one name per class. */
export function classesOf(net) {
  const seen = new Map();
  for (const name of namesOf(net)) {
    const value = net[name];
    if (!/^[A-Z]/.test(name) || typeof value !== 'function' || !value.prototype) continue;
    if (!seen.has(value)) seen.set(value, name);
  }
  return [...seen].map(([value, name]) => ({ name, value }));
}

/** The surface of a `net` module object. */
export function surfaceOf(net) {
  const classes = {};
  const aliases = {};
  const found = classesOf(net);
  for (const { name, value } of found) {
    classes[name] = { prototype: namesOf(value.prototype), static: namesOf(value, FUNCTION_OWN) };
  }
  for (const name of namesOf(net)) {
    const owner = found.find((c) => c.value === net[name] && c.name !== name);
    if (owner) aliases[name] = owner.name;
  }
  return { exports: namesOf(net), classes, aliases };
}

async function main() {
  if (process.argv.includes('--write')) {
    const { REFERENCE_NODES, referenceName, referenceNodes } = await import('./runtimes.mjs');
    const [ref] = referenceNodes({ names: [referenceName(REFERENCE_NODES[0])] });
    if (!ref) throw new Error(`the newest reference Node ${REFERENCE_NODES[0]} is not available`);
    const surface = JSON.parse(execFileSync(ref.bin, [fileURLToPath(import.meta.url)], { encoding: 'utf8' }));
    writeFileSync(SNAPSHOT, `${JSON.stringify({ node: ref.version, ...surface }, null, 2)}\n`);
    console.log(`wrote ${SNAPSHOT} from Node ${ref.version}`);
    return;
  }
  const net = (await import('node:net')).default;
  process.stdout.write(`${JSON.stringify(surfaceOf(net))}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
