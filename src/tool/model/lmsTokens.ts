import { sha256 } from '../../keys/digest.ts';
import type { SecretBox } from '../../keys/secretBox.ts';
import type { Db } from '../../store/db.ts';

/** An access token an LMS gave the gateway, as stored: the token itself and the scopes granted. */
export interface StoredLmsToken {
  accessToken: string;
  scopes: string[];
  expiresAt: number;
}

/**
 * The access tokens the gateway got from LMSs' token endpoints, one per registration and scope set
 * (`scopeKey`: the scopes asked, sorted), in the database so every instance uses the same one.
 * The token is sealed with the SecretBox: a copy of the database is no key to the LMS's grades.
 */
export class LmsTokens {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {}

  /** The token of this scope set that is still valid at `validUntil`, or null. */
  async find(registrationId: string, scopeKey: string, validUntil: number): Promise<StoredLmsToken | null> {
    const row = await this.db
      .selectFrom('gateway_access_tokens')
      .select(['access_token_enc', 'granted_scopes', 'expires_at'])
      .where('registration_id', '=', registrationId)
      .where('scope_key', '=', scopeKey)
      .where('expires_at', '>', validUntil)
      .executeTakeFirst();
    if (!row) return null;
    return { accessToken: await this.box.open(row.access_token_enc), scopes: row.granted_scopes.split(' ').filter((s) => s !== ''), expiresAt: Number(row.expires_at) };
  }

  /** Keeps the newest token of the scope set (one row per registration and scope set). */
  async save(registrationId: string, scopeKey: string, token: StoredLmsToken): Promise<void> {
    const values = {
      access_token_enc: await this.box.seal(token.accessToken),
      token_hash: sha256(token.accessToken),
      granted_scopes: token.scopes.join(' '),
      expires_at: token.expiresAt,
      created_at: Date.now(),
    };
    await this.db
      .insertInto('gateway_access_tokens')
      .values({ registration_id: registrationId, scope_key: scopeKey, ...values })
      .onConflict((oc) => oc.columns(['registration_id', 'scope_key']).doUpdateSet(values))
      .execute();
  }

  /** Drops the scope set's token — only `accessToken`, when given, so a newer one another instance got stays. */
  async drop(registrationId: string, scopeKey: string, accessToken?: string): Promise<void> {
    let q = this.db.deleteFrom('gateway_access_tokens').where('registration_id', '=', registrationId).where('scope_key', '=', scopeKey);
    if (accessToken !== undefined) q = q.where('token_hash', '=', sha256(accessToken));
    await q.execute();
  }
}
