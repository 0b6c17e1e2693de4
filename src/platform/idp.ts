import * as client from 'openid-client';
import type { Services } from '../server/services.ts';
import { UrlPolicyError, assertPublicUrl, checkUrlShape, urlPolicyOf } from '../net/urlPolicy.ts';
import { BuiltOnce } from '../keys/builtOnce.ts';
import { LtiError, badGateway, unauthorized } from '../lti/errors.ts';
import type { Platform } from './model/platforms.ts';

const WELL_KNOWN = '/.well-known/openid-configuration';

/** The issuer named by a discovery URL (the URL itself when it names the issuer directly). */
export function issuerOfDiscoveryUrl(url: string): URL {
  const parsed = new URL(url);
  if (parsed.pathname.endsWith(WELL_KNOWN)) {
    parsed.pathname = parsed.pathname.slice(0, -WELL_KNOWN.length) || '/';
  }
  return parsed;
}

/**
 * openid-client's own https check is off: every request goes through services.fetch, which applies
 * the one plain-http rule of both roles (loopback may use http; anything else needs https unless
 * ALLOW_INSECURE_IDP) and names the URL and the setting when it refuses (src/net/urlPolicy.ts).
 */
function fetchOptions(services: Pick<Services, 'fetch'>) {
  return {
    execute: [client.allowInsecureRequests],
    [client.customFetch]: ((url: string, options: RequestInit) => services.fetch(url, options)) as client.CustomFetch,
    timeout: 5,
  };
}

/**
 * The members of a discovery document that are URLs the launcher uses or hands on: whether each is
 * required, and whether the server fetches it (then its host name is resolved on save, like every
 * URL an admin gives) or only sends a browser there (checked without a lookup: the browser's
 * resolver, not this server's, decides where it goes).
 */
const URL_MEMBERS = [
  { member: 'issuer', required: true, fetched: false },
  { member: 'authorization_endpoint', required: true, fetched: false },
  { member: 'token_endpoint', required: true, fetched: true },
  { member: 'jwks_uri', required: true, fetched: true },
  { member: 'userinfo_endpoint', required: false, fetched: true },
  { member: 'end_session_endpoint', required: false, fetched: false },
] as const;

/** A discovery document the launcher cannot use: a URL member missing, not text, or not an http(s) URL. */
export class IdpMetadataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdpMetadataError';
  }
}

/**
 * Checks the URL members of a discovery document: each present one is an absolute http(s) URL
 * that passes the URL policy without a lookup (plain http, credentials, a literal private
 * address). Throws an IdpMetadataError for a broken document, a UrlPolicyError (naming the
 * member) for one the settings refuse. Run on save and again when a stored document is used.
 */
export function checkIdpMetadata(metadata: Record<string, unknown>, services: Pick<Services, 'config'>): void {
  for (const { member, required } of URL_MEMBERS) {
    const value = metadata[member];
    if (value === undefined || value === null) {
      if (required) throw new IdpMetadataError(`the discovery document has no ${member}`);
      continue;
    }
    if (typeof value !== 'string' || !URL.canParse(value)) throw new IdpMetadataError(`its ${member} is not an absolute URL`);
    const { protocol } = new URL(value);
    if (protocol !== 'https:' && protocol !== 'http:') {
      throw new IdpMetadataError(`its ${member} ${JSON.stringify(value.slice(0, 200))} is not an http(s) URL`);
    }
    try {
      checkUrlShape(value, urlPolicyOf(services.config));
    } catch (err) {
      if (err instanceof UrlPolicyError) throw new UrlPolicyError(`its ${member} ${err.message}`);
      throw err;
    }
  }
}

/**
 * Fetches and checks an IdP's discovery document with openid-client (issuer must match the
 * discovery URL), then every URL member it uses (checkIdpMetadata), and resolves the host of each
 * one the server fetches with the URL policy, as for every URL an admin gives.
 */
