// Argument validation of net.connect / net.createConnection / new net.Socket and the socket
// methods: a bad argument throws synchronously with Node's error class and code (and, for the
// common ones, Node's exact message).
import * as assert from 'uvu/assert';
import { net } from './net.mjs';
import { suite } from './lib.mjs';

const t = suite('socket-validation');

/**
 * Call `fn` (which may create a socket) and return what it threw. If it did not throw, any socket
 * it returned is silenced and destroyed so a stray connection error cannot leak into other tests.
 */
function thrown(fn) {
  let ret;
  try {
    ret = fn();
  } catch (err) {
    return err;
  }
  if (ret && typeof ret.destroy === 'function') {
    ret.on('error', () => {});
    ret.destroy();
  }
  throw new Error('expected a synchronous throw, nothing was thrown');
}

function expectThrow(fn, Class, code, message) {
  const err = thrown(fn);
  assert.ok(err instanceof Class, `expected ${Class.name}, got ${err && err.constructor && err.constructor.name}: ${err && err.message}`);
  assert.is(err.code, code, `code of: ${err.message}`);
  if (message !== undefined) assert.is(err.message, message);
  return err;
}

const LOCAL = { host: '127.0.0.1', port: 9 };

t('net.connect: no arguments or an empty options object throw ERR_MISSING_ARGS', () => {
  const msg = 'The "options" or "port" or "path" argument must be specified';
  expectThrow(() => net.connect(), TypeError, 'ERR_MISSING_ARGS', msg);
  expectThrow(() => net.connect({}), TypeError, 'ERR_MISSING_ARGS', msg);
  expectThrow(() => net.createConnection({ host: '127.0.0.1' }), TypeError, 'ERR_MISSING_ARGS', msg);
});

t('net.connect: ports outside 0..65535 or not integers throw ERR_SOCKET_BAD_PORT (RangeError)', () => {
  expectThrow(() => net.connect(-1), RangeError, 'ERR_SOCKET_BAD_PORT', 'Port should be >= 0 and < 65536. Received type number (-1).');
  expectThrow(() => net.connect({ port: 65536 }), RangeError, 'ERR_SOCKET_BAD_PORT', 'Port should be >= 0 and < 65536. Received type number (65536).');
  expectThrow(() => net.connect({ port: 1.5 }), RangeError, 'ERR_SOCKET_BAD_PORT');
  expectThrow(() => net.connect({ port: NaN }), RangeError, 'ERR_SOCKET_BAD_PORT');
  expectThrow(() => net.connect({ port: 'abc' }), RangeError, 'ERR_SOCKET_BAD_PORT', "Port should be >= 0 and < 65536. Received type string ('abc').");
  expectThrow(() => net.connect({ port: '' }), RangeError, 'ERR_SOCKET_BAD_PORT');
});

t('net.connect: a port that is neither number nor string throws ERR_INVALID_ARG_TYPE', () => {
  expectThrow(() => net.connect({ port: true }), TypeError, 'ERR_INVALID_ARG_TYPE',
    'The "options.port" property must be one of type number or string. Received type boolean (true)');
  expectThrow(() => net.connect({ port: null }), TypeError, 'ERR_INVALID_ARG_TYPE',
    'The "options.port" property must be one of type number or string. Received null');
  expectThrow(() => net.connect({ port: {} }), TypeError, 'ERR_INVALID_ARG_TYPE');
});

t('socket.connect: validates like net.connect (bad port on a new Socket)', () => {
  const s = new net.Socket();
  expectThrow(() => s.connect({ port: 70000 }), RangeError, 'ERR_SOCKET_BAD_PORT');
  expectThrow(() => s.connect({ port: false }), TypeError, 'ERR_INVALID_ARG_TYPE');
  expectThrow(() => s.connect(), TypeError, 'ERR_MISSING_ARGS');
  s.destroy();
});

t('net.connect: a host that is not a string throws ERR_INVALID_ARG_TYPE', () => {
  expectThrow(() => net.connect({ port: 9, host: 5 }), TypeError, 'ERR_INVALID_ARG_TYPE');
  expectThrow(() => net.connect({ port: 9, host: {} }), TypeError, 'ERR_INVALID_ARG_TYPE');
});

