// End to end: the `keystep` command line next to a running server (`node --import tsx src/main.ts`)
// on the same embedded data dir. The server holds the store (keystep.lock); the CLI must send its
// operations through the server's admin socket (keystep.sock) instead of failing on the lock.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  anyFileContains,
  cliEnv,
  lines,
  removeDir,
  runCli,
  runCliJson,
  startServerProcess,
  tempDataDir,
  type ServerProcess,
} from './support/cli.js';

/** Per test: a CLI run takes 1–5 s, a server start up to ~10 s on a slow machine. */
const T = 60_000;
const PASSWORD = 'through-the-socket-123';

type UserRow = { id: string; email: string; org: string };

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('keystep CLI with a running server on the same data dir (KEYSTEP_DEMO=false)', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    dir = tempDataDir('server');
    env = cliEnv({ KEYSTEP_DATA_DIR: dir, KEYSTEP_DEMO: 'false' });
    server = await startServerProcess(env);
    await server.ready();
  }, T);
  afterAll(async () => {
    await server?.stop();
    removeDir(dir);
  }, T);

  test('the server holds the data dir: lock file with its pid, admin socket, no demo password', () => {
    expect(JSON.parse(readFileSync(path.join(dir, 'keystep.lock'), 'utf8'))).toEqual({ pid: server!.child.pid, role: 'server' });
    expect(existsSync(path.join(dir, 'keystep.sock'))).toBe(true);
    expect(server!.stdout()).not.toMatch(/password/i);
  });

  test('org create and user create --password-stdin succeed through the server', async () => {
    const org = await runCli(['org', 'create', 'beta', '--name', 'Beta', '--json'], { env });
    expect(org.stderr).toBe('');
    expect(org.code).toBe(0);
    expect(JSON.parse(org.stdout)).toMatchObject({ organisation: { slug: 'beta', name: 'Beta', mfa_mode: 'optional' } });

    const user = await runCli(['user', 'create', 'b@beta.test', '--org', 'beta', '--password-stdin', '--json'], { env, input: `${PASSWORD}\n` });
    expect(user.stderr).toBe('');
    expect(user.code).toBe(0);
    expect(JSON.parse(user.stdout)).toMatchObject({ user: { email: 'b@beta.test', org: 'beta', has_password: true } });
    // Still the server's: the CLI neither took nor removed the lock.
    expect(JSON.parse(readFileSync(path.join(dir, 'keystep.lock'), 'utf8'))).toEqual({ pid: server!.child.pid, role: 'server' });
  }, T);

  test('a refused operation through the server exits 2 with one keystep: line', async () => {
    const run = await runCli(['user', 'create', 'B@beta.test', '--org', 'beta', '--password', 'another-password-1'], { env });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(lines(run.stderr)).toEqual(['keystep: a user with email b@beta.test already exists']);
  }, T);

  test('user list --json (a second CLI process) sees the user in the server', async () => {
    const { result } = await runCliJson<{ users: UserRow[] }>(['user', 'list', '--org', 'beta'], { env });
    expect(result.users).toEqual([expect.objectContaining({ email: 'b@beta.test', org: 'beta' })]);
  }, T);

  test('migrate --json leaves the migrating to the running server', async () => {
    const { result } = await runCliJson<{ applied: string[]; note?: string }>(['migrate'], { env });
    expect(result.applied).toEqual([]);
    expect(result.note).toContain(`pid ${server!.child.pid}`);
  }, T);

  test('a second server on the same data dir exits non-zero with one line naming the data dir', async () => {
    const second = await startServerProcess(env);
    const done = await second.exited;
    expect(done.code).not.toBe(0);
    expect(done.code).not.toBeNull();
    expect(lines(done.stderr)).toHaveLength(1);
    expect(done.stderr).toMatch(/^keystep: /);
    expect(done.stderr).toContain(dir);
    expect(done.stderr).toMatch(/in use/);
    expect(done.stderr).toContain(`pid ${server!.child.pid}`);
    // The first server is unharmed and still holds the lock.
    expect((await fetch(`${server!.url}/healthz`)).status).toBe(200);
    expect(JSON.parse(readFileSync(path.join(dir, 'keystep.lock'), 'utf8'))).toEqual({ pid: server!.child.pid, role: 'server' });
    expect(existsSync(path.join(dir, 'keystep.sock'))).toBe(true);
  }, T);

  test('SIGTERM stops the server with exit code 0 and removes the lock file and the socket', async () => {
    const done = await server!.stop();
    expect(done.signal).toBeNull();
    expect(done.code).toBe(0);
    expect(existsSync(path.join(dir, 'keystep.lock'))).toBe(false);
    expect(existsSync(path.join(dir, 'keystep.sock'))).toBe(false);
  }, T);

  test('a stale lock file (dead pid) does not block the CLI, which then opens the store itself', async () => {
    const deadPid = 999_999;
    expect(alive(deadPid)).toBe(false);
    writeFileSync(path.join(dir, 'keystep.lock'), JSON.stringify({ pid: deadPid, role: 'server' }));
    const { result, run } = await runCliJson<{ users: UserRow[] }>(['user', 'list'], { env });
    expect(run.stderr).toBe('');
    // What the server wrote is on disk.
    expect(result.users.map((u) => u.email)).toEqual(['b@beta.test']);
    expect(existsSync(path.join(dir, 'keystep.lock'))).toBe(false);
  }, T);

  test("a stale lock holding the restarted server's own pid (container restart after a crash) does not block it", async () => {
    // Logs at error level so that a refusal shows its reason in the failure message.
    const restarted = await startServerProcess(
      { ...env, KEYSTEP_LOG_LEVEL: 'error' },
      { script: path.join('test', 'support', 'server-over-own-stale-lock.ts') },
    );
    const ready = await restarted.ready().then(
      () => 'ready',
      (err: Error) => err.message,
    );
    const heldBy = ready === 'ready' ? JSON.parse(readFileSync(path.join(dir, 'keystep.lock'), 'utf8')) : undefined;
    const done = await restarted.stop();
    expect(ready).toBe('ready');
    expect(heldBy).toEqual({ pid: restarted.child.pid, role: 'server' });
    expect(done.code).toBe(0);
    expect(existsSync(path.join(dir, 'keystep.lock'))).toBe(false);
  }, T);
});

describe('the one-time demo password (KEYSTEP_DEMO unset: on by default)', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const servers: ServerProcess[] = [];

  beforeAll(() => {
    dir = tempDataDir('demo');
    env = cliEnv({ KEYSTEP_DATA_DIR: dir });
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    removeDir(dir);
  }, T);

  let password: string | undefined;

  test('the first start on an empty store prints the demo password once', async () => {
    const server = await startServerProcess(env);
    servers.push(server);
    await server.ready();
    const done = await server.stop();
    expect(done.code).toBe(0);
    const passwordLines = lines(done.stdout).filter((l) => /^\s*password\s/.test(l));
    expect(passwordLines).toHaveLength(1);
    expect(done.stdout).toContain('demo@keystep.local');
    password = passwordLines[0]!.trim().split(/\s+/)[1];
    expect(password).toMatch(/^\S{12,}$/);
    // "not stored in clear anywhere"
    expect(anyFileContains(dir, password!)).toBeUndefined();
  }, T);

  test('the second start prints no demo password', async () => {
    expect(password).toBeDefined();
    const server = await startServerProcess(env);
    servers.push(server);
    await server.ready();
    const done = await server.stop();
    expect(done.code).toBe(0);
    expect(done.stdout).not.toMatch(/password/i);
    expect(done.stdout).not.toContain(password!);
  }, T);
});
