// authenticationResult (src/policy/authentication-result.ts) with acrLevels (src/policy/acr-levels.ts):
// the RFC 8176 amr values and the acr a finished sign-in reaches.
import { authenticationResult, PASSWORD_FACTOR, type ProvenFactor } from '../../src/policy/authentication-result.js';
import { acrLevels, AMR } from '../../src/policy/acr-levels.js';
import { totpStrategy } from '../../src/factors/totp/totp-strategy.js';
import { backupCodesStrategy } from '../../src/factors/backup-codes/backup-codes-strategy.js';

const NIST = acrLevels(['aal1', 'aal2', 'aal3']);
const TOTP: ProvenFactor = { kind: 'totp', amr: ['otp'] };
const BACKUP: ProvenFactor = { kind: 'backup_code', amr: ['otp'] };

describe('authenticationResult with the default NIST levels', () => {
  test.each<[string, ProvenFactor[], { acr: string; amr: string[] }]>([
    ['password only', [PASSWORD_FACTOR], { acr: 'aal1', amr: ['pwd'] }],
    ['password + TOTP', [PASSWORD_FACTOR, TOTP], { acr: 'aal2', amr: ['pwd', 'otp', 'mfa'] }],
    ['password + backup code', [PASSWORD_FACTOR, BACKUP], { acr: 'aal2', amr: ['pwd', 'otp', 'mfa'] }],
    ['password + TOTP + backup code (otp not repeated)', [PASSWORD_FACTOR, TOTP, BACKUP], { acr: 'aal2', amr: ['pwd', 'otp', 'mfa'] }],
    ['password proven twice', [PASSWORD_FACTOR, PASSWORD_FACTOR], { acr: 'aal1', amr: ['pwd'] }],
    ['a second factor without a password is not multi-factor', [TOTP], { acr: 'aal1', amr: ['otp'] }],
    ['nothing proven', [], { acr: 'aal1', amr: [] }],
  ])('%s', (_label, proven, expected) => {
    expect(authenticationResult(NIST, proven)).toEqual(expected);
  });

  test('the factor strategies declare the amr the table assumes', () => {
    expect(PASSWORD_FACTOR).toEqual({ kind: 'password', amr: ['pwd'] });
    expect([...totpStrategy.amr]).toEqual(['otp']);
    expect([...backupCodesStrategy.amr]).toEqual(['otp']);
    expect(totpStrategy.kind).toBe('totp');
    expect(backupCodesStrategy.kind).toBe('backup_code');
  });

  test('the result does not share or mutate the proven factors', () => {
    const proven = [PASSWORD_FACTOR, TOTP];
    const result = authenticationResult(NIST, proven);
    result.amr.push('tampered');
    expect(PASSWORD_FACTOR.amr).toEqual(['pwd']);
    expect(TOTP.amr).toEqual(['otp']);
    expect(authenticationResult(NIST, proven).amr).toEqual(['pwd', 'otp', 'mfa']);
  });
});

describe('authenticationResult with custom acr levels', () => {
  test.each<[string, readonly string[], ProvenFactor[], string]>([
    ['low/high, password only', ['low', 'high'], [PASSWORD_FACTOR], 'low'],
    ['low/high, password + TOTP', ['low', 'high'], [PASSWORD_FACTOR, TOTP], 'high'],
    ['low/high, password + backup code', ['low', 'high'], [PASSWORD_FACTOR, BACKUP], 'high'],
    ['URN levels, password + TOTP', ['urn:example:loa:1', 'urn:example:loa:2', 'urn:example:loa:3'], [PASSWORD_FACTOR, TOTP], 'urn:example:loa:2'],
    ['a single level, password + TOTP stays at it', ['only'], [PASSWORD_FACTOR, TOTP], 'only'],
  ])('%s → %s', (_label, values, proven, acr) => {
    expect(authenticationResult(acrLevels(values), proven).acr).toBe(acr);
  });

  test('amr does not depend on the acr names', () => {
    expect(authenticationResult(acrLevels(['low', 'high']), [PASSWORD_FACTOR, TOTP]).amr).toEqual(['pwd', 'otp', 'mfa']);
  });
});

describe('acrLevels', () => {
  test('AMR constants are the RFC 8176 values', () => {
    expect(AMR).toEqual({ password: 'pwd', otp: 'otp', multiFactor: 'mfa', hardwareKey: 'hwk', softwareKey: 'swk', userPresenceVerified: 'user' });
  });

  test.each([
    ['aal1', 0],
    ['aal2', 1],
    ['aal3', 2],
    ['aal4', -1],
    ['AAL1', -1],
    ['', -1],
    [undefined, -1],
  ])('rank(%j) = %d', (acr, rank) => {
    expect(NIST.rank(acr)).toBe(rank);
  });

  test.each([
    ['aal1', true],
    ['aal3', true],
    ['aal0', false],
    ['Aal2', false],
    ['', false],
  ])('isKnown(%j) = %s', (acr, known) => {
    expect(NIST.isKnown(acr)).toBe(known);
  });

  test.each([
    [['aal1', 'aal2', 'aal3'], 'aal1'],
    [['low', 'high'], 'low'],
    [['only'], 'only'],
  ])('baseline of %j is %j', (values, baseline) => {
    expect(acrLevels(values).baseline).toBe(baseline);
  });

  test('values keep the given order, and rank orders weakest first', () => {
    const levels = acrLevels(['low', 'mid', 'high']);
    expect(levels.values).toEqual(['low', 'mid', 'high']);
    expect(levels.rank('low')).toBeLessThan(levels.rank('mid'));
    expect(levels.rank('mid')).toBeLessThan(levels.rank('high'));
    expect(levels.rank(undefined)).toBeLessThan(levels.rank('low'));
  });

  test('an empty list is refused', () => {
    expect(() => acrLevels([])).toThrow('at least one acr value is needed');
  });
});
