import { randomUUID } from 'node:crypto';
import { Fields, duplicateAs, launcherRules } from '../input/fields.ts';
import { checkJwksUrl, checkPublicJwk, checkPublicPem } from '../keys/publicKeys.ts';
import type { Config } from '../config.ts';
import { assertPublicUrl, urlPolicyOf } from '../net/urlPolicy.ts';
import type { Launcher } from './launcher.ts';
import type { Platform } from './model/platforms.ts';
import { LOGIN_INITIATION_METHODS, type Tool } from './model/tools.ts';
import { platformBaseUrl } from './tenancy.ts';
import { ALL_AGS_SCOPES } from '../lti/services/scopes.ts';
import { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair } from 'jose';

export function launchUrlOf(config: Config, platform: Pick<Platform, 'slug'>, tool: Pick<Tool, 'clientId'>): string {
  return `${platformBaseUrl(config, platform.slug)}/launch/${encodeURIComponent(tool.clientId)}`;
}

/** Every redirect URI the tool may receive the id_token at: its target_link_uri and the extra ones. */
export function redirectUrisOf(tool: Tool): string[] {
  return [tool.targetLinkUri, ...tool.redirectUris];
}

/** A tool as the admin API shows it. */
export function toolView(config: Config, platform: Platform, tool: Tool) {
  return {
    id: tool.id,
    platform_id: tool.platformId,
    name: tool.name,
    description: tool.description,
    icon_url: tool.iconUrl,
    client_id: tool.clientId,
    deployment_id: tool.deploymentId,
    open_id_connect_initiation_url: tool.initiationUrl,
    login_initiation_method: tool.loginInitiationMethod,
    target_link_uri: tool.targetLinkUri,
    redirect_uris: tool.redirectUris,
    public_key: tool.publicKey,
    public_jwk: tool.publicJwk ? JSON.parse(tool.publicJwk) : null,
    public_key_url: tool.publicKeyUrl,
    custom: tool.custom,
    context_overridable_custom: tool.contextOverridableCustom,
    share_name: tool.shareName,
    share_email: tool.shareEmail,
    share_picture: tool.sharePicture,
    ags_scopes: tool.agsScopes,
    nrps: tool.nrps,
    launch_url: launchUrlOf(config, platform, tool),
    created_at: new Date(tool.createdAt).toISOString(),
    updated_at: new Date(tool.updatedAt).toISOString(),
  };
}

