import { CLAIM } from '../claims.ts';
import { badRequest, type LtiError } from '../errors.ts';

/**
 * The two service claims of a launch, as a tool reads them (AGS 2.0 §3.2.1, NRPS 2.0 §3.6): the
 * shapes checked, nothing fetched. Pure: the URLs are checked against the server's URL policy by
 * the caller. An absent claim is no service; a claim of the wrong type is the LMS's bug, refused
 * like any other malformed claim of the id_token (`service_claim_invalid`).
 */
export interface ServiceClaims {
  /** AGS: `scope`, `lineitems` (the container; a platform may leave it out), `lineitem` (the resource link's own item, when it has exactly one). */
  ags: { scopes: string[]; lineItemsUrl: string | null; lineItemUrl: string | null } | null;
  /** NRPS: `context_memberships_url`. */
  nrps: { membersUrl: string } | null;
}

const MAX_URL = 2048;

function invalid(claim: string, rule: string, value: unknown): LtiError {
  return badRequest('service_claim_invalid', `The launch’s ${claim} claim ${rule}. Tell the administrator of your course platform.`)
    .saying({ [claim]: JSON.stringify(value)?.slice(0, 200) });
}

const isUrlText = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= MAX_URL;

export function readServiceClaims(payload: Record<string, unknown>): ServiceClaims {
  return { ags: readAgsClaim(payload[CLAIM.ags]), nrps: readNrpsClaim(payload[CLAIM.nrps]) };
}

/** `{scope: string[], lineitems?: URL, lineitem?: URL}`: with neither URL there is nothing a tool can call. */
function readAgsClaim(value: unknown): ServiceClaims['ags'] {
  if (value === undefined || value === null) return null;
  const name = 'AGS endpoint';
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid(name, 'is not an object', value);
  const claim = value as Record<string, unknown>;
  const scope = claim.scope ?? [];
  if (!Array.isArray(scope) || !scope.every((s) => typeof s === 'string')) throw invalid(name, 'has a scope that is not a list of scope URIs', value);
  for (const field of ['lineitems', 'lineitem'] as const) {
    if (claim[field] !== undefined && !isUrlText(claim[field])) throw invalid(name, `has a ${field} that is not a URL`, value);
  }
  if (claim.lineitems === undefined && claim.lineitem === undefined) throw invalid(name, 'names neither lineitems nor lineitem', value);
  return {
    scopes: [...new Set(scope as string[])],
    lineItemsUrl: (claim.lineitems as string | undefined) ?? null,
    lineItemUrl: (claim.lineitem as string | undefined) ?? null,
  };
}

function readNrpsClaim(value: unknown): ServiceClaims['nrps'] {
  if (value === undefined || value === null) return null;
  const name = 'Names and Role service';
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid(name, 'is not an object', value);
  const url = (value as Record<string, unknown>).context_memberships_url;
  if (!isUrlText(url)) throw invalid(name, 'has no context_memberships_url', value);
  return { membersUrl: url };
}
