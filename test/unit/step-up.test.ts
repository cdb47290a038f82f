// decideAuthentication and effectiveAcr (src/policy/step-up.ts) with the NIST levels of
// src/policy/acr-levels.ts (aal1 < aal2 < aal3; aal2 holds 12 h / 30 min idle, aal3 12 h / 15 min idle).
//   no session                      → full (no_session, then the reasons for `required`)
//   prompt=login                    → full (prompt_login, …), held = what the session holds now
//   max_age exceeded (strictly)     → full (max_age, …), held
//   held ≥ required                 → none, acr = held
//   held < required                 → step_up, + level_decayed when held is below the session's acr
//   essential acr, none known       → refuse unmet_authentication_requirements (unknown_essential_acr)
// required = the strongest of: essential acr (weakest known value), acr_values (weakest known value;
// ignored when the client is lenient), the client's default acr (only when the request names no known
// acr and no essential acr), minimum_acr, and aal2 for mfa_required. A demand at the baseline adds no reason.
import { acrLevels, DEFAULT_LIFETIMES } from '../../src/policy/acr-levels.js';
import {
  decideAuthentication,
  effectiveAcr,
  type AuthenticationDecision,
  type AuthorizationRequestFacts,
  type ClientPolicy,
  type ReasonCode,
  type SessionFacts,
} from '../../src/policy/step-up.js';

const NIST = acrLevels(['aal1', 'aal2', 'aal3']);
const NOW = 1_750_000_000;
const MIN = 60;
const HOUR = 3600;

const req = (over: Partial<AuthorizationRequestFacts> = {}): AuthorizationRequestFacts => ({ acrValues: [], promptLogin: false, ...over });

/** A session that reached `acr` `achievedAgo` seconds ago, last used `activeAgo` ago, logged in `authAgo` ago. */
function session(acr: string, ago: { auth?: number; achieved?: number; active?: number } = {}): SessionFacts {
  const achieved = ago.achieved ?? 0;
  return { authTime: NOW - (ago.auth ?? achieved), acr, achievedAt: NOW - achieved, lastActiveAt: NOW - (ago.active ?? 0) };
}

const decide = (request: AuthorizationRequestFacts, client: ClientPolicy = {}, s?: SessionFacts, now = NOW) => decideAuthentication(NIST, request, client, s, now);

describe('the levels these tables assume', () => {
  test('aal1 < aal2 < aal3 with NIST lifetimes', () => {
    expect(NIST.values).toEqual(['aal1', 'aal2', 'aal3']);
    expect(NIST.baseline).toBe('aal1');
    expect(NIST.levels).toEqual([
      { name: 'aal1', aal: 1 },
      { name: 'aal2', aal: 2, maxAge: 43_200, idle: 1_800 },
      { name: 'aal3', aal: 3, phishingResistant: true, hardware: true, maxAge: 43_200, idle: 900 },
    ]);
    expect(DEFAULT_LIFETIMES).toEqual({ 2: { maxAge: 43_200, idle: 1_800 }, 3: { maxAge: 43_200, idle: 900 } });
  });
});

