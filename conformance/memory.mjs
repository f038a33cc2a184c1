// The conformance suite's "memory" column: the module under test is a simulated network's `net`
// (crossnet/testing), not the process's crossnet. The conformance files use the machine's names and
// loopback (127.0.0.1, ::1, `localhost` as the OS resolves it, IPC paths under tmpdir): the network
// knows the loopback as its own, IPC paths are names in it, and `localhost` maps to what the OS's
// lookup gives, so each test sees the addresses it would on this machine.
import dns from 'node:dns';
import process from 'node:process';

/** The column's network (for fixtures that inject faults, e.g. socket-util.mjs stalledListener). */
export let network;

export async function memoryNet() {
  const { createNetwork } = await import('../dist/testing.mjs');
  const localhost = await new Promise((resolve) => dns.lookup('localhost', { all: true }, (err, list) =>
    resolve(err ? ['127.0.0.1'] : list.map((e) => e.address))));
  // CROSSNET_MEMORY: more network options as JSON (test/integrity-all.mjs: latency and chunking).
  const extra = JSON.parse(process.env.CROSSNET_MEMORY ?? '{}');
  network = createNetwork({ seed: 1, ...extra, hosts: { localhost } });
  return network.net;
}

/**
 * Tests that cannot apply to a simulated network, by the capability they need, with the reason the
 * matrix prints. Each entry: [suite, test-name prefix, capability]. The memory column records these
 * as `n/a`, not as passes; everything else runs over the network.
 */
const CAPABILITIES = {
  'socket files': 'an in-memory IPC path is a name in the network, not a file (nothing to stat, link, chmod or leave behind)',
  descriptors: 'an in-memory socket has no OS descriptor (fd() is -1)',
  'kernel state': "the test reads the kernel's view of the socket (/proc/net/tcp)",
  'OS servers': "the fixture server is node:http's or node:tls's, which listen on the OS network",
  'one process': "the child process has a network of its own: it cannot reach this process's servers",
  sandbox: "the runtime's network permissions govern OS sockets; a simulated network opens none",
};
const NOT_APPLICABLE = [
  ['ipc', 'ipc: listen(path, cb) creates a socket file', 'socket files'],
  ['ipc', 'ipc: close() unlinks the socket file', 'socket files'],
  ['ipc', 'ipc: a stale socket file', 'socket files'],
  ['ipc', 'ipc: the socket file of a process that exited', 'socket files'],
  ['ipc', 'ipc: listen on a path where a regular file exists', 'socket files'],
  ['ipc', 'ipc: a path of 108 bytes (all of sun_path) is used in full', 'socket files'],
  ['ipc', 'server.listen: readableAll/writableAll add read/write permission', 'socket files'],
  ['server-bind', 'server.listen(path): the socket file exists', 'socket files'],
  ['boundsocket', 'net.BoundSocket({ path })', 'socket files'],
  ['socket-errors', "socket event 'error': an IPC path that is not a socket", 'socket files'],
  ['boundsocket', 'net.BoundSocket: fd()', 'descriptors'],
  ['server-options', 'createServer keepAlive: accepted sockets get a keepalive timer', 'kernel state'],
  ['server-options', 'createServer keepAlive: off by default', 'kernel state'],
  ['http-agent', 'node:http:', 'OS servers'],
  ['tls-upgrade', 'tls.connect({ socket })', 'OS servers'],
  ['sockets', "crossnet/sockets secureTransport: 'on'", 'OS servers'],
  ['sockets', 'crossnet/sockets startTls()', 'OS servers'],
  ['sockets', "crossnet/sockets socket.readable: the peer's reset (RST)", 'OS servers'],
  ['socket-child', '', 'one process'],
  ['cluster', '', 'one process'],
  ['handoff', '', 'one process'],
  ['permissions', '', 'sandbox'], // main's permissions.test.mjs (Deno's --allow-net grants)
];

/** The reason a test does not apply to the memory column (`capability: why`), or undefined. */
export function notApplicable(suite, name) {
  const hit = NOT_APPLICABLE.find(([s, prefix]) => s === suite && name.startsWith(prefix));
  return hit ? `${hit[2]}: ${CAPABILITIES[hit[2]]}` : undefined;
}
