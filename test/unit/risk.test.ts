// assessRisk / riskPolicyOf / distanceKm (src/policy/risk.ts): the adaptive-MFA risk score, table by table.
//   allow-listed IP                          → score 0, reasons ['allowed_ip'], no MFA, whatever else is true
//   denied IP                                → + weights.deniedIp (25+60+80+30+100 by default, summed)
//   baseline = the user's SUCCESSFUL sign-ins (failed ones never make a device/country/location known)
//     no baseline                            → no new_device, new_country or impossible_travel
//     device absent or not in the baseline   → + weights.newDevice
//     country given and not in the baseline  → + weights.newCountry
//     > 100 km from the newest success, faster than impossibleTravelKmh (elapsed time floored at 1 minute)
//                                            → + weights.impossibleTravel
//   failureThreshold failures with at >= now − failureWindowMinutes (the edge is INSIDE the window)
//                                            → + weights.failureVelocity
//   a signal weighted 0 is neither scored nor reported; requiresMfa ⇔ score >= threshold
import {
  assessRisk,
  distanceKm,
  DEFAULT_RISK_POLICY,
  riskPolicyOf,
  type PastSignIn,
  type RiskPolicy,
  type RiskReason,
  type SignInContext,
} from '../../src/policy/risk.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const NOW = new Date('2025-06-15T12:00:00.000Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms);

interface Point {
  latitude: number;
  longitude: number;
}
const LONDON: Point = { latitude: 51.5, longitude: -0.12 };
const TOKYO: Point = { latitude: 35.7, longitude: 139.7 };
const PARIS: Point = { latitude: 48.8566, longitude: 2.3522 };
const READING: Point = { latitude: 51.4543, longitude: -0.9781 }; // ~60 km from LONDON
const NULL_ISLAND: Point = { latitude: 0, longitude: 0 };
const JUST_UNDER_100KM: Point = { latitude: 0.89, longitude: 0 }; // ~98.96 km from NULL_ISLAND
const JUST_OVER_100KM: Point = { latitude: 0.9, longitude: 0 }; // ~100.08 km from NULL_ISLAND

const DEVICE = 'device-known';
const IP = '198.51.100.20';

/** A successful sign-in from LONDON/GB on the known device, `at` defaulting to a day ago. */
function success(over: Partial<PastSignIn> = {}): PastSignIn {
  return { at: ago(DAY), country: 'GB', ...LONDON, deviceId: DEVICE, succeeded: true, ...over };
}
function failure(at: Date, over: Partial<PastSignIn> = {}): PastSignIn {
  return { at, country: null, latitude: null, longitude: null, deviceId: null, succeeded: false, ...over };
}
/** The context that matches success() exactly: known device, known country, same place. */
function ctx(over: Partial<SignInContext> = {}): SignInContext {
  return { ip: IP, country: 'GB', ...LONDON, deviceId: DEVICE, ...over };
}
function policy(over: Partial<Omit<RiskPolicy, 'weights'>> & { weights?: Partial<RiskPolicy['weights']> } = {}): RiskPolicy {
  const { weights, ...rest } = over;
  return { ...DEFAULT_RISK_POLICY, ...rest, weights: { ...DEFAULT_RISK_POLICY.weights, ...weights } };
}
const sorted = (reasons: readonly RiskReason[]) => [...reasons].sort();

interface Row {
  name: string;
  policy?: RiskPolicy;
  context: SignInContext;
  history: PastSignIn[];
  now?: Date;
  reasons: RiskReason[];
  score: number;
  requiresMfa: boolean;
}
function check(row: Row) {
  const result = assessRisk(row.policy ?? DEFAULT_RISK_POLICY, row.context, row.history, row.now ?? NOW);
  expect(sorted(result.reasons)).toEqual(sorted(row.reasons));
  expect(result.score).toBe(row.score);
  expect(result.requiresMfa).toBe(row.requiresMfa);
}
const run = (rows: Row[]) => test.each(rows.map((r) => [r.name, r] as const))('%s', (_name, row) => check(row));

describe('DEFAULT_RISK_POLICY', () => {
  test('has the documented values', () => {
    expect(DEFAULT_RISK_POLICY).toEqual({
      threshold: 50,
      weights: { newDevice: 25, newCountry: 60, impossibleTravel: 80, failureVelocity: 30, deniedIp: 100 },
      impossibleTravelKmh: 900,
      failureThreshold: 3,
      failureWindowMinutes: 15,
      ipAllow: [],
      ipDeny: [],
    });
  });
});

describe('distanceKm', () => {
  test('London–Paris is about 344 km (±5)', () => {
    const km = distanceKm({ latitude: 51.5074, longitude: -0.1278 }, { latitude: 48.8566, longitude: 2.3522 });
    expect(km).toBeGreaterThan(339);
    expect(km).toBeLessThan(349);
  });

  test('London–Tokyo is about 9,560 km (±50)', () => {
    const km = distanceKm(LONDON, TOKYO);
    expect(km).toBeGreaterThan(9510);
    expect(km).toBeLessThan(9610);
  });

  test.each([
    ['equator to north pole (quarter meridian)', NULL_ISLAND, { latitude: 90, longitude: 0 }, 10_007.5],
    ['antipodes on the equator (half circumference)', NULL_ISLAND, { latitude: 0, longitude: 180 }, 20_015.1],
    ['one degree of longitude on the equator', NULL_ISLAND, { latitude: 0, longitude: 1 }, 111.19],
    ['across the antimeridian (179.5 → −179.5)', { latitude: 0, longitude: 179.5 }, { latitude: 0, longitude: -179.5 }, 111.19],
  ] as const)('%s', (_name, a, b, expected) => {
    expect(distanceKm(a, b)).toBeCloseTo(expected, 0);
  });

  test.each([
    ['London', LONDON],
    ['Tokyo', TOKYO],
    ['null island', NULL_ISLAND],
    ['south pole', { latitude: -90, longitude: 45 }],
  ] as const)('the same point is 0 km away (%s)', (_name, p) => {
    expect(distanceKm(p, { ...p })).toBe(0);
  });

  test.each([
    ['London/Paris', LONDON, PARIS],
    ['London/Tokyo', LONDON, TOKYO],
    ['Reading/Tokyo', READING, TOKYO],
    ['null island/London', NULL_ISLAND, LONDON],
  ] as const)('is symmetric (%s)', (_name, a, b) => {
    const ab = distanceKm(a, b);
    expect(ab).toBeGreaterThan(0);
    expect(distanceKm(b, a)).toBeCloseTo(ab, 9);
  });
});

