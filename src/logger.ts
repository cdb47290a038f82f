import pino, { type Logger } from 'pino';

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'keystep' },
    redact: { paths: ['password', '*.password', 'client_secret', '*.client_secret', 'req.headers.cookie', 'req.headers.authorization'], censor: '[redacted]' },
  });
}
