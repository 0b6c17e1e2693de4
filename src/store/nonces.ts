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

/** The nonces table for one service: values used once per scope, kept until they expire. */
export class Nonces {
  constructor(private readonly db: Db) {}

  /** Records the value as used in this scope; false when it was used before (on any instance). */
  use(scope: string, nonce: string, expiresAt: number): Promise<boolean> {
    return useNonce(this.db, scope, nonce, expiresAt);
  }

  /** Whether the value was used in this scope already (read only; `use` is the atomic check). */
  async seen(scope: string, nonce: string): Promise<boolean> {
    const row = await this.db.selectFrom('nonces').select('nonce').where('scope', '=', scope).where('nonce', '=', nonce).executeTakeFirst();
    return row !== undefined;
  }
}
