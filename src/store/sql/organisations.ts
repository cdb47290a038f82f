import type { Queryable } from '../database.js';
import { isUuid } from './uuid.js';
import type { MfaMode, Organisation, OrganisationRepository } from '../port.js';

interface Row {
  id: string;
  slug: string;
  name: string;
  mfa_mode: MfaMode;
  mfa_methods: string[];
  mfa_grace_days: number;
  remember_device_days: number;
  risk_policy: Record<string, unknown>;
  webauthn_policy: Record<string, unknown>;
  created_at: Date;
}

const toOrganisation = (r: Row): Organisation => ({
  id: r.id,
  slug: r.slug,
  name: r.name,
  mfaMode: r.mfa_mode,
  mfaMethods: r.mfa_methods,
  mfaGraceDays: r.mfa_grace_days,
  rememberDeviceDays: r.remember_device_days,
  riskPolicy: r.risk_policy,
  webauthnPolicy: r.webauthn_policy,
  createdAt: new Date(r.created_at),
});

export function sqlOrganisations(db: Queryable): OrganisationRepository {
  const one = async (sql: string, params: unknown[]) => {
    const [row] = await db.query<Row>(sql, params);
    return row ? toOrganisation(row) : undefined;
  };
  return {
    async create({ slug, name, mfaMode = 'optional' }) {
      return (await one('INSERT INTO organisations (slug, name, mfa_mode) VALUES ($1, $2, $3) RETURNING *', [
        slug,
        name,
        mfaMode,
      ]))!;
    },
    findBySlug: (slug) => one('SELECT * FROM organisations WHERE slug = $1', [slug]),
    findById: async (id) => (isUuid(id) ? one('SELECT * FROM organisations WHERE id = $1', [id]) : undefined),
    async list() {
      return (await db.query<Row>('SELECT * FROM organisations ORDER BY slug')).map(toOrganisation);
    },
    setMfa: (slug, { mode, graceDays, rememberDeviceDays }) =>
      one(
        `UPDATE organisations SET mfa_mode = $2, mfa_grace_days = COALESCE($3, mfa_grace_days),
           remember_device_days = COALESCE($4, remember_device_days)
         WHERE slug = $1 RETURNING *`,
        [slug, mode, graceDays ?? null, rememberDeviceDays ?? null],
      ),
    setWebauthnPolicy: (slug, policy) =>
      one('UPDATE organisations SET webauthn_policy = $2 WHERE slug = $1 RETURNING *', [slug, JSON.stringify(policy)]),
    setRiskPolicy: (slug, policy) => one('UPDATE organisations SET risk_policy = $2 WHERE slug = $1 RETURNING *', [slug, JSON.stringify(policy)]),
  };
}
