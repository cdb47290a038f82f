// The administrative operations the CLI offers. They run where the store is: in the CLI process,
// or (embedded store held by a running server) inside the server, reached through its admin socket.
import { z } from 'zod';
import type { Store } from '../store/port.js';
import type { Sealer } from '../crypto/sealer.js';
import { createOrganisation } from './organisations.js';
import { createClient } from './clients.js';
import { createUser } from '../account/users.js';
import { requireOrganisation, parseMfaMode } from './organisations.js';
import { InvalidAdminInput } from './errors.js';
import { removeFactor, resetMfa } from '../factors/enrolment.js';
import type { FactorContext } from '../factors/strategy.js';
import { normaliseEmail } from '../account/passwords.js';
import type { AcrLevels } from '../policy/acr-levels.js';
import { parseAddressOrCidr, riskPolicyOf } from '../policy/risk.js';
import { revokeTrustedDevices } from '../account/trusted-devices.js';
import { AAGUID, attestationPolicyOf } from '../factors/webauthn/attestation-policy.js';

export interface OperationDeps {
  store: Store;
  sealer: Sealer;
  factors: FactorContext;
  levels: AcrLevels;
}

async function requireUser(store: Store, email: string) {
  const user = await store.users.findByEmail(normaliseEmail(email));
  if (!user) throw new InvalidAdminInput(`no user with email ${normaliseEmail(email)}`);
  return user;
}

const ADMIN_FACTS = { ip: null, userAgent: 'keystep-cli', clientId: null };

interface Operation<S extends z.ZodType> {
  input: S;
  run(deps: OperationDeps, input: z.infer<S>): Promise<unknown>;
}

const op = <S extends z.ZodType>(o: Operation<S>) => o;

const orgView = (o: { slug: string; name: string; mfaMode: string; mfaGraceDays: number; rememberDeviceDays: number; createdAt: Date }) => ({
  slug: o.slug,
  name: o.name,
  mfa_mode: o.mfaMode,
  mfa_grace_days: o.mfaGraceDays,
  remember_device_days: o.rememberDeviceDays,
  created_at: o.createdAt,
});


