/**
 * The data directory (SELLIFY_DATA_DIR) holds the embedded database's files, the development
 * encryption key, admin.key and sandbox.secret: only the user running Sellify may enter it.
 *
 * It is created with mode 0700, and at every start what is already there is tightened: the
 * directory and every directory below it to 0700, every file to its owner's bits only (0600 for
 * what PGlite writes 0666). The directory's own mode is what protects files created later (PGlite
 * makes new files world-writable, and no umask changes that); tightening the files as well keeps
 * them private if the directory is ever copied or its mode loosened. Symbolic links are left
 * alone, so a link inside the directory cannot make us change a file elsewhere.
 *
 * When something cannot be changed (a directory owned by another user, a read-only mount), the
 * caller gets one warning line naming the directory and the command that fixes it; starting is
 * not refused, since the operator may have secured the directory another way.
 */

import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const DATA_DIR_MODE = 0o700;
/** Permission bits a data file may keep: the owner's. */
const OWNER_BITS = 0o700;
/** Group and other bits, none of which a data directory or file may have. */
const OTHERS_BITS = 0o077;

export interface SecureDataDirOptions {
  /** chmod, replaceable by tests (root may change any mode, so refusals are simulated). */
  chmod?: (path: string, mode: number) => void;
}

export interface SecureDataDirResult {
  /** Entries whose mode was changed. */
  tightened: number;
  /** One line for the operator when some entries could not be changed; absent otherwise. */
  warning?: string;
}

/** Creates the directory (and missing parents) with mode 0700 when it does not exist. */
export function ensureDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: DATA_DIR_MODE });
}

/**
 * Removes group and other permissions from the directory and everything below it. A directory
 * that does not exist is left alone (nothing to protect yet). POSIX only: on Windows, where
 * modes mean little, nothing is done.
 */
export function secureDataDir(dataDir: string, options: SecureDataDirOptions = {}): SecureDataDirResult {
  if (process.platform === 'win32') return { tightened: 0 };
  const chmod = options.chmod ?? chmodSync;
  let tightened = 0;
  const failures: { path: string; code: string }[] = [];

  const visit = (path: string): void => {
    let stat: ReturnType<typeof lstatSync>;
    try {
      stat = lstatSync(path);
    } catch (err) {
      // Missing (the directory is not created yet, or PGlite removed a temporary file between
      // listing and looking): nothing to protect.
      if (codeOf(err) !== 'ENOENT') failures.push({ path, code: codeOf(err) });
      return;
    }
    if (stat.isSymbolicLink()) return;
    const mode = stat.mode & 0o777;
    const wanted = stat.isDirectory() ? DATA_DIR_MODE : mode & OWNER_BITS;
    if (mode !== wanted && (mode & OTHERS_BITS) !== 0) {
      try {
        chmod(path, wanted);
        tightened++;
      } catch (err) {
        failures.push({ path, code: codeOf(err) });
      }
    }
    if (!stat.isDirectory()) return;
    let entries: string[];
    try {
      entries = readdirSync(path);
    } catch (err) {
      failures.push({ path, code: codeOf(err) });
      return;
    }
    for (const entry of entries) visit(join(path, entry));
  };
  visit(dataDir);

  if (failures.length === 0) return { tightened };
  const first = failures[0]!;
  const more = failures.length > 1 ? ` and ${failures.length - 1} more` : '';
  return {
    tightened,
    warning:
      `Data directory ${dataDir} is readable by other users and could not be restricted ` +
      `(${first.path}: ${first.code}${more}); as its owner run: chmod -R go-rwx ${dataDir}`,
  };
}

function codeOf(err: unknown): string {
  return (err as NodeJS.ErrnoException | undefined)?.code ?? 'error';
}
