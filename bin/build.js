#!/usr/bin/env node
// Compiles src/ to dist/ with TypeScript (tsconfig.build.json), the API client (client/src) to
// dist/client first (src/cli imports it as #client), and tells whether dist/ is up to date.
//
//   node bin/build.js             build (npm run build)
//   node bin/build.js --if-stale  build only when src/ changed since the last build (the e2e suites)
//   node bin/build.js --prepare   as --if-stale, but only a note when TypeScript is not installed
//                                 (npm's prepare script under `npm ci --omit=dev`)
//
// bin/sellify.js calls ensureFreshBuild() before it runs dist/: in a source checkout a command never
// runs an older build than the sources (it compiles first, with a note on stderr); where there is no
// src/ (the Docker image) there is nothing to compare and dist/ runs as it is.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const ENTRY = join(ROOT, 'dist', 'cli', 'main.js');
const SRC = join(ROOT, 'src');
/** The API client package's sources: compiled into dist/client, where src/ imports it as `#client`. */
const CLIENT_SRC = join(ROOT, 'client', 'src');
/** Written after every build that emitted: tsc leaves its own build info untouched when nothing changed. */
const STAMP = join(ROOT, 'dist', '.build-stamp');
/** Besides src/, what changes the output. */
const CONFIG_FILES = ['tsconfig.json', 'tsconfig.build.json', 'client/tsconfig.json'];

function newestMs(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMs(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
      newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * 'image': no src/ (an installed image), dist/ is what there is; 'missing': never built;
 * 'stale': a source or tsconfig file is newer than the last build; 'fresh'.
 */
export function buildState() {
  if (!existsSync(SRC)) return 'image';
  if (!existsSync(ENTRY) || !existsSync(STAMP)) return 'missing';
  const builtMs = statSync(STAMP).mtimeMs;
  const configMs = Math.max(
    ...CONFIG_FILES.map((f) => join(ROOT, f)).map((p) => (existsSync(p) ? statSync(p).mtimeMs : 0)),
  );
  const clientMs = existsSync(CLIENT_SRC) ? newestMs(CLIENT_SRC) : 0;
  return Math.max(newestMs(SRC), clientMs, configMs) > builtMs ? 'stale' : 'fresh';
}

function tscPath() {
  try {
    return createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    return undefined;
  }
}

/**
 * Runs tsc (incremental: a build with nothing changed takes a few seconds) with its output on stderr.
 * Returns tsc's exit status: 0, or 2 when it found type errors but still wrote dist/ (as tsx would run
 * such code, a command still runs; `npm run build` and CI fail on it), or 1 when nothing was written.
 */
export function build() {
  const tsc = tscPath();
  if (tsc === undefined) {
    throw new Error(
      'TypeScript is not installed (a production install?): run "npm install", then "npm run build"',
    );
  }
  const started = Date.now();
  // First the client (JavaScript and declarations in dist/client), which src/ compiles against
  // (`#client`); tsc then reports a missing dist/client itself.
  const clientConfig = join(ROOT, 'client', 'tsconfig.json');
  if (existsSync(clientConfig)) {
    const client = spawnSync(
      process.execPath,
      [tsc, '-p', clientConfig, '--outDir', join(ROOT, 'dist', 'client')],
      { cwd: ROOT, stdio: ['ignore', 2, 2] },
    );
    if (client.status !== 0) return 1;
  }
  const result = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], {
    cwd: ROOT,
    stdio: ['ignore', 2, 2],
  });
  const status = result.status ?? 1;
  // The stamp is dated from before the compilation: a source saved while tsc ran stays "newer".
  if (status === 0 || status === 2) {
    // The dashboard's files are served as they are: a copy in dist/web for installs without src/ (the image).
    const web = join(SRC, 'web');
    if (existsSync(web)) {
      rmSync(join(ROOT, 'dist', 'web'), { recursive: true, force: true });
      cpSync(web, join(ROOT, 'dist', 'web'), { recursive: true });
    }
    writeFileSync(STAMP, `${new Date(started).toISOString()}\n`);
    utimesSync(STAMP, started / 1000, started / 1000);
  }
  return status;
}

/** For bin/sellify.js: compiles first when the checkout's sources are newer than dist/. */
export function ensureFreshBuild() {
  const state = buildState();
  if (state === 'image' && !existsSync(ENTRY)) {
    console.error(`sellify: ${ENTRY} is missing and there are no sources to build it from.`);
    process.exit(1);
  }
  if (state === 'stale' || state === 'missing') {
    if (tscPath() === undefined) {
      if (state === 'missing') {
        console.error(
          'sellify: dist/ is missing and TypeScript is not installed: run "npm install" (it builds), or "npm run build".',
        );
        process.exit(1);
      }
      console.error(
        'sellify: src/ changed since the last build, and TypeScript is not installed to rebuild: running the last build.',
      );
      return;
    }
    console.error(
      `sellify: ${state === 'missing' ? 'no build yet' : 'src/ changed since the last build'}: compiling to dist/ (npm run build)…`,
    );
    const status = build();
    if (status === 1 || !existsSync(ENTRY)) {
      console.error('sellify: the build failed (errors above).');
      process.exit(1);
    }
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const mode = process.argv[2];
  if (mode === '--prepare' && tscPath() === undefined) {
    console.error(
      'sellify: TypeScript is not installed (npm ci --omit=dev?): dist/ was not built. Build it where dev dependencies are installed.',
    );
  } else if ((mode === '--if-stale' || mode === '--prepare') && buildState() === 'fresh') {
    // Nothing changed since the last build.
  } else {
    process.exitCode = build();
  }
}
