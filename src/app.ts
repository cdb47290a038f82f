// Assembles Keystep: the oidc-provider instance, Koa app, interactions, demo and health routes.
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import path from 'node:path';
import Koa from 'koa';
import Router from '@koa/router';
import mount from 'koa-mount';
import Provider from 'oidc-provider';
import type { Logger } from 'pino';
import type { Settings } from './config.js';
import type { Store } from './store/port.js';
import type { KeystepServices } from './services.js';
import type { Sealer } from './crypto/sealer.js';
import { createFactorContext } from './factors/context.js';
import { loadMetadata } from './factors/webauthn/attestation-policy.js';
import { resolveEncryptionKey } from './crypto/encryption-key.js';
import { createAdapterClass } from './provider/adapter.js';
import { loadCookieKeys, loadSigningKeys } from './provider/signing-keys.js';
import { providerConfiguration } from './provider/configuration.js';
import { acrLevels } from './policy/acr-levels.js';
import { securityHeaders } from './http/security-headers.js';
import { errorHandler } from './http/error-handler.js';
import { interactionRouter } from '../interactions/index.js';
import { demoApiAudience, demoRouter } from './demo/relying-party.js';
import { demoApiRouter } from './demo/demo-api.js';

export interface Keystep {
  app: Koa;
  services: KeystepServices;
  sealer: Sealer;
}

// Static assets, read once: the stylesheet and small progressive-enhancement scripts.
// SimpleWebAuthn's browser bundle is served from our own origin (no CDN).
const asset = (file: string, type: string) => ({ type, body: readFileSync(fileURLToPath(new URL(file, import.meta.url)), 'utf8') });
const ASSETS = new Map([
  ['keystep.css', asset('../views/assets/keystep.css', 'text/css')],
  ['copy.js', asset('../views/assets/copy.js', 'text/javascript')],
  ['webauthn.js', asset('../views/assets/webauthn.js', 'text/javascript')],
  ['simplewebauthn-browser.js', asset(pathToFileURL(path.join(path.dirname(path.dirname(createRequire(import.meta.url).resolve('@simplewebauthn/browser'))), 'dist/bundle/index.umd.min.js')).href, 'text/javascript')],
]);

function healthRouter(store: Store): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    try {
      await store.ping();
      ctx.body = { status: 'ready' };
    } catch {
      ctx.status = 503;
      ctx.body = { status: 'unavailable', reason: 'store unreachable' };
    }
  });
  router.get('/assets/:file', (ctx) => {
    const asset = ASSETS.get(ctx.params.file!);
    if (!asset) return;
    ctx.type = asset.type;
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = asset.body;
  });
  return router;
}

export async function createKeystep(settings: Settings, store: Store, logger: Logger, now: () => Date = () => new Date()): Promise<Keystep> {
  const factors = createFactorContext(store, resolveEncryptionKey(settings), settings, now);
  if (settings.webauthn.metadataFile) logger.info({ statements: await loadMetadata(settings.webauthn.metadataFile) }, 'loaded FIDO metadata');
  const levels = acrLevels(settings.acrValues, settings.levelLifetimes);
  const { sealer } = factors;
  const [jwks, cookieKeys] = await Promise.all([loadSigningKeys(store, sealer, settings.jwksFile), loadCookieKeys(store, sealer)]);
  const resourceServers = [
    ...(settings.defaultAudience ? [settings.defaultAudience] : []),
    ...settings.resources,
    ...(settings.demo ? [demoApiAudience(settings.issuer)] : []),
  ];
  const provider = new Provider(
    settings.issuer,
    providerConfiguration({ settings, store, adapter: createAdapterClass(store, sealer), jwks, cookieKeys, resourceServers, levels, now }),
  );
  provider.proxy = settings.trustProxy;
  provider.on('server_error', (_ctx, err) => logger.error({ err }, 'oidc-provider server error'));
  // The first code a step-up login produces carries step_up: true (src/provider/token-claims.ts).
  provider.on('authorization_code.saved', (code: { jti: string; accountId?: string; authTime?: number }) => {
    if (!code.accountId || !code.authTime) return;
    store.sessionAssurance.claimStepUpCode(code.accountId, code.authTime, code.jti).catch((err) => logger.warn({ err }, 'could not record the step-up code'));
  });

  const services: KeystepServices = { settings, store, provider, logger, acr: levels, factors };
  const app = new Koa();
  app.proxy = settings.trustProxy;
  app.keys = cookieKeys;
  app.silent = true;
  app.use(securityHeaders);
  app.use(errorHandler(logger));
  for (const router of [healthRouter(store), interactionRouter(services), ...(settings.demo ? [demoRouter(services), demoApiRouter(settings.issuer, demoApiAudience(settings.issuer), levels.values)] : [])]) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  app.use(mount(provider));
  return { app, services, sealer };
}
