import type { ContextClaims } from '../../lti/claims.ts';
import { consumeOnce } from '../../store/consumeOnce.ts';
import type { Db } from '../../store/db.ts';
import type { PendingLaunchTable } from '../../store/schema.ts';

/** A launch sent to the IdP to sign the person in, waiting for the IdP's answer at /callback. */
export interface PendingLaunch {
  launchId: string;
  platformId: string;
  toolId: string;
  contextClaims: ContextClaims;
  /** The user the context JWT was made for, if it named one. */
  contextSub: string | null;
  /** The PKCE code verifier, sealed. */
  codeVerifierSealed: string;
  nonce: string;
}

export interface NewPendingLaunch extends PendingLaunch {
  /** The SHA-256 of the OAuth `state` sent to the IdP (the row's key). */
  stateHash: string;
  browserHash: string;
  expiresAt: number;
}

export type ClaimedPendingLaunch =
  | { ok: true; launch: PendingLaunch }
  | { ok: false; reason: 'unknown' }
  /** Whose launch it was, for the tool's launch log. */
  | { ok: false; reason: 'used' | 'expired' | 'unbound'; toolId: string };

function toPendingLaunch(row: PendingLaunchTable): PendingLaunch {
  return {
    launchId: row.launch_id,
    platformId: row.platform_id,
    toolId: row.tool_id,
    contextClaims: JSON.parse(row.context_claims) as ContextClaims,
    contextSub: row.context_sub,
    codeVerifierSealed: row.code_verifier,
    nonce: row.nonce,
  };
}

/** The pending_launches table: single-use rows keyed by the hashed state. */
export class PendingLaunches {
  constructor(private readonly db: Db) {}

  async create(launch: NewPendingLaunch): Promise<void> {
    await this.db
      .insertInto('pending_launches')
      .values({
        state: launch.stateHash,
        launch_id: launch.launchId,
        platform_id: launch.platformId,
        tool_id: launch.toolId,
        context_claims: JSON.stringify(launch.contextClaims),
        context_sub: launch.contextSub,
        code_verifier: launch.codeVerifierSealed,
        nonce: launch.nonce,
        browser_hash: launch.browserHash,
        expires_at: launch.expiresAt,
        used_at: null,
      })
      .execute();
  }

  /** Uses the launch once, across every instance, unexpired, from one of these browsers. */
  async claim(stateHash: string, browserHashes: readonly string[]): Promise<ClaimedPendingLaunch> {
    const used = await consumeOnce(this.db, 'pending_launches', stateHash, { bound: { browser_hash: browserHashes } });
    if (used.ok) return { ok: true, launch: toPendingLaunch(used.row) };
    if (used.reason === 'unknown') return { ok: false, reason: 'unknown' };
    return { ok: false, reason: used.reason, toolId: used.row!.tool_id };
  }

  /** Gives a claimed launch back (its answer was refused for a reason that must not use it up). */
  async release(stateHash: string): Promise<void> {
    await this.db.updateTable('pending_launches').set({ used_at: null }).where('state', '=', stateHash).execute();
  }
}
