// First start on an empty embedded store: a demo organisation, user and client for /demo.
import { randomBytes } from 'node:crypto';
import type { Store } from '../store/port.js';
import type { Sealer } from '../crypto/sealer.js';
import { createOrganisation } from '../admin/organisations.js';
import { createUser } from '../account/users.js';
import { createClient } from '../admin/clients.js';
import { DEMO_CLIENT_ID } from './relying-party.js';

export const DEMO_EMAIL = 'demo@keystep.local';

/** Returns the one-time demo password when it seeded, undefined when the store was not empty. */
export async function seedDemo(store: Store, sealer: Sealer, issuer: string): Promise<string | undefined> {
  if ((await store.organisations.list()).length > 0) return undefined;
  const password = randomBytes(12).toString('base64url');
  await store.transaction(async (tx) => {
  await createOrganisation(tx, { slug: 'demo', name: 'Demo organisation', mfaMode: 'optional' });
  await tx.organisations.setWebauthnPolicy('demo', { attestation: 'none', aaguids: [], offerPasskeys: true });
  await createUser(tx, { email: DEMO_EMAIL, orgSlug: 'demo', password, name: 'Demo User', emailVerified: true });
  await createClient(tx, sealer, {
    clientId: DEMO_CLIENT_ID,
    name: 'Keystep demo',
    redirectUris: [`${issuer}/demo/callback`],
    postLogoutRedirectUris: [`${issuer}/demo`],
    orgSlug: 'demo',
    public: true,
  });
  });
  return password;
}
