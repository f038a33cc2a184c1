// Argument validation of createServer(), server.listen() and server.getConnections(): the error
// class, code and message Node throws synchronously, against Node's node:net.
import * as assert from 'uvu/assert';
import { net } from './net.mjs';
import { suite, listen, assertCode } from './lib.mjs';
import { scope } from './support.mjs';

const t = suite('server-validation');

const badPort = (received) => `options.port should be >= 0 and < 65536. Received ${received}.`;

/** server.listen(...args) must throw synchronously; returns the error. */
function listenThrows(args, code, Class) {
  const server = net.createServer();
  server.on('error', () => {});
  const err = assertCode(() => server.listen(...args), code, Class);
  assert.is(server.listening, false);
  return err;
}

t('server.listen: a negative port throws ERR_SOCKET_BAD_PORT (RangeError)', () => {
  const err = listenThrows([-1], 'ERR_SOCKET_BAD_PORT', RangeError);
  assert.is(err.message, badPort('type number (-1)'));
});

t('server.listen: port 65536 throws ERR_SOCKET_BAD_PORT', () => {
  const err = listenThrows([65536, '127.0.0.1'], 'ERR_SOCKET_BAD_PORT', RangeError);
  assert.is(err.message, badPort('type number (65536)'));
});

t('server.listen: NaN and fractional ports throw ERR_SOCKET_BAD_PORT', () => {
  assert.is(listenThrows([NaN], 'ERR_SOCKET_BAD_PORT', RangeError).message, badPort('type number (NaN)'));
  assert.is(listenThrows([1.5], 'ERR_SOCKET_BAD_PORT', RangeError).message, badPort('type number (1.5)'));
});

t('server.listen: an out-of-range numeric string port throws ERR_SOCKET_BAD_PORT', () => {
  const err = listenThrows(['99999'], 'ERR_SOCKET_BAD_PORT', RangeError);
  assert.is(err.message, badPort('type string (\'99999\')'));
});

t('server.listen: options.port out of range throws ERR_SOCKET_BAD_PORT', () => {
  const err = listenThrows([{ port: 65536, host: '127.0.0.1' }], 'ERR_SOCKET_BAD_PORT', RangeError);
  assert.is(err.message, badPort('type number (65536)'));
});

t('server.listen: options without port or path throw ERR_INVALID_ARG_VALUE (TypeError)', () => {
  const err = listenThrows([{}], 'ERR_INVALID_ARG_VALUE', TypeError);
  assert.is(err.message, 'The argument \'options\' must have the property "port" or "path". Received {}');
  const withHost = listenThrows([{ host: '127.0.0.1' }], 'ERR_INVALID_ARG_VALUE', TypeError);
  assert.is(withHost.message, 'The argument \'options\' must have the property "port" or "path". Received { host: \'127.0.0.1\' }');
});

t('server.listen: a boolean port throws ERR_INVALID_ARG_VALUE naming the options', () => {
  const a = listenThrows([{ port: true }], 'ERR_INVALID_ARG_VALUE', TypeError);
  assert.is(a.message, 'The argument \'options\' is invalid. Received { port: true }');
  const b = listenThrows([true], 'ERR_INVALID_ARG_VALUE', TypeError);
  assert.is(b.message, 'The argument \'options\' is invalid. Received { port: true }');
});

t('server.listen: a non-string options.path throws ERR_INVALID_ARG_VALUE', () => {
  const err = listenThrows([{ path: 123 }], 'ERR_INVALID_ARG_VALUE', TypeError);
  assert.is(err.message, 'The argument \'options\' is invalid. Received { path: 123 }');
});

t('server.listen: a non-string options.host throws ERR_INVALID_ARG_TYPE', () => {
  const err = listenThrows([{ port: 0, host: 123 }], 'ERR_INVALID_ARG_TYPE', TypeError);
  assert.is(err.message, 'The "hostname" argument must be of type string. Received type number (123)');
});

