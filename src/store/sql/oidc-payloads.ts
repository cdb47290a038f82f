import type { Queryable } from '../database.js';
import type { OidcPayloadRepository } from '../port.js';

interface Row {
  payload: Record<string, unknown>;
  consumed_at: Date | null;
}

// Rows past expires_at are invisible at once; the sweeper deletes them later.
const LIVE = '(expires_at IS NULL OR expires_at > now())';

function withConsumed(row: Row | undefined): Record<string, unknown> | undefined {
  if (!row) return undefined;
  return row.consumed_at ? { ...row.payload, consumed: Math.floor(new Date(row.consumed_at).getTime() / 1000) } : row.payload;
}

export function sqlOidcPayloads(db: Queryable): OidcPayloadRepository {
  const one = async (sql: string, params: unknown[]) => withConsumed((await db.query<Row>(sql, params))[0]);
  return {
    async upsert(model, id, payload, expiresIn) {
      const str = (v: unknown) => (typeof v === 'string' ? v : null);
      await db.query(
        `INSERT INTO oidc_payloads (model, id, payload, grant_id, user_code, uid, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7::integer IS NULL THEN NULL ELSE now() + make_interval(secs => $7::integer) END)
         ON CONFLICT (model, id) DO UPDATE SET payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id,
           user_code = EXCLUDED.user_code, uid = EXCLUDED.uid, expires_at = EXCLUDED.expires_at`,
        [model, id, JSON.stringify(payload), str(payload.grantId), str(payload.userCode), str(payload.uid), expiresIn ?? null],
      );
    },
    find: (model, id) => one(`SELECT payload, consumed_at FROM oidc_payloads WHERE model = $1 AND id = $2 AND ${LIVE}`, [model, id]),
    findByUid: (model, uid) =>
      one(`SELECT payload, consumed_at FROM oidc_payloads WHERE model = $1 AND uid = $2 AND ${LIVE}`, [model, uid]),
    findByUserCode: (model, code) =>
      one(`SELECT payload, consumed_at FROM oidc_payloads WHERE model = $1 AND user_code = $2 AND ${LIVE}`, [model, code]),
    async consume(model, id) {
      await db.query('UPDATE oidc_payloads SET consumed_at = now() WHERE model = $1 AND id = $2 AND consumed_at IS NULL', [model, id]);
    },
    async destroy(model, id) {
      await db.query('DELETE FROM oidc_payloads WHERE model = $1 AND id = $2', [model, id]);
    },
    async revokeByGrantId(grantId) {
      await db.query('DELETE FROM oidc_payloads WHERE grant_id = $1', [grantId]);
    },
    async sweepExpired() {
      const rows = await db.query<{ n: number }>(
        'WITH d AS (DELETE FROM oidc_payloads WHERE expires_at <= now() RETURNING 1) SELECT count(*)::integer AS n FROM d',
      );
      return rows[0]?.n ?? 0;
    },
  };
}
