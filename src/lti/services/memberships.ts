/**
 * Names and Role Provisioning Services 2.0: the membership container a platform answers at a
 * context's `context_memberships_url`, and the claim that names that URL in a launch.
 */
export const MEMBERSHIP_CONTAINER_MEDIA_TYPE = 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json';

/** NRPS 2.0 §3.6 (the service claim): the versions of the service the URL answers. */
export const NRPS_SERVICE_VERSIONS = ['2.0'] as const;

export interface NamesRoleServiceClaim {
  context_memberships_url: string;
  service_versions: string[];
}

/** A member as the container lists it (NRPS 2.0 §3.5): `user_id` is the launch's `sub`. */
export interface MembershipMember {
  user_id: string;
  roles: string[];
  /** Absent means Active; `Deleted` appears only in a differences answer. */
  status: 'Active' | 'Inactive' | 'Deleted';
  name?: string;
  given_name?: string;
  family_name?: string;
  middle_name?: string;
  email?: string;
  picture?: string;
}

export interface MembershipContainer {
  id: string;
  context: { id: string; label?: string; title?: string };
  members: MembershipMember[];
}

export function namesRoleServiceClaim(contextMembershipsUrl: string): NamesRoleServiceClaim {
  return { context_memberships_url: contextMembershipsUrl, service_versions: [...NRPS_SERVICE_VERSIONS] };
}
