import { randomUUID } from 'node:crypto';
import { Fields, duplicateAs, launcherRules } from '../input/fields.ts';
import { SLUG } from '../input/slug.ts';
import { checkJwksUrl, checkPublicJwk, checkPublicPem } from '../keys/publicKeys.ts';
import type { Config } from '../config.ts';
import { UrlPolicyError, assertPublicUrl, urlPolicyOf } from '../net/urlPolicy.ts';
import { roleUri } from '../lti/roles.ts';
import type { Launcher } from './launcher.ts';
import type { Platform } from './model/platforms.ts';
import { describeIdpError, discoverIdp } from './idp.ts';
import { platformBaseUrl, platformIssuer } from './tenancy.ts';

const RESERVED_SLUGS = new Set(['www', 'api', 'admin', 'static', 'assets']);

/** A platform as the admin API shows it: secrets are write-only. */
export function platformView(config: Config, platform: Platform) {
  const base = platformBaseUrl(config, platform.slug);
  const idp = platform.idpMetadata;
  return {
    id: platform.id,
    name: platform.name,
    slug: platform.slug,
    issuer: platformIssuer(config, platform.slug),
    base_url: base,
    path_url: `${config.publicUrl}/p/${platform.slug}`,
    redirect_uri: `${base}/callback`,
    tools_url: `${base}/api/v1/tools`,
    token_url: `${base}/token`,
    jwks_url: `${base}/.well-known/jwks.json`,
    openid_configuration_url: platform.discoveryUrl,
    idp: {
      issuer: idp.issuer,
      authorization_endpoint: idp.authorization_endpoint,
      token_endpoint: idp.token_endpoint,
      jwks_uri: idp.jwks_uri,
    },
    client_id: platform.clientId,
    has_client_secret: platform.clientSecretSealed !== null,
    context_jwks_url: platform.contextJwksUrl,
    context_public_jwk: platform.contextPublicJwk ? JSON.parse(platform.contextPublicJwk) : null,
    context_public_key: platform.contextPublicKey,
    role_claim: platform.roleClaim,
    role_map: platform.roleMap,
    score_webhook_url: platform.scoreWebhookUrl,
    created_at: new Date(platform.createdAt).toISOString(),
    updated_at: new Date(platform.updatedAt).toISOString(),
  };
}

/**
 * Creates a platform (partial = false) or updates one (partial = true: absent fields keep their
 * value). The IdP's discovery document is fetched and checked on every change of its URL or client.
 */
export async function savePlatform(launcher: Launcher, body: Record<string, unknown>, existing?: Platform): Promise<Platform> {
  const { services } = launcher;
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
  const discoveryUrl = pick('openid_configuration_url', () => f.url('openid_configuration_url', { required: true }), existing?.discoveryUrl ?? null);
  const clientId = pick('client_id', () => f.text('client_id', { required: true, max: 255 }), existing?.clientId ?? null);
  let clientSecretEnc = existing?.clientSecretSealed ?? null;
  if (f.has('client_secret')) {
    const secret = f.text('client_secret', { max: 1000 });
    clientSecretEnc = secret ? await services.box.seal(secret) : null;
  }

  // Context keys: a JWKS URL, a static JWK/JWKS, or a PEM public key.
  const jwksUrl = pick('context_jwks_url', () => f.url('context_jwks_url'), existing?.contextJwksUrl ?? null);
  const jwkInput = pick('context_public_jwk', () => f.json('context_public_jwk'), existing?.contextPublicJwk ?? null);
  const pemInput = pick('context_public_key', () => f.text('context_public_key', { max: 10_000 }), existing?.contextPublicKey ?? null);
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
  if (jwksUrl && !f.errors.context_jwks_url && (!partial || jwksUrl !== existing?.contextJwksUrl)) {
    try {
      await checkJwksUrl(services.fetch, jwksUrl, urlPolicyOf(services.config));
    } catch (err) {
      f.fail('context_jwks_url', (err as Error).message);
    }
  }

  // Role mapping: which IdP claim carries roles/groups, and how its values map to LIS roles.
  const roleClaim = pick('role_claim', () => f.text('role_claim', { max: 200, pattern: /^[A-Za-z0-9_:./-]+$/ }), existing?.roleClaim ?? null);
  const roleMapInput = pick('role_map', () => f.json('role_map'), existing?.roleMap ?? null);
  let roleMap: Record<string, string[]> | null = null;
  if (roleMapInput !== null) {
    const normalized = normalizeRoleMap(roleMapInput);
    if (typeof normalized === 'string') f.fail('role_map', normalized);
    else roleMap = normalized;
  }

  // The score webhook: the URL rules of the platform's other URLs, and the server's URL policy
  // (it is the server that POSTs there), checked when the URL changes.
  const scoreWebhookUrl = pick('score_webhook_url', () => f.url('score_webhook_url'), existing?.scoreWebhookUrl ?? null);
  if (scoreWebhookUrl && !f.errors.score_webhook_url && scoreWebhookUrl !== existing?.scoreWebhookUrl) {
    try {
      await assertPublicUrl(scoreWebhookUrl, urlPolicyOf(services.config));
    } catch (err) {
      f.fail('score_webhook_url', (err as Error).message);
    }
  }

  let idpMetadata: Record<string, unknown> = existing?.idpMetadata ?? {};
  const idpChanged = !partial || discoveryUrl !== existing?.discoveryUrl || clientId !== existing?.clientId;
  if (discoveryUrl && clientId && !f.errors.openid_configuration_url && idpChanged) {
    try {
      await assertPublicUrl(discoveryUrl, urlPolicyOf(services.config));
      idpMetadata = await discoverIdp(services, discoveryUrl, clientId);
    } catch (err) {
      const cause = err instanceof UrlPolicyError ? err.message : describeIdpError(err);
      f.fail('openid_configuration_url', `could not read the OpenID configuration at ${discoveryUrl}: ${cause}`);
    }
  }
  f.throwIfInvalid();

  const now = Date.now();
  const platform: Platform = {
    id: existing?.id ?? randomUUID(),
    name: name!,
    slug: slug!,
    discoveryUrl: discoveryUrl!,
    idpMetadata,
    clientId: clientId!,
    clientSecretSealed: clientSecretEnc,
    contextJwksUrl: jwksUrl,
    contextPublicJwk: jwk,
    contextPublicKey: pem,
    roleClaim,
    roleMap,
    scoreWebhookUrl,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  };
  try {
    if (existing) await launcher.platforms.update(platform);
    else await launcher.platforms.insert(platform);
  } catch (err) {
    throw duplicateAs(err, { slug: `a platform with the slug "${slug}" already exists` });
  }
  return platform;
}

export async function deletePlatform(launcher: Launcher, id: string): Promise<void> {
  await launcher.platforms.get(id);
  await launcher.platforms.delete(id);
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
