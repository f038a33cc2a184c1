// net.SocketAddress: construction, validation, normalisation, inspection and SocketAddress.parse.
// Expected values are literals taken from Node's own node:net (Node 20; the `since` tables from
// Node 24) and reviewed by hand.
import * as assert from 'uvu/assert';
import { inspect } from 'node:util';
import { net, env } from './net.mjs';
import { suite, assertCode } from './lib.mjs';

const t = suite('addresses-socketaddress');

const CLASS = { ERR_INVALID_ADDRESS: Error, ERR_INVALID_ARG_VALUE: TypeError, ERR_INVALID_ARG_TYPE: TypeError, ERR_SOCKET_BAD_PORT: RangeError, ERR_OUT_OF_RANGE: RangeError };

/** The JSON form of what fn returns, or { error: code } after checking the error's class. */
function outcome(fn) {
  try {
    const r = fn();
    if (r === undefined) return undefined;
    assert.ok(net.SocketAddress.isSocketAddress(r), 'not a SocketAddress');
    return r.toJSON();
  } catch (err) {
    if (!err || !err.code) throw err;
    if (CLASS[err.code] && !(err instanceof CLASS[err.code])) return { error: err.code, class: err.constructor.name };
    return { error: err.code };
  }
}

/** Compare every row; fail with the list of rows that differ. */
function checkRows(rows, run) {
  const wrong = [];
  for (const [input, want] of rows) {
    const got = run(input);
    try { assert.equal(got, want); } catch { wrong.push(`${inspect(input)}: got ${inspect(got)}, expected ${inspect(want)}`); }
  }
  assert.ok(rows.length > 0);
  if (wrong.length) assert.unreachable(`${wrong.length} of ${rows.length} rows differ:\n${wrong.join('\n')}`);
}

function atLeast(have, want) {
  const a = String(have).split('.').map(Number);
  const b = want.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] > b[i];
  return true;
}

/** Older Node aborts the whole process (a failed C++ CHECK) on some inputs: fail instead. */
function abortsBefore(version) {
  if (env.impl === 'builtin' && env.runtime === 'node' && !atLeast(env.version, version)) {
    throw new Error(`node:net ${env.version} aborts the process on this input (handled since ${version})`);
  }
}

const IPV4_FAMILY = [
  ["1.2.3.4", "1.2.3.4"], ["0.0.0.0", "0.0.0.0"],
  ["255.255.255.255", "255.255.255.255"], ["127.0.0.1", "127.0.0.1"],
  ["10.20.30.40", "10.20.30.40"], ["01.2.3.4", { error: "ERR_INVALID_ADDRESS" }],
  ["1.2.3", { error: "ERR_INVALID_ADDRESS" }], ["1.2.3.4.5", { error: "ERR_INVALID_ADDRESS" }],
  ["256.1.1.1", { error: "ERR_INVALID_ADDRESS" }], ["1.2.3.4.", { error: "ERR_INVALID_ADDRESS" }],
  [" 1.2.3.4", { error: "ERR_INVALID_ADDRESS" }], ["1.2.3.4 ", { error: "ERR_INVALID_ADDRESS" }],
  ["0x1.2.3.4", { error: "ERR_INVALID_ADDRESS" }], ["127.1", { error: "ERR_INVALID_ADDRESS" }],
  ["2130706433", { error: "ERR_INVALID_ADDRESS" }], ["::1", { error: "ERR_INVALID_ADDRESS" }],
  ["::ffff:1.2.3.4", { error: "ERR_INVALID_ADDRESS" }], ["1.2.3.4/32", { error: "ERR_INVALID_ADDRESS" }],
  ["1.2.3.4:80", { error: "ERR_INVALID_ADDRESS" }], ["localhost", { error: "ERR_INVALID_ADDRESS" }],
  ["", { error: "ERR_INVALID_ADDRESS" }], ["1.2.3.4%eth0", { error: "ERR_INVALID_ADDRESS" }],
  ["１.２.３.４", { error: "ERR_INVALID_ADDRESS" }], ["1.2.3.4\u0000", "1.2.3.4"],
  ["1.2.3.4\u0000garbage", "1.2.3.4"], ["\u00001.2.3.4", { error: "ERR_INVALID_ADDRESS" }],
];

