// net.BlockList as Node 26 has it: addAddresses, addCIDR(s), removeAddress/Range/Subnet/CIDR,
// clear, size and BlockList.PRIVATE_RANGES (Node 24.21.0 and 26.8.0; never in Node 25), and the
// fromJSON reading of IPv4-mapped IPv6 rules (Node 24.22.0 and 26.9.0). Expected values are
// literals taken from Node 26.12.1's own node:net (24.22.3 answers the same) and reviewed by hand.
import * as assert from 'uvu/assert';
import { inspect } from 'node:util';
import process from 'node:process';
import { net } from './net.mjs';
import { suite, assertCode } from './lib.mjs';

const t = suite('addresses-blocklist-26');
const NEW = { since: '24.21.0' };
const MAPPED_JSON = { since: '24.22.0' };

const sa = (o) => new net.SocketAddress(o);
const v6 = (address, o = {}) => sa({ address, family: 'ipv6', ...o });

/** `[code, message]` of what fn throws, or `['none', rules]` when it does not. */
function outcome(bl, fn) {
  try {
    fn();
  } catch (err) {
    return [err.code ?? err.name, err.message];
  }
  return ['none', bl.rules];
}

/** Run each [args, want] row through a fresh list's method; fail with every row that differs. */
function table(method, rows, setup = () => {}) {
  const wrong = [];
  for (const [args, want] of rows) {
    const bl = new net.BlockList();
    setup(bl);
    const got = outcome(bl, () => bl[method](...args));
    try { assert.equal(got, want); } catch { wrong.push(`${method}(${inspect(args)}): got ${inspect(got)}, expected ${inspect(want)}`); }
  }
  assert.equal(wrong, []);
}

const typeMsg = (name, expected, received) => ['ERR_INVALID_ARG_TYPE', `The "${name}" argument must be ${expected}. Received ${received}`];
const rangeMsg = (max, received) => ['ERR_OUT_OF_RANGE', `The value of "prefix" is out of range. It must be ${max}. Received ${received}`];
const noPrefix = (cidr) => ['ERR_INVALID_ARG_VALUE', `The argument 'cidr' must contain a prefix length (e.g. "10.0.0.0/8"). Received '${cidr}'`];
const badPrefix = (cidr) => ['ERR_INVALID_ARG_VALUE', `The argument 'cidr' prefix length must be a valid integer. Received '${cidr}'`];
const INVALID_ADDRESS = ['ERR_INVALID_ADDRESS', 'Invalid socket address'];

t('BlockList: the methods and statics Node 26 has, with their lengths', () => {
  const proto = Object.getOwnPropertyNames(net.BlockList.prototype);
  const want = ['constructor', 'addAddress', 'addAddresses', 'addRange', 'addSubnet', 'addCIDR', 'addCIDRs', 'removeAddress',
    'removeRange', 'removeSubnet', 'removeCIDR', 'check', 'clear', 'toJSON', 'fromJSON', 'rules', 'size'];
  assert.equal(proto, want);
  const lengths = Object.fromEntries(want.filter((m) => m !== 'rules' && m !== 'size').map((m) => [m, net.BlockList.prototype[m].length]));
  assert.equal(lengths, {
    constructor: 0, addAddress: 1, addAddresses: 1, addRange: 2, addSubnet: 2, addCIDR: 1, addCIDRs: 1, removeAddress: 1,
    removeRange: 2, removeSubnet: 2, removeCIDR: 1, check: 1, clear: 0, toJSON: 0, fromJSON: 1,
  });
  for (const m of want.slice(1, -2)) assert.is(Object.getOwnPropertyDescriptor(net.BlockList.prototype, m).enumerable, false, m);
  const size = Object.getOwnPropertyDescriptor(net.BlockList.prototype, 'size');
  assert.type(size.get, 'function');
  assert.is(size.set, undefined);
  assert.is(size.enumerable, false);
  assert.equal(Object.getOwnPropertyNames(net.BlockList), ['length', 'name', 'prototype', 'isBlockList', 'PRIVATE_RANGES']);
  assert.equal(Object.keys(new net.BlockList()), []);
}, NEW);

t('BlockList.PRIVATE_RANGES: a frozen array of CIDR strings on the class', () => {
  const ranges = net.BlockList.PRIVATE_RANGES;
  assert.equal(ranges, ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '127.0.0.0/8', '::1/128', '169.254.0.0/16', 'fe80::/10', 'fc00::/7']);
  assert.ok(Array.isArray(ranges));
  assert.is(Object.getPrototypeOf(ranges), Array.prototype);
  assert.ok(Object.isFrozen(ranges));
  assert.is(net.BlockList.PRIVATE_RANGES, ranges);
  const d = Object.getOwnPropertyDescriptor(net.BlockList, 'PRIVATE_RANGES');
  assert.equal([d.writable, d.enumerable, d.configurable], [true, true, true]);
  assert.is(net.BlockList.isBlockList(ranges), false);
  assert.throws(() => { 'use strict'; ranges.push('x'); }, (err) => err instanceof TypeError);
}, NEW);

