// What a completed sign-in says about itself: the RFC 8176 amr values and the acr reached, from
// the factor kinds the user proved. Pure: the table is documented in the README.
import { AMR, type AcrLevels } from './acr-levels.js';

export type FactorKind = 'password';

const AMR_OF: Record<FactorKind, string> = { password: AMR.password };

export function authenticationResult(levels: AcrLevels, used: FactorKind[]): { acr: string; amr: string[] } {
  const amr = [...new Set(used.map((f) => AMR_OF[f]))];
  return { acr: levels.baseline, amr };
}