const IPV6_FAMILY = [
  ["::", "::"], ["::1", "::1"],
  ["::0.0.0.1", "::1"], ["0:0:0:0:0:0:0:1", "::1"],
  ["0000:0000:0000:0000:0000:0000:0000:0001", "::1"], ["FE80:0:0:0:0:0:0:1", "fe80::1"],
  ["1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"], ["1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"],
  ["::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"], ["1::8", "1::8"],
  ["1:0:0:2:0:0:0:3", "1:0:0:2::3"], ["1:0:0:2:0:0:3:4", "1::2:0:0:3:4"],
  ["0:0:1:0:0:1:0:0", "::1:0:0:1:0:0"], ["1:0:1:0:1:0:1:0", "1:0:1:0:1:0:1:0"],
  ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"], ["2001:0:0:1:0:0:0:1", "2001:0:0:1::1"],
  ["2001:DB8::FF00:42:8329", "2001:db8::ff00:42:8329"], ["ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"],
  ["::ffff:1.2.3.4", "::ffff:1.2.3.4"], ["::FFFF:1.2.3.4", "::ffff:1.2.3.4"],
  ["0:0:0:0:0:ffff:102:304", "::ffff:1.2.3.4"], ["::ffff:0:0", "::ffff:0.0.0.0"],
  ["::ffff:0.0.0.0", "::ffff:0.0.0.0"], ["::ffff:255.255.255.255", "::ffff:255.255.255.255"],
  ["::1.2.3.4", "::1.2.3.4"], ["::0.1.2.3", "::0.1.2.3"],
  ["::0:1.2.3.4", "::1.2.3.4"], ["::ffff:0:1.2.3.4", "::ffff:0:102:304"],
  ["::fffe:1.2.3.4", "::fffe:102:304"], ["64:ff9b::1.2.3.4", "64:ff9b::102:304"],
  ["1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"], ["::1:0:0", "::1:0:0"],
  ["1::", "1::"], ["fe80::", "fe80::"],
  ["fe80::1%eth0", "fe80::1"], ["fe80::1%lo", "fe80::1"],
  ["fe80::1%1", "fe80::1"], ["fe80::1%", "fe80::1"],
  ["fe80::1%not a zone%at all", "fe80::1"], ["::1\u0000zz", "::1"],
  ["1.2.3.4", { error: "ERR_INVALID_ADDRESS" }], ["00000::1", { error: "ERR_INVALID_ADDRESS" }],
  [":::", { error: "ERR_INVALID_ADDRESS" }], ["1::2::3", { error: "ERR_INVALID_ADDRESS" }],
  ["::1:2:3:4:5:6:7:8", { error: "ERR_INVALID_ADDRESS" }], ["[::1]", { error: "ERR_INVALID_ADDRESS" }],
  ["::1/128", { error: "ERR_INVALID_ADDRESS" }], ["", { error: "ERR_INVALID_ADDRESS" }],
  ["localhost", { error: "ERR_INVALID_ADDRESS" }], ["::ffff:01.2.3.4", { error: "ERR_INVALID_ADDRESS" }],
  [" ::1", { error: "ERR_INVALID_ADDRESS" }],
];

