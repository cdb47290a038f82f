// `npm run bench`: how fast the hot paths are, measured (not asserted). Runs a real server on
// an in-memory PGlite store and real clients against it; prints one line per benchmark.
import { createServer } from 'node:net';
import pino from 'pino';
import * as oidc from 'openid-client';
import { loadSettings } from '../src/config.js';
import { startServer } from '../src/server.js';
import { openPGlite } from '../src/store/pglite-database.js';
import { migrate } from '../src/store/migrate.js';
import { createSqlStore } from '../src/store/sql-store.js';
import { hashPassword, verifyPassword } from '../src/account/passwords.js';
import { matchTotp, newTotpSecret, totpCode } from '../src/factors/totp/totp-codes.js';
import { acrLevels } from '../src/policy/acr-levels.js';
import { decideAuthentication } from '../src/policy/step-up.js';
import { createClient } from '../src/admin/clients.js';

async function measure(name: string, iterations: number, fn: (i: number) => Promise<unknown> | unknown, concurrency = 1) {
  for (let i = 0; i < Math.min(5, iterations); i++) await fn(i); // warm-up
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < iterations) {
        const i = next++;
        const t = performance.now();
        await fn(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const total = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(2);
  console.log(`${name.padEnd(52)} ${(iterations / total).toFixed(0).padStart(8)} ops/s   p50 ${p(0.5).padStart(7)} ms   p99 ${p(0.99).padStart(7)} ms   (n=${iterations}, concurrency ${concurrency})`);
}

const levels = acrLevels(['aal1', 'aal2', 'aal3']);
const now = Math.floor(Date.now() / 1000);
await measure('policy: decideAuthentication (step-up needed)', 200_000, () =>
  decideAuthentication(levels, { acrValues: ['aal2'], promptLogin: false }, { minimumAcr: 'aal1' }, { authTime: now - 60, acr: 'aal1', achievedAt: now - 60, lastActiveAt: now - 60 }, now),
);
const secret = newTotpSecret();
const code = await totpCode(secret, now);
await measure('TOTP: verify a code (±1 step)', 20_000, () => matchTotp(secret, code, now));
const hash = await hashPassword('correct horse battery staple');
await measure('password: argon2id verify (m=19456, t=2, p=1)', 40, () => verifyPassword(hash, 'correct horse battery staple'));

const db = await openPGlite({ dataDir: ':memory:' });
await migrate(db);
const store = createSqlStore(db);
const port = await new Promise<number>((resolve) => {
  const s = createServer().listen(0, () => {
    const p = (s.address() as { port: number }).port;
    s.close(() => resolve(p));
  });
});
const settings = loadSettings({ PORT: String(port), KEYSTEP_DATA_DIR: ':memory:', KEYSTEP_DEMO: 'false', KEYSTEP_ENCRYPTION_KEY: 'b'.repeat(64), KEYSTEP_RESOURCES: 'https://api.bench.test', KEYSTEP_LOG_LEVEL: 'silent' });
const server = await startServer(settings, pino({ level: 'silent' }), { store, announce: () => undefined });
try {
  const issuer = server.url;
  const { client, clientSecret } = await createClient(store, server.keystep.sealer, { name: 'bench', redirectUris: [] });
  const config = await oidc.discovery(new URL(issuer), client.clientId, clientSecret, oidc.ClientSecretBasic(clientSecret!), { execute: [oidc.allowInsecureRequests] });
  await measure('HTTP: client_credentials → RS256 JWT access token', 400, () => oidc.clientCredentialsGrant(config, { resource: 'https://api.bench.test', scope: 'api:read' }), 8);
  await measure('HTTP: discovery document', 1000, () => fetch(`${issuer}/.well-known/openid-configuration`).then((r) => r.text()), 8);
} finally {
  await server.stop();
}
