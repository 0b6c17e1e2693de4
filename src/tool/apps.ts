import { randomUUID } from 'node:crypto';
import type { Config } from '../config.ts';
import { notFound, ValidationError } from '../lti/errors.ts';
import type { Db } from '../store/db.ts';
import type { ReadCache } from '../store/readCache.ts';
import { isUniqueViolation } from '../store/db.ts';
import type { AppTable } from '../store/schema.ts';
import { hashSecret, newApiKey } from './apiKeys.ts';
import { isObject, only, textRule, urlRule, type FieldErrors } from './fieldRules.ts';
import { DEFAULT_PERMISSIONS, permissionMapRule, type PermissionMap } from './permissions.ts';

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

const FIELDS = ['name', 'slug', 'app_url', 'permissions', 'handoff'] as const;
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

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
      if (isUniqueViolation(err)) throw new ValidationError({ slug: 'is already used by another app' });
      throw err;
    } finally {
      this.cache.invalidate();
    }
  }

  private validate(input: AppInput, existing: App | null) {
    if (!isObject(input)) throw new ValidationError({ body: 'must be a JSON object' });
    const errors: FieldErrors = only(input, FIELDS);
    const pick = <K extends keyof AppInput>(name: K, current: unknown) => (name in input ? input[name] : current);
    const merged = {
      name: pick('name', existing?.name),
      slug: pick('slug', existing?.slug),
      app_url: pick('app_url', existing?.appUrl),
      permissions: pick('permissions', existing?.permissions ?? DEFAULT_PERMISSIONS),
      handoff: pick('handoff', existing?.handoff ?? 'code'),
    };
    const set = (name: string, error: string | null) => {
      if (error) errors[name] = error;
    };
    set('name', textRule(merged.name, { required: true, max: 200 }));
    set('slug', textRule(merged.slug, { required: true, max: 63 }) ??
      (SLUG.test(merged.slug as string) ? null : 'must be lower-case letters, digits and dashes, such as "chatbot"'));
    set('app_url', urlRule(merged.app_url, { required: true, allowHttp: this.config.allowInsecureIdp }));
    set('permissions', permissionMapRule(merged.permissions));
    set('handoff', merged.handoff === 'code' || merged.handoff === 'jwt' ? null : 'must be "code" or "jwt"');
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);
    return {
      name: merged.name as string,
      slug: merged.slug as string,
      app_url: merged.app_url as string,
      permissions: JSON.stringify(merged.permissions),
      handoff: merged.handoff as HandoffMode,
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