const OPTIONS = [
  [{  }, { address: "127.0.0.1", port: 0, family: "ipv4", flowlabel: 0 }],
  [{ family: "ipv4" }, { address: "127.0.0.1", port: 0, family: "ipv4", flowlabel: 0 }],
  [{ family: "ipv6" }, { address: "::", port: 0, family: "ipv6", flowlabel: 0 }],
  [{ family: "IPv4" }, { error: "ERR_INVALID_ADDRESS" }],
  [{ family: "IPV6" }, { address: "::", port: 0, family: "ipv6", flowlabel: 0 }],
  [{ family: "iPv6", address: "::1" }, { address: "::1", port: 0, family: "ipv6", flowlabel: 0 }],
  [{ family: "IPv6", address: undefined }, { address: "::", port: 0, family: "ipv6", flowlabel: 0 }],
  [{ family: "IPv4", address: undefined }, { error: "ERR_INVALID_ADDRESS" }],
  [{ family: "Ipv4", address: "1.2.3.4" }, { address: "1.2.3.4", port: 0, family: "ipv4", flowlabel: 0 }],
  [{ address: "10.0.0.1", port: 8080 }, { address: "10.0.0.1", port: 8080, family: "ipv4", flowlabel: 0 }],
  [{ address: "::1", family: "ipv6", port: 443, flowlabel: 7 }, { address: "::1", port: 443, family: "ipv6", flowlabel: 7 }],
  [{ address: "::1", family: "ipv6", port: 65535, flowlabel: 1048575 }, { address: "::1", port: 65535, family: "ipv6", flowlabel: 1048575 }],
  [{ address: "1.2.3.4", port: 5, flowlabel: 99 }, { address: "1.2.3.4", port: 5, family: "ipv4", flowlabel: 0 }],
  [{ address: "1.2.3.4", family: undefined, port: undefined, flowlabel: undefined }, { address: "1.2.3.4", port: 0, family: "ipv4", flowlabel: 0 }],
  [{ family: "ipv5" }, { error: "ERR_INVALID_ARG_VALUE" }],
  [{ family: "v4" }, { error: "ERR_INVALID_ARG_VALUE" }],
  [{ family: "" }, { error: "ERR_INVALID_ARG_VALUE" }],
  [{ family: 4 }, { error: "ERR_INVALID_ARG_VALUE" }],
  [{ family: 6 }, { error: "ERR_INVALID_ARG_VALUE" }],
  [{ family: null }, { error: "ERR_INVALID_ARG_VALUE" }],
  [{ family: ["ipv4"] }, { error: "ERR_INVALID_ARG_VALUE" }],
  [{ family: "ipv4 " }, { error: "ERR_INVALID_ARG_VALUE" }],
  [{ address: 1 }, { error: "ERR_INVALID_ARG_TYPE" }],
  [{ address: null }, { error: "ERR_INVALID_ARG_TYPE" }],
  [{ address: ["1.2.3.4"] }, { error: "ERR_INVALID_ARG_TYPE" }],
  [{ address: "1.2.3.4", family: "ipv6" }, { error: "ERR_INVALID_ADDRESS" }],
  [{ address: "::1", family: "ipv4" }, { error: "ERR_INVALID_ADDRESS" }],
  [{ address: "::1" }, { error: "ERR_INVALID_ADDRESS" }],
  [{ port: 0 }, { address: "127.0.0.1", port: 0, family: "ipv4", flowlabel: 0 }],
  [{ port: 1 }, { address: "127.0.0.1", port: 1, family: "ipv4", flowlabel: 0 }],
  [{ port: 65535 }, { address: "127.0.0.1", port: 65535, family: "ipv4", flowlabel: 0 }],
  [{ port: 65536 }, { error: "ERR_SOCKET_BAD_PORT" }],
  [{ port: -1 }, { error: "ERR_SOCKET_BAD_PORT" }],
  [{ port: 1.5 }, { error: "ERR_SOCKET_BAD_PORT" }],
  [{ port: NaN }, { error: "ERR_SOCKET_BAD_PORT" }],
  [{ port: Infinity }, { error: "ERR_SOCKET_BAD_PORT" }],
  [{ port: null }, { error: "ERR_SOCKET_BAD_PORT" }],
  [{ port: true }, { error: "ERR_SOCKET_BAD_PORT" }],
  [{ port: "" }, { error: "ERR_SOCKET_BAD_PORT" }],
  [{ port: "  " }, { error: "ERR_SOCKET_BAD_PORT" }],
  [{ port: 4294967296 }, { error: "ERR_SOCKET_BAD_PORT" }],
  [{ flowlabel: -1 }, { error: "ERR_OUT_OF_RANGE" }],
  [{ flowlabel: 1.5 }, { error: "ERR_OUT_OF_RANGE" }],
  [{ flowlabel: "1" }, { error: "ERR_INVALID_ARG_TYPE" }],
  [{ flowlabel: null }, { error: "ERR_INVALID_ARG_TYPE" }],
  [{ flowlabel: 4294967296 }, { error: "ERR_OUT_OF_RANGE" }],
  [{ flowlabel: NaN }, { error: "ERR_OUT_OF_RANGE" }],
  [{ family: "ipv6", flowlabel: 0 }, { address: "::", port: 0, family: "ipv6", flowlabel: 0 }],
  [{ family: "ipv6", flowlabel: 12345 }, { address: "::", port: 0, family: "ipv6", flowlabel: 12345 }],
  [{ family: "ipv4", flowlabel: 12345 }, { address: "127.0.0.1", port: 0, family: "ipv4", flowlabel: 0 }],
];

