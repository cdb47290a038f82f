// Opens the configured store (PostgreSQL if DATABASE_URL, else PGlite) and brings its schema up to date.
import path from 'node:path';
import type { Settings } from '../config.js';
import type { Store } from './port.js';
import { openPostgres } from './postgres-database.js';
import { openPGlite } from './pglite-database.js';
import { acquireDataDirLock, type LockRole } from './data-dir-lock.js';
import { migrate } from './migrate.js';
import { createSqlStore } from './sql-store.js';

export interface OpenedStore {
  store: Store;
  appliedMigrations: string[];
}

export async function openStore(settings: Pick<Settings, 'databaseUrl' | 'dataDir'>, role: LockRole = 'server'): Promise<OpenedStore> {
  if (settings.databaseUrl) {
    const db = openPostgres(settings.databaseUrl);
    try {
      const appliedMigrations = await migrate(db);
      return { store: createSqlStore(db), appliedMigrations };
    } catch (err) {
      await db.close();
      throw err;
    }
  }
  const release = settings.dataDir === ':memory:' ? () => undefined : acquireDataDirLock(settings.dataDir, role);
  try {
    // PostgreSQL's own files live in a sub-folder; the lock and key files sit beside it.
    const db = await openPGlite({
      dataDir: settings.dataDir === ':memory:' ? ':memory:' : path.join(settings.dataDir, 'pglite'),
    });
    const appliedMigrations = await migrate(db);
    return { store: createSqlStore(db, async () => release()), appliedMigrations };
  } catch (err) {
    release();
    throw err;
  }
}
