// requestFacts and clientPolicy (src/account/assurance.ts): what src/policy/step-up.ts decides on,
// read from oidc-provider's view of an authorization request and a client's metadata.
//   acr_values           → split on spaces, empty parts dropped
//   claims.id_token.acr  → essentialAcr only when essential: `values`, else [`value`]
//   max_age              → a number (absent when not sent or not a number)
//   freshLogin           → no maxAge and no promptLogin (the user has just signed in)
//   minimum_acr / mfa_required (only `true`) / default_acr_values[0] / acr_enforcement ('lenient', else 'strict')
import { clientPolicy, requestFacts, type RequestView } from '../../src/account/assurance.js';
import { acrLevels } from '../../src/policy/acr-levels.js';
import { decideAuthentication, type AuthorizationRequestFacts, type ClientPolicy } from '../../src/policy/step-up.js';

const view = (over: Partial<RequestView> = {}): RequestView => ({ params: {}, prompts: new Set(), client: {}, freshLogin: false, ...over });

describe('requestFacts: acr_values', () => {
  test.each<[string, unknown, string[]]>([
    ['absent', undefined, []],
    ['empty', '', []],
    ['one value', 'aal2', ['aal2']],
    ['two values, order kept', 'aal3 aal2', ['aal3', 'aal2']],
    ['repeated, leading and trailing spaces', '  aal2   aal3 ', ['aal2', 'aal3']],
    ['URNs', 'urn:example:loa:2 urn:example:loa:3', ['urn:example:loa:2', 'urn:example:loa:3']],
    ['not a string', ['aal2'], []],
  ])('%s', (_label, acrValues, expected) => {
    const params = acrValues === undefined ? {} : { acr_values: acrValues };
    expect(requestFacts(view({ params })).acrValues).toEqual(expected);
  });
});

describe('requestFacts: the essential acr claim', () => {
  type AcrClaim = NonNullable<NonNullable<RequestView['claims']>['id_token']>['acr'];
  test.each<[string, RequestView['claims'], string[] | undefined]>([
    ['no claims parameter', undefined, undefined],
    ['claims without id_token', {}, undefined],
    ['id_token without acr', { id_token: {} }, undefined],
    ['acr: null (requested, not essential)', { id_token: { acr: null } }, undefined],
    ['essential with values', { id_token: { acr: { essential: true, values: ['aal2', 'aal3'] } } }, ['aal2', 'aal3']],
    ['essential with value', { id_token: { acr: { essential: true, value: 'aal2' } } }, ['aal2']],
    ['essential with both: values win', { id_token: { acr: { essential: true, value: 'aal3', values: ['aal2'] } } }, ['aal2']],
    ['essential without value or values', { id_token: { acr: { essential: true } } }, undefined],
    ['essential false with values', { id_token: { acr: { essential: false, values: ['aal3'] } } }, undefined],
    ['essential false with value', { id_token: { acr: { essential: false, value: 'aal3' } } }, undefined],
    ['no essential member, with value', { id_token: { acr: { value: 'aal3' } as AcrClaim } }, undefined],
  ])('%s', (_label, claims, expected) => {
    const facts = requestFacts(view(claims === undefined ? {} : { claims }));
    if (expected === undefined) expect(Object.keys(facts)).not.toContain('essentialAcr');
    else expect(facts.essentialAcr).toEqual(expected);
  });

  test('an essential acr does not end up in acrValues, and acr_values do not end up in essentialAcr', () => {
    const facts = requestFacts(view({ params: { acr_values: 'aal2' }, claims: { id_token: { acr: { essential: true, value: 'aal3' } } } }));
    expect(facts).toEqual({ acrValues: ['aal2'], essentialAcr: ['aal3'], promptLogin: false });
  });
});

