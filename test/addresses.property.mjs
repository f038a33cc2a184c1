// Property-based comparison of crossnet's address functions with Node's own node:net, on strings
// generated to sit near the edges of the IPv4/IPv6 grammars plus arbitrary strings.
// Node only: `node test/addresses.property.mjs` (after `npm run build`). Exits non-zero on failure.
// Set FC_SEED / FC_RUNS to replay or lengthen a run.
import * as nodeNet from 'node:net';
import fc from 'fast-check';
import * as crossnet from '../dist/index.mjs';

const RUNS = Number(process.env.FC_RUNS || 10000);
const SEED = process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined;

// ---- generators ----

const octet = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 255 }).map(String) },
  { weight: 1, arbitrary: fc.integer({ min: 256, max: 1000 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom('', '00', '01', '001', '010', '0x1', '-1', '+1', ' 1', '1 ', '1e1', '٣', '１') },
);
const ipv4Shaped = fc.array(octet, { minLength: 1, maxLength: 6 }).map((parts) => parts.join('.'));
const ipv4Valid = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));

const group = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16)) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16).toUpperCase().padStart(4, '0')) },
  { weight: 1, arbitrary: fc.stringMatching(/^[0-9a-fA-F]{0,6}$/) },
  { weight: 1, arbitrary: fc.constantFrom('', '0', 'ffff', 'FFFF', '00000', 'g', 'x1', ' ', '1.2.3.4') },
);
const zone = fc.oneof(
  fc.stringMatching(/^%[0-9a-zA-Z.:-]{1,8}$/),
  fc.stringMatching(/^%[ -~]{0,6}$/),
  fc.constantFrom('%', '%%', '%eth0', '%lo', '%1', '%é'),
);
/** Groups with an optional `::` at some position, an optional IPv4 tail and an optional zone. */
const ipv6Shaped = fc.record({
  groups: fc.array(group, { maxLength: 9 }),
  gap: fc.option(fc.nat(9), { nil: undefined }),
  tail: fc.option(fc.oneof(ipv4Valid, ipv4Shaped), { nil: undefined }),
  mapped: fc.boolean(),
  zone: fc.option(zone, { nil: undefined }),
}).map(({ groups, gap, tail, mapped, zone: z }) => {
  let s;
  if (gap === undefined) s = groups.join(':');
  else {
    const at = Math.min(gap, groups.length);
    s = `${groups.slice(0, at).join(':')}::${groups.slice(at).join(':')}`;
  }
  if (tail !== undefined) s = mapped ? `::ffff:${tail}` : `${s}${s === '' || s.endsWith(':') ? '' : ':'}${tail}`;
  return z === undefined ? s : s + z;
});
const ipv6Valid = fc.tuple(fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }), fc.nat(8), fc.nat(8))
  .map(([w, from, len]) => {
    // A valid address, with some run of groups compressed to `::` when that is allowed.
    const text = w.map((n) => n.toString(16));
    const end = Math.min(8, from + len);
    if (end - from < 1 || (from === 0 && end === 8 && len < 8)) return text.join(':');
    return `${text.slice(0, from).join(':')}::${text.slice(end).join(':')}`;
  });

const EDIT_CHARS = ['.', ':', '%', '0', '1', '9', 'a', 'f', 'F', 'g', ' ', '\n', '\0', '/', '[', ']', '-', '٣', '１'];
/** A near-valid string with a few random insertions, deletions or replacements. */
const mutated = fc.tuple(
  fc.oneof(ipv4Valid, ipv6Valid, ipv4Shaped, ipv6Shaped),
  fc.array(fc.tuple(fc.nat(), fc.constantFrom(...EDIT_CHARS), fc.constantFrom('insert', 'delete', 'replace')), { minLength: 1, maxLength: 3 }),
).map(([s, edits]) => {
  for (const [pos, ch, op] of edits) {
    const i = s.length ? pos % (s.length + (op === 'insert' ? 1 : 0)) : 0;
    if (op === 'insert') s = s.slice(0, i) + ch + s.slice(i);
    else if (op === 'delete') s = s.slice(0, i) + s.slice(i + 1);
    else s = s.slice(0, i) + ch + s.slice(i + 1);
  }
  return s;
});
const arbitrary = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.stringMatching(/^[0-9a-fA-F:.%]{0,45}$/),
  fc.stringMatching(/^[0-9.]{0,20}$/),
);
const anyAddress = fc.oneof(ipv4Valid, ipv6Valid, ipv4Shaped, ipv6Shaped, mutated, arbitrary);

// ---- properties ----

/** The result of fn, or the error's code/name, so thrown errors compare too. */
function outcome(fn) {
  try {
    const r = fn();
    return r !== null && typeof r === 'object' && typeof r.toJSON === 'function' ? JSON.stringify(r.toJSON()) : JSON.stringify(r);
  } catch (err) {
    return `throws ${err && (err.code || err.name)}`;
  }
}

