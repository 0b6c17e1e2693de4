import type { FastifyReply, FastifyRequest } from 'fastify';
import { CLIENT_ASSERTION_ALGS, CONTEXT_JWT_ALGS } from '../lti/algorithms.ts';
import { ALL_AGS_SCOPES, NRPS_SCOPE } from '../lti/services/scopes.ts';
import { CLAIM, RESOURCE_LINK_REQUEST } from '../lti/claims.ts';
import { platformOf } from './actions/steps/platformOf.ts';
import type { Launcher } from './launcher.ts';
import { platformBaseUrl, platformIssuer, tokenEndpointUrl } from './tenancy.ts';
import { launchUrlOf } from './tools.ts';

/** How long tools and caches may keep the key set; the next key is published a full rotation ahead. */
const JWKS_MAX_AGE = 300;

export async function jwks(launcher: Launcher, _request: FastifyRequest, reply: FastifyReply) {
  const { services } = launcher;
  reply.header('cache-control', `public, max-age=${JWKS_MAX_AGE}`);
  reply.header('access-control-allow-origin', '*');
  return services.keys.jwks();
}

export async function openidConfiguration(launcher: Launcher, request: FastifyRequest, reply: FastifyReply) {
  const { services } = launcher;
  const platform = await platformOf(launcher, request, reply);
  const base = platformBaseUrl(services.config, platform.slug);
  reply.header('cache-control', 'public, max-age=300');
  reply.header('access-control-allow-origin', '*');
  return {
    issuer: platformIssuer(services.config, platform.slug),
    authorization_endpoint: `${base}/auth`,
    jwks_uri: `${base}/.well-known/jwks.json`,
    // The services' token endpoint (Security Framework §4.1.1): a tool authenticates with a JWT signed by its key.
    token_endpoint: tokenEndpointUrl(services.config, platform.slug),
    token_endpoint_auth_methods_supported: ['private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: CLIENT_ASSERTION_ALGS,
    grant_types_supported: ['client_credentials'],
    response_types_supported: ['id_token'],
    response_modes_supported: ['form_post'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    request_object_signing_alg_values_supported: CONTEXT_JWT_ALGS,
    scopes_supported: ['openid', ...ALL_AGS_SCOPES, NRPS_SCOPE],
    claims_supported: ['iss', 'aud', 'azp', 'sub', 'exp', 'iat', 'nonce', 'name', 'given_name', 'family_name', 'middle_name', 'email', 'picture', 'locale'],
    'https://purl.imsglobal.org/spec/lti-platform-configuration': {
      product_family_code: 'lti-launcher',
      version: '0.1.0',
      messages_supported: [{ type: RESOURCE_LINK_REQUEST }],
      variables: [],
    },
    lti_claims_supported: [CLAIM.context, CLAIM.resourceLink, CLAIM.roles, CLAIM.custom, CLAIM.launchPresentation, CLAIM.toolPlatform],
  };
}

/** GET /api/v1/tools: the platform's tool links, for its pages (CORS open for GET). */
export async function toolsApi(launcher: Launcher, request: FastifyRequest, reply: FastifyReply) {
  const { config } = launcher.services;
  const platform = await platformOf(launcher, request, reply);
  reply.header('access-control-allow-origin', '*');
  reply.header('cache-control', 'public, max-age=60');
  const tools = await launcher.tools.listOf(platform.id);
  return tools.map((t) => ({ name: t.name, description: t.description, icon_url: t.iconUrl, url: launchUrlOf(config, platform, t) }));
}
