// The login prompt's policy: oidc-provider's own checks, with its exact-match essential-acr
// checks replaced by Keystep's, which asks src/policy/step-up.ts whether the session is good
// enough for this request. Because it is a prompt Check, an existing session cannot bypass it.
import { interactionPolicy, errors, type KoaContextWithOIDC } from 'oidc-provider';
import type { Store } from '../store/port.js';
import type { AcrLevels } from '../policy/acr-levels.js';
import type { AuthenticationDecision } from '../policy/step-up.js';
import { assessAuthorization, type RequestView } from '../account/assurance.js';

const { Check, base } = interactionPolicy;

// The claims parameter as the client sent it: oidc-provider folds acr_values into its parsed
// copy, overwriting an essential acr claim with the voluntary acr_values.
function requestedClaims(raw: unknown): RequestView['claims'] {
  if (typeof raw !== 'string') return undefined;
  try {
    const parsed = JSON.parse(raw) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as RequestView['claims']) : undefined;
  } catch {
    return undefined;
  }
}

function viewOf(ctx: KoaContextWithOIDC): RequestView {
  const { oidc } = ctx;
  const session = oidc.session;
  const loginTs = session?.accountId ? session.authTime() : undefined;
  return {
    params: oidc.params as Record<string, unknown>,
    claims: requestedClaims((oidc.params as Record<string, unknown>).claims),
    prompts: oidc.prompts,
    client: (oidc.client?.metadata() ?? {}) as Record<string, unknown>,
    ...(session?.accountId && loginTs !== undefined ? { session: { accountId: session.accountId, loginTs } } : {}),
    freshLogin: Boolean((oidc.result as { login?: unknown } | undefined)?.login),
  };
}

export function assurancePolicy(store: Store, levels: AcrLevels, now: () => Date) {
  const decisions = new WeakMap<object, AuthenticationDecision>();
  const policy = base();
  const login = policy.get('login')!;
  login.checks.remove('essential_acrs');
  login.checks.remove('essential_acr');
  login.checks.add(
    new Check(
      'keystep_assurance',
      'the requested authentication level is above what the session holds',
      async (ctx) => {
        const view = viewOf(ctx);
        const at = Math.floor(now().getTime() / 1000);
        const decision = await assessAuthorization(store, levels, view, at);
        decisions.set(ctx, decision);
        if (decision.type === 'refuse') {
          throw new errors.UnmetAuthenticationRequirements(`the requested authentication level cannot be reached (${decision.reasons.join(', ')})`);
        }
        if (decision.type === 'none') {
          if (view.session) {
            const session = ctx.oidc.session!;
            if (session.acr !== undefined && levels.rank(decision.acr) < levels.rank(session.acr)) {
              // The level has decayed: the session now holds (and its tokens say) the lower one,
              // and using it at the lower level cannot revive the lapsed one.
              session.acr = decision.acr;
              await store.sessionAssurance.downgrade(view.session.accountId, view.session.loginTs, decision.acr);
            }
            await store.sessionAssurance.touch(view.session.accountId, view.session.loginTs, at);
          }
          return Check.NO_NEED_TO_PROMPT;
        }
        return Check.REQUEST_PROMPT;
      },
      (ctx) => ({ keystep: decisions.get(ctx) }),
    ),
  );
  return policy;
}

/** The decision the login prompt was raised with (kept in the interaction's prompt details). */
export function promptDecision(details: { prompt: { details?: unknown } }): AuthenticationDecision | undefined {
  return (details.prompt.details as { keystep?: AuthenticationDecision } | undefined)?.keystep;
}
