// RS256 signing keys: from KEYSTEP_JWKS_FILE, or generated on first start and kept sealed in
// the store. Also the keys that sign cookies.
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Store } from '../store/port.js';
import type { Sealer } from '../crypto/sealer.js';

const JWKS_SECRET = 'signing-jwks';
const COOKIE_KEYS_SECRET = 'cookie-keys';

export async function generateSigningKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'RS256', use: 'sig' };
}

function readJwksFile(file: string): { keys: JWK[] } {
  let parsed: { keys?: JWK[] };
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`KEYSTEP_JWKS_FILE: cannot read ${file}: ${(err as Error).message}`);
  }
  const keys = (parsed.keys ?? []).filter((k) => k.kty === 'RSA' && k.d && (!k.alg || k.alg === 'RS256'));
  if (!keys.length) throw new Error(`KEYSTEP_JWKS_FILE: ${file} holds no private RSA (RS256) key`);
  return { keys };
}

async function loadOrCreate(store: Store, sealer: Sealer, name: string, create: () => Promise<string>): Promise<string> {
  const existing = await store.serverSecrets.get(name);
  const sealed = existing ?? (await store.serverSecrets.putIfAbsent(name, sealer.seal(await create(), name)));
  return sealer.open(sealed, name);
}

export async function loadSigningKeys(store: Store, sealer: Sealer, jwksFile?: string): Promise<{ keys: JWK[] }> {
  if (jwksFile) return readJwksFile(jwksFile);
  const json = await loadOrCreate(store, sealer, JWKS_SECRET, async () => JSON.stringify({ keys: [await generateSigningKey()] }));
  return JSON.parse(json) as { keys: JWK[] };
}

export async function loadCookieKeys(store: Store, sealer: Sealer): Promise<string[]> {
  const json = await loadOrCreate(store, sealer, COOKIE_KEYS_SECRET, async () =>
    JSON.stringify([randomBytes(32).toString('base64url')]),
  );
  return JSON.parse(json) as string[];
}
