import type { Queryable } from '../database.js';
import type { WebAuthnChallengeRepository } from '../port.js';

export function sqlWebAuthnChallenges(db: Queryable): WebAuthnChallengeRepository {
  return {
    async issue(challenge, i) {
      await db.query(
        `INSERT INTO webauthn_challenges (challenge, user_id, purpose, expires_at) VALUES ($1, $2, $3, now() + make_interval(secs => $4::integer))`,
        [challenge, i.userId, i.purpose, i.expiresInSeconds],
      );
    },
    // DELETE … RETURNING: of parallel answers to one challenge exactly one gets it.
    async consume(challenge, purpose) {
      const [row] = await db.query<{ user_id: string | null }>(
        'DELETE FROM webauthn_challenges WHERE challenge = $1 AND purpose = $2 AND expires_at > now() RETURNING user_id',
        [challenge, purpose],
      );
      return row ? { userId: row.user_id } : undefined;
    },
  };
}
