/** Claim names and types of LTI 1.3 (LTI Core 1.3 §5). */
export const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';

export const CLAIM = {
  messageType: `${LTI}message_type`,
  version: `${LTI}version`,
  deploymentId: `${LTI}deployment_id`,
  targetLinkUri: `${LTI}target_link_uri`,
  resourceLink: `${LTI}resource_link`,
  roles: `${LTI}roles`,
  context: `${LTI}context`,
  toolPlatform: `${LTI}tool_platform`,
  launchPresentation: `${LTI}launch_presentation`,
  custom: `${LTI}custom`,
  lis: `${LTI}lis`,
  roleScopeMentor: `${LTI}role_scope_mentor`,
  ext: `${LTI}ext`,
  ags: 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint',
  nrps: 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice',
  deepLinkingSettings: 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings',
} as const;

export const LTI_VERSION = '1.3.0';
export const RESOURCE_LINK_REQUEST = 'LtiResourceLinkRequest';
export const DEEP_LINKING_REQUEST = 'LtiDeepLinkingRequest';
export const COURSE_OFFERING = 'http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering';

export interface ContextClaim {
  id: string;
  label?: string;
  title?: string;
  type?: string[];
}

export interface ResourceLinkClaim {
  id: string;
  title?: string;
  description?: string;
}

export interface ToolPlatformClaim {
  guid: string;
  name?: string;
  version?: string;
  product_family_code?: string;
  contact_email?: string;
  description?: string;
  url?: string;
}

export interface LaunchPresentationClaim {
  document_target?: 'frame' | 'iframe' | 'window';
  height?: number;
  width?: number;
  return_url?: string;
  locale?: string;
}

/** OIDC standard user claims that may be passed on to a tool. */
export interface UserClaims {
  sub: string;
  name?: string;
  given_name?: string;
  family_name?: string;
  middle_name?: string;
  email?: string;
  picture?: string;
  locale?: string;
}

export const USER_CLAIM_NAMES = ['name', 'given_name', 'family_name', 'middle_name', 'email', 'picture', 'locale'] as const;

/**
 * The claims about a launch's course context that a message carries besides the platform's own
 * (identity and security claims): where the launch happens, the link, context roles, custom
 * parameters, LIS ids, presentation, mentees and extensions. The launcher takes them from a
 * portal's context JWT (src/platform/context/claims.ts decides what a portal may set).
 */
export const CONTEXT_CLAIMS = [
  CLAIM.context,
  CLAIM.resourceLink,
  CLAIM.roles,
  CLAIM.custom,
  CLAIM.lis,
  CLAIM.launchPresentation,
  CLAIM.roleScopeMentor,
  CLAIM.ext,
] as const;

export type ContextClaims = Partial<Record<(typeof CONTEXT_CLAIMS)[number], unknown>>;
