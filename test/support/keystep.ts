// Starts a real Keystep server (real HTTP, real oidc-provider, real store) for a test file.
import pino from 'pino';
import { loadSettings, type Settings } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/server.js';
import type { Store } from '../../src/store/port.js';
import { openTestStore, type StoreKind } from './databases.js';

export interface TestKeystep extends RunningServer {
  settings: Settings;
  store: Store;
  issuer: string;
  /** Moves Keystep's policy clock (decay, grace periods, TOTP) forward. */
  advanceClock(seconds: number): void;
  now(): Date;
}

/** env: extra settings as environment variables (e.g. KEYSTEP_LOGIN_MAX_FAILURES). */
export async function startTestKeystep(options: { env?: Record<string, string>; store?: StoreKind } = {}): Promise<TestKeystep> {
  // Listen on a free port first so the issuer can name it.
  const { createServer } = await import('node:net');
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const settings = loadSettings({
    PORT: String(port),
    KEYSTEP_DATA_DIR: ':memory:',
    KEYSTEP_DEMO: 'false',
    KEYSTEP_ENCRYPTION_KEY: 'a'.repeat(64),
    KEYSTEP_LOG_LEVEL: 'silent',
    ...options.env,
  });
  // Settings first: invalid ones must not leave a store open (it would keep jest alive).
  const store = await openTestStore(options.store ?? 'pglite');

  let offsetMs = 0;
  const now = () => new Date(Date.now() + offsetMs);
  const running = await startServer(settings, pino({ level: process.env.KEYSTEP_TEST_LOG ?? 'silent' }), {
    store,
    announce: () => undefined,
    now,
  });
  return {
    ...running,
    settings,
    store,
    issuer: settings.issuer,
    now,
    advanceClock: (seconds) => {
      offsetMs += seconds * 1000;
    },
  };
}
