import type { Queryable } from '../database.js';
import type { BackupCodeRepository } from '../port.js';

export function sqlBackupCodes(db: Queryable): BackupCodeRepository {
  return {
    async replaceAll(userId, hashes) {
      await db.query('DELETE FROM backup_codes WHERE user_id = $1', [userId]);
      await db.query('INSERT INTO backup_codes (user_id, code_hash) SELECT $1, unnest($2::text[])', [userId, hashes]);
    },
    // One UPDATE: of parallel consumers of the same code, PostgreSQL lets exactly one match.
    async consume(userId, hash) {
      const rows = await db.query(
        'UPDATE backup_codes SET used_at = now() WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL RETURNING 1',
        [userId, hash],
      );
      return rows.length === 1;
    },
    async countRemaining(userId) {
      const [row] = await db.query<{ n: number }>(
        'SELECT count(*)::integer AS n FROM backup_codes WHERE user_id = $1 AND used_at IS NULL',
        [userId],
      );
      return row?.n ?? 0;
    },
    async removeAllForUser(userId) {
      await db.query('DELETE FROM backup_codes WHERE user_id = $1', [userId]);
    },
  };
}