t('net.connect: family other than 0, 4, 6 throws ERR_INVALID_ARG_VALUE', () => {
  expectThrow(() => net.connect({ port: 9, family: 5 }), TypeError, 'ERR_INVALID_ARG_VALUE',
    "The property 'options.family' must be one of: 0, 4, 6. Received 5");
  expectThrow(() => net.connect({ port: 9, family: 'x' }), TypeError, 'ERR_INVALID_ARG_VALUE');
});

t('net.connect: a lookup that is not a function throws ERR_INVALID_ARG_TYPE', () => {
  expectThrow(() => net.connect({ port: 9, lookup: 1 }), TypeError, 'ERR_INVALID_ARG_TYPE',
    'The "options.lookup" property must be of type function. Received type number (1)');
});

t('net.connect: an invalid localAddress throws ERR_INVALID_IP_ADDRESS', () => {
  expectThrow(() => net.connect({ ...LOCAL, localAddress: 'not-an-ip' }), TypeError, 'ERR_INVALID_IP_ADDRESS', 'Invalid IP address: not-an-ip');
  expectThrow(() => net.connect({ ...LOCAL, localAddress: 1 }), TypeError, 'ERR_INVALID_IP_ADDRESS');
});

t('net.connect: a localPort that is not a number throws ERR_INVALID_ARG_TYPE', () => {
  expectThrow(() => net.connect({ ...LOCAL, localPort: 'x' }), TypeError, 'ERR_INVALID_ARG_TYPE',
    'The "options.localPort" property must be of type number. Received type string (\'x\')');
});

t('net.connect: hints must be a number of valid dns flags', () => {
  expectThrow(() => net.connect({ port: 9, hints: 'x' }), TypeError, 'ERR_INVALID_ARG_TYPE');
  expectThrow(() => net.connect({ port: 9, hints: 12345678 }), TypeError, 'ERR_INVALID_ARG_VALUE');
});

t('net.createConnection: an invalid timeout throws (ERR_INVALID_ARG_TYPE, ERR_OUT_OF_RANGE)', () => {
  expectThrow(() => net.createConnection({ ...LOCAL, timeout: 'x' }), TypeError, 'ERR_INVALID_ARG_TYPE');
  expectThrow(() => net.createConnection({ ...LOCAL, timeout: -1 }), RangeError, 'ERR_OUT_OF_RANGE');
});

t('net.connect: autoSelectFamily must be a boolean', () => {
  expectThrow(() => net.connect({ port: 9, autoSelectFamily: 1 }), TypeError, 'ERR_INVALID_ARG_TYPE',
    'The "options.autoSelectFamily" property must be of type boolean. Received type number (1)');
});

t('net.connect: autoSelectFamilyAttemptTimeout must be a number >= 1', () => {
  expectThrow(() => net.connect({ port: 9, autoSelectFamilyAttemptTimeout: 'x' }), TypeError, 'ERR_INVALID_ARG_TYPE');
  expectThrow(() => net.connect({ port: 9, autoSelectFamilyAttemptTimeout: 0 }), RangeError, 'ERR_OUT_OF_RANGE');
});

t('net.connect: keepAliveInitialDelay must be a number', () => {
  expectThrow(() => net.connect({ ...LOCAL, keepAliveInitialDelay: 'x' }), TypeError, 'ERR_INVALID_ARG_TYPE');
});

t('net.connect: an IPC path that is not a string throws ERR_INVALID_ARG_TYPE', () => {
  expectThrow(() => net.connect({ path: 1 }), TypeError, 'ERR_INVALID_ARG_TYPE',
    'The "options.path" property must be of type string. Received type number (1)');
});

t('net.connect: a blockList that is not a net.BlockList throws ERR_INVALID_ARG_TYPE', () => {
  expectThrow(() => net.connect({ ...LOCAL, blockList: {} }), TypeError, 'ERR_INVALID_ARG_TYPE');
}, { since: '23.4.0' });

