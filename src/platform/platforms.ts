import { randomUUID } from 'node:crypto';
import { Fields, duplicateAs, launcherRules } from '../input/fields.ts';
import { SLUG } from '../input/slug.ts';
import { checkJwksUrl, checkPublicJwk, checkPublicPem } from '../keys/publicKeys.ts';
import type { Services } from '../server/services.ts';
import { UrlPolicyError, assertPublicUrl, urlPolicyOf } from '../net/urlPolicy.ts';
import { notFound } from '../lti/errors.ts';
import { roleUri } from '../lti/roles.ts';
import type { PlatformTable } from '../store/schema.ts';
import { describeIdpError, discoverIdp } from './idp.ts';
import { platformBaseUrl, platformIssuer } from './tenancy.ts';

const RESERVED_SLUGS = new Set(['www', 'api', 'admin', 'static', 'assets']);

/** A platform as the admin API shows it: secrets are write-only. */
export function platformView(services: Services, row: PlatformTable) {
  const base = platformBaseUrl(services.config, row.slug);
  const idp = JSON.parse(row.idp_metadata) as Record<string, string>;
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    issuer: platformIssuer(services.config, row.slug),
    base_url: base,
    path_url: `${services.config.publicUrl}/p/${row.slug}`,
    redirect_uri: `${base}/callback`,
    tools_url: `${base}/api/v1/tools`,
    jwks_url: `${base}/.well-known/jwks.json`,
    openid_configuration_url: row.openid_configuration_url,
    idp: {
      issuer: idp.issuer,
      authorization_endpoint: idp.authorization_endpoint,
      token_endpoint: idp.token_endpoint,
      jwks_uri: idp.jwks_uri,
    },
    client_id: row.client_id,
    has_client_secret: row.client_secret_enc !== null,
    context_jwks_url: row.context_jwks_url,
    context_public_jwk: row.context_public_jwk ? JSON.parse(row.context_public_jwk) : null,
    context_public_key: row.context_public_key,
    role_claim: row.role_claim,
    role_map: row.role_map ? JSON.parse(row.role_map) : null,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
}

export async function listPlatforms(services: Services): Promise<PlatformTable[]> {
  return services.db.selectFrom('platforms').selectAll().orderBy('name').execute();
}

export async function getPlatform(services: Services, id: string): Promise<PlatformTable> {
  const row = await services.db.selectFrom('platforms').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('platform_not_found', `There is no platform with id ${id}.`);
  return row;
}

/**
 * Creates a platform (partial = false) or updates one (partial = true: absent fields keep their
 * value). The IdP's discovery document is fetched and checked on every change of its URL or client.
 */
