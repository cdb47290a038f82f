// createSealer (src/crypto/sealer.ts): AES-256-GCM sealing of secrets at rest, bound to a context.
import { randomBytes } from 'node:crypto';
import { createSealer } from '../../src/crypto/sealer.js';

const KEY = Buffer.alloc(32, 0x42);
const sealer = createSealer(KEY);
const CONTEXT = 'totp-secret:user-1';
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

const parts = (sealed: string) => sealed.split('.');
const b64 = (s: string) => Buffer.from(s, 'base64url');
const enc = (b: Buffer) => b.toString('base64url');
/** Flip one bit of the given byte in part `index` (1 = iv, 2 = ciphertext, 3 = tag). */
function flipBit(sealed: string, index: number, byte: number): string {
  const p = parts(sealed);
  const bytes = b64(p[index]!);
  bytes[byte] = bytes[byte]! ^ 0x01;
  p[index] = enc(bytes);
  return p.join('.');
}

describe('createSealer', () => {
  test.each([
    ['a base32 TOTP secret', SECRET],
    ['the empty string', ''],
    ['unicode', 'pässwörd – 秘密 🔐'],
    ['a long value', 'x'.repeat(10_000)],
    ['a value with dots', 'a.b.c.d'],
  ])('round-trips %s', (_label, plaintext) => {
    expect(sealer.open(sealer.seal(plaintext, CONTEXT), CONTEXT)).toBe(plaintext);
  });

  test('the sealed form is v1.<iv>.<ciphertext>.<tag> with a 12-byte iv and a 16-byte tag', () => {
    const p = parts(sealer.seal(SECRET, CONTEXT));
    expect(p).toHaveLength(4);
    expect(p[0]).toBe('v1');
    expect(b64(p[1]!)).toHaveLength(12);
    expect(b64(p[2]!)).toHaveLength(Buffer.byteLength(SECRET));
    expect(b64(p[3]!)).toHaveLength(16);
  });

  test('sealing the same value twice gives different output (fresh iv), both open', () => {
    const a = sealer.seal(SECRET, CONTEXT);
    const b = sealer.seal(SECRET, CONTEXT);
    expect(a).not.toBe(b);
    expect(parts(a)[1]).not.toBe(parts(b)[1]);
    expect(parts(a)[2]).not.toBe(parts(b)[2]);
    expect(sealer.open(a, CONTEXT)).toBe(SECRET);
    expect(sealer.open(b, CONTEXT)).toBe(SECRET);
  });

  test('ivs do not repeat over many seals', () => {
    const ivs = Array.from({ length: 500 }, () => parts(sealer.seal('x', CONTEXT))[1]);
    expect(new Set(ivs).size).toBe(500);
  });

  test('the sealed value does not contain the plaintext (raw, base64 or base64url)', () => {
    const sealed = sealer.seal(SECRET, CONTEXT);
    expect(sealed).not.toContain(SECRET);
    expect(sealed).not.toContain(Buffer.from(SECRET).toString('base64url'));
    expect(sealed).not.toContain(Buffer.from(SECRET).toString('base64'));
    expect(sealed).not.toContain(Buffer.from(SECRET).toString('hex'));
  });

  describe('tampering fails', () => {
    const sealed = sealer.seal(SECRET, CONTEXT);
    const p = parts(sealed);

    test.each([
      ['a bit of the iv (first byte)', flipBit(sealed, 1, 0)],
      ['a bit of the iv (last byte)', flipBit(sealed, 1, 11)],
      ['a bit of the ciphertext (first byte)', flipBit(sealed, 2, 0)],
      ['a bit of the ciphertext (last byte)', flipBit(sealed, 2, SECRET.length - 1)],
      ['a bit of the tag (first byte)', flipBit(sealed, 3, 0)],
      ['a bit of the tag (last byte)', flipBit(sealed, 3, 15)],
      ['the version', ['v2', p[1], p[2], p[3]].join('.')],
      ['a missing version', [p[1], p[2], p[3]].join('.')],
      ['a truncated ciphertext', [p[0], p[1], enc(b64(p[2]!).subarray(1)), p[3]].join('.')],
      ['an extended ciphertext', [p[0], p[1], enc(Buffer.concat([b64(p[2]!), Buffer.from([0])])), p[3]].join('.')],
      ['an empty ciphertext', [p[0], p[1], '', p[3]].join('.')],
      ['a shortened iv', [p[0], enc(b64(p[1]!).subarray(0, 8)), p[2], p[3]].join('.')],
      ['a missing tag', [p[0], p[1], p[2]].join('.')],
      ['an empty tag', [p[0], p[1], p[2], ''].join('.')],
      ['a tag truncated to 15 bytes', [p[0], p[1], p[2], enc(b64(p[3]!).subarray(0, 15))].join('.')],
      ['a tag truncated to 12 bytes', [p[0], p[1], p[2], enc(b64(p[3]!).subarray(0, 12))].join('.')],
      ['a tag truncated to 4 bytes', [p[0], p[1], p[2], enc(b64(p[3]!).subarray(0, 4))].join('.')],
      ['an extra trailing part', `${sealed}.AAAA`],
      ['iv and tag swapped', [p[0], p[3], p[2], p[1]].join('.')],
      ['garbage', 'not sealed at all'],
      ['the empty string', ''],
    ])('%s', (_label, tampered) => {
      expect(tampered).not.toBe(sealed);
      expect(() => sealer.open(tampered, CONTEXT)).toThrow();
    });

    test('a ciphertext spliced from another sealed value fails', () => {
      const other = parts(sealer.seal('A'.repeat(SECRET.length), CONTEXT));
      expect(() => sealer.open([p[0], p[1], other[2], p[3]].join('.'), CONTEXT)).toThrow();
    });
  });

  test.each([
    ['another random key', randomBytes(32)],
    ['a key differing in one bit', Buffer.concat([Buffer.alloc(31, 0x42), Buffer.from([0x43])])],
  ])('opening with %s fails', (_label, otherKey) => {
    const sealed = sealer.seal(SECRET, CONTEXT);
    expect(() => createSealer(otherKey).open(sealed, CONTEXT)).toThrow();
    // ... while a sealer built from the same key bytes opens it.
    expect(createSealer(Buffer.from(KEY)).open(sealed, CONTEXT)).toBe(SECRET);
  });

  test.each([
    ['another user', 'totp-secret:user-2'],
    ['another purpose', 'signing-key:user-1'],
    ['a prefix of the context', 'totp-secret:user-'],
    ['the context with a suffix', 'totp-secret:user-10'],
    ['an empty context', ''],
  ])('opening under %s fails', (_label, otherContext) => {
    const sealed = sealer.seal(SECRET, CONTEXT);
    expect(() => sealer.open(sealed, otherContext)).toThrow();
  });

  test.each([
    ['16 bytes', 16],
    ['31 bytes', 31],
    ['33 bytes', 33],
    ['0 bytes', 0],
  ])('refuses a key of %s', (_label, n) => {
    expect(() => createSealer(Buffer.alloc(n))).toThrow('encryption key must be 32 bytes');
  });
});
