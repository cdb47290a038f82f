// oidc-provider's storage adapter on the Keystep store. Clients are read from the clients
// table (their secrets unsealed on the way); every other model lives in oidc_payloads.
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Store } from '../store/port.js';
import type { Sealer } from '../crypto/sealer.js';

export const CLIENT_SECRET_CONTEXT = 'client-secret';

export function createAdapterClass(store: Store, sealer: Sealer) {
  return class KeystepAdapter implements Adapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      if (this.model === 'Client') throw new Error('clients are managed through the Keystep store');
      await store.oidc.upsert(this.model, id, payload as Record<string, unknown>, expiresIn || undefined);
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') {
        const client = await store.clients.find(id);
        if (!client) return undefined;
        // oidc-provider would copy default_acr_values into acr_values itself; Keystep's policy
        // applies them (src/policy/step-up.ts), so they travel under their own name.
        const { default_acr_values: defaultAcrValues, ...metadata } = client.metadata;
        return {
          ...metadata,
          ...(defaultAcrValues !== undefined ? { keystep_default_acr_values: defaultAcrValues } : {}),
          client_id: client.clientId,
          client_name: client.name,
          ...(client.secretEncrypted
            ? { client_secret: sealer.open(client.secretEncrypted, CLIENT_SECRET_CONTEXT) }
            : {}),
        } as AdapterPayload;
      }
      return (await store.oidc.find(this.model, id)) as AdapterPayload | undefined;
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return (await store.oidc.findByUserCode(this.model, userCode)) as AdapterPayload | undefined;
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return (await store.oidc.findByUid(this.model, uid)) as AdapterPayload | undefined;
    }

    async consume(id: string): Promise<void> {
      await store.oidc.consume(this.model, id);
    }

    async destroy(id: string): Promise<void> {
      await store.oidc.destroy(this.model, id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await store.oidc.revokeByGrantId(grantId);
    }
  };
}
