/**
 * Global set-up of the suites that spawn `bin/sellify.js` (the e2e project and the reliability
 * suites): compiles src/ to dist/ when the sources changed since the last build, once, before any
 * process starts. bin/sellify.js would compile a stale build itself, but many processes starting
 * at once would each run the compiler.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function setup(): void {
  const result = spawnSync(process.execPath, ['bin/build.js', '--if-stale'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`the build failed (node bin/build.js exited ${result.status})`);
}
