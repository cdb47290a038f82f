import type { Queryable } from '../database.js';
import { isUuid } from './uuid.js';
import type { User, UserRepository } from '../port.js';

interface Row {
  id: string;
  org_id: string;
  email: string;
  email_verified: boolean;
  name: string | null;
  phone: string | null;
  password_hash: string | null;
  disabled: boolean;
  last_mfa_at: Date | null;
  passkey_offered_at: Date | null;
  created_at: Date;
  org_slug?: string;
}

const toUser = (r: Row): User => ({
  id: r.id,
  orgId: r.org_id,
  email: r.email,
  emailVerified: r.email_verified,
  name: r.name,
  phone: r.phone,
  passwordHash: r.password_hash,
  disabled: r.disabled,
  lastMfaAt: r.last_mfa_at ? new Date(r.last_mfa_at) : null,
  passkeyOfferedAt: r.passkey_offered_at ? new Date(r.passkey_offered_at) : null,
  createdAt: new Date(r.created_at),
});


export function sqlUsers(db: Queryable): UserRepository {
  const one = async (sql: string, params: unknown[]) => {
    const [row] = await db.query<Row>(sql, params);
    return row ? toUser(row) : undefined;
  };
  return {
    async create({ orgId, email, passwordHash, name = null, emailVerified = false }) {
      return (await one(
        `INSERT INTO users (org_id, email, password_hash, name, email_verified)
         VALUES ($1, $2, $3, $4, $5) RETURNING *`,
        [orgId, email, passwordHash, name, emailVerified],
      ))!;
    },
    findByEmail: (email) => one('SELECT * FROM users WHERE email = $1', [email]),
    findById: async (id) => (isUuid(id) ? one('SELECT * FROM users WHERE id = $1', [id]) : undefined),
    async list(filter = {}) {
      if (filter.orgId !== undefined && !isUuid(filter.orgId)) return [];
      const rows = await db.query<Row>(
        `SELECT u.*, o.slug AS org_slug FROM users u JOIN organisations o ON o.id = u.org_id
         WHERE ($1::uuid IS NULL OR u.org_id = $1::uuid) ORDER BY u.email`,
        [filter.orgId ?? null],
      );
      return rows.map((r) => ({ ...toUser(r), orgSlug: r.org_slug! }));
    },
    async recordPasskeyOffer(userId, at) {
      await db.query('UPDATE users SET passkey_offered_at = $2 WHERE id = $1', [userId, at]);
    },
    async recordMfa(userId) {
      await db.query('UPDATE users SET last_mfa_at = now() WHERE id = $1', [userId]);
    },
  };
}