describe('decideAuthentication: no session', () => {
  test.each<[string, AuthorizationRequestFacts, ClientPolicy, AuthenticationDecision]>([
    ['nothing asked', req(), {}, { type: 'full', required: 'aal1', reasons: ['no_session'] }],
    ['acr_values aal2', req({ acrValues: ['aal2'] }), {}, { type: 'full', required: 'aal2', reasons: ['no_session', 'acr_values'] }],
    ['acr_values aal3', req({ acrValues: ['aal3'] }), {}, { type: 'full', required: 'aal3', reasons: ['no_session', 'acr_values'] }],
    ['essential aal3', req({ essentialAcr: ['aal3'] }), {}, { type: 'full', required: 'aal3', reasons: ['no_session', 'essential_acr'] }],
    ['minimum aal3, acr_values aal2', req({ acrValues: ['aal2'] }), { minimumAcr: 'aal3' }, { type: 'full', required: 'aal3', reasons: ['no_session', 'acr_values', 'client_minimum_acr'] }],
    ['mfa_required', req(), { mfaRequired: true }, { type: 'full', required: 'aal2', reasons: ['no_session', 'client_mfa_required'] }],
    ['default acr aal2', req(), { defaultAcrValues: ['aal2'] }, { type: 'full', required: 'aal2', reasons: ['no_session', 'client_default_acr'] }],
    ['prompt=login is not a reason without a session', req({ promptLogin: true }), {}, { type: 'full', required: 'aal1', reasons: ['no_session'] }],
    ['max_age is not a reason without a session', req({ maxAge: 0 }), {}, { type: 'full', required: 'aal1', reasons: ['no_session'] }],
  ])('%s', (_label, request, client, expected) => {
    const d = decide(request, client, undefined);
    expect(d).toEqual(expected);
    expect(Object.keys(d)).not.toContain('held');
  });

  test('an unknown essential acr is refused before the session is looked at', () => {
    expect(decide(req({ essentialAcr: ['urn:unknown'] }), {}, undefined)).toEqual({
      type: 'refuse',
      error: 'unmet_authentication_requirements',
      reasons: ['unknown_essential_acr'],
    });
  });
});

describe('decideAuthentication: prompt=login and max_age', () => {
  test.each<[string, AuthorizationRequestFacts, ClientPolicy, SessionFacts, AuthenticationDecision]>([
    ['prompt=login, aal2 session', req({ promptLogin: true }), {}, session('aal2'), { type: 'full', required: 'aal1', held: 'aal2', reasons: ['prompt_login'] }],
    [
      'prompt=login with acr_values aal2, aal1 session',
      req({ promptLogin: true, acrValues: ['aal2'] }),
      {},
      session('aal1'),
      { type: 'full', required: 'aal2', held: 'aal1', reasons: ['prompt_login', 'acr_values'] },
    ],
    [
      'prompt=login, held is the decayed level',
      req({ promptLogin: true }),
      {},
      session('aal2', { achieved: 12 * HOUR + 1 }),
      { type: 'full', required: 'aal1', held: 'aal1', reasons: ['prompt_login'] },
    ],
    [
      'prompt=login and max_age exceeded: prompt_login only',
      req({ promptLogin: true, maxAge: 60 }),
      {},
      session('aal2', { auth: 61, achieved: 0 }),
      { type: 'full', required: 'aal1', held: 'aal2', reasons: ['prompt_login'] },
    ],
    ['max_age 300, login 301 s ago', req({ maxAge: 300 }), {}, session('aal2', { auth: 301, achieved: 0 }), { type: 'full', required: 'aal1', held: 'aal2', reasons: ['max_age'] }],
    [
      'max_age 300, login 301 s ago, minimum aal2',
      req({ maxAge: 300 }),
      { minimumAcr: 'aal2' },
      session('aal2', { auth: 301, achieved: 0 }),
      { type: 'full', required: 'aal2', held: 'aal2', reasons: ['max_age', 'client_minimum_acr'] },
    ],
    ['max_age 300, login exactly 300 s ago: not exceeded', req({ maxAge: 300 }), {}, session('aal2', { auth: 300, achieved: 0 }), { type: 'none', acr: 'aal2', required: 'aal1', reasons: [] }],
    ['max_age 300, login 299 s ago', req({ maxAge: 300 }), {}, session('aal2', { auth: 299, achieved: 0 }), { type: 'none', acr: 'aal2', required: 'aal1', reasons: [] }],
    ['max_age 0, login this second', req({ maxAge: 0 }), {}, session('aal1'), { type: 'none', acr: 'aal1', required: 'aal1', reasons: [] }],
    ['max_age 0, login 1 s ago', req({ maxAge: 0 }), {}, session('aal1', { auth: 1 }), { type: 'full', required: 'aal1', held: 'aal1', reasons: ['max_age'] }],
    [
      'max_age is measured from auth_time, not from when the level was reached',
      req({ maxAge: 600 }),
      {},
      session('aal2', { auth: 601, achieved: 10, active: 10 }),
      { type: 'full', required: 'aal1', held: 'aal2', reasons: ['max_age'] },
    ],
    [
      'max_age not exceeded, level missing → step_up, not full',
      req({ maxAge: 600, acrValues: ['aal2'] }),
      {},
      session('aal1', { auth: 599 }),
      { type: 'step_up', required: 'aal2', held: 'aal1', reasons: ['acr_values'] },
    ],
  ])('%s', (_label, request, client, s, expected) => {
    expect(decide(request, client, s)).toEqual(expected);
  });
});

