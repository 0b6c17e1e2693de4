import { notFound } from '../../lti/errors.ts';
import type { Db } from '../../store/db.ts';
import type { ReadCache } from '../../store/readCache.ts';
import type { PlatformTable } from '../../store/schema.ts';

/** A platform (tenant) of the launcher: its IdP, the keys its portal signs context JWTs with, its role map. */
export interface Platform {
  id: string;
  name: string;
  slug: string;
  /** The IdP's OpenID discovery URL, as the admin gave it. */
  discoveryUrl: string;
  /** The IdP's discovery document as fetched and checked on save. */
  idpMetadata: Record<string, unknown>;
  clientId: string;
  /** The IdP client secret, sealed (src/keys/secretBox.ts); null for a public client. */
  clientSecretSealed: string | null;
  contextJwksUrl: string | null;
  /** A static JWK or JWKS, as the JSON text it was saved as (key material is kept as given). */
  contextPublicJwk: string | null;
  contextPublicKey: string | null;
  /** Which IdP claim carries roles or groups, and how its values map to LIS role URIs. */
  roleClaim: string | null;
  roleMap: Record<string, string[]> | null;
  /** Where every accepted score is POSTed as a signed JWT (the score webhook); null: none. */
  scoreWebhookUrl: string | null;
  createdAt: number;
  updatedAt: number;
}

function toPlatform(row: PlatformTable): Platform {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    discoveryUrl: row.openid_configuration_url,
    idpMetadata: JSON.parse(row.idp_metadata) as Record<string, unknown>,
    clientId: row.client_id,
    clientSecretSealed: row.client_secret_enc,
    contextJwksUrl: row.context_jwks_url,
    contextPublicJwk: row.context_public_jwk,
    contextPublicKey: row.context_public_key,
    roleClaim: row.role_claim,
    roleMap: row.role_map ? (JSON.parse(row.role_map) as Record<string, string[]>) : null,
    scoreWebhookUrl: row.score_webhook_url,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toRow(p: Platform): PlatformTable {
  return {
    id: p.id,
    name: p.name,
    slug: p.slug,
    openid_configuration_url: p.discoveryUrl,
    idp_metadata: JSON.stringify(p.idpMetadata),
    client_id: p.clientId,
    client_secret_enc: p.clientSecretSealed,
    context_jwks_url: p.contextJwksUrl,
    context_public_jwk: p.contextPublicJwk,
    context_public_key: p.contextPublicKey,
    role_claim: p.roleClaim,
    role_map: p.roleMap ? JSON.stringify(p.roleMap) : null,
    score_webhook_url: p.scoreWebhookUrl,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
  };
}

/**
 * The platforms table: every statement about platforms, rows mapped to `Platform` once. Reads on
 * the launch path go through the per-instance read cache; every write clears it.
 */
export class Platforms {
  constructor(private readonly db: Db, private readonly cache: ReadCache) {}

  async list(): Promise<Platform[]> {
    return (await this.db.selectFrom('platforms').selectAll().orderBy('name').execute()).map(toPlatform);
  }

  async get(id: string): Promise<Platform> {
    const row = await this.db.selectFrom('platforms').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('platform_not_found', `There is no platform with id ${id}.`);
    return toPlatform(row);
  }

  /** The platform with this slug, or undefined (cached per instance: src/store/readCache.ts). */
  findBySlug(slug: string): Promise<Platform | undefined> {
    return this.cache.get(`platform:slug:${slug}`, async () => {
      const row = await this.db.selectFrom('platforms').selectAll().where('slug', '=', slug).executeTakeFirst();
      return row && toPlatform(row);
    });
  }

  /** The only platform of a single-tenant installation; null when there are none or several (cached). */
  theOnly(): Promise<Platform | null> {
    return this.cache.get('platform:only', async () => {
      const rows = await this.db.selectFrom('platforms').selectAll().limit(2).execute();
      return rows.length === 1 ? toPlatform(rows[0]!) : null;
    });
  }

  async any(): Promise<boolean> {
    return (await this.db.selectFrom('platforms').select('id').limit(1).execute()).length > 0;
  }

  async insert(platform: Platform): Promise<void> {
    await this.cache.writing(() => this.db.insertInto('platforms').values(toRow(platform)).execute());
  }

  async update(platform: Platform): Promise<void> {
    await this.cache.writing(() => this.db.updateTable('platforms').set(toRow(platform)).where('id', '=', platform.id).execute());
  }

  /** Deletes a platform and its tools, in one transaction. */
  async delete(id: string): Promise<void> {
    await this.cache.writing(() => this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('tools').where('platform_id', '=', id).execute();
      await trx.deleteFrom('platforms').where('id', '=', id).execute();
    }));
  }
}
