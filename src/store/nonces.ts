import type { Db } from './db.ts';
import { isUniqueViolation } from './db.ts';

/**
 * Records a nonce as used. Returns false when it was used before: the primary key makes the
 * check atomic across every instance sharing the database.
 */
export async function useNonce(db: Db, scope: string, nonce: string, expiresAt: number): Promise<boolean> {
  try {
    await db.insertInto('nonces').values({ scope, nonce, expires_at: expiresAt }).execute();
    return true;
  } catch (err) {
    if (isUniqueViolation(err)) return false;
    throw err;
  }
}