describe('decideAuthentication: acr_values and the essential acr claim', () => {
  test.each<[string, AuthorizationRequestFacts, string, string[]]>([
    ['none', req(), 'aal1', []],
    ['aal1 (the baseline adds no reason)', req({ acrValues: ['aal1'] }), 'aal1', []],
    ['aal2', req({ acrValues: ['aal2'] }), 'aal2', ['acr_values']],
    ['aal3', req({ acrValues: ['aal3'] }), 'aal3', ['acr_values']],
    ['"aal2 aal3": the weakest is enough', req({ acrValues: ['aal2', 'aal3'] }), 'aal2', ['acr_values']],
    ['"aal3 aal2": order of preference does not matter', req({ acrValues: ['aal3', 'aal2'] }), 'aal2', ['acr_values']],
    ['"aal3 aal1 aal2"', req({ acrValues: ['aal3', 'aal1', 'aal2'] }), 'aal1', []],
    ['unknown values are ignored', req({ acrValues: ['urn:unknown', 'aal3'] }), 'aal3', ['acr_values']],
    ['only unknown values: nothing asked', req({ acrValues: ['urn:unknown', 'AAL2'] }), 'aal1', []],
    ['essential aal2', req({ essentialAcr: ['aal2'] }), 'aal2', ['essential_acr']],
    ['essential aal1', req({ essentialAcr: ['aal1'] }), 'aal1', []],
    ['essential aal3 aal2: the weakest', req({ essentialAcr: ['aal3', 'aal2'] }), 'aal2', ['essential_acr']],
    ['essential with an unknown value among known ones', req({ essentialAcr: ['urn:unknown', 'aal3'] }), 'aal3', ['essential_acr']],
    ['essential aal2 + acr_values aal3', req({ essentialAcr: ['aal2'], acrValues: ['aal3'] }), 'aal3', ['essential_acr', 'acr_values']],
    ['essential aal3 + acr_values aal2', req({ essentialAcr: ['aal3'], acrValues: ['aal2'] }), 'aal3', ['essential_acr', 'acr_values']],
  ])('%s → required %s', (_label, request, required, reasons) => {
    expect(decide(request, {}, undefined)).toEqual({ type: 'full', required, reasons: ['no_session', ...reasons] });
  });

  test.each<[string, readonly string[]]>([
    ['one unknown value', ['urn:unknown']],
    ['several unknown values', ['urn:a', 'urn:b']],
    ['case matters', ['AAL2']],
  ])('essential acr with %s → refuse', (_label, essentialAcr) => {
    const refuse: AuthenticationDecision = { type: 'refuse', error: 'unmet_authentication_requirements', reasons: ['unknown_essential_acr'] };
    expect(decide(req({ essentialAcr }), {}, undefined)).toEqual(refuse);
    expect(decide(req({ essentialAcr, acrValues: ['aal2'] }), { minimumAcr: 'aal2', mfaRequired: true }, session('aal3'))).toEqual(refuse);
    expect(decide(req({ essentialAcr, promptLogin: true }), { acrEnforcement: 'lenient' }, session('aal1'))).toEqual(refuse);
  });

  test('the request lists are not reordered', () => {
    const acrValues = ['aal3', 'urn:x', 'aal2'];
    const essentialAcr = ['aal3', 'aal2'];
    decide(req({ acrValues, essentialAcr }), {}, undefined);
    expect(acrValues).toEqual(['aal3', 'urn:x', 'aal2']);
    expect(essentialAcr).toEqual(['aal3', 'aal2']);
  });
});

