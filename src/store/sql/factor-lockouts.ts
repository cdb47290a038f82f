import type { Queryable } from '../database.js';
import type { FactorAttemptState, FactorLockoutRepository } from '../port.js';

interface Row {
  window_failures: number;
  consecutive_failures: number;
  lock_count: number;
  locked_until_epoch: number | string | null;
  counted?: boolean;
}

const toState = (r: Row): FactorAttemptState => ({
  windowFailures: r.window_failures,
  consecutiveFailures: r.consecutive_failures,
  lockCount: r.lock_count,
  lockedUntil: epochToDate(r.locked_until_epoch),
});

// 'infinity' (locked until an administrator resets) becomes the largest Date.
function epochToDate(epoch: number | string | null): Date | null {
  if (epoch === null) return null;
  const seconds = Number(epoch);
  return Number.isFinite(seconds) ? new Date(seconds * 1000) : new Date(8.64e15);
}

const STATE = 'window_failures, consecutive_failures, lock_count, extract(epoch FROM locked_until)::float8 AS locked_until_epoch';

export function sqlFactorLockouts(db: Queryable): FactorLockoutRepository {
  return {
    // One upsert: concurrent attempts are serialised on the row, so each sees a distinct count.
    async beginAttempt(userId, factor) {
      const [row] = await db.query<Row>(
        `INSERT INTO factor_lockouts AS f (user_id, factor, window_failures, consecutive_failures)
         VALUES ($1, $2, 1, 1)
         ON CONFLICT (user_id, factor) DO UPDATE SET
           window_failures = CASE WHEN f.locked_until > now() THEN f.window_failures
                                  WHEN f.locked_until IS NOT NULL THEN 1
                                  ELSE f.window_failures + 1 END,
           consecutive_failures = CASE WHEN f.locked_until > now() THEN f.consecutive_failures
                                       ELSE f.consecutive_failures + 1 END,
           locked_until = CASE WHEN f.locked_until > now() THEN f.locked_until ELSE NULL END
         RETURNING ${STATE}, (locked_until IS NULL) AS counted`,
        [userId, factor],
      );
      return { ...toState(row!), counted: Boolean(row!.counted) };
    },
    // An upsert, so a lock always lands even if a concurrent success just cleared the row;
    // a lock already in force is kept as it is.
    async lock(userId, factor, seconds) {
      const [row] = await db.query<Row>(
        `INSERT INTO factor_lockouts AS f (user_id, factor, lock_count, locked_until)
         VALUES ($1, $2, 1, CASE WHEN $3::integer IS NULL THEN 'infinity'::timestamptz ELSE now() + make_interval(secs => $3::integer) END)
         ON CONFLICT (user_id, factor) DO UPDATE SET
           locked_until = CASE WHEN f.locked_until > now() THEN f.locked_until ELSE EXCLUDED.locked_until END,
           lock_count = CASE WHEN f.locked_until > now() THEN f.lock_count ELSE f.lock_count + 1 END
         RETURNING ${STATE}`,
        [userId, factor, seconds === 'forever' ? null : seconds],
      );
      return toState(row!);
    },
    async recordSuccess(userId, factor) {
      await db.query('DELETE FROM factor_lockouts WHERE user_id = $1 AND factor = $2', [userId, factor]);
    },
    async get(userId, factor) {
      const [row] = await db.query<Row>(
        `SELECT ${STATE} FROM factor_lockouts WHERE user_id = $1 AND factor = $2`,
        [userId, factor],
      );
      return row ? toState(row) : undefined;
    },
    async resetAllForUser(userId) {
      await db.query('DELETE FROM factor_lockouts WHERE user_id = $1', [userId]);
    },
  };
}
