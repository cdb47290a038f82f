// The /demo relying party in a real browser (Chromium through playwright-core) against the real
// server started as `node --import tsx src/main.ts`: password sign-in at aal1, then the sensitive
// action's RFC 9470 step-up through a required TOTP enrolment to aal2, then sign-out.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { totpCode } from '../../src/factors/totp/totp-codes.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const available = existsSync(CHROMIUM);
if (!available) {
  if (process.env.CI) throw new Error(`browser tests cannot run: ${CHROMIUM} not found (CI must not skip them; apt-get install -y chromium)`);
  process.stderr.write(`browser tests skipped: ${CHROMIUM} not found (apt-get install -y chromium)\n`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** Starts the server; resolves with the one-time demo password once it answers HTTP. */
async function startServer(port: number, dataDir: string): Promise<{ child: ChildProcessWithoutNullStreams; password: string; output: () => string }> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('KEYSTEP_') && k !== 'DATABASE_URL' && k !== 'PORT') env[k] = v;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...env, PORT: String(port), KEYSTEP_DATA_DIR: dataDir, KEYSTEP_DEMO: 'true', KEYSTEP_LOG_LEVEL: 'warn' },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 30_000;
  let password: string | undefined;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}):\n${out}`);
    password ??= /^\s*password\s+(\S+)\s*$/m.exec(out)?.[1];
    if (password) {
      const ready = await fetch(`http://localhost:${port}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) return { child, password, output: () => out };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`the server did not start within 30 s:\n${out}`);
}

/** The ID token claims the demo page lists (the first <dl class="claims">). */
async function idTokenClaims(page: Page): Promise<Record<string, string>> {
  const list = page.locator('dl.claims').first();
  const names = await list.locator('dt').allTextContents();
  const values = await list.locator('dd').allTextContents();
  return Object.fromEntries(names.map((n, i) => [n.trim(), (values[i] ?? '').trim()]));
}

(available ? describe : describe.skip)('demo relying party in Chromium', () => {
  let port: number;
  let base: string;
  let dataDir: string;
  let profileDir: string;
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  let context: BrowserContext | undefined;
  let page: Page;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'keystep-demo-data-'));
    profileDir = mkdtempSync(path.join(os.tmpdir(), 'keystep-demo-chromium-'));
    port = await freePort();
    base = `http://localhost:${port}`;
    [server, context] = await Promise.all([
      startServer(port, dataDir),
      chromium.launchPersistentContext(profileDir, {
        executablePath: CHROMIUM,
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      }),
    ]);
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(10_000);
  }, 45_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    if (server && server.child.exitCode === null) {
      const exited = new Promise((r) => server!.child.once('exit', r));
      server.child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 5000)))]);
      clearTimeout(timer);
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
    }
    server?.child.stdout.destroy();
    server?.child.stderr.destroy();
    for (const dir of [dataDir, profileDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  }, 20_000);

  test('sign in at aal1, step up through TOTP enrolment for the sensitive action, sign out', async () => {
    // Sign in with the password; the optional MFA offer is skipped; consent.
    await page.goto(`${base}/demo`);
    await page.click('text=Sign in with Keystep');
    await page.fill('#email', 'demo@keystep.local');
    await page.fill('#password', server!.password);
    await page.click('button[type=submit]');
    await page.waitForSelector('form[action$="/mfa/skip"]');
    await page.click('button:has-text("Not now")');
    await page.click('button:has-text("Allow")');
    await page.waitForURL(`${base}/demo`);
    expect(await page.locator('.notice strong').first().textContent()).toBe('aal1');
    expect((await idTokenClaims(page)).acr).toBe('aal1');

    // The demo API needs aal2: its RFC 9470 challenge sends the browser back to Keystep.
    await page.click('button:has-text("Perform sensitive action")');
    await page.waitForSelector('a[href$="/mfa/enrol?kind=totp"]');
    expect(new URL(page.url()).pathname).toMatch(/^\/interaction\//);
    expect(await page.locator('#password').count()).toBe(0); // the session's password stands
    expect(await page.locator('form[action$="/mfa/skip"]').count()).toBe(0); // a level was asked for: no skipping
    await page.click('text=Set up: Authenticator app');
    const secret = ((await page.textContent('code.secret')) ?? '').replace(/\s+/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await page.fill('#code', await totpCode(secret, Math.floor(Date.now() / 1000)));
    await page.click('button:has-text("Verify and turn on")');
    await page.waitForSelector('#backup-codes');
    expect(await page.locator('#backup-codes code').count()).toBe(10);
    await page.click('button:has-text("I have saved them, continue")');
    await page.waitForURL((url) => url.pathname === '/demo' || url.pathname.startsWith('/interaction/'));
    if (await page.locator('form[action$="/confirm"]').count()) await page.click('button:has-text("Allow")');

    // Back on /demo: the retried call succeeded at aal2, and the ID token says step_up.
    await page.waitForSelector('#action-result');
    expect(new URL(page.url()).pathname).toBe('/demo');
    const result = JSON.parse((await page.textContent('#action-result')) ?? 'null') as { done?: boolean; acr?: string };
    expect(result).toMatchObject({ done: true, acr: 'aal2' });
    expect(await page.locator('.notice strong').first().textContent()).toBe('aal2');
    const claims = await idTokenClaims(page);
    expect(claims).toMatchObject({ acr: 'aal2', amr: '["pwd","otp","mfa"]', step_up: 'true' });

    // Sign out of Keystep and come back to /demo.
    await page.click('text=Sign out');
    await page.click('button:has-text("Yes, sign me out")');
    await page.waitForURL((url) => url.pathname === '/demo');
    // The Keystep session is gone: signing in again asks for the password.
    await page.goto(`${base}/demo/login`);
    await page.waitForSelector('#password');
    expect(new URL(page.url()).pathname).toMatch(/^\/interaction\//);
  }, 60_000);

  test('after signing out, /demo no longer shows the signed-in tokens', async () => {
    await page.goto(`${base}/demo`);
    expect(await page.locator('h1').first().textContent()).not.toBe('Signed in');
    expect(await page.locator('a:has-text("Sign in with Keystep")').count()).toBe(1);
  });
});
