// PGlite serves one process. The server holds <dataDir>/keystep.lock (its pid) while it runs;
// another process finds it and either refuses or talks to the server through its admin socket.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

export const LOCK_FILE = 'keystep.lock';
export const ADMIN_SOCKET = 'keystep.sock';

export class DataDirInUse extends Error {
  constructor(readonly pid: number, dataDir: string) {
    super(`the data dir ${dataDir} is in use by a running Keystep server (pid ${pid})`);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid of the live process holding dataDir, if any (a stale lock is removed). */
export function lockHolder(dataDir: string): number | undefined {
  const file = path.join(dataDir, LOCK_FILE);
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
  } catch {
    return undefined;
  }
  if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) return pid;
  if (pid === process.pid) return undefined;
  rmSync(file, { force: true });
  return undefined;
}

/** Takes the lock or throws DataDirInUse. Returns the release function. */
export function acquireDataDirLock(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = lockHolder(dataDir);
      if (holder) throw new DataDirInUse(holder, dataDir);
    }
  }
  throw new Error(`cannot lock the data dir ${dataDir}`);
}