t('BlockList.PRIVATE_RANGES through addCIDRs blocks private, loopback and link-local addresses', () => {
  const bl = new net.BlockList();
  assert.is(bl.addCIDRs(net.BlockList.PRIVATE_RANGES), undefined);
  assert.equal(bl.rules, [
    'Subnet: IPv6 fc00::/7', 'Subnet: IPv6 fe80::/10', 'Subnet: IPv4 169.254.0.0/16', 'Subnet: IPv6 ::1/128',
    'Subnet: IPv4 127.0.0.0/8', 'Subnet: IPv4 192.168.0.0/16', 'Subnet: IPv4 172.16.0.0/12', 'Subnet: IPv4 10.0.0.0/8',
  ]);
  assert.is(bl.size, 8);
  const v4 = ['10.1.1.1', '172.31.255.255', '172.32.0.0', '192.168.5.5', '127.0.0.1', '169.254.1.1', '8.8.8.8'].map((a) => bl.check(a));
  assert.equal(v4, [true, true, false, true, true, true, false]);
  const six = ['::1', 'fe80::1', 'fd00::1', 'fc00::', 'fe00::', '::ffff:10.0.0.1', '::ffff:127.0.0.1', '2001:db8::1'].map((a) => bl.check(a, 'ipv6'));
  assert.equal(six, [true, true, true, true, false, true, true, false]);
}, NEW);

t('BlockList.size: the rules listed, without building them', () => {
  const bl = new net.BlockList();
  assert.is(bl.size, 0);
  bl.addAddress('1.2.3.4');
  bl.addAddress('::ffff:1.2.3.4', 'ipv6');
  bl.addAddress(sa({ address: '1.2.3.4', port: 80 }));
  assert.is(bl.size, 1);
  bl.addSubnet('10.0.0.0', 8);
  bl.addSubnet('10.0.0.0', 8);
  bl.addRange('1.1.1.1', '1.1.1.9');
  bl.addRange('1.1.1.1', '1.1.1.9');
  bl.addAddress('::1', 'ipv6');
  assert.is(bl.size, 6);
  assert.is(bl.size, bl.rules.length);
  bl.removeSubnet('10.0.0.0', 8);
  bl.removeAddress('1.2.3.4');
  bl.removeAddress('1.2.3.4');
  assert.is(bl.size, 4);
  bl.clear();
  assert.is(bl.size, 0);
  const other = new net.BlockList();
  other.fromJSON(['Address: IPv4 5.6.7.8', 'Subnet: IPv6 ::/0']);
  assert.is(other.size, 2);
}, NEW);

t('BlockList.clear: every rule goes, the list stays usable', () => {
  const bl = new net.BlockList();
  bl.addAddress('1.2.3.4');
  bl.addAddress('::1', 'ipv6');
  bl.addSubnet('10.0.0.0', 8);
  bl.addRange('2001:db8::', '2001:db8::ff', 'ipv6');
  assert.is(bl.check('10.9.9.9'), true);
  assert.is(bl.clear(), undefined);
  assert.equal(bl.rules, []);
  assert.equal([bl.check('1.2.3.4'), bl.check('::1', 'ipv6'), bl.check('10.9.9.9'), bl.check('2001:db8::1', 'ipv6')], [false, false, false, false]);
  assert.is(inspect(bl), 'BlockList { rules: [] }');
  bl.clear();
  bl.addAddress('1.2.3.5');
  assert.equal(bl.rules, ['Address: IPv4 1.2.3.5']);
  assert.equal([bl.check('1.2.3.5'), bl.check('1.2.3.4')], [true, false]);
}, NEW);

t('BlockList.addCIDR: address/prefix text, the family read from a colon', () => {
  table('addCIDR', [
    [['10.0.0.0/8'], ['none', ['Subnet: IPv4 10.0.0.0/8']]],
    [['::1/128'], ['none', ['Subnet: IPv6 ::1/128']]],
    [['2001:DB8::/32'], ['none', ['Subnet: IPv6 2001:db8::/32']]],
    [['::ffff:1.2.3.4/120'], ['none', ['Subnet: IPv6 ::ffff:1.2.3.4/120']]],
    [['fe80::1%eth0/64'], ['none', ['Subnet: IPv6 fe80::1/64']]],
    [['10.0.0.1/0'], ['none', ['Subnet: IPv4 10.0.0.1/0']]],
    [['1.2.3.4/32', 'ignored'], ['none', ['Subnet: IPv4 1.2.3.4/32']]],
    [[], typeMsg('cidr', 'of type string', 'undefined')],
    [[null], typeMsg('cidr', 'of type string', 'null')],
    [[5], typeMsg('cidr', 'of type string', 'type number (5)')],
    [[['10.0.0.0/8']], typeMsg('cidr', 'of type string', 'an instance of Array')],
    [['10.0.0.0'], noPrefix('10.0.0.0')],
    [[''], noPrefix('')],
    [['10.0.0.0/'], badPrefix('10.0.0.0/')],
    [['10.0.0.0/x'], badPrefix('10.0.0.0/x')],
    [['10.0.0.0/08'], badPrefix('10.0.0.0/08')],
    [['10.0.0.0/8 '], badPrefix('10.0.0.0/8 ')],
    [['10.0.0.0/ 8'], badPrefix('10.0.0.0/ 8')],
    [['10.0.0.0/+8'], badPrefix('10.0.0.0/+8')],
    [['10.0.0.0/8.0'], badPrefix('10.0.0.0/8.0')],
    [['10.0.0.0/0x8'], badPrefix('10.0.0.0/0x8')],
    [['1.2.3.4/1e1'], badPrefix('1.2.3.4/1e1')],
    [['1.2.3.4/-0'], badPrefix('1.2.3.4/-0')],
    [['10.0.0.0/-1'], rangeMsg('>= 0 && <= 32', '-1')],
    [['10.0.0.0/33'], rangeMsg('>= 0 && <= 32', '33')],
    [['::/129'], rangeMsg('>= 0 && <= 128', '129')],
    [['10.0.0.0/2147483648'], rangeMsg('>= 0 && <= 32', '2147483648')],
    [['10.0.0.0/99999999999'], rangeMsg('>= 0 && <= 32', '99_999_999_999')],
    [['/8'], INVALID_ADDRESS],
    [['x/8'], INVALID_ADDRESS],
    [['1.2.3.4/32/32'], INVALID_ADDRESS],
    [['1.2.3.4:80/8'], INVALID_ADDRESS],
    [['a:b/8'], INVALID_ADDRESS],
    [['[::1]/128'], INVALID_ADDRESS],
    // The address is read before the prefix is range-checked.
    [['x/99'], INVALID_ADDRESS],
  ]);
  const long = `${'1'.repeat(200)}/x`;
  const err = assertCode(() => new net.BlockList().addCIDR(long), 'ERR_INVALID_ARG_VALUE', TypeError);
  assert.ok(err.message.endsWith(`Received '${'1'.repeat(127)}...`), err.message);
  assertCode(() => new net.BlockList().addCIDR('10.0.0.0/33'), 'ERR_OUT_OF_RANGE', RangeError);
  assertCode(() => new net.BlockList().addCIDR(5), 'ERR_INVALID_ARG_TYPE', TypeError);
}, NEW);

