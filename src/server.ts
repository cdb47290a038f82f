// Runs Keystep: opens the store, builds the app, listens; sweeps expired rows; shuts down cleanly.
import http from 'node:http';
import type { Logger } from 'pino';
import type { Settings } from './config.js';
import type { Store } from './store/port.js';
import { openStore } from './store/open-store.js';
import { createKeystep, type Keystep } from './app.js';
import { seedDemo, DEMO_EMAIL } from './demo/seed.js';
import { startAdminSocket } from './admin/admin-socket.js';

export interface RunningServer {
  keystep: Keystep;
  server: http.Server;
  url: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Where the one-time demo password is printed (default: stdout). */
  announce?: (text: string) => void;
  /** An already opened and migrated store (tests); otherwise the configured one is opened. */
  store?: Store;
  /** The clock policy decisions use (tests move it). */
  now?: () => Date;
}

export async function startServer(settings: Settings, logger: Logger, options: StartOptions = {}): Promise<RunningServer> {
  let store = options.store;
  if (!store) {
    const opened = await openStore(settings);
    store = opened.store;
    if (opened.appliedMigrations.length) logger.info({ migrations: opened.appliedMigrations }, 'applied migrations');
  }
  let adminSocket: { close(): Promise<void> } | undefined;
  try {
    const keystep = await createKeystep(settings, store, logger, options.now);
    if (settings.demo) {
      const password = await seedDemo(store, keystep.sealer, settings.issuer);
      if (password) {
        (options.announce ?? ((l: string) => process.stdout.write(`${l}\n`)))(
          [
            '',
            '  Keystep demo seeded (shown once, not stored in clear anywhere):',
            `    open      ${settings.issuer}/demo`,
            `    email     ${DEMO_EMAIL}`,
            `    password  ${password}`,
            '',
          ].join('\n'),
        );
      }
    }
    if (store.kind === 'pglite' && settings.dataDir !== ':memory:') {
      adminSocket = await startAdminSocket(settings.dataDir, { store, sealer: keystep.sealer, factors: keystep.services.factors, levels: keystep.services.acr }, logger);
    }
    const server = http.createServer(keystep.app.callback());
    server.requestTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(settings.port, resolve);
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : settings.port;
    const sweeper = setInterval(() => {
      store.sweepExpired().then(
        (n) => n && logger.debug({ deleted: n }, 'swept expired protocol rows'),
        (err) => logger.warn({ err }, 'sweep failed'),
      );
    }, settings.sweepIntervalSeconds * 1000);
    sweeper.unref();
    let stopping: Promise<void> | undefined;
    return {
      keystep,
      server,
      url: `http://localhost:${port}`,
      stop: () =>
        (stopping ??= (async () => {
          clearInterval(sweeper);
          await new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          });
          await adminSocket?.close();
          await store.close();
        })()),
    };
  } catch (err) {
    await adminSocket?.close();
    await store.close();
    throw err;
  }
}
