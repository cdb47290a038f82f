// Creating user accounts.
import type { Store, User } from '../store/port.js';
import { InvalidAdminInput } from '../admin/errors.js';
import { requireOrganisation } from '../admin/organisations.js';
import { hashPassword, isPlausibleEmail, normaliseEmail, passwordProblem } from './passwords.js';

export async function createUser(
  store: Store,
  input: { email: string; orgSlug: string; password?: string; name?: string; emailVerified?: boolean },
): Promise<User> {
  const email = normaliseEmail(input.email);
  if (!isPlausibleEmail(email)) throw new InvalidAdminInput(`"${input.email}" is not an email address`);
  if (input.password !== undefined) {
    const problem = passwordProblem(input.password);
    if (problem) throw new InvalidAdminInput(`password ${problem}`);
  }
  const org = await requireOrganisation(store, input.orgSlug);
  if (await store.users.findByEmail(email)) throw new InvalidAdminInput(`a user with email ${email} already exists`);
  return store.users.create({
    orgId: org.id,
    email,
    passwordHash: input.password === undefined ? null : await hashPassword(input.password),
    name: input.name ?? null,
    emailVerified: input.emailVerified ?? false,
  });
}
