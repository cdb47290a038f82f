// `npm start`: the Keystep server.
import { loadSettings, ConfigurationError } from './config.js';
import { createLogger } from './logger.js';
import { startServer } from './server.js';
import { DataDirInUse } from './store/data-dir-lock.js';

let settings;
try {
  settings = loadSettings();
} catch (err) {
  if (!(err instanceof ConfigurationError)) throw err;
  process.stderr.write(`keystep: invalid configuration: ${err.message}\n`);
  process.exit(1);
}
const logger = createLogger(settings.logLevel);
try {
  const running = await startServer(settings, logger);
  logger.info({ issuer: settings.issuer, url: running.url, store: running.keystep.services.store.kind }, 'Keystep is listening');
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    running.stop().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'unclean shutdown');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
} catch (err) {
  if (err instanceof DataDirInUse) {
    process.stderr.write(`keystep: ${err.message}\n`);
    process.exit(1);
  }
  logger.fatal({ err }, 'Keystep failed to start');
  process.stderr.write(`keystep: failed to start: ${(err as Error).message}\n`);
  process.exit(1);
}