t('BlockList.addCIDR: the subnets match as addSubnet ones do', () => {
  const bl = new net.BlockList();
  bl.addCIDR('192.168.0.0/16');
  bl.addCIDR('::ffff:10.0.0.0/104');
  bl.addCIDR('2001:db8::/32');
  const rows = [['192.168.9.9', 'ipv4'], ['::ffff:192.168.9.9', 'ipv6'], ['10.1.1.1', 'ipv4'], ['::ffff:10.1.1.1', 'ipv6'],
    ['2001:db8:ffff::1', 'ipv6'], ['2001:db9::', 'ipv6'], ['192.169.0.0', 'ipv4']];
  assert.equal(rows.map(([a, f]) => bl.check(a, f)), [true, true, true, true, true, false, false]);
}, NEW);

t('BlockList.addCIDRs: an array of CIDR strings; bad text adds none, a refused subnet stops midway', () => {
  table('addCIDRs', [
    [[['1.0.0.0/8', '::/0', '::ffff:1.2.3.4/128']], ['none', ['Subnet: IPv6 ::ffff:1.2.3.4/128', 'Subnet: IPv6 ::/0', 'Subnet: IPv4 1.0.0.0/8']]],
    [[[]], ['none', []]],
    [[['1.0.0.0/8', '1.0.0.0/8']], ['none', ['Subnet: IPv4 1.0.0.0/8', 'Subnet: IPv4 1.0.0.0/8']]],
    [[], typeMsg('cidrs', 'an instance of Array', 'undefined')],
    [[null], typeMsg('cidrs', 'an instance of Array', 'null')],
    [['10.0.0.0/8'], typeMsg('cidrs', 'an instance of Array', "type string ('10.0.0.0/8')")],
    [[{ length: 1, 0: '1.0.0.0/8' }], typeMsg('cidrs', 'an instance of Array', 'an instance of Object')],
    [[new Set(['1.0.0.0/8'])], typeMsg('cidrs', 'an instance of Array', 'an instance of Set')],
    [[[1]], typeMsg('cidrs[0]', 'of type string', 'type number (1)')],
    [[['1.0.0.0/8', 2]], typeMsg('cidrs[1]', 'of type string', 'type number (2)')],
    [[['1.0.0.0/8', undefined]], typeMsg('cidrs[1]', 'of type string', 'undefined')],
    [[['1.0.0.0/8', 'x']], noPrefix('x')],
    [[['1.0.0.0/8', '2.0.0.0/8x']], badPrefix('2.0.0.0/8x')],
  ]);
  // Every string is read before any is added, but addSubnet's own refusals come as they are met.
  const bl = new net.BlockList();
  assertCode(() => bl.addCIDRs(['1.0.0.0/8', '2.0.0.0/99']), 'ERR_OUT_OF_RANGE', RangeError);
  assertCode(() => bl.addCIDRs(['3.0.0.0/8', 'zz/8']), 'ERR_INVALID_ADDRESS');
  assertCode(() => bl.addCIDRs(['4.0.0.0/8', '5.0.0.0']), 'ERR_INVALID_ARG_VALUE');
  assertCode(() => bl.addCIDRs(['6.0.0.0/8', 7]), 'ERR_INVALID_ARG_TYPE');
  assert.equal(bl.rules, ['Subnet: IPv4 3.0.0.0/8', 'Subnet: IPv4 1.0.0.0/8']);
}, NEW);