describe('requestFacts: max_age and prompt=login', () => {
  test.each<[string, unknown, number | undefined]>([
    ['absent', undefined, undefined],
    ['a number', 300, 300],
    ['zero', 0, 0],
    ['a numeric string', '300', 300],
    ['"0"', '0', 0],
    ['not a number', 'soon', undefined],
  ])('max_age %s', (_label, maxAge, expected) => {
    const facts = requestFacts(view({ params: maxAge === undefined ? {} : { max_age: maxAge } }));
    if (expected === undefined) expect(Object.keys(facts)).not.toContain('maxAge');
    else expect(facts.maxAge).toBe(expected);
  });

  test.each<[string, string[], boolean]>([
    ['no prompt', [], false],
    ['prompt=login', ['login'], true],
    ['prompt=login consent', ['login', 'consent'], true],
    ['prompt=consent', ['consent'], false],
    ['prompt=none', ['none'], false],
  ])('%s → promptLogin %s', (_label, prompts, expected) => {
    expect(requestFacts(view({ prompts: new Set(prompts) })).promptLogin).toBe(expected);
  });

  test.each<[string, boolean, AuthorizationRequestFacts]>([
    ['not fresh: everything kept', false, { acrValues: ['aal2'], essentialAcr: ['aal3'], maxAge: 60, promptLogin: true }],
    ['fresh login: max_age and prompt=login dropped, acr kept', true, { acrValues: ['aal2'], essentialAcr: ['aal3'], promptLogin: false }],
  ])('%s', (_label, freshLogin, expected) => {
    const facts = requestFacts(
      view({
        params: { acr_values: 'aal2', max_age: '60' },
        claims: { id_token: { acr: { essential: true, value: 'aal3' } } },
        prompts: new Set(['login']),
        freshLogin,
      }),
    );
    expect(facts).toEqual(expected);
    expect(Object.keys(facts).includes('maxAge')).toBe(!freshLogin);
  });

  test('a fresh login satisfies prompt=login and max_age=0 against the session it just created', () => {
    const NIST = acrLevels(['aal1', 'aal2', 'aal3']);
    const now = 1_750_000_000;
    const session = { authTime: now - 5, acr: 'aal2', achievedAt: now - 5, lastActiveAt: now - 5 };
    const v = (freshLogin: boolean) => view({ params: { max_age: '0' }, prompts: new Set(['login']), freshLogin });
    expect(decideAuthentication(NIST, requestFacts(v(true)), {}, session, now)).toEqual({ type: 'none', acr: 'aal2', required: 'aal1', reasons: [] });
    expect(decideAuthentication(NIST, requestFacts(v(false)), {}, session, now)).toEqual({ type: 'full', required: 'aal1', held: 'aal2', reasons: ['prompt_login'] });
  });
});

describe('clientPolicy', () => {
  test.each<[string, Record<string, unknown>, ClientPolicy]>([
    ['no Keystep metadata', { client_id: 'c', redirect_uris: ['https://rp/cb'] }, { mfaRequired: false, acrEnforcement: 'strict' }],
    ['minimum_acr', { minimum_acr: 'aal2' }, { minimumAcr: 'aal2', mfaRequired: false, acrEnforcement: 'strict' }],
    ['minimum_acr not a string', { minimum_acr: 2 }, { mfaRequired: false, acrEnforcement: 'strict' }],
    ['mfa_required true', { mfa_required: true }, { mfaRequired: true, acrEnforcement: 'strict' }],
    ['mfa_required false', { mfa_required: false }, { mfaRequired: false, acrEnforcement: 'strict' }],
    ['mfa_required "true" (a string)', { mfa_required: 'true' }, { mfaRequired: false, acrEnforcement: 'strict' }],
    ['mfa_required 1', { mfa_required: 1 }, { mfaRequired: false, acrEnforcement: 'strict' }],
    ['default_acr_values: the first', { default_acr_values: ['aal3', 'aal2'] }, { defaultAcrValues: ['aal3', 'aal2'], mfaRequired: false, acrEnforcement: 'strict' }],
    ['default_acr_values: one', { default_acr_values: ['aal2'] }, { defaultAcrValues: ['aal2'], mfaRequired: false, acrEnforcement: 'strict' }],
    ['default_acr_values empty', { default_acr_values: [] }, { mfaRequired: false, acrEnforcement: 'strict' }],
    ['default_acr_values not an array', { default_acr_values: 'aal2' }, { mfaRequired: false, acrEnforcement: 'strict' }],
    ['acr_enforcement lenient', { acr_enforcement: 'lenient' }, { mfaRequired: false, acrEnforcement: 'lenient' }],
    ['acr_enforcement strict', { acr_enforcement: 'strict' }, { mfaRequired: false, acrEnforcement: 'strict' }],
    ['acr_enforcement LENIENT (case matters)', { acr_enforcement: 'LENIENT' }, { mfaRequired: false, acrEnforcement: 'strict' }],
    ['acr_enforcement true', { acr_enforcement: true }, { mfaRequired: false, acrEnforcement: 'strict' }],
    [
      'everything',
      { minimum_acr: 'aal2', mfa_required: true, default_acr_values: ['aal3'], acr_enforcement: 'lenient' },
      { minimumAcr: 'aal2', mfaRequired: true, defaultAcrValues: ['aal3'], acrEnforcement: 'lenient' },
    ],
  ])('%s', (_label, metadata, expected) => {
    expect(clientPolicy(metadata)).toEqual(expected);
  });

  test('the metadata is not modified', () => {
    const metadata = { default_acr_values: ['aal3', 'aal2'], mfa_required: true };
    clientPolicy(metadata);
    expect(metadata).toEqual({ default_acr_values: ['aal3', 'aal2'], mfa_required: true });
  });
});
