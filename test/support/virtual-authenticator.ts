// Chromium (playwright-core) with the Chrome DevTools Protocol's virtual WebAuthn authenticator:
// a security key or a platform passkey that answers navigator.credentials.create()/get() with no
// user interaction, plus the knobs tests need (user verification on/off, signature counter rewind).
//
//   if (!requireChromium('passkey sign-in')) -> describe.skip
//   const browser = await launchChromium();
//   const page = await (await browser.newContext()).newPage();
//   const key = await addVirtualAuthenticator(page, 'platform-passkey');
//   ... drive the page ...
//   await key.setUserVerified(false);
//   await key.rewindSignCount(credentialId, 0);
//   await key.remove();
import { existsSync } from 'node:fs';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** The headless flags test/browser/demo.test.ts launches Chromium with. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

/**
 * Whether a browser suite can run. Outside CI a missing Chromium skips the suite with one line on
 * stderr (returns false); in CI it throws, because CI must not silently skip browser tests.
 */
export function requireChromium(suiteName: string): boolean {
  if (chromiumAvailable()) return true;
  if (process.env.CI) throw new Error(`${suiteName}: browser tests cannot run: ${CHROMIUM} not found (CI must not skip them; apt-get install -y chromium)`);
  process.stderr.write(`${suiteName}: browser tests skipped: ${CHROMIUM} not found (apt-get install -y chromium)\n`);
  return false;
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** CDP WebAuthn.VirtualAuthenticatorOptions (the fields tests use; see the protocol for more). */
export interface VirtualAuthenticatorOptions {
  protocol: 'u2f' | 'ctap2';
  ctap2Version?: 'ctap2_0' | 'ctap2_1' | 'ctap2_2';
  transport: 'usb' | 'nfc' | 'ble' | 'cable' | 'hybrid' | 'smart-card' | 'internal';
  hasResidentKey?: boolean;
  hasUserVerification?: boolean;
  hasLargeBlob?: boolean;
  hasCredBlob?: boolean;
  hasMinPinLength?: boolean;
  hasPrf?: boolean;
  automaticPresenceSimulation?: boolean;
  isUserVerified?: boolean;
  /** BE flag of the credentials it creates (a synced passkey); Chromium defaults to false. */
  defaultBackupEligibility?: boolean;
  /** BS flag of the credentials it creates; Chromium defaults to false. */
  defaultBackupState?: boolean;
}

/**
 * CDP WebAuthn.Credential. Binary fields (credentialId, privateKey, userHandle, largeBlob) are
 * standard base64 with padding, not base64url.
 */
export interface VirtualCredential {
  credentialId: string;
  isResidentCredential: boolean;
  rpId?: string;
  /** The ECDSA P-256 private key, PKCS#8. */
  privateKey: string;
  userHandle?: string;
  signCount: number;
  largeBlob?: string;
  backupEligibility?: boolean;
  backupState?: boolean;
  userName?: string;
  userDisplayName?: string;
}

export type AuthenticatorPreset = 'usb-security-key' | 'platform-passkey';

export const PRESETS: Record<AuthenticatorPreset, VirtualAuthenticatorOptions> = {
  // A roaming CTAP2 key with no PIN and no resident-key storage: UV is never set.
  'usb-security-key': { protocol: 'ctap2', transport: 'usb', hasResidentKey: false, hasUserVerification: false, isUserVerified: false },
  // A platform authenticator with biometrics that succeed: discoverable credentials, UV set.
  'platform-passkey': { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
};

/** A preset name, a preset with raw overrides, or fully raw options. */
export type AddVirtualAuthenticatorOptions =
  | AuthenticatorPreset
  | ({ preset: AuthenticatorPreset } & Partial<VirtualAuthenticatorOptions>)
  | ({ preset?: undefined } & VirtualAuthenticatorOptions);

export interface VirtualAuthenticator {
  readonly authenticatorId: string;
  /** The options the authenticator was created with (after the preset and overrides merged). */
  readonly options: VirtualAuthenticatorOptions;
  /** The CDP session that owns the authenticator (for WebAuthn.* calls the helper lacks). */
  readonly session: CDPSession;
  /** WebAuthn.getCredentials, each with `id`: the credential ID in base64url, as WebAuthn JSON and @simplewebauthn use it. */
  credentials(): Promise<(VirtualCredential & { id: string })[]>;
  /** WebAuthn.setUserVerified: whether the next user verifications succeed. */
  setUserVerified(isUserVerified: boolean): Promise<void>;
  /**
   * Rolls a credential's signature counter back to `to` (as a cloned authenticator would report):
   * WebAuthn.getCredential (with its private key), WebAuthn.removeCredential, then
   * WebAuthn.addCredential of the same credential with the lower signCount. `credentialId` may be
   * base64url or base64. Throws unless `to` is below the current counter.
   */
  rewindSignCount(credentialId: string, to: number): Promise<{ from: number; to: number }>;
  /** WebAuthn.removeVirtualAuthenticator, then detaches the CDP session. */
  remove(): Promise<void>;
}

/** base64url (or base64) to padded standard base64, the CDP `binary` encoding. */
export function toCdpBinary(id: string): string {
  return Buffer.from(id.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('base64');
}

/** CDP base64 to base64url without padding. */
export function toBase64Url(binary: string): string {
  return Buffer.from(binary, 'base64').toString('base64url');
}

export async function addVirtualAuthenticator(page: Page, options: AddVirtualAuthenticatorOptions): Promise<VirtualAuthenticator> {
  let merged: VirtualAuthenticatorOptions;
  if (typeof options === 'string') merged = { ...PRESETS[options] };
  else {
    const { preset, ...raw } = options;
    merged = preset ? { ...PRESETS[preset], ...raw } : (raw as VirtualAuthenticatorOptions);
  }
  merged = { automaticPresenceSimulation: true, ...merged };

  const session = await page.context().newCDPSession(page);
  let authenticatorId: string;
  try {
    await session.send('WebAuthn.enable', { enableUI: false });
    ({ authenticatorId } = await session.send('WebAuthn.addVirtualAuthenticator', { options: merged }));
  } catch (e) {
    await session.detach().catch(() => undefined);
    throw e;
  }

  return {
    authenticatorId,
    options: merged,
    session,
    async credentials() {
      const { credentials } = await session.send('WebAuthn.getCredentials', { authenticatorId });
      return credentials.map((c) => ({ ...c, id: toBase64Url(c.credentialId) }));
    },
    async setUserVerified(isUserVerified) {
      await session.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified });
    },
    async rewindSignCount(credentialId, to) {
      const id = toCdpBinary(credentialId);
      const { credential } = await session.send('WebAuthn.getCredential', { authenticatorId, credentialId: id });
      const from = credential.signCount;
      if (!Number.isInteger(to) || to < 0 || to >= from) {
        throw new RangeError(`rewindSignCount: cannot rewind ${credentialId} from signCount ${from} to ${to} (need 0 <= to < ${from})`);
      }
      await session.send('WebAuthn.removeCredential', { authenticatorId, credentialId: id });
      await session.send('WebAuthn.addCredential', { authenticatorId, credential: { ...credential, signCount: to } });
      return { from, to };
    },
    async remove() {
      try {
        await session.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
      } finally {
        await session.detach().catch(() => undefined);
      }
    },
  };
}
