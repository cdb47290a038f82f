// Adaptive MFA: a risk score for a sign-in from its context and the user's recent history.
// Pure (the clock and all facts are inputs); weights and the threshold are organisation settings.
import { BlockList, isIP } from 'node:net';

export interface RiskPolicy {
  /** At or above this score the sign-in needs a second factor. */
  threshold: number;
  weights: {
    newDevice: number;
    newCountry: number;
    impossibleTravel: number;
    failureVelocity: number;
    deniedIp: number;
  };
  /** Faster than this between two consecutive sign-ins is impossible travel. */
  impossibleTravelKmh: number;
  /** This many failed sign-ins within failureWindowMinutes count as failure velocity. */
  failureThreshold: number;
  failureWindowMinutes: number;
  /** Addresses or CIDR ranges: sign-ins from allowed networks score 0; denied ones add deniedIp. */
  ipAllow: string[];
  ipDeny: string[];
}

export const DEFAULT_RISK_POLICY: RiskPolicy = {
  threshold: 50,
  weights: { newDevice: 25, newCountry: 60, impossibleTravel: 80, failureVelocity: 30, deniedIp: 100 },
  impossibleTravelKmh: 900,
  failureThreshold: 3,
  failureWindowMinutes: 15,
  ipAllow: [],
  ipDeny: [],
};

export type RiskReason = 'new_device' | 'new_country' | 'impossible_travel' | 'failure_velocity' | 'denied_ip' | 'allowed_ip';

export interface SignInContext {
  ip: string;
  country?: string | null;
  latitude?: number | null;
  longitude?: number | null;
  deviceId?: string | null;
}

export interface PastSignIn {
  at: Date;
  country: string | null;
  latitude: number | null;
  longitude: number | null;
  deviceId: string | null;
  succeeded: boolean;
}

export interface RiskAssessment {
  score: number;
  reasons: RiskReason[];
  requiresMfa: boolean;
}

/** Organisation settings over the defaults; unknown or ill-typed values are ignored. */
export function riskPolicyOf(stored: Record<string, unknown>): RiskPolicy {
  const num = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : d);
  const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const w = (stored.weights ?? {}) as Record<string, unknown>;
  const d = DEFAULT_RISK_POLICY;
  return {
    threshold: num(stored.threshold, d.threshold),
    weights: {
      newDevice: num(w.newDevice, d.weights.newDevice),
      newCountry: num(w.newCountry, d.weights.newCountry),
      impossibleTravel: num(w.impossibleTravel, d.weights.impossibleTravel),
      failureVelocity: num(w.failureVelocity, d.weights.failureVelocity),
      deniedIp: num(w.deniedIp, d.weights.deniedIp),
    },
    impossibleTravelKmh: num(stored.impossibleTravelKmh, d.impossibleTravelKmh),
    failureThreshold: Math.max(1, num(stored.failureThreshold, d.failureThreshold)),
    failureWindowMinutes: num(stored.failureWindowMinutes, d.failureWindowMinutes),
    ipAllow: list(stored.ipAllow),
    ipDeny: list(stored.ipDeny),
  };
}

/** An IP address or CIDR range, strictly parsed; undefined for anything else. */
export function parseAddressOrCidr(entry: string): { address: string; prefix?: number; type: 'ipv4' | 'ipv6' } | undefined {
  const [address, prefix, extra] = entry.split('/');
  const family = isIP(address ?? '');
  if (!family || extra !== undefined) return undefined;
  const type = family === 6 ? 'ipv6' : 'ipv4';
  if (prefix === undefined) return { address: address!, type };
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > (family === 6 ? 128 : 32)) return undefined;
  return { address: address!, prefix: Number(prefix), type };
}

// Malformed entries (possible in stored settings) are skipped, never widened to /0.
function blockList(entries: string[]): BlockList {
  const list = new BlockList();
  for (const parsed of entries.map(parseAddressOrCidr)) {
    if (!parsed) continue;
    if (parsed.prefix === undefined) list.addAddress(parsed.address, parsed.type);
    else list.addSubnet(parsed.address, parsed.prefix, parsed.type);
  }
  return list;
}

function inList(entries: string[], ip: string): boolean {
  const family = isIP(ip);
  return family !== 0 && entries.length > 0 && blockList(entries).check(ip, family === 6 ? 'ipv6' : 'ipv4');
}

/** Great-circle distance in km (haversine). */
export function distanceKm(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }): number {
  const rad = (d: number) => (d * Math.PI) / 180;
  const dLat = rad(b.latitude - a.latitude);
  const dLon = rad(b.longitude - a.longitude);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

/** history: the user's earlier sign-ins, newest first (successful and failed). */
export function assessRisk(policy: RiskPolicy, context: SignInContext, history: readonly PastSignIn[], now: Date): RiskAssessment {
  if (inList(policy.ipAllow, context.ip)) return { score: 0, reasons: ['allowed_ip'], requiresMfa: false };
  const reasons: RiskReason[] = [];
  let score = 0;
  // A signal weighted 0 is switched off: not scored, not reported.
  const add = (reason: RiskReason, weight: number) => {
    if (weight <= 0) return;
    reasons.push(reason);
    score += weight;
  };
  const successes = history.filter((h) => h.succeeded);
  if (inList(policy.ipDeny, context.ip)) add('denied_ip', policy.weights.deniedIp);
  // With no successful sign-in yet there is no baseline: nothing is "new".
  if (successes.length > 0) {
    if (!context.deviceId || !successes.some((h) => h.deviceId === context.deviceId)) add('new_device', policy.weights.newDevice);
    if (context.country && !successes.some((h) => h.country === context.country)) add('new_country', policy.weights.newCountry);
    const last = successes[0]!;
    if (context.latitude != null && context.longitude != null && last.latitude !== null && last.longitude !== null) {
      const km = distanceKm({ latitude: last.latitude, longitude: last.longitude }, { latitude: context.latitude, longitude: context.longitude });
      const hours = Math.max((now.getTime() - last.at.getTime()) / 3_600_000, 1 / 60);
      if (km > 100 && km / hours > policy.impossibleTravelKmh) add('impossible_travel', policy.weights.impossibleTravel);
    }
  }
  const since = now.getTime() - policy.failureWindowMinutes * 60_000;
  if (history.filter((h) => !h.succeeded && h.at.getTime() >= since).length >= policy.failureThreshold) add('failure_velocity', policy.weights.failureVelocity);
  return { score, reasons, requiresMfa: score >= policy.threshold };
}
