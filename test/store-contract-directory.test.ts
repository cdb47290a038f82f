// Store contract, part 1: organisations, users, clients, transactions and the connection.
// The same assertions run against every back end in storeKinds (PGlite always, PostgreSQL when
// TEST_DATABASE_URL is set). Every test names its rows uniquely, so tests share one store.
import { randomBytes, randomUUID } from 'node:crypto';
import { openTestStore, storeKinds } from './support/databases.js';
import type { MfaMode, Store } from '../src/store/port.js';

const uniq = () => randomBytes(5).toString('hex');

// SQLSTATEs: both pg and PGlite report them as `code` on the error.
const UNIQUE_VIOLATION = { code: '23505' };
const CHECK_VIOLATION = { code: '23514' };

describe.each(storeKinds)('store contract on %s', (kind) => {
  let store: Store;

  beforeAll(async () => {
    store = await openTestStore(kind);
  });

  afterAll(async () => {
    await store?.close();
  });

  it('reports its kind and answers ping', async () => {
    expect(store.kind).toBe(kind);
    await expect(store.ping()).resolves.toBeUndefined();
  });

  describe('organisations', () => {
    it('creates an organisation with the MFA defaults and finds it by slug and by id', async () => {
      const slug = `org-${uniq()}`;
      const before = Date.now();
      const org = await store.organisations.create({ slug, name: 'Acme Ltd' });
      expect(org).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        slug,
        name: 'Acme Ltd',
        mfaMode: 'optional',
        rememberDeviceDays: 30,
        riskPolicy: {},
        webauthnPolicy: {},
        mfaMethods: ['totp', 'webauthn'],
        mfaGraceDays: 0,
        createdAt: expect.any(Date),
      });
      expect(Math.abs(org.createdAt.getTime() - before)).toBeLessThan(60_000);

      expect(await store.organisations.findBySlug(slug)).toEqual(org);
      expect(await store.organisations.findById(org.id)).toEqual(org);
      expect(await store.organisations.findBySlug(`missing-${uniq()}`)).toBeUndefined();
      expect(await store.organisations.findById(randomUUID())).toBeUndefined();
    });

    it('creates an organisation with an explicit MFA mode', async () => {
      const org = await store.organisations.create({ slug: `org-${uniq()}`, name: 'Strict', mfaMode: 'required' });
      expect(org.mfaMode).toBe('required');
      expect((await store.organisations.findById(org.id))?.mfaMode).toBe('required');
    });

    it('lists organisations ordered by slug', async () => {
      const p = `ls-${uniq()}`;
      for (const suffix of ['b', 'c', 'a']) await store.organisations.create({ slug: `${p}-${suffix}`, name: suffix });
      const mine = (await store.organisations.list()).filter((o) => o.slug.startsWith(`${p}-`));
      expect(mine.map((o) => o.slug)).toEqual([`${p}-a`, `${p}-b`, `${p}-c`]);
      expect(mine.map((o) => o.name)).toEqual(['a', 'b', 'c']);
    });

    it('rejects a duplicate slug and keeps the first organisation', async () => {
      const slug = `dup-${uniq()}`;
      const first = await store.organisations.create({ slug, name: 'First' });
      await expect(store.organisations.create({ slug, name: 'Second' })).rejects.toMatchObject(UNIQUE_VIOLATION);
      expect(await store.organisations.findBySlug(slug)).toEqual(first);
      expect((await store.organisations.list()).filter((o) => o.slug === slug)).toHaveLength(1);
    });

    it('rejects a malformed slug (check constraint)', async () => {
      await expect(store.organisations.create({ slug: `Bad Slug ${uniq()}`, name: 'x' })).rejects.toMatchObject(
        CHECK_VIOLATION,
      );
    });

    it('setMfa changes the mode and grace days, and keeps the grace days when none are given', async () => {
      const slug = `mfa-${uniq()}`;
      const org = await store.organisations.create({ slug, name: 'MFA' });

      const required = await store.organisations.setMfa(slug, { mode: 'required', graceDays: 7 });
      expect(required).toMatchObject({ id: org.id, slug, mfaMode: 'required', mfaGraceDays: 7 });
      expect(await store.organisations.findBySlug(slug)).toMatchObject({ mfaMode: 'required', mfaGraceDays: 7 });

      const off = await store.organisations.setMfa(slug, { mode: 'off' });
      expect(off).toMatchObject({ mfaMode: 'off', mfaGraceDays: 7 });
      expect(await store.organisations.findBySlug(slug)).toMatchObject({ mfaMode: 'off', mfaGraceDays: 7 });

      // 0 is a value, not "not given".
      const zero = await store.organisations.setMfa(slug, { mode: 'optional', graceDays: 0 });
      expect(zero).toMatchObject({ mfaMode: 'optional', mfaGraceDays: 0 });
      expect(await store.organisations.findBySlug(slug)).toMatchObject({ mfaMode: 'optional', mfaGraceDays: 0 });

      const max = await store.organisations.setMfa(slug, { mode: 'required', graceDays: 30 });
      expect(max).toMatchObject({ mfaMode: 'required', mfaGraceDays: 30 });
    });

    it('setMfa on an unknown slug returns undefined', async () => {
      expect(await store.organisations.setMfa(`missing-${uniq()}`, { mode: 'off' })).toBeUndefined();
    });

    it('the database rejects an invalid MFA mode or grace period and leaves the organisation unchanged', async () => {
      const slug = `chk-${uniq()}`;
      await store.organisations.create({ slug, name: 'Checked' });
      await store.organisations.setMfa(slug, { mode: 'required', graceDays: 5 });

      await expect(store.organisations.setMfa(slug, { mode: 'sometimes' as MfaMode })).rejects.toMatchObject(
        CHECK_VIOLATION,
      );
      await expect(store.organisations.setMfa(slug, { mode: 'optional', graceDays: 31 })).rejects.toMatchObject(
        CHECK_VIOLATION,
      );
      await expect(store.organisations.setMfa(slug, { mode: 'optional', graceDays: -1 })).rejects.toMatchObject(
        CHECK_VIOLATION,
      );
      await expect(
        store.organisations.create({ slug: `chk-${uniq()}`, name: 'x', mfaMode: 'always' as MfaMode }),
      ).rejects.toMatchObject(CHECK_VIOLATION);

      expect(await store.organisations.findBySlug(slug)).toMatchObject({ mfaMode: 'required', mfaGraceDays: 5 });
    });
  });

  describe('users', () => {
    let orgA: { id: string; slug: string };
    let orgB: { id: string; slug: string };

    beforeAll(async () => {
      orgA = await store.organisations.create({ slug: `ua-${uniq()}`, name: 'Users A' });
      orgB = await store.organisations.create({ slug: `ub-${uniq()}`, name: 'Users B' });
    });

    it('creates a user with defaults and finds it by email and by id', async () => {
      const email = `alice-${uniq()}@example.com`;
      const user = await store.users.create({ orgId: orgA.id, email, passwordHash: '$argon2id$v=19$fake' });
      expect(user).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        orgId: orgA.id,
        email,
        emailVerified: false,
        name: null,
        phone: null,
        passwordHash: '$argon2id$v=19$fake',
        disabled: false,
        lastMfaAt: null,
        passkeyOfferedAt: null,
        createdAt: expect.any(Date),
      });
      expect(await store.users.findByEmail(email)).toEqual(user);
      expect(await store.users.findById(user.id)).toEqual(user);
      expect(await store.users.findById(user.id.toUpperCase())).toEqual(user);
    });

    it('stores the optional name, emailVerified and a null password hash', async () => {
      const email = `bob-${uniq()}@example.com`;
      const user = await store.users.create({ orgId: orgA.id, email, passwordHash: null, name: 'Bob', emailVerified: true });
      expect(user).toMatchObject({ name: 'Bob', emailVerified: true, passwordHash: null });
      expect(await store.users.findById(user.id)).toMatchObject({ name: 'Bob', emailVerified: true, passwordHash: null });
    });

    it('returns undefined for unknown users', async () => {
      expect(await store.users.findByEmail(`nobody-${uniq()}@example.com`)).toBeUndefined();
      expect(await store.users.findById(randomUUID())).toBeUndefined();
    });

    it('rejects a second user with the same email, in any organisation', async () => {
      const email = `dup-${uniq()}@example.com`;
      const first = await store.users.create({ orgId: orgA.id, email, passwordHash: null });
      await expect(store.users.create({ orgId: orgA.id, email, passwordHash: null })).rejects.toMatchObject(
        UNIQUE_VIOLATION,
      );
      await expect(store.users.create({ orgId: orgB.id, email, passwordHash: null })).rejects.toMatchObject(
        UNIQUE_VIOLATION,
      );
      expect(await store.users.findByEmail(email)).toEqual(first);
    });

    it('rejects a user of an organisation that does not exist', async () => {
      await expect(
        store.users.create({ orgId: randomUUID(), email: `orphan-${uniq()}@example.com`, passwordHash: null }),
      ).rejects.toMatchObject({ code: '23503' });
    });

    it.each(['not-a-uuid', '', '12345', "' OR '1'='1", `${randomUUID()}x`, 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz'])(
      'findById(%j) with a malformed id returns undefined without throwing',
      async (id) => {
        await expect(store.users.findById(id)).resolves.toBeUndefined();
      },
    );

    it('lists users with their organisation slug, with and without an organisation filter', async () => {
      const p = uniq();
      const org = await store.organisations.create({ slug: `ul-${p}`, name: 'List' });
      const c = await store.users.create({ orgId: org.id, email: `c-${p}@example.com`, passwordHash: null });
      const a = await store.users.create({ orgId: org.id, email: `a-${p}@example.com`, passwordHash: null });
      const other = await store.users.create({ orgId: orgB.id, email: `b-${p}@example.com`, passwordHash: null });

      const filtered = await store.users.list({ orgId: org.id });
      expect(filtered).toEqual([
        { ...a, orgSlug: org.slug },
        { ...c, orgSlug: org.slug },
      ]);

      const all = await store.users.list();
      const mine = all.filter((u) => u.email.endsWith(`-${p}@example.com`));
      expect(mine).toEqual([
        { ...a, orgSlug: org.slug },
        { ...other, orgSlug: orgB.slug },
        { ...c, orgSlug: org.slug },
      ]);
      expect(all.every((u) => typeof u.orgSlug === 'string' && u.orgSlug.length > 0)).toBe(true);
      expect(all.length).toBeGreaterThan(filtered.length);

      const empty = await store.organisations.create({ slug: `ue-${p}`, name: 'Empty' });
      expect(await store.users.list({ orgId: empty.id })).toEqual([]);
    });

    it('recordMfa stamps lastMfaAt', async () => {
      const user = await store.users.create({ orgId: orgA.id, email: `mfa-${uniq()}@example.com`, passwordHash: null });
      await store.users.recordMfa(user.id);
      const after = await store.users.findById(user.id);
      expect(after?.lastMfaAt).toBeInstanceOf(Date);
      expect(Math.abs(after!.lastMfaAt!.getTime() - Date.now())).toBeLessThan(60_000);
    });
  });

  describe('clients', () => {
    it('creates a confidential client and finds it, its metadata round-tripping as JSON', async () => {
      const org = await store.organisations.create({ slug: `cl-${uniq()}`, name: 'Clients' });
      const metadata = {
        redirect_uris: ['https://app.example.com/cb', 'http://localhost:3000/callback'],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        require_pkce: true,
        default_max_age: 3600,
        ratio: 0.5,
        logo_uri: null,
        nested: { deep: { list: [1, 'two', { three: false }] } },
        'client_name#ja-JP': 'クライアント «test» "quoted" \\ back',
      };
      const clientId = `client-${uniq()}`;
      const created = await store.clients.create({
        clientId,
        orgId: org.id,
        name: 'Web app',
        secretEncrypted: 'v1.sealed.secret',
        metadata,
      });
      expect(created).toEqual({
        clientId,
        orgId: org.id,
        name: 'Web app',
        secretEncrypted: 'v1.sealed.secret',
        metadata,
        createdAt: expect.any(Date),
      });
      const found = await store.clients.find(clientId);
      expect(found).toEqual(created);
      expect(found?.metadata).toStrictEqual(metadata);
    });

    it('stores a public client with a null secret and no organisation', async () => {
      const clientId = `public-${uniq()}`;
      const created = await store.clients.create({
        clientId,
        orgId: null,
        name: 'SPA',
        secretEncrypted: null,
        metadata: { token_endpoint_auth_method: 'none', redirect_uris: ['https://spa.example.com/'] },
      });
      expect(created).toMatchObject({ clientId, orgId: null, secretEncrypted: null });
      const found = await store.clients.find(clientId);
      expect(found).toMatchObject({ clientId, orgId: null, secretEncrypted: null, name: 'SPA' });
      expect(found?.metadata).toEqual({ token_endpoint_auth_method: 'none', redirect_uris: ['https://spa.example.com/'] });
    });

    it('returns undefined for an unknown client and rejects a duplicate client id', async () => {
      expect(await store.clients.find(`missing-${uniq()}`)).toBeUndefined();
      const clientId = `dup-${uniq()}`;
      await store.clients.create({ clientId, orgId: null, name: 'One', secretEncrypted: null, metadata: {} });
      await expect(
        store.clients.create({ clientId, orgId: null, name: 'Two', secretEncrypted: null, metadata: {} }),
      ).rejects.toMatchObject(UNIQUE_VIOLATION);
      expect((await store.clients.find(clientId))?.name).toBe('One');
    });

    it('lists clients ordered by name, then client id', async () => {
      const p = uniq();
      const specs = [
        { clientId: `${p}-2`, name: `${p} beta` },
        { clientId: `${p}-3`, name: `${p} alpha` },
        { clientId: `${p}-1`, name: `${p} beta` },
      ];
      for (const s of specs) {
        await store.clients.create({ ...s, orgId: null, secretEncrypted: null, metadata: { n: s.clientId } });
      }
      const mine = (await store.clients.list()).filter((c) => c.clientId.startsWith(`${p}-`));
      expect(mine.map((c) => c.clientId)).toEqual([`${p}-3`, `${p}-1`, `${p}-2`]);
      expect(mine.map((c) => c.metadata)).toEqual([{ n: `${p}-3` }, { n: `${p}-1` }, { n: `${p}-2` }]);
    });
  });

  describe('transaction', () => {
    it('rolls back every write of a transaction that throws', async () => {
      const slug = `tx-${uniq()}`;
      const email = `tx-${uniq()}@example.com`;
      const boom = new Error('boom');
      let seenInside: unknown;
      await expect(
        store.transaction(async (tx) => {
          const org = await tx.organisations.create({ slug, name: 'Doomed' });
          await tx.users.create({ orgId: org.id, email, passwordHash: null });
          await tx.serverSecrets.putIfAbsent(`tx-secret-${slug}`, 'doomed');
          seenInside = await tx.users.findByEmail(email);
          throw boom;
        }),
      ).rejects.toBe(boom);
      // The transaction saw its own writes...
      expect(seenInside).toMatchObject({ email });
      // ...and none of them survived.
      expect(await store.organisations.findBySlug(slug)).toBeUndefined();
      expect(await store.users.findByEmail(email)).toBeUndefined();
      expect(await store.serverSecrets.get(`tx-secret-${slug}`)).toBeUndefined();
    });

    it('rolls back earlier writes when a later statement fails in the database', async () => {
      const existing = await store.organisations.create({ slug: `txe-${uniq()}`, name: 'Existing' });
      const slug = `txf-${uniq()}`;
      await expect(
        store.transaction(async (tx) => {
          await tx.organisations.create({ slug, name: 'First write' });
          await tx.organisations.create({ slug: existing.slug, name: 'Duplicate' });
        }),
      ).rejects.toMatchObject(UNIQUE_VIOLATION);
      expect(await store.organisations.findBySlug(slug)).toBeUndefined();
      expect(await store.organisations.findBySlug(existing.slug)).toEqual(existing);
    });

    it('commits every write of a transaction that succeeds and returns its result', async () => {
      const slug = `txok-${uniq()}`;
      const email = `txok-${uniq()}@example.com`;
      const result = await store.transaction(async (tx) => {
        const org = await tx.organisations.create({ slug, name: 'Committed' });
        const user = await tx.users.create({ orgId: org.id, email, passwordHash: null });
        return { org, user };
      });
      expect(await store.organisations.findBySlug(slug)).toEqual(result.org);
      expect(await store.users.findByEmail(email)).toEqual(result.user);
      expect(result.user.orgId).toBe(result.org.id);
    });

    it('refuses nested transactions', async () => {
      await expect(store.transaction((tx) => tx.transaction(async () => 1))).rejects.toThrow(/nested/);
    });
  });

  it('close() makes the store unusable', async () => {
    const other = await openTestStore(kind);
    await other.ping();
    await other.close();
    await expect(other.ping()).rejects.toThrow();
  });
});
