// Health endpoints, a signing key from KEYSTEP_JWKS_FILE, and admin operations on factors.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as oidc from 'openid-client';
import { decodeProtectedHeader } from 'jose';
import { startTestKeystep, type TestKeystep } from './support/keystep.js';
import { createTestUser, registerClient } from './support/oidc.js';
import { generateSigningKey } from '../src/provider/signing-keys.js';
import { confirmEnrolment, startEnrolment } from '../src/factors/enrolment.js';
import { totpCode } from '../src/factors/totp/totp-codes.js';
import { runOperation } from '../src/admin/operations.js';

describe('operations', () => {
  let ks: TestKeystep;
  let kid: string;
  beforeAll(async () => {
    const key = await generateSigningKey();
    kid = key.kid!;
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'keystep-jwks-')), 'jwks.json');
    writeFileSync(file, JSON.stringify({ keys: [key] }));
    ks = await startTestKeystep({ env: { KEYSTEP_JWKS_FILE: file, KEYSTEP_RESOURCES: 'https://api.example.test' } });
  });
  afterAll(async () => ks?.stop());

  test('/healthz and /readyz answer', async () => {
    expect(await (await fetch(`${ks.issuer}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${ks.issuer}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  test('tokens are signed with the key from KEYSTEP_JWKS_FILE, and /jwks publishes only its public part', async () => {
    const jwks = await (await fetch(`${ks.issuer}/jwks`)).json();
    expect(jwks.keys.map((k: { kid: string }) => k.kid)).toEqual([kid]);
    expect(jwks.keys[0].d).toBeUndefined();
    const rp = await registerClient(ks);
    const tokens = await oidc.clientCredentialsGrant(rp.config, { resource: 'https://api.example.test', scope: 'api:read' });
    expect(decodeProtectedHeader(tokens.access_token)).toMatchObject({ alg: 'RS256', kid });
  });

  test('removing one factor is audited as mfa.factor_removed and leaves the others', async () => {
    const account = await createTestUser(ks, { mfa: 'required' });
    const f = ks.keystep.services.factors;
    const ids: string[] = [];
    for (const step of [-30, 0]) {
      const start = await startEnrolment(f, account.user, 'totp');
      if (start.type !== 'shared-secret') throw new Error('expected TOTP');
      const done = await confirmEnrolment(f, account.user, 'totp', { factorId: start.factorId, response: await totpCode(start.secretGroups.join(''), Math.floor(Date.now() / 1000) + step) }, {});
      expect(done.ok).toBe(true);
      ids.push(start.factorId);
    }
    const deps = { store: ks.store, sealer: ks.keystep.sealer, factors: f, levels: ks.keystep.services.acr };
    const result = (await runOperation(deps, 'user.remove-factor', { email: account.email, factorId: ids[0] })) as { removed: { id: string } };
    expect(result.removed.id).toBe(ids[0]);
    expect((await ks.store.mfaFactors.listForUser(account.user.id)).map((x) => x.id)).toEqual([ids[1]]);
    expect((await ks.store.audit.list({ userId: account.user.id, event: 'mfa.factor_removed' }))[0]!.details).toEqual({ factor_id: ids[0] });
    await expect(runOperation(deps, 'user.remove-factor', { email: account.email, factorId: ids[0] })).rejects.toThrow(/no factor/);
    const mfa = (await runOperation(deps, 'user.mfa', { email: account.email })) as { factors: unknown[]; backup_codes_remaining: number };
    expect(mfa.factors).toHaveLength(1);
    expect(mfa.backup_codes_remaining).toBe(10);
  });
});
