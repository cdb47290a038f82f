import type { Queryable } from '../database.js';
import type { SessionAssurance, SessionAssuranceRepository } from '../port.js';
import { isUuid } from './uuid.js';

interface Row {
  account_id: string;
  login_ts: number | string;
  acr: string;
  amr: string[];
  achieved_at: number | string;
  last_active_at: number | string;
  step_up: boolean;
  step_up_code: string | null;
  trusted_device_id: string | null;
}

const toAssurance = (r: Row): SessionAssurance => ({
  accountId: r.account_id,
  loginTs: Number(r.login_ts),
  acr: r.acr,
  amr: r.amr,
  achievedAt: Number(r.achieved_at),
  lastActiveAt: Number(r.last_active_at),
  stepUp: r.step_up,
  stepUpCode: r.step_up_code,
  trustedDeviceId: r.trusted_device_id,
});

export function sqlSessionAssurance(db: Queryable): SessionAssuranceRepository {
  return {
    async record(e) {
      await db.query(
        `INSERT INTO session_assurance (account_id, login_ts, acr, amr, achieved_at, last_active_at, step_up, trusted_device_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (account_id, login_ts) DO UPDATE SET acr = EXCLUDED.acr, amr = EXCLUDED.amr, achieved_at = EXCLUDED.achieved_at,
           last_active_at = EXCLUDED.last_active_at, step_up = EXCLUDED.step_up, step_up_code = NULL, trusted_device_id = EXCLUDED.trusted_device_id`,
        [e.accountId, e.loginTs, e.acr, JSON.stringify(e.amr), e.achievedAt, e.lastActiveAt, e.stepUp, e.trustedDeviceId],
      );
    },
    async find(accountId, loginTs) {
      if (!isUuid(accountId)) return undefined;
      const [row] = await db.query<Row>('SELECT * FROM session_assurance WHERE account_id = $1 AND login_ts = $2', [accountId, loginTs]);
      return row ? toAssurance(row) : undefined;
    },
    async touch(accountId, loginTs, at) {
      if (!isUuid(accountId)) return;
      await db.query('UPDATE session_assurance SET last_active_at = greatest(last_active_at, $3) WHERE account_id = $1 AND login_ts = $2', [accountId, loginTs, at]);
    },
    async downgrade(accountId, loginTs, acr) {
      if (!isUuid(accountId)) return;
      await db.query('UPDATE session_assurance SET acr = $3 WHERE account_id = $1 AND login_ts = $2', [accountId, loginTs, acr]);
    },
    async claimStepUpCode(accountId, loginTs, codeId) {
      if (!isUuid(accountId)) return false;
      const rows = await db.query(
        `UPDATE session_assurance SET step_up_code = $3 WHERE account_id = $1 AND login_ts = $2 AND step_up AND step_up_code IS NULL RETURNING 1`,
        [accountId, loginTs, codeId],
      );
      return rows.length === 1;
    },
  };
}
