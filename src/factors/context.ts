// Builds the FactorContext from the store, the encryption key and the settings.
import { hkdfSync } from 'node:crypto';
import type { Store } from '../store/port.js';
import type { Settings } from '../config.js';
import type { FactorContext } from './strategy.js';
import { createSealer } from '../crypto/sealer.js';

export function createFactorContext(store: Store, encryptionKey: Buffer, settings: Pick<Settings, 'mfa' | 'webauthn'>, now: () => Date = () => new Date()): FactorContext {
  return {
    store,
    sealer: createSealer(encryptionKey),
    totpIssuer: settings.mfa.totpIssuer,
    webauthn: settings.webauthn,
    // A separate key for backup-code hashes, derived so that it never equals the sealing key.
    backupCodeKey: Buffer.from(hkdfSync('sha256', encryptionKey, Buffer.alloc(0), 'keystep backup codes', 32)),
    now,
  };
}
