// isIP / isIPv4 / isIPv6: what Node's net accepts as an IP literal. Expected values are literals
// taken from Node's own node:net (identical on Node 20 and 24) and reviewed by hand.
import * as assert from 'uvu/assert';
import { net } from './net.mjs';
import { suite } from './lib.mjs';

const t = suite('addresses-ip');

/** Check every row with all three functions; fail with the full list of mismatches. */
function checkRows(rows) {
  const wrong = [];
  for (const [input, family] of rows) {
    const got = [net.isIP(input), net.isIPv4(input), net.isIPv6(input)];
    const want = [family, family === 4, family === 6];
    if (got.some((g, i) => g !== want[i])) wrong.push(`${JSON.stringify(input)}: isIP/isIPv4/isIPv6 = ${got.join('/')}, expected ${want.join('/')}`);
  }
  assert.ok(rows.length > 0);
  if (wrong.length) assert.unreachable(`${wrong.length} of ${rows.length} rows differ:\n${wrong.join('\n')}`);
}

const IPV4_VALID = [
  ["0.0.0.0", 4], ["1.2.3.4", 4], ["127.0.0.1", 4],
  ["10.0.0.255", 4], ["192.168.1.1", 4], ["172.16.254.3", 4],
  ["255.255.255.255", 4], ["9.99.199.249", 4], ["250.251.252.253", 4],
  ["100.200.10.20", 4], ["1.0.0.0", 4], ["0.0.0.1", 4],
  ["8.8.8.8", 4], ["224.0.0.251", 4], ["169.254.0.1", 4],
  ["100.64.0.0", 4],
];

const IPV4_BAD_OCTETS = [
  ["256.1.1.1", 0], ["1.256.1.1", 0], ["1.1.256.1", 0],
  ["1.1.1.256", 0], ["300.1.1.1", 0], ["999.1.1.1", 0],
  ["1000.1.1.1", 0], ["260.0.0.0", 0], ["01.2.3.4", 0],
  ["1.02.3.4", 0], ["1.2.003.4", 0], ["1.2.3.04", 0],
  ["00.0.0.0", 0], ["0.0.0.00", 0], ["000.0.0.0", 0],
  ["-1.2.3.4", 0], ["1.2.3.-4", 0], ["+1.2.3.4", 0],
  ["1.2.3.4e0", 0], ["1.2.3.0x4", 0],
];

const IPV4_BAD_SHAPE = [
  ["1.2.3", 0], ["1.2", 0], ["1", 0],
  ["1.2.3.4.5", 0], ["1.2.3.4.", 0], [".1.2.3.4", 0],
  ["1..2.3.4", 0], ["1.2.3..4", 0], ["....", 0],
  ["1.2.3.", 0], ["", 0], [".", 0],
  ["1,2,3,4", 0], ["1 2 3 4", 0], ["1.2.3.4.0", 0],
  ["1.2.3.4/32", 0], ["1.2.3.4:80", 0], ["1.2.3.4%eth0", 0],
];

const IPV4_OTHER_FORMS = [
  ["127.1", 0], ["127.0.1", 0], ["0x7f.0.0.1", 0],
  ["0x7f000001", 0], ["2130706433", 0], ["017700000001", 0],
  ["0177.0.0.1", 0], ["0", 0], ["4294967295", 0],
  ["1.2.3.a", 0], ["a.b.c.d", 0], ["1.2.3.4a", 0],
  ["１.２.３.４", 0], ["١.٢.٣.٤", 0], ["1.2.3.4\u0000", 0],
];