function sameIP(s) {
  return crossnet.isIP(s) === nodeNet.isIP(s)
    && crossnet.isIPv4(s) === nodeNet.isIPv4(s)
    && crossnet.isIPv6(s) === nodeNet.isIPv6(s);
}

function sameSocketAddress(address, family) {
  return outcome(() => new crossnet.SocketAddress({ address, family })) === outcome(() => new nodeNet.SocketAddress({ address, family }));
}

const family = fc.constantFrom('ipv4', 'ipv6', 'IPv6', 'IPV4');
const ruleAddress = fc.oneof(ipv4Valid, ipv6Valid, ipv6Valid.map((s) => s), ipv4Valid.map((s) => `::ffff:${s}`), fc.constantFrom('0.0.0.0', '255.255.255.255', '::', '::1', '::ffff:0:0', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'));
const rule = fc.oneof(
  fc.tuple(fc.constant('addAddress'), ruleAddress),
  fc.tuple(fc.constant('addRange'), ruleAddress, ruleAddress),
  fc.tuple(fc.constant('addSubnet'), ruleAddress, fc.nat(128)),
);
const familyOf = (a) => (a.includes(':') ? 'ipv6' : 'ipv4');

/** Same outcome of every add, and the same check() answers, for crossnet's and Node's BlockList. */
function sameBlockList(rules, probes) {
  const a = new crossnet.BlockList();
  const b = new nodeNet.BlockList();
  for (const [method, x, y] of rules) {
    const args = method === 'addAddress' ? [x, familyOf(x)]
      : method === 'addRange' ? [x, y, familyOf(x)] : [x, familyOf(x) === 'ipv4' ? y % 33 : y, familyOf(x)];
    if (outcome(() => a[method](...args)) !== outcome(() => b[method](...args))) return false;
  }
  // Node 24.21 lists address rules in hash order, one per address (an IPv4 address and its mapped
  // form being one); older Node lists every call newest first: compare sets of normalised texts.
  const set = (list) => JSON.stringify([...new Set(list.map((r) => r.replace(/^Address: IPv6 ::ffff:(\d+\.\d+\.\d+\.\d+)$/, 'Address: IPv4 $1')))].sort());
  if (set(a.rules) !== set(b.rules)) return false;
  return probes.every(([p, f]) => outcome(() => a.check(p, f)) === outcome(() => b.check(p, f)));
}

const properties = [
  ['isIP: IPv4-shaped strings', fc.property(ipv4Shaped, sameIP)],
  ['isIP: valid IPv4', fc.property(ipv4Valid, sameIP)],
  ['isIP: IPv6-shaped strings', fc.property(ipv6Shaped, sameIP)],
  ['isIP: valid IPv6', fc.property(ipv6Valid, sameIP)],
  ['isIP: near-valid strings with random edits', fc.property(mutated, sameIP)],
  ['isIP: arbitrary strings', fc.property(arbitrary, sameIP)],
  ['SocketAddress: address text or error for any string and family', fc.property(anyAddress, family, sameSocketAddress)],
  ['BlockList: rules and check() answers', fc.property(
    fc.array(rule, { maxLength: 12 }),
    fc.array(fc.tuple(fc.oneof(ruleAddress, anyAddress), fc.constantFrom('ipv4', 'ipv6', 'IPv4', 'IPV6')), { minLength: 1, maxLength: 20 }),
    sameBlockList,
  ), Math.ceil(RUNS / 5)],
];
if (typeof nodeNet.SocketAddress.parse === 'function') {
  const hostPort = fc.tuple(
    fc.oneof(ipv4Valid, ipv4Shaped, ipv6Valid.map((s) => `[${s}]`), ipv6Shaped.map((s) => `[${s}]`), mutated, arbitrary),
    fc.option(fc.oneof(fc.nat(70000).map(String), fc.constantFrom('', '80', '443', '0080', '-1', '8a')), { nil: undefined }),
  ).map(([h, p]) => (p === undefined ? h : `${h}:${p}`));
  properties.push(['SocketAddress.parse: same result as Node', fc.property(hostPort, (s) => outcome(() => crossnet.SocketAddress.parse(s)) === outcome(() => nodeNet.SocketAddress.parse(s)))]);
}

let passed = 0;
let failed = 0;
const started = Date.now();
for (const [name, property, runs = RUNS] of properties) {
  const details = fc.check(property, { numRuns: runs, seed: SEED });
  if (details.failed) {
    failed++;
    console.log(`✗ ${name}\n${fc.defaultReportMessage(details).replace(/^/gm, '    ')}`);
  } else {
    passed++;
    console.log(`✓ ${name} (${details.numRuns} runs)`);
  }
}
const noParse = typeof nodeNet.SocketAddress.parse !== 'function';
console.log(`Node ${process.versions.node}${noParse ? ' (has no SocketAddress.parse to compare)' : ''}, ${((Date.now() - started) / 1000).toFixed(1)}s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