const STRING_PORTS = [
  [{ port: -0 }, { address: "127.0.0.1", port: 0, family: "ipv4", flowlabel: 0 }],
  [{ port: "80" }, { address: "127.0.0.1", port: 80, family: "ipv4", flowlabel: 0 }],
  [{ port: "0" }, { address: "127.0.0.1", port: 0, family: "ipv4", flowlabel: 0 }],
  [{ port: "65535" }, { address: "127.0.0.1", port: 65535, family: "ipv4", flowlabel: 0 }],
  [{ port: "65536" }, { error: "ERR_SOCKET_BAD_PORT" }],
  [{ port: " 80 " }, { address: "127.0.0.1", port: 80, family: "ipv4", flowlabel: 0 }],
  [{ port: "0x50" }, { address: "127.0.0.1", port: 80, family: "ipv4", flowlabel: 0 }],
  [{ port: "0o17" }, { address: "127.0.0.1", port: 15, family: "ipv4", flowlabel: 0 }],
  [{ port: "1e3" }, { address: "127.0.0.1", port: 1000, family: "ipv4", flowlabel: 0 }],
  [{ port: "-0" }, { address: "127.0.0.1", port: 0, family: "ipv4", flowlabel: 0 }],
  [{ port: "80.0" }, { address: "127.0.0.1", port: 80, family: "ipv4", flowlabel: 0 }],
  [{ port: "80.5" }, { error: "ERR_SOCKET_BAD_PORT" }],
  [{ port: "-1" }, { error: "ERR_SOCKET_BAD_PORT" }],
  [{ port: "eighty" }, { error: "ERR_SOCKET_BAD_PORT" }],
  [{ port: "8 0" }, { error: "ERR_SOCKET_BAD_PORT" }],
];

const PARSE = [
  ["1.2.3.4:81", { address: "1.2.3.4", port: 81, family: "ipv4", flowlabel: 0 }],
  ["1.2.3.4:443", { address: "1.2.3.4", port: 443, family: "ipv4", flowlabel: 0 }],
  ["1.2.3.4", { address: "1.2.3.4", port: 0, family: "ipv4", flowlabel: 0 }],
  ["1.2.3.4:", { address: "1.2.3.4", port: 0, family: "ipv4", flowlabel: 0 }],
  ["1.2.3.4:0", { address: "1.2.3.4", port: 0, family: "ipv4", flowlabel: 0 }],
  ["1.2.3.4:65535", { address: "1.2.3.4", port: 65535, family: "ipv4", flowlabel: 0 }],
  ["255.255.255.255:1", { address: "255.255.255.255", port: 1, family: "ipv4", flowlabel: 0 }],
  ["0.0.0.0:0", { address: "0.0.0.0", port: 0, family: "ipv4", flowlabel: 0 }],
  ["1.2.3.4:80", { address: "1.2.3.4", port: 0, family: "ipv4", flowlabel: 0 }],
  ["1.2.3.4:0080", { address: "1.2.3.4", port: 0, family: "ipv4", flowlabel: 0 }],
  ["1.2.3.4:65536", undefined],
  ["1.2.3.4:-1", undefined],
  ["1.2.3.4:+5", undefined],
  ["1.2.3.4:8a", undefined],
  ["1.2.3.4:5:6", undefined],
  ["[::1]:443", { address: "::1", port: 443, family: "ipv6", flowlabel: 0 }],
  ["[::1]", { address: "::1", port: 0, family: "ipv6", flowlabel: 0 }],
  ["[::1]:80", { address: "::1", port: 0, family: "ipv6", flowlabel: 0 }],
  ["[::1]:0", { address: "::1", port: 0, family: "ipv6", flowlabel: 0 }],
  ["[::]:5", { address: "::", port: 5, family: "ipv6", flowlabel: 0 }],
  ["[::ffff:1.2.3.4]:5", { address: "::ffff:1.2.3.4", port: 5, family: "ipv6", flowlabel: 0 }],
  ["[::FFFF:0102:0304]:5", { address: "::ffff:1.2.3.4", port: 5, family: "ipv6", flowlabel: 0 }],
  ["[0:0::1]:7", { address: "::1", port: 7, family: "ipv6", flowlabel: 0 }],
  ["[1:2:3:4:5:6:7:8]:9", { address: "1:2:3:4:5:6:7:8", port: 9, family: "ipv6", flowlabel: 0 }],
  ["[::1.2.3.4]:9", { address: "::1.2.3.4", port: 9, family: "ipv6", flowlabel: 0 }],
  ["[fe80::1%eth0]:5", undefined],
  ["[fe80::1%25eth0]:5", undefined],
  ["[]:5", undefined],
  ["[::1]x:5", undefined],
  ["[::1]:5:6", undefined],
  ["::1", undefined],
  ["::1:80", undefined],
  ["127.1:5", { address: "127.0.0.1", port: 5, family: "ipv4", flowlabel: 0 }],
  ["0x7f.1:5", { address: "127.0.0.1", port: 5, family: "ipv4", flowlabel: 0 }],
  ["0:5", { address: "0.0.0.0", port: 5, family: "ipv4", flowlabel: 0 }],
  ["4294967295:9", { address: "255.255.255.255", port: 9, family: "ipv4", flowlabel: 0 }],
  ["4294967296:9", undefined],
  ["01.2.3.4:5", { address: "1.2.3.4", port: 5, family: "ipv4", flowlabel: 0 }],
  ["1.2.3.4.:5", { address: "1.2.3.4", port: 5, family: "ipv4", flowlabel: 0 }],
  ["1.2.3.256:5", undefined],
  ["%31.2.3.4:5", { address: "1.2.3.4", port: 5, family: "ipv4", flowlabel: 0 }],
  ["１.２.３.４:5", { address: "1.2.3.4", port: 5, family: "ipv4", flowlabel: 0 }],
  ["user@1.2.3.4:5", { address: "1.2.3.4", port: 5, family: "ipv4", flowlabel: 0 }],
  ["user:pw@1.2.3.4:5", { address: "1.2.3.4", port: 5, family: "ipv4", flowlabel: 0 }],
  ["1.2.3.4:81/path", { address: "1.2.3.4", port: 81, family: "ipv4", flowlabel: 0 }],
  ["1.2.3.4:81?x=1", { address: "1.2.3.4", port: 81, family: "ipv4", flowlabel: 0 }],
  ["1.2.3.4:81#frag", { address: "1.2.3.4", port: 81, family: "ipv4", flowlabel: 0 }],
  ["1.2.3.4\\x:5", { address: "1.2.3.4", port: 0, family: "ipv4", flowlabel: 0 }],
  ["\t1.2.3.4:5", { address: "1.2.3.4", port: 5, family: "ipv4", flowlabel: 0 }],
  ["  1.2.3.4:5  ", undefined],
  ["1.2.3.4 :5", undefined],
  ["localhost:80", undefined],
  ["example.com:8080", undefined],
  ["HTTP://1.2.3.4:5", undefined],
  ["", undefined],
  [":80", undefined],
  ["[::1", undefined],
];

