import type { Queryable } from '../database.js';
import type { AttemptCounterRepository } from '../port.js';

export function sqlAttemptCounters(db: Queryable): AttemptCounterRepository {
  return {
    // One statement: PostgreSQL serialises concurrent upserts of the same key, so N parallel
    // increments always return N distinct counts.
    async increment(key, windowSeconds) {
      const [row] = await db.query<{ count: number }>(
        `INSERT INTO attempt_counters (key, count, expires_at) VALUES ($1, 1, now() + make_interval(secs => $2::integer))
         ON CONFLICT (key) DO UPDATE SET
           count = CASE WHEN attempt_counters.expires_at <= now() THEN 1 ELSE attempt_counters.count + 1 END,
           expires_at = CASE WHEN attempt_counters.expires_at <= now() THEN EXCLUDED.expires_at ELSE attempt_counters.expires_at END
         RETURNING count`,
        [key, windowSeconds],
      );
      return row!.count;
    },
    async peek(key) {
      const [row] = await db.query<{ count: number }>(
        'SELECT count FROM attempt_counters WHERE key = $1 AND expires_at > now()',
        [key],
      );
      return row?.count ?? 0;
    },
    async decrement(key) {
      await db.query('UPDATE attempt_counters SET count = greatest(count - 1, 0) WHERE key = $1', [key]);
    },
    async reset(key) {
      await db.query('DELETE FROM attempt_counters WHERE key = $1', [key]);
    },
  };
}
