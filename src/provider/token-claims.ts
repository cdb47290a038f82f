// What access tokens say about how the user authenticated. oidc-provider puts acr/amr/auth_time
// on ID tokens only; Keystep copies them from the code or refresh token being exchanged.
import type { KoaContextWithOIDC } from 'oidc-provider';

interface AuthenticationFacts {
  acr?: string;
  amr?: string[];
  authTime?: number;
}

export function accessTokenAuthClaims(ctx: KoaContextWithOIDC | undefined, token: { kind: string }) {
  if (token.kind !== 'AccessToken' || !ctx) return undefined;
  const entities = ctx.oidc?.entities as { AuthorizationCode?: AuthenticationFacts; RefreshToken?: AuthenticationFacts } | undefined;
  const source = entities?.AuthorizationCode ?? entities?.RefreshToken;
  if (!source) return undefined;
  return {
    ...(source.acr ? { acr: source.acr } : {}),
    ...(source.amr ? { amr: source.amr } : {}),
    ...(source.authTime ? { auth_time: source.authTime } : {}),
  };
}
