// "Trust this device": after a second factor the user may let this browser skip the
// organisation's MFA challenge for a while. The browser keeps a signed, httpOnly cookie naming
// device records; a record is bound to the user and can be revoked. Claims stay honest: a
// login that skipped MFA this way is amr ["pwd"], acr aal1, and explicit requests still step up.
import type { Organisation, Store, TrustedDevice, User } from '../store/port.js';
import { AuditEvents, type RequestFacts } from '../audit/events.js';

export const TRUSTED_DEVICE_COOKIE = 'keystep.trusted';
/** At most this many device ids are kept per browser (several users may share it). */
export const MAX_DEVICES_PER_BROWSER = 5;

export function parseDeviceIds(cookie: string | undefined): string[] {
  try {
    const ids = JSON.parse(cookie ?? '[]') as unknown;
    return Array.isArray(ids) ? ids.filter((x): x is string => typeof x === 'string').slice(0, MAX_DEVICES_PER_BROWSER) : [];
  } catch {
    return [];
  }
}

export async function trustDevice(
  store: Store,
  user: User,
  org: Organisation,
  facts: RequestFacts & { country?: string | null },
  now: Date,
): Promise<TrustedDevice | undefined> {
  if (org.rememberDeviceDays <= 0) return undefined;
  const device = await store.trustedDevices.create({
    userId: user.id,
    expiresAt: new Date(now.getTime() + org.rememberDeviceDays * 86_400_000),
    userAgent: facts.userAgent ?? null,
    ip: facts.ip ?? null,
    country: facts.country ?? null,
  });
  await store.audit.record({ event: AuditEvents.deviceTrusted, orgId: org.id, userId: user.id, ...facts, details: { device_id: device.id, expires_at: device.expiresAt.toISOString() } });
  return device;
}

/** The live trusted device among the browser's ids, if any (its last use is updated). */
export async function recognisedDevice(store: Store, userId: string, ids: string[], now: Date): Promise<TrustedDevice | undefined> {
  const device = await store.trustedDevices.findLive(userId, ids, now);
  if (device) await store.trustedDevices.touch(device.id, now);
  return device;
}

export async function revokeTrustedDevices(store: Store, user: User, deviceId: string | undefined, facts: RequestFacts): Promise<number> {
  const n = await store.trustedDevices.revoke(user.id, deviceId);
  if (n) await store.audit.record({ event: AuditEvents.deviceRevoked, orgId: user.orgId, userId: user.id, ...facts, details: { device_id: deviceId ?? 'all', revoked: n } });
  return n;
}
