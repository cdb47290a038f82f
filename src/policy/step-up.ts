// Does this authorization request need (re-)authentication, and how much? The single place that
// decides it: request (acr_values, essential acr claim, max_age, prompt), client policy, the
// session's achieved level with its decay, and the clock in; a decision with reason codes out.
// Pure: exhaustive table tests in test/unit/step-up.test.ts.
import type { AcrLevels } from './acr-levels.js';

export interface AuthorizationRequestFacts {
  /** acr_values, in the RP's order of preference. */
  acrValues: readonly string[];
  /** claims.id_token.acr when essential: its value/values. */
  essentialAcr?: readonly string[];
  /** Seconds, when max_age was sent. */
  maxAge?: number;
  /** prompt=login was sent. */
  promptLogin: boolean;
}

export interface ClientPolicy {
  /** Every authorization of this client needs at least this level. */
  minimumAcr?: string;
  /** MFA for this client whatever the organisation says (= at least the AAL2 level). */
  mfaRequired?: boolean;
  /** Levels asked for when the request names none (OIDC default_acr_values; the first known one applies). */
  defaultAcrValues?: readonly string[];
  /** 'lenient': acr_values are a wish, not a demand (essential claims and minimum_acr still hold). */
  acrEnforcement?: 'strict' | 'lenient';
}

export interface SessionFacts {
  /** auth_time of the session's login (epoch seconds). */
  authTime: number;
  acr: string;
  /** When acr was reached and when the session last used it (epoch seconds). */
  achievedAt: number;
  lastActiveAt: number;
}

export type ReasonCode =
  | 'no_session'
  | 'prompt_login'
  | 'max_age'
  | 'acr_values'
  | 'essential_acr'
  | 'client_minimum_acr'
  | 'client_mfa_required'
  | 'client_default_acr'
  | 'level_decayed'
  | 'unknown_essential_acr';

export type AuthenticationDecision =
  /** The session is good enough; `acr` is the level it holds now. */
  | { type: 'none'; acr: string; required: string; reasons: ReasonCode[] }
  /** Sign in again from the first factor, up to `required`; `held` is what an existing session holds now. */
  | { type: 'full'; required: string; held?: string; reasons: ReasonCode[] }
  /** Keep the first factor; prove only what is missing to reach `required`. */
  | { type: 'step_up'; required: string; held: string; reasons: ReasonCode[] }
  /** Nothing the user could do satisfies the request. */
  | { type: 'refuse'; error: 'unmet_authentication_requirements'; reasons: ReasonCode[] };

/** The level the session holds at `now`: its acr, or lower once maxAge/idle have passed. */
export function effectiveAcr(levels: AcrLevels, session: SessionFacts, now: number): string {
  let rank = levels.rank(session.acr);
  while (rank > 0) {
    const level = levels.levels[rank]!;
    const expired = (level.maxAge !== undefined && now - session.achievedAt > level.maxAge) || (level.idle !== undefined && now - session.lastActiveAt > level.idle);
    if (!expired) break;
    rank -= 1;
  }
  return levels.values[Math.max(rank, 0)]!;
}

/** The weakest known value of a list (any of them satisfies), or undefined. */
function weakestKnown(levels: AcrLevels, values: readonly string[]): string | undefined {
  const known = values.filter((v) => levels.isKnown(v));
  return known.sort((a, b) => levels.rank(a) - levels.rank(b))[0];
}

export function decideAuthentication(
  levels: AcrLevels,
  request: AuthorizationRequestFacts,
  client: ClientPolicy,
  session: SessionFacts | undefined,
  now: number,
): AuthenticationDecision {
  const reasons: ReasonCode[] = [];
  let required = levels.baseline;
  const demand = (acr: string | undefined, reason: ReasonCode) => {
    if (acr === undefined || !levels.isKnown(acr)) return;
    if (levels.rank(acr) > levels.rank(required)) required = acr;
    if (levels.rank(acr) > 0) reasons.push(reason);
  };

  if (request.essentialAcr) {
    const essential = weakestKnown(levels, request.essentialAcr);
    if (!essential) return { type: 'refuse', error: 'unmet_authentication_requirements', reasons: ['unknown_essential_acr'] };
    demand(essential, 'essential_acr');
  }
  const requested = weakestKnown(levels, request.acrValues);
  if (client.acrEnforcement !== 'lenient') demand(requested, 'acr_values');
  if (!requested && !request.essentialAcr) demand(client.defaultAcrValues?.find((v) => levels.isKnown(v)), 'client_default_acr');
  demand(client.minimumAcr, 'client_minimum_acr');
  if (client.mfaRequired) demand(levels.forAal(2)?.name, 'client_mfa_required');

  if (!session) return { type: 'full', required, reasons: ['no_session', ...reasons] };
  const held = effectiveAcr(levels, session, now);
  if (request.promptLogin) return { type: 'full', required, held, reasons: ['prompt_login', ...reasons] };
  if (request.maxAge !== undefined && now - session.authTime > request.maxAge) return { type: 'full', required, held, reasons: ['max_age', ...reasons] };

  if (levels.rank(held) >= levels.rank(required)) return { type: 'none', acr: held, required, reasons };
  if (held !== session.acr) reasons.push('level_decayed');
  return { type: 'step_up', required, held, reasons };
}