export async function discoverIdp(services: Services, discoveryUrl: string, clientId: string): Promise<client.ServerMetadata> {
  const config = await client.discovery(issuerOfDiscoveryUrl(discoveryUrl), clientId, undefined, undefined, fetchOptions(services));
  const metadata = config.serverMetadata();
  checkIdpMetadata(metadata, services);
  for (const { member, fetched } of URL_MEMBERS) {
    const value = metadata[member];
    if (!fetched || typeof value !== 'string') continue;
    await assertPublicUrl(value, urlPolicyOf(services.config)).catch((err: unknown) => {
      throw err instanceof UrlPolicyError ? new UrlPolicyError(`its ${member} ${err.message}`) : err;
    });
  }
  return { ...metadata };
}

/**
 * The openid-client configurations of the platforms' IdPs, one per platform and version, built once
 * per server: reusing one keeps its cache of the IdP's JWKS, so a launch does not fetch the IdP's
 * keys again (an unknown kid still triggers a refetch).
 */
export class IdpClients {
  private readonly configurations = new BuiltOnce<Promise<client.Configuration>>();
  /** The version of each platform object read (platforms are read again every few seconds, not per launch). */
  private readonly versions = new WeakMap<Platform, string>();

  constructor(private readonly services: Pick<Services, 'config' | 'box' | 'fetch'>) {}

  /**
   * An openid-client configuration for a platform's IdP, from the metadata kept on save. A save,
   * or a change of the stored document by any other way, makes a new version.
   */
  of(platform: Platform): Promise<client.Configuration> {
    let version = this.versions.get(platform);
    if (version === undefined) {
      version = [platform.id, platform.updatedAt, platform.clientId, platform.clientSecretSealed ?? '', JSON.stringify(platform.idpMetadata)].join('\u0000');
      this.versions.set(platform, version);
    }
    return this.configurations.get(version, () => this.build(platform));
  }

  private async build(platform: Platform): Promise<client.Configuration> {
    const { services } = this;
    const metadata = platform.idpMetadata as client.ServerMetadata;
    checkStoredMetadata(metadata, services);
    const secret = platform.clientSecretSealed ? await services.box.open(platform.clientSecretSealed) : undefined;
    const config = new client.Configuration(
      metadata,
      platform.clientId,
      secret,
      secret ? client.ClientSecretBasic(secret) : client.None(),
    );
    const options = fetchOptions(services);
    client.allowInsecureRequests(config);
    config[client.customFetch] = options[client.customFetch];
    config.timeout = options.timeout;
    // Verify the id_token's signature against the IdP's JWKS, not only trust the TLS channel.
    client.enableNonRepudiationChecks(config);
    return config;
  }
}

/**
 * The stored document is checked again before a launch uses it: one saved before these checks, or
 * written by hand, is a 502 naming the member rather than a crash, and one the settings now refuse
 * (ALLOW_INSECURE_IDP or ALLOW_PRIVATE_URLS turned off since) is a 502 `idp_url_refused`.
 */
function checkStoredMetadata(metadata: Record<string, unknown>, services: Pick<Services, 'config'>): void {
  try {
    checkIdpMetadata(metadata, services);
  } catch (err) {
    if (err instanceof IdpMetadataError) {
      throw badGateway(
        'idp_metadata_invalid',
        'The school\'s sign-in service is not set up correctly on this launcher, so you cannot be signed in. Tell the administrator.',
        `the stored OpenID configuration is not usable: ${err.message}; save the platform again to read the IdP's discovery document anew`,
      );
    }
    throw idpFailure(err, 'the stored OpenID configuration');
  }
}

/** The errors openid-client wraps, outermost first (its ClientError keeps the cause; so does fetch). */
function causeChain(err: unknown): Array<Record<string, any>> {
  const chain: Array<Record<string, any>> = [];
  for (let e = err as Record<string, any> | undefined; e && typeof e === 'object' && chain.length < 6; e = e.cause) chain.push(e);
  return chain;
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ECONNABORTED',
  'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET', 'OAUTH_TIMEOUT',
]);

/**
 * Why the IdP gave no usable answer — no connection, a timeout, a 5xx, or an answer that is not
 * JSON (an HTML error page, a proxy's "bad gateway") — or null when an answer arrived and was
 * judged on its merits. An answer that never came says nothing about the person's sign-in.
 */
