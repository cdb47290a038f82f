// Gathers the facts src/policy/step-up.ts decides on, from oidc-provider's view of an
// authorization request (params, claims, client, session), and records what logins achieve.
import type { Store } from '../store/port.js';
import type { AcrLevels } from '../policy/acr-levels.js';
import { decideAuthentication, type AuthenticationDecision, type AuthorizationRequestFacts, type ClientPolicy } from '../policy/step-up.js';

export interface RequestView {
  /** Authorization parameters as oidc-provider parsed them. */
  params: Record<string, unknown>;
  /** The parsed `claims` parameter, if any. */
  claims?: { id_token?: { acr?: { essential?: boolean; value?: string; values?: string[] } | null } };
  prompts: ReadonlySet<string>;
  /** Client metadata (snake_case, including Keystep's extra properties). */
  client: Record<string, unknown>;
  /** The session's login, when there is one. */
  session?: { accountId: string; loginTs: number };
  /** This request is resuming from an interaction that just signed the user in. */
  freshLogin: boolean;
}

export function requestFacts(view: RequestView): AuthorizationRequestFacts {
  const acrValues = typeof view.params.acr_values === 'string' ? view.params.acr_values.split(' ').filter(Boolean) : [];
  const acrClaim = view.claims?.id_token?.acr;
  const essentialAcr = acrClaim?.essential ? (acrClaim.values ?? (acrClaim.value !== undefined ? [acrClaim.value] : undefined)) : undefined;
  const maxAge = view.params.max_age === undefined ? undefined : Number(view.params.max_age);
  return {
    acrValues,
    ...(essentialAcr ? { essentialAcr } : {}),
    ...(maxAge !== undefined && Number.isFinite(maxAge) && !view.freshLogin ? { maxAge } : {}),
    promptLogin: view.prompts.has('login') && !view.freshLogin,
  };
}

export function clientPolicy(metadata: Record<string, unknown>): ClientPolicy {
  // As stored (default_acr_values), or as the provider adapter passes it on (keystep_default_acr_values).
  const raw = metadata.keystep_default_acr_values ?? metadata.default_acr_values;
  const defaults = Array.isArray(raw) ? (raw as unknown[]) : [];
  return {
    minimumAcr: typeof metadata.minimum_acr === 'string' ? metadata.minimum_acr : undefined,
    mfaRequired: metadata.mfa_required === true,
    defaultAcrValues: defaults.length ? defaults.filter((v): v is string => typeof v === 'string') : undefined,
    acrEnforcement: metadata.acr_enforcement === 'lenient' ? 'lenient' : 'strict',
  };
}

/** Decides for an authorization request; a session whose login Keystep has no record of holds the baseline level. */
export async function assessAuthorization(store: Store, levels: AcrLevels, view: RequestView, now: number): Promise<AuthenticationDecision> {
  const record = view.session ? await store.sessionAssurance.find(view.session.accountId, view.session.loginTs) : undefined;
  const session = view.session
    ? {
        authTime: view.session.loginTs,
        acr: record?.acr ?? levels.baseline,
        achievedAt: record?.achievedAt ?? view.session.loginTs,
        lastActiveAt: record?.lastActiveAt ?? view.session.loginTs,
      }
    : undefined;
  return decideAuthentication(levels, requestFacts(view), clientPolicy(view.client), session, now);
}
