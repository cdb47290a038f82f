import type { Queryable } from '../database.js';
import type { ClientRecord, ClientRepository } from '../port.js';

interface Row {
  client_id: string;
  org_id: string | null;
  name: string;
  secret_encrypted: string | null;
  metadata: Record<string, unknown>;
  created_at: Date;
}

const toClient = (r: Row): ClientRecord => ({
  clientId: r.client_id,
  orgId: r.org_id,
  name: r.name,
  secretEncrypted: r.secret_encrypted,
  metadata: r.metadata,
  createdAt: new Date(r.created_at),
});

export function sqlClients(db: Queryable): ClientRepository {
  return {
    async create(c) {
      const [row] = await db.query<Row>(
        `INSERT INTO clients (client_id, org_id, name, secret_encrypted, metadata)
         VALUES ($1, $2, $3, $4, $5) RETURNING *`,
        [c.clientId, c.orgId, c.name, c.secretEncrypted, JSON.stringify(c.metadata)],
      );
      return toClient(row!);
    },
    async updateMetadata(clientId, changes) {
      const drop = Object.keys(changes).filter((k) => changes[k] === null);
      const set = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== null));
      const [row] = await db.query<Row>(
        `UPDATE clients SET metadata = (metadata || $2::jsonb) - $3::text[] WHERE client_id = $1 RETURNING *`,
        [clientId, JSON.stringify(set), drop],
      );
      return row ? toClient(row) : undefined;
    },
    async find(clientId) {
      const [row] = await db.query<Row>('SELECT * FROM clients WHERE client_id = $1', [clientId]);
      return row ? toClient(row) : undefined;
    },
    async list() {
      return (await db.query<Row>('SELECT * FROM clients ORDER BY name, client_id')).map(toClient);
    },
  };
}
