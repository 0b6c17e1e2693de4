import { createHash } from 'node:crypto';
import type { JWTPayload } from 'jose';
import {
  CLAIM, LTI_VERSION, RESOURCE_LINK_REQUEST,
  type ContextClaim, type LaunchPresentationClaim, type ResourceLinkClaim, type UserClaims,
} from './claims.ts';
import type { ContextClaims } from './claims.ts';
import { AGS_ENDPOINT_CLAIM, type AgsEndpointClaim } from './services/ags.ts';
import type { NamesRoleServiceClaim } from './services/memberships.ts';

export interface LaunchTool {
  id: string;
  name: string;
  clientId: string;
  deploymentId: string;
  targetLinkUri: string;
  custom: Record<string, string>;
  /** Keys of `custom` a portal's context JWT may override; every other admin-set value wins. */
  contextOverridableCustom: string[];
  shareName: boolean;
  shareEmail: boolean;
  sharePicture: boolean;
}

export interface LaunchInput {
  issuer: string;
  tool: LaunchTool;
  user: UserClaims;
  /** Role URIs from the IdP mapping; the context JWT's roles (only ever from a JWT bound to this user) come first. */
  roles: string[];
  contextClaims: ContextClaims;
  /** The Names and Role Provisioning claim (NRPS 2.0 §3.6.1), when the tool may read the context's members. */
  namesRoleService?: NamesRoleServiceClaim;
  nonce: string;
  platform: { guid: string; name: string };
  now: number;
  lifetimeSeconds?: number;
  /** The AGS endpoint claim (AGS 2.0 §3.2.1), for a tool with AGS scopes launched in a context. */
  agsEndpoint?: AgsEndpointClaim;
}

/** Lifetime of an id_token we issue: long enough for a slow form post, short enough to limit replay. */
export const ID_TOKEN_LIFETIME_SECONDS = 300;

/**
 * Builds the payload of an LtiResourceLinkRequest id_token (LTI Core 1.3 §5.3). The context
 * claims are laid down first and the launcher's own claims over them, so nothing from the
 * context JWT can replace an identity or security claim.
 */
export function buildResourceLinkPayload(input: LaunchInput): JWTPayload {
  const { tool, user, contextClaims } = input;
  const iat = Math.floor(input.now / 1000);
  const context = contextClaims[CLAIM.context] as ContextClaim | undefined;
  const resourceLink = resourceLinkOf(tool, contextClaims);
  const roles = launchRoles(contextClaims, input.roles);
  const presentation: LaunchPresentationClaim = {
    ...((contextClaims[CLAIM.launchPresentation] as LaunchPresentationClaim | undefined) ?? {}),
    // The launcher is top-level only: the tool opens in the window.
    document_target: 'window',
  };
  if (user.locale && !presentation.locale) presentation.locale = user.locale;

  const payload: JWTPayload = {};
  for (const [name, value] of Object.entries(contextClaims)) {
    if (value !== undefined) payload[name] = value;
  }
  Object.assign(payload, {
    iss: input.issuer,
    aud: tool.clientId,
    azp: tool.clientId,
    sub: user.sub,
    iat,
    exp: iat + (input.lifetimeSeconds ?? ID_TOKEN_LIFETIME_SECONDS),
    nonce: input.nonce,
    [CLAIM.messageType]: RESOURCE_LINK_REQUEST,
    [CLAIM.version]: LTI_VERSION,
    [CLAIM.deploymentId]: tool.deploymentId,
    [CLAIM.targetLinkUri]: tool.targetLinkUri,
    [CLAIM.resourceLink]: resourceLink,
    [CLAIM.roles]: roles,
    [CLAIM.toolPlatform]: { guid: input.platform.guid, name: input.platform.name, product_family_code: 'lti-launcher' },
    [CLAIM.launchPresentation]: presentation,
    [CLAIM.custom]: mergeCustom(tool, contextClaims[CLAIM.custom] as Record<string, string> | undefined),
  });
  if (input.namesRoleService) payload[CLAIM.nrps] = input.namesRoleService;
  if (context) payload[CLAIM.context] = context;
  if (context && input.agsEndpoint) payload[AGS_ENDPOINT_CLAIM] = input.agsEndpoint;
  Object.assign(payload, sharedUserClaims(tool, user));
  return payload;
}

/** The roles a launch carries: the context JWT's first, then the IdP mapping's, each once. */
export function launchRoles(contextClaims: ContextClaims, mapped: string[]): string[] {
  return unique([...((contextClaims[CLAIM.roles] as string[] | undefined) ?? []), ...mapped]);
}

/**
 * The tool's custom parameters: the admin's values, with the context's added. A context value
 * replaces an admin-set one only for the keys the admin allowed (`contextOverridableCustom`), so a
 * link cannot change what the admin configured, such as a tool's mode or tenant.
 */
export function mergeCustom(tool: Pick<LaunchTool, 'custom' | 'contextOverridableCustom'>, fromContext: Record<string, string> | undefined): Record<string, string> {
  const merged = new Map(Object.entries(tool.custom));
  const overridable = new Set(tool.contextOverridableCustom);
  for (const [key, value] of Object.entries(fromContext ?? {})) {
    if (!merged.has(key) || overridable.has(key)) merged.set(key, value);
  }
  // fromEntries defines own properties: a key such as "__proto__" stays a plain key.
  return Object.fromEntries(merged);
}

/** The OIDC user claims this tool may see (name, email and picture each switchable off). */
export function sharedUserClaims(tool: Pick<LaunchTool, 'shareName' | 'shareEmail' | 'sharePicture'>, user: UserClaims): Partial<UserClaims> {
  const shared: Partial<UserClaims> = {};
  if (tool.shareName) {
    if (user.name) shared.name = user.name;
    if (user.given_name) shared.given_name = user.given_name;
    if (user.family_name) shared.family_name = user.family_name;
    if (user.middle_name) shared.middle_name = user.middle_name;
  }
  if (tool.shareEmail && user.email) shared.email = user.email;
  if (tool.sharePicture && user.picture) shared.picture = user.picture;
  if (user.locale) shared.locale = user.locale;
  return shared;
}

/** The launch's resource link: the one the context gives, else the tool's default link in that context. */
export function resourceLinkOf(tool: Pick<LaunchTool, 'id' | 'name'>, contextClaims: ContextClaims): ResourceLinkClaim {
  const context = contextClaims[CLAIM.context] as ContextClaim | undefined;
  return (contextClaims[CLAIM.resourceLink] as ResourceLinkClaim | undefined) ?? defaultResourceLink(tool, context);
}

/** A stable resource link id when the platform gives none: the same tool in the same course is the same link. */
function defaultResourceLink(tool: Pick<LaunchTool, 'id' | 'name'>, context: ContextClaim | undefined): ResourceLinkClaim {
  const id = createHash('sha256').update(`${tool.id}\u0000${context?.id ?? ''}`).digest('base64url').slice(0, 32);
  return { id, title: tool.name };
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
