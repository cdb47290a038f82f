// Passwordless sign-in with a passkey (a discoverable WebAuthn credential): the credential names
// the user; user verification is required, so the passkey alone is multi-factor (aal2 or above).
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { FactorContext, FactorProof } from '../factors/strategy.js';
import type { User } from '../store/port.js';
import { authenticationOptions, verifyAssertion, WEBAUTHN_KIND } from '../factors/webauthn/webauthn-strategy.js';
import { AuditEvents, type RequestFacts } from '../audit/events.js';

export function passkeyOptions(ctx: FactorContext) {
  return authenticationOptions(ctx, null, 'required');
}

export type PasskeyOutcome = { ok: true; user: User; proof: FactorProof } | { ok: false; reason: 'invalid' | 'cloned' };

export async function passkeySignIn(ctx: FactorContext, response: string, facts: RequestFacts): Promise<PasskeyOutcome> {
  let assertion: AuthenticationResponseJSON;
  try {
    assertion = JSON.parse(response) as AuthenticationResponseJSON;
  } catch {
    return { ok: false, reason: 'invalid' };
  }
  const factor = typeof assertion?.id === 'string' ? await ctx.store.mfaFactors.findByCredentialId(assertion.id) : undefined;
  const user = factor && (await ctx.store.users.findById(factor.userId));
  if (!factor || !user || user.disabled) return { ok: false, reason: 'invalid' };
  // The user handle the authenticator returns must be the credential owner's (WebAuthn §7.2).
  const handle = assertion.response?.userHandle;
  if (handle !== undefined && handle !== Buffer.from(user.id).toString('base64url')) return { ok: false, reason: 'invalid' };
  const outcome = await verifyAssertion(ctx, factor, assertion, true);
  const audit = { orgId: user.orgId, userId: user.id, factor: WEBAUTHN_KIND, ...facts };
  if (!outcome.ok) {
    await ctx.store.audit.record({ ...audit, event: AuditEvents.loginFailed, details: { method: 'passkey', reason: outcome.reason } });
    return { ok: false, reason: outcome.reason === 'cloned' ? 'cloned' : 'invalid' };
  }
  await ctx.store.users.recordMfa(user.id);
  await ctx.store.audit.record({ ...audit, event: AuditEvents.loginSucceeded, details: { method: 'passkey' } });
  return { ok: true, user, proof: outcome.proof! };
}