t('new net.Socket: a signal that is not an AbortSignal throws ERR_INVALID_ARG_TYPE', () => {
  expectThrow(() => new net.Socket({ signal: 1 }), TypeError, 'ERR_INVALID_ARG_TYPE');
  expectThrow(() => new net.Socket({ signal: {} }), TypeError, 'ERR_INVALID_ARG_TYPE');
});

t('new net.Socket: a non-number fd throws ERR_INVALID_ARG_TYPE, a non-integer ERR_OUT_OF_RANGE', () => {
  expectThrow(() => new net.Socket({ fd: 'x' }), TypeError, 'ERR_INVALID_ARG_TYPE');
  expectThrow(() => new net.Socket(1.5), RangeError, 'ERR_OUT_OF_RANGE');
});

t('socket.setTimeout: a non-number throws ERR_INVALID_ARG_TYPE, negative/non-finite ERR_OUT_OF_RANGE', () => {
  const s = new net.Socket();
  expectThrow(() => s.setTimeout('x'), TypeError, 'ERR_INVALID_ARG_TYPE',
    'The "msecs" argument must be of type number. Received type string (\'x\')');
  expectThrow(() => s.setTimeout(-1), RangeError, 'ERR_OUT_OF_RANGE',
    'The value of "msecs" is out of range. It must be a non-negative finite number. Received -1');
  expectThrow(() => s.setTimeout(Infinity), RangeError, 'ERR_OUT_OF_RANGE');
  expectThrow(() => s.setTimeout(NaN), RangeError, 'ERR_OUT_OF_RANGE');
  s.destroy();
});

t('socket.setTimeout: a callback that is not a function throws ERR_INVALID_ARG_TYPE', () => {
  const s = new net.Socket();
  expectThrow(() => s.setTimeout(10, 1), TypeError, 'ERR_INVALID_ARG_TYPE',
    'The "callback" argument must be of type function. Received type number (1)');
  s.destroy();
});

t('socket.write: data that is not a string, Buffer or Uint8Array throws ERR_INVALID_ARG_TYPE', () => {
  const s = new net.Socket();
  s.on('error', () => {});
  expectThrow(() => s.write(1), TypeError, 'ERR_INVALID_ARG_TYPE',
    'The "chunk" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received type number (1)');
  expectThrow(() => s.write({}), TypeError, 'ERR_INVALID_ARG_TYPE');
  expectThrow(() => s.write(null), TypeError, 'ERR_STREAM_NULL_VALUES');
  s.destroy();
});

t('socket.write: an unknown encoding throws ERR_UNKNOWN_ENCODING', () => {
  const s = new net.Socket();
  s.on('error', () => {});
  expectThrow(() => s.write('x', 'no-such-encoding'), TypeError, 'ERR_UNKNOWN_ENCODING', 'Unknown encoding: no-such-encoding');
  s.destroy();
});

t('socket.setEncoding: an unknown encoding throws ERR_UNKNOWN_ENCODING', () => {
  const s = new net.Socket();
  expectThrow(() => s.setEncoding('no-such-encoding'), TypeError, 'ERR_UNKNOWN_ENCODING');
  s.destroy();
});

t('net.connect: ERR_INVALID_ARG_TYPE names the received value as Node does', () => {
  const nameless = (() => () => {})();
  expectThrow(() => net.connect({ path: nameless }), TypeError, 'ERR_INVALID_ARG_TYPE',
    'The "options.path" property must be of type string. Received function ');
  expectThrow(() => net.connect({ path: function named() {} }), TypeError, 'ERR_INVALID_ARG_TYPE',
    'The "options.path" property must be of type string. Received function named');
  expectThrow(() => net.connect({ path: Object.create(null) }), TypeError, 'ERR_INVALID_ARG_TYPE',
    'The "options.path" property must be of type string. Received [Object: null prototype] {}');
  expectThrow(() => net.connect({ path: new Map() }), TypeError, 'ERR_INVALID_ARG_TYPE',
    'The "options.path" property must be of type string. Received an instance of Map');
});

t.run();
