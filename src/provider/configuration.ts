// oidc-provider configuration: what Keystep's tokens say and which protocol features are on.
import type { Configuration, KoaContextWithOIDC, FindAccount } from 'oidc-provider';
import type { JWK } from 'jose';
import type { Settings } from '../config.js';
import type { Store } from '../store/port.js';
import { accessTokenAuthClaims, isStepUpExchange } from './token-claims.js';
import { assurancePolicy } from './assurance-check.js';
import type { AcrLevels } from '../policy/acr-levels.js';
import { renderProviderError, renderLogoutPrompt, renderLogoutSuccess } from '../../views/provider-pages.js';

export interface ProviderConfigurationInput {
  settings: Settings;
  store: Store;
  adapter: Configuration['adapter'];
  jwks: { keys: JWK[] };
  cookieKeys: string[];
  /** Resource indicators this provider issues JWT access tokens for. */
  resourceServers: string[];
  levels: AcrLevels;
  now: () => Date;
}

export function providerConfiguration(input: ProviderConfigurationInput): Configuration {
  const { settings, store, resourceServers } = input;
  const known = new Set(resourceServers);

  const findAccount: FindAccount = async (ctx, sub) => {
    const user = await store.users.findById(sub);
    if (!user || user.disabled) return undefined;
    return {
      accountId: user.id,
      async claims(use) {
        const stepUp = use === 'id_token' && (await isStepUpExchange(store, ctx));
        return {
          sub: user.id,
          email: user.email,
          email_verified: user.emailVerified,
          name: user.name ?? undefined,
          ...(stepUp ? { step_up: true } : {}),
        };
      },
    };
  };

  return {
    adapter: input.adapter,
    findAccount,
    jwks: input.jwks as Configuration['jwks'],
    cookies: {
      keys: input.cookieKeys,
      long: { httpOnly: true, sameSite: 'lax', signed: true },
      short: { httpOnly: true, sameSite: 'lax', signed: true },
    },
    // acr, amr and auth_time ride on the openid scope, so every ID token carries them.
    claims: {
      openid: ['sub', 'acr', 'amr', 'auth_time', 'step_up'],
      email: ['email', 'email_verified'],
      profile: ['name'],
    },
    acrValues: settings.acrValues,
    scopes: ['openid', 'offline_access', 'email', 'profile'],
    responseTypes: ['code'],
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      id_token_signed_response_alg: 'RS256',
      token_endpoint_auth_method: 'client_secret_basic',
    },
    enabledJWA: {
      idTokenSigningAlgValues: ['RS256'],
      userinfoSigningAlgValues: ['RS256'],
      introspectionSigningAlgValues: ['RS256'],
      authorizationSigningAlgValues: ['RS256'],
      requestObjectSigningAlgValues: ['RS256'],
      clientAuthSigningAlgValues: ['RS256'],
    },
    pkce: { required: () => true },
    rotateRefreshToken: true,
    issueRefreshToken: async (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    interactions: {
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
      policy: assurancePolicy(store, input.levels, input.now),
    },
    // Keystep's per-client authentication policy (see src/policy/step-up.ts).
    extraClientMetadata: {
      properties: ['minimum_acr', 'mfa_required', 'acr_enforcement', 'keystep_default_acr_values'],
      validator(_ctx, key, value) {
        const ok =
          value === undefined ||
          (key === 'minimum_acr' && typeof value === 'string' && input.levels.isKnown(value)) ||
          (key === 'mfa_required' && typeof value === 'boolean') ||
          (key === 'acr_enforcement' && (value === 'strict' || value === 'lenient')) ||
          (key === 'keystep_default_acr_values' && Array.isArray(value) && value.every((v) => typeof v === 'string'));
        if (!ok) throw new Error(`invalid ${key}`);
      },
    },
    ttl: {
      AccessToken: settings.ttl.accessToken,
      AuthorizationCode: 60,
      ClientCredentials: settings.ttl.accessToken,
      IdToken: settings.ttl.idToken,
      Interaction: 3600,
      Grant: settings.ttl.refreshToken,
      RefreshToken: settings.ttl.refreshToken,
      Session: settings.ttl.session,
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      claimsParameter: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: renderLogoutPrompt,
        postLogoutSuccessSource: renderLogoutSuccess,
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx, _client, oneOf) => oneOf ?? settings.defaultAudience,
        useGrantedResource: async () => settings.defaultAudience !== undefined,
        getResourceServerInfo: async (_ctx, resource) => {
          if (!known.has(resource)) {
            const { errors } = await import('oidc-provider');
            throw new errors.InvalidTarget(`unknown resource server ${resource}`);
          }
          return {
            audience: resource,
            scope: 'api:read api:write',
            accessTokenFormat: 'jwt',
            accessTokenTTL: settings.ttl.accessToken,
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    extraTokenClaims: async (ctx: KoaContextWithOIDC, token) => accessTokenAuthClaims(store, ctx, token),
    renderError: renderProviderError,
  };
}
