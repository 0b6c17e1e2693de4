import { notFound } from '../../lti/errors.ts';
import type { Db } from '../../store/db.ts';
import type { ReadCache } from '../../store/readCache.ts';
import type { ToolTable } from '../../store/schema.ts';
import { isAgsScope, type AgsScope } from '../../lti/services/scopes.ts';

/**
 * How the launcher sends third-party initiated login to a tool (LTI Core 1.3 §4.1 allows either):
 * `post`, an auto-submitting form, as Canvas and Moodle send it (some tools accept nothing else),
 * or `get`, a redirect with the parameters in the query.
 */
export const LOGIN_INITIATION_METHODS = ['post', 'get'] as const;
export type LoginInitiationMethod = (typeof LOGIN_INITIATION_METHODS)[number];

/** An LTI tool on a platform of the launcher. */
export interface Tool {
  id: string;
  platformId: string;
  name: string;
  description: string | null;
  iconUrl: string | null;
  clientId: string;
  deploymentId: string;
  /** The tool's OIDC login initiation URL. */
  initiationUrl: string;
  loginInitiationMethod: LoginInitiationMethod;
  targetLinkUri: string;
  /** Redirect URIs besides the target_link_uri. */
  redirectUris: string[];
  publicKey: string | null;
  /** A JWK or JWKS, as the JSON text it was saved as (key material is kept as given). */
  publicJwk: string | null;
  publicKeyUrl: string | null;
  custom: Record<string, string>;
  /** The `custom` keys a portal's context JWT may override (admin values win for the rest). */
  contextOverridableCustom: string[];
  shareName: boolean;
  shareEmail: boolean;
  sharePicture: boolean;
  /** The AGS scopes the token endpoint may grant the tool (any of the four; all by default). */
  agsScopes: AgsScope[];
  /** The tool may read the memberships of its contexts (NRPS; on by default). */
  nrps: boolean;
  createdAt: number;
  updatedAt: number;
}

function toTool(row: ToolTable): Tool {
  return {
    id: row.id,
    platformId: row.platform_id,
    name: row.name,
    description: row.description,
    iconUrl: row.icon_url,
    clientId: row.client_id,
    deploymentId: row.deployment_id,
    initiationUrl: row.open_id_connect_initiation_url,
    loginInitiationMethod: row.login_initiation_method === 'get' ? 'get' : 'post',
    targetLinkUri: row.target_link_uri,
    redirectUris: JSON.parse(row.redirect_uris) as string[],
    publicKey: row.public_key,
    publicJwk: row.public_jwk,
    publicKeyUrl: row.public_key_url,
    custom: JSON.parse(row.custom) as Record<string, string>,
    contextOverridableCustom: JSON.parse(row.context_overridable_custom) as string[],
    shareName: row.share_name === 1,
    shareEmail: row.share_email === 1,
    sharePicture: row.share_picture === 1,
    agsScopes: (JSON.parse(row.ags_scopes) as string[]).filter(isAgsScope),
    nrps: row.nrps === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toRow(t: Tool): ToolTable {
  return {
    id: t.id,
    platform_id: t.platformId,
    name: t.name,
    description: t.description,
    icon_url: t.iconUrl,
    client_id: t.clientId,
    deployment_id: t.deploymentId,
    open_id_connect_initiation_url: t.initiationUrl,
    login_initiation_method: t.loginInitiationMethod,
    target_link_uri: t.targetLinkUri,
    redirect_uris: JSON.stringify(t.redirectUris),
    public_key: t.publicKey,
    public_jwk: t.publicJwk,
    public_key_url: t.publicKeyUrl,
    custom: JSON.stringify(t.custom),
    context_overridable_custom: JSON.stringify(t.contextOverridableCustom),
    share_name: t.shareName ? 1 : 0,
    share_email: t.shareEmail ? 1 : 0,
    share_picture: t.sharePicture ? 1 : 0,
    ags_scopes: JSON.stringify(t.agsScopes),
    nrps: t.nrps ? 1 : 0,
    created_at: t.createdAt,
    updated_at: t.updatedAt,
  };
}

/**
 * The tools table: every statement about tools, rows mapped to `Tool` once. Reads on the launch
 * path go through the per-instance read cache; every write clears it.
 */
export class Tools {
  constructor(private readonly db: Db, private readonly cache: ReadCache) {}

  async listOf(platformId: string): Promise<Tool[]> {
    return (await this.db.selectFrom('tools').selectAll().where('platform_id', '=', platformId).orderBy('name').execute()).map(toTool);
  }

  /** Every tool of every platform, by platform id, in one statement (the console's overview pages). */
  async byPlatform(): Promise<Map<string, Tool[]>> {
    const rows = await this.db.selectFrom('tools').selectAll().orderBy('name').execute();
    const out = new Map<string, Tool[]>();
    for (const row of rows) {
      const list = out.get(row.platform_id);
      if (list) list.push(toTool(row));
      else out.set(row.platform_id, [toTool(row)]);
    }
    return out;
  }

  async get(id: string): Promise<Tool> {
    const row = await this.db.selectFrom('tools').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('tool_not_found', `There is no tool with id ${id}.`);
    return toTool(row);
  }

  /** The tool a launch names (cached per instance: src/store/readCache.ts). */
  findByClientId(platformId: string, clientId: string): Promise<Tool | undefined> {
    return this.cache.get(`tool:client:${platformId}\n${clientId}`, async () => {
      const row = await this.db.selectFrom('tools').selectAll().where('platform_id', '=', platformId).where('client_id', '=', clientId).executeTakeFirst();
      return row && toTool(row);
    });
  }

  /**
   * The tool a client assertion names, read from the database, not the read cache: a key an admin
   * replaced (a leaked one) must stop verifying on every instance at once, not within the cache's TTL.
   */
  async findByClientIdUncached(platformId: string, clientId: string): Promise<Tool | undefined> {
    const row = await this.db.selectFrom('tools').selectAll().where('platform_id', '=', platformId).where('client_id', '=', clientId).executeTakeFirst();
    return row && toTool(row);
  }

  /** A tool by id on the launch path (cached per instance: src/store/readCache.ts). */
  findById(id: string): Promise<Tool | undefined> {
    return this.cache.get(`tool:id:${id}`, async () => {
      const row = await this.db.selectFrom('tools').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toTool(row);
    });
  }

  async insert(tool: Tool): Promise<void> {
    await this.cache.writing(() => this.db.insertInto('tools').values(toRow(tool)).execute());
  }

  async update(tool: Tool): Promise<void> {
    await this.cache.writing(() => this.db.updateTable('tools').set(toRow(tool)).where('id', '=', tool.id).execute());
  }

  async delete(id: string): Promise<void> {
    await this.cache.writing(() => this.db.deleteFrom('tools').where('id', '=', id).execute());
  }
}