export function idpUnavailableCause(err: unknown): string | null {
  for (const e of causeChain(err)) {
    if (e instanceof UrlPolicyError) return null;
    if (e.name === 'TimeoutError' || e.name === 'AbortError' || e.code === 'OAUTH_TIMEOUT') return 'no answer before the timeout';
    if (typeof e.code === 'string' && CONNECTION_CODES.has(e.code)) return `no connection (${e.code})`;
    if (typeof e.status === 'number' && e.status >= 500) return `HTTP ${e.status}`;
    if (e.code === 'OAUTH_RESPONSE_IS_NOT_JSON' || e.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM') {
      const response = e.cause as { status?: number; headers?: Headers } | undefined;
      const type = response?.headers?.get?.('content-type');
      if ((response?.status ?? 0) >= 500) return `HTTP ${response!.status}${type ? ` (${type})` : ''}`;
      return `an answer that is not an OAuth answer (HTTP ${response?.status ?? '?'}${type ? `, ${type}` : ''})`;
    }
    if (e.code === 'OAUTH_PARSE_ERROR' && /"response" body/.test(String(e.message))) return 'an answer that is not valid JSON';
  }
  const first = causeChain(err);
  if (first.some((e) => e.name === 'TypeError' && /fetch failed|socket hang up|other side closed/.test(String(e.message)))) return 'no connection';
  return null;
}

/** The URL-policy refusal inside an openid-client error (services.fetch refused the URL). */
function policyRefusal(err: unknown): UrlPolicyError | null {
  return (causeChain(err).find((e) => e instanceof UrlPolicyError) as UrlPolicyError | undefined) ?? null;
}

/**
 * An IdP failure during a launch, as the person sees it: the IdP not answering is a 502
 * `idp_unavailable` (try again later), a URL this server may not contact a 502 `idp_url_refused`
 * naming the setting, a refused code exchange a 401 `idp_code_rejected`, and only an answer that
 * arrived and failed verification a 401 `idp_token_invalid`.
 */
export function idpFailure(err: unknown, where: string): LtiError {
  if (err instanceof LtiError) return err;
  const refused = policyRefusal(err);
  if (refused) {
    return badGateway('idp_url_refused', `This launcher is not allowed to contact the school's sign-in service: ${refused.message}. Tell the administrator.`, refused.message);
  }
  const unavailable = idpUnavailableCause(err);
  if (unavailable) {
    return badGateway('idp_unavailable', 'The school\'s sign-in service is not answering. Try again in a few minutes.', `${where}: ${unavailable}`);
  }
  const e = err as { code?: string; error?: string };
  // A refused code exchange: an OAuth error body, or a 401 challenge (a wrong client secret).
  if (e.code === 'OAUTH_RESPONSE_BODY_ERROR' || e.code === 'OAUTH_WWW_AUTHENTICATE_CHALLENGE') {
    return unauthorized('idp_code_rejected', 'The sign-in service refused to complete the sign-in. Start the launch again.', `${e.error ?? ''} ${describeIdpError(err)}`);
  }
  return unauthorized('idp_token_invalid', 'The answer of the sign-in service could not be verified, so you were not signed in.', describeIdpError(err));
}

/** A readable cause of a discovery/token failure, for validation messages and logs. */
export function describeIdpError(err: unknown): string {
  const refused = policyRefusal(err);
  if (refused) return refused.message;
  const unavailable = idpUnavailableCause(err);
  const e = err as { message?: string; code?: string; cause?: { message?: string; code?: string; status?: number } };
  if (unavailable) {
    // An outage (no connection, a timeout, a 5xx) passes; a page that is not JSON may also be a wrong URL.
    const outage = /^(no connection|no answer|HTTP 5)/.test(unavailable);
    return `the IdP gave no usable answer: ${unavailable}. ${outage ? 'It may be down; try again in a few minutes' : 'Check the URL; if it is right, the IdP may be down'}`;
  }
  // oauth4webapi puts the unexpected Response itself in `cause`.
  if (typeof e.cause?.status === 'number') return `${e.message ?? 'unexpected answer'} (HTTP ${e.cause.status})`;
  const cause = e.cause?.message ?? e.cause?.code;
  const message = e.message ?? String(err);
  return cause && !message.includes(cause) ? `${message} (${cause})` : message;
}
