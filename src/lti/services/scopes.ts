/**
 * The OAuth 2 scopes of the LTI Advantage services (AGS 2.0 §3.1, NRPS 2.0 §2.1), as a tool asks
 * for them at a platform's token endpoint (Security Framework §4.1.1) and a platform grants them.
 */
export const AGS_SCOPES = {
  lineItem: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  lineItemReadOnly: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
  resultReadOnly: 'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
  score: 'https://purl.imsglobal.org/spec/lti-ags/scope/score',
} as const;

export type AgsScope = (typeof AGS_SCOPES)[keyof typeof AGS_SCOPES];

/** Every AGS scope, in the order the spec lists them: a new tool may use all four. */
export const ALL_AGS_SCOPES: readonly AgsScope[] = Object.values(AGS_SCOPES);

export const NRPS_SCOPE = 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly';

export function isAgsScope(value: string): value is AgsScope {
  return (ALL_AGS_SCOPES as readonly string[]).includes(value);
}

/** A `scope` parameter or claim: space-separated, each scope once, empty parts dropped. */
export function parseScopes(value: string): string[] {
  return [...new Set(value.split(' ').filter((s) => s.length > 0))];
}
