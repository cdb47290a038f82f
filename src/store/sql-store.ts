// The one Store implementation: the same SQL over PostgreSQL (pg) or PGlite.
import type { Database, Queryable } from './database.js';
import type { Store } from './port.js';
import { sqlOrganisations } from './sql/organisations.js';
import { sqlUsers } from './sql/users.js';
import { sqlClients } from './sql/clients.js';
import { sqlOidcPayloads } from './sql/oidc-payloads.js';
import { sqlServerSecrets } from './sql/server-secrets.js';
import { sqlAttemptCounters } from './sql/attempt-counters.js';
import { sqlAudit } from './sql/audit.js';
import { sqlMfaFactors } from './sql/mfa-factors.js';
import { sqlBackupCodes } from './sql/backup-codes.js';
import { sqlFactorLockouts } from './sql/factor-lockouts.js';
import { sqlSessionAssurance } from './sql/session-assurance.js';
import { sqlTrustedDevices } from './sql/trusted-devices.js';
import { sqlLoginHistory } from './sql/login-history.js';
import { sqlWebAuthnChallenges } from './sql/webauthn-challenges.js';

function repositories(db: Queryable) {
  return {
    organisations: sqlOrganisations(db),
    users: sqlUsers(db),
    clients: sqlClients(db),
    oidc: sqlOidcPayloads(db),
    serverSecrets: sqlServerSecrets(db),
    attempts: sqlAttemptCounters(db),
    audit: sqlAudit(db),
    mfaFactors: sqlMfaFactors(db),
    backupCodes: sqlBackupCodes(db),
    factorLockouts: sqlFactorLockouts(db),
    sessionAssurance: sqlSessionAssurance(db),
    trustedDevices: sqlTrustedDevices(db),
    loginHistory: sqlLoginHistory(db),
    webauthnChallenges: sqlWebAuthnChallenges(db),
  };
}

export function createSqlStore(db: Database, onClose: () => Promise<void> = async () => undefined): Store {
  const store: Store = {
    kind: db.kind,
    ...repositories(db),
    transaction: (fn) =>
      db.transaction((tx) =>
        fn({
          ...store,
          ...repositories(tx),
          transaction: () => Promise.reject(new Error('nested transactions are not supported')),
        }),
      ),
    async sweepExpired() {
      const deleted = await store.oidc.sweepExpired();
      await db.query('DELETE FROM attempt_counters WHERE expires_at <= now()');
      await db.query('DELETE FROM webauthn_challenges WHERE expires_at <= now()');
      // Enrolments started but never confirmed.
      await db.query(`DELETE FROM mfa_factors WHERE confirmed_at IS NULL AND created_at < now() - interval '1 day'`);
      return deleted;
    },
    async ping() {
      await db.query('SELECT 1');
    },
    async close() {
      await db.close();
      await onClose();
    },
  };
  return store;
}