describe('decideAuthentication: client policy', () => {
  test.each<[string, AuthorizationRequestFacts, ClientPolicy, string, string[]]>([
    ['minimum aal2', req(), { minimumAcr: 'aal2' }, 'aal2', ['client_minimum_acr']],
    ['minimum aal3 beats acr_values aal2', req({ acrValues: ['aal2'] }), { minimumAcr: 'aal3' }, 'aal3', ['acr_values', 'client_minimum_acr']],
    ['acr_values aal3 beats minimum aal2', req({ acrValues: ['aal3'] }), { minimumAcr: 'aal2' }, 'aal3', ['acr_values', 'client_minimum_acr']],
    ['minimum aal1 adds no reason', req(), { minimumAcr: 'aal1' }, 'aal1', []],
    ['unknown minimum is ignored', req(), { minimumAcr: 'urn:unknown' }, 'aal1', []],
    ['mfa_required → aal2', req(), { mfaRequired: true }, 'aal2', ['client_mfa_required']],
    ['mfa_required false → nothing', req(), { mfaRequired: false }, 'aal1', []],
    ['mfa_required with acr_values aal3', req({ acrValues: ['aal3'] }), { mfaRequired: true }, 'aal3', ['acr_values', 'client_mfa_required']],
    [
      'every source at aal2: all reasons, in order',
      req({ essentialAcr: ['aal2'], acrValues: ['aal2'] }),
      { minimumAcr: 'aal2', mfaRequired: true },
      'aal2',
      ['essential_acr', 'acr_values', 'client_minimum_acr', 'client_mfa_required'],
    ],
    ['default aal2 when the request names no acr', req(), { defaultAcrValues: ['aal2'] }, 'aal2', ['client_default_acr']],
    ['default aal3 with minimum aal2', req(), { defaultAcrValues: ['aal3'], minimumAcr: 'aal2' }, 'aal3', ['client_default_acr', 'client_minimum_acr']],
    ['default not used when acr_values names aal1', req({ acrValues: ['aal1'] }), { defaultAcrValues: ['aal3'] }, 'aal1', []],
    ['default not used when acr_values names aal2', req({ acrValues: ['aal2'] }), { defaultAcrValues: ['aal3'] }, 'aal2', ['acr_values']],
    ['default not used with an essential acr', req({ essentialAcr: ['aal2'] }), { defaultAcrValues: ['aal3'] }, 'aal2', ['essential_acr']],
    ['default used when acr_values are all unknown (no known acr named)', req({ acrValues: ['urn:unknown'] }), { defaultAcrValues: ['aal2'] }, 'aal2', ['client_default_acr']],
    ['unknown default is ignored', req(), { defaultAcrValues: ['urn:unknown'] }, 'aal1', []],
    ['the first KNOWN default applies', req(), { defaultAcrValues: ['urn:unknown', 'aal2'] }, 'aal2', ['client_default_acr']],
    ['strict is the same as no setting', req({ acrValues: ['aal3'] }), { acrEnforcement: 'strict' }, 'aal3', ['acr_values']],
    ['lenient: acr_values ignored', req({ acrValues: ['aal3'] }), { acrEnforcement: 'lenient' }, 'aal1', []],
    ['lenient: acr_values still stop the default', req({ acrValues: ['aal3'] }), { acrEnforcement: 'lenient', defaultAcrValues: ['aal2'] }, 'aal1', []],
    ['lenient: the default still applies when nothing is named', req(), { acrEnforcement: 'lenient', defaultAcrValues: ['aal2'] }, 'aal2', ['client_default_acr']],
    ['lenient: essential still enforced', req({ essentialAcr: ['aal3'], acrValues: ['aal3'] }), { acrEnforcement: 'lenient' }, 'aal3', ['essential_acr']],
    ['lenient: minimum still enforced', req({ acrValues: ['aal3'] }), { acrEnforcement: 'lenient', minimumAcr: 'aal2' }, 'aal2', ['client_minimum_acr']],
    ['lenient: mfa_required still enforced', req({ acrValues: ['aal3'] }), { acrEnforcement: 'lenient', mfaRequired: true }, 'aal2', ['client_mfa_required']],
  ])('%s → required %s', (_label, request, client, required, reasons) => {
    expect(decide(request, client, undefined)).toEqual({ type: 'full', required, reasons: ['no_session', ...reasons] });
    // The same requirement against a fresh session holding it: none, with the same reasons.
    expect(decide(request, client, session(required))).toEqual({ type: 'none', acr: required, required, reasons });
  });

  test('mfa_required uses the AAL2 level of custom levels', () => {
    const levels = acrLevels(['urn:example:loa:1', 'urn:example:loa:2', 'urn:example:loa:3']);
    expect(decideAuthentication(levels, req(), { mfaRequired: true }, undefined, NOW)).toEqual({
      type: 'full',
      required: 'urn:example:loa:2',
      reasons: ['no_session', 'client_mfa_required'],
    });
  });

  test('mfa_required with a single level asks for nothing more', () => {
    expect(decideAuthentication(acrLevels(['only']), req(), { mfaRequired: true }, undefined, NOW)).toEqual({ type: 'full', required: 'only', reasons: ['no_session'] });
  });
});

