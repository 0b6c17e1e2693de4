import * as client from 'openid-client';
import type { Services } from '../http/services.ts';
import { BuiltOnce } from '../keys/builtOnce.ts';
import type { PlatformTable } from '../store/schema.ts';

const WELL_KNOWN = '/.well-known/openid-configuration';

/** The issuer named by a discovery URL (the URL itself when it names the issuer directly). */
export function issuerOfDiscoveryUrl(url: string): URL {
  const parsed = new URL(url);
  if (parsed.pathname.endsWith(WELL_KNOWN)) {
    parsed.pathname = parsed.pathname.slice(0, -WELL_KNOWN.length) || '/';
  }
  return parsed;
}

function fetchOptions(services: Services) {
  return {
    execute: services.config.allowInsecureIdp ? [client.allowInsecureRequests] : [],
    [client.customFetch]: ((url: string, options: RequestInit) => services.fetch(url, options)) as client.CustomFetch,
    timeout: 5,
  };
}

/**
 * Fetches and checks an IdP's discovery document with openid-client (issuer must match the
 * discovery URL; authorization, token and JWKS endpoints must be present).
 */
export async function discoverIdp(services: Services, discoveryUrl: string, clientId: string): Promise<client.ServerMetadata> {
  const config = await client.discovery(issuerOfDiscoveryUrl(discoveryUrl), clientId, undefined, undefined, fetchOptions(services));
  const metadata = config.serverMetadata();
  for (const field of ['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const) {
    if (!metadata[field]) throw new Error(`the discovery document has no ${field}`);
  }
  return { ...metadata };
}

/**
 * openid-client configurations by platform and version: reusing one keeps its cache of the IdP's
 * JWKS, so a launch does not fetch the IdP's keys again (an unknown kid still triggers a refetch).
 */
const configurations = new BuiltOnce<Promise<client.Configuration>>();

/** An openid-client configuration for a platform's IdP, from the metadata kept on save. */
export function idpClient(services: Services, platform: PlatformTable): Promise<client.Configuration> {
  const cacheKey = `${platform.id}\u0000${platform.updated_at}\u0000${platform.idp_metadata}\u0000${services.config.allowInsecureIdp}`;
  return configurations.get(cacheKey, () => newIdpClient(services, platform));
}

async function newIdpClient(services: Services, platform: PlatformTable): Promise<client.Configuration> {
  const metadata = JSON.parse(platform.idp_metadata) as client.ServerMetadata;
  const secret = platform.client_secret_enc ? await services.box.open(platform.client_secret_enc) : undefined;
  const config = new client.Configuration(
    metadata,
    platform.client_id,
    secret,
    secret ? client.ClientSecretBasic(secret) : client.None(),
  );
  const options = fetchOptions(services);
  if (services.config.allowInsecureIdp) client.allowInsecureRequests(config);
  config[client.customFetch] = options[client.customFetch];
  config.timeout = options.timeout;
  // Verify the id_token's signature against the IdP's JWKS, not only trust the TLS channel.
  client.enableNonRepudiationChecks(config);
  return config;
}

/** A readable cause of a discovery/token failure, for validation messages and logs. */
export function describeIdpError(err: unknown): string {
  const e = err as { message?: string; code?: string; cause?: { message?: string; code?: string; status?: number } };
  // oauth4webapi puts the unexpected Response itself in `cause`.
  if (typeof e.cause?.status === 'number') return `${e.message ?? 'unexpected answer'} (HTTP ${e.cause.status})`;
  const cause = e.cause?.message ?? e.cause?.code;
  const message = e.message ?? String(err);
  return cause && !message.includes(cause) ? `${message} (${cause})` : message;
}