t('SocketAddress: IPv4 addresses (family ipv4) and what is not one', () => {
  checkRows(IPV4_FAMILY, (address) => {
    const r = outcome(() => new net.SocketAddress({ address }));
    return r && r.error ? r : r.address;
  });
});

t('SocketAddress: IPv6 addresses are normalised like inet_ntop, zone ids dropped', () => {
  checkRows(IPV6_FAMILY, (address) => {
    const r = outcome(() => new net.SocketAddress({ address, family: 'ipv6' }));
    return r && r.error ? r : r.address;
  });
});

t('SocketAddress: options family, address, port and flowlabel', () => {
  checkRows(OPTIONS, (options) => outcome(() => new net.SocketAddress(options)));
});

t('SocketAddress: port strings and -0 are accepted and stored as numbers', () => {
  abortsBefore('23.4.0');
  checkRows(STRING_PORTS, (options) => outcome(() => new net.SocketAddress(options)));
}, { since: '23.4.0' });

t('SocketAddress: no options gives 127.0.0.1:0 over IPv4', () => {
  for (const sa of [new net.SocketAddress(), new net.SocketAddress(undefined), new net.SocketAddress({})]) {
    assert.equal(sa.toJSON(), { address: '127.0.0.1', port: 0, family: 'ipv4', flowlabel: 0 });
  }
  assert.equal(new net.SocketAddress({ family: 'ipv6' }).toJSON(), { address: '::', port: 0, family: 'ipv6', flowlabel: 0 });
});

