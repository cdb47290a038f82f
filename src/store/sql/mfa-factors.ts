import type { Queryable } from '../database.js';
import { isUuid } from './uuid.js';
import type { MfaFactor, MfaFactorRepository } from '../port.js';

interface Row {
  id: string;
  user_id: string;
  kind: string;
  name: string;
  secret_encrypted: string | null;
  data: Record<string, unknown>;
  last_used_step: number | string | null;
  confirmed_at: Date | null;
  last_used_at: Date | null;
  created_at: Date;
}

const date = (d: Date | null) => (d ? new Date(d) : null);

const toFactor = (r: Row): MfaFactor => ({
  id: r.id,
  userId: r.user_id,
  kind: r.kind,
  name: r.name,
  secretEncrypted: r.secret_encrypted,
  data: r.data,
  lastUsedStep: r.last_used_step === null ? null : Number(r.last_used_step),
  confirmedAt: date(r.confirmed_at),
  lastUsedAt: date(r.last_used_at),
  createdAt: new Date(r.created_at),
});


export function sqlMfaFactors(db: Queryable): MfaFactorRepository {
  return {
    async createPending(i) {
      const [row] = await db.query<Row>(
        `INSERT INTO mfa_factors (user_id, kind, name, secret_encrypted, data) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
        [i.userId, i.kind, i.name, i.secretEncrypted, JSON.stringify(i.data ?? {})],
      );
      return toFactor(row!);
    },
    async find(id) {
      if (!isUuid(id)) return undefined;
      const [row] = await db.query<Row>('SELECT * FROM mfa_factors WHERE id = $1', [id]);
      return row ? toFactor(row) : undefined;
    },
    async listForUser(userId, options = {}) {
      const rows = await db.query<Row>(
        `SELECT * FROM mfa_factors WHERE user_id = $1 AND ($2::boolean OR confirmed_at IS NOT NULL) ORDER BY created_at, id`,
        [userId, options.includePending ?? false],
      );
      return rows.map(toFactor);
    },
    async confirm(id, userId, name) {
      if (!isUuid(id)) return false;
      const rows = await db.query(
        `UPDATE mfa_factors SET confirmed_at = now(), name = COALESCE($3, name)
         WHERE id = $1 AND user_id = $2 AND confirmed_at IS NULL RETURNING id`,
        [id, userId, name ?? null],
      );
      return rows.length === 1;
    },
    async advanceTimeStep(id, step) {
      const rows = await db.query(
        `UPDATE mfa_factors SET last_used_step = $2, last_used_at = now()
         WHERE id = $1 AND (last_used_step IS NULL OR last_used_step < $2) RETURNING id`,
        [id, step],
      );
      return rows.length === 1;
    },
    async remove(id, userId) {
      if (!isUuid(id)) return false;
      return (await db.query('DELETE FROM mfa_factors WHERE id = $1 AND user_id = $2 RETURNING id', [id, userId])).length === 1;
    },
    async removeAllForUser(userId) {
      return (await db.query('DELETE FROM mfa_factors WHERE user_id = $1 RETURNING id', [userId])).length;
    },
    async findByCredentialId(credentialId) {
      const [row] = await db.query<Row>(
        `SELECT * FROM mfa_factors WHERE kind = 'webauthn' AND data ->> 'credential_id' = $1 AND confirmed_at IS NOT NULL`,
        [credentialId],
      );
      return row ? toFactor(row) : undefined;
    },
    async updateData(id, changes, ifCounterBelow) {
      if (!isUuid(id)) return false;
      const rows = await db.query(
        `UPDATE mfa_factors SET data = data || $2::jsonb
         WHERE id = $1 AND ($3::bigint IS NULL OR COALESCE((data ->> 'counter')::bigint, 0) < $3::bigint OR $3::bigint = 0) RETURNING id`,
        [id, JSON.stringify(changes), ifCounterBelow ?? null],
      );
      return rows.length === 1;
    },
    async recordUse(id) {
      if (isUuid(id)) await db.query('UPDATE mfa_factors SET last_used_at = now() WHERE id = $1', [id]);
    },
  };
}