t('BlockList.addAddresses: many address rules; an invalid one adds none', () => {
  const ipv6 = v6('::1');
  table('addAddresses', [
    [[['5.5.5.5', '6.6.6.6']], ['none', ['Address: IPv4 6.6.6.6', 'Address: IPv4 5.5.5.5']]],
    [[['1.1.1.1', '2.2.2.2', '1.1.1.1']], ['none', ['Address: IPv4 2.2.2.2', 'Address: IPv4 1.1.1.1']]],
    [[['::1'], 'ipv6'], ['none', ['Address: IPv6 ::1']]],
    [[['::1'], 'IPV6'], ['none', ['Address: IPv6 ::1']]],
    [[[ipv6, '1.1.1.1', sa({ address: '1.1.1.1', port: 5 })]], ['none', ['Address: IPv4 1.1.1.1', 'Address: IPv6 ::1']]],
    // The family only has to be a string when every item is a SocketAddress.
    [[[ipv6], 'foo'], ['none', ['Address: IPv6 ::1']]],
    [[[], 'foo'], ['none', []]],
    [[[]], ['none', []]],
    [[], typeMsg('addresses', 'an instance of Array', 'undefined')],
    [[null], typeMsg('addresses', 'an instance of Array', 'null')],
    [['1.2.3.4'], typeMsg('addresses', 'an instance of Array', "type string ('1.2.3.4')")],
    [[{ 0: '1.2.3.4', length: 1 }], typeMsg('addresses', 'an instance of Array', 'an instance of Object')],
    [[['1.2.3.4'], 5], typeMsg('family', 'of type string', 'type number (5)')],
    [[[ipv6], 5], typeMsg('family', 'of type string', 'type number (5)')],
    [[[], 5], typeMsg('family', 'of type string', 'type number (5)')],
    [[[1]], typeMsg('addresses[0]', 'of type string', 'type number (1)')],
    [[['1.2.3.4', 5]], typeMsg('addresses[1]', 'of type string', 'type number (5)')],
    [[['1.2.3.4', null]], typeMsg('addresses[1]', 'of type string', 'null')],
    [[['1.2.3.4', 'x']], INVALID_ADDRESS],
    [[['1.2.3.4', '::1']], INVALID_ADDRESS],
    [[['1.2.3.4'], 'foo'], ['ERR_INVALID_ARG_VALUE', "The property 'options.family' is invalid. Received 'foo'"]],
  ]);
  const bl = new net.BlockList();
  bl.addAddress('1.1.1.1');
  bl.addAddress('3.3.3.3');
  assertCode(() => bl.addAddresses(['7.7.7.7', 'nope']), 'ERR_INVALID_ADDRESS');
  assertCode(() => bl.addAddresses(['7.7.7.7', 7]), 'ERR_INVALID_ARG_TYPE', TypeError);
  assert.equal(bl.rules, ['Address: IPv4 3.3.3.3', 'Address: IPv4 1.1.1.1']);
  assert.is(bl.addAddresses(['2.2.2.2', '1.1.1.1'], 'ipv4'), undefined);
  assert.equal(bl.rules, ['Address: IPv4 2.2.2.2', 'Address: IPv4 3.3.3.3', 'Address: IPv4 1.1.1.1']);
}, NEW);

t('BlockList.addAddresses: a repeat keeps its place and takes the latest spelling', () => {
  const bl = new net.BlockList();
  bl.addAddress('1.1.1.1');
  bl.addAddress('3.3.3.3');
  bl.addAddresses(['2.2.2.2', '1.1.1.1']);
  assert.equal(bl.rules, ['Address: IPv4 2.2.2.2', 'Address: IPv4 3.3.3.3', 'Address: IPv4 1.1.1.1']);
  bl.addAddresses(['::ffff:3.3.3.3'], 'ipv6');
  assert.equal(bl.rules, ['Address: IPv4 2.2.2.2', 'Address: IPv6 ::ffff:3.3.3.3', 'Address: IPv4 1.1.1.1']);
  assert.equal([bl.check('3.3.3.3'), bl.check('::ffff:2.2.2.2', 'ipv6'), bl.check('4.4.4.4')], [true, true, false]);
  assert.is(bl.size, 3);
}, NEW);

t('BlockList.removeAddress: the rule for that IP, whatever its spelling, port or zone', () => {
  const base = (bl) => {
    bl.addAddress('1.2.3.4');
    bl.addAddress('::1', 'ipv6');
    bl.addAddress('::ffff:5.6.7.8', 'ipv6');
    bl.addAddress('fe80::1%eth0', 'ipv6');
    bl.addSubnet('10.0.0.0', 8);
    bl.addRange('1.1.1.1', '1.1.1.9');
  };
  const rest = (...drop) => ['Address: IPv6 fe80::1', 'Address: IPv6 ::ffff:5.6.7.8', 'Address: IPv4 1.2.3.4', 'Address: IPv6 ::1',
    'Subnet: IPv4 10.0.0.0/8', 'Range: IPv4 1.1.1.1-1.1.1.9'].filter((r) => !drop.includes(r));
  table('removeAddress', [
    [['1.2.3.4'], ['none', rest('Address: IPv4 1.2.3.4')]],
    [['::ffff:1.2.3.4', 'ipv6'], ['none', rest('Address: IPv4 1.2.3.4')]],
    [[sa({ address: '1.2.3.4', port: 80 })], ['none', rest('Address: IPv4 1.2.3.4')]],
    [[v6('::ffff:1.2.3.4')], ['none', rest('Address: IPv4 1.2.3.4')]],
    [['5.6.7.8'], ['none', rest('Address: IPv6 ::ffff:5.6.7.8')]],
    [['0:0::1', 'ipv6'], ['none', rest('Address: IPv6 ::1')]],
    [['::1%lo', 'ipv6'], ['none', rest('Address: IPv6 ::1')]],
    [['fe80::1', 'ipv6'], ['none', rest('Address: IPv6 fe80::1')]],
    [['fe80::1%nosuch0', 'IPv6'], ['none', rest('Address: IPv6 fe80::1')]],
    // Only address rules: an address inside a subnet or a range stays blocked by it.
    [['10.0.0.1'], ['none', rest()]],
    [['1.1.1.1'], ['none', rest()]],
    [['9.9.9.9'], ['none', rest()]],
    [[sa({ address: '1.2.3.4' }), 5], ['none', rest('Address: IPv4 1.2.3.4')]],
    [[], typeMsg('address', 'of type string', 'undefined')],
    [[1], typeMsg('address', 'of type string', 'type number (1)')],
    [[null], typeMsg('address', 'of type string', 'null')],
    [['1.2.3.4', 5], typeMsg('family', 'of type string', 'type number (5)')],
    [['1.2.3.4', 'foo'], ['ERR_INVALID_ARG_VALUE', "The property 'options.family' is invalid. Received 'foo'"]],
    [['x'], INVALID_ADDRESS],
    [['::1'], INVALID_ADDRESS],
    [['1.2.3.4', 'ipv6'], INVALID_ADDRESS],
  ], base);
  const bl = new net.BlockList();
  base(bl);
  bl.removeAddress('1.2.3.4');
  bl.removeAddress('1.2.3.4');
  assert.equal([bl.check('1.2.3.4'), bl.check('::ffff:1.2.3.4', 'ipv6'), bl.check('10.0.0.1'), bl.check('::ffff:5.6.7.8', 'ipv6')], [false, false, true, true]);
  assert.is(bl.removeAddress('::ffff:5.6.7.8', 'ipv6'), undefined);
  assert.equal([bl.check('5.6.7.8'), bl.check('::ffff:5.6.7.8', 'ipv6')], [false, false]);
}, NEW);