export async function savePlatform(services: Services, body: Record<string, unknown>, existing?: PlatformTable): Promise<PlatformTable> {
  const f = new Fields(body, launcherRules(services.config.allowInsecureIdp));
  const partial = existing !== undefined;
  const pick = <T>(name: string, read: () => T, old: T): T => (partial && !f.has(name) ? old : read());

  const name = pick('name', () => f.text('name', { required: true, max: 200 }), existing?.name ?? null);
  const slug = pick(
    'slug',
    () => f.text('slug', { required: true, max: 63, pattern: SLUG, patternHint: 'must be lower-case letters, digits and dashes (it becomes part of URLs)' }),
    existing?.slug ?? null,
  );
  if (slug && RESERVED_SLUGS.has(slug)) f.fail('slug', `"${slug}" is reserved`);
  const discoveryUrl = pick('openid_configuration_url', () => f.url('openid_configuration_url', { required: true }), existing?.openid_configuration_url ?? null);
  const clientId = pick('client_id', () => f.text('client_id', { required: true, max: 255 }), existing?.client_id ?? null);
  let clientSecretEnc = existing?.client_secret_enc ?? null;
  if (f.has('client_secret')) {
    const secret = f.text('client_secret', { max: 1000 });
    clientSecretEnc = secret ? await services.box.seal(secret) : null;
  }

  // Context keys: a JWKS URL, a static JWK/JWKS, or a PEM public key.
  const jwksUrl = pick('context_jwks_url', () => f.url('context_jwks_url'), existing?.context_jwks_url ?? null);
  const jwkInput = pick('context_public_jwk', () => f.json('context_public_jwk'), existing?.context_public_jwk ?? null);
  const pemInput = pick('context_public_key', () => f.text('context_public_key', { max: 10_000 }), existing?.context_public_key ?? null);
  let jwk: string | null = null;
  let pem: string | null = null;
  if (jwkInput !== null) {
    try {
      jwk = await checkPublicJwk(jwkInput);
    } catch (err) {
      f.fail('context_public_jwk', (err as Error).message);
    }
  }
  if (pemInput !== null) {
    try {
      pem = await checkPublicPem(pemInput);
    } catch (err) {
      f.fail('context_public_key', (err as Error).message);
    }
  }
  if ([jwksUrl, jwkInput, pemInput].filter((v) => v !== null).length > 1) {
    f.fail('context_jwks_url', 'give only one of context_jwks_url, context_public_jwk and context_public_key');
  }
  if (jwksUrl && !f.errors.context_jwks_url && (!partial || jwksUrl !== existing?.context_jwks_url)) {
    try {
      await checkJwksUrl(services.fetch, jwksUrl, urlPolicyOf(services.config));
    } catch (err) {
      f.fail('context_jwks_url', (err as Error).message);
    }
  }

  // Role mapping: which IdP claim carries roles/groups, and how its values map to LIS roles.
  const roleClaim = pick('role_claim', () => f.text('role_claim', { max: 200, pattern: /^[A-Za-z0-9_:./-]+$/ }), existing?.role_claim ?? null);
  const roleMapInput = pick('role_map', () => f.json('role_map'), existing?.role_map ? JSON.parse(existing.role_map) : null);
  let roleMap: string | null = null;
  if (roleMapInput !== null) {
    const normalized = normalizeRoleMap(roleMapInput);
    if (typeof normalized === 'string') f.fail('role_map', normalized);
    else roleMap = JSON.stringify(normalized);
  }

  let idpMetadata = existing?.idp_metadata ?? '{}';
  const idpChanged = !partial || discoveryUrl !== existing?.openid_configuration_url || clientId !== existing?.client_id;
  if (discoveryUrl && clientId && !f.errors.openid_configuration_url && idpChanged) {
    try {
      await assertPublicUrl(discoveryUrl, urlPolicyOf(services.config));
      idpMetadata = JSON.stringify(await discoverIdp(services, discoveryUrl, clientId));
    } catch (err) {
      const cause = err instanceof UrlPolicyError ? err.message : describeIdpError(err);
      f.fail('openid_configuration_url', `could not read the OpenID configuration at ${discoveryUrl}: ${cause}`);
    }
  }
  f.throwIfInvalid();

  const now = Date.now();
  const row: PlatformTable = {
    id: existing?.id ?? randomUUID(),
    name: name!,
    slug: slug!,
    openid_configuration_url: discoveryUrl!,
    idp_metadata: idpMetadata,
    client_id: clientId!,
    client_secret_enc: clientSecretEnc,
    context_jwks_url: jwksUrl,
    context_public_jwk: jwk,
    context_public_key: pem,
    role_claim: roleClaim,
    role_map: roleMap,
    created_at: existing?.created_at ?? now,
    updated_at: now,
  };
  try {
    if (existing) await services.db.updateTable('platforms').set(row).where('id', '=', existing.id).execute();
    else await services.db.insertInto('platforms').values(row).execute();
  } catch (err) {
    throw duplicateAs(err, { slug: `a platform with the slug "${slug}" already exists` });
  } finally {
    services.cache.invalidate();
  }
  return row;
}

export async function deletePlatform(services: Services, id: string): Promise<void> {
  await getPlatform(services, id);
  await services.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('tools').where('platform_id', '=', id).execute();
    await trx.deleteFrom('platforms').where('id', '=', id).execute();
  });
  services.cache.invalidate();
}

/** `{"teacher": "Instructor", "staff": ["Instructor", "Administrator"]}` → values as full LIS role URIs. */
function normalizeRoleMap(input: unknown): Record<string, string[]> | string {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return 'must be an object mapping IdP values to roles, e.g. {"teacher": "Instructor", "student": "Learner"}';
  }
  const out: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(input)) {
    const list = Array.isArray(value) ? value : [value];
    if (!list.every((v) => typeof v === 'string' && v.trim() !== '')) return `the value for "${key}" must be a role name, a role URI, or a list of them`;
    const uris = (list as string[]).map(roleUri);
    const unknown = uris.find((u) => !/^https?:\/\//.test(u));
    if (unknown) return `"${unknown}" is not a known LIS role; use a name such as Instructor or Learner, or a full role URI`;
    out[key] = uris;
  }
  return out;
}
