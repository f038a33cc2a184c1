// The oldest Node, Deno and Bun crossnet runs on, checked once at import time so an older runtime
// fails with one clear error instead of a TypeError or wrong behaviour deep inside. The same numbers
// are package.json's "engines"; the version matrix (`npm run matrix -- --versions`, MATRIX.md) chose
// them as the oldest tested release where crossnet passes the whole suite: Node 20.19 is the first
// 20.x whose require() loads an ES module; Deno before 2.1 and Bun before 1.2.10 lack even
// process.getBuiltinModule (the bundle's builtin loader); Deno 2.1-2.8 fail IPC unlink and
// permissions, TLS and child-process tests; Bun 1.2-1.3 fail bun:ffi listen/bind, IPC errors and
// IP_TOS; Bun 1.4.0-1.4.2's node:tls ignores the wrapped socket's allowHalfOpen (see MATRIX.md).
// Nothing here imports a builtin: the bundle's builtin loader (scripts/build.mjs) calls builtin().

export const MINIMUM = { node: '20.19.0', deno: '2.9.0', bun: '1.4.5' } as const;

type Runtime = keyof typeof MINIMUM;

function current(): [Runtime, string] {
  const g = globalThis as { Deno?: { version?: { deno?: string } }; Bun?: { version?: string }; process?: { versions?: { node?: string } } };
  if (g.Deno) return ['deno', g.Deno.version?.deno ?? '0.0.0'];
  if (g.Bun) return ['bun', g.Bun.version ?? '0.0.0'];
  return ['node', g.process?.versions?.node ?? '0.0.0'];
}

function below(version: string, minimum: string): boolean {
  const a = version.split(/[.-]/).map(Number);
  const b = minimum.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((a[i] || 0) !== b[i]) return (a[i] || 0) < b[i];
  return false;
}

let checked = false;

/** CROSSNET_ALLOW_UNSUPPORTED_RUNTIME=1 skips the check (the version matrix measures older runtimes so). */
function allowed(): boolean {
  try {
    return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.CROSSNET_ALLOW_UNSUPPORTED_RUNTIME === '1';
  } catch {
    return false; // Deno without --allow-env
  }
}

/** Throws ERR_CROSSNET_UNSUPPORTED_RUNTIME on a runtime older than MINIMUM (once per process). */
export function assertSupportedRuntime(): void {
  if (checked) return;
  const [runtime, version] = current();
  if (below(version, MINIMUM[runtime]) && !allowed()) {
    const name = { node: 'Node', deno: 'Deno', bun: 'Bun' }[runtime];
    const err = new Error(`crossnet supports ${name} ${MINIMUM[runtime]} or newer; this is ${name} ${version}`);
    (err as Error & { code: string }).code = 'ERR_CROSSNET_UNSUPPORTED_RUNTIME';
    throw err;
  }
  checked = true;
}

/** A builtin module by name, for the bundle (the runtime's own check comes first). */
export function builtin(id: string): unknown {
  assertSupportedRuntime();
  return (globalThis as unknown as { process: { getBuiltinModule(id: string): unknown } }).process.getBuiltinModule(id);
}
