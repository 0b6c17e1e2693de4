import type { JWTPayload } from 'jose';
import { CLAIM, USER_CLAIM_NAMES } from '../lti/claims.ts';
import { contextRoleNames, roleName, roleUri } from '../lti/roles.ts';

/**
 * What an app behind the gateway learns of a verified launch: the user, roles, permissions and
 * course context, without any LTI vocabulary it would have to know (the hand-off payload).
 */
export interface LaunchSummary {
  user: { sub: string; name: string | null; given_name: string | null; family_name: string | null; email: string | null; picture: string | null; locale: string | null };
  /** Full role URIs (short names from the platform are expanded). */
  roles: string[];
  /** Short names: Instructor, Learner, TeachingAssistant… context roles first. */
  role_names: string[];
  permissions: string[];
  context: Record<string, unknown> | null;
  resource_link: Record<string, unknown>;
  custom: Record<string, unknown>;
  launch_presentation: Record<string, unknown> | null;
  platform: { issuer: string; name: string; client_id: string; deployment_id: string; guid: string | null };
  services: { ags?: Record<string, unknown>; nrps?: Record<string, unknown> };
  /** ISO 8601 time of the launch at the gateway. */
  launched_at: string;
  /** ISO 8601: the platform's id_token expiry; the app keeps its own session past this. */
  expires_at: string;
}

export function summarizeLaunch(
  payload: JWTPayload,
  input: { registrationName: string; clientId: string; permissions: string[]; now: number },
): LaunchSummary {
  const claim = <T>(name: string) => payload[name] as T | undefined;
  const roles = (claim<string[]>(CLAIM.roles) ?? []).map(roleUri);
  const contextNames = contextRoleNames(roles);
  const otherNames = roles.map(roleName).filter((n) => !contextNames.includes(n));
  const user = { sub: payload.sub as string } as LaunchSummary['user'];
  for (const name of USER_CLAIM_NAMES) {
    if (name === 'middle_name') continue;
    const value = payload[name];
    user[name] = typeof value === 'string' ? value : null;
  }
  const services: LaunchSummary['services'] = {};
  if (claim(CLAIM.ags)) services.ags = claim(CLAIM.ags);
  if (claim(CLAIM.nrps)) services.nrps = claim(CLAIM.nrps);
  return {
    user,
    roles,
    role_names: [...contextNames, ...new Set(otherNames)],
    permissions: input.permissions,
    context: claim<Record<string, unknown>>(CLAIM.context) ?? null,
    resource_link: claim<Record<string, unknown>>(CLAIM.resourceLink) ?? {},
    custom: claim<Record<string, unknown>>(CLAIM.custom) ?? {},
    launch_presentation: claim<Record<string, unknown>>(CLAIM.launchPresentation) ?? null,
    platform: {
      issuer: payload.iss as string,
      name: input.registrationName,
      client_id: input.clientId,
      deployment_id: claim<string>(CLAIM.deploymentId) as string,
      guid: (claim<{ guid?: string }>(CLAIM.toolPlatform)?.guid as string | undefined) ?? null,
    },
    services,
    launched_at: new Date(input.now).toISOString(),
    expires_at: new Date((payload.exp as number) * 1000).toISOString(),
  };
}
