// Store contract, part 3: migrations. Running migrate on a migrated database applies nothing;
// on PostgreSQL, migrators started in parallel on a fresh database (as several Keystep processes
// would be) all succeed and apply each migration exactly once.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { TEST_DATABASE_URL, storeKinds, type StoreKind } from './support/databases.js';
import { openPGlite } from '../src/store/pglite-database.js';
import { openPostgres } from '../src/store/postgres-database.js';
import { listMigrations, migrate } from '../src/store/migrate.js';
import type { Database } from '../src/store/database.js';

const ALL = listMigrations().map((m) => m.name);
// Creating an empty PGlite database runs initdb in WebAssembly: seconds, not milliseconds.
const FRESH_DATABASE_TIMEOUT = 30_000;

interface FreshDatabase {
  /** Opens another connection (pool) to the same database; PGlite has only one. */
  connect(): Database;
  dispose(): Promise<void>;
}

async function adminQuery(sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

/** An empty database (no schema at all). */
async function freshDatabase(kind: StoreKind): Promise<FreshDatabase> {
  if (kind === 'pglite') {
    const db = await openPGlite({ dataDir: ':memory:' });
    return { connect: () => db, dispose: () => db.close() };
  }
  const name = `keystep_migrate_${Date.now()}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(TEST_DATABASE_URL!);
  url.pathname = `/${name}`;
  const opened: Database[] = [];
  return {
    connect() {
      const db = openPostgres(url.href);
      opened.push(db);
      return db;
    },
    async dispose() {
      await Promise.all(opened.map((db) => db.close()));
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

async function appliedVersions(db: Database): Promise<Array<{ version: number; name: string }>> {
  return db.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version');
}

async function tableCount(db: Database): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    `SELECT count(*)::integer AS n FROM information_schema.tables
     WHERE table_schema = 'public' AND table_name IN ('organisations', 'users', 'oidc_payloads', 'mfa_factors', 'factor_lockouts')`,
  );
  return row!.n;
}

describe.each(storeKinds)('store contract on %s', (kind) => {
  describe('migrations', () => {
    it('migrates an empty database, then applies nothing when run again', async () => {
      const fresh = await freshDatabase(kind);
      try {
        const db = fresh.connect();
        expect(ALL.length).toBeGreaterThan(0);
        expect(await migrate(db)).toEqual(ALL);
        expect(await migrate(db)).toEqual([]);
        expect(await migrate(db)).toEqual([]);
        expect(await appliedVersions(db)).toEqual(listMigrations().map((m) => ({ version: m.version, name: m.name })));
        expect(await tableCount(db)).toBe(5);
        // The schema works: an organisation can be written after the re-runs.
        await expect(db.query(`INSERT INTO organisations (slug, name) VALUES ('after-rerun', 'x')`)).resolves.toEqual([]);
      } finally {
        await fresh.dispose();
      }
    }, FRESH_DATABASE_TIMEOUT);

    if (kind === 'postgres') {
      it('parallel migrators on a fresh database all succeed and apply each migration once', async () => {
        for (let round = 0; round < 2; round++) {
          const fresh = await freshDatabase(kind);
          try {
            const migrators = [fresh.connect(), fresh.connect(), fresh.connect()];
            const results = await Promise.all(migrators.map((db) => migrate(db)));

            // Each migration was applied by exactly one migrator, in order within it.
            expect(results.flat().sort()).toEqual([...ALL].sort());
            for (const applied of results) expect(applied).toEqual(ALL.filter((n) => applied.includes(n)));

            const db = migrators[0]!;
            expect(await appliedVersions(db)).toEqual(listMigrations().map((m) => ({ version: m.version, name: m.name })));
            expect(await tableCount(db)).toBe(5);
            expect(await migrate(migrators[1]!)).toEqual([]);
          } finally {
            await fresh.dispose();
          }
        }
      }, FRESH_DATABASE_TIMEOUT);
    }
  });
});
