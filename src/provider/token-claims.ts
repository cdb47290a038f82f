// What tokens say about how the user authenticated. oidc-provider puts acr/amr/auth_time on
// ID tokens only; Keystep copies them onto access tokens from the code or refresh token being
// exchanged, and adds `step_up: true` to the tokens of the authorization whose login raised the
// session's level (the first authorization code that login produced).
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Store } from '../store/port.js';

interface AuthenticationFacts {
  jti?: string;
  accountId?: string;
  acr?: string;
  amr?: string[];
  authTime?: number;
}

function sourceOf(ctx: KoaContextWithOIDC | undefined): { source: AuthenticationFacts; fromCode: boolean } | undefined {
  const entities = ctx?.oidc?.entities as { AuthorizationCode?: AuthenticationFacts; RefreshToken?: AuthenticationFacts } | undefined;
  if (entities?.AuthorizationCode) return { source: entities.AuthorizationCode, fromCode: true };
  if (entities?.RefreshToken) return { source: entities.RefreshToken, fromCode: false };
  return undefined;
}

/** True when the code being exchanged is the one a step-up login produced. */
export async function isStepUpExchange(store: Store, ctx: KoaContextWithOIDC | undefined): Promise<boolean> {
  const found = sourceOf(ctx);
  if (!found?.fromCode) return false;
  const { accountId, authTime, jti } = found.source;
  if (!accountId || !authTime || !jti) return false;
  const record = await store.sessionAssurance.find(accountId, authTime);
  if (!record?.stepUp) return false;
  // Normally claimed when the code was saved; claim here if that has not landed yet.
  return record.stepUpCode === jti || (record.stepUpCode === null && (await store.sessionAssurance.claimStepUpCode(accountId, authTime, jti)));
}

export async function accessTokenAuthClaims(store: Store, ctx: KoaContextWithOIDC | undefined, token: { kind: string }) {
  if (token.kind !== 'AccessToken') return undefined;
  const found = sourceOf(ctx);
  if (!found) return undefined;
  const { source } = found;
  return {
    ...(source.acr ? { acr: source.acr } : {}),
    ...(source.amr ? { amr: source.amr } : {}),
    ...(source.authTime ? { auth_time: source.authTime } : {}),
    ...((await isStepUpExchange(store, ctx)) ? { step_up: true } : {}),
  };
}
