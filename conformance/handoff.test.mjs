// Sockets and servers handed to a child process with the runtime's own child_process (#17):
// `subprocess.send(message, socket | server[, { keepOpen }])` and the child using what it got.
// With crossnet they go through crossnet/processes (`handOff()` to send, `adopt()` on receipt),
// since child_process sends only the runtime's own node:net objects; with node:net, as they are.
// Each case runs conformance/fixtures/handoff.mjs (parent and child) and checks its JSON line.
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { net } from './net.mjs';
import { suite, here, limitedOn, assertUnsupported, listen, close, runFixture } from './lib.mjs';

const t = suite('handoff');
const slow = { timeout: 30000 };
const fixture = join(here, 'fixtures', 'handoff.mjs');

const run = (name, extra = {}) => runFixture(fixture, { HANDOFF_CASE: name, ...extra }, 25000);

// Bun's crossnet sockets are Bun sockets: not a handle Bun's child_process can send, and a second
// owner of the descriptor is not possible. On Deno a socket can be given up to the child, but not
// kept open in the parent too, and a server not handed off: over the Deno.connect adapter a Deno.Conn
// and a compat handle cannot share one resource, and over the compat handles neither works yet.
const SEND_LIMIT = "handOff(): Bun's child_process sends only its own node:net objects; crossnet's Bun sockets and servers are not over one";
const KEEP_LIMIT = 'handOff({ keepOpen }) on Deno: a socket kept in both processes';
const SERVER_LIMIT = 'handOff(server) on Deno: a listening socket handed to another process';

/** On a runtime where crossnet cannot hand off: handOff() throws ERR_CROSSNET_UNSUPPORTED. */
async function assertSendLimit({ socket = true, server: ofServer = true, keepOpen = false } = {}) {
  const { handOff } = await import('../dist/processes.mjs');
  let accepted;
  const server = net.createServer({ pauseOnConnect: true }, (s) => { accepted = s; });
  const { port } = await listen(server, 0, '127.0.0.1');
  const client = net.connect(port, '127.0.0.1');
  try {
    await new Promise((resolve) => server.once('connection', resolve));
    if (socket) assertUnsupported(() => handOff(accepted, { keepOpen }));
    if (ofServer) assertUnsupported(() => handOff(server));
    assert.is(accepted.destroyed, false, 'the socket stays usable');
  } finally {
    client.destroy();
    accepted?.destroy();
    await close(server);
  }
}

t('child_process: a socket handed to a child is used there; the parent lets go of it', async () => {
  if (limitedOn(['bun'], SEND_LIMIT)) return assertSendLimit();
  const out = await run('socket');
  assert.is(out.sendError, null);
  assert.equal(out.child, { ready: { isNet: true } });
  assert.is(out.text, `child ${out.childPid};pong from child ${out.childPid}`);
  assert.is(out.parentHandle, true, 'socket._handle is null in the parent once sent');
  // The server counts the socket the child holds (asked of the child).
  assert.is(out.parentConnections, 1);
}, slow);

t('child_process: server.close() in the parent waits for the socket handed to the child', async () => {
  if (limitedOn(['bun'], SEND_LIMIT)) return assertSendLimit();
  // The child holds the socket 600 ms before it answers and closes it.
  const out = await run('closeWait');
  assert.is(out.text, `child ${out.childPid};pong from child ${out.childPid}`);
  assert.type(out.closedAt, 'number', "the parent server's 'close' came");
  assert.ok(out.closedAt > out.clientClosedAt - 300, `'close' came ${out.clientClosedAt - out.closedAt} ms before the child closed the socket`);
}, slow);

t('child_process: keepOpen keeps the socket open in the parent too', async () => {
  if (limitedOn(['bun'], SEND_LIMIT)) return assertSendLimit();
  if (limitedOn(['deno'], KEEP_LIMIT)) return assertSendLimit({ server: false, keepOpen: true });
  const out = await run('keepOpen');
  assert.is(out.sendError, null);
  assert.is(out.text, `parent;child ${out.childPid};pong from child ${out.childPid}`);
  assert.is(out.parentHandle, false, 'socket._handle stays in the parent');
  assert.is(out.parentConnections, 2);
}, slow);

t('child_process: a server handed to a child accepts there', async () => {
  if (limitedOn(['bun'], SEND_LIMIT)) return assertSendLimit();
  if (limitedOn(['deno'], SERVER_LIMIT)) return assertSendLimit({ socket: false });
  const out = await run('server');
  assert.equal(out.child, { ready: { isNet: true, listening: true } });
  assert.equal(out.texts, [`child ${out.childPid}`, `child ${out.childPid}`]);
}, slow);

// The receiving half alone: the parent sends with the runtime's own node:net.
const ADOPT_LIMIT = "adopt(): Bun's child_process delivers a Bun socket that keeps its descriptor; crossnet cannot take it over";

t('child_process: a socket node:net sent is adopted in the child', async () => {
  const out = await run('socket', { HANDOFF_PARENT: 'runtime' });
  if (limitedOn(['bun'], ADOPT_LIMIT)) {
    assert.is(out.child.failed && out.child.failed.code, 'ERR_CROSSNET_UNSUPPORTED', JSON.stringify(out.child));
    return;
  }
  assert.equal(out.child, { ready: { isNet: true } });
  assert.is(out.text, `child ${out.childPid};pong from child ${out.childPid}`);
}, slow);

t('child_process: a server node:net sent is adopted in the child', async () => {
  const out = await run('server', { HANDOFF_PARENT: 'runtime' });
  if (limitedOn(['bun'], ADOPT_LIMIT)) {
    assert.is(out.child.failed && out.child.failed.code, 'ERR_CROSSNET_UNSUPPORTED', JSON.stringify(out.child));
    return;
  }
  assert.equal(out.child, { ready: { isNet: true, listening: true } });
  assert.equal(out.texts, [`child ${out.childPid}`, `child ${out.childPid}`]);
}, slow);

t.run();
