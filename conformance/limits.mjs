// Expected limits, pinned: what each adapter must declare it can do (src/transport.ts Capabilities)
// on Linux x64, as the matrix runs it. The conformance files turn a declared `false` into a `limit`
// cell (lib.mjs lacks()); this table is what keeps a capability from silently drifting to `false`
// (a ✓ turning into `limit`) or to `true`: run.mjs fails a required cell for every difference.
// Keyed by adapter name (dist/adapters/<name>.mjs, as conformance/net.mjs finds it); a new adapter
// gets a row here. A value is true, false, a version range ('>=22.12.0', '>=24.22.0 <25 || >=26.4.0',
// on the runtime's own version), or { [platform]: value, '*': value }.

const ALL = {
  localAddress: true, keepAliveDelay: true, reset: true, backlog: true, ipcBacklog: true, ipv6Only: true,
  reusePort: true, ipcPermissions: true, abstractIpc: true, namedPipes: true, adoptFd: true,
  typeOfService: true, bind: true, bindConnect: true,
};

export const LIMITS = {
  node: {
    ...ALL,
    reusePort: '>=22.12.0', // UV_TCP_REUSEPORT: libuv 1.49 (Node 22.12, 23)
    typeOfService: '>=24.0.0', // tcp_wrap's setTypeOfService
  },
  'node-net': {
    ...ALL,
    reusePort: '>=23.1.0', // the adapter uses listen({ reusePort }) from 23.1 only, though 22.12 has it too
    typeOfService: '>=24.0.0', // socket.setTypeOfService
    bindConnect: '>=24.22.0 <25 || >=26.4.0', // node:net's own BoundSocket
  },
  deno: {
    ...ALL,
    localAddress: false, // Deno.connect has no local bind
    keepAliveDelay: false, // setKeepAlive(on) only
    reset: false, // no SO_LINGER
    ipcBacklog: false, // Deno.listen({ transport: 'unix' }) has no backlog
    ipv6Only: false, // '::' is always dual-stack
    reusePort: false, // only under --unstable-net, which the matrix does not pass
    namedPipes: false,
    adoptFd: false,
    typeOfService: false,
    bindConnect: false,
  },
  // Deno's node-compat handles (process.binding('tcp_wrap'/'pipe_wrap')), auto's choice on Deno.
  'deno-compat': {
    ...ALL,
    ipv6Only: false, // bind6 ignores UV_TCP_IPV6ONLY
    namedPipes: false,
    typeOfService: false,
    abstractIpc: { linux: true, '*': false },
  },
  bun: { ...ALL, abstractIpc: { linux: true, '*': false } },
  // crossnet/testing's simulated network: no files, descriptors or IP options.
  memory: { ...ALL, ipcPermissions: false, adoptFd: false, typeOfService: false },
};

/** Does `version` satisfy `range` ('>=a.b.c <d || >=e.f.g')? */
export function inRange(version, range) {
  const cmp = (a, b) => {
    const x = a.split('.').map(Number);
    const y = b.split('.').map(Number);
    for (let i = 0; i < 3; i++) if ((x[i] || 0) !== (y[i] || 0)) return (x[i] || 0) - (y[i] || 0);
    return 0;
  };
  return range.split('||').some((alt) => alt.trim().split(/\s+/).every((c) => {
    const [, op, v] = /^(>=|<)(.+)$/.exec(c) ?? [];
    if (!op) throw new Error(`conformance/limits.mjs: bad comparator ${c}`);
    return op === '>=' ? cmp(version, v) >= 0 : cmp(version, v) < 0;
  }));
}

/** The expected value of one table entry for a runtime version and platform. */
export function expected(value, version, platform) {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return inRange(version, value);
  return expected(value[platform] ?? value['*'], version, platform);
}

/**
 * One failure per crossnet column whose adapter declares other capabilities than LIMITS pins
 * (or that recorded none): `{ column, suite, name, error }`, as judge() reports failures.
 */
export function checkLimits(ran, platform = process.platform) {
  const failures = [];
  for (const col of ran) {
    if (col.impl === 'builtin' || !col.results?.length) continue;
    const column = `${col.runtime}/${col.impl}`;
    const info = col.env?.transport;
    const fail = (name, error) => failures.push({ column, suite: 'limits', name, error });
    if (!info) { fail('the column recorded its transport', 'conformance/net.mjs wrote no env.transport'); continue; }
    const table = LIMITS[info.adapter];
    if (!table) { fail(`adapter ${info.adapter} has a row`, `add the adapter ${info.adapter} to conformance/limits.mjs`); continue; }
    for (const cap of new Set([...Object.keys(table), ...Object.keys(info.capabilities)])) {
      if (!(cap in table)) { fail(`${info.adapter}.${cap} is pinned`, `capability ${cap} is not in conformance/limits.mjs`); continue; }
      const want = expected(table[cap], col.env.version, platform);
      if (info.capabilities[cap] !== want) {
        fail(`${info.adapter}.${cap} is ${want}`, `the ${info.adapter} adapter on ${col.env.runtime} ${col.env.version} declares ${cap}: ${info.capabilities[cap]}; conformance/limits.mjs expects ${want}`);
      }
    }
  }
  return failures;
}
