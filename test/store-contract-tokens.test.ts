// Store contract, part 2: oidc-provider payloads, server secrets, attempt counters and the audit
// log. The same assertions run against every back end in storeKinds (PGlite always, PostgreSQL
// when TEST_DATABASE_URL is set). Every test names its rows uniquely, so tests share one store.
// Expiry is checked in real time with one-second windows.
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { openTestStore, storeKinds } from './support/databases.js';
import type { Store } from '../src/store/port.js';

const uniq = () => randomBytes(5).toString('hex');
/** Just past a one-second window. */
const PAST_ONE_SECOND = 1_100;
const nowSeconds = () => Date.now() / 1000;

describe.each(storeKinds)('store contract on %s', (kind) => {
  let store: Store;

  beforeAll(async () => {
    store = await openTestStore(kind);
  });

  afterAll(async () => {
    await store?.close();
  });

  describe('oidc payloads', () => {
    it('upsert then find returns the payload, scoped by model', async () => {
      const id = `at-${uniq()}`;
      const payload = {
        accountId: randomUUID(),
        grantId: `g-${uniq()}`,
        scope: 'openid email',
        claims: { id_token: { email: null }, nested: [1, 'two', { three: true }] },
        iat: 1_700_000_000,
        kind: 'AccessToken',
      };
      await store.oidc.upsert('AccessToken', id, payload, 3600);
      expect(await store.oidc.find('AccessToken', id)).toStrictEqual(payload);
      expect(await store.oidc.find('RefreshToken', id)).toBeUndefined();
      expect(await store.oidc.find('AccessToken', `other-${uniq()}`)).toBeUndefined();
    });

    it('the same id in two models is two rows', async () => {
      const id = `shared-${uniq()}`;
      await store.oidc.upsert('Session', id, { which: 'session' }, undefined);
      await store.oidc.upsert('Grant', id, { which: 'grant' }, undefined);
      expect(await store.oidc.find('Session', id)).toEqual({ which: 'session' });
      expect(await store.oidc.find('Grant', id)).toEqual({ which: 'grant' });
      await store.oidc.destroy('Session', id);
      expect(await store.oidc.find('Session', id)).toBeUndefined();
      expect(await store.oidc.find('Grant', id)).toEqual({ which: 'grant' });
    });

    it('upsert again replaces the payload and its uid, user code and grant id', async () => {
      const id = `s-${uniq()}`;
      const [uid1, uid2, code1, code2, grant1, grant2] = [uniq(), uniq(), uniq(), uniq(), uniq(), uniq()];
      await store.oidc.upsert('DeviceCode', id, { uid: uid1, userCode: code1, grantId: grant1, old: 'gone soon' }, 600);
      await store.oidc.upsert('DeviceCode', id, { uid: uid2, userCode: code2, grantId: grant2, fresh: true }, 600);

      const replaced = { uid: uid2, userCode: code2, grantId: grant2, fresh: true };
      expect(await store.oidc.find('DeviceCode', id)).toStrictEqual(replaced);
      expect(await store.oidc.findByUid('DeviceCode', uid1)).toBeUndefined();
      expect(await store.oidc.findByUid('DeviceCode', uid2)).toStrictEqual(replaced);
      expect(await store.oidc.findByUserCode('DeviceCode', code1)).toBeUndefined();
      expect(await store.oidc.findByUserCode('DeviceCode', code2)).toStrictEqual(replaced);

      await store.oidc.revokeByGrantId(grant1);
      expect(await store.oidc.find('DeviceCode', id)).toStrictEqual(replaced);
      await store.oidc.revokeByGrantId(grant2);
      expect(await store.oidc.find('DeviceCode', id)).toBeUndefined();
    });

    it('a payload is invisible once it expires, unless re-upserted with a later expiry', async () => {
      const expiring = `exp-${uniq()}`;
      const extended = `ext-${uniq()}`;
      const forever = `inf-${uniq()}`;
      const uid = uniq();
      const userCode = uniq();
      await store.oidc.upsert('DeviceCode', expiring, { uid, userCode }, 1);
      await store.oidc.upsert('DeviceCode', extended, { n: 1 }, 1);
      await store.oidc.upsert('DeviceCode', extended, { n: 2 }, 3600);
      await store.oidc.upsert('DeviceCode', forever, { n: 3 }, undefined);

      // Visible while the window is open.
      expect(await store.oidc.find('DeviceCode', expiring)).toEqual({ uid, userCode });
      expect(await store.oidc.findByUid('DeviceCode', uid)).toEqual({ uid, userCode });
      expect(await store.oidc.findByUserCode('DeviceCode', userCode)).toEqual({ uid, userCode });

      await sleep(PAST_ONE_SECOND);

      expect(await store.oidc.find('DeviceCode', expiring)).toBeUndefined();
      expect(await store.oidc.findByUid('DeviceCode', uid)).toBeUndefined();
      expect(await store.oidc.findByUserCode('DeviceCode', userCode)).toBeUndefined();
      expect(await store.oidc.find('DeviceCode', extended)).toEqual({ n: 2 });
      expect(await store.oidc.find('DeviceCode', forever)).toEqual({ n: 3 });
    });

    it('findByUid is scoped per model', async () => {
      const uid = uniq();
      await store.oidc.upsert('Session', `s-${uniq()}`, { uid, who: 'session' }, 600);
      await store.oidc.upsert('Interaction', `i-${uniq()}`, { uid, who: 'interaction' }, 600);
      expect(await store.oidc.findByUid('Session', uid)).toEqual({ uid, who: 'session' });
      expect(await store.oidc.findByUid('Interaction', uid)).toEqual({ uid, who: 'interaction' });
      expect(await store.oidc.findByUid('AccessToken', uid)).toBeUndefined();
      expect(await store.oidc.findByUid('Session', uniq())).toBeUndefined();
    });

    it('findByUserCode is scoped per model', async () => {
      const userCode = `ABCD-${uniq()}`;
      await store.oidc.upsert('DeviceCode', `d-${uniq()}`, { userCode, who: 'device' }, 600);
      await store.oidc.upsert('BackchannelAuthenticationRequest', `b-${uniq()}`, { userCode, who: 'ciba' }, 600);
      expect(await store.oidc.findByUserCode('DeviceCode', userCode)).toEqual({ userCode, who: 'device' });
      expect(await store.oidc.findByUserCode('BackchannelAuthenticationRequest', userCode)).toEqual({
        userCode,
        who: 'ciba',
      });
      expect(await store.oidc.findByUserCode('AccessToken', userCode)).toBeUndefined();
      expect(await store.oidc.findByUserCode('DeviceCode', `ABCD-${uniq()}`)).toBeUndefined();
    });

    it('consume marks the payload with a numeric consumed time in epoch seconds, and it stays found', async () => {
      const id = `code-${uniq()}`;
      const uid = uniq();
      const payload = { accountId: 'a', grantId: `g-${uniq()}`, uid };
      await store.oidc.upsert('AuthorizationCode', id, payload, 600);
      const found = await store.oidc.find('AuthorizationCode', id);
      expect(found).toEqual(payload);
      expect(found).not.toHaveProperty('consumed');

      const before = nowSeconds();
      await store.oidc.consume('AuthorizationCode', id);
      const after = nowSeconds();

      const first = await store.oidc.find('AuthorizationCode', id);
      expect(first).toEqual({ ...payload, consumed: expect.any(Number) });
      const consumed = first!.consumed as number;
      expect(Number.isInteger(consumed)).toBe(true);
      expect(consumed).toBeGreaterThanOrEqual(Math.floor(before) - 1);
      expect(consumed).toBeLessThanOrEqual(Math.ceil(after) + 1);

      const second = await store.oidc.find('AuthorizationCode', id);
      expect(second).toEqual({ ...payload, consumed });
      expect(await store.oidc.findByUid('AuthorizationCode', uid)).toEqual({ ...payload, consumed });

      // Consuming again keeps it consumed (and found).
      await store.oidc.consume('AuthorizationCode', id);
      expect(await store.oidc.find('AuthorizationCode', id)).toEqual({ ...payload, consumed: expect.any(Number) });

      // Consuming or destroying something that does not exist is not an error.
      await expect(store.oidc.consume('AuthorizationCode', `missing-${uniq()}`)).resolves.toBeUndefined();
      await expect(store.oidc.destroy('AuthorizationCode', `missing-${uniq()}`)).resolves.toBeUndefined();
    });

    it('destroy deletes the payload', async () => {
      const id = `rt-${uniq()}`;
      const keep = `rt-${uniq()}`;
      await store.oidc.upsert('RefreshToken', id, { n: 1 }, 600);
      await store.oidc.upsert('RefreshToken', keep, { n: 2 }, 600);
      await store.oidc.destroy('RefreshToken', id);
      expect(await store.oidc.find('RefreshToken', id)).toBeUndefined();
      expect(await store.oidc.find('RefreshToken', keep)).toEqual({ n: 2 });
    });

    it('revokeByGrantId deletes the rows of every model with that grant, and only those', async () => {
      const grant = `grant-${uniq()}`;
      const otherGrant = `grant-${uniq()}`;
      const p = uniq();
      const revoked = [
        ['AccessToken', `at-${p}`],
        ['RefreshToken', `rt-${p}`],
        ['AuthorizationCode', `ac-${p}`],
        ['DeviceCode', `dc-${p}`],
      ] as const;
      for (const [model, id] of revoked) await store.oidc.upsert(model, id, { grantId: grant, model }, 600);
      await store.oidc.upsert('AccessToken', `at2-${p}`, { grantId: otherGrant }, 600);
      await store.oidc.upsert('RefreshToken', `rt2-${p}`, { grantId: otherGrant }, undefined);
      await store.oidc.upsert('Session', `s-${p}`, { accountId: 'x' }, 600);

      await store.oidc.revokeByGrantId(grant);

      for (const [model, id] of revoked) expect(await store.oidc.find(model, id)).toBeUndefined();
      expect(await store.oidc.find('AccessToken', `at2-${p}`)).toEqual({ grantId: otherGrant });
      expect(await store.oidc.find('RefreshToken', `rt2-${p}`)).toEqual({ grantId: otherGrant });
      expect(await store.oidc.find('Session', `s-${p}`)).toEqual({ accountId: 'x' });
    });

    it('sweepExpired deletes the expired rows, returns how many, and leaves live ones', async () => {
      await store.oidc.sweepExpired(); // whatever earlier tests left behind
      const p = uniq();
      await store.oidc.upsert('AccessToken', `dead1-${p}`, { n: 1 }, 1);
      await store.oidc.upsert('Interaction', `dead2-${p}`, { n: 2 }, 1);
      await store.oidc.upsert('AccessToken', `live-${p}`, { n: 3 }, 3600);
      await store.oidc.upsert('Session', `live-${p}`, { n: 4 }, undefined);

      await sleep(PAST_ONE_SECOND);

      expect(await store.oidc.sweepExpired()).toBe(2);
      // Deleted, not merely hidden: a second sweep finds nothing left to delete.
      expect(await store.oidc.sweepExpired()).toBe(0);
      expect(await store.oidc.find('AccessToken', `dead1-${p}`)).toBeUndefined();
      expect(await store.oidc.find('Interaction', `dead2-${p}`)).toBeUndefined();
      expect(await store.oidc.find('AccessToken', `live-${p}`)).toEqual({ n: 3 });
      expect(await store.oidc.find('Session', `live-${p}`)).toEqual({ n: 4 });
    });
  });

  describe('server secrets', () => {
    it('get of a missing secret is undefined', async () => {
      expect(await store.serverSecrets.get(`missing-${uniq()}`)).toBeUndefined();
    });

    it('putIfAbsent stores the value, and a second one returns the first value', async () => {
      const name = `jwks-${uniq()}`;
      expect(await store.serverSecrets.putIfAbsent(name, 'first')).toBe('first');
      expect(await store.serverSecrets.get(name)).toBe('first');
      expect(await store.serverSecrets.putIfAbsent(name, 'second')).toBe('first');
      expect(await store.serverSecrets.get(name)).toBe('first');
    });

    it('10 parallel putIfAbsent calls for one name all return the same stored value', async () => {
      const name = `cookie-keys-${uniq()}`;
      const candidates = Array.from({ length: 10 }, (_, i) => `value-${i}-${uniq()}`);
      const results = await Promise.all(candidates.map((v) => store.serverSecrets.putIfAbsent(name, v)));
      expect(new Set(results).size).toBe(1);
      expect(candidates).toContain(results[0]);
      expect(await store.serverSecrets.get(name)).toBe(results[0]);
    });
  });

  describe('attempt counters', () => {
    it('increment returns 1, 2, 3... and peek reads the count', async () => {
      const key = `login:${uniq()}`;
      expect(await store.attempts.peek(key)).toBe(0);
      expect(await store.attempts.increment(key, 300)).toBe(1);
      expect(await store.attempts.increment(key, 300)).toBe(2);
      expect(await store.attempts.increment(key, 300)).toBe(3);
      expect(await store.attempts.peek(key)).toBe(3);
      expect(await store.attempts.peek(`${key}:other`)).toBe(0);
    });

    it('50 parallel increments of one key return exactly 1..50', async () => {
      const key = `ip:${uniq()}`;
      const counts = await Promise.all(Array.from({ length: 50 }, () => store.attempts.increment(key, 300)));
      expect([...counts].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect(await store.attempts.peek(key)).toBe(50);
    });

    it('decrement takes one back and never goes below zero', async () => {
      const key = `dec:${uniq()}`;
      await store.attempts.increment(key, 300);
      await store.attempts.increment(key, 300);
      await store.attempts.decrement(key);
      expect(await store.attempts.peek(key)).toBe(1);
      await store.attempts.decrement(key);
      await store.attempts.decrement(key);
      await store.attempts.decrement(key);
      expect(await store.attempts.peek(key)).toBe(0);
      expect(await store.attempts.increment(key, 300)).toBe(1);
      // A key that never existed: no error, still zero.
      await expect(store.attempts.decrement(`dec:${uniq()}`)).resolves.toBeUndefined();
    });

    it('reset starts the key over', async () => {
      const key = `reset:${uniq()}`;
      const other = `reset:${uniq()}`;
      for (let i = 0; i < 3; i++) await store.attempts.increment(key, 300);
      await store.attempts.increment(other, 300);
      await store.attempts.reset(key);
      expect(await store.attempts.peek(key)).toBe(0);
      expect(await store.attempts.peek(other)).toBe(1);
      expect(await store.attempts.increment(key, 300)).toBe(1);
    });

    it('an expired window restarts at 1, and the new window keeps counting', async () => {
      const key = `win:${uniq()}`;
      const longer = `win:${uniq()}`;
      expect(await store.attempts.increment(key, 1)).toBe(1);
      expect(await store.attempts.increment(key, 1)).toBe(2);
      await store.attempts.increment(longer, 300);
      await sleep(PAST_ONE_SECOND);
      expect(await store.attempts.peek(key)).toBe(0);
      expect(await store.attempts.increment(key, 1)).toBe(1);
      expect(await store.attempts.increment(key, 1)).toBe(2);
      expect(await store.attempts.peek(key)).toBe(2);
      expect(await store.attempts.increment(longer, 300)).toBe(2);
    });
  });

  describe('audit', () => {
    it('records events and lists them newest first, filtered by user', async () => {
      const userId = randomUUID();
      const orgId = randomUUID();
      await store.audit.record({ event: 'user.login_failed', userId, orgId, ip: '203.0.113.7', factor: 'password' });
      await store.audit.record({ event: 'user.login_failed', userId, orgId, ip: '203.0.113.7', factor: 'password' });
      await store.audit.record({
        event: 'user.login_succeeded',
        userId,
        orgId,
        clientId: 'web',
        ip: '203.0.113.7',
        userAgent: 'Mozilla/5.0',
        factor: 'password',
      });
      await store.audit.record({ event: 'user.login_succeeded', userId: randomUUID() });

      const events = await store.audit.list({ userId });
      expect(events.map((e) => e.event)).toEqual(['user.login_succeeded', 'user.login_failed', 'user.login_failed']);
      expect(events[0]!.id).toBeGreaterThan(events[1]!.id);
      expect(events[1]!.id).toBeGreaterThan(events[2]!.id);
      expect(events[0]).toEqual({
        id: expect.any(Number),
        event: 'user.login_succeeded',
        orgId,
        userId,
        clientId: 'web',
        ip: '203.0.113.7',
        userAgent: 'Mozilla/5.0',
        factor: 'password',
        details: {},
        createdAt: expect.any(Date),
      });
      expect(events[2]).toMatchObject({ clientId: null, userAgent: null, details: {} });
      expect(Math.abs(events[0]!.createdAt.getTime() - Date.now())).toBeLessThan(60_000);

      expect(await store.audit.list({ userId, limit: 2 })).toEqual(events.slice(0, 2));
      expect(await store.audit.list({ userId: randomUUID() })).toEqual([]);
    });

    it('filters by event, and by user and event together', async () => {
      const event = `test.event_${uniq()}`;
      const alice = randomUUID();
      const bob = randomUUID();
      await store.audit.record({ event, userId: alice, details: { n: 1 } });
      await store.audit.record({ event: `${event}_other`, userId: alice, details: { n: 2 } });
      await store.audit.record({ event, userId: bob, details: { n: 3 } });
      await store.audit.record({ event });

      const byEvent = await store.audit.list({ event });
      expect(byEvent.map((e) => [e.userId, e.details])).toEqual([
        [null, {}],
        [bob, { n: 3 }],
        [alice, { n: 1 }],
      ]);
      expect((await store.audit.list({ userId: alice, event })).map((e) => e.details)).toEqual([{ n: 1 }]);
      expect((await store.audit.list()).length).toBeGreaterThanOrEqual(4);
      expect((await store.audit.list())[0]).toMatchObject({ event, userId: null });
    });

    it('round-trips details as JSON', async () => {
      const event = `test.details_${uniq()}`;
      const details = {
        email: 'ålice@example.com',
        scope: 'account',
        attempts: 5,
        ratio: 0.25,
        locked: true,
        nothing: null,
        factors: ['totp', 'backup_code'],
        nested: { deeper: { quote: 'a "b" \\ c', emoji: '🔐' } },
      };
      await store.audit.record({ event, details });
      const [stored] = await store.audit.list({ event });
      expect(stored?.details).toStrictEqual(details);
    });

    it('truncates a long user agent to 512 characters', async () => {
      const event = `test.ua_${uniq()}`;
      const userAgent = `Mozilla/5.0 ${'x'.repeat(600)}${'y'.repeat(400)}`;
      await store.audit.record({ event, userAgent });
      const [stored] = await store.audit.list({ event });
      expect(stored?.userAgent).toHaveLength(512);
      expect(stored?.userAgent).toBe(userAgent.slice(0, 512));

      const exact = 'z'.repeat(512);
      await store.audit.record({ event, userAgent: exact });
      expect((await store.audit.list({ event }))[0]?.userAgent).toBe(exact);
    });
  });
});
