// Adaptive MFA at sign-in: the context of this attempt (IP, location, device) against the
// user's history, scored by src/policy/risk.ts; the score and reasons go on the audit trail.
import type { Organisation, Store, User } from '../store/port.js';
import { assessRisk, riskPolicyOf, type RiskAssessment } from '../policy/risk.js';
import { locate, type Location } from './geolocation.js';
import { AuditEvents, type RequestFacts } from '../audit/events.js';

const HISTORY = 50;

export interface AttemptContext extends RequestFacts {
  ip: string;
  deviceId: string | null;
}

/** Scores the sign-in (adaptive organisations only) and records it in the user's history. */
export async function assessAndRecordSignIn(
  store: Store,
  org: Organisation,
  user: User,
  context: AttemptContext,
  now: Date,
): Promise<RiskAssessment | undefined> {
  const adaptive = org.mfaMode === 'adaptive';
  const where: Location = adaptive ? await locate(context.ip) : { country: null, latitude: null, longitude: null };
  let risk: RiskAssessment | undefined;
  if (adaptive) {
    const history = await store.loginHistory.recent(user.id, HISTORY);
    risk = assessRisk(riskPolicyOf(org.riskPolicy), { ...context, ...where }, history, now);
    await store.audit.record({
      event: AuditEvents.riskAssessed,
      orgId: org.id,
      userId: user.id,
      ip: context.ip,
      userAgent: context.userAgent ?? null,
      clientId: context.clientId ?? null,
      details: { score: risk.score, reasons: risk.reasons, requires_mfa: risk.requiresMfa, country: where.country },
    });
  }
  await store.loginHistory.record(user.id, { at: now, ip: context.ip, ...where, deviceId: context.deviceId, succeeded: true });
  return risk;
}

export async function recordFailedSignIn(store: Store, userId: string, context: AttemptContext, now: Date): Promise<void> {
  await store.loginHistory.record(userId, { at: now, ip: context.ip, country: null, latitude: null, longitude: null, deviceId: context.deviceId, succeeded: false });
}