t('BlockList.removeSubnet: the newest subnet with exactly that network and prefix', () => {
  const base = (bl) => {
    bl.addSubnet('10.0.0.0', 8);
    bl.addSubnet('2001:db8::', 32, 'ipv6');
    bl.addSubnet('10.0.0.0', 8);
    bl.addSubnet('192.168.1.7', 24);
    bl.addSubnet('::ffff:10.0.0.0', 104, 'ipv6');
    bl.addSubnet(sa({ address: '172.16.0.0', port: 80 }), 12);
    bl.addSubnet(v6('fc00::', { flowlabel: 7 }), 7);
  };
  const all = ['Subnet: IPv6 fc00::/7', 'Subnet: IPv4 172.16.0.0/12', 'Subnet: IPv6 ::ffff:10.0.0.0/104', 'Subnet: IPv4 192.168.1.7/24',
    'Subnet: IPv4 10.0.0.0/8', 'Subnet: IPv6 2001:db8::/32', 'Subnet: IPv4 10.0.0.0/8'];
  const without = (i) => all.filter((_, j) => j !== i);
  table('removeSubnet', [
    [['10.0.0.0', 8], ['none', without(4)]],
    [['192.168.1.7', 24], ['none', without(3)]],
    [['2001:db8:0::', 32, 'ipv6'], ['none', without(5)]],
    [['2001:DB8::', 32, 'IPv6'], ['none', without(5)]],
    [['::ffff:10.0.0.0', 104, 'ipv6'], ['none', without(2)]],
    [['10.0.0.0', -0], ['none', all]],
    [[sa({ address: '172.16.0.0', port: 80 }), 12], ['none', without(1)]],
    [[v6('fc00::', { flowlabel: 7 }), 7], ['none', without(0)]],
    // Nothing else: not the masked network, another prefix, the other family, port or flow label.
    [['10.0.0.1', 8], ['none', all]],
    [['10.0.0.0', 9], ['none', all]],
    [['10.0.0.0', 7], ['none', all]],
    [['192.168.1.0', 24], ['none', all]],
    [['2001:db8::1', 32, 'ipv6'], ['none', all]],
    [['::ffff:10.0.0.0', 8, 'ipv6'], ['none', all]],
    [['10.0.0.0', 32], ['none', all]],
    [['172.16.0.0', 12], ['none', all]],
    [['fc00::', 7, 'ipv6'], ['none', all]],
    [[], typeMsg('network', 'of type string', 'undefined')],
    [[1, 8], typeMsg('network', 'of type string', 'type number (1)')],
    [['1.2.3.4'], typeMsg('prefix', 'of type number', 'undefined')],
    [['1.2.3.4', '8'], typeMsg('prefix', 'of type number', "type string ('8')")],
    [['1.2.3.4', 8, 5], typeMsg('family', 'of type string', 'type number (5)')],
    [['1.2.3.4', 8.5], rangeMsg('an integer', '8.5')],
    [['1.2.3.4', NaN], rangeMsg('an integer', 'NaN')],
    [['1.2.3.4', 33], rangeMsg('>= 0 && <= 32', '33')],
    [['1.2.3.4', -1], rangeMsg('>= 0 && <= 32', '-1')],
    [['1.2.3.4', 2 ** 31], rangeMsg('>= 0 && <= 32', '2147483648')],
    [['::', 129, 'ipv6'], rangeMsg('>= 0 && <= 128', '129')],
    [['x', 99], INVALID_ADDRESS],
    [['::', 8], INVALID_ADDRESS],
  ], base);
  const two = new net.BlockList();
  two.addSubnet('1.0.0.0', 0);
  two.removeSubnet('1.0.0.0', -0);
  assert.equal(two.rules, []);
  assert.is(two.removeSubnet(v6('::'), 100), undefined);
}, NEW);