describe('assessRisk: no successful sign-in yet (no baseline)', () => {
  const risky = ctx({ country: 'JP', ...TOKYO, deviceId: 'never-seen' });
  run([
    { name: 'empty history, unknown device/country/location → 0', context: risky, history: [], reasons: [], score: 0, requiresMfa: false },
    { name: 'empty history, no device id → 0', context: ctx({ deviceId: null }), history: [], reasons: [], score: 0, requiresMfa: false },
    {
      name: 'only failed sign-ins (from elsewhere, minutes ago) → still no baseline',
      context: risky,
      history: [failure(ago(20 * MIN), { country: 'GB', ...LONDON, deviceId: DEVICE }), failure(ago(DAY), { country: 'FR' })],
      reasons: [],
      score: 0,
      requiresMfa: false,
    },
    {
      name: 'failure velocity still scores',
      context: risky,
      history: [failure(ago(1 * MIN)), failure(ago(2 * MIN)), failure(ago(3 * MIN))],
      reasons: ['failure_velocity'],
      score: 30,
      requiresMfa: false,
    },
    {
      name: 'a denied IP still scores',
      policy: policy({ ipDeny: [IP] }),
      context: risky,
      history: [],
      reasons: ['denied_ip'],
      score: 100,
      requiresMfa: true,
    },
    {
      name: 'denied IP and failure velocity together',
      policy: policy({ ipDeny: ['198.51.100.0/24'] }),
      context: risky,
      history: [failure(ago(1 * MIN)), failure(ago(2 * MIN)), failure(ago(3 * MIN))],
      reasons: ['denied_ip', 'failure_velocity'],
      score: 130,
      requiresMfa: true,
    },
  ]);
});

describe('assessRisk: new device / new country', () => {
  run([
    { name: 'known device + known country, same place → 0', context: ctx(), history: [success()], reasons: [], score: 0, requiresMfa: false },
    {
      name: 'device and country known from an older success (not the newest) → 0',
      context: ctx({ country: 'FR', ...PARIS, deviceId: 'old-laptop' }),
      history: [success({ at: ago(1 * HOUR) }), success({ at: ago(30 * DAY), country: 'FR', ...PARIS, deviceId: 'old-laptop' })],
      reasons: [],
      score: 0,
      requiresMfa: false,
    },
    { name: 'unknown device → new_device (25)', context: ctx({ deviceId: 'other' }), history: [success()], reasons: ['new_device'], score: 25, requiresMfa: false },
    { name: 'deviceId null → new_device', context: ctx({ deviceId: null }), history: [success()], reasons: ['new_device'], score: 25, requiresMfa: false },
    { name: 'deviceId undefined → new_device', context: ctx({ deviceId: undefined }), history: [success()], reasons: ['new_device'], score: 25, requiresMfa: false },
    { name: "deviceId '' → new_device", context: ctx({ deviceId: '' }), history: [success()], reasons: ['new_device'], score: 25, requiresMfa: false },
    {
      name: 'no device id never matches a past success without one',
      context: ctx({ deviceId: null }),
      history: [success({ deviceId: null })],
      reasons: ['new_device'],
      score: 25,
      requiresMfa: false,
    },
    {
      name: 'device seen only in a failed sign-in → new_device',
      context: ctx({ deviceId: 'attacker' }),
      history: [failure(ago(1 * HOUR), { deviceId: 'attacker' }), success()],
      reasons: ['new_device'],
      score: 25,
      requiresMfa: false,
    },
    {
      name: 'new country → new_country (60), MFA at the default threshold',
      context: ctx({ country: 'FR' }),
      history: [success()],
      reasons: ['new_country'],
      score: 60,
      requiresMfa: true,
    },
    {
      name: 'country seen only in a failed sign-in is not known → new_country',
      context: ctx({ country: 'FR' }),
      history: [failure(ago(2 * HOUR), { country: 'FR' }), success()],
      reasons: ['new_country'],
      score: 60,
      requiresMfa: true,
    },
    { name: 'country null → no new_country', context: ctx({ country: null }), history: [success()], reasons: [], score: 0, requiresMfa: false },
    { name: 'country undefined → no new_country', context: ctx({ country: undefined }), history: [success()], reasons: [], score: 0, requiresMfa: false },
    {
      name: 'new device + new country → 85',
      context: ctx({ country: 'FR', deviceId: 'other' }),
      history: [success()],
      reasons: ['new_device', 'new_country'],
      score: 85,
      requiresMfa: true,
    },
  ]);
});

