// End to end: the `keystep` command line (real child processes) on the embedded PGlite store in
// KEYSTEP_DATA_DIR, with no server running: each invocation opens the data dir itself.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { verify } from '@node-rs/argon2';
import { openPGlite } from '../src/store/pglite-database.js';
import { anyFileContains, cliEnv, lines, removeDir, runCli, runCliJson, tempDataDir } from './support/cli.js';

/** Per test: each CLI run starts Node, tsx and PGlite (2–5 s). */
const T = 60_000;

interface Org {
  slug: string;
  name: string;
  mfa_mode: string;
  mfa_grace_days: number;
}
interface CreatedClient {
  client_id: string;
  client_secret?: string;
  name: string;
  redirect_uris: string[];
  token_endpoint_auth_method: string;
}

const PASSWORD = 'correct-horse-battery-staple';

describe('keystep CLI on the embedded store, no server running', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const created: { userId?: string; confidential?: CreatedClient; publicClient?: CreatedClient } = {};

  beforeAll(() => {
    dir = tempDataDir('embedded');
    env = cliEnv({ KEYSTEP_DATA_DIR: dir });
  }, T);
  afterAll(() => removeDir(dir));

  /** A refused command: exit code 2, nothing on stdout, exactly one `keystep: …` line on stderr. */
  const expectRefused = (run: { code: number | null; stdout: string; stderr: string }, mentions: RegExp) => {
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toMatch(/^keystep: /);
    expect(run.stderr).toMatch(mentions);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
  };

  test('org create --name --mfa required --json creates the organisation (and migrates the fresh store)', async () => {
    const { result, run } = await runCliJson<{ organisation: Org }>(['org', 'create', 'acme', '--name', 'Acme', '--mfa', 'required'], { env });
    expect(run.stderr).toBe('');
    expect(result.organisation).toMatchObject({ slug: 'acme', name: 'Acme', mfa_mode: 'required', mfa_grace_days: 0 });
    // The CLI held the data dir only while it ran.
    expect(existsSync(path.join(dir, 'keystep.lock'))).toBe(false);
    expect(existsSync(path.join(dir, 'pglite'))).toBe(true);
  }, T);

  test('user create --password-stdin reads the password from standard input', async () => {
    const { result, run } = await runCliJson<{ user: { id: string; email: string; org: string; has_password: boolean } }>(
      ['user', 'create', 'a@acme.test', '--org', 'acme', '--password-stdin', '--name', 'Alice'],
      { env, input: `${PASSWORD}\n` },
    );
    expect(run.stderr).toBe('');
    expect(result.user).toMatchObject({ email: 'a@acme.test', org: 'acme', has_password: true });
    expect(result.user.id).toMatch(/^[0-9a-f-]{36}$/);
    created.userId = result.user.id;
  }, T);

  test('user create with a malformed email exits 2 with one keystep: line', async () => {
    const run = await runCli(['user', 'create', 'not-an-email', '--org', 'acme', '--password', PASSWORD], { env });
    expectRefused(run, /not-an-email.*not an email address/);
  }, T);

  test('user create of an existing user (in any letter case) exits 2', async () => {
    const run = await runCli(['user', 'create', 'A@Acme.TEST', '--org', 'acme', '--password-stdin'], { env, input: 'another-password-42' });
    expectRefused(run, /a@acme\.test already exists/);
  }, T);

  test('client create --json prints the client_id and the one-time client_secret', async () => {
    const { result, run } = await runCliJson<CreatedClient>(['client', 'create', 'App', '--redirect-uri', 'https://app.test/cb'], { env });
    expect(run.stderr).toBe('');
    expect(result).toMatchObject({ name: 'App', redirect_uris: ['https://app.test/cb'], token_endpoint_auth_method: 'client_secret_basic' });
    expect(result.client_id).toEqual(expect.any(String));
    expect(result.client_secret).toEqual(expect.any(String));
    expect(result.client_secret!.length).toBeGreaterThanOrEqual(32);
    created.confidential = result;
  }, T);

  test('client create --public prints no client_secret', async () => {
    const { result } = await runCliJson<CreatedClient>(['client', 'create', 'Mobile', '--public', '--redirect-uri', 'https://app.test/mobile'], { env });
    expect(result).not.toHaveProperty('client_secret');
    expect(result.token_endpoint_auth_method).toBe('none');
    expect(result.client_id).not.toBe(created.confidential?.client_id);
    created.publicClient = result;
  }, T);

  test('client list --json lists both clients, without secrets', async () => {
    const { result, run } = await runCliJson<{ clients: Array<Record<string, unknown>> }>(['client', 'list'], { env });
    expect(result.clients).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ client_id: created.confidential!.client_id, name: 'App', public: false, redirect_uris: ['https://app.test/cb'] }),
        expect.objectContaining({ client_id: created.publicClient!.client_id, name: 'Mobile', public: true }),
      ]),
    );
    expect(result.clients).toHaveLength(2);
    expect(run.stdout).not.toContain(created.confidential!.client_secret!);
  }, T);

  test('user list --json lists the user', async () => {
    const { result } = await runCliJson<{ users: Array<Record<string, unknown>> }>(['user', 'list'], { env });
    expect(result.users).toEqual([expect.objectContaining({ id: created.userId, email: 'a@acme.test', org: 'acme', disabled: false })]);
  }, T);

  test('org set-mfa --mode optional --grace-days 5 --json changes the policy', async () => {
    const { result } = await runCliJson<{ organisation: Org }>(['org', 'set-mfa', 'acme', '--mode', 'optional', '--grace-days', '5'], { env });
    expect(result.organisation).toMatchObject({ slug: 'acme', mfa_mode: 'optional', mfa_grace_days: 5 });
  }, T);

  test('org set-mfa --grace-days 31 is refused and changes nothing (org list, text output)', async () => {
    const run = await runCli(['org', 'set-mfa', 'acme', '--mode', 'off', '--grace-days', '31'], { env });
    expectRefused(run, /grace days must be between 0 and 30/);
    const list = await runCli(['org', 'list'], { env });
    expect(list.code).toBe(0);
    expect(lines(list.stdout)[0]).toMatch(/^SLUG\s+NAME\s+MFA_MODE\s+MFA_GRACE_DAYS$/);
    expect(lines(list.stdout)).toContainEqual(expect.stringMatching(/^acme\s+Acme\s+optional\s+5$/));
  }, T);

  test('user mfa --json shows no factors and no backup codes', async () => {
    const { result } = await runCliJson(['user', 'mfa', 'a@acme.test'], { env });
    expect(result).toEqual({ email: 'a@acme.test', last_mfa_at: null, factors: [], backup_codes_remaining: 0 });
  }, T);

  test('user reset-mfa --json resets (nothing to remove)', async () => {
    const { result } = await runCliJson(['user', 'reset-mfa', 'a@acme.test'], { env });
    expect(result).toEqual({ email: 'a@acme.test', removed_factors: 0 });
  }, T);

  test('migrate --json reports nothing to apply on a migrated store', async () => {
    const { result, run } = await runCliJson(['migrate'], { env });
    expect(result).toEqual({ applied: [] });
    expect(run.stderr).toBe('');
  }, T);

  test('CLI processes started at the same time do not trip over each other', async () => {
    // Each holds the data dir briefly. A correct CLI waits for the other or refuses with one clear
    // line (exit 2) that the data dir is busy; it must not take the other CLI for a server and
    // fail on the admin socket.
    const slugs = ['para-1', 'para-2', 'para-3'];
    const runs = await Promise.all(slugs.map((slug) => runCli(['org', 'create', slug], { env })));
    for (const run of runs) {
      expect(run.stderr).not.toMatch(/admin socket|ENOENT/);
      if (run.code === 0) continue;
      expect(run.code).toBe(2);
      expect(lines(run.stderr)).toHaveLength(1);
      expect(run.stderr).toMatch(/^keystep: /);
      expect(run.stderr).toContain(dir);
    }
    expect(runs.some((r) => r.code === 0)).toBe(true);
    expect(existsSync(path.join(dir, 'keystep.lock'))).toBe(false);
  }, T);

  test('the client secret and the password are not stored in clear', async () => {
    expect(existsSync(path.join(dir, 'keystep.lock'))).toBe(false); // every CLI process has ended
    const secret = created.confidential!.client_secret!;
    const db = await openPGlite({ dataDir: path.join(dir, 'pglite') });
    let clients: Array<{ client_id: string; secret_encrypted: string | null; metadata: string }>;
    let users: Array<{ email: string; password_hash: string | null }>;
    try {
      clients = await db.query('SELECT client_id, secret_encrypted, metadata::text AS metadata FROM clients ORDER BY name');
      users = await db.query('SELECT email, password_hash FROM users');
    } finally {
      await db.close();
    }
    const app = clients.find((c) => c.client_id === created.confidential!.client_id)!;
    expect(app.secret_encrypted).toEqual(expect.any(String));
    expect(app.secret_encrypted).not.toContain(secret);
    expect(app.secret_encrypted).not.toContain(Buffer.from(secret).toString('base64'));
    expect(app.metadata).not.toContain(secret);
    const mobile = clients.find((c) => c.client_id === created.publicClient!.client_id)!;
    expect(mobile.secret_encrypted).toBeNull();

    expect(users).toHaveLength(1);
    const hash = users[0]!.password_hash!;
    expect(hash).toMatch(/^\$argon2id\$/);
    // The password is what was written to stdin, without the trailing newline.
    await expect(verify(hash, PASSWORD)).resolves.toBe(true);
    await expect(verify(hash, `${PASSWORD}\n`)).resolves.toBe(false);

    // Nor anywhere in the data dir's files (tables, WAL, key file).
    expect(anyFileContains(dir, secret)).toBeUndefined();
    expect(anyFileContains(dir, PASSWORD)).toBeUndefined();
  }, T);
});