const IPV6_FULL = [
  ["1:2:3:4:5:6:7:8", 6], ["2001:0db8:0000:0000:0000:ff00:0042:8329", 6], ["2001:db8:0:0:0:ff00:42:8329", 6],
  ["ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 6], ["FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF", 6], ["fe80:0:0:0:0:0:0:1", 6],
  ["0:0:0:0:0:0:0:0", 6], ["0:0:0:0:0:0:0:1", 6], ["0000:0000:0000:0000:0000:0000:0000:0000", 6],
  ["abcd:ef01:2345:6789:ABCD:EF01:2345:6789", 6], ["aBcD:eF01:2:3:4:5:6:7", 6],
];

const IPV6_COMPRESSED = [
  ["::", 6], ["::1", 6], ["1::", 6],
  ["1::8", 6], ["1:2::8", 6], ["1:2:3::8", 6],
  ["1:2:3:4::8", 6], ["1:2:3:4:5::8", 6], ["1:2:3:4:5:6::8", 6],
  ["1::3:4:5:6:7:8", 6], ["1::4:5:6:7:8", 6], ["::2:3:4:5:6:7:8", 6],
  ["1:2:3:4:5:6:7::", 6], ["1:2:3:4:5:6::", 6], ["fe80::", 6],
  ["fe80::1", 6], ["fe80::1:2", 6], ["2001:db8::ff00:42:8329", 6],
  ["2001:db8:85a3::8a2e:370:7334", 6], ["ff02::1", 6], ["ff02::2", 6],
  ["::ffff", 6], ["::ffff:0", 6], ["0::0", 6],
  ["0000::0000", 6], ["::0:0:0", 6], ["abcd::ef", 6],
];

const IPV6_BAD_COMPRESSION = [
  [":::", 0], ["::::", 0], ["1:::2", 0],
  ["1::2::3", 0], ["::1::", 0], ["1:2:3:4:5:6:7:8::", 0],
  ["::1:2:3:4:5:6:7:8", 0], ["1:2:3:4::5:6:7:8", 0], [":1:2:3:4:5:6:7", 0],
  ["1:2:3:4:5:6:7:", 0], [":1::", 0], ["::1:", 0],
  [":", 0], ["1:", 0], [":1", 0],
  ["1:2:3:4:5:6:7", 0], ["1:2:3:4:5:6:7:8:9", 0], ["1:2:3:4:5:6:7:8:", 0],
  [":1:2:3:4:5:6:7:8", 0],
];

const IPV6_BAD_GROUPS = [
  ["12345::", 0], ["::12345", 0], ["1:2:3:4:5:6:7:12345", 0],
  ["00000::1", 0], ["1:2:3:4:5:6:7:0000x", 0], ["g::", 0],
  ["::g", 0], ["1:2:3:4:5:6:7:g", 0], ["fe80::1::", 0],
  ["1.2::", 0], ["fe80:::1", 0], ["1 :2:3:4:5:6:7:8", 0],
  ["-1::", 0], ["0x1::", 0], ["1:2:3:4:5:6:7:-8", 0],
];

const IPV6_EMBEDDED_V4 = [
  ["::ffff:1.2.3.4", 6], ["::FFFF:1.2.3.4", 6], ["::ffff:0.0.0.0", 6],
  ["::ffff:255.255.255.255", 6], ["::1.2.3.4", 6], ["::0.0.0.0", 6],
  ["0:0:0:0:0:ffff:1.2.3.4", 6], ["0:0:0:0:0:0:1.2.3.4", 6], ["1:2:3:4:5:6:1.2.3.4", 6],
  ["1::1.2.3.4", 6], ["1::5:6:1.2.3.4", 6], ["1:2::6:1.2.3.4", 6],
  ["1:2:3:4::1.2.3.4", 6], ["1:2:3:4:5::1.2.3.4", 6], ["64:ff9b::192.0.2.33", 6],
  ["::ffff:0:1.2.3.4", 6], ["2001:db8:122:344::192.0.2.33", 6], ["fe80::1:10.0.0.1", 6],
];

const IPV6_BAD_EMBEDDED_V4 = [
  ["::ffff:1.2.3", 0], ["::ffff:1.2.3.4.5", 0], ["::ffff:256.1.1.1", 0],
  ["::ffff:01.2.3.4", 0], ["::1.2.3.4:5", 0], ["1.2.3.4::", 0],
  ["1.2.3.4::1", 0], ["::1.2.3.4:ffff", 0], ["1:2:3:4:5:6:7:1.2.3.4", 0],
  ["1:2:3:4:5:6::1.2.3.4", 0], ["1:2:3:4:5:6:7::1.2.3.4", 0], ["::ffff:1.2.3.", 0],
  ["::ffff:.1.2.3", 0], ["::ffff:1..2.3", 0], ["::ffff:a.b.c.d", 0],
  ["::1.2.3.4.", 0], ["::ffff:1.2.3.4/96", 0],
];

const IPV6_ZONES = [
  ["fe80::1%eth0", 6], ["fe80::1%lo", 6], ["fe80::1%1", 6],
  ["fe80::1%25", 6], ["fe80::1%eth0.100", 6], ["fe80::1%en-0", 6],
  ["fe80::1%a:b", 6], ["fe80::1%ETH0", 6], ["::1%0", 6],
  ["::%x", 6], ["1:2:3:4:5:6:7:8%z", 6], ["::ffff:1.2.3.4%eth0", 6],
  ["fe80::1%a.b-c:d", 6],
];

const IPV6_BAD_ZONES = [
  ["fe80::1%", 0], ["fe80::1%%", 0], ["fe80::1%eth0%", 0],
  ["fe80::1%eth 0", 0], ["fe80::1%eth_0", 0], ["fe80::1%eth0/64", 0],
  ["fe80::1%é", 0], ["fe80::1%[", 0], ["fe80::1%eth0\n", 0],
  ["%eth0", 0], ["1.2.3.4%eth0", 0], ["fe80::1%/", 0],
  ["fe80::1%+", 0], ["::1%,", 0], ["fe80::g%eth0", 0],
];

const WRAPPED = [
  ["[::1]", 0], ["[::1]:80", 0], ["[1.2.3.4]", 0],
  ["::1/128", 0], ["2001:db8::/32", 0], ["1.2.3.4/24", 0],
  ["127.0.0.1/8", 0], ["::1:80", 6], ["1.2.3.4:0", 0],
  ["[fe80::1%eth0]", 0], ["http://1.2.3.4", 0], ["::1#x", 0],
  ["<::1>", 0], ["\"1.2.3.4\"", 0], ["'::1'", 0],
];

const WHITESPACE = [
  [" 1.2.3.4", 0], ["1.2.3.4 ", 0], ["\t1.2.3.4", 0],
  ["1.2.3.4\n", 0], ["1.2.3.4\r\n", 0], [" ::1", 0],
  ["::1 ", 0], ["::1\n", 0], ["\n::1", 0],
  [":: 1", 0], ["1.2. 3.4", 0], ["\u00a01.2.3.4", 0],
  ["1.2.3.4\u2028", 0], ["\ufeff::1", 0], ["::1\u0000", 0],
  ["\u0000::1", 0],
];

const HOSTNAMES = [
  ["localhost", 0], ["example.com", 0], ["a", 0],
  ["abc", 0], ["ab:cd", 0], ["fe80", 0],
  ["dead:beef", 0], ["cafe::babe", 6], ["ff::ff", 6],
  ["1e100.net", 0], ["xn--nxasmq6b", 0], ["LOCALHOST", 0],
  ["null", 0], ["undefined", 0], ["true", 0],
  ["NaN", 0], ["Infinity", 0], ["0.0", 0],
  ["[object Object]", 0], ["1.2.3.4.in-addr.arpa", 0],
];

const HEX_CASE = [
  ["ABCD::", 6], ["abcd::", 6], ["AbCd::eF", 6],
  ["::FFFF:ABCD", 6], ["DEAD:BEEF::CAFE", 6], ["dEaD:bEeF::cAfE", 6],
  ["FE80::1%ETH0", 6], ["::fFfF:1.2.3.4", 6],
];


t('isIP: IPv4 dotted decimal', () => checkRows(IPV4_VALID));
t('isIP: IPv4 octets above 255 or with leading zeros are rejected', () => checkRows(IPV4_BAD_OCTETS));
t('isIP: IPv4 needs exactly four non-empty parts', () => checkRows(IPV4_BAD_SHAPE));
t('isIP: IPv4 shorthand, hex, octal, integer and non-ASCII digits are rejected', () => checkRows(IPV4_OTHER_FORMS));
t('isIP: IPv6 full form', () => checkRows(IPV6_FULL));
t('isIP: IPv6 compressed forms', () => checkRows(IPV6_COMPRESSED));
t('isIP: IPv6 with a misplaced or repeated :: or a wrong group count is rejected', () => checkRows(IPV6_BAD_COMPRESSION));
t('isIP: IPv6 groups must be 1-4 hex digits', () => checkRows(IPV6_BAD_GROUPS));
t('isIP: IPv6 with an embedded IPv4 tail', () => checkRows(IPV6_EMBEDDED_V4));
t('isIP: IPv6 with a malformed or misplaced IPv4 part is rejected', () => checkRows(IPV6_BAD_EMBEDDED_V4));
t('isIP: IPv6 zone ids', () => checkRows(IPV6_ZONES));
t('isIP: empty zone ids or zone ids with other characters are rejected', () => checkRows(IPV6_BAD_ZONES));
t('isIP: brackets, prefixes, ports and URLs are rejected', () => checkRows(WRAPPED));
t('isIP: surrounding or inner whitespace and NUL are rejected', () => checkRows(WHITESPACE));
t('isIP: host names and other words are not addresses (hex-only words can be IPv6)', () => checkRows(HOSTNAMES));
t('isIP: hex digits in either case', () => checkRows(HEX_CASE));

t('isIP: non-strings are converted with String() like Node\'s regex test', () => {
  const rows = [
    [undefined, 0], [null, 0], [true, 0], [0, 0], [1, 0], [0x01020304, 0], [1.2, 0], [NaN, 0], [10n, 0], [{}, 0], [[], 0],
    [['1.2.3.4'], 4], [[['::1']], 6], [['1', '2', '3', '4'], 0], [new String('1.2.3.4'), 4], [new String('fe80::1%lo'), 6],
    [{ toString() { return '10.0.0.1'; } }, 4], [{ toString() { return '::ffff:1.2.3.4'; } }, 6],
    [{ valueOf() { return '1.2.3.4'; } }, 0], [() => {}, 0], [Object.create(null, { toString: { value: () => '::' } }), 6],
  ];
  const wrong = [];
  for (const [input, family] of rows) {
    const got = [net.isIP(input), net.isIPv4(input), net.isIPv6(input)];
    if (got[0] !== family || got[1] !== (family === 4) || got[2] !== (family === 6)) wrong.push(`${String(input)}: ${got.join('/')}`);
  }
  assert.equal(wrong, []);
});

t('isIP: a Symbol or a throwing toString() throws, as in Node', () => {
  for (const fn of [net.isIP, net.isIPv4, net.isIPv6]) {
    assert.throws(() => fn(Symbol('x')), (err) => err instanceof TypeError);
    assert.throws(() => fn({ toString() { throw new RangeError('boom'); } }), (err) => err instanceof RangeError && err.message === 'boom');
  }
});

t('isIP: return types', () => {
  for (const input of ['1.2.3.4', '::1', 'x']) {
    assert.type(net.isIP(input), 'number');
    assert.type(net.isIPv4(input), 'boolean');
    assert.type(net.isIPv6(input), 'boolean');
  }
  assert.is(net.isIP(), 0);
  assert.is(net.isIPv4(), false);
  assert.is(net.isIPv6(), false);
});

t('isIP: long and pathological strings stay linear and are rejected', () => {
  const rows = [
    ['1.'.repeat(10000) + '1', 0], [':'.repeat(10000), 0], ['1:'.repeat(5000) + ':', 0], ['a'.repeat(100000), 0],
    ['::' + '1'.repeat(50000), 0], ['fe80::1%' + 'a'.repeat(100000), 6], ['0'.repeat(1000) + '.0.0.0', 0],
  ];
  const started = Date.now();
  checkRows(rows);
  assert.ok(Date.now() - started < 2000, 'took too long');
});

t.run();
