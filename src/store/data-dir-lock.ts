// PGlite serves one process. Whoever opens the data dir (a server, or a CLI command) holds
// <dataDir>/keystep.lock, a JSON note of its pid and role, while it has the database open.
// A CLI finding a server there sends its command through the server's admin socket; finding
// another CLI, it waits for it.
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const LOCK_FILE = 'keystep.lock';
export const ADMIN_SOCKET = 'keystep.sock';

export type LockRole = 'server' | 'cli';

export interface LockHolder {
  pid: number;
  role: LockRole;
}

export class DataDirInUse extends Error {
  constructor(readonly holder: LockHolder, dataDir: string) {
    super(`the data dir ${dataDir} is in use by ${holder.role === 'server' ? 'a running Keystep server' : 'another keystep command'} (pid ${holder.pid})`);
  }
}

// Data dirs this process has locked: a lock file naming our own pid for any other dir was left
// by an earlier process that had the same pid (containers restart with the same pid).
const heldHere = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(file: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockHolder>;
    if (Number.isInteger(parsed.pid) && (parsed.role === 'server' || parsed.role === 'cli')) return parsed as LockHolder;
  } catch {
    // unreadable: treated as stale below
  }
  return undefined;
}

/** The live process holding dataDir, if any; a stale lock is removed. */
export function lockHolder(dataDir: string): LockHolder | undefined {
  const dir = path.resolve(dataDir);
  const file = path.join(dir, LOCK_FILE);
  const holder = readLock(file);
  if (holder && (holder.pid !== process.pid ? alive(holder.pid) : heldHere.has(dir))) return holder;
  rmSync(file, { force: true });
  return undefined;
}

/** Takes the lock or throws DataDirInUse. Returns the release function. */
export function acquireDataDirLock(dataDir: string, role: LockRole): () => void {
  const dir = path.resolve(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, LOCK_FILE);
  // Written completely under a private name, then linked into place: link() either creates the
  // lock atomically or fails, so nobody ever reads a half-written lock.
  const draft = `${file}.${process.pid}`;
  writeFileSync(draft, JSON.stringify({ pid: process.pid, role } satisfies LockHolder), { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        linkSync(draft, file);
        heldHere.add(dir);
        return () => {
          heldHere.delete(dir);
          rmSync(file, { force: true });
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const holder = lockHolder(dir);
        if (holder) throw new DataDirInUse(holder, dir);
      }
    }
    throw new Error(`cannot lock the data dir ${dir}`);
  } finally {
    rmSync(draft, { force: true });
  }
}