describe('decideAuthentication: held × required with fresh sessions', () => {
  const LEVELS = ['aal1', 'aal2', 'aal3'] as const;
  test.each(LEVELS.flatMap((held) => LEVELS.map((required) => [held, required] as const)))('session %s, acr_values %s', (held, required) => {
    const reasons: ReasonCode[] = required === 'aal1' ? [] : ['acr_values'];
    const enough = LEVELS.indexOf(held) >= LEVELS.indexOf(required);
    const expected: AuthenticationDecision = enough ? { type: 'none', acr: held, required, reasons } : { type: 'step_up', required, held, reasons };
    expect(decide(req({ acrValues: [required] }), {}, session(held))).toEqual(expected);
  });

  test('written out: the three step-ups', () => {
    expect(decide(req({ acrValues: ['aal2'] }), {}, session('aal1'))).toEqual({ type: 'step_up', required: 'aal2', held: 'aal1', reasons: ['acr_values'] });
    expect(decide(req({ acrValues: ['aal3'] }), {}, session('aal1'))).toEqual({ type: 'step_up', required: 'aal3', held: 'aal1', reasons: ['acr_values'] });
    expect(decide(req({ acrValues: ['aal3'] }), {}, session('aal2'))).toEqual({ type: 'step_up', required: 'aal3', held: 'aal2', reasons: ['acr_values'] });
  });

  test('written out: a stronger session satisfies a weaker request and reports what it holds', () => {
    expect(decide(req({ acrValues: ['aal2'] }), {}, session('aal3'))).toEqual({ type: 'none', acr: 'aal3', required: 'aal2', reasons: ['acr_values'] });
    expect(decide(req(), {}, session('aal2'))).toEqual({ type: 'none', acr: 'aal2', required: 'aal1', reasons: [] });
  });
});

