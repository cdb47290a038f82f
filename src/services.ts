// What the HTTP layers (interactions/, demo) are handed: the core services, built once in app.ts.
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import type { Settings } from './config.js';
import type { Store } from './store/port.js';
import type { AcrLevels } from './policy/acr-levels.js';
import type { FactorContext } from './factors/strategy.js';

export interface KeystepServices {
  settings: Settings;
  store: Store;
  provider: Provider;
  logger: Logger;
  acr: AcrLevels;
  /** What factor strategies work with (store, sealer, keys, clock). */
  factors: FactorContext;
}
