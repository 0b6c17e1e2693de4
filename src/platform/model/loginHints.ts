import type { UserClaims } from '../../lti/claims.ts';
import type { ContextClaims } from '../../lti/claims.ts';
import { consumeOnce } from '../../store/consumeOnce.ts';
import type { Db } from '../../store/db.ts';
import type { LoginHintTable } from '../../store/schema.ts';

/** A signed-in user on the way to a tool's login, and back at /auth with the login hint. */
export interface LoginHint {
  launchId: string;
  platformId: string;
  toolId: string;
  user: UserClaims;
  roles: string[];
  contextClaims: ContextClaims;
  /** An admin's test launch (no IdP). */
  test: boolean;
}

export interface NewLoginHint extends LoginHint {
  /** The SHA-256 of the login hint sent to the tool (the row's key). */
  hintHash: string;
  browserHash: string;
  expiresAt: number;
}

export type UsedLoginHint = { ok: true; hint: LoginHint } | { ok: false; reason: 'unknown' | 'used' | 'expired' | 'unbound' };

function toLoginHint(row: LoginHintTable): LoginHint {
  return {
    launchId: row.launch_id,
    platformId: row.platform_id,
    toolId: row.tool_id,
    user: JSON.parse(row.user_claims) as UserClaims,
    roles: JSON.parse(row.roles) as string[],
    contextClaims: JSON.parse(row.context_claims) as ContextClaims,
    test: row.test === 1,
  };
}

/** The login_hints table: single-use rows keyed by the hashed hint. */
export class LoginHints {
  constructor(private readonly db: Db) {}

  async create(hint: NewLoginHint): Promise<void> {
    await this.db
      .insertInto('login_hints')
      .values({
        hint: hint.hintHash,
        launch_id: hint.launchId,
        platform_id: hint.platformId,
        tool_id: hint.toolId,
        user_claims: JSON.stringify(hint.user),
        roles: JSON.stringify(hint.roles),
        context_claims: JSON.stringify(hint.contextClaims),
        browser_hash: hint.browserHash,
        test: hint.test ? 1 : 0,
        expires_at: hint.expiresAt,
        used_at: null,
      })
      .execute();
  }

  /** Uses the hint once, across every instance: unexpired, this tool's, from one of these browsers. */
  async use(hintHash: string, toolId: string, browserHashes: readonly string[]): Promise<UsedLoginHint> {
    const used = await consumeOnce(this.db, 'login_hints', hintHash, { scope: { tool_id: [toolId] }, bound: { browser_hash: browserHashes } });
    return used.ok ? { ok: true, hint: toLoginHint(used.row) } : { ok: false, reason: used.reason };
  }
}