describe('effectiveAcr: decay with the default lifetimes', () => {
  test.each<[string, string, { achieved: number; active: number }, string]>([
    ['aal1 never decays', 'aal1', { achieved: 365 * 24 * HOUR, active: 365 * 24 * HOUR }, 'aal1'],
    ['aal2 just reached', 'aal2', { achieved: 0, active: 0 }, 'aal2'],
    ['aal2 reached exactly 12 h ago', 'aal2', { achieved: 12 * HOUR, active: 0 }, 'aal2'],
    ['aal2 reached 12 h + 1 s ago', 'aal2', { achieved: 12 * HOUR + 1, active: 0 }, 'aal1'],
    ['aal2 idle exactly 30 min', 'aal2', { achieved: 30 * MIN, active: 30 * MIN }, 'aal2'],
    ['aal2 idle 30 min + 1 s', 'aal2', { achieved: 30 * MIN + 1, active: 30 * MIN + 1 }, 'aal1'],
    ['aal2 reached 11 h ago, used 29 min ago', 'aal2', { achieved: 11 * HOUR, active: 29 * MIN }, 'aal2'],
    ['aal3 just reached', 'aal3', { achieved: 0, active: 0 }, 'aal3'],
    ['aal3 idle exactly 15 min', 'aal3', { achieved: 15 * MIN, active: 15 * MIN }, 'aal3'],
    ['aal3 idle 15 min + 1 s → aal2', 'aal3', { achieved: 15 * MIN + 1, active: 15 * MIN + 1 }, 'aal2'],
    ['aal3 idle 16 min, within aal2 idle → aal2', 'aal3', { achieved: 16 * MIN, active: 16 * MIN }, 'aal2'],
    ['aal3 idle exactly 30 min → aal2', 'aal3', { achieved: 30 * MIN, active: 30 * MIN }, 'aal2'],
    ['aal3 idle 30 min + 1 s → aal1', 'aal3', { achieved: 30 * MIN + 1, active: 30 * MIN + 1 }, 'aal1'],
    ['aal3 reached exactly 12 h ago, used just now', 'aal3', { achieved: 12 * HOUR, active: 0 }, 'aal3'],
    ['aal3 reached 12 h + 1 s ago, used just now → aal1 (aal2 has the same 12 h)', 'aal3', { achieved: 12 * HOUR + 1, active: 0 }, 'aal1'],
    ['aal3 reached 12 h + 1 s ago, idle 20 min → aal1', 'aal3', { achieved: 12 * HOUR + 1, active: 20 * MIN }, 'aal1'],
  ])('%s', (_label, acr, ago, expected) => {
    expect(effectiveAcr(NIST, session(acr, ago), NOW)).toBe(expected);
  });

  test('an acr the levels do not know holds the baseline', () => {
    expect(effectiveAcr(NIST, session('urn:retired'), NOW)).toBe('aal1');
  });

  test('the injected clock is used, not the real one', () => {
    const s: SessionFacts = { authTime: 1000, acr: 'aal2', achievedAt: 1000, lastActiveAt: 1000 };
    expect(effectiveAcr(NIST, s, 1000 + 30 * MIN)).toBe('aal2');
    expect(effectiveAcr(NIST, s, 1000 + 30 * MIN + 1)).toBe('aal1');
  });
});