t('BlockList.removeSubnet / removeRange: an IPv6 zone counts as its interface index', () => {
  // Unknown interface names and numbers (on Linux and macOS) are index 0, as no zone is.
  const bl = new net.BlockList();
  bl.addSubnet('fe80::1%nosuch0', 64, 'ipv6');
  bl.addSubnet('fe80::2', 64, 'ipv6');
  bl.addRange('fe80::1%nosuch1', 'fe80::9', 'ipv6');
  bl.removeSubnet('fe80::1', 64, 'ipv6');
  bl.removeSubnet('fe80::2%0', 64, 'ipv6');
  bl.removeRange('fe80::1%', 'fe80::9%nosuch2', 'ipv6');
  assert.equal(bl.rules, []);
  if (process.platform === 'linux') {
    // lo is an interface (index 1): only lo's own zone matches it.
    const lo = new net.BlockList();
    lo.addSubnet('fe80::1%lo', 64, 'ipv6');
    lo.addRange('fe80::1', 'fe80::9%lo', 'ipv6');
    lo.removeSubnet('fe80::1', 64, 'ipv6');
    lo.removeSubnet('fe80::1%nosuch0', 64, 'ipv6');
    lo.removeRange('fe80::1', 'fe80::9', 'ipv6');
    assert.is(lo.size, 2);
    lo.removeSubnet('fe80::1%lo', 64, 'ipv6');
    lo.removeRange('fe80::1', 'fe80::9%lo', 'ipv6');
    assert.is(lo.size, 0);
  }
  // check() itself ignores zones.
  const c = new net.BlockList();
  c.addSubnet('fe80::1%nosuch0', 64, 'ipv6');
  assert.equal([c.check('fe80::5', 'ipv6'), c.check('fe80::5%lo', 'ipv6')], [true, true]);
}, NEW);

t('BlockList.removeCIDR: removeSubnet from CIDR text', () => {
  const base = (bl) => {
    bl.addCIDR('10.0.0.0/8');
    bl.addSubnet('2001:db8::', 32, 'ipv6');
    bl.addSubnet('192.168.1.7', 24);
  };
  const all = ['Subnet: IPv4 192.168.1.7/24', 'Subnet: IPv6 2001:db8::/32', 'Subnet: IPv4 10.0.0.0/8'];
  table('removeCIDR', [
    [['10.0.0.0/8'], ['none', [all[0], all[1]]]],
    [['2001:db8::/32'], ['none', [all[0], all[2]]]],
    [['192.168.1.7/24'], ['none', [all[1], all[2]]]],
    [['192.168.1.0/24'], ['none', all]],
    [['::ffff:10.0.0.0/104'], ['none', all]],
    [['9.9.9.0/24'], ['none', all]],
    [[], typeMsg('cidr', 'of type string', 'undefined')],
    [[5], typeMsg('cidr', 'of type string', 'type number (5)')],
    [['10.0.0.0'], noPrefix('10.0.0.0')],
    [['10.0.0.0/08'], badPrefix('10.0.0.0/08')],
    [['10.0.0.0/-0'], badPrefix('10.0.0.0/-0')],
    [['10.0.0.0/33'], rangeMsg('>= 0 && <= 32', '33')],
    [['::/129'], rangeMsg('>= 0 && <= 128', '129')],
    [['x/8'], INVALID_ADDRESS],
  ], base);
}, NEW);

t('BlockList.removeRange: the newest range with exactly those bounds; start after end is no error', () => {
  const base = (bl) => {
    bl.addRange('1.1.1.1', '1.1.1.9');
    bl.addRange('ff::', 'ff::1:0', 'ipv6');
    bl.addRange('1.1.1.1', '1.1.1.9');
    bl.addRange('::ffff:2.2.2.1', '::ffff:2.2.2.9', 'ipv6');
    bl.addRange(sa({ address: '3.3.3.1' }), v6('::ffff:3.3.3.9'));
    bl.addRange(sa({ address: '4.4.4.1', port: 8 }), '4.4.4.9');
  };
  const all = ['Range: IPv4 4.4.4.1-4.4.4.9', 'Range: IPv4 3.3.3.1-::ffff:3.3.3.9', 'Range: IPv6 ::ffff:2.2.2.1-::ffff:2.2.2.9',
    'Range: IPv4 1.1.1.1-1.1.1.9', 'Range: IPv6 ff::-ff::1:0', 'Range: IPv4 1.1.1.1-1.1.1.9'];
  const without = (i) => all.filter((_, j) => j !== i);
  table('removeRange', [
    [['1.1.1.1', '1.1.1.9'], ['none', without(3)]],
    [['ff::', 'ff:0::1:0', 'ipv6'], ['none', without(4)]],
    [['::ffff:2.2.2.1', '::ffff:2.2.2.9', 'ipv6'], ['none', without(2)]],
    [[sa({ address: '3.3.3.1' }), v6('::ffff:3.3.3.9')], ['none', without(1)]],
    [[sa({ address: '4.4.4.1', port: 8 }), '4.4.4.9'], ['none', without(0)]],
    // Bounds are compared whole: family, address and port, not what they match.
    [['1.1.1.1', '1.1.1.8'], ['none', all]],
    [['1.1.1.0', '1.1.1.10'], ['none', all]],
    [['::ffff:1.1.1.1', '::ffff:1.1.1.9', 'ipv6'], ['none', all]],
    [['2.2.2.1', '2.2.2.9'], ['none', all]],
    [['3.3.3.1', '3.3.3.9'], ['none', all]],
    [['::ffff:3.3.3.1', '::ffff:3.3.3.9', 'ipv6'], ['none', all]],
    [['4.4.4.1', '4.4.4.9'], ['none', all]],
    [['1.1.1.9', '1.1.1.1'], ['none', all]],
    [[sa({ address: '1.2.3.4' }), v6('::1')], ['none', all]],
    [[], typeMsg('start', 'of type string', 'undefined')],
    [[1, '1.2.3.4'], typeMsg('start', 'of type string', 'type number (1)')],
    [['1.2.3.4', 1], typeMsg('end', 'of type string', 'type number (1)')],
    [['1.2.3.4', '1.2.3.5', 5], typeMsg('family', 'of type string', 'type number (5)')],
    [[sa({ address: '1.2.3.4' }), '1.2.3.9', 5], typeMsg('family', 'of type string', 'type number (5)')],
    [['1.2.3.9', sa({ address: '1.2.3.4' }), 5], typeMsg('family', 'of type string', 'type number (5)')],
    [['x', '1.2.3.4'], INVALID_ADDRESS],
    [['1.2.3.4', 'x'], INVALID_ADDRESS],
    [['1.2.3.4', '::1'], INVALID_ADDRESS],
  ], base);
}, NEW);

