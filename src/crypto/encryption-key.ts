// Where the key that seals secrets at rest comes from: KEYSTEP_ENCRYPTION_KEY, else (embedded
// store) a file generated once into the data dir, else (in-memory store) a random key.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { decodeKey } from '../../config/schema.js';
import type { Settings } from '../config.js';

export const ENCRYPTION_KEY_FILE = 'encryption.key';

export function resolveEncryptionKey(settings: Pick<Settings, 'encryptionKey' | 'dataDir' | 'databaseUrl'>): Buffer {
  if (settings.encryptionKey) return settings.encryptionKey;
  if (settings.databaseUrl) throw new Error('KEYSTEP_ENCRYPTION_KEY is required with DATABASE_URL');
  if (settings.dataDir === ':memory:') return randomBytes(32);
  const file = path.join(settings.dataDir, ENCRYPTION_KEY_FILE);
  if (existsSync(file)) {
    const key = decodeKey(readFileSync(file, 'utf8'));
    if (!key) throw new Error(`${file} does not hold a 32-byte key`);
    return key;
  }
  mkdirSync(settings.dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  writeFileSync(file, key.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  return key;
}
