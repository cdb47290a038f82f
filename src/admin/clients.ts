// Registering OIDC clients (relying parties and services).
import { randomBytes } from 'node:crypto';
import type { Store, ClientRecord } from '../store/port.js';
import type { Sealer } from '../crypto/sealer.js';
import { CLIENT_SECRET_CONTEXT } from '../provider/adapter.js';
import { InvalidAdminInput } from './errors.js';
import { requireOrganisation } from './organisations.js';

export interface CreateClientInput {
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  orgSlug?: string;
  public?: boolean;
  /** Fixed id (the demo client); otherwise a random one. */
  clientId?: string;
}

function checkRedirectUri(uri: string): void {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new InvalidAdminInput(`redirect URI "${uri}" is not an absolute URL`);
  }
  if (url.hash) throw new InvalidAdminInput(`redirect URI "${uri}" must not contain a fragment`);
}

export async function createClient(
  store: Store,
  sealer: Sealer,
  input: CreateClientInput,
): Promise<{ client: ClientRecord; clientSecret?: string }> {
  const name = input.name.trim();
  if (!name) throw new InvalidAdminInput('a client needs a name');
  input.redirectUris.forEach(checkRedirectUri);
  (input.postLogoutRedirectUris ?? []).forEach(checkRedirectUri);
  const org = input.orgSlug ? await requireOrganisation(store, input.orgSlug) : undefined;
  const clientId = input.clientId ?? randomBytes(16).toString('base64url');
  if (await store.clients.find(clientId)) throw new InvalidAdminInput(`client "${clientId}" already exists`);
  const clientSecret = input.public ? undefined : randomBytes(32).toString('base64url');
  const interactive = input.redirectUris.length > 0;
  const metadata: Record<string, unknown> = {
    redirect_uris: input.redirectUris,
    post_logout_redirect_uris: input.postLogoutRedirectUris ?? [],
    grant_types: interactive
      ? ['authorization_code', 'refresh_token', ...(input.public ? [] : ['client_credentials'])]
      : ['client_credentials'],
    response_types: interactive ? ['code'] : [],
    token_endpoint_auth_method: input.public ? 'none' : 'client_secret_basic',
    id_token_signed_response_alg: 'RS256',
  };
  if (!interactive && input.public) throw new InvalidAdminInput('a public client needs at least one redirect URI');
  const client = await store.clients.create({
    clientId,
    orgId: org?.id ?? null,
    name,
    secretEncrypted: clientSecret ? sealer.seal(clientSecret, CLIENT_SECRET_CONTEXT) : null,
    metadata,
  });
  return { client, clientSecret };
}
