import type { Queryable } from '../database.js';
import type { TrustedDevice, TrustedDeviceRepository } from '../port.js';
import { isUuid } from './uuid.js';

interface Row {
  id: string;
  user_id: string;
  created_at: Date;
  last_used_at: Date;
  expires_at: Date;
  user_agent: string | null;
  ip: string | null;
  country: string | null;
  revoked_at: Date | null;
}

const toDevice = (r: Row): TrustedDevice => ({
  id: r.id,
  userId: r.user_id,
  createdAt: new Date(r.created_at),
  lastUsedAt: new Date(r.last_used_at),
  expiresAt: new Date(r.expires_at),
  userAgent: r.user_agent,
  ip: r.ip,
  country: r.country,
  revokedAt: r.revoked_at ? new Date(r.revoked_at) : null,
});

export function sqlTrustedDevices(db: Queryable): TrustedDeviceRepository {
  return {
    async create(i) {
      const [row] = await db.query<Row>(
        `INSERT INTO trusted_devices (user_id, expires_at, user_agent, ip, country) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
        [i.userId, i.expiresAt, i.userAgent?.slice(0, 512) ?? null, i.ip, i.country],
      );
      return toDevice(row!);
    },
    async findLive(userId, ids, now) {
      const valid = ids.filter(isUuid);
      if (!isUuid(userId) || !valid.length) return undefined;
      const [row] = await db.query<Row>(
        `SELECT * FROM trusted_devices WHERE user_id = $1 AND id = ANY($2::uuid[]) AND revoked_at IS NULL AND expires_at > $3 LIMIT 1`,
        [userId, valid, now],
      );
      return row ? toDevice(row) : undefined;
    },
    async touch(id, at) {
      if (isUuid(id)) await db.query('UPDATE trusted_devices SET last_used_at = $2 WHERE id = $1', [id, at]);
    },
    async list(userId) {
      if (!isUuid(userId)) return [];
      return (await db.query<Row>('SELECT * FROM trusted_devices WHERE user_id = $1 ORDER BY created_at DESC', [userId])).map(toDevice);
    },
    async revoke(userId, id) {
      if (!isUuid(userId) || (id !== undefined && !isUuid(id))) return 0;
      const rows = await db.query(
        `UPDATE trusted_devices SET revoked_at = now() WHERE user_id = $1 AND ($2::uuid IS NULL OR id = $2::uuid) AND revoked_at IS NULL RETURNING 1`,
        [userId, id ?? null],
      );
      return rows.length;
    },
  };
}