describe('effectiveAcr: custom lifetimes (second argument of acrLevels)', () => {
  const SHORT_AAL2 = acrLevels(['aal1', 'aal2', 'aal3'], { 2: { maxAge: HOUR, idle: 10 * MIN } });
  const LONG_AAL3 = acrLevels(['aal1', 'aal2', 'aal3'], { 3: { maxAge: 24 * HOUR, idle: HOUR } });
  const SHORT_AAL3 = acrLevels(['aal1', 'aal2', 'aal3'], { 3: { maxAge: 2 * HOUR, idle: 5 * MIN } });

  test('the lifetimes given replace the defaults for that level only', () => {
    expect(SHORT_AAL2.get('aal2')).toEqual({ name: 'aal2', aal: 2, maxAge: HOUR, idle: 10 * MIN });
    expect(SHORT_AAL2.get('aal3')).toEqual({ name: 'aal3', aal: 3, phishingResistant: true, hardware: true, maxAge: 12 * HOUR, idle: 15 * MIN });
    expect(LONG_AAL3.get('aal2')).toEqual({ name: 'aal2', aal: 2, maxAge: 12 * HOUR, idle: 30 * MIN });
    expect(LONG_AAL3.get('aal3')).toEqual({ name: 'aal3', aal: 3, phishingResistant: true, hardware: true, maxAge: 24 * HOUR, idle: HOUR });
  });

  test.each<[string, ReturnType<typeof acrLevels>, string, { achieved: number; active: number }, string]>([
    ['aal2 10 min idle limit: exactly 10 min', SHORT_AAL2, 'aal2', { achieved: 10 * MIN, active: 10 * MIN }, 'aal2'],
    ['aal2 10 min idle limit: 10 min + 1 s', SHORT_AAL2, 'aal2', { achieved: 10 * MIN + 1, active: 10 * MIN + 1 }, 'aal1'],
    ['aal2 1 h limit: 1 h + 1 s, active now', SHORT_AAL2, 'aal2', { achieved: HOUR + 1, active: 0 }, 'aal1'],
    ['aal3 idle 12 min: aal3 default 15 min holds', SHORT_AAL2, 'aal3', { achieved: 12 * MIN, active: 12 * MIN }, 'aal3'],
    ['aal3 idle 16 min: aal3 gone, aal2 (10 min) gone too', SHORT_AAL2, 'aal3', { achieved: 16 * MIN, active: 16 * MIN }, 'aal1'],
    ['aal3 reached 2 h ago, active now: aal3 holds, aal2 would not', SHORT_AAL2, 'aal3', { achieved: 2 * HOUR, active: 0 }, 'aal3'],
    ['aal3 idle 45 min within a 1 h idle limit', LONG_AAL3, 'aal3', { achieved: 45 * MIN, active: 45 * MIN }, 'aal3'],
    ['aal3 idle 1 h + 1 s: aal3 gone, aal2 (30 min) gone too', LONG_AAL3, 'aal3', { achieved: HOUR + 1, active: HOUR + 1 }, 'aal1'],
    ['aal3 reached 13 h ago, active now: holds (24 h)', LONG_AAL3, 'aal3', { achieved: 13 * HOUR, active: 0 }, 'aal3'],
    ['aal3 reached 24 h + 1 s ago, active now → aal1', LONG_AAL3, 'aal3', { achieved: 24 * HOUR + 1, active: 0 }, 'aal1'],
    ['aal3 reached 2 h + 1 s ago, active now → aal2 (12 h)', SHORT_AAL3, 'aal3', { achieved: 2 * HOUR + 1, active: 0 }, 'aal2'],
    ['aal3 idle 6 min → aal2', SHORT_AAL3, 'aal3', { achieved: 6 * MIN, active: 6 * MIN }, 'aal2'],
    ['aal3 idle 5 min exactly → aal3', SHORT_AAL3, 'aal3', { achieved: 5 * MIN, active: 5 * MIN }, 'aal3'],
  ])('%s', (_label, levels, acr, ago, expected) => {
    expect(effectiveAcr(levels, session(acr, ago), NOW)).toBe(expected);
  });

  test('decideAuthentication uses the levels it is given', () => {
    const s = session('aal2', { achieved: 11 * MIN, active: 11 * MIN });
    expect(decideAuthentication(NIST, req({ acrValues: ['aal2'] }), {}, s, NOW)).toEqual({ type: 'none', acr: 'aal2', required: 'aal2', reasons: ['acr_values'] });
    expect(decideAuthentication(SHORT_AAL2, req({ acrValues: ['aal2'] }), {}, s, NOW)).toEqual({
      type: 'step_up',
      required: 'aal2',
      held: 'aal1',
      reasons: ['acr_values', 'level_decayed'],
    });
  });
});

