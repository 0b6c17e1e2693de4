import { randomUUID } from 'node:crypto';
import { Fields, duplicateAs, launcherRules } from '../input/fields.ts';
import { checkJwksUrl, checkPublicJwk, checkPublicPem } from '../keys/publicKeys.ts';
import type { Services } from '../server/services.ts';
import { assertPublicUrl, urlPolicyOf } from '../net/urlPolicy.ts';
import { notFound } from '../lti/errors.ts';
import type { LaunchTool } from '../lti/resourceLinkMessage.ts';
import type { PlatformTable, ToolTable } from '../store/schema.ts';
import { platformBaseUrl } from './tenancy.ts';

/**
 * How the launcher sends third-party initiated login to a tool (LTI Core 1.3 §4.1 allows either):
 * `post`, an auto-submitting form, as Canvas and Moodle send it (some tools accept nothing else),
 * or `get`, a redirect with the parameters in the query.
 */
export const LOGIN_INITIATION_METHODS = ['post', 'get'] as const;
export type LoginInitiationMethod = (typeof LOGIN_INITIATION_METHODS)[number];

export function loginInitiationMethodOf(tool: Pick<ToolTable, 'login_initiation_method'>): LoginInitiationMethod {
  return tool.login_initiation_method === 'get' ? 'get' : 'post';
}

export function launchUrlOf(services: Services, platform: Pick<PlatformTable, 'slug'>, tool: Pick<ToolTable, 'client_id'>): string {
  return `${platformBaseUrl(services.config, platform.slug)}/launch/${encodeURIComponent(tool.client_id)}`;
}

/** Every redirect URI the tool may receive the id_token at: its target_link_uri and the extra ones. */
export function redirectUrisOf(tool: ToolTable): string[] {
  return [tool.target_link_uri, ...(JSON.parse(tool.redirect_uris) as string[])];
}

