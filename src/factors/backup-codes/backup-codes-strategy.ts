// Backup codes (NIST SP 800-63B look-up secrets): 10 single-use codes of 50 random bits, shown
// once. Stored as HMAC-SHA-256(key, user id + code): the key is derived from the encryption key,
// which never enters the database, so a stolen database alone cannot be brute-forced offline
// (the keyed-hash alternative to a salted password KDF; one hash per check keeps a login fast).
import { createHmac, randomInt } from 'node:crypto';
import type { FactorStrategy, FactorContext } from '../strategy.js';

const KIND = 'backup_code';
export const BACKUP_CODE_COUNT = 10;
// Crockford's base32: 32 symbols (5 bits each) without I, L, O, U; 10 symbols = 50 bits.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const CODE_LENGTH = 10;

export function newBackupCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

/** Accepts any case, spaces and dashes, and the letters people confuse with digits. */
export function normaliseBackupCode(input: string): string | undefined {
  const v = input
    .toLowerCase()
    .replace(/[\s-]+/g, '')
    .replace(/[il]/g, '1')
    .replace(/o/g, '0');
  return v.length === CODE_LENGTH && [...v].every((c) => ALPHABET.includes(c)) ? v : undefined;
}

export function hashBackupCode(key: Buffer, userId: string, normalised: string): string {
  return createHmac('sha256', key).update(`${userId}:${normalised}`).digest('base64url');
}

async function regenerate(ctx: FactorContext, userId: string): Promise<string[]> {
  const codes = Array.from({ length: BACKUP_CODE_COUNT }, newBackupCode);
  const hashes = codes.map((c) => hashBackupCode(ctx.backupCodeKey, userId, normaliseBackupCode(c)!));
  await ctx.store.transaction((tx) => tx.backupCodes.replaceAll(userId, hashes));
  return codes;
}

export const backupCodesStrategy: FactorStrategy = {
  kind: KIND,
  label: 'Backup code',
  // A look-up secret is a one-time password from a printed list (RFC 8176 "otp").
  amr: ['otp'],
  maxAal: 2,
  phishingResistant: false,
  showInPicker: false,

  async isEnrolled(ctx, user) {
    return (await ctx.store.backupCodes.countRemaining(user.id)) > 0;
  },

  enroll: {
    async start(ctx, user) {
      return { type: 'codes', codes: await regenerate(ctx, user.id) };
    },
    async confirm() {
      return { ok: true, factorId: KIND };
    },
  },

  async challenge() {
    // Printed codes: nothing to send.
  },

  async verify(ctx, user, response) {
    const normalised = normaliseBackupCode(response);
    if (!normalised) return { ok: false, reason: 'invalid' };
    if (!(await ctx.store.backupCodes.consume(user.id, hashBackupCode(ctx.backupCodeKey, user.id, normalised)))) {
      return { ok: false, reason: 'invalid' };
    }
    return { ok: true, remaining: await ctx.store.backupCodes.countRemaining(user.id) };
  },

  async remove(ctx, user) {
    await ctx.store.backupCodes.removeAllForUser(user.id);
    return true;
  },
};