t('BlockList.check after removals: the rules left decide, overlaps included', () => {
  const a = new net.BlockList();
  a.addSubnet('10.0.0.0', 8);
  a.addSubnet('10.1.0.0', 16);
  a.removeSubnet('10.0.0.0', 8);
  assert.equal([a.check('10.1.2.3'), a.check('10.2.0.0'), a.check('::ffff:10.1.0.1', 'ipv6')], [true, false, true]);
  const b = new net.BlockList();
  b.addSubnet('10.0.0.0', 8);
  b.addSubnet('::ffff:10.0.0.0', 104, 'ipv6');
  b.removeSubnet('10.0.0.0', 8);
  assert.equal([b.check('10.1.2.3'), b.check('::ffff:10.1.2.3', 'ipv6')], [true, true]);
  const c = new net.BlockList();
  c.addSubnet('::', 0, 'ipv6');
  c.addSubnet('10.0.0.0', 8);
  assert.is(c.check('::1', 'ipv6'), true);
  c.removeSubnet('::', 0, 'ipv6');
  assert.equal([c.check('10.1.2.3'), c.check('::ffff:10.1.2.3', 'ipv6'), c.check('::1', 'ipv6'), c.check('11.0.0.1')], [true, true, false, false]);
  const d = new net.BlockList();
  d.addRange('1.1.1.1', '1.1.1.9');
  d.addRange('1.1.1.5', '1.1.1.20');
  d.removeRange('1.1.1.1', '1.1.1.9');
  assert.equal(['1.1.1.1', '1.1.1.5', '1.1.1.20', '1.1.1.21'].map((x) => d.check(x)), [false, true, true, false]);
  const e = new net.BlockList();
  e.addSubnet('10.0.0.0', 8);
  e.addAddress('10.1.1.1');
  e.addAddress('::ffff:10.1.1.2', 'ipv6');
  e.removeSubnet('10.0.0.0', 8);
  e.removeAddress('10.1.1.2');
  assert.equal([e.check('10.1.1.1'), e.check('10.1.1.2'), e.check('10.1.1.3'), e.check('::ffff:10.1.1.1', 'ipv6')], [true, false, false, true]);
  const f = new net.BlockList();
  f.addRange('2001:db8::', '2001:db8::ff', 'ipv6');
  f.addRange(sa({ address: '9.0.0.1' }), v6('ffff::'));
  assert.equal([f.check('::ffff:9.0.0.5', 'ipv6'), f.check('2001:db8::7', 'ipv6')], [true, true]);
  f.removeRange(sa({ address: '9.0.0.1' }), v6('ffff::'));
  assert.equal([f.check('::ffff:9.0.0.5', 'ipv6'), f.check('2001:db8::7', 'ipv6'), f.check('9.0.0.5')], [false, true, false]);
  f.removeRange('2001:db8::', '2001:db8::ff', 'ipv6');
  assert.is(f.check('2001:db8::7', 'ipv6'), false);
  assert.is(f.size, 0);
}, NEW);

