import type { Queryable } from '../database.js';
import type { LoginHistoryEntry, LoginHistoryRepository } from '../port.js';
import { isUuid } from './uuid.js';

interface Row {
  at: Date;
  ip: string | null;
  country: string | null;
  latitude: number | null;
  longitude: number | null;
  device_id: string | null;
  succeeded: boolean;
}

const toEntry = (r: Row): LoginHistoryEntry => ({
  at: new Date(r.at),
  ip: r.ip,
  country: r.country,
  latitude: r.latitude === null ? null : Number(r.latitude),
  longitude: r.longitude === null ? null : Number(r.longitude),
  deviceId: r.device_id,
  succeeded: r.succeeded,
});

export function sqlLoginHistory(db: Queryable): LoginHistoryRepository {
  return {
    async record(userId, e) {
      await db.query(
        `INSERT INTO login_history (user_id, at, ip, country, latitude, longitude, device_id, succeeded) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [userId, e.at, e.ip, e.country, e.latitude, e.longitude, e.deviceId, e.succeeded],
      );
    },
    async recent(userId, limit) {
      if (!isUuid(userId)) return [];
      return (await db.query<Row>('SELECT * FROM login_history WHERE user_id = $1 ORDER BY at DESC, id DESC LIMIT $2', [userId, limit])).map(toEntry);
    },
  };
}
