// Creating and configuring organisations.
import type { MfaMode, Organisation, Store } from '../store/port.js';
import { MFA_MODES } from '../store/port.js';
import { InvalidAdminInput } from './errors.js';

const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function parseMfaMode(value: string): MfaMode {
  if (!(MFA_MODES as readonly string[]).includes(value)) {
    throw new InvalidAdminInput(`MFA mode must be one of ${MFA_MODES.join(', ')} (got "${value}")`);
  }
  return value as MfaMode;
}

export async function createOrganisation(
  store: Store,
  input: { slug: string; name?: string; mfaMode?: string },
): Promise<Organisation> {
  if (!SLUG.test(input.slug)) {
    throw new InvalidAdminInput('slug must be 1-63 lower-case letters, digits or dashes, starting with a letter or digit');
  }
  if (await store.organisations.findBySlug(input.slug)) throw new InvalidAdminInput(`organisation "${input.slug}" already exists`);
  return store.organisations.create({
    slug: input.slug,
    name: input.name?.trim() || input.slug,
    mfaMode: input.mfaMode === undefined ? undefined : parseMfaMode(input.mfaMode),
  });
}

export async function requireOrganisation(store: Store, slug: string): Promise<Organisation> {
  const org = await store.organisations.findBySlug(slug);
  if (!org) throw new InvalidAdminInput(`no organisation "${slug}"`);
  return org;
}