t('SocketAddress: options must be an object', () => {
  for (const bad of [null, 1, 'ipv4', true, [], ['1.2.3.4'], 10n]) {
    assertCode(() => new net.SocketAddress(bad), 'ERR_INVALID_ARG_TYPE', TypeError);
  }
  const err = assertCode(() => new net.SocketAddress(null), 'ERR_INVALID_ARG_TYPE', TypeError);
  assert.is(err.message, 'The "options" argument must be of type object. Received null');
  assert.is(assertCode(() => new net.SocketAddress(1), 'ERR_INVALID_ARG_TYPE').message,
    'The "options" argument must be of type object. Received type number (1)');
  assert.is(assertCode(() => new net.SocketAddress([]), 'ERR_INVALID_ARG_TYPE').message,
    'The "options" argument must be of type object. Received an instance of Array');
});

t('SocketAddress: error messages', () => {
  assert.is(assertCode(() => new net.SocketAddress({ family: 'ipv5' }), 'ERR_INVALID_ARG_VALUE', TypeError).message,
    "The property 'options.family' is invalid. Received 'ipv5'");
  assert.is(assertCode(() => new net.SocketAddress({ family: 6 }), 'ERR_INVALID_ARG_VALUE', TypeError).message,
    "The property 'options.family' is invalid. Received 6");
  assert.is(assertCode(() => new net.SocketAddress({ address: 1 }), 'ERR_INVALID_ARG_TYPE', TypeError).message,
    'The "options.address" property must be of type string. Received type number (1)');
  assert.is(assertCode(() => new net.SocketAddress({ address: 'x' }), 'ERR_INVALID_ADDRESS', Error).message,
    'Invalid socket address');
  assert.is(assertCode(() => new net.SocketAddress({ port: 65536 }), 'ERR_SOCKET_BAD_PORT', RangeError).message,
    'options.port should be >= 0 and < 65536. Received type number (65536).');
  assert.is(assertCode(() => new net.SocketAddress({ port: null }), 'ERR_SOCKET_BAD_PORT', RangeError).message,
    'options.port should be >= 0 and < 65536. Received null.');
  assert.is(assertCode(() => new net.SocketAddress({ flowlabel: -1 }), 'ERR_OUT_OF_RANGE', RangeError).message,
    'The value of "options.flowlabel" is out of range. It must be >= 0 && <= 4294967295. Received -1');
  assert.is(assertCode(() => new net.SocketAddress({ flowlabel: 1.5 }), 'ERR_OUT_OF_RANGE', RangeError).message,
    'The value of "options.flowlabel" is out of range. It must be an integer. Received 1.5');
  assert.is(assertCode(() => new net.SocketAddress({ flowlabel: '1' }), 'ERR_INVALID_ARG_TYPE', TypeError).message,
    `The "options.flowlabel" property must be of type number. Received type string ('1')`);
});

t('SocketAddress: validation order is family, address, port, flowlabel', () => {
  assertCode(() => new net.SocketAddress({ family: 'x', address: 1, port: -1, flowlabel: -1 }), 'ERR_INVALID_ARG_VALUE');
  assertCode(() => new net.SocketAddress({ address: 1, port: -1, flowlabel: -1 }), 'ERR_INVALID_ARG_TYPE');
  assertCode(() => new net.SocketAddress({ address: 'bad', port: -1, flowlabel: -1 }), 'ERR_SOCKET_BAD_PORT');
  assertCode(() => new net.SocketAddress({ address: 'bad', flowlabel: -1 }), 'ERR_OUT_OF_RANGE');
  assertCode(() => new net.SocketAddress({ address: 'bad' }), 'ERR_INVALID_ADDRESS');
});

t('SocketAddress: family is lower-cased only when it has toLowerCase()', () => {
  assert.is(new net.SocketAddress({ family: new String('IPV6') }).family, 'ipv6');
  assert.is(new net.SocketAddress({ family: { toLowerCase: () => 'ipv6' }, address: '::1' }).address, '::1');
  const err = assertCode(() => new net.SocketAddress({ family: { toLowerCase: () => 'IPv6' } }), 'ERR_INVALID_ARG_VALUE');
  assert.match(err.message, /^The property 'options\.family' is invalid\. Received /);
  // The default address is chosen before lower-casing: 'IPv4' gets '::', which is no IPv4 address.
  assertCode(() => new net.SocketAddress({ family: 'IPv4' }), 'ERR_INVALID_ADDRESS');
  assert.is(new net.SocketAddress({ family: 'IPv6' }).address, '::');
});