describe('assessRisk: impossible travel', () => {
  // Device and country known throughout, so only impossible_travel can score.
  const fromLondon = (at: Date, over: Partial<PastSignIn> = {}) => success({ at, ...LONDON, ...over });
  run([
    {
      name: 'London → Tokyo 10 minutes after the last success → impossible_travel (80)',
      context: ctx(TOKYO),
      history: [fromLondon(ago(10 * MIN))],
      reasons: ['impossible_travel'],
      score: 80,
      requiresMfa: true,
    },
    { name: 'London → Tokyo 24 hours later → not', context: ctx(TOKYO), history: [fromLondon(ago(DAY))], reasons: [], score: 0, requiresMfa: false },
    {
      name: 'London → Tokyo 10 hours later (~956 km/h > 900) → impossible_travel',
      context: ctx(TOKYO),
      history: [fromLondon(ago(10 * HOUR))],
      reasons: ['impossible_travel'],
      score: 80,
      requiresMfa: true,
    },
    { name: 'London → Tokyo 11 hours later (~869 km/h < 900) → not', context: ctx(TOKYO), history: [fromLondon(ago(11 * HOUR))], reasons: [], score: 0, requiresMfa: false },
    {
      name: 'London → Paris 10 minutes later (~2,060 km/h) → impossible_travel',
      context: ctx(PARIS),
      history: [fromLondon(ago(10 * MIN))],
      reasons: ['impossible_travel'],
      score: 80,
      requiresMfa: true,
    },
    { name: 'London → Paris 30 minutes later (~690 km/h) → not', context: ctx(PARIS), history: [fromLondon(ago(30 * MIN))], reasons: [], score: 0, requiresMfa: false },
    { name: 'London → Reading (~60 km) 1 minute later → never counts (< 100 km)', context: ctx(READING), history: [fromLondon(ago(1 * MIN))], reasons: [], score: 0, requiresMfa: false },
    { name: 'London → Reading at the same instant → never counts (< 100 km)', context: ctx(READING), history: [fromLondon(NOW)], reasons: [], score: 0, requiresMfa: false },
    {
      name: '~99 km in 1 minute → never counts (< 100 km)',
      context: ctx(JUST_UNDER_100KM),
      history: [success({ at: ago(1 * MIN), ...NULL_ISLAND })],
      reasons: [],
      score: 0,
      requiresMfa: false,
    },
    {
      name: '~100.1 km in 1 minute → impossible_travel (just over 100 km)',
      context: ctx(JUST_OVER_100KM),
      history: [success({ at: ago(1 * MIN), ...NULL_ISLAND })],
      reasons: ['impossible_travel'],
      score: 80,
      requiresMfa: true,
    },
    { name: 'same place, same instant → not', context: ctx(), history: [fromLondon(NOW)], reasons: [], score: 0, requiresMfa: false },
    {
      name: 'coordinates at 0,0 are real coordinates (last success at null island → Tokyo)',
      context: ctx(TOKYO),
      history: [success({ at: ago(10 * MIN), ...NULL_ISLAND })],
      reasons: ['impossible_travel'],
      score: 80,
      requiresMfa: true,
    },
    {
      name: 'coordinates at 0,0 are real coordinates (London → null island)',
      context: ctx(NULL_ISLAND),
      history: [fromLondon(ago(10 * MIN))],
      reasons: ['impossible_travel'],
      score: 80,
      requiresMfa: true,
    },
    {
      name: 'last success at the same instant as now: elapsed time floored, no division by zero → impossible_travel',
      context: ctx(TOKYO),
      history: [fromLondon(NOW)],
      reasons: ['impossible_travel'],
      score: 80,
      requiresMfa: true,
    },
    {
      name: 'last success "in the future" (clock skew) → still impossible_travel',
      context: ctx(TOKYO),
      history: [fromLondon(new Date(NOW.getTime() + 5 * MIN))],
      reasons: ['impossible_travel'],
      score: 80,
      requiresMfa: true,
    },
    { name: 'context without latitude → not', context: ctx({ ...TOKYO, latitude: null }), history: [fromLondon(ago(10 * MIN))], reasons: [], score: 0, requiresMfa: false },
    { name: 'context without longitude → not', context: ctx({ ...TOKYO, longitude: undefined }), history: [fromLondon(ago(10 * MIN))], reasons: [], score: 0, requiresMfa: false },
    {
      name: 'last success without coordinates → not (even if an older success had them)',
      context: ctx(TOKYO),
      history: [success({ at: ago(5 * MIN), latitude: null, longitude: null }), fromLondon(ago(10 * MIN))],
      reasons: [],
      score: 0,
      requiresMfa: false,
    },
    {
      name: 'compared with the NEWEST success (London 10 min ago), not an older one (Tokyo 3 days ago)',
      context: ctx(TOKYO),
      history: [fromLondon(ago(10 * MIN)), success({ at: ago(3 * DAY), ...TOKYO })],
      reasons: ['impossible_travel'],
      score: 80,
      requiresMfa: true,
    },
    {
      name: 'newest success in Tokyo 1 h ago, older one in London 2 h ago → not',
      context: ctx(TOKYO),
      history: [success({ at: ago(1 * HOUR), ...TOKYO }), fromLondon(ago(2 * HOUR))],
      reasons: [],
      score: 0,
      requiresMfa: false,
    },
    {
      name: 'a newer FAILED sign-in (Tokyo, 5 min ago) is not the baseline: London success 10 min ago is',
      context: ctx(TOKYO),
      history: [failure(ago(5 * MIN), { ...TOKYO, country: 'GB' }), fromLondon(ago(10 * MIN))],
      reasons: ['impossible_travel'],
      score: 80,
      requiresMfa: true,
    },
    {
      name: 'a newer FAILED sign-in (London, 10 min ago) is not the baseline: Tokyo success 2 days ago is',
      context: ctx(TOKYO),
      history: [failure(ago(10 * MIN), { ...LONDON, country: 'GB' }), success({ at: ago(2 * DAY), ...TOKYO })],
      reasons: [],
      score: 0,
      requiresMfa: false,
    },
    {
      name: 'London → Tokyo 10 min, new country JP → new_country + impossible_travel (140)',
      context: ctx({ ...TOKYO, country: 'JP' }),
      history: [fromLondon(ago(10 * MIN))],
      reasons: ['new_country', 'impossible_travel'],
      score: 140,
      requiresMfa: true,
    },
  ]);

  describe('the speed limit is policy.impossibleTravelKmh (strictly faster counts)', () => {
    const londonParisKm = distanceKm(LONDON, PARIS); // ~344 km, covered in exactly 1 h below
    run([
      { name: 'London → Paris in 1 h, default 900 km/h → not', context: ctx(PARIS), history: [success({ at: ago(HOUR) })], reasons: [], score: 0, requiresMfa: false },
      {
        name: 'London → Paris in 1 h, limit 300 km/h → impossible_travel',
        policy: policy({ impossibleTravelKmh: 300 }),
        context: ctx(PARIS),
        history: [success({ at: ago(HOUR) })],
        reasons: ['impossible_travel'],
        score: 80,
        requiresMfa: true,
      },
      {
        name: 'London → Paris in 1 h, limit 350 km/h → not',
        policy: policy({ impossibleTravelKmh: 350 }),
        context: ctx(PARIS),
        history: [success({ at: ago(HOUR) })],
        reasons: [],
        score: 0,
        requiresMfa: false,
      },
      {
        name: 'speed exactly equal to the limit → not',
        policy: policy({ impossibleTravelKmh: londonParisKm }),
        context: ctx(PARIS),
        history: [success({ at: ago(HOUR) })],
        reasons: [],
        score: 0,
        requiresMfa: false,
      },
      {
        name: 'speed 1 km/h over the limit → impossible_travel',
        policy: policy({ impossibleTravelKmh: londonParisKm - 1 }),
        context: ctx(PARIS),
        history: [success({ at: ago(HOUR) })],
        reasons: ['impossible_travel'],
        score: 80,
        requiresMfa: true,
      },
      {
        name: 'elapsed time is floored at 1 minute: London → Paris 10 s later is ~20,600 km/h, not ~124,000 (limit 50,000) → not',
        policy: policy({ impossibleTravelKmh: 50_000 }),
        context: ctx(PARIS),
        history: [success({ at: ago(10_000) })],
        reasons: [],
        score: 0,
        requiresMfa: false,
      },
      {
        name: 'elapsed time floored at 1 minute: London → Paris 10 s later, limit 20,000 km/h → impossible_travel',
        policy: policy({ impossibleTravelKmh: 20_000 }),
        context: ctx(PARIS),
        history: [success({ at: ago(10_000) })],
        reasons: ['impossible_travel'],
        score: 80,
        requiresMfa: true,
      },
      {
        name: 'London → Tokyo 10 min later, limit 100,000 km/h → not',
        policy: policy({ impossibleTravelKmh: 100_000 }),
        context: ctx(TOKYO),
        history: [success({ at: ago(10 * MIN) })],
        reasons: [],
        score: 0,
        requiresMfa: false,
      },
    ]);
  });
});

