import type { JWTPayload } from 'jose';
import { CLAIM, USER_CLAIM_NAMES } from '../lti/claims.ts';
import { roleNames, roleUri } from '../lti/roles.ts';

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
  /** Only when the launch carried a service: the gateway's own URLs for it (see record_service_endpoints). */
  services?: LaunchServices;
  /** ISO 8601 time of the launch at the gateway. */
  launched_at: string;
  /** ISO 8601: the platform's id_token expiry; the app keeps its own session past this. */
  expires_at: string;
}

/**
 * The services a launch carried, as the gateway's URLs (`<PUBLIC_URL>/api/v1/contexts/<id>/…`):
 * AGS with the scopes the LMS offered, the container (when the LMS gave one) and the resource
 * link's own line item (when it has exactly one); NRPS with the context's members.
 */
export interface LaunchServices {
  ags?: { line_items_url?: string; line_item_url?: string; scopes: string[] };
  nrps?: { members_url: string };
}

export function summarizeLaunch(
  payload: JWTPayload,
  input: { registrationName: string; clientId: string; permissions: string[]; services?: LaunchServices; now: number },
): LaunchSummary {
  const claim = <T>(name: string) => payload[name] as T | undefined;
  const roles = (claim<string[]>(CLAIM.roles) ?? []).map(roleUri);
  const user = { sub: payload.sub as string } as LaunchSummary['user'];
  for (const name of USER_CLAIM_NAMES) {
    if (name === 'middle_name') continue;
    const value = payload[name];
    user[name] = typeof value === 'string' ? value : null;
  }
  return {
    user,
    roles,
    role_names: roleNames(roles),
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
    ...(input.services && (input.services.ags || input.services.nrps) ? { services: input.services } : {}),
    launched_at: new Date(input.now).toISOString(),
    expires_at: new Date((payload.exp as number) * 1000).toISOString(),
  };
}