t('SocketAddress: options are read through the prototype chain', () => {
  const opts = Object.create({ address: '10.1.2.3', port: 99 });
  assert.equal(new net.SocketAddress(opts).toJSON(), { address: '10.1.2.3', port: 99, family: 'ipv4', flowlabel: 0 });
});

t('SocketAddress: getters and toJSON', () => {
  const sa = new net.SocketAddress({ address: '2001:DB8::1', family: 'IPv6', port: 443, flowlabel: 5 });
  assert.is(sa.address, '2001:db8::1');
  assert.is(sa.port, 443);
  assert.is(sa.family, 'ipv6');
  assert.is(sa.flowlabel, 5);
  const json = sa.toJSON();
  assert.equal(Object.keys(json), ['address', 'port', 'family', 'flowlabel']);
  assert.is(JSON.stringify(sa), '{"address":"2001:db8::1","port":443,"family":"ipv6","flowlabel":5}');
  assert.ok(sa instanceof net.SocketAddress);
  assert.equal(Object.keys(sa), []);
  for (const name of ['address', 'port', 'family', 'flowlabel']) {
    const d = Object.getOwnPropertyDescriptor(net.SocketAddress.prototype, name);
    assert.type(d.get, 'function', name);
    assert.is(d.set, undefined, name);
  }
  assert.type(net.SocketAddress.prototype.toJSON, 'function');
});

t('SocketAddress: the constructor needs new', () => {
  assert.throws(() => net.SocketAddress(), (err) => err instanceof TypeError);
  assert.is(net.SocketAddress.name, 'SocketAddress');
});

t('SocketAddress.isSocketAddress', () => {
  assert.is(net.SocketAddress.isSocketAddress(new net.SocketAddress()), true);
  for (const v of [undefined, null, 0, '1.2.3.4', {}, { address: '1.2.3.4', port: 0, family: 'ipv4', flowlabel: 0 }, new net.SocketAddress().toJSON(), [], net.SocketAddress]) {
    assert.is(net.SocketAddress.isSocketAddress(v), false, inspect(v));
  }
});

t('SocketAddress: util.inspect output', () => {
  const sa = new net.SocketAddress({ address: '::1', family: 'ipv6', port: 5, flowlabel: 3 });
  assert.is(inspect(sa), "SocketAddress { address: '::1', port: 5, family: 'ipv6', flowlabel: 3 }");
  assert.is(inspect(new net.SocketAddress()), "SocketAddress { address: '127.0.0.1', port: 0, family: 'ipv4', flowlabel: 0 }");
  assert.is(inspect({ a: { b: sa } }, { depth: 1 }), '{ a: { b: [SocketAddress] } }');
  assert.is(inspect([sa], { depth: 0 }), '[ [SocketAddress] ]');
  assert.is(inspect(sa, { depth: -1 }), '[SocketAddress]');
  assert.is(inspect(new net.SocketAddress({ port: 7 }), { colors: true }),
    "SocketAddress { address: \x1b[32m'127.0.0.1'\x1b[39m, port: \x1b[33m7\x1b[39m, family: \x1b[32m'ipv4'\x1b[39m, flowlabel: \x1b[33m0\x1b[39m }");
});

t('SocketAddress.parse: ip:port and [ipv6]:port through the WHATWG URL parser', () => {
  checkRows(PARSE, (input) => outcome(() => net.SocketAddress.parse(input)));
}, { since: '23.4.0' });

t('SocketAddress.parse: returns SocketAddress instances', () => {
  const sa = net.SocketAddress.parse('[2001:db8::5]:8443');
  assert.ok(sa instanceof net.SocketAddress);
  assert.is(sa.family, 'ipv6');
  assert.is(sa.port, 8443);
  assert.is(net.SocketAddress.parse('10.0.0.1:1').address, '10.0.0.1');
}, { since: '23.4.0' });

t('SocketAddress.parse: input must be a string', () => {
  for (const bad of [undefined, null, 1, {}, ['1.2.3.4:5'], new String('1.2.3.4:5')]) {
    assertCode(() => net.SocketAddress.parse(bad), 'ERR_INVALID_ARG_TYPE', TypeError);
  }
  assert.is(assertCode(() => net.SocketAddress.parse(1), 'ERR_INVALID_ARG_TYPE').message,
    'The "input" argument must be of type string. Received type number (1)');
}, { since: '23.4.0' });

t.run();
