// Installs the reference Node (see package.json here). Linux x64 only: elsewhere the reference
// column is skipped and tests marked `since` a newer Node are reported as unchecked.
import { execSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

if (process.platform === 'linux' && process.arch === 'x64') {
  const dir = dirname(fileURLToPath(import.meta.url));
  execSync('npm install --no-save --no-package-lock --no-audit --no-fund --loglevel=error', { cwd: dir, stdio: 'inherit' });
}