/** Creates (no `existing`) or updates a tool of a platform; keys are checked before anything is stored. */
export async function saveTool(launcher: Launcher, platformId: string, body: Record<string, unknown>, existing?: Tool): Promise<Tool> {
  const { services } = launcher;
  const f = new Fields(body, launcherRules(services.config.allowInsecureIdp));
  const partial = existing !== undefined;
  const pick = <T>(name: string, read: () => T, old: T): T => (partial && !f.has(name) ? old : read());

  const name = pick('name', () => f.text('name', { required: true, max: 200 }), existing?.name ?? null);
  const description = pick('description', () => f.text('description', { max: 2000 }), existing?.description ?? null);
  const iconUrl = pick('icon_url', () => f.url('icon_url'), existing?.iconUrl ?? null);
  const clientId = pick('client_id', () => f.text('client_id', { required: true, max: 255, pattern: /^[\x21-\x7e]+$/, patternHint: 'must be printable characters without spaces' }), existing?.clientId ?? null);
  const deploymentId =
    pick('deployment_id', () => f.text('deployment_id', { max: 255 }), existing?.deploymentId ?? null) ?? existing?.deploymentId ?? randomUUID();
  const initiationUrl = pick('open_id_connect_initiation_url', () => f.url('open_id_connect_initiation_url', { required: true }), existing?.initiationUrl ?? null);
  const loginMethod = pick('login_initiation_method', () => f.choice('login_initiation_method', LOGIN_INITIATION_METHODS, 'post'), existing?.loginInitiationMethod ?? 'post');
  const targetLinkUri = pick('target_link_uri', () => f.url('target_link_uri', { required: true }), existing?.targetLinkUri ?? null);
  const redirectUris = pick('redirect_uris', () => f.urlList('redirect_uris'), existing?.redirectUris ?? []);
  const custom = pick('custom', () => f.stringMap('custom'), existing?.custom ?? {});
  const overridable = pick('context_overridable_custom', () => f.nameList('context_overridable_custom', { max: 50, maxLength: 100 }), existing?.contextOverridableCustom ?? []);
  const shareName = f.bool('share_name', existing?.shareName ?? true);
  const shareEmail = f.bool('share_email', existing?.shareEmail ?? true);
  const sharePicture = f.bool('share_picture', existing?.sharePicture ?? true);
  // The services the token endpoint may grant the tool (AGS 2.0 §3.1, NRPS 2.0 §2.1): all by default.
  const agsScopes = pick('ags_scopes', () => f.choiceList('ags_scopes', ALL_AGS_SCOPES, ALL_AGS_SCOPES), existing?.agsScopes ?? [...ALL_AGS_SCOPES]);
  const nrps = f.bool('nrps', existing?.nrps ?? true);

  // The tool's public key: PEM, JWK (or JWKS), or a JWKS URL — exactly one, checked now, not at launch time.
  const pemInput = pick('public_key', () => f.text('public_key', { max: 10_000 }), existing?.publicKey ?? null);
  const jwkInput = pick('public_jwk', () => f.json('public_jwk'), existing?.publicJwk ?? null);
  const keyUrl = pick('public_key_url', () => f.url('public_key_url'), existing?.publicKeyUrl ?? null);
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
  if (keyUrl && !f.errors.public_key_url && (!partial || keyUrl !== existing?.publicKeyUrl)) {
    try {
      await checkJwksUrl(services.fetch, keyUrl, urlPolicyOf(services.config));
    } catch (err) {
      f.fail('public_key_url', (err as Error).message);
    }
  }
  f.throwIfInvalid();

  const now = Date.now();
  const tool: Tool = {
    id: existing?.id ?? randomUUID(),
    platformId,
    name: name!,
    description,
    iconUrl,
    clientId: clientId!,
    deploymentId,
    initiationUrl: initiationUrl!,
    loginInitiationMethod: loginMethod,
    targetLinkUri: targetLinkUri!,
    redirectUris,
    publicKey: pem,
    publicJwk: jwk,
    publicKeyUrl: keyUrl,
    custom,
    contextOverridableCustom: overridable,
    shareName,
    shareEmail,
    sharePicture,
    agsScopes,
    nrps,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  };
  try {
    if (existing) await launcher.tools.update(tool);
    else await launcher.tools.insert(tool);
  } catch (err) {
    throw duplicateAs(err, { client_id: `this platform already has a tool with client_id "${clientId}"` });
  }
  if (existing && grantChanged(existing, tool)) await launcher.accessTokens.revokeTool(tool.id);
  return tool;
}

/**
 * Whether a tool's access tokens must go: its key changed (a token got with the old key must not
 * outlive it) or what it may use did (a token must not keep a scope taken away). It asks again.
 */
function grantChanged(before: Tool, after: Tool): boolean {
  return (
    before.publicKey !== after.publicKey ||
    before.publicJwk !== after.publicJwk ||
    before.publicKeyUrl !== after.publicKeyUrl ||
    before.nrps !== after.nrps ||
    before.agsScopes.join(' ') !== after.agsScopes.join(' ')
  );
}

/**
 * "Generate a key pair for this tool": a new RS256 key pair (2048-bit RSA, what the certification
 * suite and LTI tool libraries use); its public key becomes the tool's key (a JWK with its RFC 7638
 * thumbprint as kid, replacing any PEM or JWKS URL) and the tool's access tokens are revoked. The
 * private key is returned once, as PKCS#8 PEM, for the admin to hand to the tool: it is never
 * stored or logged here, so a lost one means generating again.
 */
export async function generateToolKeyPair(launcher: Launcher, existing: Tool): Promise<{ tool: Tool; privateKeyPem: string; kid: string }> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  const tool: Tool = {
    ...existing,
    publicKey: null,
    publicJwk: JSON.stringify({ ...jwk, kid, alg: 'RS256', use: 'sig' }),
    publicKeyUrl: null,
    updatedAt: Date.now(),
  };
  await launcher.tools.update(tool);
  await launcher.accessTokens.revokeTool(tool.id);
  return { tool, privateKeyPem: await exportPKCS8(privateKey), kid };
}

export async function deleteTool(launcher: Launcher, id: string): Promise<void> {
  await launcher.tools.get(id);
  await launcher.tools.delete(id);
}
