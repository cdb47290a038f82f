// The running server's local admin socket (<dataDir>/keystep.sock, mode 0600): the CLI sends its
// operations here while the server holds the embedded store. Only the owner of the data dir can
// connect; nothing listens on the network.
import http from 'node:http';
import { chmodSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { ADMIN_SOCKET } from '../store/data-dir-lock.js';
import { isOperationName, runOperation, type OperationDeps } from './operations.js';
import { InvalidAdminInput } from './errors.js';

const MAX_BODY = 64 * 1024;

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) reject(new InvalidAdminInput('request too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startAdminSocket(dataDir: string, deps: OperationDeps, logger: Logger): Promise<{ close(): Promise<void> }> {
  const socketPath = path.join(dataDir, ADMIN_SOCKET);
  rmSync(socketPath, { force: true });
  const server = http.createServer(async (req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const name = decodeURIComponent((req.url ?? '').replace(/^\/operations\//, ''));
    if (req.method !== 'POST' || !isOperationName(name)) return reply(404, { error: 'unknown operation' });
    try {
      const input = JSON.parse((await readBody(req)) || '{}');
      reply(200, { result: await runOperation(deps, name, input) });
    } catch (err) {
      if (err instanceof InvalidAdminInput || err instanceof TypeError || err instanceof SyntaxError) {
        return reply(400, { error: err.message });
      }
      logger.error({ err, operation: name }, 'admin operation failed');
      reply(500, { error: 'the operation failed; see the server log' });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, resolve);
  });
  chmodSync(socketPath, 0o600);
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          rmSync(socketPath, { force: true });
          resolve();
        });
      }),
  };
}
