import type { Queryable } from '../database.js';
import type { ServerSecretRepository } from '../port.js';

export function sqlServerSecrets(db: Queryable): ServerSecretRepository {
  const get = async (name: string) =>
    (await db.query<{ encrypted: string }>('SELECT encrypted FROM server_secrets WHERE name = $1', [name]))[0]?.encrypted;
  return {
    get,
    async putIfAbsent(name, value) {
      await db.query('INSERT INTO server_secrets (name, encrypted) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, value]);
      return (await get(name))!;
    },
  };
}
