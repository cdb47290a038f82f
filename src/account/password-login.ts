// Password sign-in with lockout. Every attempt first takes a slot from two atomic counters (the
// account, the client IP); only attempts within the limits reach the password check, so parallel
// guesses cannot exceed the limit, and a locked account refuses even the right password.
// An unknown email walks the same path (counters, a dummy hash) as a wrong password.
import type { Store, User } from '../store/port.js';
import type { Settings } from '../config.js';
import { normaliseEmail, verifyPassword } from './passwords.js';
import { AuditEvents } from '../audit/events.js';
import { recordFailedSignIn } from './sign-in-risk.js';

export type PasswordLoginResult =
  | { ok: true; user: User }
  | { ok: false; reason: 'invalid_credentials' | 'locked' };

export interface LoginAttempt {
  email: string;
  password: string;
  ip: string;
  userAgent?: string;
  clientId?: string;
  deviceId?: string;
  now?: Date;
}

export const accountCounterKey = (email: string) => `password:account:${normaliseEmail(email)}`;
export const ipCounterKey = (ip: string) => `password:ip:${ip}`;

export async function passwordLogin(
  store: Store,
  limits: Settings['login'],
  attempt: LoginAttempt,
): Promise<PasswordLoginResult> {
  const email = normaliseEmail(attempt.email);
  const accountKey = accountCounterKey(email);
  const ipKey = ipCounterKey(attempt.ip);
  const user = await store.users.findByEmail(email);
  const auditBase = {
    orgId: user?.orgId ?? null,
    userId: user?.id ?? null,
    clientId: attempt.clientId ?? null,
    ip: attempt.ip,
    userAgent: attempt.userAgent ?? null,
    factor: 'password',
  };

  // The IP first: a client already over its limit cannot push other accounts towards lockout.
  const ipCount = await store.attempts.increment(ipKey, limits.lockoutSeconds);
  const accountCount = ipCount > limits.maxAttemptsPerIp ? 0 : await store.attempts.increment(accountKey, limits.lockoutSeconds);
  if (ipCount > limits.maxAttemptsPerIp || accountCount > limits.maxFailures) {
    await store.audit.record({
      ...auditBase,
      event: AuditEvents.loginLocked,
      details: { email, scope: ipCount > limits.maxAttemptsPerIp ? 'ip' : 'account' },
    });
    return { ok: false, reason: 'locked' };
  }

  const valid = await verifyPassword(user?.passwordHash ?? null, attempt.password);
  if (valid && user && !user.disabled) {
    await store.attempts.reset(accountKey);
    await store.attempts.decrement(ipKey);
    await store.audit.record({ ...auditBase, event: AuditEvents.loginSucceeded });
    return { ok: true, user };
  }
  await store.audit.record({ ...auditBase, event: AuditEvents.loginFailed, details: { email } });
  // For the failure-velocity risk signal.
  if (user) await recordFailedSignIn(store, user.id, { ip: attempt.ip, deviceId: attempt.deviceId ?? null }, attempt.now ?? new Date());
  return { ok: false, reason: 'invalid_credentials' };
}
