// TOTP code path (src/factors/totp/totp-codes.ts): RFC 6238 Appendix B vectors through our own
// totpCode, the ±1 step window and replay guard of matchTotp, and secret generation/formatting.
import { groupSecret, matchTotp, newTotpSecret, totpCode, TOTP_DIGITS, TOTP_PERIOD } from '../../src/factors/totp/totp-codes.js';

const ascii = (s: string) => new TextEncoder().encode(s);

// RFC 6238 Appendix B: the ASCII secrets below, T0 = 0, X = 30, 8 digits.
const SHA1_SECRET = ascii('12345678901234567890');
const SHA256_SECRET = ascii('12345678901234567890123456789012');
const SHA512_SECRET = ascii('1234567890123456789012345678901234567890123456789012345678901234');

describe('totpCode: RFC 6238 Appendix B test vectors', () => {
  test('the reference secrets have the lengths the RFC states', () => {
    expect([SHA1_SECRET.length, SHA256_SECRET.length, SHA512_SECRET.length]).toEqual([20, 32, 64]);
  });

  test.each([
    [59, '94287082', '46119246', '90693936'],
    [1111111109, '07081804', '68084774', '25091201'],
    [1111111111, '14050471', '67062674', '99943326'],
    [1234567890, '89005924', '91819424', '93441116'],
    [2000000000, '69279037', '90698825', '38618901'],
    [20000000000, '65353130', '77737706', '47863826'],
  ])('T = %d → SHA1 %s, SHA256 %s, SHA512 %s', async (t, sha1, sha256, sha512) => {
    expect(await totpCode(SHA1_SECRET, t, { digits: 8, algorithm: 'sha1' })).toBe(sha1);
    expect(await totpCode(SHA256_SECRET, t, { digits: 8, algorithm: 'sha256' })).toBe(sha256);
    expect(await totpCode(SHA512_SECRET, t, { digits: 8, algorithm: 'sha512' })).toBe(sha512);
  });

  test.each([
    [59, '94287082'],
    [1111111109, '07081804'],
    [20000000000, '65353130'],
  ])('the default algorithm is SHA-1 (T = %d → %s with 8 digits)', async (t, code) => {
    expect(await totpCode(SHA1_SECRET, t, { digits: 8 })).toBe(code);
  });

  test.each([
    [59, '287082'],
    [1111111109, '081804'],
    [1234567890, '005924'],
  ])('defaults to 6 digits: the last six of the 8-digit vector (T = %d → %s)', async (t, code) => {
    expect(TOTP_DIGITS).toBe(6);
    expect(await totpCode(SHA1_SECRET, t)).toBe(code);
  });

  test('every second of a 30-second step gives the same code, and the next step a different one', async () => {
    expect(TOTP_PERIOD).toBe(30);
    const start = 1111111110; // a step boundary (37037037 * 30)
    const first = await totpCode(SHA1_SECRET, start, { digits: 8 });
    for (const t of [start + 1, start + 15, start + 29]) {
      expect(await totpCode(SHA1_SECRET, t, { digits: 8 })).toBe(first);
    }
    expect(await totpCode(SHA1_SECRET, start + 30, { digits: 8 })).not.toBe(first);
    expect(await totpCode(SHA1_SECRET, start - 1, { digits: 8 })).toBe('07081804');
  });
});