t('server.listen: options.signal that is not an AbortSignal throws ERR_INVALID_ARG_TYPE', () => {
  const err = listenThrows([{ port: 0, host: '127.0.0.1', signal: {} }], 'ERR_INVALID_ARG_TYPE', TypeError);
  assert.is(err.message, 'The "options.signal" property must be an instance of AbortSignal. Received an instance of Object');
});

t('server.listen: a validation error leaves the server able to listen afterwards', async () => {
  const sc = scope();
  try {
    const server = sc.server();
    assertCode(() => server.listen(-1), 'ERR_SOCKET_BAD_PORT', RangeError);
    assertCode(() => server.listen({}), 'ERR_INVALID_ARG_VALUE', TypeError);
    assert.is(server.address(), null);
    const addr = await listen(server, 0, '127.0.0.1');
    await sc.connect(addr.port, '127.0.0.1');
  } finally { await sc.dispose(); }
});

t('server.listen: backlog is not validated (negative or non-numeric still listens)', async () => {
  const sc = scope();
  try {
    const a = await listen(sc.server(), { port: 0, host: '127.0.0.1', backlog: -1 });
    await sc.connect(a.port, '127.0.0.1');
    const b = await listen(sc.server(), 0, '127.0.0.1', 'many');
    await sc.connect(b.port, '127.0.0.1');
  } finally { await sc.dispose(); }
});

t('createServer: options that are not an object throw ERR_INVALID_ARG_TYPE', () => {
  const a = assertCode(() => net.createServer(42), 'ERR_INVALID_ARG_TYPE', TypeError);
  assert.is(a.message, 'The "options" argument must be of type object. Received type number (42)');
  const b = assertCode(() => net.createServer('x'), 'ERR_INVALID_ARG_TYPE', TypeError);
  assert.is(b.message, 'The "options" argument must be of type object. Received type string (\'x\')');
});

t('createServer: null options and a lone listener are accepted', () => {
  assert.instance(net.createServer(null), net.Server);
  assert.instance(net.createServer(() => {}), net.Server);
  assert.instance(net.createServer(undefined, () => {}), net.Server);
});

t('createServer highWaterMark: a non-number throws ERR_INVALID_ARG_TYPE', () => {
  const err = assertCode(() => net.createServer({ highWaterMark: 'x' }), 'ERR_INVALID_ARG_TYPE', TypeError);
  assert.is(err.message, 'The "options.highWaterMark" property must be of type number. Received type string (\'x\')');
});

t('createServer keepAliveInitialDelay: a non-number throws ERR_INVALID_ARG_TYPE', () => {
  const err = assertCode(() => net.createServer({ keepAliveInitialDelay: 'x' }), 'ERR_INVALID_ARG_TYPE', TypeError);
  assert.is(err.message, 'The "options.keepAliveInitialDelay" property must be of type number. Received type string (\'x\')');
});

t('createServer blockList: a value that is not a BlockList throws ERR_INVALID_ARG_TYPE', () => {
  const a = assertCode(() => net.createServer({ blockList: {} }), 'ERR_INVALID_ARG_TYPE', TypeError);
  assert.is(a.message, 'The "options.blockList" property must be an net.BlockList. Received an instance of Object');
  const b = assertCode(() => net.createServer({ blockList: 'x' }), 'ERR_INVALID_ARG_TYPE', TypeError);
  assert.is(b.message, 'The "options.blockList" property must be an net.BlockList. Received type string (\'x\')');
}, { since: '22.13.0' });

t('server.getConnections: a missing or non-function callback throws ERR_INVALID_ARG_TYPE', () => {
  const server = net.createServer();
  const a = assertCode(() => server.getConnections(), 'ERR_INVALID_ARG_TYPE', TypeError);
  assert.is(a.message, 'The "callback" argument must be of type function. Received undefined');
  const b = assertCode(() => server.getConnections(42), 'ERR_INVALID_ARG_TYPE', TypeError);
  assert.is(b.message, 'The "callback" argument must be of type function. Received type number (42)');
});

t.run();
