import { randomBytes } from 'node:crypto';
import type { Db } from '../../store/db.ts';
import { hashToken } from '../hashToken.ts';

/** An access token of the launcher's token endpoint, as a service request presents it. */
export interface AccessToken {
  platformId: string;
  toolId: string;
  /** The scopes granted when it was issued. */
  scopes: string[];
  expiresAt: number;
}

/** How long an access token lives: the hour Security Framework §4.1.1 recommends (no refresh for client credentials). */
export const ACCESS_TOKEN_LIFETIME_SECONDS = 3600;

/**
 * The access_tokens table. A token is 32 random bytes (base64url), handed to the tool once and
 * stored as its SHA-256 only, bound to one tool of one platform: every instance sharing the
 * database accepts it until it expires, and a stolen database holds no usable token.
 */
export class AccessTokens {
  constructor(private readonly db: Db) {}

  async issue(
    grant: { platformId: string; toolId: string; scopes: readonly string[] },
    options: { now?: number; lifetimeSeconds?: number } = {},
  ): Promise<{ token: string; expiresAt: number }> {
    const now = options.now ?? Date.now();
    const expiresAt = now + (options.lifetimeSeconds ?? ACCESS_TOKEN_LIFETIME_SECONDS) * 1000;
    const token = randomBytes(32).toString('base64url');
    await this.db
      .insertInto('access_tokens')
      .values({
        token_hash: hashToken(token),
        platform_id: grant.platformId,
        tool_id: grant.toolId,
        scopes: grant.scopes.join(' '),
        expires_at: expiresAt,
        created_at: now,
      })
      .execute();
    return { token, expiresAt };
  }

  /** The unexpired token of this value; undefined for an unknown, expired or revoked one. */
  async find(token: string, now = Date.now()): Promise<AccessToken | undefined> {
    const row = await this.db
      .selectFrom('access_tokens')
      .select(['platform_id', 'tool_id', 'scopes', 'expires_at'])
      .where('token_hash', '=', hashToken(token))
      .where('expires_at', '>', now)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      platformId: row.platform_id,
      toolId: row.tool_id,
      scopes: row.scopes.split(' ').filter((s) => s.length > 0),
      expiresAt: Number(row.expires_at),
    };
  }

  /** Revokes every token of a tool (its key or its services changed): it must ask again. */
  async revokeTool(toolId: string): Promise<number> {
    const result = await this.db.deleteFrom('access_tokens').where('tool_id', '=', toolId).executeTakeFirst();
    return Number(result.numDeletedRows ?? 0);
  }
}
