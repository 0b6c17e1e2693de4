import { randomUUID } from 'node:crypto';
import { Fields, duplicateAs, gatewayRules } from '../../input/fields.ts';
import { SLUG } from '../../input/slug.ts';
import type { Config } from '../../config.ts';
import { notFound } from '../../lti/errors.ts';
import type { Db } from '../../store/db.ts';
import type { ReadCache } from '../../store/readCache.ts';
import type { AppTable } from '../../store/schema.ts';
import { hashSecret, newApiKey } from '../apiKeys.ts';
import { DEFAULT_PERMISSIONS, permissionMapRule, type PermissionMap } from '../permissions.ts';

export type HandoffMode = 'code' | 'jwt';

/** An app behind the gateway: where users land, and what each role may do in it. */
export interface App {
  id: string;
  name: string;
  slug: string;
  appUrl: string;
  permissions: PermissionMap;
  apiKeyPrefix: string;
  /** 'code': a one-time code the app redeems; 'jwt': a signed launch JWT posted to the app. */
  handoff: HandoffMode;
  createdAt: number;
  updatedAt: number;
}

export interface AppInput {
  name?: unknown;
  slug?: unknown;
  app_url?: unknown;
  permissions?: unknown;
  handoff?: unknown;
}


/** The launch URL of an app: its target_link_uri and redirect_uri at every platform. */
export function launchUrl(publicUrl: string, slug: string): string {
  return `${publicUrl}/lti/launch/${slug}`;
}

export class Apps {
  constructor(
    private readonly db: Db,
    private readonly config: Pick<Config, 'allowInsecureIdp'>,
    private readonly cache: ReadCache,
  ) {}

  async list(): Promise<App[]> {
    return (await this.db.selectFrom('apps').selectAll().orderBy('name').execute()).map(toApp);
  }

  async get(id: string): Promise<App> {
    const row = await this.db.selectFrom('apps').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('app_not_found', 'There is no app with this id.');
    return toApp(row);
  }

  /** The app a launch names, or null. Read on every login and launch, so cached per instance (src/store/readCache.ts). */
  async findBySlug(slug: string): Promise<App | null> {
    return this.cache.get(`app:slug:${slug}`, async () => {
      const row = await this.db.selectFrom('apps').selectAll().where('slug', '=', slug).executeTakeFirst();
      return row ? toApp(row) : null;
    });
  }

  /** The app an API key belongs to, or null. Never cached: a regenerated key stops working at once on every instance. */
  async authenticate(apiKey: string): Promise<App | null> {
    const row = await this.db.selectFrom('apps').selectAll().where('api_key_hash', '=', hashSecret(apiKey)).executeTakeFirst();
    return row ? toApp(row) : null;
  }

  /** Creates an app; the API key is returned here and never again. */
  async create(input: AppInput): Promise<{ app: App; apiKey: string }> {
    const values = this.validate(input, null);
    const key = newApiKey();
    const now = Date.now();
    const id = randomUUID();
    await this.write(() =>
      this.db
        .insertInto('apps')
        .values({ id, ...values, api_key_hash: key.hash, api_key_prefix: key.prefix, created_at: now, updated_at: now })
        .execute(),
    );
    return { app: await this.get(id), apiKey: key.key };
  }

  async update(id: string, input: AppInput): Promise<App> {
    const existing = await this.get(id);
    const values = this.validate(input, existing);
    await this.write(() => this.db.updateTable('apps').set({ ...values, updated_at: Date.now() }).where('id', '=', id).execute());
    return this.get(id);
  }

  /** Replaces the API key: the old one stops working at once. */
  async regenerateApiKey(id: string): Promise<{ app: App; apiKey: string }> {
    await this.get(id);
    const key = newApiKey();
    await this.db
      .updateTable('apps')
      .set({ api_key_hash: key.hash, api_key_prefix: key.prefix, updated_at: Date.now() })
      .where('id', '=', id)
      .execute();
    this.cache.invalidate();
    return { app: await this.get(id), apiKey: key.key };
  }

  async delete(id: string): Promise<void> {
    await this.get(id);
    await this.db.deleteFrom('handoffs').where('app_id', '=', id).execute();
    await this.db.deleteFrom('apps').where('id', '=', id).execute();
    this.cache.invalidate();
  }

  private async write(run: () => Promise<unknown>): Promise<void> {
    try {
      await run();
    } catch (err) {
      throw duplicateAs(err, { slug: 'is already used by another app' });
    } finally {
      this.cache.invalidate();
    }
  }

  private validate(input: AppInput, existing: App | null) {
    const f = Fields.merge(input, {
      name: existing?.name,
      slug: existing?.slug,
      app_url: existing?.appUrl,
      permissions: existing?.permissions ?? DEFAULT_PERMISSIONS,
      handoff: existing?.handoff ?? 'code',
    }, gatewayRules(this.config.allowInsecureIdp));
    const name = f.text('name', { required: true, max: 200 });
    const slug = f.text('slug', { required: true, max: 63, pattern: SLUG, patternHint: 'must be lower-case letters, digits and dashes, such as "chatbot"' });
    const appUrl = f.url('app_url', { required: true });
    const permissions = f.rule('permissions', permissionMapRule);
    const handoff = f.rule('handoff', (value) => (value === 'code' || value === 'jwt' ? null : 'must be "code" or "jwt"'));
    f.throwIfInvalid();
    return {
      name: name!,
      slug: slug!,
      app_url: appUrl!,
      permissions: JSON.stringify(permissions),
      handoff: handoff as HandoffMode,
    };
  }
}

function toApp(row: AppTable): App {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    appUrl: row.app_url,
    permissions: JSON.parse(row.permissions) as PermissionMap,
    apiKeyPrefix: row.api_key_prefix,
    handoff: row.handoff as HandoffMode,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
