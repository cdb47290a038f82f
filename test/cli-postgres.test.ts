// End to end: the `keystep` command line (real child processes) on PostgreSQL (DATABASE_URL), in a
// fresh database created on TEST_DATABASE_URL's server for this run. Skipped without
// TEST_DATABASE_URL; CI sets it (test/support/databases.ts refuses to skip there).
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import pg from 'pg';
import { TEST_DATABASE_URL } from './support/databases.js';
import { listMigrations } from '../src/store/migrate.js';
import { cliEnv, lines, removeDir, runCli, runCliJson, tempDataDir } from './support/cli.js';

/** Per test: a CLI run on PostgreSQL takes about a second (no PGlite to start). */
const T = 60_000;

const describePostgres = TEST_DATABASE_URL ? describe : describe.skip;
if (!TEST_DATABASE_URL) {
  process.stderr.write('test/cli-postgres.test.ts: keystep CLI on PostgreSQL skipped: TEST_DATABASE_URL is not set (CI sets it).\n');
}

/** Runs fn with a client connected to url (default: TEST_DATABASE_URL's database). */
async function withClient<T>(fn: (c: pg.Client) => Promise<T>, url = TEST_DATABASE_URL): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

describePostgres('keystep CLI on PostgreSQL (DATABASE_URL)', () => {
  const dbName = `keystep_cli_${Date.now()}_${randomBytes(4).toString('hex')}`;
  let databaseUrl: string;
  let dir: string;
  let settings: Record<string, string>;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    await withClient((c) => c.query(`CREATE DATABASE ${dbName}`));
    const url = new URL(TEST_DATABASE_URL!);
    url.pathname = `/${dbName}`;
    databaseUrl = url.href;
    // A data dir is set too: with DATABASE_URL the CLI must not touch it.
    dir = tempDataDir('postgres');
    settings = { DATABASE_URL: databaseUrl, KEYSTEP_ENCRYPTION_KEY: randomBytes(32).toString('hex'), KEYSTEP_DATA_DIR: dir };
    env = cliEnv(settings);
  }, T);
  afterAll(async () => {
    await withClient((c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));
    removeDir(dir);
  }, T);

  test('migrate --json applies every migration the first time and none the second', async () => {
    const first = await runCliJson<{ applied: string[] }>(['migrate'], { env });
    expect(first.run.stderr).toBe('');
    expect(first.result).toEqual({ applied: listMigrations().map((m) => m.name) });
    expect(first.result.applied.length).toBeGreaterThan(0);
    const second = await runCliJson(['migrate'], { env });
    expect(second.result).toEqual({ applied: [] });
  }, T);

  test('org create, user create --password-stdin, org list and user list --org work', async () => {
    const org = await runCliJson(['org', 'create', 'acme', '--name', 'Acme', '--mfa', 'required'], { env });
    expect(org.result).toMatchObject({ organisation: { slug: 'acme', name: 'Acme', mfa_mode: 'required' } });
    const user = await runCliJson(['user', 'create', 'p@acme.test', '--org', 'acme', '--password-stdin'], { env, input: 'postgres-password-1\n' });
    expect(user.result).toMatchObject({ user: { email: 'p@acme.test', org: 'acme', has_password: true } });

    const orgs = await runCliJson<{ organisations: Array<Record<string, unknown>> }>(['org', 'list'], { env });
    expect(orgs.result.organisations).toEqual([expect.objectContaining({ slug: 'acme', name: 'Acme', mfa_mode: 'required' })]);
    const users = await runCliJson<{ users: Array<Record<string, unknown>> }>(['user', 'list', '--org', 'acme'], { env });
    expect(users.result.users).toEqual([expect.objectContaining({ email: 'p@acme.test', org: 'acme' })]);

    // Really in PostgreSQL, hashed.
    const rows = await withClient(async (c) => (await c.query('SELECT email, password_hash FROM users')).rows, databaseUrl);
    expect(rows).toEqual([{ email: 'p@acme.test', password_hash: expect.stringMatching(/^\$argon2id\$/) }]);
    // Nothing was written to the (unused) data dir.
    expect(readdirSync(dir)).toEqual([]);
  }, T);

  test('client create prints a secret that PostgreSQL holds only encrypted', async () => {
    const { result } = await runCliJson<{ client_id: string; client_secret: string }>(
      ['client', 'create', 'PG App', '--org', 'acme', '--redirect-uri', 'https://pg.test/cb'],
      { env },
    );
    expect(result.client_secret).toEqual(expect.any(String));
    const rows = await withClient(
      async (c) => (await c.query('SELECT secret_encrypted, metadata::text AS metadata FROM clients WHERE client_id = $1', [result.client_id])).rows,
      databaseUrl,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].secret_encrypted).toEqual(expect.any(String));
    expect(rows[0].secret_encrypted).not.toContain(result.client_secret);
    expect(rows[0].metadata).not.toContain(result.client_secret);
    const list = await runCliJson<{ clients: Array<Record<string, unknown>> }>(['client', 'list'], { env });
    expect(list.result.clients).toEqual([expect.objectContaining({ client_id: result.client_id, org: 'acme', public: false })]);
  }, T);

  test('a missing KEYSTEP_ENCRYPTION_KEY is a one-line configuration error naming it', async () => {
    const run = await runCli(['org', 'list'], { env: cliEnv({ ...settings, KEYSTEP_ENCRYPTION_KEY: undefined }) });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toMatch(/^keystep: KEYSTEP_ENCRYPTION_KEY\b/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  }, T);
});