describe('matchTotp', () => {
  // Mid-step, so ±30 s cannot be confused with a step boundary.
  const NOW = 1_700_000_015;
  const STEP = Math.floor(NOW / 30);
  const codeAt = (step: number) => totpCode(SHA1_SECRET, step * 30 + 7);

  test('the test clock sits inside a step', () => {
    expect(STEP).toBe(56_666_667);
    expect(NOW - STEP * 30).toBe(5);
  });

  test.each([
    ['the current step', 0],
    ['the previous step', -1],
    ['the next step', +1],
  ])('accepts the code of %s and returns its time step', async (_label, delta) => {
    expect(await matchTotp(SHA1_SECRET, await codeAt(STEP + delta), NOW)).toBe(STEP + delta);
  });

  test.each([
    ['two steps ago', -2],
    ['two steps ahead', +2],
    ['ten steps ago', -10],
    ['ten steps ahead', +10],
  ])('rejects the code from %s', async (_label, delta) => {
    const code = await codeAt(STEP + delta);
    // Guard: the rejected code must not coincide with one of the accepted window's codes.
    const window = await Promise.all([-1, 0, 1].map((d) => codeAt(STEP + d)));
    expect(window).not.toContain(code);
    expect(await matchTotp(SHA1_SECRET, code, NOW)).toBeUndefined();
  });

  test('returns floor(t / 30) for a current code at the very start and end of a step', async () => {
    for (const t of [STEP * 30, STEP * 30 + 29]) {
      expect(await matchTotp(SHA1_SECRET, await totpCode(SHA1_SECRET, t), t)).toBe(Math.floor(t / 30));
    }
  });

  test('accepts a base32 string secret as well as bytes (same key → same result)', async () => {
    // "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" is base32 of "12345678901234567890".
    const code = await codeAt(STEP);
    expect(await totpCode('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', STEP * 30 + 7)).toBe(code);
    expect(await matchTotp('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', code, NOW)).toBe(STEP);
  });

  test('rejects a correct code checked against another secret', async () => {
    const other = ascii('abcdefghijabcdefghij');
    const code = await codeAt(STEP);
    const otherWindow = await Promise.all([-1, 0, 1].map((d) => totpCode(other, (STEP + d) * 30)));
    expect(otherWindow).not.toContain(code);
    expect(await matchTotp(other, code, NOW)).toBeUndefined();
  });

  test.each([
    ['empty', () => ''],
    ['five digits', (c: string) => c.slice(1)],
    ['seven digits', (c: string) => `${c}0`],
    ['a leading space', (c: string) => ` ${c}`],
    ['a trailing space', (c: string) => `${c} `],
    ['a trailing newline', (c: string) => `${c}\n`],
    ['a space inside', (c: string) => `${c.slice(0, 3)} ${c.slice(3)}`],
    ['a letter in place of a digit', (c: string) => `${c.slice(0, 5)}a`],
    ['a sign', (c: string) => `+${c.slice(1)}`],
    ['a decimal point', (c: string) => `${c.slice(0, 5)}.`],
    ['full-width digits', (c: string) => c.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)))],
    ['Arabic-Indic digits', (c: string) => c.replace(/\d/g, (d) => String.fromCharCode(0x0660 + Number(d)))],
  ])('rejects input with %s (without throwing)', async (_label, mangle) => {
    const code = await codeAt(STEP);
    const input = mangle(code);
    expect(input).not.toBe(code);
    await expect(matchTotp(SHA1_SECRET, input, NOW)).resolves.toBeUndefined();
  });

  test('an 8-digit code is matched only when 8 digits are asked for', async () => {
    const eight = await totpCode(SHA1_SECRET, NOW, { digits: 8 });
    expect(await matchTotp(SHA1_SECRET, eight, NOW, undefined, { digits: 8 })).toBe(STEP);
    expect(await matchTotp(SHA1_SECRET, eight, NOW)).toBeUndefined();
  });

  describe('replay guard (afterStep)', () => {
    test('the same code is rejected once its step is spent, the next step is still accepted', async () => {
      const code = await codeAt(STEP);
      const matched = await matchTotp(SHA1_SECRET, code, NOW);
      expect(matched).toBe(STEP);
      expect(await matchTotp(SHA1_SECRET, code, NOW, matched)).toBeUndefined();
      expect(await matchTotp(SHA1_SECRET, await codeAt(STEP + 1), NOW, matched)).toBe(STEP + 1);
    });

    test('a step before the spent one is rejected too (steps <= afterStep never match)', async () => {
      expect(await matchTotp(SHA1_SECRET, await codeAt(STEP - 1), NOW, STEP)).toBeUndefined();
    });

    test('afterStep below the window does not affect matching', async () => {
      expect(await matchTotp(SHA1_SECRET, await codeAt(STEP - 1), NOW, STEP - 2)).toBe(STEP - 1);
    });

    test('afterStep ahead of the whole window (e.g. clock skew between servers) rejects, it does not throw', async () => {
      // Contract: "Steps <= afterStep never match" → undefined.
      await expect(matchTotp(SHA1_SECRET, await codeAt(STEP), NOW, STEP + 5)).resolves.toBeUndefined();
    });
  });
});

describe('newTotpSecret', () => {
  const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const decodeBase32 = (s: string) => {
    let bits = '';
    for (const c of s) {
      const v = BASE32.indexOf(c);
      if (v < 0) throw new Error(`not base32: ${c}`);
      bits += v.toString(2).padStart(5, '0');
    }
    const bytes = bits.match(/.{8}/g) ?? [];
    return Uint8Array.from(bytes.map((b) => parseInt(b, 2)));
  };

  test('is unpadded base32 of 20 bytes: 32 characters of [A-Z2-7]', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(decodeBase32(secret)).toHaveLength(20);
  });

  test('is the key our code path uses: the string and its decoded bytes give the same codes', async () => {
    const secret = newTotpSecret();
    const bytes = decodeBase32(secret);
    for (const t of [59, 1_700_000_000]) {
      expect(await totpCode(secret, t)).toBe(await totpCode(bytes, t));
    }
  });

  test('is random: 50 secrets are all distinct', () => {
    const secrets = Array.from({ length: 50 }, newTotpSecret);
    expect(new Set(secrets).size).toBe(50);
  });
});

describe('groupSecret', () => {
  test.each([
    ['ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', ['ABCD', 'EFGH', 'IJKL', 'MNOP', 'QRST', 'UVWX', 'YZ23', '4567']],
    ['ABCDEFGHIJ', ['ABCD', 'EFGH', 'IJ']],
    ['ABC', ['ABC']],
    ['', []],
  ])('%j → %j', (secret, groups) => {
    expect(groupSecret(secret)).toEqual(groups);
  });

  test('a generated secret splits into 8 groups of 4 that join back to it', () => {
    const secret = newTotpSecret();
    const groups = groupSecret(secret);
    expect(groups).toHaveLength(8);
    expect(groups.every((g) => g.length === 4)).toBe(true);
    expect(groups.join('')).toBe(secret);
  });
});
