import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK, type JWTPayload } from 'jose';
import type { Db } from '../store/db.ts';
import type { SigningKeyTable } from '../store/schema.ts';
import type { SecretBox } from './secretBox.ts';

export type KeyRole = 'platform' | 'tool';
export type KeyStatus = 'current' | 'next' | 'previous';

export interface KeyInfo {
  kid: string;
  alg: string;
  status: KeyStatus;
  createdAt: number;
  activatedAt: number | null;
  retiredAt: number | null;
}

const ALG = 'RS256';
/** How long the key set read from the database is reused before asking again (several instances). */
const STATE_TTL_MS = 5_000;

/**
 * The signing keys of one role. Three keys are published at any time: the current one (signs),
 * the next one (published ahead so caches know it before it signs) and the previous one (kept
 * until every token it signed has expired and caches have refreshed). Private keys are stored
 * encrypted; the database is the source of truth so every instance signs with and serves the same set.
 */
export class KeyRing {
  private state: { at: number; rows: SigningKeyTable[] } | null = null;
  private readonly privateKeys = new Map<string, CryptoKey>();

  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
    readonly role: KeyRole,
    private readonly rotationDays: number,
  ) {}

  /** Creates the first keys, and rotates when the current key is older than the rotation period. */
  async ensure(now = Date.now()): Promise<void> {
    let rows = await this.load(true);
    if (!rows.some((r) => statusOf(r, rows) === 'current')) {
      await this.insert(now, now);
      rows = await this.load(true);
    }
    if (!rows.some((r) => statusOf(r, rows) === 'next')) {
      await this.insert(now, null);
      rows = await this.load(true);
    }
    const current = rows.find((r) => statusOf(r, rows) === 'current')!;
    if (now - (current.activated_at ?? now) > this.rotationDays * 86_400_000) await this.rotate(now);
  }

  /** Promotes the next key to current, retires the current key, and publishes a new next key. */
  async rotate(now = Date.now()): Promise<KeyInfo[]> {
    const rows = await this.load(true);
    const current = rows.find((r) => statusOf(r, rows) === 'current');
    const next = rows.find((r) => statusOf(r, rows) === 'next');
    await this.db.transaction().execute(async (trx) => {
      // Keys retired before the current one are past their overlap: every token they signed has expired.
      await trx.deleteFrom('signing_keys').where('role', '=', this.role).where('retired_at', 'is not', null).execute();
      if (current) {
        await trx.updateTable('signing_keys').set({ retired_at: now }).where('kid', '=', current.kid).where('retired_at', 'is', null).execute();
      }
      if (next) {
        await trx.updateTable('signing_keys').set({ activated_at: now }).where('kid', '=', next.kid).where('activated_at', 'is', null).execute();
      }
    });
    if (!next) await this.insert(now, now);
    await this.insert(now, null);
    await this.load(true);
    return this.list();
  }

  async list(): Promise<KeyInfo[]> {
    const rows = await this.load();
    return rows
      .map((r) => ({
        kid: r.kid,
        alg: r.alg,
        status: statusOf(r, rows),
        createdAt: r.created_at,
        activatedAt: r.activated_at,
        retiredAt: r.retired_at,
      }))
      .filter((k): k is KeyInfo => k.status !== null)
      .sort((a, b) => ORDER[a.status] - ORDER[b.status]);
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    const rows = await this.load();
    const published = rows.filter((r) => statusOf(r, rows) !== null);
    published.sort((a, b) => ORDER[statusOf(a, rows)!] - ORDER[statusOf(b, rows)!]);
    return { keys: published.map((r) => JSON.parse(r.public_jwk) as JWK) };
  }

  /** Signs a JWT with the current key; `kid` and `typ` go into the header. */
  async sign(payload: JWTPayload, header: { typ?: string } = {}): Promise<string> {
    const rows = await this.load();
    const current = rows.find((r) => statusOf(r, rows) === 'current');
    if (!current) throw new Error(`no current ${this.role} signing key; run migrations and start the service once`);
    const key = await this.privateKey(current);
    return new SignJWT(payload).setProtectedHeader({ alg: current.alg, kid: current.kid, typ: header.typ ?? 'JWT' }).sign(key);
  }

  private async privateKey(row: SigningKeyTable): Promise<CryptoKey> {
    let key = this.privateKeys.get(row.kid);
    if (!key) {
      const jwk = JSON.parse(await this.box.open(row.private_jwk_enc)) as JWK;
      key = (await importJWK(jwk, row.alg)) as CryptoKey;
      this.privateKeys.set(row.kid, key);
    }
    return key;
  }

  private async load(fresh = false): Promise<SigningKeyTable[]> {
    if (!fresh && this.state && Date.now() - this.state.at < STATE_TTL_MS) return this.state.rows;
    const rows = await this.db.selectFrom('signing_keys').selectAll().where('role', '=', this.role).execute();
    this.state = { at: Date.now(), rows };
    return rows;
  }

  private async insert(now: number, activatedAt: number | null): Promise<void> {
    const { publicKey, privateKey } = await generateKeyPair(ALG, { modulusLength: 2048, extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const privateJwk = await exportJWK(privateKey);
    await this.db
      .insertInto('signing_keys')
      .values({
        kid,
        role: this.role,
        alg: ALG,
        public_jwk: JSON.stringify({ ...publicJwk, kid, alg: ALG, use: 'sig' }),
        private_jwk_enc: await this.box.seal(JSON.stringify(privateJwk)),
        created_at: now,
        activated_at: activatedAt,
        retired_at: null,
      })
      .execute();
  }
}

const ORDER: Record<KeyStatus, number> = { current: 0, next: 1, previous: 2 };

/**
 * current = the most recently activated key that is not retired; next = not yet activated;
 * previous = the most recently retired key. Anything else is no longer published.
 */
function statusOf(row: SigningKeyTable, rows: SigningKeyTable[]): KeyStatus | null {
  if (row.activated_at === null) return 'next';
  if (row.retired_at === null) {
    const newest = rows
      .filter((r) => r.activated_at !== null && r.retired_at === null)
      .sort((a, b) => b.activated_at! - a.activated_at! || (a.kid < b.kid ? -1 : 1))[0];
    return newest?.kid === row.kid ? 'current' : 'previous';
  }
  const lastRetired = rows.filter((r) => r.retired_at !== null).sort((a, b) => b.retired_at! - a.retired_at!)[0];
  return lastRetired?.kid === row.kid ? 'previous' : null;
}