describe('assessRisk: failure velocity (default 3 failures within 15 minutes)', () => {
  run([
    {
      name: '3 failures within the window → failure_velocity (30, below the threshold alone)',
      context: ctx(),
      history: [failure(ago(1 * MIN)), failure(ago(5 * MIN)), failure(ago(14 * MIN)), success()],
      reasons: ['failure_velocity'],
      score: 30,
      requiresMfa: false,
    },
    { name: '2 failures within the window → not', context: ctx(), history: [failure(ago(1 * MIN)), failure(ago(2 * MIN)), success()], reasons: [], score: 0, requiresMfa: false },
    {
      name: '4 failures within the window → failure_velocity once (30)',
      context: ctx(),
      history: [failure(ago(1 * MIN)), failure(ago(2 * MIN)), failure(ago(3 * MIN)), failure(ago(4 * MIN)), success()],
      reasons: ['failure_velocity'],
      score: 30,
      requiresMfa: false,
    },
    {
      name: '2 recent + 1 at 16 minutes → not (older failures do not count)',
      context: ctx(),
      history: [failure(ago(1 * MIN)), failure(ago(2 * MIN)), failure(ago(16 * MIN)), success()],
      reasons: [],
      score: 0,
      requiresMfa: false,
    },
    {
      name: 'many old failures (1 h ago) → not',
      context: ctx(),
      history: [success({ at: ago(10 * MIN) }), ...Array.from({ length: 10 }, (_, i) => failure(ago(HOUR + i * MIN)))],
      reasons: [],
      score: 0,
      requiresMfa: false,
    },
    {
      name: 'a failure exactly 15 minutes ago is INSIDE the window (inclusive edge) → failure_velocity',
      context: ctx(),
      history: [failure(ago(1 * MIN)), failure(ago(2 * MIN)), failure(ago(15 * MIN)), success()],
      reasons: ['failure_velocity'],
      score: 30,
      requiresMfa: false,
    },
    {
      name: 'a failure 15 minutes + 1 ms ago is outside → not',
      context: ctx(),
      history: [failure(ago(1 * MIN)), failure(ago(2 * MIN)), failure(ago(15 * MIN + 1)), success()],
      reasons: [],
      score: 0,
      requiresMfa: false,
    },
    {
      name: 'a failure at exactly now counts',
      context: ctx(),
      history: [failure(NOW), failure(ago(1 * MIN)), failure(ago(2 * MIN)), success()],
      reasons: ['failure_velocity'],
      score: 30,
      requiresMfa: false,
    },
    {
      name: 'successes in between neither count nor reset the count',
      context: ctx(),
      history: [failure(ago(1 * MIN)), success({ at: ago(2 * MIN) }), failure(ago(3 * MIN)), success({ at: ago(4 * MIN) }), failure(ago(5 * MIN))],
      reasons: ['failure_velocity'],
      score: 30,
      requiresMfa: false,
    },
    {
      name: '3 recent successes are not failures → not',
      context: ctx(),
      history: [success({ at: ago(1 * MIN) }), success({ at: ago(2 * MIN) }), success({ at: ago(3 * MIN) })],
      reasons: [],
      score: 0,
      requiresMfa: false,
    },
    {
      name: 'failure velocity + new country → 90',
      context: ctx({ country: 'FR' }),
      history: [failure(ago(1 * MIN)), failure(ago(2 * MIN)), failure(ago(3 * MIN)), success()],
      reasons: ['new_country', 'failure_velocity'],
      score: 90,
      requiresMfa: true,
    },
  ]);

  describe('failureThreshold and failureWindowMinutes come from the policy', () => {
    const custom = policy({ failureThreshold: 5, failureWindowMinutes: 60 });
    const failures = (n: number, spacing: number) => Array.from({ length: n }, (_, i) => failure(ago((i + 1) * spacing)));
    run([
      { name: '5 failures within 60 min (threshold 5) → failure_velocity', policy: custom, context: ctx(), history: [...failures(5, 11 * MIN), success()], reasons: ['failure_velocity'], score: 30, requiresMfa: false },
      { name: '4 failures within 60 min (threshold 5) → not', policy: custom, context: ctx(), history: [...failures(4, 11 * MIN), success()], reasons: [], score: 0, requiresMfa: false },
      { name: '5 failures, the oldest at 60 min + 1 ms → not', policy: custom, context: ctx(), history: [...failures(4, MIN), failure(ago(60 * MIN + 1)), success()], reasons: [], score: 0, requiresMfa: false },
      { name: '5 failures, the oldest at exactly 60 min → failure_velocity', policy: custom, context: ctx(), history: [...failures(4, MIN), failure(ago(60 * MIN)), success()], reasons: ['failure_velocity'], score: 30, requiresMfa: false },
      {
        name: 'threshold 1, window 1 min: one failure 30 s ago → failure_velocity',
        policy: policy({ failureThreshold: 1, failureWindowMinutes: 1 }),
        context: ctx(),
        history: [failure(ago(30_000)), success()],
        reasons: ['failure_velocity'],
        score: 30,
        requiresMfa: false,
      },
      {
        name: 'threshold 1, window 1 min: one failure 2 min ago → not',
        policy: policy({ failureThreshold: 1, failureWindowMinutes: 1 }),
        context: ctx(),
        history: [failure(ago(2 * MIN)), success()],
        reasons: [],
        score: 0,
        requiresMfa: false,
      },
    ]);
  });
});