export const operations = {
  'org.create': op({
    input: z.object({ slug: z.string(), name: z.string().optional(), mfa: z.string().optional() }),
    async run({ store }, i) {
      return { organisation: orgView(await createOrganisation(store, { slug: i.slug, name: i.name, mfaMode: i.mfa })) };
    },
  }),
  'org.list': op({
    input: z.object({}),
    async run({ store }) {
      return { organisations: (await store.organisations.list()).map(orgView) };
    },
  }),
  'org.set-mfa': op({
    input: z.object({ slug: z.string(), mode: z.string(), graceDays: z.number().int().optional(), rememberDeviceDays: z.number().int().optional() }),
    async run({ store }, i) {
      if (i.graceDays !== undefined && (i.graceDays < 0 || i.graceDays > 30)) throw new InvalidAdminInput('grace days must be between 0 and 30');
      if (i.rememberDeviceDays !== undefined && (i.rememberDeviceDays < 0 || i.rememberDeviceDays > 90)) {
        throw new InvalidAdminInput('remember-device days must be between 0 (off) and 90');
      }
      await requireOrganisation(store, i.slug);
      const org = await store.organisations.setMfa(i.slug, { mode: parseMfaMode(i.mode), graceDays: i.graceDays, rememberDeviceDays: i.rememberDeviceDays });
      return { organisation: orgView(org!) };
    },
  }),
  'org.set-risk': op({
    input: z.object({
      slug: z.string(),
      threshold: z.number().min(0).optional(),
      weights: z.partialRecord(z.enum(['newDevice', 'newCountry', 'impossibleTravel', 'failureVelocity', 'deniedIp']), z.number().min(0)).optional(),
      impossibleTravelKmh: z.number().positive().optional(),
      ipAllow: z.array(z.string()).optional(),
      ipDeny: z.array(z.string()).optional(),
    }),
    async run({ store }, i) {
      const org = await requireOrganisation(store, i.slug);
      for (const entry of [...(i.ipAllow ?? []), ...(i.ipDeny ?? [])]) {
        if (!parseAddressOrCidr(entry)) throw new InvalidAdminInput(`"${entry}" is not an IP address or CIDR range`);
      }
      const current = org.riskPolicy as Record<string, unknown>;
      const next = {
        ...current,
        ...(i.threshold !== undefined ? { threshold: i.threshold } : {}),
        ...(i.weights ? { weights: { ...((current.weights as object) ?? {}), ...i.weights } } : {}),
        ...(i.impossibleTravelKmh !== undefined ? { impossibleTravelKmh: i.impossibleTravelKmh } : {}),
        ...(i.ipAllow ? { ipAllow: i.ipAllow } : {}),
        ...(i.ipDeny ? { ipDeny: i.ipDeny } : {}),
      };
      const updated = await store.organisations.setRiskPolicy(i.slug, next);
      return { organisation: orgView(updated!), risk_policy: riskPolicyOf(updated!.riskPolicy) };
    },
  }),
  'user.mfa': op({
    input: z.object({ email: z.string() }),
    async run({ store }, i) {
      const user = await requireUser(store, i.email);
      const factors = await store.mfaFactors.listForUser(user.id);
      return {
        email: user.email,
        last_mfa_at: user.lastMfaAt,
        factors: factors.map((f) => ({
          id: f.id,
          kind: f.kind,
          name: f.name,
          created_at: f.createdAt,
          last_used_at: f.lastUsedAt,
          ...(f.kind === 'webauthn'
            ? {
                aaguid: f.data.aaguid ?? null,
                device_type: f.data.device_type ?? null,
                backed_up: f.data.backed_up ?? false,
                clone_suspected: f.data.clone_suspected ?? false,
              }
            : {}),
        })),
        backup_codes_remaining: await store.backupCodes.countRemaining(user.id),
      };
    },
  }),
  'user.remove-factor': op({
    input: z.object({ email: z.string(), factorId: z.string() }),
    async run({ store, factors }, i) {
      const user = await requireUser(store, i.email);
      const factor = (await store.mfaFactors.listForUser(user.id, { includePending: true })).find((f) => f.id === i.factorId);
      if (!factor) throw new InvalidAdminInput(`no factor ${i.factorId} for ${user.email} (see: keystep user mfa ${user.email})`);
      await removeFactor(factors, user, factor.kind, factor.id, ADMIN_FACTS);
      return { email: user.email, removed: { id: factor.id, kind: factor.kind, name: factor.name } };
    },
  }),
  'user.reset-mfa': op({
    input: z.object({ email: z.string() }),
    async run({ store, factors }, i) {
      const user = await requireUser(store, i.email);
      const { removedFactors } = await resetMfa(factors, user, ADMIN_FACTS);
      return { email: user.email, removed_factors: removedFactors };
    },
  }),
  'org.set-webauthn': op({
    input: z.object({ slug: z.string(), attestation: z.enum(['none', 'direct']).optional(), aaguids: z.array(z.string()).optional(), offerPasskeys: z.boolean().optional() }),
    async run({ store }, i) {
      const current = attestationPolicyOf((await requireOrganisation(store, i.slug)).webauthnPolicy);
      for (const a of i.aaguids ?? []) if (!AAGUID.test(a)) throw new InvalidAdminInput(`"${a}" is not an AAGUID`);
      const org = await store.organisations.setWebauthnPolicy(i.slug, {
        attestation: i.attestation ?? current.attestation,
        aaguids: i.aaguids ? i.aaguids.map((a) => a.toLowerCase()) : current.aaguids,
        offerPasskeys: i.offerPasskeys ?? current.offerPasskeys,
      });
      return { organisation: orgView(org!), webauthn_policy: attestationPolicyOf(org!.webauthnPolicy) };
    },
  }),
  'user.devices': op({
    input: z.object({ email: z.string() }),
    async run({ store }, i) {
      const user = await requireUser(store, i.email);
      return {
        email: user.email,
        devices: (await store.trustedDevices.list(user.id)).map((d) => ({
          id: d.id,
          created_at: d.createdAt,
          last_used_at: d.lastUsedAt,
          expires_at: d.expiresAt,
          user_agent: d.userAgent,
          ip: d.ip,
          country: d.country,
          revoked_at: d.revokedAt,
        })),
      };
    },
  }),
  'user.devices-revoke': op({
    input: z.object({ email: z.string(), deviceId: z.string().optional(), all: z.boolean().optional() }),
    async run({ store }, i) {
      const user = await requireUser(store, i.email);
      if (!i.all && !i.deviceId) throw new InvalidAdminInput('give --device <id> or --all');
      if (i.all && i.deviceId) throw new InvalidAdminInput('give either --device <id> or --all');
      const revoked = await revokeTrustedDevices(store, user, i.all ? undefined : i.deviceId, ADMIN_FACTS);
      if (!revoked && i.deviceId) throw new InvalidAdminInput(`no active trusted device ${i.deviceId} for ${user.email}`);
      return { email: user.email, revoked };
    },
  }),
  'user.create': op({
    input: z.object({ email: z.string(), org: z.string(), password: z.string().optional(), name: z.string().optional() }),
    async run({ store }, i) {
      const user = await createUser(store, { email: i.email, orgSlug: i.org, password: i.password, name: i.name });
      return { user: { id: user.id, email: user.email, org: i.org, has_password: user.passwordHash !== null, created_at: user.createdAt } };
    },
  }),
  'user.list': op({
    input: z.object({ org: z.string().optional() }),
    async run({ store }, i) {
      const orgId = i.org ? (await requireOrganisation(store, i.org)).id : undefined;
      const users = await store.users.list({ orgId });
      return {
        users: users.map((u) => ({ id: u.id, email: u.email, org: u.orgSlug, email_verified: u.emailVerified, disabled: u.disabled, created_at: u.createdAt })),
      };
    },
  }),
  'client.create': op({
    input: z.object({
      name: z.string(),
      redirectUris: z.array(z.string()),
      postLogoutRedirectUris: z.array(z.string()).optional(),
      org: z.string().optional(),
      public: z.boolean().optional(),
    }),
    async run({ store, sealer }, i) {
      const { client, clientSecret } = await createClient(store, sealer, {
        name: i.name,
        redirectUris: i.redirectUris,
        postLogoutRedirectUris: i.postLogoutRedirectUris,
        orgSlug: i.org,
        public: i.public,
      });
      return {
        client_id: client.clientId,
        ...(clientSecret ? { client_secret: clientSecret } : {}),
        name: client.name,
        ...client.metadata,
      };
    },
  }),
  'client.set-policy': op({
    input: z.object({
      clientId: z.string(),
      minimumAcr: z.string().optional(),
      mfaRequired: z.boolean().optional(),
      defaultAcr: z.string().optional(),
      acrEnforcement: z.enum(['strict', 'lenient']).optional(),
    }),
    async run({ store, levels }, i) {
      const acrOrNone = (name: string, v: string | undefined) => {
        if (v === undefined || v === 'none') return v === 'none' ? null : undefined;
        if (!levels.isKnown(v)) throw new InvalidAdminInput(`${name} must be one of ${levels.values.join(', ')} or none`);
        return v;
      };
      const minimum = acrOrNone('--minimum-acr', i.minimumAcr);
      const defaultAcr = acrOrNone('--default-acr', i.defaultAcr);
      const changes: Record<string, unknown> = {
        ...(minimum !== undefined ? { minimum_acr: minimum } : {}),
        ...(defaultAcr !== undefined ? { default_acr_values: defaultAcr === null ? null : [defaultAcr] } : {}),
        ...(i.mfaRequired !== undefined ? { mfa_required: i.mfaRequired } : {}),
        ...(i.acrEnforcement !== undefined ? { acr_enforcement: i.acrEnforcement } : {}),
      };
      if (!Object.keys(changes).length) throw new InvalidAdminInput('nothing to change: give --minimum-acr, --mfa-required, --default-acr or --acr-enforcement');
      const client = await store.clients.updateMetadata(i.clientId, changes);
      if (!client) throw new InvalidAdminInput(`no client "${i.clientId}"`);
      const m = client.metadata;
      return {
        client_id: client.clientId,
        minimum_acr: m.minimum_acr ?? null,
        mfa_required: m.mfa_required ?? false,
        default_acr_values: m.default_acr_values ?? [],
        acr_enforcement: m.acr_enforcement ?? 'strict',
      };
    },
  }),
  'client.list': op({
    input: z.object({}),
    async run({ store }) {
      const orgs = new Map((await store.organisations.list()).map((o) => [o.id, o.slug]));
      return {
        clients: (await store.clients.list()).map((c) => ({
          client_id: c.clientId,
          name: c.name,
          org: c.orgId ? orgs.get(c.orgId) ?? null : null,
          public: c.secretEncrypted === null,
          redirect_uris: c.metadata.redirect_uris,
          grant_types: c.metadata.grant_types,
          created_at: c.createdAt,
        })),
      };
    },
  }),
} as const;

export type OperationName = keyof typeof operations;

export function isOperationName(name: string): name is OperationName {
  return Object.hasOwn(operations, name);
}

/** Validates input and runs the operation; the result is plain JSON (dates as ISO strings). */
export async function runOperation(deps: OperationDeps, name: OperationName, input: unknown): Promise<unknown> {
  const operation = operations[name] as Operation<z.ZodType>;
  const parsed = operation.input.safeParse(input);
  if (!parsed.success) throw new InvalidAdminInput(`invalid input for ${name}: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
  return JSON.parse(JSON.stringify(await operation.run(deps, parsed.data)));
}
