import { sql } from 'kysely';
import { sha256 } from '../../keys/digest.ts';
import type { Db } from '../../store/db.ts';

/**
 * The score timestamps the gateway sends (AGS 2.0 §4.3: `timestamp` strictly increases per line
 * item and user; a platform ignores or refuses an older one). Each is now, or one millisecond
 * after the last one sent for that line item and user, whichever is later, decided by one
 * statement so two posts on two instances never send the same one.
 */
export class ScoreTimestamps {
  constructor(private readonly db: Db) {}

  /** The next timestamp (epoch ms) for a user's score on an LMS line item, not before `notBefore`. */
  async next(lineItemUrl: string, userId: string, notBefore = 0, now = Date.now()): Promise<number> {
    const wanted = Math.max(now, notBefore);
    const row = await this.db
      .insertInto('score_timestamps')
      .values({ key_hash: sha256(JSON.stringify([lineItemUrl, userId])), last_ms: wanted })
      .onConflict((oc) =>
        oc.column('key_hash').doUpdateSet({
          last_ms: sql<number>`case when score_timestamps.last_ms >= excluded.last_ms then score_timestamps.last_ms + 1 else excluded.last_ms end`,
        }),
      )
      .returning('last_ms')
      .executeTakeFirstOrThrow();
    return Number(row.last_ms);
  }
}