describe('assessRisk: IP deny list', () => {
  const denied = (ipDeny: string[], ip: string): Row => ({
    name: `deny ${JSON.stringify(ipDeny)}, client ${ip} → denied_ip (100)`,
    policy: policy({ ipDeny }),
    context: ctx({ ip }),
    history: [success()],
    reasons: ['denied_ip'],
    score: 100,
    requiresMfa: true,
  });
  const notDenied = (ipDeny: string[], ip: string): Row => ({
    name: `deny ${JSON.stringify(ipDeny)}, client ${ip} → not denied`,
    policy: policy({ ipDeny }),
    context: ctx({ ip }),
    history: [success()],
    reasons: [],
    score: 0,
    requiresMfa: false,
  });
  run([
    denied(['203.0.113.7'], '203.0.113.7'),
    notDenied(['203.0.113.7'], '203.0.113.8'),
    denied(['203.0.113.0/24'], '203.0.113.0'),
    denied(['203.0.113.0/24'], '203.0.113.255'),
    notDenied(['203.0.113.0/24'], '203.0.114.1'),
    notDenied(['203.0.113.0/24'], '203.0.112.255'),
    denied(['10.0.0.0/8'], '10.200.3.4'),
    notDenied(['10.0.0.0/8'], '11.0.0.1'),
    denied(['0.0.0.0/0'], '8.8.8.8'),
    denied(['2001:db8::/32'], '2001:db8:abcd::1'),
    denied(['2001:db8::/32'], '2001:0db8:ffff:ffff:ffff:ffff:ffff:ffff'),
    notDenied(['2001:db8::/32'], '2001:db9::1'),
    denied(['2001:db8::1'], '2001:0db8:0000:0000:0000:0000:0000:0001'),
    notDenied(['2001:db8::1'], '2001:db8::2'),
    notDenied(['2001:db8::/32'], '203.0.113.7'),
    notDenied(['203.0.113.0/24'], '2001:db8::1'),
    denied(['192.0.2.1', '203.0.113.0/24', '2001:db8::/32'], '2001:db8::42'),
    denied(['192.0.2.1', '203.0.113.0/24', '2001:db8::/32'], '192.0.2.1'),
    notDenied(['192.0.2.1', '203.0.113.0/24', '2001:db8::/32'], '192.0.2.2'),
    notDenied(['203.0.113.7'], 'not-an-ip'),
    notDenied(['203.0.113.7'], ''),
    notDenied([], '203.0.113.7'),
    {
      name: 'denied IP adds to every other signal: 25+60+80+30+100 = 295',
      policy: policy({ ipDeny: [IP] }),
      context: ctx({ ...TOKYO, country: 'JP', deviceId: 'other' }),
      history: [failure(ago(1 * MIN)), failure(ago(2 * MIN)), failure(ago(3 * MIN)), success({ at: ago(10 * MIN) })],
      reasons: ['denied_ip', 'new_device', 'new_country', 'impossible_travel', 'failure_velocity'],
      score: 295,
      requiresMfa: true,
    },
  ]);
});