describe('decideAuthentication: decay', () => {
  test.each<[string, AuthorizationRequestFacts, ClientPolicy, SessionFacts, AuthenticationDecision]>([
    [
      'aal2 reached 12 h + 1 s ago, aal2 asked',
      req({ acrValues: ['aal2'] }),
      {},
      session('aal2', { achieved: 12 * HOUR + 1 }),
      { type: 'step_up', required: 'aal2', held: 'aal1', reasons: ['acr_values', 'level_decayed'] },
    ],
    [
      'aal2 reached exactly 12 h ago, aal2 asked',
      req({ acrValues: ['aal2'] }),
      {},
      session('aal2', { achieved: 12 * HOUR }),
      { type: 'none', acr: 'aal2', required: 'aal2', reasons: ['acr_values'] },
    ],
    [
      'aal2 idle 30 min + 1 s, mfa_required client',
      req(),
      { mfaRequired: true },
      session('aal2', { achieved: 30 * MIN + 1, active: 30 * MIN + 1 }),
      { type: 'step_up', required: 'aal2', held: 'aal1', reasons: ['client_mfa_required', 'level_decayed'] },
    ],
    [
      'aal2 idle exactly 30 min, mfa_required client',
      req(),
      { mfaRequired: true },
      session('aal2', { achieved: 30 * MIN, active: 30 * MIN }),
      { type: 'none', acr: 'aal2', required: 'aal2', reasons: ['client_mfa_required'] },
    ],
    [
      'decayed but still enough: none, acr is what is held now, no level_decayed',
      req(),
      {},
      session('aal2', { achieved: 12 * HOUR + 1 }),
      { type: 'none', acr: 'aal1', required: 'aal1', reasons: [] },
    ],
    [
      'aal3 idle 16 min, aal3 asked → step up from aal2',
      req({ acrValues: ['aal3'] }),
      {},
      session('aal3', { achieved: 16 * MIN, active: 16 * MIN }),
      { type: 'step_up', required: 'aal3', held: 'aal2', reasons: ['acr_values', 'level_decayed'] },
    ],
    [
      'aal3 idle 16 min, aal2 asked → none at aal2',
      req({ acrValues: ['aal2'] }),
      {},
      session('aal3', { achieved: 16 * MIN, active: 16 * MIN }),
      { type: 'none', acr: 'aal2', required: 'aal2', reasons: ['acr_values'] },
    ],
    [
      'aal3 idle 31 min, aal2 asked → step up from aal1',
      req({ acrValues: ['aal2'] }),
      {},
      session('aal3', { achieved: 31 * MIN, active: 31 * MIN }),
      { type: 'step_up', required: 'aal2', held: 'aal1', reasons: ['acr_values', 'level_decayed'] },
    ],
    [
      'aal3 idle 14 min, aal3 asked → none',
      req({ acrValues: ['aal3'] }),
      {},
      session('aal3', { achieved: 14 * MIN, active: 14 * MIN }),
      { type: 'none', acr: 'aal3', required: 'aal3', reasons: ['acr_values'] },
    ],
    [
      'never decayed, just too low: no level_decayed',
      req({ acrValues: ['aal3'] }),
      {},
      session('aal2', { achieved: 5 * MIN, active: 0 }),
      { type: 'step_up', required: 'aal3', held: 'aal2', reasons: ['acr_values'] },
    ],
    [
      'decayed session with max_age exceeded: full, held decayed, no level_decayed',
      req({ acrValues: ['aal2'], maxAge: HOUR }),
      {},
      session('aal2', { achieved: 12 * HOUR + 1 }),
      { type: 'full', required: 'aal2', held: 'aal1', reasons: ['max_age', 'acr_values'] },
    ],
  ])('%s', (_label, request, client, s, expected) => {
    expect(decide(request, client, s)).toEqual(expected);
  });

  test('the session facts are not changed by a decision', () => {
    const s = session('aal3', { achieved: 31 * MIN, active: 31 * MIN });
    const copy = { ...s };
    decide(req({ acrValues: ['aal3'] }), {}, s);
    expect(s).toEqual(copy);
  });
});
