import { randomBytes } from 'node:crypto';
import { consumeOnce } from '../../store/consumeOnce.ts';
import type { Db } from '../../store/db.ts';
import type { LoginStateTable } from '../../store/schema.ts';
import { hashSecret } from '../apiKeys.ts';

/** How the browser was bound to the login: what the login offered, or what the launch used. */
export type StateStorage = 'cookie' | 'platform_storage' | 'none';

export interface NewLoginState {
  state: string;
  nonce: string;
  /** Secret kept by the browser (cookie, platform storage); only its hash is stored. */
  binding: string;
}

/**
 * Login states (Security Framework §5.1.1.2 state and nonce), kept in the database so any
 * instance can finish a launch another one started. Each is single-use and expires.
 * Neither secret is stored in clear: the `state` column holds `hashSecret(state)` (the primary
 * key, looked up by hashing the state the launch brings back) and the `nonce` column holds
 * `hashSecret(nonce)` (compared in constant time with the id_token's nonce, hashed the same way).
 * A row's `state` is therefore never the state itself: cookie names and the platform-storage
 * pages use the clear state of the request.
 */
export class LoginStates {
  constructor(private readonly db: Db) {}

  async create(input: { launchId: string; registrationId: string; targetLinkUri: string; storage: StateStorage; storageTarget: string | null; ttlSeconds: number }): Promise<NewLoginState> {
    const created = { state: secret(), nonce: secret(), binding: secret() };
    await this.db
      .insertInto('login_states')
      .values({
        state: hashSecret(created.state),
        launch_id: input.launchId,
        // The column keeps its name but holds the nonce's hash (see checkNonce in src/lti/idTokenChecks.ts).
        nonce: hashSecret(created.nonce),
        registration_id: input.registrationId,
        target_link_uri: input.targetLinkUri,
        browser_hash: hashSecret(created.binding),
        storage: input.storage,
        storage_target: input.storageTarget,
        expires_at: Date.now() + input.ttlSeconds * 1000,
        used_at: null,
      })
      .execute();
    return created;
  }

  /** The login of a state as the browser brought it back (clear); the row's `state` and `nonce` are hashes. */
  async find(state: string): Promise<LoginStateTable | null> {
    return (await this.db.selectFrom('login_states').selectAll().where('state', '=', hashSecret(state)).executeTakeFirst()) ?? null;
  }

  /** Marks the (clear) state used; false when another request used it first (atomic across instances). */
  async consume(state: string, now = Date.now()): Promise<boolean> {
    return (await consumeOnce(this.db, 'login_states', hashSecret(state), { now })).ok;
  }
}

/** 256 random bits, URL-safe. */
export function secret(): string {
  return randomBytes(32).toString('base64url');
}

/** The name every login cookie of the gateway starts with. */
export const STATE_COOKIE_PREFIX = 'lti_state_';

/** One cookie per login, so launches in several frames at once do not overwrite each other. */
export function stateCookieName(state: string): string {
  return `${STATE_COOKIE_PREFIX}${hashSecret(state).slice(0, 16)}`;
}

/** Whether the browser sent any login cookie of the gateway (whichever login it is for). */
export function sentLoginCookie(cookies: Record<string, string | undefined>): boolean {
  return Object.keys(cookies).some((name) => name.startsWith(STATE_COOKIE_PREFIX));
}

export const STATE_COOKIE_PATH = '/lti/';