describe('assessRisk: IP allow list short-circuits everything', () => {
  const everythingRisky = {
    context: ctx({ ...TOKYO, country: 'JP', deviceId: 'other' }),
    history: [failure(ago(1 * MIN)), failure(ago(2 * MIN)), failure(ago(3 * MIN)), success({ at: ago(10 * MIN) })],
  };
  test('without the allow list the same sign-in is maximally risky (sanity)', () => {
    const r = assessRisk(policy({ ipDeny: ['203.0.113.7'] }), { ...everythingRisky.context, ip: '203.0.113.7' }, everythingRisky.history, NOW);
    expect(r.score).toBe(295);
  });
  test.each([
    ['single IPv4 address', ['203.0.113.7'], '203.0.113.7'],
    ['IPv4 CIDR', ['203.0.113.0/24'], '203.0.113.7'],
    ['IPv6 address', ['2001:db8::7'], '2001:db8:0:0::7'],
    ['IPv6 CIDR', ['2001:db8::/32'], '2001:db8:1:2::3'],
    ['one of several entries', ['192.0.2.1', '2001:db8::/32', '203.0.113.0/24'], '203.0.113.200'],
  ])('%s: score 0, reasons [allowed_ip], no MFA, even when also denied', (_name, ipAllow, ip) => {
    const p = policy({ ipAllow, ipDeny: [ip] });
    expect(assessRisk(p, { ...everythingRisky.context, ip }, everythingRisky.history, NOW)).toEqual({ score: 0, reasons: ['allowed_ip'], requiresMfa: false });
  });
  test.each([
    ['IPv4 just outside the CIDR', ['203.0.113.0/24'], '203.0.114.7'],
    ['a different IPv4 address', ['203.0.113.7'], '203.0.113.6'],
    ['an IPv6 client vs an IPv4 list', ['203.0.113.0/24'], '2001:db8::1'],
    ['an invalid client IP', ['203.0.113.0/24'], 'garbage'],
  ])('not allowed (%s): scored as usual', (_name, ipAllow, ip) => {
    const r = assessRisk(policy({ ipAllow }), { ...everythingRisky.context, ip }, everythingRisky.history, NOW);
    expect(r.reasons).not.toContain('allowed_ip');
    expect(r.score).toBe(195);
    expect(r.requiresMfa).toBe(true);
  });
});

describe('assessRisk: invalid allow/deny entries are ignored without throwing', () => {
  // Each entry is one that src/admin/operations.ts (isAddressOrCidr) refuses. A client in 10.0.0.0/8
  // (or 2001:db8::/32) would be matched if the entry were read leniently as a range.
  const INVALID = [
    '',
    'not-an-ip',
    '999.1.1.1',
    '10.0.0',
    '/8',
    '10.0.0.0/abc',
    '10.0.0.0/33',
    '10.0.0.0/-1',
    '10.0.0.0/8.5',
    '10.0.0.0/',
    '10.0.0.0/0x8',
    '10.0.0.0/8/8',
    '2001:db8::/129',
    '2001:db8::/',
    '2001:db8::/x',
  ];
  const clientFor = (entry: string) => (entry.includes(':') ? '2001:db8::1' : '10.1.2.3');

  test.each(INVALID)('allow %j: does not throw, does not allow', (entry) => {
    const ip = clientFor(entry);
    const run = () => assessRisk(policy({ ipAllow: [entry] }), ctx({ ip, deviceId: 'other' }), [success()], NOW);
    expect(run).not.toThrow();
    expect(run()).toEqual({ score: 25, reasons: ['new_device'], requiresMfa: false });
  });

  test.each(INVALID)('deny %j: does not throw, does not deny', (entry) => {
    const ip = clientFor(entry);
    const run = () => assessRisk(policy({ ipDeny: [entry] }), ctx({ ip }), [success()], NOW);
    expect(run).not.toThrow();
    expect(run()).toEqual({ score: 0, reasons: [], requiresMfa: false });
  });

  test.each(INVALID)('valid entries next to %j still apply (allow and deny)', (entry) => {
    const allowed = () => assessRisk(policy({ ipAllow: [entry, '203.0.113.0/24'] }), ctx({ ip: '203.0.113.9', deviceId: 'other' }), [success()], NOW);
    expect(allowed).not.toThrow();
    expect(allowed()).toEqual({ score: 0, reasons: ['allowed_ip'], requiresMfa: false });
    const denied = () => assessRisk(policy({ ipDeny: [entry, '203.0.113.0/24'] }), ctx({ ip: '203.0.113.9' }), [success()], NOW);
    expect(denied).not.toThrow();
    expect(denied()).toEqual({ score: 100, reasons: ['denied_ip'], requiresMfa: true });
  });
});

