import type { Queryable } from '../database.js';
import { isUuid } from './uuid.js';
import type { AuditRepository, StoredAuditEvent } from '../port.js';

interface Row {
  id: number;
  event: string;
  org_id: string | null;
  user_id: string | null;
  client_id: string | null;
  ip: string | null;
  user_agent: string | null;
  factor: string | null;
  details: Record<string, unknown>;
  created_at: Date;
}

const toEvent = (r: Row): StoredAuditEvent => ({
  id: Number(r.id),
  event: r.event,
  orgId: r.org_id,
  userId: r.user_id,
  clientId: r.client_id,
  ip: r.ip,
  userAgent: r.user_agent,
  factor: r.factor,
  details: r.details,
  createdAt: new Date(r.created_at),
});

/** At most max characters, never splitting a surrogate pair. */
function truncate(value: string | null | undefined, max: number): string | null {
  if (value === null || value === undefined) return null;
  const cut = value.slice(0, max);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}

export function sqlAudit(db: Queryable): AuditRepository {
  return {
    async record(e) {
      await db.query(
        `INSERT INTO audit_events (event, org_id, user_id, client_id, ip, user_agent, factor, details)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [e.event, e.orgId ?? null, e.userId ?? null, e.clientId ?? null, e.ip ?? null, truncate(e.userAgent, 512),
          e.factor ?? null, JSON.stringify(e.details ?? {})],
      );
    },
    async list(filter = {}) {
      if (filter.userId !== undefined && !isUuid(filter.userId)) return [];
      const rows = await db.query<Row>(
        `SELECT * FROM audit_events WHERE ($1::uuid IS NULL OR user_id = $1::uuid) AND ($2::text IS NULL OR event = $2)
         ORDER BY id DESC LIMIT $3`,
        [filter.userId ?? null, filter.event ?? null, filter.limit ?? 100],
      );
      return rows.map(toEvent);
    },
  };
}
