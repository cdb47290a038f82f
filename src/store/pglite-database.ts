// Embedded back end: PGlite (PostgreSQL compiled to WASM) in a data dir or in memory.
// PGlite serves one process: src/store/data-dir-lock.ts keeps a second one out.
import { PGlite } from '@electric-sql/pglite';
import type { Database, Queryable } from './database.js';

export interface PGliteOptions {
  /** A directory, or ':memory:'. */
  dataDir: string;
  /** A dumped data dir (tarball) to start from, e.g. a pre-migrated template in tests. */
  loadDataDir?: Blob;
}

export async function openPGlite(options: PGliteOptions): Promise<Database & { dump(): Promise<Blob> }> {
  const db = await PGlite.create(options.dataDir === ':memory:' ? undefined : options.dataDir, {
    loadDataDir: options.loadDataDir,
  });
  const toRows = <T>(res: { rows: unknown[] }) => res.rows as T[];
  return {
    kind: 'pglite',
    async query<T>(sql: string, params: unknown[] = []) {
      return toRows<T>(await db.query(sql, params));
    },
    async exec(sql: string) {
      await db.exec(sql);
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      return db.transaction(async (t) =>
        fn({
          async query<R>(sql: string, params: unknown[] = []) {
            return toRows<R>(await t.query(sql, params));
          },
          async exec(sql: string) {
            await t.exec(sql);
          },
        }),
      );
    },
    async close() {
      if (!db.closed) await db.close();
    },
    async dump() {
      return db.dumpDataDir('none');
    },
  };
}