describe('assessRisk: a signal weighted 0 is neither scored nor reported', () => {
  type Weight = keyof RiskPolicy['weights'];
  // For each signal, a sign-in that triggers exactly that one signal.
  const ONLY: Record<Weight, { reason: RiskReason; policy?: Partial<RiskPolicy>; context: SignInContext; history: PastSignIn[] }> = {
    newDevice: { reason: 'new_device', context: ctx({ deviceId: 'other' }), history: [success()] },
    newCountry: { reason: 'new_country', context: ctx({ country: 'FR' }), history: [success()] },
    impossibleTravel: { reason: 'impossible_travel', context: ctx(TOKYO), history: [success({ at: ago(10 * MIN) })] },
    failureVelocity: { reason: 'failure_velocity', context: ctx(), history: [failure(ago(1 * MIN)), failure(ago(2 * MIN)), failure(ago(3 * MIN)), success()] },
    deniedIp: { reason: 'denied_ip', policy: { ipDeny: [IP] }, context: ctx(), history: [success()] },
  };
  const WEIGHTS = Object.keys(ONLY) as Weight[];

  test('the table covers every weight', () => {
    expect(sorted(WEIGHTS as unknown as RiskReason[])).toEqual(Object.keys(DEFAULT_RISK_POLICY.weights).sort());
  });

  test.each(WEIGHTS)('%s: triggers alone with its default weight', (w) => {
    const c = ONLY[w];
    expect(assessRisk(policy({ ...c.policy }), c.context, c.history, NOW)).toEqual({
      score: DEFAULT_RISK_POLICY.weights[w],
      reasons: [c.reason],
      requiresMfa: DEFAULT_RISK_POLICY.weights[w] >= 50,
    });
  });

  test.each(WEIGHTS)('%s = 0: score 0, no reason', (w) => {
    const c = ONLY[w];
    expect(assessRisk(policy({ ...c.policy, weights: { [w]: 0 } }), c.context, c.history, NOW)).toEqual({ score: 0, reasons: [], requiresMfa: false });
  });

  test.each(WEIGHTS)('%s = 0 with every signal firing: only the others are scored and reported', (w) => {
    const p = policy({ ipDeny: [IP], weights: { [w]: 0 } });
    const r = assessRisk(p, ctx({ ...TOKYO, country: 'JP', deviceId: 'other' }), [failure(ago(1 * MIN)), failure(ago(2 * MIN)), failure(ago(3 * MIN)), success({ at: ago(10 * MIN) })], NOW);
    expect(r.reasons).not.toContain(ONLY[w].reason);
    expect(r.reasons).toHaveLength(4);
    expect(r.score).toBe(295 - DEFAULT_RISK_POLICY.weights[w]);
  });
});

describe('assessRisk: the threshold (score >= threshold requires MFA)', () => {
  const newDevice = { context: ctx({ deviceId: 'other' }), history: [success()] }; // score 25
  const newCountry = { context: ctx({ country: 'FR' }), history: [success()] }; // score 60
  test.each([
    ['score 25, threshold 25 (equal)', newDevice, 25, true],
    ['score 25, threshold 26 (one above)', newDevice, 26, false],
    ['score 25, threshold 24 (one below)', newDevice, 24, true],
    ['score 60, threshold 60 (equal)', newCountry, 60, true],
    ['score 60, threshold 61 (one above)', newCountry, 61, false],
    ['score 0, threshold 0 (equal: at or above)', { context: ctx(), history: [success()] }, 0, true],
    ['score 0, threshold 1', { context: ctx(), history: [success()] }, 1, false],
  ] as const)('%s → requiresMfa %s', (_name, c, threshold, expected) => {
    expect(assessRisk(policy({ threshold }), c.context, c.history, NOW).requiresMfa).toBe(expected);
  });
  test.each([
    [50, true],
    [49, false],
  ])('default threshold 50: new device weighted %i → requiresMfa %s', (weight, expected) => {
    const r = assessRisk(policy({ weights: { newDevice: weight } }), newDevice.context, newDevice.history, NOW);
    expect(r.score).toBe(weight);
    expect(r.requiresMfa).toBe(expected);
  });
});

describe('assessRisk: purity', () => {
  test('does not mutate its inputs and gives the same answer twice', () => {
    const p = policy({ ipDeny: ['203.0.113.0/24'] });
    const c = ctx({ ...TOKYO, country: 'JP', deviceId: 'other', ip: '203.0.113.1' });
    const h = [failure(ago(1 * MIN)), failure(ago(2 * MIN)), failure(ago(3 * MIN)), success({ at: ago(10 * MIN) })];
    const snapshot = JSON.stringify([p, c, h, NOW]);
    const first = assessRisk(p, c, h, NOW);
    const second = assessRisk(p, c, h, NOW);
    expect(second).toEqual(first);
    expect(first.score).toBe(295);
    expect(JSON.stringify([p, c, h, NOW])).toBe(snapshot);
  });
});