t('BlockList.rules: address rules in the order of Node\'s address table, across removals and re-adds', () => {
  const bl = new net.BlockList();
  for (let i = 0; i < 24; i++) bl.addAddress(`192.0.2.${i * 10}`);
  bl.addAddress('2001:db8::1', 'ipv6');
  bl.addAddress('2001:db8::2', 'ipv6');
  bl.addAddress('::ffff:192.0.2.5', 'ipv6');
  for (const i of [3, 7, 11, 19, 0]) bl.removeAddress(`192.0.2.${i * 10}`);
  bl.removeAddress('2001:db8::1', 'ipv6');
  bl.addAddress('192.0.2.70');
  bl.addAddress('::ffff:192.0.2.110', 'ipv6');
  bl.addAddress('192.0.2.230');
  bl.addSubnet('198.51.100.0', 24);
  bl.addRange('203.0.113.1', '203.0.113.9');
  const last = (r) => r.replace(/^Address: IPv4 192\.0\.2\./, '').replace(/^Address: IPv6 /, '');
  assert.equal(bl.rules.map(last), [
    '::ffff:192.0.2.110', '70', '2001:db8::2', '220', '210', '200', '230', '180', '160', '150', '140', '80', '90', '60', '20', '170',
    '120', '10', '::ffff:192.0.2.5', '40', '50', '100', '130', 'Subnet: IPv4 198.51.100.0/24', 'Range: IPv4 203.0.113.1-203.0.113.9',
  ]);
  assert.is(bl.size, 25);
  const seq = (ops) => {
    const b = new net.BlockList();
    for (const op of ops) if (op[0] === '-') b.removeAddress(`1.1.1.${op.slice(1)}`); else b.addAddress(`1.1.1.${op}`);
    return b.rules.map((r) => r.slice(20));
  };
  assert.equal(seq(['0', '1', '2', '3']), ['3', '2', '1', '0']);
  assert.equal(seq(['0', '1', '2', '3', '4', '5', '6']), ['6', '0', '5', '1', '4', '2', '3']);
  assert.equal(seq(['0', '1', '2', '3', '-1', '4', '1', '-3', '3']), ['3', '1', '4', '2', '0']);
  const batch = new net.BlockList();
  batch.addAddresses(['1.1.1.0', '1.1.1.1', '1.1.1.2', '1.1.1.3', '1.1.1.4', '1.1.1.5', '1.1.1.6']);
  assert.equal(batch.rules.map((r) => r.slice(20)), ['6', '0', '5', '1', '4', '2', '3']);
  // clear() empties the table but keeps its size, which changes where new rules land.
  const cleared = new net.BlockList();
  for (let i = 0; i < 40; i++) cleared.addAddress(`198.51.100.${i}`);
  cleared.clear();
  for (let i = 0; i < 7; i++) cleared.addAddress(`1.1.1.${i}`);
  assert.equal(cleared.rules.map((r) => r.slice(20)), ['6', '5', '4', '3', '2', '1', '0']);
}, NEW);

t('BlockList: removals show in toJSON, inspect and a fromJSON copy', () => {
  const bl = new net.BlockList();
  bl.addAddress('1.2.3.4');
  bl.addAddress('5.6.7.8');
  bl.addSubnet('10.0.0.0', 8);
  bl.addRange('1.1.1.1', '1.1.1.9');
  bl.removeAddress('1.2.3.4');
  bl.removeRange('1.1.1.1', '1.1.1.9');
  assert.equal(bl.toJSON(), ['Address: IPv4 5.6.7.8', 'Subnet: IPv4 10.0.0.0/8']);
  assert.is(JSON.stringify(bl), '["Address: IPv4 5.6.7.8","Subnet: IPv4 10.0.0.0/8"]');
  assert.is(inspect(bl), "BlockList { rules: [ 'Address: IPv4 5.6.7.8', 'Subnet: IPv4 10.0.0.0/8' ] }");
  const copy = new net.BlockList();
  copy.fromJSON(JSON.stringify(bl));
  assert.equal(copy.rules, bl.rules);
  assert.is(copy.size, 2);
  copy.removeCIDR('10.0.0.0/8');
  assert.equal([copy.check('10.1.1.1'), bl.check('10.1.1.1')], [false, true]);
}, NEW);

t('BlockList.fromJSON: IPv4-mapped IPv6 rules are read whole', () => {
  const rows = [
    [['Address: IPv6 ::ffff:1.2.3.4'], ['Address: IPv6 ::ffff:1.2.3.4']],
    [['Subnet: IPv6 ::ffff:1.2.3.0/120'], ['Subnet: IPv6 ::ffff:1.2.3.0/120']],
    [['Range: IPv6 ::ffff:1.2.3.4-::ffff:1.2.3.9'], ['Range: IPv6 ::ffff:1.2.3.4-::ffff:1.2.3.9']],
    [['Address: IPv6 2001:db8:85a3::192.0.2.128'], ['Address: IPv6 2001:db8:85a3::c000:280']],
    [['Address: IPv6 ::ffff:1.2.3.4.5'], { error: 'ERR_INVALID_ADDRESS' }],
    [['Address: IPv6 1.2.3.4'], { error: 'ERR_INVALID_ADDRESS' }],
    [['Subnet: IPv6 ::ffff:1.2.3.0/1200'], ['Subnet: IPv6 ::ffff:1.2.3.0/120']],
    [['Address: IPv6 ::1 ::ffff:1.2.3.4'], ['Address: IPv6 ::1']],
  ];
  const wrong = [];
  for (const [data, want] of rows) {
    const bl = new net.BlockList();
    let got;
    try { bl.fromJSON(data); got = bl.rules; } catch (err) { got = { error: err.code ?? err.name }; }
    try { assert.equal(got, want); } catch { wrong.push(`${inspect(data)}: got ${inspect(got)}, expected ${inspect(want)}`); }
  }
  assert.equal(wrong, []);
  const bl = new net.BlockList();
  bl.addAddress('::ffff:1.2.3.4', 'ipv6');
  bl.addSubnet('::ffff:10.0.0.0', 104, 'ipv6');
  bl.addRange('::ffff:1.1.1.1', '::ffff:1.1.1.9', 'ipv6');
  const copy = new net.BlockList();
  copy.fromJSON(bl.toJSON());
  assert.equal(copy.rules, bl.rules);
  const probes = [['1.2.3.4', 'ipv4'], ['10.9.9.9', 'ipv4'], ['::ffff:1.1.1.5', 'ipv6'], ['1.1.1.5', 'ipv4'], ['::ffff:10.0.0.1', 'ipv6']];
  assert.equal(probes.map(([a, f]) => copy.check(a, f)), probes.map(([a, f]) => bl.check(a, f)));
  assert.equal(probes.map(([a, f]) => copy.check(a, f)), [true, true, true, true, true]);
}, MAPPED_JSON);

t.run();
