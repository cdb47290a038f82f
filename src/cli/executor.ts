// Where a CLI operation runs: PostgreSQL — open the store here (servers and CLIs share it);
// embedded store free — open it here; embedded store held by a running server — send the
// operation through the server's admin socket.
import http from 'node:http';
import path from 'node:path';
import type { Settings } from '../config.js';
import { openStore } from '../store/open-store.js';
import { ADMIN_SOCKET, DataDirInUse, lockHolder } from '../store/data-dir-lock.js';
import type { Store } from '../store/port.js';
import { createFactorContext } from '../factors/context.js';
import { acrLevels } from '../policy/acr-levels.js';
import { resolveEncryptionKey } from '../crypto/encryption-key.js';
import { runOperation, type OperationName } from '../admin/operations.js';
import { InvalidAdminInput } from '../admin/errors.js';

function viaSocket(socketPath: string, name: string, input: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { socketPath, path: `/operations/${encodeURIComponent(name)}`, method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let body: { result?: unknown; error?: string };
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            return reject(new Error('the running server sent an unreadable answer'));
          }
          if (res.statusCode === 200) resolve(body.result);
          else if (res.statusCode === 400) reject(new InvalidAdminInput(body.error ?? 'rejected'));
          else reject(new Error(body.error ?? `server answered ${res.statusCode}`));
        });
      },
    );
    req.on('error', (err) => reject(new Error(`cannot reach the running server's admin socket ${socketPath}: ${err.message}`)));
    req.end(JSON.stringify(input));
  });
}

export type Where = 'local' | 'server';

const CLI_WAIT_MS = 15_000;

/** Opens the store for this CLI; while another keystep command holds the embedded store, waits for it. */
async function openForCli(settings: Settings): Promise<Store> {
  const deadline = Date.now() + CLI_WAIT_MS;
  for (;;) {
    try {
      return (await openStore(settings, 'cli')).store;
    } catch (err) {
      if (!(err instanceof DataDirInUse) || err.holder.role !== 'cli' || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

export async function execute(settings: Settings, name: OperationName, input: unknown): Promise<{ result: unknown; where: Where }> {
  if (!settings.databaseUrl && settings.dataDir !== ':memory:' && lockHolder(settings.dataDir)?.role === 'server') {
    return { result: await viaSocket(path.join(settings.dataDir, ADMIN_SOCKET), name, input), where: 'server' };
  }
  const store = await openForCli(settings);
  try {
    const factors = createFactorContext(store, resolveEncryptionKey(settings), settings);
    const levels = acrLevels(settings.acrValues, settings.levelLifetimes);
    return { result: await runOperation({ store, sealer: factors.sealer, factors, levels }, name, input), where: 'local' };
  } finally {
    await store.close();
  }
}

/** `keystep migrate`: applies pending migrations (the running server already did, if there is one). */
export async function migrateStore(settings: Settings): Promise<{ applied: string[]; note?: string }> {
  if (!settings.databaseUrl && settings.dataDir !== ':memory:') {
    const holder = lockHolder(settings.dataDir);
    if (holder?.role === 'server') return { applied: [], note: `the running server (pid ${holder.pid}) migrated this store when it started` };
  }
  const { store, appliedMigrations } = await openStore(settings, 'cli');
  await store.close();
  return { applied: appliedMigrations };
}