describe('riskPolicyOf', () => {
  test('{} gives the defaults', () => {
    expect(riskPolicyOf({})).toEqual(DEFAULT_RISK_POLICY);
  });

  test('unknown keys are ignored', () => {
    expect(riskPolicyOf({ foo: 1, weights: { bar: 5 }, mode: 'strict' })).toEqual(DEFAULT_RISK_POLICY);
  });

  test('the result does not share lists with DEFAULT_RISK_POLICY', () => {
    const p = riskPolicyOf({});
    p.ipAllow.push('10.0.0.1');
    p.ipDeny.push('10.0.0.2');
    p.weights.newDevice = 1;
    expect(DEFAULT_RISK_POLICY.ipAllow).toEqual([]);
    expect(DEFAULT_RISK_POLICY.ipDeny).toEqual([]);
    expect(DEFAULT_RISK_POLICY.weights.newDevice).toBe(25);
  });

  test.each([
    ['threshold 70', { threshold: 70 }, { threshold: 70 }],
    ['threshold 0 (valid: always MFA)', { threshold: 0 }, { threshold: 0 }],
    ['fractional threshold', { threshold: 42.5 }, { threshold: 42.5 }],
    ['impossibleTravelKmh', { impossibleTravelKmh: 500 }, { impossibleTravelKmh: 500 }],
    ['failureThreshold', { failureThreshold: 5 }, { failureThreshold: 5 }],
    ['failureWindowMinutes', { failureWindowMinutes: 60 }, { failureWindowMinutes: 60 }],
    ['ipAllow', { ipAllow: ['10.0.0.0/8', '2001:db8::1'] }, { ipAllow: ['10.0.0.0/8', '2001:db8::1'] }],
    ['ipDeny', { ipDeny: ['203.0.113.7'] }, { ipDeny: ['203.0.113.7'] }],
    ['empty lists', { ipAllow: [], ipDeny: [] }, {}],
    ['one weight; the others stay default', { weights: { newDevice: 10 } }, { weights: { ...DEFAULT_RISK_POLICY.weights, newDevice: 10 } }],
    ['a weight of 0 (switched off)', { weights: { deniedIp: 0 } }, { weights: { ...DEFAULT_RISK_POLICY.weights, deniedIp: 0 } }],
    [
      'every weight',
      { weights: { newDevice: 1, newCountry: 2, impossibleTravel: 3, failureVelocity: 4, deniedIp: 5 } },
      { weights: { newDevice: 1, newCountry: 2, impossibleTravel: 3, failureVelocity: 4, deniedIp: 5 } },
    ],
  ] as const)('overrides: %s', (_name, stored, expected) => {
    expect(riskPolicyOf(stored as Record<string, unknown>)).toEqual({ ...DEFAULT_RISK_POLICY, ...expected });
  });

  const BAD_NUMBERS: [string, unknown][] = [
    ['negative', -1],
    ['negative zero-ish', -0.0001],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['numeric string', '70'],
    ['empty string', ''],
    ['null', null],
    ['boolean', true],
    ['object', { value: 70 }],
    ['array', [70]],
  ];
  const NUMERIC_FIELDS = ['threshold', 'impossibleTravelKmh', 'failureThreshold', 'failureWindowMinutes'] as const;
  const WEIGHT_FIELDS = Object.keys(DEFAULT_RISK_POLICY.weights) as (keyof RiskPolicy['weights'])[];

  test.each(NUMERIC_FIELDS.flatMap((field) => BAD_NUMBERS.map(([name, value]) => [field, name, value] as const)))(
    'ignores %s: %s',
    (field, _name, value) => {
      expect(riskPolicyOf({ [field]: value })).toEqual(DEFAULT_RISK_POLICY);
    },
  );

  test.each(WEIGHT_FIELDS.flatMap((field) => BAD_NUMBERS.map(([name, value]) => [field, name, value] as const)))(
    'ignores weights.%s: %s',
    (field, _name, value) => {
      expect(riskPolicyOf({ weights: { [field]: value } })).toEqual(DEFAULT_RISK_POLICY);
    },
  );

  test('a bad weight does not disturb a good one beside it', () => {
    expect(riskPolicyOf({ weights: { newDevice: -5, newCountry: 7, impossibleTravel: 'x', failureVelocity: Number.NaN, deniedIp: 0 } }).weights).toEqual({
      ...DEFAULT_RISK_POLICY.weights,
      newCountry: 7,
      deniedIp: 0,
    });
  });

  test.each([
    ['a string', 'heavy'],
    ['null', null],
    ['a number', 5],
    ['an array', [1, 2, 3]],
    ['a boolean', true],
  ])('weights that are %s give the default weights', (_name, weights) => {
    expect(riskPolicyOf({ weights })).toEqual(DEFAULT_RISK_POLICY);
  });

  test.each([
    ['a string', '10.0.0.0/8'],
    ['null', null],
    ['an object', { 0: '10.0.0.1', length: 1 }],
    ['a number', 5],
    ['a boolean', true],
  ])('ipAllow / ipDeny that are %s become []', (_name, value) => {
    expect(riskPolicyOf({ ipAllow: value, ipDeny: value })).toEqual(DEFAULT_RISK_POLICY);
  });

  test('non-string list entries are dropped, strings kept in order', () => {
    const p = riskPolicyOf({ ipAllow: ['10.0.0.1', 5, null, { ip: 'x' }, '::1', ['192.0.2.1']], ipDeny: [true, '203.0.113.0/24', undefined] });
    expect(p.ipAllow).toEqual(['10.0.0.1', '::1']);
    expect(p.ipDeny).toEqual(['203.0.113.0/24']);
  });

  test('good values survive next to bad ones', () => {
    expect(riskPolicyOf({ threshold: 'high', impossibleTravelKmh: 1200, failureThreshold: -3, failureWindowMinutes: 5, ipAllow: 'x', ipDeny: ['192.0.2.0/24'] })).toEqual({
      ...DEFAULT_RISK_POLICY,
      impossibleTravelKmh: 1200,
      failureWindowMinutes: 5,
      ipDeny: ['192.0.2.0/24'],
    });
  });

  test('feeds assessRisk: a stored policy switching new_country off and lowering the threshold', () => {
    const p = riskPolicyOf({ threshold: 20, weights: { newCountry: 0 } });
    expect(assessRisk(p, ctx({ country: 'FR', deviceId: 'other' }), [success()], NOW)).toEqual({ score: 25, reasons: ['new_device'], requiresMfa: true });
  });
});