export function toolView(services: Services, platform: PlatformTable, row: ToolTable) {
  return {
    id: row.id,
    platform_id: row.platform_id,
    name: row.name,
    description: row.description,
    icon_url: row.icon_url,
    client_id: row.client_id,
    deployment_id: row.deployment_id,
    open_id_connect_initiation_url: row.open_id_connect_initiation_url,
    login_initiation_method: loginInitiationMethodOf(row),
    target_link_uri: row.target_link_uri,
    redirect_uris: JSON.parse(row.redirect_uris) as string[],
    public_key: row.public_key,
    public_jwk: row.public_jwk ? JSON.parse(row.public_jwk) : null,
    public_key_url: row.public_key_url,
    custom: JSON.parse(row.custom) as Record<string, string>,
    context_overridable_custom: contextOverridableOf(row),
    share_name: row.share_name === 1,
    share_email: row.share_email === 1,
    share_picture: row.share_picture === 1,
    launch_url: launchUrlOf(services, platform, row),
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
}

/** The tool as the message builder needs it. */
export function launchToolOf(row: ToolTable): LaunchTool {
  return {
    id: row.id,
    name: row.name,
    clientId: row.client_id,
    deploymentId: row.deployment_id,
    targetLinkUri: row.target_link_uri,
    custom: JSON.parse(row.custom) as Record<string, string>,
    contextOverridableCustom: contextOverridableOf(row),
    shareName: row.share_name === 1,
    shareEmail: row.share_email === 1,
    sharePicture: row.share_picture === 1,
  };
}

/** The custom keys a portal's context JWT may override for this tool (none unless the admin lists them). */
export function contextOverridableOf(row: Pick<ToolTable, 'context_overridable_custom'>): string[] {
  return JSON.parse(row.context_overridable_custom) as string[];
}

export async function listTools(services: Services, platformId: string): Promise<ToolTable[]> {
  return services.db.selectFrom('tools').selectAll().where('platform_id', '=', platformId).orderBy('name').execute();
}

export async function getTool(services: Services, id: string): Promise<ToolTable> {
  const row = await services.db.selectFrom('tools').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('tool_not_found', `There is no tool with id ${id}.`);
  return row;
}

/** The tool a launch names (cached per instance: src/store/readCache.ts). */
export async function findToolByClientId(services: Services, platformId: string, clientId: string): Promise<ToolTable | undefined> {
  return services.cache.get(`tool:client:${platformId}\n${clientId}`, () =>
    services.db.selectFrom('tools').selectAll().where('platform_id', '=', platformId).where('client_id', '=', clientId).executeTakeFirst());
}

/** A tool by id on the launch path (cached per instance: src/store/readCache.ts). */
export async function findToolById(services: Services, id: string): Promise<ToolTable | undefined> {
  return services.cache.get(`tool:id:${id}`, () => services.db.selectFrom('tools').selectAll().where('id', '=', id).executeTakeFirst());
}

/** Creates (no `existing`) or updates a tool of a platform; keys are checked before anything is stored. */
export async function saveTool(services: Services, platformId: string, body: Record<string, unknown>, existing?: ToolTable): Promise<ToolTable> {
  const f = new Fields(body, launcherRules(services.config.allowInsecureIdp));
  const partial = existing !== undefined;
  const pick = <T>(name: string, read: () => T, old: T): T => (partial && !f.has(name) ? old : read());

  const name = pick('name', () => f.text('name', { required: true, max: 200 }), existing?.name ?? null);
  const description = pick('description', () => f.text('description', { max: 2000 }), existing?.description ?? null);
  const iconUrl = pick('icon_url', () => f.url('icon_url'), existing?.icon_url ?? null);
  const clientId = pick('client_id', () => f.text('client_id', { required: true, max: 255, pattern: /^[\x21-\x7e]+$/, patternHint: 'must be printable characters without spaces' }), existing?.client_id ?? null);
  const deploymentId =
    pick('deployment_id', () => f.text('deployment_id', { max: 255 }), existing?.deployment_id ?? null) ?? existing?.deployment_id ?? randomUUID();
  const initiationUrl = pick('open_id_connect_initiation_url', () => f.url('open_id_connect_initiation_url', { required: true }), existing?.open_id_connect_initiation_url ?? null);
  const loginMethod = pick('login_initiation_method', () => f.choice('login_initiation_method', LOGIN_INITIATION_METHODS, 'post'), existing ? loginInitiationMethodOf(existing) : 'post');
  const targetLinkUri = pick('target_link_uri', () => f.url('target_link_uri', { required: true }), existing?.target_link_uri ?? null);
  const redirectUris = pick('redirect_uris', () => f.urlList('redirect_uris'), existing ? (JSON.parse(existing.redirect_uris) as string[]) : []);
  const custom = pick('custom', () => f.stringMap('custom'), existing ? (JSON.parse(existing.custom) as Record<string, string>) : {});
  const overridable = pick('context_overridable_custom', () => f.nameList('context_overridable_custom', { max: 50, maxLength: 100 }), existing ? contextOverridableOf(existing) : []);
  const shareName = f.bool('share_name', existing ? existing.share_name === 1 : true);
  const shareEmail = f.bool('share_email', existing ? existing.share_email === 1 : true);
  const sharePicture = f.bool('share_picture', existing ? existing.share_picture === 1 : true);

  // The tool's public key: PEM, JWK (or JWKS), or a JWKS URL — exactly one, checked now, not at launch time.
  const pemInput = pick('public_key', () => f.text('public_key', { max: 10_000 }), existing?.public_key ?? null);
  const jwkInput = pick('public_jwk', () => f.json('public_jwk'), existing?.public_jwk ?? null);
  const keyUrl = pick('public_key_url', () => f.url('public_key_url'), existing?.public_key_url ?? null);
  const given = [pemInput, jwkInput, keyUrl].filter((v) => v !== null).length;
  if (given === 0) f.fail('public_key', 'give the tool\'s public key: public_key (PEM), public_jwk or public_key_url (JWKS URL)');
  if (given > 1) f.fail('public_key', 'give only one of public_key, public_jwk and public_key_url');
  let pem: string | null = null;
  let jwk: string | null = null;
  if (pemInput !== null) {
    try {
      pem = await checkPublicPem(pemInput);
    } catch (err) {
      f.fail('public_key', (err as Error).message);
    }
  }
  if (jwkInput !== null) {
    try {
      jwk = await checkPublicJwk(jwkInput);
    } catch (err) {
      f.fail('public_jwk', (err as Error).message);
    }
  }
  // Icons are shown by browsers, not fetched here; still, no address inside the network is accepted.
  if (iconUrl && !f.errors.icon_url) {
    try {
      await assertPublicUrl(iconUrl, urlPolicyOf(services.config));
    } catch (err) {
      f.fail('icon_url', (err as Error).message);
    }
  }
  if (keyUrl && !f.errors.public_key_url && (!partial || keyUrl !== existing?.public_key_url)) {
    try {
      await checkJwksUrl(services.fetch, keyUrl, urlPolicyOf(services.config));
    } catch (err) {
      f.fail('public_key_url', (err as Error).message);
    }
  }
  f.throwIfInvalid();

  const now = Date.now();
  const row: ToolTable = {
    id: existing?.id ?? randomUUID(),
    platform_id: platformId,
    name: name!,
    description,
    icon_url: iconUrl,
    client_id: clientId!,
    deployment_id: deploymentId,
    open_id_connect_initiation_url: initiationUrl!,
    login_initiation_method: loginMethod,
    target_link_uri: targetLinkUri!,
    redirect_uris: JSON.stringify(redirectUris),
    public_key: pem,
    public_jwk: jwk,
    public_key_url: keyUrl,
    custom: JSON.stringify(custom),
    context_overridable_custom: JSON.stringify(overridable),
    share_name: shareName ? 1 : 0,
    share_email: shareEmail ? 1 : 0,
    share_picture: sharePicture ? 1 : 0,
    created_at: existing?.created_at ?? now,
    updated_at: now,
  };
  try {
    if (existing) await services.db.updateTable('tools').set(row).where('id', '=', existing.id).execute();
    else await services.db.insertInto('tools').values(row).execute();
  } catch (err) {
    throw duplicateAs(err, { client_id: `this platform already has a tool with client_id "${clientId}"` });
  } finally {
    services.cache.invalidate();
  }
  return row;
}

export async function deleteTool(services: Services, id: string): Promise<void> {
  await getTool(services, id);
  await services.db.deleteFrom('tools').where('id', '=', id).execute();
  services.cache.invalidate();
}
