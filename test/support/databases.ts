// Test databases: PGlite started from a pre-migrated template (fast), or a fresh PostgreSQL
// database on TEST_DATABASE_URL's server.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openPGlite } from '../../src/store/pglite-database.js';
import { openPostgres } from '../../src/store/postgres-database.js';
import { listMigrations, migrate } from '../../src/store/migrate.js';
import { createSqlStore } from '../../src/store/sql-store.js';
import type { Store } from '../../src/store/port.js';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;

async function pgliteTemplate(): Promise<Blob> {
  const hash = createHash('sha256').update(listMigrations().map((m) => m.sql).join('\n')).digest('hex').slice(0, 16);
  const file = path.join(os.tmpdir(), `keystep-pglite-template-${hash}.tar`);
  if (!existsSync(file)) {
    const db = await openPGlite({ dataDir: ':memory:' });
    await migrate(db);
    const dump = await db.dump();
    await db.close();
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
    renameSync(tmp, file);
  }
  return new Blob([readFileSync(file)]);
}

export async function openTestPGliteStore(): Promise<Store> {
  const db = await openPGlite({ dataDir: ':memory:', loadDataDir: await pgliteTemplate() });
  await migrate(db);
  return createSqlStore(db);
}

/** Creates a uniquely named database on TEST_DATABASE_URL's server; dropped on close. */
export async function openTestPostgresStore(): Promise<Store> {
  if (!TEST_DATABASE_URL) throw new Error('TEST_DATABASE_URL is not set');
  const name = `keystep_test_${Date.now()}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  const db = openPostgres(url.href);
  await migrate(db);
  return createSqlStore(db, async () => {
    const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  });
}

export type StoreKind = 'pglite' | 'postgres';

/** The store kinds a suite runs against: PGlite always, PostgreSQL when TEST_DATABASE_URL is set. */
export const storeKinds: StoreKind[] = TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

export const openTestStore = (kind: StoreKind) => (kind === 'pglite' ? openTestPGliteStore() : openTestPostgresStore());

if (!TEST_DATABASE_URL && process.env.CI) {
  throw new Error('CI must run the PostgreSQL suites: set TEST_DATABASE_URL');
}
if (!TEST_DATABASE_URL && !process.env.KEYSTEP_QUIET_SKIPS) {
  process.env.KEYSTEP_QUIET_SKIPS = '1';
  process.stderr.write('PostgreSQL suites skipped: TEST_DATABASE_URL is not set (CI sets it).\n');
}
