// Backup codes (src/factors/backup-codes/backup-codes-strategy.ts): format and entropy of new
// codes, the forgiving normalisation of typed input, and the keyed hash stored in the database.
import { BACKUP_CODE_COUNT, hashBackupCode, newBackupCode, normaliseBackupCode } from '../../src/factors/backup-codes/backup-codes-strategy.js';

// Crockford base32: digits and lower-case letters without i, l, o, u.
const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';
const FORMAT = /^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/;

describe('newBackupCode', () => {
  const codes = Array.from({ length: 1000 }, newBackupCode);

  test('the reference alphabet is the 32-symbol Crockford set (5 bits a symbol, 50 bits a code)', () => {
    expect(CROCKFORD).toHaveLength(32);
    expect(new Set(CROCKFORD).size).toBe(32);
    expect([...'ilou'].some((c) => CROCKFORD.includes(c))).toBe(false);
    expect(10 * Math.log2(CROCKFORD.length)).toBe(50);
  });

  test('ten codes are issued', () => {
    expect(BACKUP_CODE_COUNT).toBe(10);
  });

  test('every code is xxxxx-xxxxx over the Crockford alphabet', () => {
    const bad = codes.filter((c) => !FORMAT.test(c));
    expect(bad).toEqual([]);
  });

  test('1000 codes are all distinct', () => {
    expect(new Set(codes).size).toBe(codes.length);
  });

  test('all 32 symbols are used (so each really carries 5 bits), and none of i l o u', () => {
    // 10,000 symbols: missing one of 32 by chance has probability ~32·(31/32)^10000 ≈ 1e-136.
    const seen = new Set(codes.join('').replace(/-/g, ''));
    expect([...seen].sort().join('')).toBe(CROCKFORD);
  });

  test('symbols are roughly uniform (no symbol more than twice or less than half its share)', () => {
    const counts = new Map<string, number>();
    for (const c of codes.join('').replace(/-/g, '')) counts.set(c, (counts.get(c) ?? 0) + 1);
    const expected = 10_000 / 32; // 312.5; sd ≈ 17.4, so these bounds are > 9 sd away
    for (const symbol of CROCKFORD) {
      const n = counts.get(symbol) ?? 0;
      expect(n).toBeGreaterThan(expected / 2);
      expect(n).toBeLessThan(expected * 2);
    }
  });

  test('every generated code survives normalisation as itself without the dash', () => {
    const mismatches = codes.filter((c) => normaliseBackupCode(c) !== c.replace('-', ''));
    expect(mismatches).toEqual([]);
  });
});

describe('normaliseBackupCode', () => {
  test.each([
    ['abcde-fghjk', 'abcdefghjk'],
    ['ABCDE-FGHJK', 'abcdefghjk'],
    ['AbCdE-fGhJk', 'abcdefghjk'],
    ['abcdefghjk', 'abcdefghjk'],
    ['abcde fghjk', 'abcdefghjk'],
    ['  abcde - fghjk  ', 'abcdefghjk'],
    ['ab cd ef gh jk', 'abcdefghjk'],
    ['abcde\tfghjk\n', 'abcdefghjk'],
    ['abcde--fghjk', 'abcdefghjk'],
    ['-abcdefghjk-', 'abcdefghjk'],
    ['0123456789', '0123456789'],
    ['vwxyz-mnpqr', 'vwxyzmnpqr'],
    // Letters people confuse with digits.
    ['i2345-67890', '1234567890'],
    ['I2345-67890', '1234567890'],
    ['l2345-67890', '1234567890'],
    ['L2345-67890', '1234567890'],
    ['12345-6789o', '1234567890'],
    ['12345-6789O', '1234567890'],
    ['ilo00-OLIil', '1100001111'],
  ])('%j → %j', (input, expected) => {
    expect(normaliseBackupCode(input)).toBe(expected);
  });

  test.each([
    ['empty', ''],
    ['only separators', ' - - '],
    ['nine symbols', 'abcde-fghj'],
    ['eleven symbols', 'abcde-fghjkm'],
    ['twenty symbols (two codes)', 'abcde-fghjk abcde-fghjk'],
    ['u (excluded from Crockford)', 'abcde-fghju'],
    ['U (excluded from Crockford)', 'ABCDE-FGHJU'],
    ['punctuation', 'abcde-fghj!'],
    ['an underscore separator', 'abcde_fghjk'],
    ['a dot separator', 'abcde.fghjk'],
    ['a non-ASCII letter', 'abcde-fghjé'],
    ['a full-width digit', 'abcde-fghj\uff11'],
  ])('rejects %s (%j)', (_label, input) => {
    expect(normaliseBackupCode(input)).toBeUndefined();
  });
});

describe('hashBackupCode', () => {
  const key = Buffer.alloc(32, 7);
  const user = '3f1c1d2e-0000-4000-8000-000000000001';
  const code = 'abcdefghjk';

  test('is deterministic', () => {
    expect(hashBackupCode(Buffer.from(key), user, code)).toBe(hashBackupCode(key, user, code));
  });

  test('is HMAC-SHA-256 output as base64url (43 characters, 256 bits)', () => {
    expect(hashBackupCode(key, user, code)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  test('does not contain the code or the user id', () => {
    const h = hashBackupCode(key, user, code);
    expect(h).not.toContain(code);
    expect(h).not.toContain(user);
  });

  test.each([
    ['another key', Buffer.alloc(32, 8), user, code],
    ['a key differing in one bit', Buffer.concat([Buffer.alloc(31, 7), Buffer.from([6])]), user, code],
    ['another user', key, '3f1c1d2e-0000-4000-8000-000000000002', code],
    ['another code', key, user, 'abcdefghjm'],
    ['the code moved between user id and code', key, `${user}:a`, 'bcdefghjk'],
  ])('changes with %s', (_label, otherKey, otherUser, otherCode) => {
    expect(hashBackupCode(otherKey, otherUser, otherCode)).not.toBe(hashBackupCode(key, user, code));
  });

  test('codes typed differently but normalising alike hash alike', () => {
    const typed = normaliseBackupCode('ABCDE FGHJK');
    expect(typed).toBe(code);
    expect(hashBackupCode(key, user, typed!)).toBe(hashBackupCode(key, user, code));
  });

  test('a whole set of generated codes hashes to distinct values', () => {
    const set = Array.from({ length: BACKUP_CODE_COUNT }, newBackupCode).map((c) => hashBackupCode(key, user, normaliseBackupCode(c)!));
    expect(new Set(set).size).toBe(BACKUP_CODE_COUNT);
  });
});
